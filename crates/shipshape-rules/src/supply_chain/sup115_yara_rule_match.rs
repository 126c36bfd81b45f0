use shipshape_model::{Origin, Severity, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Reports a match of one of your YARA rules. With `--yara-rules DIR` (in a build of
    /// shipshape with the `yara` feature), every `.yar` and `.yara` file of `DIR` is compiled
    /// once, by YARA-X, and the rules run over the bytes of every file a scan reads (binary
    /// files of a scanned directory included) and every regular file of every image layer,
    /// including files a later layer deletes. The message names the rule (and its namespace,
    /// the file it came from) and its `description` meta; the severity is the rule's
    /// `severity` meta (`critical`, `high`, `medium`, `low`, `info`) when it has one.
    ///
    /// ## Why is this bad?
    /// Whatever the rule describes: YARA is how malware analysts and threat-intelligence feeds
    /// share what malware looks like, so their rules find what built-in signatures do not.
    ///
    /// ## Example
    /// ```text
    /// rule miner_config { strings: $a = "\"donate-level\"" condition: $a }
    /// ```
    ///
    /// Use instead: an image without the matched content.
    ///
    /// ## Fix
    /// Read the rule that matched to learn what it found, remove it from the image or tree,
    /// and find how it got there.
    ///
    /// ## References
    /// - YARA-X, <https://virustotal.github.io/yara-x/>
    pub static YARA_RULE_MATCH = {
        code: "SUP115",
        name: "yara-rule-match",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: Host,
        severity: High,
        fix: None,
        summary: "a YARA rule matches a file",
        aliases: [],
    }
}

/// One YARA rule matching one file.
#[derive(Debug, Clone)]
pub struct YaraMatch {
    /// The first matching string's place in the file (the file's start when the condition
    /// matched without strings).
    pub origin: Origin,
    /// The rule's identifier.
    pub rule: String,
    /// The rule's namespace (the rule file it came from).
    pub namespace: String,
    /// The rule's tags.
    pub tags: Vec<String>,
    /// The rule's `description` meta.
    pub description: Option<String>,
    /// The rule's `severity` meta, when it names a severity.
    pub severity: Option<Severity>,
}

pub(crate) fn check(matches: &[YaraMatch], checker: &mut Checker<'_>) {
    for found in matches {
        let tags =
            if found.tags.is_empty() { String::new() } else { format!(" [{}]", found.tags.join(", ")) };
        let description = found.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
        let finding = checker.report(
            &YARA_RULE_MATCH,
            &found.origin,
            format!("YARA rule `{}` (from `{}`){tags} matches{description}", found.rule, found.namespace),
        );
        if let Some(severity) = found.severity {
            finding.severity = severity;
        }
        finding.help =
            Some("read the rule to learn what it found, then remove it and find how it got there".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::{RuleMeta, Span};

    #[test]
    fn reports_the_rule_its_namespace_and_its_severity() {
        let settings = crate::RuleSettings::default();
        let all = |_: &RuleMeta| true;
        let mut checker = Checker::new(&settings, &all);
        let origin = Origin::new("img.tar!/layer-0/usr/bin/x".into(), Span::new(10, 20));
        let found = YaraMatch {
            origin,
            rule: "miner_config".into(),
            namespace: "miners.yar".into(),
            tags: vec!["miner".into()],
            description: Some("XMRig configuration".into()),
            severity: Some(Severity::Critical),
        };
        check(
            &[found.clone(), YaraMatch { severity: None, tags: Vec::new(), description: None, ..found }],
            &mut checker,
        );
        let findings = checker.into_findings();
        assert_eq!(
            findings[0].message,
            "YARA rule `miner_config` (from `miners.yar`) [miner] matches: XMRig configuration"
        );
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[1].message, "YARA rule `miner_config` (from `miners.yar`) matches");
        assert_eq!(findings[1].severity, YARA_RULE_MATCH.severity);
    }
}
