//! The apk database (`/lib/apk/db/installed`, `/usr/lib/apk/db/installed`): `X:value` lines,
//! packages separated by blank lines.

use super::{Package, PackageManager};

/// Packages of an apk `installed` database (`P:`, `V:`, `A:`, `o:`, `L:` lines), each at the
/// line of its `P:` field.
pub(crate) fn parse(text: &str) -> Vec<Package> {
    let mut packages = Vec::new();
    // (key, value, line) of the current package's fields.
    let mut fields: Vec<(char, &str, usize)> = Vec::new();
    let mut flush = |fields: &mut Vec<(char, &str, usize)>| {
        let get = |key: char| fields.iter().find(|(k, _, _)| *k == key);
        if let (Some(&(_, name, line)), Some(&(_, version, _))) = (get('P'), get('V')) {
            let mut package = Package::new(PackageManager::Apk, name, version);
            package.architecture = get('A').map(|(_, v, _)| (*v).to_string());
            if let Some((_, origin, _)) = get('o') {
                package.source_name = (*origin).to_string();
            }
            package.license = get('L').map(|(_, v, _)| (*v).to_string());
            package.line = line;
            packages.push(package);
        }
        fields.clear();
    };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            flush(&mut fields);
            continue;
        }
        let mut chars = line.chars();
        if let (Some(key), Some(':')) = (chars.next(), chars.next())
            && matches!(key, 'P' | 'V' | 'A' | 'o' | 'L')
            && !fields.iter().any(|(k, _, _)| *k == key)
        {
            fields.push((key, chars.as_str().trim(), index + 1));
        }
    }
    flush(&mut fields);
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apk_installed() {
        let text = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:100\nL:MIT\no:musl\nF:lib\nR:libc.musl-x86_64.so.1\n\n\
                    P:ssl_client\nV:3.3.1-r0\nA:x86_64\nL:MIT AND Apache-2.0\no:openssl\n";
        let packages = parse(text);
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[1].source_name, "openssl");
        assert_eq!(packages[1].license.as_deref(), Some("MIT AND Apache-2.0"));
        assert_eq!(packages[0].architecture.as_deref(), Some("x86_64"));
        assert_eq!((packages[0].line, packages[1].line), (2, 11));
    }
}
