//! `shipshape rules` and `shipshape rule CODE`.

use crate::args::RulesFormat;
use anyhow::{Result, bail};
use shipshape_rules::{ALL_RULES, docs};
use std::io::Write;

pub(crate) fn list(format: RulesFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        RulesFormat::Human => {
            writeln!(
                out,
                "{:<8} {:<28} {:<16} {:<9} {:<4} aliases",
                "code", "name", "layer", "severity", "fix"
            )?;
            for rule in ALL_RULES {
                let aliases: Vec<String> =
                    rule.aliases.iter().map(|a| format!("{}:{}", a.tool, a.id)).collect();
                let fix = if rule.fix == shipshape_model::FixAvailability::None { "" } else { "yes" };
                writeln!(
                    out,
                    "{:<8} {:<28} {:<16} {:<9} {:<4} {}",
                    rule.code,
                    rule.name,
                    rule.layer.as_str(),
                    rule.severity.as_str(),
                    fix,
                    aliases.join(" ")
                )?;
            }
        }
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, ALL_RULES)?;
            writeln!(out)?;
        }
        RulesFormat::Markdown => out.write_all(docs::rules_index_markdown(ALL_RULES).as_bytes())?,
    }
    Ok(())
}

pub(crate) fn show(code: &str, out: &mut dyn Write) -> Result<()> {
    let matches: Vec<_> = shipshape_rules::codes::rules_named(code).collect();
    if matches.is_empty() {
        let suggestion = nearest_code(code).map(|c| format!(" (did you mean {c}?)")).unwrap_or_default();
        bail!("no rule named `{code}`{suggestion}; `shipshape rules` lists them");
    }
    for (i, rule) in matches.iter().enumerate() {
        if i > 0 {
            writeln!(out, "\n---\n")?;
        }
        out.write_all(docs::rule_markdown(rule).as_bytes())?;
    }
    Ok(())
}

fn nearest_code(code: &str) -> Option<&'static str> {
    shipshape_workspace::nearest(code, ALL_RULES.iter().map(|r| r.code))
}
