//! Vulnerability matching for a scan: the database opened at most once per scan, when the first
//! lockfile or package database needs it, and packages matched against it with the filters of
//! the command line (`--show-negligible`, `--ignore-unfixed`, `--vex`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use shipshape_model::{Origin, Severity};
use shipshape_rules::VulnerablePackage;
use shipshape_vuln::cvss;
use shipshape_vuln::osv::Record;
use shipshape_vulndb::matching::match_package;
use shipshape_vulndb::{Database, LockedPackage, Store};

use crate::vex::VexStatements;

/// What decides which matches are reported.
#[derive(Debug, Clone, Default)]
pub struct VulnFilters {
    /// Report Debian `unimportant` and Ubuntu `negligible` issues too.
    pub show_negligible: bool,
    /// Hide vulnerabilities without a fixed version.
    pub ignore_unfixed: bool,
    /// OpenVEX statements: `not_affected` (and `fixed`) ones hide their vulnerability for their
    /// products.
    pub vex: VexStatements,
}

/// The scan's vulnerability database, opened on first use, shared by every file of the scan.
#[derive(Debug)]
pub struct SharedDatabase {
    dir: Option<PathBuf>,
    db: OnceLock<Result<Database, String>>,
    /// Lookups that failed (a damaged database file), reported once after the scan.
    problems: Mutex<Vec<String>>,
    /// The filters matches go through.
    pub filters: VulnFilters,
}

impl SharedDatabase {
    /// The database in `dir` (`None`: the default directory), opened when first needed.
    pub fn new(dir: Option<PathBuf>, filters: VulnFilters) -> SharedDatabase {
        SharedDatabase { dir, db: OnceLock::new(), problems: Mutex::default(), filters }
    }

    /// A database already open.
    pub fn from_database(db: Database, filters: VulnFilters) -> SharedDatabase {
        SharedDatabase { dir: None, db: OnceLock::from(Ok(db)), problems: Mutex::default(), filters }
    }

    /// The database, opened now if this is the first call; `None` when there is none.
    pub fn get(&self) -> Option<&Database> {
        self.db
            .get_or_init(|| {
                let store = match &self.dir {
                    Some(dir) => Store::new(dir.clone()),
                    None => Store::at_default_location().map_err(|e| e.to_string())?,
                };
                store.open().map_err(|e| match e {
                    shipshape_vulndb::Error::NotFound { dir } => {
                        format!("no vulnerability database in {}", dir.display())
                    }
                    other => other.to_string(),
                })
            })
            .as_ref()
            .ok()
    }

    /// Records a lookup that failed.
    pub(crate) fn problem(&self, problem: String) {
        let mut problems = self.problems.lock().unwrap_or_else(PoisonError::into_inner);
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }

    /// The notices to print: the database was needed but could not be opened, or lookups
    /// failed.
    pub(crate) fn notices(&self) -> Vec<String> {
        let mut notices = Vec::new();
        if let Some(Err(reason)) = self.db.get() {
            notices.push(format!(
                "{reason}: packages were not checked for vulnerabilities (run `shipshape db update` or \
                 `shipshape db import`)"
            ));
        }
        let problems = self.problems.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(first) = problems.first() {
            notices.push(format!(
                "vulnerability database lookups failed ({} in all; some packages were not checked): {first}; \
                 run `shipshape db update` to rebuild it",
                problems.len()
            ));
        }
        notices
    }
}

/// A package to match: what to look up, and how to report it.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Looked up by (ecosystem, name) at version; the name is the source package for OS
    /// packages.
    pub(crate) lookup: LockedPackage,
    /// More ecosystems to match with (`Ubuntu:22.04` next to `Ubuntu:22.04:LTS`).
    pub(crate) also: Vec<String>,
    /// The name as installed or pinned.
    pub(crate) name: String,
    /// The version as installed or pinned.
    pub(crate) version: String,
    pub(crate) origin: Origin,
    pub(crate) layer: Option<String>,
    /// The package URL, with version (`pkg:deb/debian/openssl@3.0.11-1?arch=amd64`).
    pub(crate) purl: Option<String>,
}

/// The rule's severity for a match's rating.
fn severity(rating: cvss::Severity) -> Severity {
    match rating {
        cvss::Severity::None => Severity::Info,
        cvss::Severity::Low => Severity::Low,
        cvss::Severity::Medium => Severity::Medium,
        cvss::Severity::High => Severity::High,
        cvss::Severity::Critical => Severity::Critical,
    }
}

/// Whether a record's distribution rating is one the distribution itself ignores.
fn is_negligible(record: &Record) -> bool {
    record.debian_urgency().is_some_and(|u| u.eq_ignore_ascii_case("unimportant"))
        || record.ubuntu_priority().is_some_and(|p| p.eq_ignore_ascii_case("negligible"))
}

/// Matches every candidate against the database, filtered; records are looked up once per
/// (ecosystem, name). Failed lookups are recorded in `shared`.
pub(crate) fn match_candidates(
    shared: &SharedDatabase,
    db: &Database,
    candidates: &[Candidate],
) -> Vec<VulnerablePackage> {
    let filters = &shared.filters;
    let mut cache: HashMap<(String, String), Vec<Record>> = HashMap::new();
    let mut out = Vec::new();
    for candidate in candidates {
        let key = (
            shipshape_vulndb::normalize_ecosystem(&candidate.lookup.ecosystem),
            shipshape_vulndb::normalize_name(&candidate.lookup.ecosystem, &candidate.lookup.name),
        );
        let records = cache.entry(key).or_insert_with(|| {
            match db.records_for(&candidate.lookup.ecosystem, &candidate.lookup.name) {
                Ok(records) => records,
                Err(error) => {
                    shared.problem(error.to_string());
                    Vec::new()
                }
            }
        });
        if records.is_empty() {
            continue;
        }
        let mut matches = match_package(&candidate.lookup, records);
        for ecosystem in &candidate.also {
            let other = LockedPackage { ecosystem: ecosystem.clone(), ..candidate.lookup.clone() };
            for found in match_package(&other, records) {
                if !matches.iter().any(|m| m.id == found.id) {
                    matches.push(found);
                }
            }
        }
        for found in matches {
            let merged: Vec<&Record> = records.iter().filter(|r| found.records.contains(&r.id)).collect();
            if !filters.show_negligible && !merged.is_empty() && merged.iter().all(|r| is_negligible(r)) {
                continue;
            }
            let malicious = std::iter::once(&found.id)
                .chain(&found.aliases)
                .any(|id| shipshape_rules::is_malicious_id(id));
            // A malicious release is never fixed; it is not an "unfixed vulnerability".
            if filters.ignore_unfixed && found.fixed.is_none() && !malicious {
                continue;
            }
            let ids = std::iter::once(&found.id).chain(&found.aliases);
            if filters.vex.not_affected(ids, candidate.purl.as_deref(), &candidate.name) {
                continue;
            }
            let severity_source = found.severity.as_ref().map(|s| match s.score {
                Some(score) => format!("{} ({score:.1})", s.source),
                None => s.source.clone(),
            });
            out.push(VulnerablePackage {
                origin: candidate.origin.clone(),
                name: candidate.name.clone(),
                version: candidate.version.clone(),
                source_name: (candidate.lookup.name != candidate.name).then(|| candidate.lookup.name.clone()),
                id: found.id,
                aliases: found.aliases,
                fixed: found.fixed,
                severity: found.severity.as_ref().map(|s| severity(s.rating)),
                severity_source,
                summary: found.summary,
                layer: candidate.layer.clone(),
                purl: candidate.purl.clone(),
            });
        }
    }
    out
}

/// The byte range of 1-based line `line` of `text`, without its line break and surrounding
/// blanks (an empty range at the end of the text when the line does not exist).
pub(crate) fn line_span(text: &str, line: usize) -> shipshape_model::Span {
    let mut start = 0;
    for (index, content) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let trimmed_start = content.len() - content.trim_start().len();
            let body = content.trim();
            let begin = start + trimmed_start;
            return shipshape_model::Span::from_range(begin..begin + body.len());
        }
        start += content.len();
    }
    shipshape_model::Span::from_range(text.len()..text.len())
}
