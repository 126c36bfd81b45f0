//! `trustedRegistries` of hadolint's configuration (`.hadolint.yaml` or `.hadolint.yml`) next to a
//! `shipshape.toml`, so a project that already lists its registries for hadolint (DL3026) needs
//! no second list. Nothing else of the file is read.

use shipshape_model::general::CONFIG_ERROR;
use shipshape_model::{Finding, Origin, SourceFile};
use std::io::Read;
use std::path::Path;

/// File names looked for, in order.
pub const HADOLINT_FILE_NAMES: [&str; 2] = [".hadolint.yaml", ".hadolint.yml"];

/// The largest hadolint configuration read; a bigger one is reported and skipped.
const MAX_LEN: u64 = 1 << 20;

/// What a hadolint configuration contributes.
#[derive(Debug, Default)]
pub struct HadolintTrust {
    /// `trustedRegistries` entries, as written (trimmed).
    pub trusted_registries: Vec<String>,
    /// Problems with the file, located in it.
    pub diagnostics: Vec<Finding>,
}

/// Reads `trustedRegistries` from the first hadolint configuration in `dir`; `None` when there
/// is none. `display_dir` is how the directory is shown (relative to the working directory).
pub fn load(dir: &Path, display_dir: &str) -> Option<HadolintTrust> {
    let (path, name) = HADOLINT_FILE_NAMES.iter().map(|n| (dir.join(n), *n)).find(|(p, _)| p.is_file())?;
    let display = if display_dir.is_empty() { name.to_string() } else { format!("{display_dir}/{name}") };
    let mut text = String::new();
    let read = std::fs::File::open(&path).and_then(|file| file.take(MAX_LEN + 1).read_to_string(&mut text));
    let source = SourceFile::new(display.as_str(), text.as_str());
    let problem = match read {
        Err(error) => Some(format!("cannot read {display}: {error}; its `trustedRegistries` are not used")),
        Ok(len) if len as u64 > MAX_LEN => {
            Some(format!("{display} is larger than 1 MiB; its `trustedRegistries` are not used"))
        }
        Ok(_) => None,
    };
    if let Some(message) = problem {
        let mut finding =
            Finding::new(&CONFIG_ERROR, &Origin::new(source.path.clone(), Default::default()), message);
        finding.locate(&source);
        return Some(HadolintTrust { trusted_registries: Vec::new(), diagnostics: vec![finding] });
    }
    Some(parse(&source))
}

/// `trustedRegistries` of a hadolint configuration's text.
pub fn parse(source: &SourceFile) -> HadolintTrust {
    let mut trust = HadolintTrust::default();
    let mut report = |span, message: String| {
        let mut finding = Finding::new(&CONFIG_ERROR, &Origin::new(source.path.clone(), span), message);
        finding.locate(source);
        trust.diagnostics.push(finding);
    };
    let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
    for error in &stream.errors {
        report(error.span, format!("{} is not valid YAML: {}", source.path, error.message));
    }
    let mut entries = Vec::new();
    let Some(list) = stream.documents.first().and_then(|d| d.root.get("trustedRegistries")) else {
        return trust;
    };
    match list.as_sequence() {
        Some(items) => {
            for item in items {
                match item
                    .as_str()
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && !s.contains(char::is_whitespace))
                {
                    Some(entry) => entries.push(entry.to_string()),
                    None => {
                        report(item.span, "`trustedRegistries` entries must be registry names".to_string())
                    }
                }
            }
        }
        None if list.is_null() => {}
        None => report(list.span, "`trustedRegistries` must be a list of registry names".to_string()),
    }
    trust.trusted_registries = entries;
    trust
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_trusted_registries_only() {
        let text = "ignored:\n  - DL3008\ntrustedRegistries:\n  - docker.io\n  - \"*.example.com\"\n  - {x: 1}\nfailure-threshold: error\n";
        let trust = parse(&SourceFile::new(".hadolint.yaml", text));
        assert_eq!(trust.trusted_registries, ["docker.io", "*.example.com"]);
        assert_eq!(trust.diagnostics.len(), 1);
        assert_eq!(trust.diagnostics[0].location.region.start_line, 6);
        let none = parse(&SourceFile::new(".hadolint.yaml", "ignored: [DL3008]\n"));
        assert!(none.trusted_registries.is_empty() && none.diagnostics.is_empty());
        let broken = parse(&SourceFile::new(".hadolint.yaml", "trustedRegistries: docker.io\n"));
        assert!(broken.diagnostics[0].message.contains("must be a list"));
    }
}
