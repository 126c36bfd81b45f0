//! Findings: what a rule reports, independent of any output format.

use crate::fix::Fix;
use crate::rule::{RuleMeta, Severity};
use crate::source::SourceFile;
use crate::span::{Origin, Span};
use serde::Serialize;
use std::sync::Arc;

/// 1-based start and end line and column (columns count characters); end is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Region {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Region {
    pub fn of(source: &SourceFile, span: Span) -> Region {
        let (start_line, start_column) = source.line_col(span.start);
        let (end_line, end_column) = source.line_col(span.end.max(span.start));
        Region { start_line, start_column, end_line, end_column }
    }
}

/// A place in a file: path, byte span, and (once located) its lines and columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    pub path: Arc<str>,
    pub span: Span,
    pub region: Region,
}

impl Location {
    /// A location whose region is not computed yet; see [`Finding::locate`].
    pub fn unlocated(origin: &Origin) -> Self {
        Self { path: origin.path.clone(), span: origin.span, region: Region::default() }
    }

    pub fn is_located(&self) -> bool {
        self.region.start_line != 0
    }
}

/// A secondary location with a label, e.g. "the override that set this".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RelatedLocation {
    pub location: Location,
    pub label: String,
}

/// One problem found by one rule at one place.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    /// Effective severity: the rule's default unless configuration overrides it.
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub related: Vec<RelatedLocation>,
    /// How to fix it, in words.
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Stable across unrelated edits of the file; set by the sink (see `shipshape-workspace`).
    pub fingerprint: String,
    /// For a vulnerable package: which vulnerability in which package, for ignore entries keyed
    /// by vulnerability id, machine-readable reports and VEX.
    pub vulnerability: Option<Box<VulnerabilityRef>>,
}

/// The vulnerability and package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VulnerabilityRef {
    /// The preferred id (a CVE id when there is one).
    pub id: String,
    /// The other ids of the same vulnerability (GHSA, distribution ids).
    pub aliases: Vec<String>,
    /// The package as installed or pinned.
    pub package: String,
    /// Its version.
    pub version: String,
    /// Its package URL, with version, when known.
    pub purl: Option<String>,
    /// The lowest version that fixes it, when known.
    pub fixed: Option<String>,
}

impl VulnerabilityRef {
    /// Whether `id` names this vulnerability (its id or an alias, case-insensitively).
    pub fn is_named(&self, id: &str) -> bool {
        std::iter::once(&self.id).chain(&self.aliases).any(|known| known.eq_ignore_ascii_case(id))
    }
}

impl Finding {
    pub fn new(rule: &'static RuleMeta, origin: &Origin, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rule.severity,
            message: message.into(),
            location: Location::unlocated(origin),
            related: Vec::new(),
            help: None,
            fix: None,
            fingerprint: String::new(),
            vulnerability: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_related(mut self, origin: &Origin, label: impl Into<String>) -> Self {
        self.related.push(RelatedLocation { location: Location::unlocated(origin), label: label.into() });
        self
    }

    /// Fills in lines and columns of every location that lies in `source`.
    pub fn locate(&mut self, source: &SourceFile) {
        if self.location.path == source.path {
            self.location.region = Region::of(source, self.location.span);
        }
        for related in &mut self.related {
            if related.location.path == source.path {
                related.location.region = Region::of(source, related.location.span);
            }
        }
    }
}
