//! Every renderer on the shared fixture: snapshots, schema validation, XML well-formedness,
//! redaction, and the edge cases of source frames.

mod common;

use common::{SECRET, enabled_rules, fixture};
use serde_json::Value;
use shipshape_model::{Finding, Origin, ScanTarget, Severity, SourceFile, Span, TargetStatus};
use shipshape_report::{Format, HumanOptions, NoSources, Report, render};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn rendered(format: Format, report: &Report<'_>, options: &HumanOptions) -> String {
    let mut out = Vec::new();
    render(format, report, options, &mut out).expect("rendering to a Vec cannot fail");
    String::from_utf8(out).expect("renderers write UTF-8")
}

fn plain() -> HumanOptions {
    HumanOptions::default()
}

/// The fixture report as the binary would build it: with `--fail-on high` and the enabled rules.
fn fixture_output(format: Format) -> String {
    let fixture = fixture();
    let rules = enabled_rules();
    let report = fixture.report().with_fail_on(Some(Severity::High)).with_rules(&rules);
    rendered(format, &report, &plain())
}

// ---------------------------------------------------------------------------------------------
// Snapshots: one shared set of findings through every format.

#[test]
fn snapshot_human() {
    insta::assert_snapshot!("human", fixture_output(Format::Human));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!("json", fixture_output(Format::Json));
}

#[test]
fn snapshot_sarif() {
    insta::assert_snapshot!("sarif", fixture_output(Format::Sarif));
}

#[test]
fn snapshot_junit() {
    insta::assert_snapshot!("junit", fixture_output(Format::Junit));
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!("github", fixture_output(Format::Github));
}

#[test]
fn snapshot_checkstyle() {
    insta::assert_snapshot!("checkstyle", fixture_output(Format::Checkstyle));
}

#[test]
fn snapshot_human_without_frames_or_sources() {
    let fixture = fixture();
    let report = Report::new("0.1.0", &fixture.findings, &fixture.targets, &NoSources);
    insta::assert_snapshot!("human_no_sources", rendered(Format::Human, &report, &plain()));
}

#[test]
fn snapshot_empty_report() {
    let report = Report::new("0.1.0", &[], &[], &NoSources).with_timestamp(Some(0));
    let all: String = Format::ALL
        .into_iter()
        .map(|format| format!("===== {format}\n{}", rendered(format, &report, &plain())))
        .collect();
    insta::assert_snapshot!("empty", all);
}

// ---------------------------------------------------------------------------------------------
// Schemas.

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("output is JSON")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} is not valid:\n{}", errors.join("\n"));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema = json(include_str!("data/sarif-schema-2.1.0.json"));
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn json_validator() -> jsonschema::Validator {
    let schema = json(include_str!("../../../docs/json-schema.json"));
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("our schema compiles")
}

#[test]
fn sarif_is_valid_against_the_oasis_schema() {
    let validator = sarif_validator();
    assert_valid(&validator, &json(&fixture_output(Format::Sarif)), "fixture SARIF");
    let empty = rendered(Format::Sarif, &Report::new("0.1.0", &[], &[], &NoSources), &plain());
    assert_valid(&validator, &json(&empty), "empty SARIF");
    let odd = odd_fixture();
    assert_valid(&validator, &json(&rendered(Format::Sarif, &odd.report(), &plain())), "odd SARIF");
}

#[test]
fn sarif_schema_rejects_a_broken_log() {
    // Guards against a validator that accepts anything.
    let validator = sarif_validator();
    let mut log = json(&fixture_output(Format::Sarif));
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = Value::from("error");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert!(!validator.is_valid(&log));
}

#[test]
fn sarif_meets_github_code_scanning_requirements() {
    let log = json(&fixture_output(Format::Sarif));
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().is_some_and(|s| s.ends_with("sarif-schema-2.1.0.json")));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "shipshape");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap_or("")).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "rules are unique and sorted by id");
    for rule in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            let text = rule[key]["text"].as_str().unwrap_or("");
            assert!(!text.is_empty(), "{key}.text of {}", rule["id"]);
            assert!(key == "help" || text.chars().count() <= 1024);
        }
        assert!(rule["help"]["markdown"].as_str().is_some_and(|m| m.starts_with("## What it does")));
        let score: f64 =
            rule["properties"]["security-severity"].as_str().and_then(|s| s.parse().ok()).expect("score");
        assert!(score > 0.0 && score <= 10.0);
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.iter().any(|t| t == "security"));
        assert!(matches!(rule["defaultConfiguration"]["level"].as_str(), Some("error" | "warning" | "note")));
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 7);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(!result["message"]["text"].as_str().unwrap_or("").is_empty());
        let locations = result["locations"].as_array().expect("locations");
        assert!(!locations.is_empty() && locations.len() <= 10);
        let physical = &locations[0]["physicalLocation"];
        assert!(!physical["artifactLocation"]["uri"].as_str().unwrap_or("").is_empty());
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(physical["region"][key].as_u64().is_some_and(|n| n >= 1), "region.{key}");
        }
        assert!(result["partialFingerprints"].as_object().is_some_and(|f| !f.is_empty()));
    }
    // The related location and the fixes survive.
    let root = results.iter().find(|r| r["ruleId"] == "PRV001").expect("PRV001");
    assert_eq!(root["relatedLocations"][0]["region"], Value::Null);
    assert_eq!(root["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 2);
    assert_eq!(root["fixes"][0]["properties"]["applicability"], "unsafe");
    let notifications = &run["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "secrets/.env"
    );
}

#[test]
fn json_is_valid_against_its_documented_schema() {
    let validator = json_validator();
    assert_valid(&validator, &json(&fixture_output(Format::Json)), "fixture JSON");
    let empty = rendered(Format::Json, &Report::new("0.1.0", &[], &[], &NoSources), &plain());
    assert_valid(&validator, &json(&empty), "empty JSON");
    let odd = odd_fixture();
    assert_valid(&validator, &json(&rendered(Format::Json, &odd.report(), &plain())), "odd JSON");
}

#[test]
fn json_schema_rejects_a_wrong_document() {
    let validator = json_validator();
    let mut doc = json(&fixture_output(Format::Json));
    doc["findings"][0]["severity"] = Value::from("urgent");
    assert!(!validator.is_valid(&doc));
}

#[test]
fn json_summary_adds_up() {
    let doc = json(&fixture_output(Format::Json));
    let findings = doc["findings"].as_array().expect("findings");
    let summary = &doc["summary"];
    assert_eq!(summary["findings"].as_u64(), Some(findings.len() as u64));
    let by_severity: u64 =
        summary["by_severity"].as_object().expect("map").values().filter_map(Value::as_u64).sum();
    let by_layer: u64 =
        summary["by_layer"].as_object().expect("map").values().filter_map(Value::as_u64).sum();
    assert_eq!(by_severity, findings.len() as u64);
    assert_eq!(by_layer, findings.len() as u64);
    assert_eq!(summary["fail_on"], "high");
    assert_eq!(summary["failed"], true);
    assert_eq!(summary["targets"]["scanned"], 3);
    assert_eq!(doc["targets"][2]["parsed"], false);
    // Every field of a finding is there.
    let root = findings.iter().find(|f| f["code"] == "PRV001").expect("PRV001");
    assert_eq!(root["location"]["region"]["start_line"], 10);
    assert_eq!(root["related"][0]["location"]["region"]["start_line"], 2);
    assert_eq!(root["fix"]["applicability"], "unsafe");
    assert_eq!(root["aliases"][0], serde_json::json!({"tool": "hadolint", "id": "DL3002"}));
    let unreadable = findings.iter().find(|f| f["code"] == "GEN004").expect("GEN004");
    assert_eq!(unreadable["location"]["region"], Value::Null);
}

// ---------------------------------------------------------------------------------------------
// XML.

/// Parses `xml` completely, checking nesting, attribute and text escapes, one root element, and
/// that no character outside XML 1.0's `Char` production appears.
fn assert_well_formed(xml: &str) {
    use quick_xml::events::Event;
    for c in xml.chars() {
        let ok =
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
        assert!(ok, "character U+{:04X} is not allowed in XML 1.0", c as u32);
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                roots += usize::from(depth == 0);
                depth += 1;
                for attr in e.attributes() {
                    attr.expect("attribute")
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("attribute escapes");
                }
            }
            Ok(Event::Empty(e)) => {
                roots += usize::from(depth == 0);
                for attr in e.attributes() {
                    attr.expect("attribute")
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("attribute escapes");
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::GeneralRef(r)) => {
                if r.is_char_ref() {
                    assert!(r.resolve_char_ref().expect("character reference").is_some());
                } else {
                    let name = r.xml10_content();
                    assert!(
                        matches!(&*name, "amp" | "lt" | "gt" | "quot" | "apos"),
                        "unknown entity &{name};"
                    );
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}\n{xml}", reader.error_position()),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    assert_eq!(roots, 1, "exactly one root element");
}

#[test]
fn junit_and_checkstyle_are_well_formed() {
    for format in [Format::Junit, Format::Checkstyle] {
        assert_well_formed(&fixture_output(format));
        let odd = odd_fixture();
        assert_well_formed(&rendered(format, &odd.report(), &plain()));
        assert_well_formed(&rendered(format, &Report::new("0.1.0", &[], &[], &NoSources), &plain()));
    }
}

#[test]
fn junit_counts_and_clean_targets() {
    let xml = fixture_output(Format::Junit);
    assert!(xml.contains(r#"<testsuites name="shipshape" tests="8" failures="7" errors="0">"#), "{xml}");
    assert!(xml.contains(r#"<testcase name="no findings" classname="compose.yaml" file="compose.yaml"/>"#));
    // An unreadable target without a finding is an error case.
    let odd = odd_fixture();
    let xml = rendered(Format::Junit, &odd.report(), &plain());
    assert!(
        xml.contains(
            r#"<error type="unreadable" message="is a directory &lt;loop&gt; &amp; &quot;more&quot;"/>"#
        ),
        "{xml}"
    );
}

// ---------------------------------------------------------------------------------------------
// Secrets.

/// Pieces of the secret that must never appear: every 8-character window.
fn assert_no_secret(output: &str, secret: &str, what: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for window in chars.windows(8) {
        let piece: String = window.iter().collect();
        assert!(!output.contains(&piece), "{what} shows `{piece}` of the secret:\n{output}");
    }
}

#[test]
fn secrets_are_redacted_in_every_format() {
    let fixture = fixture();
    let report = fixture.report();
    for format in Format::ALL {
        let output = rendered(format, &report, &plain());
        assert_no_secret(&output, SECRET, format.as_str());
        let colored = rendered(format, &report, &HumanOptions { color: true, ..plain() });
        assert_no_secret(&colored, SECRET, format.as_str());
    }
    // The frame shows the redaction where the secret was, underlined.
    let human = rendered(Format::Human, &report, &plain());
    let redacted = shipshape_model::redact(SECRET);
    assert!(human.contains(&format!("ENV AWS_SECRET_ACCESS_KEY={redacted}")), "{human}");
    assert!(
        human.contains(&format!("{}{}", " ".repeat(26), "^".repeat(redacted.chars().count()))),
        "{human}"
    );
}

/// A private key over several lines, echoed in the message, and a related location that shows
/// the same lines.
fn multi_line_secret() -> (Vec<Finding>, HashMap<Arc<str>, SourceFile>, String) {
    let key_body: String =
        (0..12).map(|i| format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC{i:02}xyz\n")).collect();
    let secret = format!("-----BEGIN PRIVATE KEY-----\n{key_body}-----END PRIVATE KEY-----");
    let text = format!("FROM alpine\nRUN echo '{secret}' > /key.pem\nUSER app\n");
    let path: Arc<str> = Arc::from("Dockerfile.key");
    let source = SourceFile::new(path.clone(), text.as_str());
    let start = text.find("-----BEGIN").expect("key");
    let span = Span::from_range(start..start + secret.len());
    let run = Span::from_range(text.find("RUN").expect("RUN")..text.find(" > /key.pem").expect("end"));
    let mut finding = Finding::new(
        &common::SECRET_IN_ENV,
        &Origin::new(path.clone(), span),
        format!("private key in RUN: {secret}"),
    )
    .with_related(
        &Origin::new(path.clone(), run),
        format!("written by this RUN ({})", secret.lines().nth(3).unwrap_or("")),
    );
    finding.locate(&source);
    let mut sources = HashMap::new();
    sources.insert(path, source);
    (vec![finding], sources, secret)
}

#[test]
fn multi_line_secrets_are_redacted_in_every_format() {
    let (findings, sources, secret) = multi_line_secret();
    let report = Report::new("0.1.0", &findings, &[], &sources);
    for format in Format::ALL {
        for options in [plain(), HumanOptions { max_frame_lines: 100, ..plain() }] {
            let output = rendered(format, &report, &options);
            for line in secret.lines().skip(1) {
                assert_no_secret(&output, line, format.as_str());
            }
        }
    }
}

#[test]
fn secrets_in_long_lines_are_redacted() {
    let secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    let text = format!("ENV A=\"{}{secret}{}\"\n", "x".repeat(5000), "y".repeat(5000));
    let path: Arc<str> = Arc::from("Dockerfile");
    let source = SourceFile::new(path.clone(), text.as_str());
    let start = text.find(secret).expect("secret");
    let mut finding = Finding::new(
        &common::SECRET_IN_ENV,
        &Origin::new(path.clone(), Span::from_range(start..start + secret.len())),
        "token",
    );
    finding.locate(&source);
    let sources = vec![source];
    let findings = vec![finding];
    let report = Report::new("0.1.0", &findings, &[], &sources);
    for format in Format::ALL {
        assert_no_secret(&rendered(format, &report, &plain()), secret, format.as_str());
    }
}

// ---------------------------------------------------------------------------------------------
// Human frames.

#[test]
fn colour_only_when_asked() {
    let fixture = fixture();
    let report = fixture.report();
    assert!(!rendered(Format::Human, &report, &plain()).contains('\u{1b}'));
    let colored = rendered(Format::Human, &report, &HumanOptions { color: true, ..plain() });
    assert!(colored.contains("\u{1b}[1;35mcritical[SUP002]\u{1b}[0m"), "{colored}");
    for format in [Format::Json, Format::Sarif, Format::Junit, Format::Github, Format::Checkstyle] {
        assert!(!rendered(format, &report, &HumanOptions { color: true, ..plain() }).contains('\u{1b}'));
    }
}

#[test]
fn tall_spans_are_elided() {
    let text: String = (1..=40).map(|i| format!("RUN step {i} && \\\n")).collect::<String>() + "    true\n";
    let path: Arc<str> = Arc::from("Dockerfile");
    let source = SourceFile::new(path.clone(), text.as_str());
    let mut finding = Finding::new(
        &common::CURL_PIPE_SHELL,
        &Origin::new(path, Span::from_range(0..text.len() - 1)),
        "tall",
    );
    finding.locate(&source);
    let sources = vec![source];
    let findings = vec![finding];
    let report = Report::new("0.1.0", &findings, &[], &sources);
    let output = rendered(Format::Human, &report, &HumanOptions { summary: false, ..plain() });
    insta::assert_snapshot!("human_tall_span", output);
}

#[test]
fn a_huge_single_line_file_is_never_printed_whole() {
    const SIZE: usize = 32 << 20;
    let mut text = String::with_capacity(SIZE + 64);
    text.push_str("ENV BLOB=");
    text.extend(std::iter::repeat_n('a', SIZE / 2));
    let start = text.len();
    text.push_str("USER root");
    text.extend(std::iter::repeat_n('b', SIZE / 2));
    let path: Arc<str> = Arc::from("huge");
    let source = SourceFile::new(path.clone(), text);
    let mut finding =
        Finding::new(&common::ROOT_USER, &Origin::new(path, Span::from_range(start..start + 9)), "root");
    finding.locate(&source);
    let sources = vec![source];
    let findings = vec![finding];
    let report = Report::new("0.1.0", &findings, &[], &sources);
    let started = Instant::now();
    let output = rendered(Format::Human, &report, &HumanOptions { summary: false, ..plain() });
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert!(output.len() < 1024, "{} bytes", output.len());
    let line = output.lines().find(|l| l.contains("USER root")).expect("frame line");
    let marks = output.lines().find(|l| l.contains('^')).expect("marks");
    assert_eq!(
        line.find("USER").map(|i| line[..i].chars().count()),
        marks.find('^').map(|i| marks[..i].chars().count())
    );
    assert!(line.trim_end().ends_with('…') && line.contains("| …"), "{line}");
}

#[test]
fn frames_survive_spans_outside_the_text_and_stale_regions() {
    let path: Arc<str> = Arc::from("Dockerfile");
    let source = SourceFile::new(path.clone(), "FROM a\n");
    let mut finding =
        Finding::new(&common::ROOT_USER, &Origin::new(path.clone(), Span::new(3, 999)), "past the end");
    finding.locate(&source);
    let mut inverted =
        Finding::new(&common::ROOT_USER, &Origin::new(path.clone(), Span::new(5, 2)), "inverted");
    inverted.locate(&source);
    let mut mid_char = Finding::new(&common::ROOT_USER, &Origin::new(path, Span::new(1, 2)), "ok");
    mid_char.locate(&source);
    let sources = vec![source];
    let findings = vec![finding, inverted, mid_char];
    let report = Report::new("0.1.0", &findings, &[], &sources);
    for format in Format::ALL {
        rendered(format, &report, &plain());
    }
}

#[test]
fn writer_errors_are_returned() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }
    let fixture = fixture();
    for format in Format::ALL {
        let err = render(format, &fixture.report(), &plain(), &mut Broken).expect_err("broken pipe");
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{format}");
    }
}

// ---------------------------------------------------------------------------------------------
// GitHub.

#[test]
fn github_commands_are_one_per_line_and_escaped() {
    let odd = odd_fixture();
    let output = rendered(Format::Github, &odd.report(), &plain());
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), odd.findings.len());
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
    );
    assert!(output.contains("file=dir%2Cwith%3Acolon/Docker%25file"), "{output}");
    assert!(output.contains("::line one%0Aline two %25 done"), "{output}");
}

// ---------------------------------------------------------------------------------------------
// Formats.

#[test]
fn formats_parse_and_print() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        assert_eq!(format.to_string().to_uppercase().parse::<Format>(), Ok(format));
    }
    let err = "yaml".parse::<Format>().expect_err("unknown").to_string();
    assert!(err.contains("yaml") && err.contains("checkstyle"), "{err}");
}

/// Awkward inputs: paths and messages with markup, control characters, commas and colons,
/// an unreadable target without a finding, and a finding outside every target.
fn odd_fixture() -> common::Fixture {
    let path: Arc<str> = Arc::from("dir,with:colon/Docker%file");
    let text = "FROM a\nRUN echo \"<&>\" \u{1b}[31m\u{0}\tx\n";
    let mut findings = vec![
        Finding::new(
            &common::ROOT_USER,
            &Origin::new(path.clone(), Span::new(7, 10)),
            "line one\nline two % done",
        )
        .with_help("quote \"this\" & <that>\u{0}\u{1b}"),
        Finding::new(
            &common::APT_RECOMMENDS,
            &Origin::new(Arc::from("shipshape.toml"), Span::new(0, 0)),
            "config \u{7} bell ]]> end",
        ),
    ];
    findings[0].fingerprint = "f".into();
    let mut sources = HashMap::new();
    sources.insert(path.clone(), SourceFile::new(path.clone(), text));
    let targets = vec![
        ScanTarget { path, kind: "dockerfile", status: TargetStatus::Parsed },
        ScanTarget {
            path: Arc::from("loop/"),
            kind: "dockerfile",
            status: TargetStatus::Unreadable { reason: "is a directory <loop> & \"more\"".into() },
        },
    ];
    let mut fixture = common::Fixture { findings, targets, sources };
    fixture.finish();
    fixture
}
