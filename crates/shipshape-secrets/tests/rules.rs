//! Every built-in rule against its own must-match and must-not-match vectors.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use shipshape_secrets::vectors::expand;
use shipshape_secrets::{BUILTIN_RULES, Detector, DetectorConfig};

fn detector() -> Detector {
    Detector::new(DetectorConfig::default()).unwrap()
}

#[test]
fn table_is_well_formed() {
    assert!(BUILTIN_RULES.len() >= 100, "only {} rules", BUILTIN_RULES.len());
    let mut ids = HashSet::new();
    for r in BUILTIN_RULES {
        assert!(ids.insert(r.id), "duplicate id {}", r.id);
        assert!(
            r.id.split('-')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{} is not kebab-case",
            r.id
        );
        assert!(!r.title.is_empty(), "{}", r.id);
        assert!(!r.keywords.is_empty(), "{} has no keyword", r.id);
        for k in r.keywords {
            assert_eq!(*k, k.to_ascii_lowercase(), "{}: keyword {k:?} must be lower-case", r.id);
        }
        assert!(!r.must_match.is_empty(), "{} has no must-match vector", r.id);
        assert!(!r.must_not_match.is_empty(), "{} has no must-not-match vector", r.id);
    }
    // All regexes compile (a failure names the rule).
    detector();
}

#[test]
fn must_match_vectors() {
    let d = detector();
    let mut failures = Vec::new();
    for (ri, rule) in BUILTIN_RULES.iter().enumerate() {
        for (vi, template) in rule.must_match.iter().enumerate() {
            let e = expand(template, (ri * 100 + vi) as u64);
            let found = d.scan(e.text.as_bytes());
            let hit = found.iter().find(|m| m.rule.id() == rule.id);
            match hit {
                None => failures.push(format!(
                    "{}: vector {vi} not matched: {:?}; found {:?}",
                    rule.id,
                    e.text,
                    found.iter().map(|m| m.rule.id().to_string()).collect::<Vec<_>>()
                )),
                Some(m) => {
                    if let Some(want) = &e.secret
                        && *want != m.span
                    {
                        failures.push(format!(
                            "{}: vector {vi}: span {:?} ({:?}), expected {:?} ({:?})",
                            rule.id,
                            m.span,
                            &e.text.get(m.span.clone()),
                            want,
                            &e.text.get(want.clone())
                        ));
                    }
                    if m.is_example {
                        failures
                            .push(format!("{}: vector {vi} flagged as an example: {:?}", rule.id, e.text));
                    }
                    let secret = &e.text.as_bytes()[m.span.clone()];
                    if secret.len() >= 4 && m.redacted.as_bytes().windows(secret.len()).any(|w| w == secret) {
                        failures.push(format!("{}: redaction shows the secret", rule.id));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn must_not_match_vectors() {
    let d = detector();
    let mut failures = Vec::new();
    for (ri, rule) in BUILTIN_RULES.iter().enumerate() {
        for (vi, template) in rule.must_not_match.iter().enumerate() {
            let e = expand(template, (ri * 100 + 50 + vi) as u64);
            let found = d.scan(e.text.as_bytes());
            if let Some(m) = found.iter().find(|m| m.rule.id() == rule.id && !m.is_example) {
                failures
                    .push(format!("{}: must-not vector {vi} matched {:?} in {:?}", rule.id, m.span, e.text));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn vectors_survive_streaming_and_surrounding_text() {
    // Each must-match vector embedded in a larger text, read through the streaming scanner in
    // small reads, is found at the right absolute offset and line.
    let d = detector();
    for (ri, rule) in BUILTIN_RULES.iter().enumerate() {
        let e = expand(rule.must_match[0], (ri * 100) as u64);
        let prefix = "// some unrelated code\nfn main() {}\n\n";
        let text = format!("{prefix}{}\n# trailer\n", e.text);
        let direct: Vec<_> = d.scan(text.as_bytes()).into_iter().filter(|m| m.rule.id() == rule.id).collect();
        assert!(!direct.is_empty(), "{} lost in context", rule.id);
        let streamed: Vec<_> = d
            .scan_reader(std::io::Cursor::new(text.as_bytes()))
            .unwrap()
            .into_iter()
            .filter(|m| m.rule.id() == rule.id)
            .collect();
        assert_eq!(direct, streamed, "{}", rule.id);
        if let Some(want) = &e.secret {
            assert_eq!(direct[0].span.start, prefix.len() + want.start, "{}", rule.id);
            assert_eq!(direct[0].line, 4 + e.text[..want.start].matches('\n').count(), "{}", rule.id);
        }
    }
}
