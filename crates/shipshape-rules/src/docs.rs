//! Rule documentation, generated from each rule's doc comment and metadata.
//!
//! `shipshape rule CODE` prints [`rule_markdown`]; `docs/rules.md` is [`rules_index_markdown`] and
//! a test keeps the committed file equal to it (`SHIPSHAPE_UPDATE_DOCS=1 cargo test` rewrites it).

use shipshape_model::{RuleMeta, rule::FixAvailability};
use std::fmt::Write as _;

/// Sections every rule's documentation must have, in this order.
pub const REQUIRED_SECTIONS: [&str; 3] = ["## What it does", "## Why is this bad?", "## Example"];

/// The doc comment as markdown: the one leading space of each `///` line removed.
pub fn doc_text(rule: &RuleMeta) -> String {
    let mut out = String::with_capacity(rule.doc.len());
    for line in rule.doc.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out
}

fn fix_text(rule: &RuleMeta) -> &'static str {
    match rule.fix {
        FixAvailability::None => "no",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::Always => "always",
    }
}

/// Full documentation of one rule: header, metadata table, the doc comment, aliases.
pub fn rule_markdown(rule: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {}\n", rule.code, rule.name);
    let _ = writeln!(out, "{}\n", capitalise(rule.summary));
    let _ = writeln!(out, "| layer | threat | protects | default severity | automatic fix |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| {} (`{}`) | {} | {} | {} | {} |\n",
        rule.layer,
        rule.layer.prefix(),
        rule.threat,
        rule.asset,
        rule.severity,
        fix_text(rule)
    );
    out.push_str(&doc_text(rule));
    if !rule.aliases.is_empty() {
        out.push_str("\n## Aliases\n");
        for alias in rule.aliases {
            let _ = writeln!(out, "- {}: `{}`", alias.tool, alias.id);
        }
    }
    out
}

/// `docs/rules.md`: an index table, then every rule's documentation.
pub fn rules_index_markdown(rules: &[&RuleMeta]) -> String {
    let mut out = String::from(
        "# shipshape rules\n\n<!-- Generated from the rules' doc comments by `SHIPSHAPE_UPDATE_DOCS=1 cargo test -p shipshape-rules`; do not edit. -->\n\n",
    );
    out.push_str("| code | name | layer | severity | fix | aliases |\n|---|---|---|---|---|---|\n");
    for rule in rules {
        let aliases: Vec<String> = rule.aliases.iter().map(|a| format!("{} `{}`", a.tool, a.id)).collect();
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | {name} | {layer} | {severity} | {fix} | {aliases} |",
            code = rule.code,
            anchor = format!("{}-{}", rule.code, rule.name).to_ascii_lowercase(),
            name = rule.name,
            layer = rule.layer,
            severity = rule.severity,
            fix = fix_text(rule),
            aliases = aliases.join(", ")
        );
    }
    for rule in rules {
        out.push('\n');
        out.push_str(&rule_markdown(rule).replacen("# ", "## ", 1).replace("\n## ", "\n### "));
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ALL_RULES;

    #[test]
    fn every_rule_documents_the_required_sections_in_order() {
        for rule in ALL_RULES {
            let text = doc_text(rule);
            let mut last = 0;
            for section in REQUIRED_SECTIONS {
                let at = text.find(section).unwrap_or_else(|| panic!("{} lacks `{section}`", rule.code));
                assert!(at >= last, "{}: `{section}` out of order", rule.code);
                last = at;
            }
            assert!(text.contains("## Fix"), "{} lacks a `## Fix` or `## Fix safety` section", rule.code);
            if rule.fix != FixAvailability::None {
                assert!(
                    text.contains("## Fix safety"),
                    "{} can fix, so it must explain `## Fix safety`",
                    rule.code
                );
            }
        }
    }

    #[test]
    fn docs_rules_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
        let expected = rules_index_markdown(ALL_RULES);
        if std::env::var_os("SHIPSHAPE_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &expected).expect("write docs/rules.md");
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/rules.md is stale: run `SHIPSHAPE_UPDATE_DOCS=1 cargo test -p shipshape-rules docs`"
        );
    }

    #[test]
    fn rule_markdown_has_header_and_aliases() {
        let text = rule_markdown(crate::rule_by_code("PRV001").expect("PRV001 exists"));
        assert!(text.starts_with("# PRV001 root-user\n"));
        assert!(text.contains("- hadolint: `DL3002`"));
    }
}
