//! shipshape's report renderers: one module per output format, each writing a whole report to
//! any [`std::io::Write`].
//!
//! The binary collects [`Finding`]s (already located with [`Finding::locate`] and sorted), the
//! [`ScanTarget`]s it looked at and the [`SourceFile`]s it read, wraps them in a [`Report`], and
//! calls [`render`] with the [`Format`] the user asked for:
//!
//! ```
//! use shipshape_report::{render, Format, HumanOptions, NoSources, Report};
//!
//! let report = Report::new("0.1.0", &[], &[], &NoSources);
//! let mut out = Vec::new();
//! render(Format::Json, &report, &HumanOptions::default(), &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("\"schema_version\": 1"));
//! ```
//!
//! | format       | module         | contract                                                    |
//! |--------------|----------------|-------------------------------------------------------------|
//! | `human`      | [`human`]      | rustc-style frames and a summary; for people, not parsers   |
//! | `json`       | [`json`]       | versioned, documented, JSON Schema in `docs/json-schema.json` |
//! | `sarif`      | [`sarif`]      | SARIF 2.1.0 as GitHub code scanning reads it                |
//! | `junit`      | [`junit`]      | JUnit XML, one suite per target, one failing case per finding |
//! | `github`     | [`github`]     | GitHub Actions workflow commands (`::error file=...::`)     |
//! | `checkstyle` | [`checkstyle`] | checkstyle 4.3 XML                                          |
//! | `cyclonedx`  | [`cyclonedx`]  | CycloneDX 1.6 JSON: components and vulnerabilities as VEX   |
//! | `spdx`       | [`spdx`]       | SPDX 2.3 JSON: components as packages                       |
//!
//! **Secrets are never printed in full.** For a finding whose rule is in [`Layer::Secrets`], every
//! renderer replaces the source text of the finding's primary span with
//! [`shipshape_model::redact()`] wherever it would show it (source frames), and also scrubs that
//! text out of the message, help, labels and fix contents, in case a rule echoed it. This needs
//! the source file to be available through [`Report::sources`]; without it only the rule's own
//! wording protects the secret.
//!
//! Renderers buffer their output internally; they write nothing but the report to `out`.

#![deny(missing_docs)]

pub mod checkstyle;
pub mod cyclonedx;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
mod redaction;
pub mod sarif;
mod sbom;
pub mod spdx;
mod tally;
mod xml;

use shipshape_model::{Component, Finding, Layer, RuleMeta, ScanTarget, Severity, SourceFile, Subject};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::io::{self, Write};
use std::str::FromStr;
use std::sync::Arc;

pub use human::HumanOptions;

/// The tool name every format reports.
pub const TOOL_NAME: &str = "shipshape";

/// Where renderers find the text of a file named by a finding's location, to draw source frames
/// and to redact secrets. Lookups are by the exact display path stored in the location.
pub trait SourceLookup {
    /// The source file whose [`SourceFile::path`] is `path`, if it was read.
    fn source(&self, path: &str) -> Option<&SourceFile>;
}

/// A finding's message with its secret (for a secrets rule, the text at its span in `sources`)
/// redacted: for output written outside the renderers, such as a log line per finding.
pub fn scrub_message(finding: &Finding, sources: &dyn SourceLookup) -> String {
    let secret = redaction::secret_of(finding, sources);
    redaction::scrub(secret.as_ref(), &finding.message).into_owned()
}

/// A [`SourceLookup`] that knows no files: renderers then print locations without frames.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSources;

impl SourceLookup for NoSources {
    fn source(&self, _path: &str) -> Option<&SourceFile> {
        None
    }
}

impl SourceLookup for [SourceFile] {
    /// A linear search; fine for a handful of files, use a map for many.
    fn source(&self, path: &str) -> Option<&SourceFile> {
        self.iter().find(|s| &*s.path == path)
    }
}

impl SourceLookup for Vec<SourceFile> {
    fn source(&self, path: &str) -> Option<&SourceFile> {
        self.as_slice().source(path)
    }
}

impl<S: BuildHasher> SourceLookup for HashMap<Arc<str>, SourceFile, S> {
    fn source(&self, path: &str) -> Option<&SourceFile> {
        self.get(path)
    }
}

impl<S: BuildHasher> SourceLookup for HashMap<Arc<str>, Arc<SourceFile>, S> {
    fn source(&self, path: &str) -> Option<&SourceFile> {
        self.get(path).map(|s| &**s)
    }
}

impl SourceLookup for BTreeMap<Arc<str>, SourceFile> {
    fn source(&self, path: &str) -> Option<&SourceFile> {
        self.get(path)
    }
}

/// Everything a renderer needs: what was found, what was scanned, and the sources to quote.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    /// Version of the shipshape binary, e.g. `env!("CARGO_PKG_VERSION")`.
    pub tool_version: &'a str,
    /// Findings to report, already located (see [`Finding::locate`]) and sorted; renderers keep
    /// this order.
    pub findings: &'a [Finding],
    /// Every target the scan looked at, including clean and unreadable ones.
    pub targets: &'a [ScanTarget],
    /// The text of the files findings point into.
    pub sources: &'a dyn SourceLookup,
    /// The `--fail-on` threshold, if any: findings at or above it make the run fail. Shown in the
    /// human summary and the JSON summary.
    pub fail_on: Option<Severity>,
    /// Rules that were enabled for the scan. SARIF lists these plus every rule a finding refers
    /// to in `tool.driver.rules`; leave empty to list only the rules that fired.
    pub rules: &'a [&'static RuleMeta],
    /// The packages found (SBOM formats list them; the others ignore them).
    pub components: &'a [Component],
    /// What the SBOM describes: an image, a source tree.
    pub subject: Option<&'a Subject>,
    /// When the report was made, in seconds since the Unix epoch (SBOM formats date their
    /// documents with it); `None`: now.
    pub timestamp: Option<u64>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("tool_version", &self.tool_version)
            .field("findings", &self.findings.len())
            .field("targets", &self.targets.len())
            .field("fail_on", &self.fail_on)
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Report<'a> {
    /// A report without a `fail_on` threshold and without extra rules.
    pub fn new(
        tool_version: &'a str,
        findings: &'a [Finding],
        targets: &'a [ScanTarget],
        sources: &'a dyn SourceLookup,
    ) -> Self {
        Self {
            tool_version,
            findings,
            targets,
            sources,
            fail_on: None,
            rules: &[],
            components: &[],
            subject: None,
            timestamp: None,
        }
    }

    /// Sets the components and what they belong to, for the SBOM formats.
    pub fn with_components(mut self, components: &'a [Component], subject: Option<&'a Subject>) -> Self {
        self.components = components;
        self.subject = subject;
        self
    }

    /// Dates the report (seconds since the Unix epoch), for reproducible SBOMs.
    pub fn with_timestamp(mut self, timestamp: Option<u64>) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// Sets the `--fail-on` threshold.
    pub fn with_fail_on(mut self, fail_on: Option<Severity>) -> Self {
        self.fail_on = fail_on;
        self
    }

    /// Sets the enabled rules (see [`Report::rules`]).
    pub fn with_rules(mut self, rules: &'a [&'static RuleMeta]) -> Self {
        self.rules = rules;
        self
    }

    /// How many findings are at or above [`Report::fail_on`]; 0 without a threshold.
    pub fn failing(&self) -> usize {
        match self.fail_on {
            Some(min) => self.findings.iter().filter(|f| f.severity >= min).count(),
            None => 0,
        }
    }

    /// Whether the run fails: some finding is at or above [`Report::fail_on`].
    pub fn fails(&self) -> bool {
        self.fail_on.is_some_and(|min| self.findings.iter().any(|f| f.severity >= min))
    }
}

/// Whether renderers treat the primary span of findings of this rule as a secret.
pub fn is_secret_rule(rule: &RuleMeta) -> bool {
    rule.layer == Layer::Secrets
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Frames and a summary for a terminal; see [`human`].
    Human,
    /// shipshape's own JSON; see [`json`].
    Json,
    /// SARIF 2.1.0; see [`sarif`].
    Sarif,
    /// JUnit XML; see [`junit`].
    Junit,
    /// GitHub Actions workflow commands; see [`github`].
    Github,
    /// checkstyle XML; see [`checkstyle`].
    Checkstyle,
    /// CycloneDX 1.6 JSON SBOM with vulnerabilities; see [`cyclonedx`].
    Cyclonedx,
    /// SPDX 2.3 JSON SBOM; see [`spdx`].
    Spdx,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 8] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Checkstyle,
        Format::Cyclonedx,
        Format::Spdx,
    ];

    /// The name used on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Checkstyle => "checkstyle",
            Format::Cyclonedx => "cyclonedx",
            Format::Spdx => "spdx",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown output format `{}` (expected one of: ", self.0)?;
        for (i, format) in Format::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(format.as_str())?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a format name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// Renders `report` as `format` to `out`. `human` options apply to [`Format::Human`] only.
///
/// Output is buffered internally and flushed before returning; a broken pipe surfaces as an
/// [`io::ErrorKind::BrokenPipe`] error for the caller to treat as success.
pub fn render(
    format: Format,
    report: &Report<'_>,
    human: &HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    match format {
        Format::Human => human::render(report, human, &mut buffered)?,
        Format::Json => json::render(report, &mut buffered)?,
        Format::Sarif => sarif::render(report, &mut buffered)?,
        Format::Junit => junit::render(report, &mut buffered)?,
        Format::Github => github::render(report, &mut buffered)?,
        Format::Checkstyle => checkstyle::render(report, &mut buffered)?,
        Format::Cyclonedx => cyclonedx::render(report, &mut buffered)?,
        Format::Spdx => spdx::render(report, &mut buffered)?,
    }
    buffered.flush()
}

/// One file's share of a report: its target entry (if it was a target) and its findings.
pub(crate) struct FileGroup<'a> {
    pub(crate) path: &'a str,
    pub(crate) target: Option<&'a ScanTarget>,
    pub(crate) findings: Vec<&'a Finding>,
}

/// Groups findings by path: targets in their order first, then paths that only findings name
/// (a config file, say) in the order they first appear. Findings keep their order.
pub(crate) fn group_by_path<'a>(report: &Report<'a>) -> Vec<FileGroup<'a>> {
    let mut groups: Vec<FileGroup<'a>> = Vec::with_capacity(report.targets.len());
    let mut index: HashMap<&'a str, usize> = HashMap::with_capacity(report.targets.len());
    for target in report.targets {
        if !index.contains_key(&*target.path) {
            index.insert(&target.path, groups.len());
            groups.push(FileGroup { path: &target.path, target: Some(target), findings: Vec::new() });
        }
    }
    for finding in report.findings {
        let path: &'a str = &finding.location.path;
        let i = *index.entry(path).or_insert_with(|| {
            groups.push(FileGroup { path, target: None, findings: Vec::new() });
            groups.len() - 1
        });
        groups[i].findings.push(finding);
    }
    groups
}
