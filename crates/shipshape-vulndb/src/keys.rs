//! Index keys: ecosystems and package names normalised the way
//! [`shipshape_vuln::record_affects`] compares them, so that a lookup finds every record that
//! could match.

use shipshape_vuln::version::{Ecosystem, ParsedEcosystem};

/// The ecosystem part of an OSV ecosystem string in its OSV spelling, without the release:
/// `Debian:12` → `Debian`, `pypi` → `PyPI`; unknown ecosystems as written (trimmed).
pub fn normalize_ecosystem(ecosystem: &str) -> String {
    ParsedEcosystem::parse(ecosystem).ecosystem.name().to_owned()
}

/// A package name as the ecosystem compares names: PEP 503 for PyPI, lower case for NuGet and
/// Packagist, otherwise trimmed and unchanged.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    name_for(&ParsedEcosystem::parse(ecosystem).ecosystem, name)
}

fn name_for(ecosystem: &Ecosystem, name: &str) -> String {
    let name = name.trim();
    match ecosystem {
        Ecosystem::PyPi => pep503(name),
        Ecosystem::NuGet | Ecosystem::Packagist => name.to_ascii_lowercase(),
        _ => name.to_owned(),
    }
}

fn pep503(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            if !in_separator_run {
                normalized.push('-');
            }
            in_separator_run = true;
        } else {
            normalized.extend(character.to_lowercase());
            in_separator_run = false;
        }
    }
    normalized
}

/// The kinds of index keys; the byte is the first byte of the key.
pub(crate) const PACKAGE: u8 = b'p';
pub(crate) const ID: u8 = b'i';
pub(crate) const ALIAS: u8 = b'a';

/// `p<ecosystem>\0<name>`.
pub(crate) fn package_key(ecosystem: &str, name: &str) -> Vec<u8> {
    let parsed = ParsedEcosystem::parse(ecosystem);
    let name = name_for(&parsed.ecosystem, name);
    let ecosystem = parsed.ecosystem.name();
    let mut key = Vec::with_capacity(2 + ecosystem.len() + name.len());
    key.push(PACKAGE);
    key.extend_from_slice(ecosystem.as_bytes());
    key.push(0);
    key.extend_from_slice(name.as_bytes());
    key
}

/// `i<id>` or `a<alias>` (ids and aliases compare exactly, ignoring surrounding blanks).
pub(crate) fn text_key(kind: u8, text: &str) -> Vec<u8> {
    let text = text.trim();
    let mut key = Vec::with_capacity(1 + text.len());
    key.push(kind);
    key.extend_from_slice(text.as_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_record_affects_name_rules() {
        assert_eq!(package_key("PyPI", "Zope.Interface"), package_key("pypi", "zope-interface"));
        assert_eq!(package_key("Debian:12", "openssl"), package_key("Debian", "openssl"));
        assert_ne!(package_key("npm", "Lodash"), package_key("npm", "lodash"));
        assert_eq!(package_key("NuGet", "Newtonsoft.Json"), package_key("NuGet", "newtonsoft.json"));
        assert_eq!(normalize_ecosystem("Alpine:v3.19"), "Alpine");
        assert_eq!(normalize_name("PyPI", "Foo__Bar"), "foo-bar");
        assert_eq!(text_key(ID, " GHSA-1 "), b"iGHSA-1".to_vec());
    }
}
