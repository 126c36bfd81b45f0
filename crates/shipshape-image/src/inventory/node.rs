//! Node packages: `node_modules/<name>/package.json` and `node_modules/@scope/<name>/package.json`
//! at any depth of nesting. Manifests inside a package's own test or fixture folders are not
//! installed packages and are skipped.

use super::{JsonText, Malformed, Package, PackageManager, json_str};

/// Folders whose `node_modules` are test data, not installed packages.
const FIXTURE_DIRS: &[&str] = &["test", "tests", "__tests__", "fixtures", "__fixtures__", "test-fixtures"];

/// Whether `path` is the manifest of an installed package.
pub(crate) fn is_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else { return false };
    let mut parts = dir.rsplit('/');
    let (Some(name), Some(parent)) = (parts.next(), parts.next()) else { return false };
    let installed = if parent.starts_with('@') {
        parts.next() == Some("node_modules") && !name.is_empty()
    } else {
        parent == "node_modules" && !name.starts_with(['.', '@'])
    };
    if !installed {
        return false;
    }
    // Inside the outermost node_modules, a test folder means fixture data.
    let Some(start) = path.find("/node_modules/") else { return false };
    !path[start..].split('/').any(|part| FIXTURE_DIRS.contains(&part))
}

/// The package a `package.json` describes, at the line of its `name` key.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Malformed> {
    let json = JsonText::parse(text)?;
    let root = &json.root;
    let (Some(name), Some(version)) = (json_str(root, "name"), json_str(root, "version")) else {
        return Err(Malformed::new("no name or version"));
    };
    let mut package = Package::new(PackageManager::Npm, name, version);
    package.line = json.key_line(root, "name").unwrap_or(1);
    package.license = license(root);
    Ok(vec![package])
}

/// `"license": "MIT"`, `"license": {"type": "MIT"}`, or the old `"licenses": [{"type": …}]`.
fn license(root: &shipshape_yaml::Node) -> Option<String> {
    match root.get("license") {
        Some(node) if node.as_mapping().is_some() => json_str(node, "type").map(str::to_string),
        Some(node) => crate::json::string(node).filter(|s| !s.is_empty()).map(str::to_string),
        None => {
            let types: Vec<&str> = root
                .get("licenses")
                .and_then(shipshape_yaml::Node::as_sequence)
                .unwrap_or_default()
                .iter()
                .filter_map(|l| json_str(l, "type").or_else(|| crate::json::string(l)))
                .collect();
            (!types.is_empty()).then(|| types.join(" OR "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_of_installed_packages() {
        assert!(is_manifest("/app/node_modules/lodash/package.json"));
        assert!(is_manifest("/app/node_modules/@babel/core/package.json"));
        assert!(is_manifest("/usr/lib/node_modules/npm/node_modules/semver/package.json"));
        assert!(!is_manifest("/app/package.json"));
        assert!(!is_manifest("/app/node_modules/lodash/lib/package.json"));
        assert!(!is_manifest("/app/node_modules/resolve/test/fixtures/node_modules/dep/package.json"));
        assert!(!is_manifest("/app/node_modules/.bin/package.json"));
        assert!(!is_manifest("/app/node_modules/@scope/package.json"));
    }

    #[test]
    fn package_json() {
        let text = "{\n  \"version\": \"7.24.0\",\n  \"name\": \"@babel/core\",\n  \"license\": {\"type\": \"MIT\"}\n}\n";
        let p = &parse(text).unwrap()[0];
        assert_eq!((p.name.as_str(), p.version.as_str(), p.line), ("@babel/core", "7.24.0", 3));
        assert_eq!(p.license.as_deref(), Some("MIT"));
        let old = parse(
            r#"{"name": "a", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}"#,
        )
        .unwrap();
        assert_eq!(old[0].license.as_deref(), Some("MIT OR Apache-2.0"));
        assert!(parse(r#"{"name": "a"}"#).is_err());
        let error = parse("{\n\"name\": \"a\",\n\"version\": [\n").unwrap_err().to_string();
        assert!(error.contains("line"), "{error}");
    }
}
