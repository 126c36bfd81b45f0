//! Fixture tests: every rule has `resources/fixtures/<layer>/<CODE>.Dockerfile` holding cases
//! separated by `# ---- <case name>` lines. A `# expect: CODE` comment marks the next instruction
//! as one that must produce that finding; every finding of the rule under test must be expected
//! and every expectation met, so a false positive fails like a miss. Safe fixes are applied and
//! the result re-checked: it must parse as cleanly as before, lose the fixed findings, and be a
//! fixed point.

use shipshape_model::fix::apply_fixes;
use shipshape_model::{Applicability, Finding, RuleMeta, SourceFile};
use shipshape_rules::ALL_RULES;
use shipshape_rules::checkers::check_image_spec_all;
use std::path::{Path, PathBuf};

struct Case {
    name: String,
    text: String,
    /// 1-based line numbers (within the case) of instructions expected to trigger the rule.
    expected_lines: Vec<u32>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/fixtures")
}

fn split_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut name = String::from("(start)");
    let mut body = String::new();
    for line in text.lines() {
        if let Some(next) = line.strip_prefix("# ---- ") {
            if !body.trim().is_empty() {
                cases.push(make_case(std::mem::take(&mut name), std::mem::take(&mut body)));
            }
            name = next.trim().to_string();
            body.clear();
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    if !body.trim().is_empty() {
        cases.push(make_case(name, body));
    }
    cases
}

fn make_case(name: String, text: String) -> Case {
    Case { name, text, expected_lines: Vec::new() }
}

fn run_rule(text: &str, rule: &RuleMeta) -> (Vec<Finding>, usize) {
    let dockerfile = shipshape_dockerfile::parse(text);
    let errors = dockerfile.diagnostics.len();
    let spec = shipshape_dockerfile::lower(&dockerfile, "fixture".into(), &[]);
    let source = SourceFile::new("fixture", text);
    let mut findings: Vec<Finding> =
        check_image_spec_all(&spec).into_iter().filter(|f| f.rule.code == rule.code).collect();
    for f in &mut findings {
        f.locate(&source);
    }
    (findings, errors)
}

/// Lines of instructions preceded by `# expect: CODE`, resolved through the parser so an
/// expectation covers a whole multi-line instruction.
fn expectations(case: &mut Case, code: &str) -> Vec<(u32, u32)> {
    let dockerfile = shipshape_dockerfile::parse(&case.text);
    let source = SourceFile::new("fixture", case.text.as_str());
    let mut ranges = Vec::new();
    for comment in &dockerfile.comments {
        let Some(rest) = comment.text.trim_start_matches('#').trim().strip_prefix("expect:") else { continue };
        if !rest.split(',').any(|c| c.trim() == code) {
            continue;
        }
        let next = dockerfile.instructions.iter().find(|i| i.span.start >= comment.span.end);
        let Some(instruction) = next else { panic!("{}: `# expect` with no instruction after it", case.name) };
        let (start, _) = source.line_col(instruction.span.start);
        let (end, _) = source.line_col(instruction.span.end.saturating_sub(1).max(instruction.span.start));
        case.expected_lines.push(start);
        ranges.push((start, end));
    }
    ranges
}

fn check_fixture(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut cases = split_cases(&text);
    let mut saw_positive = false;
    let mut saw_negative = false;
    for case in &mut cases {
        let expected = expectations(case, rule.code);
        let (findings, errors) = run_rule(&case.text, rule);
        if expected.is_empty() {
            saw_negative = true;
        } else {
            saw_positive = true;
        }
        let mut met = vec![false; expected.len()];
        for finding in &findings {
            let line = finding.location.region.start_line;
            match expected.iter().position(|(start, end)| (*start..=*end).contains(&line)) {
                Some(i) => met[i] = true,
                None => failures.push(format!(
                    "{} / {}: unexpected {} at line {line}: {}",
                    path.display(),
                    case.name,
                    rule.code,
                    finding.message
                )),
            }
        }
        for ((start, _), ok) in expected.iter().zip(&met) {
            if !ok {
                failures.push(format!("{} / {}: expected {} at line {start}, got none", path.display(), case.name, rule.code));
            }
        }
        failures.extend(check_fixes(rule, &case.name, &case.text, &findings, errors));
    }
    if !saw_positive || !saw_negative {
        failures.push(format!("{}: needs at least one triggering and one clean case", path.display()));
    }
    failures
}

fn check_fixes(rule: &'static RuleMeta, case: &str, text: &str, findings: &[Finding], errors_before: usize) -> Vec<String> {
    let mut failures = Vec::new();
    let fixes: Vec<_> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
    if fixes.is_empty() {
        return failures;
    }
    if rule.fix == shipshape_model::FixAvailability::None {
        failures.push(format!("{case}: {} emitted a fix but declares none", rule.code));
    }
    let (fixed, applied) = apply_fixes(text, fixes.iter().copied(), Applicability::Safe);
    if applied == 0 {
        return failures;
    }
    let (after, errors_after) = run_rule(&fixed, rule);
    if errors_after > errors_before {
        failures.push(format!("{case}: fix introduced a parse error:\n{fixed}"));
    }
    let still_fixable = after.iter().filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability == Applicability::Safe)).count();
    if still_fixable > 0 {
        failures.push(format!("{case}: fixes did not converge; {still_fixable} safe fix(es) left after applying:\n{fixed}"));
    }
    let after_fixes: Vec<_> = after.iter().filter_map(|f| f.fix.as_ref()).collect();
    let (twice, _) = apply_fixes(&fixed, after_fixes.iter().copied(), Applicability::Safe);
    if twice != fixed {
        failures.push(format!("{case}: applying fixes twice differs from once"));
    }
    failures
}

#[test]
fn every_rule_fixture() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in ALL_RULES.iter().copied().filter(|r| r.layer != shipshape_model::Layer::General) {
        let dir = fixtures_dir().join(rule.layer.as_str());
        let path = dir.join(format!("{}.Dockerfile", rule.code));
        if !path.exists() {
            failures.push(format!("{} has no fixture at {}", rule.code, path.display()));
            continue;
        }
        failures.extend(check_fixture(rule, &path));
        checked += 1;
    }
    assert!(failures.is_empty(), "{} fixture failure(s):\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 6, "only {checked} rule fixtures ran");
}

#[test]
fn harness_catches_false_positives_and_misses() {
    let rule = shipshape_rules::rule_by_code("IMG002").expect("IMG002");
    let dir = tempfile_dir();
    let bad = dir.join("IMG002.Dockerfile");
    std::fs::write(&bad, "# ---- miss\n# expect: IMG002\nFROM nginx:1.27\n# ---- false positive\nFROM nginx:latest\n").expect("write");
    let failures = check_fixture(rule, &bad);
    assert!(failures.iter().any(|f| f.contains("expected IMG002 at line 2")), "{failures:?}");
    assert!(failures.iter().any(|f| f.contains("unexpected IMG002 at line 1")), "{failures:?}");
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shipshape-fixture-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
