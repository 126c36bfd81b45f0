//! The OSV record model (schema 1.x) and its structural validation.
//!
//! Deserialisation is lenient: a record that is structurally wrong (an affected entry without a
//! package, an event with two keys, an unknown range type) still deserialises, so that
//! [`Record::validate`] can say what is wrong with it instead of a bare parse error. Fields the
//! model does not name are ignored.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One OSV vulnerability record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The OSV schema version the record claims, such as `1.6.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    /// The record's identifier, such as `GHSA-9v2f-6vcg-3hgv` or `DSA-5678-1`.
    #[serde(default)]
    pub id: String,
    /// When the record was last changed (RFC 3339).
    #[serde(default)]
    pub modified: String,
    /// When the record was first published (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When the record was withdrawn (RFC 3339); a withdrawn record affects nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Identifiers of the same vulnerability in other databases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Identifiers of related but distinct vulnerabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Identifiers of the upstream records this one derives from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    /// A one-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The full description (CommonMark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Severity scores of the whole record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    /// The affected packages and their affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    /// Links to advisories, fixes, reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// People and organisations credited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<Credit>,
    /// Database-specific data, kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// A severity score: its kind and the score or vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    /// The scoring system.
    #[serde(rename = "type")]
    pub kind: SeverityKind,
    /// A CVSS vector string, or the distribution's rating (`Ubuntu`: `medium`, ...).
    #[serde(default)]
    pub score: String,
}

/// The scoring system of a [`Severity`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum SeverityKind {
    /// `CVSS_V2`.
    CvssV2,
    /// `CVSS_V3` (3.0 or 3.1).
    CvssV3,
    /// `CVSS_V4`.
    CvssV4,
    /// `Ubuntu`: Ubuntu's priority (negligible, low, medium, high, critical).
    Ubuntu,
    /// Any other kind, as written.
    Other(String),
}

impl From<String> for SeverityKind {
    fn from(kind: String) -> Self {
        match kind.as_str() {
            "CVSS_V2" => SeverityKind::CvssV2,
            "CVSS_V3" => SeverityKind::CvssV3,
            "CVSS_V4" => SeverityKind::CvssV4,
            "Ubuntu" => SeverityKind::Ubuntu,
            _ => SeverityKind::Other(kind),
        }
    }
}

impl From<SeverityKind> for String {
    fn from(kind: SeverityKind) -> Self {
        match kind {
            SeverityKind::CvssV2 => "CVSS_V2".to_owned(),
            SeverityKind::CvssV3 => "CVSS_V3".to_owned(),
            SeverityKind::CvssV4 => "CVSS_V4".to_owned(),
            SeverityKind::Ubuntu => "Ubuntu".to_owned(),
            SeverityKind::Other(kind) => kind,
        }
    }
}

/// One affected package and the versions of it that are affected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The package; may only be absent when every range is a `GIT` range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Severity scores specific to this package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    /// Affected version ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly enumerated affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Ecosystem-specific data (Debian's `urgency`, Go's `imports`, ...), kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Value>,
    /// Database-specific data, kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// A package in an ecosystem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The OSV ecosystem, possibly with a release suffix (`Debian:12`, `Alpine:v3.19`).
    #[serde(default)]
    pub ecosystem: String,
    /// The package name as the ecosystem spells it.
    #[serde(default)]
    pub name: String,
    /// The package URL, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// A range of affected versions described by events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// How the event versions are ordered.
    #[serde(rename = "type")]
    pub kind: RangeKind,
    /// The repository, for `GIT` ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in any order.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Database-specific data, kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// The ordering of a [`Range`]'s event versions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum RangeKind {
    /// `SEMVER`: Semantic Versioning 2.0, whatever the ecosystem.
    Semver,
    /// `ECOSYSTEM`: the package ecosystem's own ordering.
    Ecosystem,
    /// `GIT`: commit hashes of `repo`; not comparable with package versions.
    Git,
    /// Any other type, as written (invalid).
    Other(String),
}

impl From<String> for RangeKind {
    fn from(kind: String) -> Self {
        match kind.as_str() {
            "SEMVER" => RangeKind::Semver,
            "ECOSYSTEM" => RangeKind::Ecosystem,
            "GIT" => RangeKind::Git,
            _ => RangeKind::Other(kind),
        }
    }
}

impl From<RangeKind> for String {
    fn from(kind: RangeKind) -> Self {
        match kind {
            RangeKind::Semver => "SEMVER".to_owned(),
            RangeKind::Ecosystem => "ECOSYSTEM".to_owned(),
            RangeKind::Git => "GIT".to_owned(),
            RangeKind::Other(kind) => kind,
        }
    }
}

impl fmt::Display for RangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from(self.clone()))
    }
}

/// One range event as written. A well-formed event sets exactly one field; see
/// [`Event::kind`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The version from which the range is affected (`0`: from the beginning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// The first version no longer affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// The last version still affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// An upper bound (exclusive) on the whole range; `*` means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// The meaning of a well-formed [`Event`], with its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind<'a> {
    /// `introduced`.
    Introduced(&'a str),
    /// `fixed`.
    Fixed(&'a str),
    /// `last_affected`.
    LastAffected(&'a str),
    /// `limit`.
    Limit(&'a str),
}

impl<'a> EventKind<'a> {
    /// The version (or commit) of the event.
    pub fn version(self) -> &'a str {
        match self {
            EventKind::Introduced(v)
            | EventKind::Fixed(v)
            | EventKind::LastAffected(v)
            | EventKind::Limit(v) => v,
        }
    }

    /// The field name of the event.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Introduced(_) => "introduced",
            EventKind::Fixed(_) => "fixed",
            EventKind::LastAffected(_) => "last_affected",
            EventKind::Limit(_) => "limit",
        }
    }
}

impl Event {
    /// An `introduced` event.
    pub fn introduced(version: &str) -> Self {
        Event { introduced: Some(version.to_owned()), ..Event::default() }
    }

    /// A `fixed` event.
    pub fn fixed(version: &str) -> Self {
        Event { fixed: Some(version.to_owned()), ..Event::default() }
    }

    /// A `last_affected` event.
    pub fn last_affected(version: &str) -> Self {
        Event { last_affected: Some(version.to_owned()), ..Event::default() }
    }

    /// A `limit` event.
    pub fn limit(version: &str) -> Self {
        Event { limit: Some(version.to_owned()), ..Event::default() }
    }

    /// The event's meaning, or `None` when it sets no field or more than one.
    pub fn kind(&self) -> Option<EventKind<'_>> {
        let set = [
            self.introduced.as_deref().map(EventKind::Introduced),
            self.fixed.as_deref().map(EventKind::Fixed),
            self.last_affected.as_deref().map(EventKind::LastAffected),
            self.limit.as_deref().map(EventKind::Limit),
        ];
        let mut kinds = set.into_iter().flatten();
        match (kinds.next(), kinds.next()) {
            (Some(kind), None) => Some(kind),
            _ => None,
        }
    }

    fn field_count(&self) -> usize {
        [&self.introduced, &self.fixed, &self.last_affected, &self.limit]
            .iter()
            .filter(|f| f.is_some())
            .count()
    }
}

/// A reference link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `ARTICLE`, `DETECTION`, `DISCUSSION`, `REPORT`, `FIX`, `INTRODUCED`,
    /// `PACKAGE`, `EVIDENCE`, `WEB`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The link.
    #[serde(default)]
    pub url: String,
}

/// A credited person or organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// Who.
    #[serde(default)]
    pub name: String,
    /// How to reach them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<String>,
    /// Their role (`FINDER`, `REPORTER`, ...).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Why a record is invalid; every problem names where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The `id` is missing or empty.
    #[error("the record has no id")]
    MissingId,
    /// The `modified` timestamp is missing or empty.
    #[error("the record has no modified timestamp")]
    MissingModified,
    /// An affected entry has no package although it has non-GIT ranges or a versions list.
    #[error("affected[{affected}] has no package, but has ranges or versions that need one")]
    MissingPackage {
        /// Index into `affected`.
        affected: usize,
    },
    /// A package lacks its ecosystem or name.
    #[error("affected[{affected}].package has no {field}")]
    IncompletePackage {
        /// Index into `affected`.
        affected: usize,
        /// `ecosystem` or `name`.
        field: &'static str,
    },
    /// A range's type is not SEMVER, ECOSYSTEM or GIT.
    #[error("affected[{affected}].ranges[{range}] has the unknown type {kind:?}")]
    UnknownRangeType {
        /// Index into `affected`.
        affected: usize,
        /// Index into `ranges`.
        range: usize,
        /// The type as written.
        kind: String,
    },
    /// A GIT range without `repo`.
    #[error("affected[{affected}].ranges[{range}] is a GIT range without a repo")]
    GitRangeWithoutRepo {
        /// Index into `affected`.
        affected: usize,
        /// Index into `ranges`.
        range: usize,
    },
    /// A range without any `introduced` event.
    #[error("affected[{affected}].ranges[{range}] has no introduced event")]
    MissingIntroduced {
        /// Index into `affected`.
        affected: usize,
        /// Index into `ranges`.
        range: usize,
    },
    /// An event that sets no field, or more than one.
    #[error(
        "affected[{affected}].ranges[{range}].events[{event}] sets {fields} fields instead of exactly one"
    )]
    MalformedEvent {
        /// Index into `affected`.
        affected: usize,
        /// Index into `ranges`.
        range: usize,
        /// Index into `events`.
        event: usize,
        /// How many of introduced/fixed/last_affected/limit it sets.
        fields: usize,
    },
    /// An event with an empty version.
    #[error("affected[{affected}].ranges[{range}].events[{event}] has an empty {kind} version")]
    EmptyEventVersion {
        /// Index into `affected`.
        affected: usize,
        /// Index into `ranges`.
        range: usize,
        /// Index into `events`.
        event: usize,
        /// The event's field name.
        kind: &'static str,
    },
    /// Two events of a range that are not distinct: the same event twice, or a version that
    /// is both introduced and fixed (or limited), which leaves the range empty or ambiguous.
    #[error(
        "affected[{affected}].ranges[{range}] has non-distinct events: {first} and {second} at {version:?}"
    )]
    NonDistinctEvents {
        /// Index into `affected`.
        affected: usize,
        /// Index into `ranges`.
        range: usize,
        /// The field name of the first event.
        first: &'static str,
        /// The field name of the second event.
        second: &'static str,
        /// The shared version.
        version: String,
    },
    /// A package that the supplied [`PackageIndex`] does not know.
    #[error("affected[{affected}]: package {name:?} not found in {ecosystem:?}")]
    UnknownPackage {
        /// Index into `affected`.
        affected: usize,
        /// The package's ecosystem as written.
        ecosystem: String,
        /// The package's name.
        name: String,
    },
}

/// A record that failed validation, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("OSV record {id:?} is invalid: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidRecord {
    /// The record's id.
    pub id: String,
    /// What is wrong, in document order.
    pub problems: Vec<Problem>,
}

/// Answers whether a package exists in an ecosystem, for [`Record::validate_against`].
///
/// The OSV linter asks the registries; shipshape does no network I/O, so the caller supplies
/// what it knows (a mirror's package list, an SBOM's inventory, a fixture).
pub trait PackageIndex {
    /// `Some(true)` when the package exists, `Some(false)` when it does not, `None` when this
    /// index does not cover the ecosystem (no problem is reported then).
    fn package_exists(&self, ecosystem: &str, name: &str) -> Option<bool>;
}

/// A failure to read a record.
#[derive(Debug, thiserror::Error)]
#[error("not an OSV record: {0}")]
pub struct ParseError(#[from] serde_json::Error);

impl Record {
    /// Reads a record from JSON text. Only JSON syntax and field types are checked here; see
    /// [`Record::validate`] for the structure.
    pub fn from_json(text: &str) -> Result<Record, ParseError> {
        Ok(serde_json::from_str(text)?)
    }

    /// True when the record has been withdrawn: it no longer affects anything.
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.as_deref().is_some_and(|w| !w.trim().is_empty())
    }

    /// Every structural problem of the record, in document order; empty when it is valid.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.id.trim().is_empty() {
            problems.push(Problem::MissingId);
        }
        if self.modified.trim().is_empty() {
            problems.push(Problem::MissingModified);
        }
        for (affected_index, affected) in self.affected.iter().enumerate() {
            check_affected(affected_index, affected, &mut problems);
        }
        problems
    }

    /// Checks the record's structure: an id and modified time; every affected entry with a
    /// package unless it only has GIT ranges; every range of a known type, with an
    /// `introduced` event and well-formed, distinct events.
    pub fn validate(&self) -> Result<(), InvalidRecord> {
        self.invalid_unless_empty(self.problems())
    }

    /// [`Record::validate`], plus: every package must exist according to `index`.
    pub fn validate_against(&self, index: &dyn PackageIndex) -> Result<(), InvalidRecord> {
        let mut problems = self.problems();
        for (affected_index, affected) in self.affected.iter().enumerate() {
            if let Some(package) = &affected.package
                && index.package_exists(&package.ecosystem, &package.name) == Some(false)
            {
                problems.push(Problem::UnknownPackage {
                    affected: affected_index,
                    ecosystem: package.ecosystem.clone(),
                    name: package.name.clone(),
                });
            }
        }
        self.invalid_unless_empty(problems)
    }

    fn invalid_unless_empty(&self, problems: Vec<Problem>) -> Result<(), InvalidRecord> {
        if problems.is_empty() { Ok(()) } else { Err(InvalidRecord { id: self.id.clone(), problems }) }
    }

    /// Ubuntu's priority for the record (`negligible`, `low`, `medium`, `high`, `critical`),
    /// from a severity of type `Ubuntu` or a `priority` in `database_specific`.
    pub fn ubuntu_priority(&self) -> Option<&str> {
        self.severity
            .iter()
            .chain(self.affected.iter().flat_map(|a| &a.severity))
            .find(|s| s.kind == SeverityKind::Ubuntu)
            .map(|s| s.score.as_str())
            .or_else(|| string_field(self.database_specific.as_ref(), "priority"))
    }

    /// Debian's urgency for the record (`low`, `medium`, `high`, `unimportant`,
    /// `not yet assigned`, ...), from `database_specific.urgency` of the record or of an
    /// affected entry, or an affected entry's `ecosystem_specific.urgency`.
    pub fn debian_urgency(&self) -> Option<&str> {
        string_field(self.database_specific.as_ref(), "urgency").or_else(|| {
            self.affected.iter().find_map(|a| {
                string_field(a.database_specific.as_ref(), "urgency")
                    .or_else(|| string_field(a.ecosystem_specific.as_ref(), "urgency"))
            })
        })
    }
}

fn string_field<'a>(object: Option<&'a Value>, key: &str) -> Option<&'a str> {
    object?.get(key)?.as_str()
}

fn check_affected(affected_index: usize, affected: &Affected, problems: &mut Vec<Problem>) {
    match &affected.package {
        None => {
            let needs_package = !affected.versions.is_empty()
                || affected.ranges.iter().any(|r| r.kind != RangeKind::Git)
                || affected.ranges.is_empty();
            if needs_package {
                problems.push(Problem::MissingPackage { affected: affected_index });
            }
        }
        Some(package) => {
            if package.ecosystem.trim().is_empty() {
                problems.push(Problem::IncompletePackage { affected: affected_index, field: "ecosystem" });
            }
            if package.name.trim().is_empty() {
                problems.push(Problem::IncompletePackage { affected: affected_index, field: "name" });
            }
        }
    }
    for (range_index, range) in affected.ranges.iter().enumerate() {
        check_range(affected_index, range_index, range, problems);
    }
}

fn check_range(affected: usize, range_index: usize, range: &Range, problems: &mut Vec<Problem>) {
    match &range.kind {
        RangeKind::Other(kind) => {
            problems.push(Problem::UnknownRangeType { affected, range: range_index, kind: kind.clone() });
        }
        RangeKind::Git if range.repo.as_deref().is_none_or(|r| r.trim().is_empty()) => {
            problems.push(Problem::GitRangeWithoutRepo { affected, range: range_index });
        }
        _ => {}
    }

    let mut kinds = Vec::with_capacity(range.events.len());
    for (event_index, event) in range.events.iter().enumerate() {
        match event.kind() {
            None => problems.push(Problem::MalformedEvent {
                affected,
                range: range_index,
                event: event_index,
                fields: event.field_count(),
            }),
            Some(kind) if kind.version().trim().is_empty() => problems.push(Problem::EmptyEventVersion {
                affected,
                range: range_index,
                event: event_index,
                kind: kind.name(),
            }),
            Some(kind) => kinds.push(kind),
        }
    }
    if !kinds.iter().any(|k| matches!(k, EventKind::Introduced(_))) {
        problems.push(Problem::MissingIntroduced { affected, range: range_index });
    }
    for (index, first) in kinds.iter().enumerate() {
        for second in kinds.iter().skip(index + 1) {
            if first.version() != second.version() {
                continue;
            }
            // `introduced: X` with `last_affected: X` is the usual way to name one version.
            let single_version = matches!(
                (first, second),
                (EventKind::Introduced(_), EventKind::LastAffected(_))
                    | (EventKind::LastAffected(_), EventKind::Introduced(_))
            );
            if !single_version {
                problems.push(Problem::NonDistinctEvents {
                    affected,
                    range: range_index,
                    first: first.name(),
                    second: second.name(),
                    version: first.version().to_owned(),
                });
            }
        }
    }
}
