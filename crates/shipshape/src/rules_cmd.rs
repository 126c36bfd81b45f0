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
    let upper = code.to_ascii_uppercase();
    ALL_RULES
        .iter()
        .map(|r| (edit_distance(&upper, r.code), r.code))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push((previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}
