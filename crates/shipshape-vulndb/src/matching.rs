//! Matching packages against the database.
//!
//! Each package is looked up by `(ecosystem, name)` and every record is evaluated with
//! [`shipshape_vuln::record_affects`] (exact version semantics of the ecosystem, releases,
//! PEP 503 names). Records that describe the same vulnerability (one lists the other's id
//! among its aliases, or both list a common alias such as a CVE id) are merged into one
//! [`Match`]: its `id` is the preferred identifier of the group (a CVE id first, then a GHSA
//! id, then the alphabetically first record id), `aliases` the rest.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use shipshape_vuln::cvss::{self, Severity};
use shipshape_vuln::osv::{Record, SeverityKind};
use shipshape_vuln::version::ParsedEcosystem;
use shipshape_vuln::{AffectedMatch, compare, record_affects};

use crate::error::Error;
use crate::lockfiles::LockedPackage;
use crate::store::Database;

/// A package affected by a vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// The package.
    pub package: LockedPackage,
    /// The preferred identifier (CVE, then GHSA, then the record's id).
    pub id: String,
    /// Every other identifier of the vulnerability: ids of the merged records and their
    /// aliases, sorted.
    pub aliases: Vec<String>,
    /// The ids of the database records that matched, sorted.
    pub records: Vec<String>,
    /// The lowest version that fixes every merged record (the highest of their fixed
    /// versions), when one is known.
    pub fixed: Option<String>,
    /// The highest severity of the merged records, when one is known.
    pub severity: Option<MatchSeverity>,
    /// The summary of the record the id comes from, or of the first merged record that has
    /// one.
    pub summary: Option<String>,
}

/// How severe a vulnerability is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchSeverity {
    /// The rating.
    #[serde(with = "rating")]
    pub rating: Severity,
    /// The CVSS base score, when the rating comes from a vector.
    pub score: Option<f64>,
    /// Where the rating comes from: a CVSS vector, or `database_specific.severity` and the
    /// like (`GHSA: MODERATE`, `Ubuntu: medium`).
    pub source: String,
}

mod rating {
    use serde::{Deserialize, Deserializer, Serializer};
    use shipshape_vuln::cvss::Severity;

    pub(super) fn serialize<S: Serializer>(rating: &Severity, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(rating.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Severity, D::Error> {
        let name = String::deserialize(deserializer)?;
        Severity::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown severity {name:?}")))
    }
}

impl MatchSeverity {
    fn cmp_rank(&self, other: &MatchSeverity) -> Ordering {
        self.rating.cmp(&other.rating).then_with(|| {
            self.score.unwrap_or(-1.0).partial_cmp(&other.score.unwrap_or(-1.0)).unwrap_or(Ordering::Equal)
        })
    }
}

/// The severity of a record: the highest-scoring CVSS vector of the record or its affected
/// entries, else `database_specific.severity` (GitHub's rating), else Ubuntu's priority or
/// Debian's urgency when they name a rating.
pub fn record_severity(record: &Record) -> Option<MatchSeverity> {
    let vectors = record.severity.iter().chain(record.affected.iter().flat_map(|a| &a.severity));
    let best_vector = vectors
        .filter(|s| matches!(s.kind, SeverityKind::CvssV2 | SeverityKind::CvssV3 | SeverityKind::CvssV4))
        .filter_map(|s| {
            let scored = cvss::score(&s.score).ok()?;
            Some(MatchSeverity {
                rating: scored.severity(),
                score: Some(scored.score),
                source: s.score.clone(),
            })
        })
        .max_by(MatchSeverity::cmp_rank);
    if best_vector.is_some() {
        return best_vector;
    }
    let named = |source: &str, name: Option<&str>| {
        let name = name?;
        Some(MatchSeverity {
            rating: Severity::from_name(name)?,
            score: None,
            source: format!("{source}: {name}"),
        })
    };
    let database = record.database_specific.as_ref().and_then(|d| d.get("severity")).and_then(|s| s.as_str());
    named("database_specific", database)
        .or_else(|| named("Ubuntu", record.ubuntu_priority()))
        .or_else(|| named("Debian", record.debian_urgency()))
}

/// Preference of an identifier as the one shown: CVE, then GHSA, then anything else.
fn id_rank(id: &str) -> u8 {
    if id.starts_with("CVE-") {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else {
        2
    }
}

/// Matches every package against the database; see the module documentation. Matches are in
/// package order, then by id.
pub fn match_packages(db: &Database, packages: &[LockedPackage]) -> Result<Vec<Match>, Error> {
    // Look each (ecosystem, name) up once, however many lockfiles pin it, and drop its records
    // before the next lookup, so memory stays bounded by one package's records.
    let mut by_key: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut keys_in_order = Vec::new();
    for (index, package) in packages.iter().enumerate() {
        let key = (
            crate::normalize_ecosystem(&package.ecosystem),
            crate::normalize_name(&package.ecosystem, &package.name),
        );
        by_key
            .entry(key)
            .or_insert_with_key(|key| {
                keys_in_order.push(key.clone());
                Vec::new()
            })
            .push(index);
    }
    let mut per_package: Vec<Vec<Match>> = vec![Vec::new(); packages.len()];
    for key in keys_in_order {
        let indices = by_key.get(&key).map_or(&[][..], Vec::as_slice);
        let Some(first) = indices.first().and_then(|&i| packages.get(i)) else { continue };
        let records = db.records_for(&first.ecosystem, &first.name)?;
        if records.is_empty() {
            continue;
        }
        for &index in indices {
            if let (Some(package), Some(slot)) = (packages.get(index), per_package.get_mut(index)) {
                *slot = match_package(package, &records);
            }
        }
    }
    Ok(per_package.into_iter().flatten().collect())
}

/// Matches one package against candidate records (those [`Database::records_for`] returns),
/// merging aliased records.
pub fn match_package(package: &LockedPackage, records: &[Record]) -> Vec<Match> {
    let ecosystem = ParsedEcosystem::parse(&package.ecosystem);
    let hits: Vec<(&Record, Vec<AffectedMatch>)> = records
        .iter()
        .filter_map(|record| {
            let found = record_affects(record, &ecosystem, &package.name, &package.version);
            (!found.is_empty()).then(|| (record, found.into_iter().map(|(_, m)| m).collect()))
        })
        .collect();

    // Union-find over the hits: two records are one vulnerability when their identifier sets
    // (id + aliases) intersect.
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while let Some(&p) = parent.get(i) {
            if p == i {
                break;
            }
            let grandparent = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(i) {
                *slot = grandparent;
            }
            i = p;
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, (record, _)) in hits.iter().enumerate() {
        for identifier in std::iter::once(&record.id).chain(&record.aliases) {
            match owner.get(identifier.as_str()) {
                Some(&other) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, other));
                    if let Some(slot) = parent.get_mut(a) {
                        *slot = b;
                    }
                }
                None => {
                    owner.insert(identifier, i);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for i in 0..hits.len() {
        let root = find(&mut parent, i);
        let group = *group_of.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        if let Some(members) = groups.get_mut(group) {
            members.push(i);
        }
    }

    let family = ecosystem.family();
    let mut out: Vec<Match> = groups
        .into_iter()
        .map(|members| {
            let members: Vec<&(&Record, Vec<AffectedMatch>)> =
                members.iter().filter_map(|&i| hits.get(i)).collect();
            let record_ids: BTreeSet<String> = members.iter().map(|(r, _)| r.id.clone()).collect();
            let mut identifiers: BTreeSet<String> = record_ids.clone();
            identifiers.extend(members.iter().flat_map(|(r, _)| r.aliases.iter().cloned()));
            identifiers.retain(|i| !i.trim().is_empty());
            let id = identifiers
                .iter()
                .min_by(|a, b| {
                    let rank = |x: &String| (id_rank(x), if record_ids.contains(x) { 0 } else { 1 });
                    rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
                })
                .cloned()
                .unwrap_or_default();
            let aliases = identifiers.into_iter().filter(|i| *i != id).collect();
            let fixed = members
                .iter()
                .flat_map(|(_, found)| found.iter().filter_map(|m| m.fixed.clone()))
                .max_by(|a, b| match family {
                    Some(family) => compare(family, a, b),
                    None => a.cmp(b),
                });
            let severity =
                members.iter().filter_map(|(r, _)| record_severity(r)).max_by(MatchSeverity::cmp_rank);
            let summary = members
                .iter()
                .find(|(r, _)| r.id == id)
                .into_iter()
                .chain(members.iter())
                .find_map(|(r, _)| r.summary.clone().filter(|s| !s.trim().is_empty()));
            Match {
                package: package.clone(),
                id,
                aliases,
                records: record_ids.into_iter().collect(),
                fixed,
                severity,
                summary,
            }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_vuln::osv::{Affected, Event, Package, Range, RangeKind, Severity as OsvSeverity};

    fn record(id: &str, aliases: &[&str], fixed: &str) -> Record {
        Record {
            id: id.into(),
            modified: "2024-01-01T00:00:00Z".into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            summary: Some(format!("summary of {id}")),
            affected: vec![Affected {
                package: Some(Package { ecosystem: "PyPI".into(), name: "django".into(), purl: None }),
                ranges: vec![Range {
                    kind: RangeKind::Ecosystem,
                    repo: None,
                    events: vec![Event::introduced("0"), Event::fixed(fixed)],
                    database_specific: None,
                }],
                ..Affected::default()
            }],
            ..Record::default()
        }
    }

    fn django(version: &str) -> LockedPackage {
        LockedPackage { ecosystem: "PyPI".into(), name: "Django".into(), version: version.into(), line: 3 }
    }

    #[test]
    fn aliased_records_merge_and_prefer_the_cve_id() {
        let mut ghsa = record("GHSA-aaaa-bbbb-cccc", &["CVE-2021-1"], "3.2.5");
        ghsa.database_specific = Some(serde_json::json!({"severity": "MODERATE"}));
        let mut pysec = record("PYSEC-2021-9", &["CVE-2021-1", "GHSA-aaaa-bbbb-cccc"], "3.2.4");
        pysec.severity = vec![OsvSeverity {
            kind: SeverityKind::CvssV3,
            score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
        }];
        let unrelated = record("PYSEC-2021-10", &[], "4.0");
        let not_affecting = record("PYSEC-2020-1", &[], "1.0");
        let matches = match_package(&django("3.2.0"), &[ghsa, pysec, unrelated, not_affecting]);
        assert_eq!(matches.len(), 2, "{matches:#?}");
        let merged = &matches[0];
        assert_eq!(merged.id, "CVE-2021-1");
        assert_eq!(merged.aliases, ["GHSA-aaaa-bbbb-cccc", "PYSEC-2021-9"]);
        assert_eq!(merged.records, ["GHSA-aaaa-bbbb-cccc", "PYSEC-2021-9"]);
        assert_eq!(merged.fixed.as_deref(), Some("3.2.5"), "the fix for both");
        let severity = merged.severity.as_ref().unwrap();
        assert_eq!((severity.rating, severity.score), (Severity::Critical, Some(9.8)));
        assert_eq!(merged.summary.as_deref(), Some("summary of GHSA-aaaa-bbbb-cccc"));
        assert_eq!(matches[1].id, "PYSEC-2021-10");
        assert_eq!(matches[1].aliases, Vec::<String>::new());
        assert_eq!(matches[1].severity, None);
    }

    #[test]
    fn transitive_aliases_and_versions_outside_ranges() {
        // A ↔ B through CVE-1, B ↔ C through CVE-2: one group.
        let a = record("OSV-A", &["CVE-1"], "2.0");
        let b = record("OSV-B", &["CVE-1", "CVE-2"], "2.0");
        let c = record("OSV-C", &["CVE-2"], "2.1");
        let matches = match_package(&django("1.0"), &[a.clone(), b.clone(), c.clone()]);
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0].id, "CVE-1");
        assert_eq!(matches[0].aliases, ["CVE-2", "OSV-A", "OSV-B", "OSV-C"]);
        assert_eq!(matches[0].fixed.as_deref(), Some("2.1"));
        assert!(match_package(&django("2.1"), &[a, b, c]).is_empty());
    }

    #[test]
    fn severities_without_vectors() {
        let mut r = record("X", &[], "1");
        r.database_specific = Some(serde_json::json!({"severity": "HIGH"}));
        assert_eq!(record_severity(&r).unwrap().rating, Severity::High);
        r.database_specific = None;
        r.severity = vec![OsvSeverity { kind: SeverityKind::Ubuntu, score: "medium".into() }];
        assert_eq!(record_severity(&r).unwrap().source, "Ubuntu: medium");
        r.severity = vec![OsvSeverity { kind: SeverityKind::CvssV3, score: "garbage".into() }];
        assert_eq!(record_severity(&r), None);
    }
}
