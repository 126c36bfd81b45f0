//! Rust crates: the dependency list cargo-auditable embeds in binaries (section `.dep-v0`,
//! zlib-compressed JSON `{"packages": [{"name", "version", "source", "kind", "root"}]}`), and
//! `Cargo.lock` files (`[[package]]` tables with `name`, `version`, `source`).

use super::{JsonText, Malformed, Package, PackageManager, json_str};
use std::io::Read;

/// Most bytes the compressed dependency list may expand to.
const MAX_AUDIT_JSON: u64 = 16 * 1024 * 1024;

/// Whether `path` is a Cargo lockfile.
pub(crate) fn is_lockfile(path: &str) -> bool {
    path.ends_with("/Cargo.lock")
}

/// The crates compiled into a binary, from its `.dep-v0` section; build-time dependencies are
/// left out (they are not in the binary).
pub(crate) fn auditable(section: &[u8]) -> Result<Vec<Package>, Malformed> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(MAX_AUDIT_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| Malformed::new(format!("cargo-auditable data does not decompress: {e}")))?;
    if json.len() as u64 > MAX_AUDIT_JSON {
        return Err(Malformed::new("cargo-auditable data expands past 16 MiB"));
    }
    let text = String::from_utf8_lossy(&json);
    let parsed = JsonText::parse(&text)?;
    let list = parsed
        .root
        .get("packages")
        .and_then(shipshape_yaml::Node::as_sequence)
        .ok_or_else(|| Malformed::new("cargo-auditable data without packages"))?;
    let mut out = Vec::new();
    for item in list {
        if json_str(item, "kind") == Some("build") {
            continue;
        }
        let (Some(name), Some(version)) = (json_str(item, "name"), json_str(item, "version")) else {
            continue;
        };
        let mut package = Package::new(PackageManager::Cargo, name, version);
        package.inner_path = json_str(item, "source").map(|s| format!("source: {s}"));
        out.push(package);
    }
    Ok(out)
}

/// The packages of a `Cargo.lock`, each at the line of its `name`.
pub(crate) fn lockfile(text: &str) -> Result<Vec<Package>, Malformed> {
    let mut out = Vec::new();
    let mut current: Option<(Option<String>, Option<String>, usize)> = None;
    let mut flush = |current: &mut Option<(Option<String>, Option<String>, usize)>| {
        if let Some((Some(name), Some(version), line)) = current.take() {
            let mut package = Package::new(PackageManager::Cargo, name, version);
            package.line = line;
            out.push(package);
        }
    };
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            flush(&mut current);
            if line == "[[package]]" {
                current = Some((None, None, index + 1));
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let Some(entry) = current.as_mut() else { continue };
        let value = value.trim().trim_matches('"').to_string();
        match key.trim() {
            "name" => {
                entry.0 = Some(value);
                entry.2 = index + 1;
            }
            "version" => entry.1 = Some(value),
            _ => {}
        }
    }
    flush(&mut current);
    if out.is_empty() && !text.contains("[[package]]") {
        return Err(Malformed::new("no [[package]] tables"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn auditable_section() {
        let json = r#"{"packages":[{"name":"app","version":"0.1.0","source":"local","root":true,"dependencies":[1]},
            {"name":"serde","version":"1.0.200","source":"crates.io"},
            {"name":"cc","version":"1.0.90","source":"crates.io","kind":"build"}]}"#;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(json.as_bytes()).unwrap();
        let section = encoder.finish().unwrap();
        let packages = auditable(&section).unwrap();
        let summary: Vec<_> = packages.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();
        assert_eq!(summary, [("app", "0.1.0"), ("serde", "1.0.200")]);
        assert!(auditable(b"not zlib").is_err());
    }

    #[test]
    fn cargo_lock() {
        let text = "version = 3\n\n[[package]]\nname = \"anyhow\"\nversion = \"1.0.86\"\n\
                    source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
                    [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"anyhow\",\n]\n\n[metadata]\nx = 1\n";
        let packages = lockfile(text).unwrap();
        let summary: Vec<_> =
            packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.line)).collect();
        assert_eq!(summary, [("anyhow", "1.0.86", 4), ("app", "0.1.0", 9)]);
        assert!(lockfile("garbage").is_err());
    }
}
