//! The JSON format: one pretty-printed JSON document per run, for scripts and dashboards.
//!
//! The document is a contract. Its shape is described here and, machine-readably, by the JSON
//! Schema (draft 2020-12) in `docs/json-schema.json`, which a test validates rendered output
//! against.
//!
//! ## Versioning
//!
//! `schema_version` is an integer, currently [`SCHEMA_VERSION`]. Adding a field or an enum value
//! does **not** bump it, so consumers must ignore fields they do not know. Removing or renaming a
//! field, or changing its type or meaning, bumps it.
//!
//! ## Wire format
//!
//! ```text
//! {
//!   "tool": { "name": "shipshape", "version": "0.1.0" },
//!   "schema_version": 1,
//!   "summary": {
//!     "findings": 6,                      // number of entries in "findings"
//!     "by_severity": { "critical": 0, "high": 3, "medium": 1, "low": 1, "info": 1 },
//!     "by_layer": { "image": 1, "supply-chain": 0, "isolation": 0, "least-privilege": 1,
//!                   "network": 0, "secrets": 1, "monitoring": 0, "general": 3 },
//!     "fixes": { "safe": 1, "unsafe": 1, "display-only": 0 },
//!     "targets": { "scanned": 3, "parsed": 1, "partially-parsed": 1, "unreadable": 1 },
//!     "fail_on": "high",                  // the --fail-on threshold, or null
//!     "failing": 3,                       // findings at or above fail_on (0 when null)
//!     "failed": true                      // failing > 0
//!   },
//!   "targets": [
//!     { "path": "Dockerfile", "kind": "dockerfile",
//!       "status": "parsed" | "partially-parsed" | "unreadable",
//!       "parsed": true,                   // false only for "unreadable"
//!       "errors": 2,                      // recoverable parse errors; null unless partially-parsed
//!       "reason": "permission denied" }   // why it was not read; null unless unreadable
//!   ],
//!   "findings": [
//!     {
//!       "code": "PRV001", "name": "root-user",
//!       "severity": "high",               // effective severity, after configuration
//!       "default_severity": "high",       // the rule's own severity
//!       "layer": "least-privilege", "threat": "excess-privilege", "asset": "host",
//!       "message": "the final stage runs as root",
//!       "location": <location>,
//!       "related": [ { "label": "the base image sets no user", "location": <location> } ],
//!       "help": "add `USER app`" | null,
//!       "fix": null | {
//!         "applicability": "safe" | "unsafe" | "display-only",
//!         "edits": [ { "span": { "start": 120, "end": 129 }, "content": "USER app" } ]
//!       },
//!       "aliases": [ { "tool": "hadolint", "id": "DL3002" } ],
//!       "fingerprint": "…"                // stable across unrelated edits; may be ""
//!     }
//!   ]
//! }
//!
//! <location> = {
//!   "path": "Dockerfile",                 // display path as given on the command line; "-" is stdin
//!   "span": { "start": 120, "end": 129 }, // UTF-8 byte offsets into the file, end exclusive
//!   "region": null | {                    // null when the location has no line (e.g. an unreadable file)
//!     "start_line": 12, "start_column": 1, "end_line": 12, "end_column": 10
//!   }                                     // 1-based; columns count Unicode scalar values; end exclusive
//! }
//! ```
//!
//! * Findings keep the order the scan sorted them in (path, offset, code); targets keep theirs.
//! * Severities are `critical|high|medium|low|info`; layers, threats, assets and alias tools are the
//!   `as_str()` names of the model's enums (`least-privilege`, `excess-privilege`, `buildkit`, ...).
//! * Edits apply to the file of the finding's primary `location`, as read (bytes, not
//!   characters), and never overlap within a fix.
//! * Every key is always present; absent values are `null`, never omitted.
//! * For secrets findings, text that would repeat the secret is replaced by a redaction (see the
//!   crate documentation); the JSON never contains source text otherwise.

use crate::redaction::{self, Secret};
use crate::tally::Tally;
use crate::{Report, TOOL_NAME};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use shipshape_model::{
    Alias, Applicability, Finding, Layer, Location, RelatedLocation, ScanTarget, Severity, Span,
    TargetStatus, VulnerabilityRef,
};
use std::borrow::Cow;
use std::io::{self, Write};

/// The version of the wire format described in this module.
pub const SCHEMA_VERSION: u32 = 1;

/// Renders the report as one pretty-printed JSON document followed by a newline.
pub fn render<W: Write + ?Sized>(report: &Report<'_>, out: &mut W) -> io::Result<()> {
    let document = Document {
        tool: Tool { name: TOOL_NAME, version: report.tool_version },
        schema_version: SCHEMA_VERSION,
        summary: Summary::of(report),
        targets: Targets(report.targets),
        findings: Findings(report),
    };
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, &document).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Document<'a> {
    tool: Tool<'a>,
    schema_version: u32,
    summary: Summary,
    targets: Targets<'a>,
    findings: Findings<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Summary {
    findings: usize,
    by_severity: BySeverity,
    by_layer: ByLayer,
    fixes: Fixes,
    targets: TargetCounts,
    fail_on: Option<Severity>,
    failing: usize,
    failed: bool,
}

impl Summary {
    fn of(report: &Report<'_>) -> Self {
        let tally = Tally::of(report);
        let failing = report.failing();
        Summary {
            findings: tally.total,
            fixes: Fixes {
                safe: tally.safe_fixes,
                unsafe_: tally.unsafe_fixes,
                display_only: tally.display_only_fixes,
            },
            targets: TargetCounts {
                scanned: report.targets.len(),
                parsed: tally.parsed,
                partially_parsed: tally.partially_parsed,
                unreadable: tally.unreadable,
            },
            by_severity: BySeverity(Severity::ALL.map(|s| (s, tally.severity(s)))),
            by_layer: ByLayer(Layer::ALL.map(|l| (l, tally.layer_total(l)))),
            fail_on: report.fail_on,
            failing,
            failed: failing > 0,
        }
    }
}

/// Counts keyed by severity, most severe first.
struct BySeverity([(Severity, usize); 5]);

impl Serialize for BySeverity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (severity, n) in &self.0 {
            map.serialize_entry(severity.as_str(), n)?;
        }
        map.end()
    }
}

/// Counts keyed by layer, in [`Layer::ALL`] order.
struct ByLayer([(Layer, usize); 8]);

impl Serialize for ByLayer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (layer, n) in &self.0 {
            map.serialize_entry(layer.as_str(), n)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Fixes {
    safe: usize,
    #[serde(rename = "unsafe")]
    unsafe_: usize,
    display_only: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct TargetCounts {
    scanned: usize,
    parsed: usize,
    partially_parsed: usize,
    unreadable: usize,
}

/// Targets, serialized one by one without an intermediate vector.
struct Targets<'a>(&'a [ScanTarget]);

impl Serialize for Targets<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(JsonTarget::of))
    }
}

#[derive(Serialize)]
struct JsonTarget<'a> {
    path: &'a str,
    kind: &'a str,
    status: &'static str,
    parsed: bool,
    errors: Option<usize>,
    reason: Option<&'a str>,
}

impl<'a> JsonTarget<'a> {
    fn of(target: &'a ScanTarget) -> Self {
        let (status, errors, reason) = match &target.status {
            TargetStatus::Parsed => ("parsed", None, None),
            TargetStatus::PartiallyParsed { errors } => ("partially-parsed", Some(*errors), None),
            TargetStatus::Unreadable { reason } => ("unreadable", None, Some(reason.as_str())),
        };
        JsonTarget {
            path: &target.path,
            kind: target.kind,
            status,
            parsed: target.status.parsed(),
            errors,
            reason,
        }
    }
}

/// Findings, serialized one by one without an intermediate vector.
struct Findings<'a>(&'a Report<'a>);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        serializer.collect_seq(report.findings.iter().map(|finding| {
            let secret = redaction::secret_of(finding, report.sources);
            JsonFinding::of(finding, secret)
        }))
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    default_severity: Severity,
    layer: &'static str,
    threat: &'static str,
    asset: &'static str,
    message: Cow<'a, str>,
    location: JsonLocation<'a>,
    related: Related<'a>,
    help: Option<Cow<'a, str>>,
    fix: Option<JsonFix<'a>>,
    aliases: Aliases,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerability: Option<&'a VulnerabilityRef>,
}

/// Aliases as `{ "tool": "hadolint", "id": "DL3002" }`, tools named by [`shipshape_model::Tool::as_str`].
struct Aliases(&'static [Alias]);

impl Serialize for Aliases {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct JsonAlias {
            tool: &'static str,
            id: &'static str,
        }
        serializer.collect_seq(self.0.iter().map(|a| JsonAlias { tool: a.tool.as_str(), id: a.id }))
    }
}

impl<'a> JsonFinding<'a> {
    fn of(finding: &'a Finding, secret: Option<Secret<'a>>) -> Self {
        let rule = finding.rule;
        let scrub = |s: &'a str| match &secret {
            Some(secret) => secret.scrub(s),
            None => Cow::Borrowed(s),
        };
        JsonFinding {
            code: rule.code,
            name: rule.name,
            severity: finding.severity,
            default_severity: rule.severity,
            layer: rule.layer.as_str(),
            threat: rule.threat.as_str(),
            asset: rule.asset.as_str(),
            message: scrub(&finding.message),
            location: JsonLocation::of(&finding.location),
            help: finding.help.as_deref().map(scrub),
            fix: finding.fix.as_ref().map(|fix| JsonFix {
                applicability: fix.applicability,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| JsonEdit { span: e.span, content: scrub(&e.content) })
                    .collect(),
            }),
            aliases: Aliases(rule.aliases),
            fingerprint: &finding.fingerprint,
            vulnerability: finding.vulnerability.as_deref(),
            related: Related { related: &finding.related, secret },
        }
    }
}

/// Related locations, with labels scrubbed of the finding's secret.
struct Related<'a> {
    related: &'a [RelatedLocation],
    secret: Option<Secret<'a>>,
}

impl Serialize for Related<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let secret = self.secret.as_ref();
        serializer.collect_seq(self.related.iter().map(|r| JsonRelated {
            label: redaction::scrub(secret, &r.label),
            location: JsonLocation::of(&r.location),
        }))
    }
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    label: Cow<'a, str>,
    location: JsonLocation<'a>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    span: Span,
    region: Option<shipshape_model::Region>,
}

impl<'a> JsonLocation<'a> {
    fn of(location: &'a Location) -> Self {
        JsonLocation {
            path: &location.path,
            span: location.span,
            region: location.is_located().then_some(location.region),
        }
    }
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    span: Span,
    content: Cow<'a, str>,
}
