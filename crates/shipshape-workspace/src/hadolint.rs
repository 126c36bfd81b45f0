//! hadolint's configuration (`.hadolint.yaml` or `.hadolint.yml`), so a project moving from
//! hadolint keeps its settings: beside a `shipshape.toml` it adds to it, alone in a directory it
//! is that directory's configuration.
//!
//! | hadolint key | shipshape meaning |
//! |---|---|
//! | `ignored: [DL3008, ...]` | the rules with those aliases are ignored (like `[rules] ignore`) |
//! | `override: {error: [...], warning: [...], info: [...], style: [...]}` | severities of those rules: error = high, warning = medium, info = low, style = info (a `[severity]` entry of `shipshape.toml` wins) |
//! | `failure-threshold: error\|warning\|info\|style` | `fail-on` (high, medium, low, info) unless `shipshape.toml` sets `fail-on`; `none`/`ignore` leave it |
//! | `trustedRegistries: [...]` | added to `[registries] trusted` (DL3026, `SUP010`) |
//!
//! Other keys (`label-schema`, `strict-labels`, `format`, ...) are accepted and not used. An
//! unknown rule code in `ignored` or `override` is a configuration error located in the file.

use crate::config::SeverityOverride;
use crate::selection::Selector;
use shipshape_model::general::CONFIG_ERROR;
use shipshape_model::{Finding, Origin, RuleMeta, Severity, SourceFile};
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
    /// `ignored`, as selectors of the rules with those aliases.
    pub ignored: Vec<Selector>,
    /// `override`, one entry per rule.
    pub overrides: Vec<SeverityOverride>,
    /// `failure-threshold`.
    pub failure_threshold: Option<Severity>,
    /// Problems with the file, located in it.
    pub diagnostics: Vec<Finding>,
    /// The file, as shown.
    pub display: String,
}

/// Whether `dir` holds a hadolint configuration.
pub fn exists(dir: &Path) -> bool {
    HADOLINT_FILE_NAMES.iter().any(|n| dir.join(n).is_file())
}

/// Reads the first hadolint configuration in `dir`; `None` when there is none. `display_dir`
/// is how the directory is shown (relative to the working directory).
pub fn load(dir: &Path, display_dir: &str, rules: &[&'static RuleMeta]) -> Option<HadolintTrust> {
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
        return Some(HadolintTrust { diagnostics: vec![finding], display, ..HadolintTrust::default() });
    }
    Some(HadolintTrust { display, ..parse(&source, rules) })
}

/// hadolint's severity names as shipshape severities.
fn hadolint_severity(name: &str) -> Option<Severity> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "info" => Severity::Low,
        "style" => Severity::Info,
        _ => return None,
    })
}

/// The settings of a hadolint configuration's text.
pub fn parse(source: &SourceFile, rules: &[&'static RuleMeta]) -> HadolintTrust {
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
    let root = stream.documents.first().map(|d| &d.root);
    let rule_list = |node: &shipshape_yaml::Node, report: &mut dyn FnMut(shipshape_model::Span, String)| {
        let mut found = Vec::new();
        let Some(items) = node.as_sequence() else {
            report(node.span, "expected a list of rule codes (`[DL3008, DL3013]`)".to_string());
            return found;
        };
        for item in items {
            let code = item.as_str().map(str::trim).unwrap_or_default();
            let matching: Vec<&'static RuleMeta> = rules
                .iter()
                .copied()
                .filter(|r| {
                    r.code.eq_ignore_ascii_case(code)
                        || r.aliases.iter().any(|a| a.id.eq_ignore_ascii_case(code))
                })
                .collect();
            if matching.is_empty() {
                report(item.span, format!("no shipshape rule has the alias `{code}`"));
            }
            found.extend(matching.into_iter().map(|rule| (rule, item.span)));
        }
        found
    };
    if let Some(ignored) = root.and_then(|r| r.get("ignored")).filter(|n| !n.is_null()) {
        let listed = rule_list(ignored, &mut report);
        trust.ignored = listed.iter().map(|(rule, _)| Selector::Rules(vec![rule.code])).collect();
    }
    if let Some(overrides) = root.and_then(|r| r.get("override")).filter(|n| !n.is_null()) {
        match overrides.as_mapping() {
            Some(entries) => {
                for (level, list) in entries {
                    let Some(severity) = level.as_str().and_then(hadolint_severity) else {
                        report(
                            level.span,
                            "`override` levels are error, warning, info and style".to_string(),
                        );
                        continue;
                    };
                    for (rule, span) in rule_list(list, &mut report) {
                        let origin = Origin::new(source.path.clone(), span);
                        trust.overrides.push(SeverityOverride { rule, severity, origin });
                    }
                }
            }
            None => report(overrides.span, "`override` must map levels to lists of rule codes".to_string()),
        }
    }
    if let Some(threshold) = root.and_then(|r| r.get("failure-threshold")) {
        match threshold.as_str().map(str::trim) {
            Some("none" | "ignore") => {}
            Some(level) => match hadolint_severity(level) {
                Some(severity) => trust.failure_threshold = Some(severity),
                None => report(
                    threshold.span,
                    "`failure-threshold` is one of error, warning, info, style, ignore, none".to_string(),
                ),
            },
            None => report(threshold.span, "`failure-threshold` must be a level name".to_string()),
        }
    }
    let mut entries = Vec::new();
    let Some(list) = root.and_then(|r| r.get("trustedRegistries")) else {
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

    use shipshape_model::{Layer, declare_rule};

    declare_rule! {
        /// Test rule.
        pub static PINNED = {
            code: "SUP004", name: "unpinned-system-package", layer: SupplyChain,
            threat: VulnerableDependency, asset: SupplyChain, severity: Low, fix: None,
            summary: "s", aliases: [(Hadolint, "DL3008"), (Hadolint, "DL3018")],
        }
    }

    fn rules() -> Vec<&'static RuleMeta> {
        vec![&PINNED]
    }

    #[test]
    fn reads_trusted_registries() {
        let text = "trustedRegistries:\n  - docker.io\n  - \"*.example.com\"\n  - {x: 1}\nlabel-schema: {}\n";
        let trust = parse(&SourceFile::new(".hadolint.yaml", text), &rules());
        assert_eq!(trust.trusted_registries, ["docker.io", "*.example.com"]);
        assert_eq!(trust.diagnostics.len(), 1);
        assert_eq!(trust.diagnostics[0].location.region.start_line, 4);
        let broken = parse(&SourceFile::new(".hadolint.yaml", "trustedRegistries: docker.io\n"), &rules());
        assert!(broken.diagnostics[0].message.contains("must be a list"));
    }

    #[test]
    fn reads_ignored_override_and_failure_threshold() {
        let text = "ignored:\n  - DL3008\n  - DL9999\noverride:\n  error:\n    - dl3018\n  fatal: [DL3008]\nfailure-threshold: warning\n";
        let trust = parse(&SourceFile::new(".hadolint.yaml", text), &rules());
        assert_eq!(trust.ignored, [Selector::Rules(vec!["SUP004"])]);
        assert_eq!(trust.overrides.len(), 1);
        assert_eq!((trust.overrides[0].rule.code, trust.overrides[0].severity), ("SUP004", Severity::High));
        assert_eq!(trust.failure_threshold, Some(Severity::Medium));
        let problems: Vec<(u32, &str)> =
            trust.diagnostics.iter().map(|d| (d.location.region.start_line, d.message.as_str())).collect();
        assert_eq!(
            problems,
            [
                (3, "no shipshape rule has the alias `DL9999`"),
                (7, "`override` levels are error, warning, info and style")
            ]
        );
        assert_eq!(PINNED.layer, Layer::SupplyChain);
        let none = parse(&SourceFile::new(".hadolint.yaml", "failure-threshold: none\n"), &rules());
        assert!(none.failure_threshold.is_none() && none.diagnostics.is_empty());
    }
}
