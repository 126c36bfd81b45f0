//! The SARIF format: one SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF
//! viewers.
//!
//! ## Contract
//!
//! * The log is valid against the OASIS `sarif-schema-2.1.0.json` (errata 01); a test validates
//!   the shared snapshot fixture against a vendored copy (`tests/data/`, see its `PROVENANCE.md`).
//! * It carries what GitHub code scanning documents as required: `$schema`, `version`,
//!   `tool.driver.name`, `tool.driver.rules[]` with `id`, `shortDescription.text`,
//!   `fullDescription.text` and `help.text`, and per result `message.text`, one `locations[]`
//!   entry with `artifactLocation.uri` and a full `region` (`startLine`, `startColumn`, `endLine`,
//!   `endColumn`), and `partialFingerprints`.
//!
//! ## Rules
//!
//! `tool.driver.rules` holds every rule in [`Report::rules`] plus every rule a finding refers to,
//! once each, sorted by code; `result.ruleIndex` points into it. Each rule has:
//!
//! * `id` = code (`PRV001`), `name` = kebab-case name (`root-user`);
//! * `shortDescription` = the one-line summary, `fullDescription` = the `## What it does` section
//!   of the rule documentation (as plain text, at most 1024 characters, as GitHub allows);
//! * `help.markdown` = the whole rule documentation, `help.text` = the same text;
//! * `defaultConfiguration.level` from the rule's default severity;
//! * `properties.tags` = `security`, the layer and the threat; `properties.security-severity` =
//!   critical 9.5, high 8.0, medium 5.5, low 3.0, info 1.0 (GitHub reads ≥ 9.0 as critical,
//!   7.0–8.9 high, 4.0–6.9 medium, below that low); `properties.aliases` = `tool:id` of peer tools.
//!
//! ## Results
//!
//! * `level`: critical and high → `error`, medium → `warning`, low and info → `note`, from the
//!   finding's effective severity; `properties.severity` keeps the shipshape severity.
//! * `locations[0]`: the primary location. `artifactLocation.uri` is the display path as a URI
//!   reference: backslashes become `/`, a leading `./` is dropped, everything but unreserved
//!   characters and `/` is percent-encoded (UTF-8). Relative paths carry `uriBaseId` `%SRCROOT%`
//!   (the directory the scan ran in, usually the repository root); absolute paths become `file://`
//!   URIs. Regions are 1-based with exclusive end columns counting Unicode code points
//!   (`run.columnKind` = `unicodeCodePoints`). A finding without a line (an unreadable file) is
//!   reported at line 1, column 1, since GitHub requires a region.
//! * `relatedLocations`: each related location, `id` from 1, its label as `message`.
//! * `partialFingerprints["shipshapeFingerprint/v1"]`: the finding's fingerprint when it has one.
//!   GitHub's upload action adds its own `primaryLocationLineHash` from the file.
//! * `fixes`: one fix when the finding has edits: `description` names the applicability (and the
//!   help), each edit is a replacement of `deletedRegion` {`byteOffset`, `byteLength`} with
//!   `insertedContent.text` in the primary location's file; `properties.applicability` is `safe`,
//!   `unsafe` or `display-only`.
//! * Source text is never embedded (no `snippet`); secrets are scrubbed from free text as in every
//!   format.
//!
//! `invocations[0]` reports `executionSuccessful: true` and one `toolExecutionNotifications` entry
//! (level `error`) per target that could not be read.

use crate::redaction::{self, Secret};
use crate::{Report, TOOL_NAME};
use serde::Serialize;
use serde::ser::Serializer;
use shipshape_model::{Applicability, Finding, Location, RuleMeta, Severity, TargetStatus};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The `$schema` URI written to the log.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key holding the finding's fingerprint.
pub const FINGERPRINT_KEY: &str = "shipshapeFingerprint/v1";

/// GitHub's limit on `shortDescription.text` and `fullDescription.text`.
const MAX_DESCRIPTION: usize = 1024;

/// Renders the report as a pretty-printed SARIF 2.1.0 log followed by a newline.
pub fn render<W: Write + ?Sized>(report: &Report<'_>, out: &mut W) -> io::Result<()> {
    let mut by_code: BTreeMap<&'static str, &'static RuleMeta> = BTreeMap::new();
    for rule in report.rules.iter().copied().chain(report.findings.iter().map(|f| f.rule)) {
        by_code.entry(rule.code).or_insert(rule);
    }
    let rules: Vec<&'static RuleMeta> = by_code.values().copied().collect();

    let notifications: Vec<Notification<'_>> = report
        .targets
        .iter()
        .filter_map(|target| match &target.status {
            TargetStatus::Unreadable { reason } => Some(Notification {
                level: "error",
                message: Message { text: Cow::Owned(format!("{}: not read: {reason}", target.path)) },
                locations: [NotificationLocation {
                    physical_location: PhysicalArtifact { artifact_location: artifact(&target.path) },
                }],
            }),
            _ => None,
        })
        .collect();

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: report.tool_version,
                    rules: rules.iter().map(|r| Descriptor::of(r)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results: Results { report, rules: &rules },
        }],
    };
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, &log).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub `security-severity` score of a severity.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// The rule documentation as Markdown: the doc comment without rustdoc's one leading space per line.
pub fn doc_markdown(rule: &RuleMeta) -> String {
    let mut out = String::with_capacity(rule.doc.len());
    for line in rule.doc.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// The `## What it does` section of the rule documentation as one paragraph of plain text, or the
/// summary when the documentation has no such section.
pub fn doc_description(rule: &RuleMeta) -> String {
    let markdown = doc_markdown(rule);
    let mut in_section = false;
    let mut words: Vec<&str> = Vec::new();
    for line in markdown.lines() {
        let line = line.trim();
        if let Some(heading) = line.strip_prefix("## ") {
            if in_section {
                break;
            }
            in_section = heading.trim().eq_ignore_ascii_case("what it does");
            continue;
        }
        if in_section && !line.is_empty() {
            words.push(line);
        }
    }
    let text = if words.is_empty() { rule.summary.to_owned() } else { words.join(" ") };
    truncate_chars(text, MAX_DESCRIPTION)
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
fn truncate_chars(mut text: String, max: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max.saturating_sub(1))
        && text[cut..].chars().count() > 1
    {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// The display path as a SARIF `artifactLocation`: a percent-encoded URI reference, relative ones
/// against `%SRCROOT%`.
fn artifact(path: &str) -> ArtifactLocation {
    let slashed = path.replace('\\', "/");
    let mut rest = slashed.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    let bytes = rest.as_bytes();
    let drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if drive {
        let mut uri = String::from("file:///");
        uri.push_str(&rest[..2]);
        percent_encode(&rest[2..], &mut uri);
        ArtifactLocation { uri, uri_base_id: None }
    } else if rest.starts_with('/') {
        let mut uri = String::from("file://");
        percent_encode(rest, &mut uri);
        ArtifactLocation { uri, uri_base_id: None }
    } else {
        let mut uri = String::with_capacity(rest.len());
        percent_encode(rest, &mut uri);
        ArtifactLocation { uri, uri_base_id: Some("%SRCROOT%") }
    }
}

/// Appends `s`, keeping RFC 3986 unreserved characters and `/`, percent-encoding the rest.
fn percent_encode(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    column_kind: &'static str,
    results: Results<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message<'static>,
    full_description: Message<'static>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

impl Descriptor {
    fn of(rule: &'static RuleMeta) -> Self {
        let markdown = doc_markdown(rule);
        Descriptor {
            id: rule.code,
            name: rule.name,
            short_description: Message {
                text: Cow::Owned(truncate_chars(rule.summary.to_owned(), MAX_DESCRIPTION)),
            },
            full_description: Message { text: Cow::Owned(doc_description(rule)) },
            help: Help { text: markdown.clone(), markdown },
            default_configuration: Configuration { level: level(rule.severity) },
            properties: RuleProperties {
                tags: ["security", rule.layer.as_str(), rule.threat.as_str()],
                security_severity: security_severity(rule.severity),
                aliases: rule.aliases.iter().map(|a| format!("{}:{}", a.tool, a.id)).collect(),
            },
        }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 3],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    aliases: Vec<String>,
}

#[derive(Serialize)]
struct Message<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Message<'a>,
    locations: [NotificationLocation; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationLocation {
    physical_location: PhysicalArtifact,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalArtifact {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// Results, serialized one by one without an intermediate vector.
struct Results<'a> {
    report: &'a Report<'a>,
    rules: &'a [&'static RuleMeta],
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.report;
        serializer.collect_seq(report.findings.iter().map(|finding| {
            let rule_index = self.rules.binary_search_by(|r| r.code.cmp(finding.rule.code)).unwrap_or(0);
            let secret = redaction::secret_of(finding, report.sources);
            SarifResult::of(finding, rule_index, secret.as_ref())
        }))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: [SarifLocation<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_fingerprints: Option<Fingerprints<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    properties: ResultProperties,
}

impl<'a> SarifResult<'a> {
    fn of(finding: &'a Finding, rule_index: usize, secret: Option<&Secret<'_>>) -> Self {
        let scrub = |s: &'a str| -> Cow<'a, str> {
            match secret {
                Some(secret) => Cow::Owned(secret.scrub(s).into_owned()),
                None => Cow::Borrowed(s),
            }
        };
        let related_locations = finding
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| SarifLocation {
                id: Some(i + 1),
                physical_location: Physical::of(&r.location),
                message: Some(Message { text: scrub(&r.label) }),
            })
            .collect();
        let fixes = match &finding.fix {
            Some(fix) if !fix.edits.is_empty() => {
                let kind = match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                    Applicability::DisplayOnly => "display-only",
                };
                let description = match &finding.help {
                    Some(help) => format!("{} ({kind} fix)", redaction::scrub(secret, help)),
                    None => format!("{} ({kind} fix)", finding.rule.summary),
                };
                vec![SarifFix {
                    description: Message { text: Cow::Owned(description) },
                    artifact_changes: [ArtifactChange {
                        artifact_location: artifact(&finding.location.path),
                        replacements: fix
                            .edits
                            .iter()
                            .map(|edit| Replacement {
                                deleted_region: ByteRegion {
                                    byte_offset: edit.span.start,
                                    byte_length: edit.span.len(),
                                },
                                inserted_content: (!edit.content.is_empty())
                                    .then(|| Content { text: scrub(&edit.content) }),
                            })
                            .collect(),
                    }],
                    properties: FixProperties { applicability: kind },
                }]
            }
            _ => Vec::new(),
        };
        SarifResult {
            rule_id: finding.rule.code,
            rule_index,
            level: level(finding.severity),
            message: Message { text: scrub(&finding.message) },
            locations: [SarifLocation {
                id: None,
                physical_location: Physical::of(&finding.location),
                message: None,
            }],
            related_locations,
            partial_fingerprints: (!finding.fingerprint.is_empty())
                .then_some(Fingerprints(&finding.fingerprint)),
            fixes,
            properties: ResultProperties { severity: finding.severity },
        }
    }
}

/// `{ "shipshapeFingerprint/v1": "<fingerprint>" }`.
struct Fingerprints<'a>(&'a str);

impl Serialize for Fingerprints<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map([(FINGERPRINT_KEY, self.0)])
    }
}

#[derive(Serialize)]
struct ResultProperties {
    severity: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: ArtifactLocation,
    region: LineRegion,
}

impl Physical {
    fn of(location: &Location) -> Self {
        let region = if location.is_located() {
            let r = location.region;
            LineRegion {
                start_line: r.start_line,
                start_column: r.start_column.max(1),
                end_line: r.end_line.max(r.start_line),
                end_column: r.end_column.max(1),
            }
        } else {
            LineRegion { start_line: 1, start_column: 1, end_line: 1, end_column: 1 }
        };
        Physical { artifact_location: artifact(&location.path), region }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: ByteRegion,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<Content<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ByteRegion {
    byte_offset: u32,
    byte_length: u32,
}

#[derive(Serialize)]
struct Content<'a> {
    text: Cow<'a, str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_encoded_and_slashed() {
        let uri = |p: &str| {
            let a = artifact(p);
            (a.uri, a.uri_base_id.is_some())
        };
        assert_eq!(uri("Dockerfile"), ("Dockerfile".into(), true));
        assert_eq!(uri("./deploy/app dir/Dockerfile"), ("deploy/app%20dir/Dockerfile".into(), true));
        assert_eq!(uri("deploy\\k8s\\pod.yaml"), ("deploy/k8s/pod.yaml".into(), true));
        assert_eq!(uri("a:b/ü#1%.yaml"), ("a%3Ab/%C3%BC%231%25.yaml".into(), true));
        assert_eq!(uri("/srv/app/Dockerfile"), ("file:///srv/app/Dockerfile".into(), false));
        assert_eq!(uri("C:\\work\\Dockerfile"), ("file:///C:/work/Dockerfile".into(), false));
    }

    #[test]
    fn truncation_keeps_short_text() {
        assert_eq!(truncate_chars("abc".into(), 3), "abc");
        assert_eq!(truncate_chars("abcd".into(), 3), "ab…");
        assert_eq!(truncate_chars("ééé".into(), 3), "ééé");
    }
}
