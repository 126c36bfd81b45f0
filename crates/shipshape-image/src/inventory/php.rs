//! PHP packages installed by Composer: `vendor/composer/installed.json`, a list of packages
//! (Composer 1) or `{"packages": [...]}` (Composer 2), each with `name`, `version` and `license`.

use super::{JsonText, Malformed, Package, PackageManager, json_str};

/// Whether `path` is Composer's record of installed packages.
pub(crate) fn is_installed_json(path: &str) -> bool {
    path.ends_with("/vendor/composer/installed.json")
}

/// The installed packages, each at the line its object starts.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Malformed> {
    let json = JsonText::parse(text)?;
    let list = match json.root.get("packages") {
        Some(packages) => packages.as_sequence(),
        None => json.root.as_sequence(),
    }
    .ok_or_else(|| Malformed::new("neither a list of packages nor {\"packages\": [...]}"))?;
    let mut out = Vec::new();
    for item in list {
        let (Some(name), Some(version)) = (json_str(item, "name"), json_str(item, "version")) else {
            continue;
        };
        let mut package = Package::new(PackageManager::Composer, name, version);
        package.line = json.line(item);
        let licenses: Vec<&str> = item
            .get("license")
            .and_then(shipshape_yaml::Node::as_sequence)
            .unwrap_or_default()
            .iter()
            .filter_map(crate::json::string)
            .collect();
        package.license = (!licenses.is_empty()).then(|| licenses.join(" OR "));
        out.push(package);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_of_installed_json() {
        assert!(is_installed_json("/var/www/vendor/composer/installed.json"));
        let v2 = "{\n  \"packages\": [\n    {\n      \"name\": \"monolog/monolog\",\n      \"version\": \"3.5.0\",\n      \
                  \"license\": [\"MIT\"]\n    },\n    {\"name\": \"psr/log\", \"version\": \"3.0.0\"}\n  ],\n  \"dev\": true\n}\n";
        let packages = parse(v2).unwrap();
        let summary: Vec<_> =
            packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.line)).collect();
        assert_eq!(summary, [("monolog/monolog", "3.5.0", 3), ("psr/log", "3.0.0", 8)]);
        assert_eq!(packages[0].license.as_deref(), Some("MIT"));
        let v1 = r#"[{"name": "symfony/console", "version": "v5.4.0", "license": ["MIT"]}]"#;
        assert_eq!(parse(v1).unwrap()[0].version, "v5.4.0");
        assert!(parse(r#"{"other": 1}"#).is_err());
    }
}
