//! .NET dependencies: `*.deps.json` next to an application, whose `libraries` map
//! `Name/Version` to an object; those of `"type": "package"` came from NuGet.

use super::{JsonText, Malformed, Package, PackageManager, json_str};

/// Whether `path` is a .NET dependency manifest.
pub(crate) fn is_deps_json(path: &str) -> bool {
    path.ends_with(".deps.json")
}

/// The NuGet packages, each at the line of its `libraries` key.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Malformed> {
    let json = JsonText::parse(text)?;
    let libraries = json
        .root
        .get("libraries")
        .and_then(shipshape_yaml::Node::as_mapping)
        .ok_or_else(|| Malformed::new("no libraries object"))?;
    let mut out = Vec::new();
    for (key, value) in libraries {
        if json_str(value, "type") != Some("package") {
            continue;
        }
        let Some((name, version)) = key.as_str().and_then(|k| k.split_once('/')) else { continue };
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let mut package = Package::new(PackageManager::NuGet, name, version);
        package.line = json.line(key);
        out.push(package);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_not_projects() {
        assert!(is_deps_json("/app/MyApp.deps.json"));
        let text = "{\n  \"libraries\": {\n    \"MyApp/1.0.0\": {\"type\": \"project\"},\n    \
                    \"Newtonsoft.Json/13.0.1\": {\"type\": \"package\", \"sha512\": \"x\"}\n  }\n}\n";
        let packages = parse(text).unwrap();
        assert_eq!(packages.len(), 1);
        assert_eq!(
            (packages[0].name.as_str(), packages[0].version.as_str(), packages[0].line),
            ("Newtonsoft.Json", "13.0.1", 4)
        );
        assert!(parse("{}").is_err());
    }
}
