//! `pnpm-lock.yaml`, lockfile versions 5 to 9.
//!
//! Every package is a key of `packages`: `/name/1.0.0_peer@2.0.0` (v5), `/name@1.0.0(peer@2.0.0)`
//! (v6), `name@1.0.0` (v7 to v9, whose peer variants live under `snapshots`). Packages
//! installed from tarballs or git carry `name` and `version` fields, which win over the key.

use shipshape_yaml::Node;

use super::{Lines, Lockfile, LockfileError, split_at_version, yaml_root};

pub(super) fn parse(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let lines = Lines::new(text);
    let root = yaml_root(text, &lines, "YAML")?;
    let version = root.get("lockfileVersion").and_then(Node::as_str).unwrap_or("");
    let major: u32 = version
        .trim_start_matches('\'')
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(9);
    for (key, entry) in root.get("packages").and_then(Node::as_mapping).unwrap_or(&[]) {
        let line = lines.of(key);
        let key = key.as_str().unwrap_or("");
        let fields = (entry.get("name").and_then(Node::as_str), entry.get("version").and_then(Node::as_str));
        let parsed = match fields {
            (Some(name), Some(version)) => Some((name, version)),
            _ => parse_key(key, major),
        };
        match parsed {
            Some((_, version)) if version.contains(':') || version.contains('/') => {}
            Some((name, version)) if !name.is_empty() && !version.is_empty() => lock.add(name, version, line),
            _ => lock.warn(line, format!("cannot read a name and version from {key:?}")),
        }
    }
    Ok(())
}

fn parse_key(key: &str, major: u32) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    if major < 6 {
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next()?;
        Some((name, version))
    } else {
        let key = key.split('(').next()?;
        split_at_version(key)
    }
}

#[cfg(test)]
mod tests {
    use crate::lockfiles::{LockfileKind, parse_kind};

    fn packages(text: &str) -> Vec<(String, String, usize)> {
        let lock = parse_kind(LockfileKind::PnpmLock, text).unwrap();
        assert!(lock.warnings.is_empty(), "{:?}", lock.warnings);
        lock.packages.into_iter().map(|p| (p.name, p.version, p.line)).collect()
    }

    fn owned(items: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
        items.iter().map(|(n, v, l)| ((*n).to_owned(), (*v).to_owned(), *l)).collect()
    }

    #[test]
    fn v5() {
        let text = "lockfileVersion: 5.4

specifiers:
  react: ^17.0.2

dependencies:
  react: 17.0.2

packages:

  /js-tokens/4.0.0:
    resolution: {integrity: sha512-RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ==}
    dev: false

  /react/17.0.2:
    resolution: {integrity: sha512-gnhPt75i/dq/z3/6q/0asP78D0u592D5L1pd7M8P+dck6Fu/jJeL6iVVK23fptSUZj8Vjf++7wXA8UNclGQcbA==}
    engines: {node: '>=0.10.0'}

  /@babel/helper-plugin-utils/7.14.5_@babel+core@7.15.0:
    resolution: {integrity: sha512-x}
    dev: true

  github.com/user/repo/0123456789abcdef:
    resolution: {tarball: https://codeload.github.com/user/repo/tar.gz/0123456789abcdef}
    name: repo
    version: 1.0.0
";
        assert_eq!(
            packages(text),
            owned(&[
                ("js-tokens", "4.0.0", 11),
                ("react", "17.0.2", 15),
                ("@babel/helper-plugin-utils", "7.14.5", 19),
                ("repo", "1.0.0", 23),
            ])
        );
    }

    #[test]
    fn v6() {
        let text = "lockfileVersion: '6.0'

settings:
  autoInstallPeers: true

dependencies:
  '@testing-library/react':
    specifier: ^14.0.0
    version: 14.0.0(react@18.2.0)

packages:

  /@testing-library/react@14.0.0(react-dom@18.2.0)(react@18.2.0):
    resolution: {integrity: sha512-x}
    peerDependencies:
      react: ^18.0.0
    dev: false

  /loose-envify@1.4.0:
    resolution: {integrity: sha512-y}
    hasBin: true
";
        assert_eq!(
            packages(text),
            owned(&[("@testing-library/react", "14.0.0", 13), ("loose-envify", "1.4.0", 19)])
        );
    }

    #[test]
    fn v9() {
        let text = "lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      lodash:
        specifier: ^4.17.20
        version: 4.17.20

packages:

  '@esbuild/linux-x64@0.19.12':
    resolution: {integrity: sha512-z}
    cpu: [x64]
    os: [linux]

  lodash@4.17.20:
    resolution: {integrity: sha512-w}

  local-pkg@file:vendor/local-pkg:
    resolution: {directory: vendor/local-pkg, type: directory}

snapshots:

  lodash@4.17.20: {}
";
        assert_eq!(
            packages(text),
            owned(&[("@esbuild/linux-x64", "0.19.12", 13), ("lodash", "4.17.20", 18)])
        );
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let error =
            parse_kind(LockfileKind::PnpmLock, "lockfileVersion: '9.0'\npackages:\n  a@1: {\n").unwrap_err();
        assert!(error.line >= 3, "{error}");
    }
}
