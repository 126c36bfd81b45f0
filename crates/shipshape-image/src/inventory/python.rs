//! Python distributions: `*.dist-info/METADATA` (wheels, pip) and `*.egg-info/PKG-INFO` or a
//! `*.egg-info` file (setuptools): core-metadata headers `Name`, `Version`, and the licence from
//! `License-Expression`, else a one-line `License`, else the `License ::` classifiers.

use super::dpkg::stanzas;
use super::{Malformed, Package, PackageManager};

/// Whether `path` is a Python distribution's metadata file.
pub(crate) fn is_metadata(path: &str) -> bool {
    let Some((dir, file)) = path.rsplit_once('/') else { return false };
    (file == "METADATA" && dir.ends_with(".dist-info"))
        || (file == "PKG-INFO" && dir.ends_with(".egg-info"))
        || file.ends_with(".egg-info")
}

/// The distribution a metadata file describes, at the line of its `Name` header.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Malformed> {
    let header =
        stanzas(text, true).into_iter().next().ok_or_else(|| Malformed::new("no metadata headers"))?;
    let name =
        header.field("name").filter(|n| !n.is_empty()).ok_or_else(|| Malformed::new("no Name header"))?;
    let version = header
        .field("version")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Malformed::new("no Version header"))?;
    let mut package = Package::new(PackageManager::Python, name, version);
    package.line = header.line_of("name").unwrap_or(1);
    package.license = license(&header);
    Ok(vec![package])
}

fn license(header: &super::dpkg::Stanza) -> Option<String> {
    if let Some(expression) = header.field("license-expression").filter(|e| !e.is_empty()) {
        return Some(expression.to_string());
    }
    if let Some(license) = header.field("license")
        && !license.contains('\n')
        && !license.is_empty()
        && license.len() <= 200
        && !license.eq_ignore_ascii_case("UNKNOWN")
    {
        return Some(license.to_string());
    }
    let classifiers: Vec<&str> = header
        .fields
        .iter()
        .filter(|(k, _, _)| k == "classifier")
        .filter_map(|(_, v, _)| v.strip_prefix("License ::"))
        .filter_map(|v| v.rsplit("::").next().map(str::trim))
        .filter(|v| !v.is_empty())
        .collect();
    (!classifiers.is_empty()).then(|| classifiers.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_files() {
        assert!(is_metadata("/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"));
        assert!(is_metadata("/usr/lib/python3/dist-packages/six-1.16.0.egg-info"));
        assert!(is_metadata("/app/x.egg-info/PKG-INFO"));
        assert!(!is_metadata("/app/x.dist-info/RECORD"));
        assert!(!is_metadata("/app/METADATA"));
    }

    #[test]
    fn core_metadata() {
        let text = "Metadata-Version: 2.1\nName: charset-normalizer\nVersion: 3.3.2\nLicense: MIT\n\
                    Classifier: License :: OSI Approved :: MIT License\n\nLong description\nName: not-this\n";
        let packages = parse(text).unwrap();
        assert_eq!(packages.len(), 1);
        let p = &packages[0];
        assert_eq!((p.name.as_str(), p.version.as_str(), p.line), ("charset-normalizer", "3.3.2", 2));
        assert_eq!(p.license.as_deref(), Some("MIT"));
        assert_eq!(p.ecosystem.as_deref(), Some("PyPI"));

        let expression =
            parse("Name: a\nVersion: 1\nLicense-Expression: Apache-2.0 OR MIT\nLicense: long\n text\n")
                .unwrap();
        assert_eq!(expression[0].license.as_deref(), Some("Apache-2.0 OR MIT"));
        let classifiers = parse(
            "Name: a\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\n",
        )
        .unwrap();
        assert_eq!(classifiers[0].license.as_deref(), Some("BSD License"));
        assert!(parse("Name: a\n").is_err());
        assert!(parse("").is_err());
    }
}
