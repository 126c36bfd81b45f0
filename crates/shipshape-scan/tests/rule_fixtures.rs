//! Rule fixtures, in every form a rule reads: `resources/fixtures/<layer>/<CODE>.Dockerfile`
//! for image rules, `<CODE>.compose.yaml` and `<CODE>.inspect.json` (+ `.inspect.expect`) for
//! runtime and deployment rules, and optionally `<CODE>.k8s.yaml` (Kubernetes manifests).
//! Each is run through the real front end with every rule enabled,
//! then compared with its expectations both ways: every finding of the rule under test must be
//! expected and every expectation met, so a false positive fails like a miss.
//!
//! - Dockerfile: cases separated by `# ---- <name>` lines; `# expect: CODE` covers the next
//!   instruction (and comment lines between them). Safe fixes are applied and re-checked (converge, idempotent, no new parse error).
//! - Image-reference rules (every place an image is named) have a Dockerfile fixture and, when
//!   present, Compose, Kubernetes and inspect fixtures too.
//! - Settings: every fixture is judged on [`FIXTURE_TODAY`]; a `# settings: trusted-registries =
//!   a, b` comment in a file (in a Dockerfile fixture, in the case) sets the registry allowlist,
//!   `# settings: require-digest` the digest policy.
//! - Compose: `# expect: CODE` covers the next line holding YAML and the lines nested under it
//!   (the same block an inline suppression covers).
//! - Kubernetes (optional, `<CODE>.k8s.yaml`): manifests checked exactly like the Compose form,
//!   through the Kubernetes front end.
//! - Inspect: real `docker inspect` output; `.inspect.expect` lines `<container> <json.path>`
//!   name the node each finding must point at (`.` for the container object).
//! - Engine (`<CODE>.engine.yaml`, required for every engine rule): a YAML stream of cases, one
//!   document each, whose keys are the daemon's own outputs, written as YAML or JSON flow:
//!   `info` (`docker info --format '{{json .}}'`), `version` (`GET /version`), `bridge`
//!   (`GET /networks/bridge`), and `daemon` (daemon.json), lowered with `shipshape_docker::daemon`
//!   and merged as the live audit does (the daemon's reports over daemon.json; a `daemon` case's
//!   missing keys take dockerd's defaults). What only the live audit observes is written as
//!   `socket: {path, mode, owner, group}` and `endpoint: {address, tls: none|no-verify|verify}`.
//!   `# expect: CODE` works as in the Compose form; at least one case must trigger the rule and
//!   one must not.
//! - Image filesystem (`<CODE>.files`, or `<CODE>.passwd`/`.group`/`.shadow` for the account
//!   rules): the documents `shipshape image` writes for an image's files, read by the
//!   `image-files` front end; `# expect: CODE` covers the next line, and some line must be clean.

use shipshape_kube::pod_security::Policy;
use shipshape_model::fix::apply_fixes;
use shipshape_model::{Applicability, EngineConfig, Finding, FixAvailability, Layer, RuleMeta, SourceFile};
use shipshape_rules::checkers::{
    deployment_rules, engine_rules, image_files_rules, image_ref_rules, kube_object_rules, text_rules,
    vulnerability_rules, workload_rules,
};
use shipshape_rules::{ALL_RULES, RuleSettings};
use shipshape_scan::frontend::yaml_pragmas::covered_block;
use shipshape_scan::frontend::{
    ComposeFrontend, DockerfileFrontend, Frontend, FrontendContext, ImageFilesFrontend, InspectFrontend,
    KubeFrontend, LockfileFrontend, TextFrontend,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shipshape-rules/resources/fixtures");
    dir.canonicalize().unwrap_or(dir)
}

/// The day end-of-life dates in fixtures are judged against.
const FIXTURE_TODAY: &str = "2025-06-01";

/// The settings a fixture runs with: the fixed day, and `# settings:` comments in its text.
fn fixture_settings(text: &str) -> RuleSettings {
    let mut settings = RuleSettings {
        today: shipshape_workspace::Date::parse(FIXTURE_TODAY).ok(),
        ..RuleSettings::default()
    };
    for line in text.lines() {
        let Some(setting) = line.trim().strip_prefix("# settings:") else { continue };
        if let Some(("trusted-registries", list)) = setting.split_once('=').map(|(k, v)| (k.trim(), v)) {
            settings.trusted_registries = list.split(',').map(|e| e.trim().to_string()).collect();
        }
        if setting.trim() == "require-digest" {
            settings.require_digest = true;
        }
    }
    settings
}

fn run(frontend: &dyn Frontend, source: &SourceFile, rule: &RuleMeta) -> (Vec<Finding>, usize) {
    // A Pod Security rule runs when its level is asked for.
    let pod_security = shipshape_rules::pod_security::level_of(rule)
        .map(|level| Policy { level, version: shipshape_kube::pod_security::PolicyVersion::LATEST });
    let settings = RuleSettings { pod_security, ..fixture_settings(&source.text) };
    let all = |_: &RuleMeta| true;
    let context = FrontendContext {
        settings: &settings,
        is_enabled: &all,
        build_args: &[],
        env_files: &[],
        cluster: &Default::default(),
        secrets: None,
        vuln: None,
        os_packages: None,
    };
    let output = frontend.check(source, &context);
    let mut findings: Vec<Finding> =
        output.findings.into_iter().filter(|f| f.rule.code == rule.code).collect();
    for finding in &mut findings {
        finding.locate(source);
    }
    (findings, output.parse_errors)
}

/// Compares findings' start lines (in `path`) with expected (first, last) line ranges.
fn compare(
    label: &str,
    rule: &RuleMeta,
    path: &str,
    findings: &[Finding],
    expected: &[(u32, u32)],
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut met = vec![false; expected.len()];
    for finding in findings {
        if &*finding.location.path != path {
            failures.push(format!(
                "{label}: {} finding in another file {}: {}",
                rule.code, finding.location.path, finding.message
            ));
            continue;
        }
        let line = finding.location.region.start_line;
        match expected.iter().position(|(first, last)| (*first..=*last).contains(&line)) {
            Some(i) => met[i] = true,
            None => failures
                .push(format!("{label}: unexpected {} at line {line}: {}", rule.code, finding.message)),
        }
    }
    for ((first, _), ok) in expected.iter().zip(&met) {
        if !ok {
            failures.push(format!("{label}: expected {} at line {first}, got none", rule.code));
        }
    }
    failures
}

fn expects(comment: &str, code: &str) -> bool {
    comment
        .trim_start_matches('#')
        .trim()
        .strip_prefix("expect:")
        .is_some_and(|rest| rest.split(',').any(|c| c.trim() == code))
}

fn check_dockerfile(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failures = Vec::new();
    let (mut positive, mut negative) = (false, false);
    let mut cases: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("# ---- ") {
            Some(name) => cases.push((name.trim().to_string(), String::new())),
            None => {
                if cases.is_empty() {
                    cases.push(("(start)".into(), String::new()));
                }
                if let Some((_, body)) = cases.last_mut() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    for (name, body) in cases.iter().filter(|(_, b)| !b.trim().is_empty()) {
        let label = format!("{} / {name}", path.display());
        let source = SourceFile::new("fixture.Dockerfile", body.as_str());
        let dockerfile = shipshape_dockerfile::parse(body);
        let mut expected = Vec::new();
        for comment in dockerfile.comments.iter().filter(|c| expects(&c.text, rule.code)) {
            let Some(next) = dockerfile.instructions.iter().find(|i| i.span.start >= comment.span.end) else {
                failures.push(format!("{label}: `# expect` with no instruction after it"));
                continue;
            };
            // The comments between the expectation and the instruction count too (a finding
            // about a pragma comment points at that comment).
            let (first, _) = source.line_col(comment.span.end);
            let (last, _) = source.line_col(next.span.end.saturating_sub(1).max(next.span.start));
            expected.push((first + 1, last));
        }
        if expected.is_empty() {
            negative = true;
        } else {
            positive = true;
        }
        let (findings, errors) = run(&DockerfileFrontend, &source, rule);
        failures.extend(compare(&label, rule, "fixture.Dockerfile", &findings, &expected));
        failures.extend(check_fixes(rule, &label, body, &findings, errors));
    }
    if !positive || !negative {
        failures.push(format!("{}: needs at least one triggering and one clean case", path.display()));
    }
    failures
}

fn check_fixes(
    rule: &'static RuleMeta,
    label: &str,
    text: &str,
    findings: &[Finding],
    errors_before: usize,
) -> Vec<String> {
    let mut failures = Vec::new();
    if rule.fix == FixAvailability::None && findings.iter().any(|f| f.fix.is_some()) {
        failures.push(format!("{label}: {} emitted a fix but declares none", rule.code));
    }
    // Safe fixes alone (what `shipshape fix` applies), then with the unsafe ones
    // (`--unsafe-fixes`): each fixed finding goes away, nothing else changes, twice = once.
    for min in [Applicability::Safe, Applicability::Unsafe] {
        let chosen: Vec<_> =
            findings.iter().filter_map(|f| f.fix.as_ref()).filter(|f| f.applicability >= min).collect();
        let (fixed, applied) = apply_fixes(text, chosen.iter().copied(), min);
        if applied == 0 {
            continue;
        }
        let source = SourceFile::new("fixture.Dockerfile", fixed.as_str());
        let (after, errors_after) = run(&DockerfileFrontend, &source, rule);
        if errors_after > errors_before {
            failures.push(format!("{label}: the fix introduced a parse error:\n{fixed}"));
        }
        let unfixed =
            findings.iter().filter(|f| f.fix.as_ref().is_none_or(|fix| fix.applicability < min)).count();
        if after.len() != unfixed {
            failures.push(format!(
                "{label}: after {applied} {min:?} fix(es) {} finding(s) remain, expected the {unfixed} without one:\n{fixed}",
                after.len()
            ));
        }
        let left: Vec<_> =
            after.iter().filter_map(|f| f.fix.as_ref()).filter(|f| f.applicability >= min).collect();
        if !left.is_empty() {
            failures.push(format!("{label}: fixes did not converge:\n{fixed}"));
        }
        let (twice, _) = apply_fixes(&fixed, left.iter().copied(), min);
        if twice != fixed {
            failures.push(format!("{label}: applying fixes twice differs from once"));
        }
    }
    failures
}

fn check_compose(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    check_yaml(&ComposeFrontend, rule, path)
}

/// A Kubernetes fixture: the same conventions as a Compose one, through the Kubernetes front end.
fn check_k8s(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    check_yaml(&KubeFrontend, rule, path)
}

/// A YAML fixture whose `# expect: CODE` comments cover the next YAML line and its nested block.
fn check_yaml(frontend: &dyn Frontend, rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let display = path.display().to_string();
    let source = SourceFile::new(display.as_str(), text.as_str());
    let stream = shipshape_yaml::parse(&text, &shipshape_yaml::Limits::default());
    let expected: Vec<(u32, u32)> = stream
        .comments
        .iter()
        .filter(|c| expects(&c.text, rule.code))
        .map(|c| {
            let block = covered_block(&source, c.span);
            (source.line_col(block.start).0, source.line_col(block.end).0)
        })
        .collect();
    let (findings, errors) = run(frontend, &source, rule);
    let mut failures = compare(&display, rule, &display, &findings, &expected);
    if errors > 0 {
        failures.push(format!("{display}: {errors} parse error(s) in a fixture"));
    }
    if expected.is_empty() {
        failures.push(format!("{display}: no `# expect: {}` case", rule.code));
    }
    failures
}

/// The node at `path` (dot-separated keys and indices, keys may contain dots) under `node`.
fn resolve<'n>(node: &'n shipshape_yaml::Node, path: &str) -> Option<&'n shipshape_yaml::Node> {
    if path.is_empty() || path == "." {
        return Some(node);
    }
    if let Some(items) = node.as_sequence() {
        let (head, rest) = path.split_once('.').unwrap_or((path, ""));
        return resolve(items.get(head.parse::<usize>().ok()?)?, rest);
    }
    let entries = node.as_mapping()?;
    // Greedy: the longest key that prefixes the path (keys like `kernel.msgmax` or `80/tcp`).
    let mut best: Option<(&shipshape_yaml::Node, &str)> = None;
    for (key, value) in entries {
        let Some(key) = key.as_str() else { continue };
        let rest =
            if path == key { Some("") } else { path.strip_prefix(key).and_then(|r| r.strip_prefix('.')) };
        if let Some(rest) = rest
            && best.is_none_or(|(_, r)| rest.len() < r.len())
        {
            best = Some((value, rest));
        }
    }
    let (value, rest) = best?;
    resolve(value, rest)
}

fn check_inspect(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let expect_path = path.with_extension("expect");
    let Ok(expect_text) = std::fs::read_to_string(&expect_path) else {
        return vec![format!("{} has no {}", path.display(), expect_path.display())];
    };
    let display = path.display().to_string();
    let source = SourceFile::new(display.as_str(), text.as_str());
    let stream = shipshape_yaml::parse(&text, &shipshape_yaml::Limits::default());
    let Some(root) = stream.documents.first().map(|d| &d.root) else {
        return vec![format!("{display}: not JSON")];
    };
    let containers = root.as_sequence().unwrap_or_default();
    let mut failures = Vec::new();
    let mut expected = Vec::new();
    for line in expect_text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (name, json_path) = line.split_once(char::is_whitespace).unwrap_or((line, "."));
        let container = containers.iter().find(|c| {
            c.get("Name").and_then(|n| n.as_str()).map(|n| n.trim_start_matches('/')) == Some(name)
        });
        match container.and_then(|c| resolve(c, json_path.trim())) {
            Some(node) => {
                let line = source.line_col(node.span.start).0;
                expected.push((line, line));
            }
            None => failures.push(format!("{}: cannot resolve `{line}`", expect_path.display())),
        }
    }
    let (findings, errors) = run(&InspectFrontend, &source, rule);
    failures.extend(compare(&display, rule, &display, &findings, &expected));
    if errors > 0 {
        failures.push(format!("{display}: {errors} parse error(s) in a fixture"));
    }
    if expected.is_empty() {
        failures.push(format!("{}: expects no finding at all", expect_path.display()));
    }
    failures
}

/// The engine configuration one case of an engine fixture describes (see the module docs), with
/// the structural problems its lowering met.
fn lower_engine_case(case: &shipshape_yaml::Node, path: &Arc<str>) -> (EngineConfig, Vec<String>) {
    let lowered = shipshape_docker::daemon::lower_snapshot(case, path);
    (lowered.config, lowered.diagnostics.iter().map(|d| d.message.clone()).collect())
}

/// An engine fixture: each document a case (see the module docs), checked both ways.
fn check_engine_fixture(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let display = path.display().to_string();
    let source = SourceFile::new(display.as_str(), text.as_str());
    let stream = shipshape_yaml::parse(&text, &shipshape_yaml::Limits::default());
    let mut failures: Vec<String> =
        stream.errors.iter().map(|e| format!("{display}: YAML error in a fixture: {}", e.message)).collect();
    let expect_comments: Vec<&shipshape_yaml::Comment> =
        stream.comments.iter().filter(|c| expects(&c.text, rule.code)).collect();
    let expected: Vec<(u32, u32)> = expect_comments
        .iter()
        .map(|c| {
            let block = covered_block(&source, c.span);
            (source.line_col(block.start).0, source.line_col(block.end).0)
        })
        .collect();
    let path_arc: Arc<str> = Arc::from(display.as_str());
    let settings = RuleSettings::default();
    let all = |_: &RuleMeta| true;
    let mut findings = Vec::new();
    let (mut positive, mut negative) = (false, false);
    let mut previous_end = 0;
    for document in &stream.documents {
        // An expectation belongs to the case it is written in (or just before).
        let triggering = expect_comments
            .iter()
            .any(|c| c.span.start >= previous_end && c.span.start < document.span.end.max(previous_end));
        previous_end = document.span.end;
        if triggering {
            positive = true;
        } else {
            negative = true;
        }
        let (config, problems) = lower_engine_case(&document.root, &path_arc);
        failures
            .extend(problems.into_iter().map(|p| format!("{display}: lowering problem in a fixture: {p}")));
        let mut checker = shipshape_rules::Checker::new(&settings, &all);
        shipshape_rules::checkers::check_engine(&config, &mut checker);
        findings.extend(checker.into_findings().into_iter().filter(|f| f.rule.code == rule.code));
    }
    for finding in &mut findings {
        finding.locate(&source);
    }
    failures.extend(compare(&display, rule, &display, &findings, &expected));
    if !positive || !negative {
        failures.push(format!("{display}: needs at least one triggering and one clean case"));
    }
    failures
}

/// A text fixture: `# expect: CODE` lines cover the line after them; read by the text front end.
fn check_text_fixture(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let display = path.display().to_string();
    let source = SourceFile::new(display.as_str(), text.as_str());
    let expected: Vec<(u32, u32)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| expects(line, rule.code))
        .map(|(i, _)| {
            let next = u32::try_from(i + 2).unwrap_or(u32::MAX);
            (next, next)
        })
        .collect();
    let (findings, _) = run(&TextFrontend, &source, rule);
    let mut failures = compare(&display, rule, &display, &findings, &expected);
    if expected.is_empty() {
        failures.push(format!("{display}: no `# expect: {}` case", rule.code));
    }
    failures
}

/// An image filesystem fixture: a file listing or an account database, named as `shipshape image`
/// names those documents, with `# expect: CODE` lines covering the line after them.
fn check_image_files_fixture(rule: &'static RuleMeta, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let document = match path.extension().and_then(|e| e.to_str()) {
        Some(db @ ("passwd" | "group" | "shadow")) => format!("fixture!/layer-0/etc/{db}"),
        _ => "fixture!/files".to_owned(),
    };
    let source = SourceFile::new(document.as_str(), text.as_str());
    let expected: Vec<(u32, u32)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| expects(line, rule.code))
        .map(|(i, _)| {
            let next = u32::try_from(i + 2).unwrap_or(u32::MAX);
            (next, next)
        })
        .collect();
    let (findings, errors) = run(&ImageFilesFrontend, &source, rule);
    let display = path.display().to_string();
    let mut failures = compare(&display, rule, &document, &findings, &expected);
    if errors > 0 {
        failures.push(format!("{display}: {errors} unreadable line(s)"));
    }
    let content_lines = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).count();
    if expected.is_empty() || content_lines <= expected.len() {
        failures.push(format!("{display}: needs at least one triggering and one clean line"));
    }
    failures
}

/// A vulnerability fixture: `<CODE>.requirements.txt` with `# expect: CODE` lines covering the
/// line after them, matched against the OSV records of `<CODE>.osv.json` imported into a
/// temporary database.
fn check_vuln_fixture(rule: &'static RuleMeta, lockfile: &Path, records: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(lockfile).unwrap_or_else(|e| panic!("{}: {e}", lockfile.display()));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    shipshape_vulndb::import(
        dir.path(),
        &[records.to_path_buf()],
        &shipshape_vulndb::ImportOptions::default(),
        &mut shipshape_vulndb::NoProgress,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", records.display()));
    let db = shipshape_vulndb::Database::open(dir.path()).unwrap_or_else(|e| panic!("open: {e}"));
    let shared = shipshape_scan::vuln::SharedDatabase::from_database(db, Default::default());
    let display = lockfile.display().to_string();
    let source = SourceFile::new(display.as_str(), text.as_str());
    let expected: Vec<(u32, u32)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| expects(line, rule.code))
        .map(|(i, _)| {
            let next = u32::try_from(i + 2).unwrap_or(u32::MAX);
            (next, next)
        })
        .collect();
    let settings = RuleSettings::default();
    let all = |_: &RuleMeta| true;
    let context = FrontendContext {
        settings: &settings,
        is_enabled: &all,
        build_args: &[],
        env_files: &[],
        cluster: &Default::default(),
        secrets: None,
        vuln: Some(&shared),
        os_packages: None,
    };
    let output = LockfileFrontend.check(&source, &context);
    let mut findings: Vec<Finding> =
        output.findings.into_iter().filter(|f| f.rule.code == rule.code).collect();
    for finding in &mut findings {
        finding.locate(&source);
    }
    let mut failures = compare(&display, rule, &display, &findings, &expected);
    if expected.is_empty() || text.lines().count() <= expected.len() * 2 {
        failures.push(format!("{display}: needs at least one triggering and one clean case"));
    }
    failures
}

/// Rules whose input cannot be a stored fixture, tested where it is made: `SUP114` needs the
/// EICAR test file, which no file of the repository may hold (anti-malware scanners would
/// quarantine it; [`malware_test_file_is_found_only_as_the_whole_file`] builds it);
/// `SUP115` needs YARA rules and a build with the `yara` feature (`crates/shipshape/tests/yara.rs`).
const BUILT_AT_TEST_TIME: [&str; 2] = ["SUP114", "SUP115"];

#[test]
fn malware_test_file_is_found_only_as_the_whole_file() {
    let rule = shipshape_rules::rule_by_code("SUP114").expect("SUP114");
    let eicar = ["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS", "-TEST-FILE!$H+H*"].concat();
    let file = SourceFile::new("eicar.com", format!("{eicar}\r\n"));
    let (findings, _) = run(&TextFrontend, &file, rule);
    let findings: Vec<&Finding> = findings.iter().filter(|f| f.rule.code == "SUP114").collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(file.slice(findings[0].location.span), eicar);
    assert!(!findings[0].message.contains(&eicar[..20]), "{}", findings[0].message);
    for text in [format!("# the test string: {eicar}\n"), format!("{eicar}\nand more\n")] {
        let (findings, _) = run(&TextFrontend, &SourceFile::new("notes.txt", text.as_str()), rule);
        assert!(findings.iter().all(|f| f.rule.code != "SUP114"), "{findings:#?}");
    }
}

#[test]
fn every_rule_has_fixtures_and_they_hold() {
    let runtime: Vec<&str> = workload_rules().chain(deployment_rules()).map(|r| r.code).collect();
    let engine: Vec<&str> = engine_rules().map(|r| r.code).collect();
    let text: Vec<&str> = text_rules().map(|r| r.code).collect();
    let vulnerability: Vec<&str> = vulnerability_rules().map(|r| r.code).collect();
    let image_files: Vec<&str> = image_files_rules().map(|r| r.code).collect();
    let kubernetes_only: Vec<&str> =
        shipshape_rules::pod_security::rules().chain(kube_object_rules()).map(|r| r.code).collect();
    let image_references: Vec<&str> = image_ref_rules().map(|r| r.code).collect();
    let require_inspect = std::env::var_os("SHIPSHAPE_FIXTURES_ALLOW_MISSING_INSPECT").is_none();
    let mut failures = Vec::new();
    let mut checked = 0usize;
    let mut k8s_checked = 0usize;
    let mut engine_checked = 0usize;
    for rule in ALL_RULES.iter().copied().filter(|r| r.layer != Layer::General) {
        if BUILT_AT_TEST_TIME.contains(&rule.code) {
            continue;
        }
        let dir = fixtures_dir().join(rule.layer.as_str());
        let dockerfile = dir.join(format!("{}.Dockerfile", rule.code));
        let compose = dir.join(format!("{}.compose.yaml", rule.code));
        let inspect = dir.join(format!("{}.inspect.json", rule.code));
        let k8s = dir.join(format!("{}.k8s.yaml", rule.code));
        let engine_fixture = dir.join(format!("{}.engine.yaml", rule.code));
        let text_fixture = dir.join(format!("{}.text", rule.code));
        let vuln_lockfile = dir.join(format!("{}.requirements.txt", rule.code));
        let vuln_records = dir.join(format!("{}.osv.json", rule.code));
        if vulnerability.contains(&rule.code) {
            if vuln_lockfile.exists() && vuln_records.exists() {
                failures.extend(check_vuln_fixture(rule, &vuln_lockfile, &vuln_records));
                checked += 1;
            } else {
                failures.push(format!(
                    "{} has no vulnerability fixture {} with records {}",
                    rule.code,
                    vuln_lockfile.display(),
                    vuln_records.display()
                ));
            }
        } else if image_files.contains(&rule.code) {
            let found: Vec<PathBuf> = ["files", "passwd", "group", "shadow"]
                .iter()
                .map(|ext| dir.join(format!("{}.{ext}", rule.code)))
                .filter(|p| p.exists())
                .collect();
            if found.is_empty() {
                failures.push(format!("{} has no image filesystem fixture in {}", rule.code, dir.display()));
            }
            for fixture in found {
                failures.extend(check_image_files_fixture(rule, &fixture));
                checked += 1;
            }
        } else if text.contains(&rule.code) {
            if text_fixture.exists() {
                failures.extend(check_text_fixture(rule, &text_fixture));
                checked += 1;
            } else {
                failures.push(format!("{} has no text fixture {}", rule.code, text_fixture.display()));
            }
        } else if engine.contains(&rule.code) {
            if engine_fixture.exists() {
                failures.extend(check_engine_fixture(rule, &engine_fixture));
                checked += 1;
                engine_checked += 1;
            } else {
                failures.push(format!("{} has no engine fixture {}", rule.code, engine_fixture.display()));
            }
        } else if kubernetes_only.contains(&rule.code) {
            if k8s.exists() {
                failures.extend(check_k8s(rule, &k8s));
                checked += 1;
                k8s_checked += 1;
            } else {
                failures.push(format!("{} has no Kubernetes fixture {}", rule.code, k8s.display()));
            }
        } else if runtime.contains(&rule.code) {
            if k8s.exists() {
                failures.extend(check_k8s(rule, &k8s));
                checked += 1;
                k8s_checked += 1;
            }
            if compose.exists() {
                failures.extend(check_compose(rule, &compose));
                checked += 1;
            } else {
                failures.push(format!("{} has no compose fixture {}", rule.code, compose.display()));
            }
            if inspect.exists() {
                failures.extend(check_inspect(rule, &inspect));
                checked += 1;
            } else if require_inspect {
                failures.push(format!("{} has no inspect fixture {}", rule.code, inspect.display()));
            }
        } else if dockerfile.exists() {
            failures.extend(check_dockerfile(rule, &dockerfile));
            checked += 1;
            if image_references.contains(&rule.code) {
                for (path, check) in [
                    (&compose, check_compose as fn(_, &Path) -> _),
                    (&k8s, check_k8s),
                    (&inspect, check_inspect),
                ] {
                    if path.exists() {
                        failures.extend(check(rule, path));
                        checked += 1;
                        k8s_checked += usize::from(path == &k8s);
                    }
                }
            }
        } else {
            failures.push(format!("{} has no Dockerfile fixture {}", rule.code, dockerfile.display()));
        }
    }
    assert!(failures.is_empty(), "{} fixture failure(s):\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 40, "only {checked} fixtures ran");
    assert!(k8s_checked >= 34, "only {k8s_checked} Kubernetes fixtures ran");
    assert_eq!(engine_checked, engine.len(), "every engine rule has its engine fixture");
}

#[test]
fn harness_catches_false_positives_and_misses() {
    let rule = shipshape_rules::rule_by_code("IMG002").expect("IMG002");
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("IMG002.Dockerfile");
    std::fs::write(
        &bad,
        "# ---- miss\n# expect: IMG002\nFROM nginx:1.27\n# ---- false positive\nFROM nginx:latest\n",
    )
    .expect("write");
    let failures = check_dockerfile(rule, &bad);
    assert!(failures.iter().any(|f| f.contains("expected IMG002 at line 2")), "{failures:?}");
    assert!(failures.iter().any(|f| f.contains("unexpected IMG002 at line 1")), "{failures:?}");

    let rule = shipshape_rules::rule_by_code("PRV100").expect("PRV100");
    let compose = dir.path().join("PRV100.compose.yaml");
    std::fs::write(
        &compose,
        "services:\n  a:\n    image: x:1\n    # expect: PRV100\n    privileged: false\n  b:\n    image: x:1\n    privileged: true\n",
    )
    .expect("write");
    let failures = check_compose(rule, &compose);
    assert!(failures.iter().any(|f| f.contains("expected PRV100 at line 5")), "{failures:?}");
    assert!(failures.iter().any(|f| f.contains("unexpected PRV100 at line 8")), "{failures:?}");

    let k8s = dir.path().join("PRV100.k8s.yaml");
    std::fs::write(
        &k8s,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1\n      securityContext:\n        # expect: PRV100\n        privileged: false\n    - name: b\n      image: x:1\n      securityContext:\n        privileged: true\n",
    )
    .expect("write");
    let failures = check_k8s(rule, &k8s);
    assert!(failures.iter().any(|f| f.contains("expected PRV100 at line 11")), "{failures:?}");
    assert!(failures.iter().any(|f| f.contains("unexpected PRV100 at line 15")), "{failures:?}");

    let rule = shipshape_rules::rule_by_code("NET401").expect("NET401");
    let engine = dir.path().join("NET401.engine.yaml");
    std::fs::write(&engine, "daemon:\n  # expect: NET401\n  icc: false\n---\ndaemon:\n  icc: true\n")
        .expect("write");
    let failures = check_engine_fixture(rule, &engine);
    assert!(failures.iter().any(|f| f.contains("expected NET401 at line 3")), "{failures:?}");
    assert!(failures.iter().any(|f| f.contains("unexpected NET401 at line 6")), "{failures:?}");
    std::fs::write(&engine, "daemon:\n  # expect: NET401\n  icc: true\n").expect("write");
    let failures = check_engine_fixture(rule, &engine);
    assert!(failures.iter().any(|f| f.contains("one clean case")), "{failures:?}");
}
