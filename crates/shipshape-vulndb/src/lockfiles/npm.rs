//! `package-lock.json` and `npm-shrinkwrap.json`: v1 (`dependencies` tree), v2 and v3
//! (`packages` keyed by install path).

use shipshape_yaml::Node;

use super::{Lines, Lockfile, LockfileError, split_at_version, yaml_root};

pub(super) fn parse(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let lines = Lines::new(text);
    let root = yaml_root(text, &lines, "JSON")?;
    if let Some(packages) = root.get("packages").and_then(Node::as_mapping) {
        for (key, entry) in packages {
            let line = lines.of(key);
            let path = key.as_str().unwrap_or("");
            // "" is the project itself; paths without node_modules/ are workspace members.
            let Some(at) = path.rfind("node_modules/") else { continue };
            if entry.get("link").and_then(Node::bool_yaml12) == Some(true) {
                continue;
            }
            let install_name = path.get(at + "node_modules/".len()..).unwrap_or("");
            let name = entry.get("name").and_then(Node::as_str).unwrap_or(install_name);
            match entry.get("version").and_then(Node::as_str) {
                Some(version) => add(lock, name, version, line),
                None => lock.warn(line, format!("{path} has no version")),
            }
        }
        return Ok(());
    }
    if let Some(dependencies) = root.get("dependencies") {
        walk_v1(dependencies, &lines, lock, 0);
    }
    Ok(())
}

/// v1: `dependencies` maps names to `{version, dependencies}`, nested where npm nests them.
fn walk_v1(dependencies: &Node, lines: &Lines, lock: &mut Lockfile, depth: usize) {
    let Some(entries) = dependencies.as_mapping() else { return };
    if depth > 256 {
        return;
    }
    for (key, entry) in entries {
        let line = lines.of(key);
        let name = key.as_str().unwrap_or("");
        match entry.get("version").and_then(Node::as_str) {
            Some(version) => add(lock, name, version, line),
            None => lock.warn(line, format!("{name} has no version")),
        }
        if let Some(nested) = entry.get("dependencies") {
            walk_v1(nested, lines, lock, depth + 1);
        }
    }
}

/// Adds a package unless its version is not a registry version (a path, URL or git
/// reference); `npm:` aliases name the real package.
fn add(lock: &mut Lockfile, name: &str, version: &str, line: usize) {
    if let Some(alias) = version.strip_prefix("npm:") {
        match split_at_version(alias) {
            Some((real, version)) => lock.add(real, version, line),
            None => lock.warn(line, format!("{name}: cannot read the alias {version:?}")),
        }
        return;
    }
    if version.contains(':') || version.contains('/') {
        return; // file:, link:, git+https://, github:user/repo
    }
    lock.add(name, version, line);
}

#[cfg(test)]
mod tests {
    use crate::lockfiles::{LockfileKind, parse_kind};

    fn packages(text: &str) -> Vec<(String, String, usize)> {
        let lock = parse_kind(LockfileKind::PackageLockJson, text).unwrap();
        assert!(lock.packages.iter().all(|p| p.ecosystem == "npm"));
        lock.packages.into_iter().map(|p| (p.name, p.version, p.line)).collect()
    }

    fn owned(items: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
        items.iter().map(|(n, v, l)| ((*n).to_owned(), (*v).to_owned(), *l)).collect()
    }

    #[test]
    fn v1_dependency_tree() {
        let text = r#"{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "lodash": {
      "version": "4.17.20",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
      "integrity": "sha512-x"
    },
    "@babel/core": {
      "version": "7.12.3",
      "dev": true,
      "dependencies": {
        "semver": {
          "version": "5.7.1",
          "dev": true
        }
      }
    },
    "local": {
      "version": "file:../local"
    },
    "old-name": {
      "version": "npm:minimist@1.2.5"
    }
  }
}"#;
        assert_eq!(
            packages(text),
            owned(&[
                ("lodash", "4.17.20", 7),
                ("@babel/core", "7.12.3", 12),
                ("semver", "5.7.1", 16),
                ("minimist", "1.2.5", 25),
            ])
        );
    }

    #[test]
    fn v3_packages_by_install_path() {
        let text = r#"{
  "name": "app",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "dependencies": { "lodash": "^4.17.0" }
    },
    "node_modules/lodash": {
      "version": "4.17.20",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"
    },
    "node_modules/@types/node": {
      "version": "20.1.0",
      "dev": true
    },
    "node_modules/a/node_modules/minimist": {
      "version": "0.0.8"
    },
    "node_modules/my-lib": {
      "resolved": "packages/my-lib",
      "link": true
    },
    "packages/my-lib": {
      "name": "my-lib",
      "version": "0.0.1"
    },
    "node_modules/aliased": {
      "name": "qs",
      "version": "6.5.2"
    }
  }
}"#;
        assert_eq!(
            packages(text),
            owned(&[
                ("lodash", "4.17.20", 10),
                ("@types/node", "20.1.0", 14),
                ("minimist", "0.0.8", 18),
                ("qs", "6.5.2", 29),
            ])
        );
    }

    #[test]
    fn v2_prefers_packages_over_dependencies() {
        let text = r#"{"lockfileVersion": 2,
 "packages": {"node_modules/a": {"version": "1.0.0"}},
 "dependencies": {"a": {"version": "1.0.0"}}}"#;
        assert_eq!(packages(text), owned(&[("a", "1.0.0", 2)]));
    }

    #[test]
    fn malformed_json_names_the_line() {
        let error = parse_kind(LockfileKind::PackageLockJson, "{\n  \"packages\": {\n    \"a: {}\n  }\n}")
            .unwrap_err();
        assert!(error.line >= 3, "{error}");
        let error = parse_kind(LockfileKind::PackageLockJson, "[1, 2]").unwrap_err();
        assert_eq!(error.line, 1, "{error}");
    }
}
