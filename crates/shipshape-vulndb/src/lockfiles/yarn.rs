//! `yarn.lock`: v1 (Yarn classic's own format) and berry (Yarn 2+, YAML).

use shipshape_yaml::Node;

use super::{Lines, Lockfile, LockfileError, split_at_version, yaml_root};

pub(super) fn parse(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let is_berry = text.lines().any(|line| line.starts_with("__metadata:"));
    if is_berry { parse_berry(text, lock) } else { parse_v1(text, lock) }
}

/// The package name of a descriptor such as `"@babel/core@^7.0.0"` or `lodash@npm:^4`; an
/// alias `alias@npm:real@^1` names `real`.
fn descriptor_name(descriptor: &str) -> Option<&str> {
    let descriptor = descriptor.trim().trim_matches('"');
    let (name, range) = split_at_version(descriptor)?;
    if let Some(aliased) = range.strip_prefix("npm:")
        && let Some((real, _)) = split_at_version(aliased)
    {
        return Some(real);
    }
    Some(name)
}

/// Yarn v1: entries start at column 0 with comma-separated descriptors and a colon; their
/// fields are indented, `version "1.2.3"` among them.
fn parse_v1(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let mut entry: Option<(String, usize, bool)> = None; // (name, line, version seen)
    let finish = |entry: &mut Option<(String, usize, bool)>, lock: &mut Lockfile| {
        if let Some((name, line, false)) = entry.take() {
            lock.warn(line, format!("{name} has no version"));
        }
    };
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if !indented {
            finish(&mut entry, lock);
            let Some(header) = trimmed.strip_suffix(':') else {
                return Err(LockfileError::new(
                    line,
                    format!("expected an entry like `name@range:`, found {trimmed:?}"),
                ));
            };
            let first = header.split(',').next().unwrap_or("");
            match descriptor_name(first) {
                Some(name) => entry = Some((name.to_owned(), line, false)),
                None => lock.warn(line, format!("cannot read the package name of {header:?}")),
            }
            continue;
        }
        let field = trimmed.trim_start();
        // Only the entry's own fields (two spaces), not those of its `dependencies:` block.
        let depth = raw.len() - raw.trim_start().len();
        if depth != 2 {
            continue;
        }
        let Some(rest) = field.strip_prefix("version") else { continue };
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let version = rest.trim().trim_matches('"');
        if let Some((name, entry_line, seen)) = entry.as_mut() {
            *seen = true;
            if version.contains(':') || version.contains('/') || version.is_empty() {
                lock.warn(line, format!("{name}: {version:?} is not a registry version"));
            } else {
                let (name, entry_line) = (name.clone(), *entry_line);
                lock.add(&name, version, entry_line);
            }
        }
    }
    finish(&mut entry, lock);
    Ok(())
}

/// Berry: a YAML mapping from descriptors to entries with `version` and `resolution`
/// (`lodash@npm:4.17.21`); only `npm:` resolutions (and `patch:`es of them) are registry
/// packages.
fn parse_berry(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let lines = Lines::new(text);
    let root = yaml_root(text, &lines, "YAML")?;
    for (key, entry) in root.as_mapping().unwrap_or(&[]) {
        let descriptors = key.as_str().unwrap_or("");
        if descriptors == "__metadata" {
            continue;
        }
        let line = lines.of(key);
        let resolution = entry.get("resolution").and_then(Node::as_str).unwrap_or("");
        let Some((name, reference)) = split_at_version(resolution) else {
            lock.warn(line, format!("{descriptors}: no readable resolution"));
            continue;
        };
        let registry = reference.starts_with("npm:")
            || (reference.starts_with("patch:") && reference.contains("@npm%3A"));
        if !registry {
            continue; // workspace:, link:, portal:, file:, git, https tarballs
        }
        let version = entry
            .get("version")
            .and_then(|v| v.as_str())
            .or_else(|| reference.strip_prefix("npm:"))
            .unwrap_or("");
        if version.is_empty() {
            lock.warn(line, format!("{descriptors} has no version"));
        } else {
            lock.add(name, version, line);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::lockfiles::{LockfileKind, parse_kind};

    fn packages(text: &str) -> Vec<(String, String, usize)> {
        let lock = parse_kind(LockfileKind::YarnLock, text).unwrap();
        lock.packages.into_iter().map(|p| (p.name, p.version, p.line)).collect()
    }

    fn owned(items: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
        items.iter().map(|(n, v, l)| ((*n).to_owned(), (*v).to_owned(), *l)).collect()
    }

    #[test]
    fn classic_v1() {
        let text = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.15, lodash@^4.17.20:
  version "4.17.20"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.20.tgz"

string-width-cjs@npm:string-width@^4.2.0:
  version "4.2.3"

my-fork@git+https://example.invalid/fork.git:
  version "1.0.0"
  resolved "git+https://example.invalid/fork.git#abc"
"#;
        assert_eq!(
            packages(text),
            owned(&[
                ("@babel/code-frame", "7.12.13", 5),
                ("lodash", "4.17.20", 12),
                ("string-width", "4.2.3", 16),
                ("my-fork", "1.0.0", 19),
            ])
        );
    }

    #[test]
    fn v1_malformed_names_the_line() {
        let error = parse_kind(LockfileKind::YarnLock, "# yarn lockfile v1\n\nlodash@^4\n  version \"4\"\n")
            .unwrap_err();
        assert_eq!(error.line, 3, "{error}");
    }

    #[test]
    fn berry() {
        let text = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 6
  cacheKey: 8

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    lodash: ^4.17.20
  languageName: unknown
  linkType: soft

"lodash@npm:^4.17.20":
  version: 4.17.20
  resolution: "lodash@npm:4.17.20"
  checksum: b31afa09739b7292a88ec49ffdb2fcaeb41f690def010f7a067eeedffece32da6b6ac9
  languageName: node
  linkType: hard

"@types/node@npm:*, @types/node@npm:^18":
  version: 18.11.9
  resolution: "@types/node@npm:18.11.9"
  languageName: node
  linkType: hard

"resolve@patch:resolve@^1.20.0#~builtin<compat/resolve>":
  version: 1.22.1
  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b"
  languageName: node
  linkType: hard
"#;
        assert_eq!(
            packages(text),
            owned(&[("lodash", "4.17.20", 16), ("@types/node", "18.11.9", 23), ("resolve", "1.22.1", 29)])
        );
    }
}
