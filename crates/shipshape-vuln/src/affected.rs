//! The OSV evaluation algorithm: is a version of a package affected by a record?
//!
//! For each range of an affected entry (GIT ranges are skipped: commits are not package
//! versions), the events are sorted by version, `introduced: "0"` first, ties keeping
//! `introduced` before `last_affected` before `fixed`. Walking them in order, an `introduced`
//! at or below the version makes it affected, a `fixed` at or below it makes it unaffected
//! again, and a `last_affected` strictly below it likewise. `limit` events bound the whole
//! range: the version must be below at least one of them (`*` is unbounded). `SEMVER` ranges
//! compare with Semantic Versioning, `ECOSYSTEM` ranges with the ecosystem's own rules. A
//! version listed in `versions` is affected too.
//!
//! Sorting uses an insertion sort over the crate's comparators, so it cannot panic whatever
//! the event versions are.

use std::cmp::Ordering;

use crate::osv::{Affected, EventKind, Range, RangeKind, Record};
use crate::version::{Ecosystem, EcosystemFamily, ParsedEcosystem, Version};

/// How a version was found to be affected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchedBy {
    /// By the range at this index of the affected entry's `ranges`.
    Range {
        /// Index into `ranges`.
        index: usize,
        /// The range's type (`SEMVER` or `ECOSYSTEM`).
        kind: RangeKind,
    },
    /// By the affected entry's explicit `versions` list.
    VersionsList,
}

/// A version found affected, with what bounds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedMatch {
    /// The `introduced` event that opened the affected interval (`0` from the beginning);
    /// `None` when matched by the versions list.
    pub introduced: Option<String>,
    /// The first `fixed` version after the version in the same range: upgrading to it (or
    /// later) fixes this vulnerability. `None` when no fix is known.
    pub fixed: Option<String>,
    /// The `last_affected` version that closes the interval, when the range uses those.
    pub last_affected: Option<String>,
    /// Which part of the affected entry matched.
    pub matched_by: MatchedBy,
}

/// Whether `version` of a package in `ecosystem` is affected according to one affected entry
/// of an OSV record (the package itself is not checked here; see [`record_affects`]).
///
/// Ranges are tried in order and the first that contains the version is reported; the
/// `versions` list is the fallback. Versions are listed matches when equal as text or, for an
/// ecosystem with comparison rules, equal under those rules (`1.0` = `1.0.0` in PyPI).
pub fn is_affected(affected: &Affected, ecosystem: &Ecosystem, version: &str) -> Option<AffectedMatch> {
    let family = ecosystem.family();
    for (index, range) in affected.ranges.iter().enumerate() {
        let range_family = match range.kind {
            RangeKind::Semver => EcosystemFamily::SemVer,
            RangeKind::Ecosystem => match family {
                Some(family) => family,
                None => continue,
            },
            RangeKind::Git | RangeKind::Other(_) => continue,
        };
        if let Some(hit) = evaluate_range(range, range_family, version) {
            return Some(AffectedMatch {
                introduced: Some(hit.introduced.to_owned()),
                fixed: hit.fixed.map(str::to_owned),
                last_affected: hit.last_affected.map(str::to_owned),
                matched_by: MatchedBy::Range { index, kind: range.kind.clone() },
            });
        }
    }
    let listed = affected.versions.iter().any(|listed| {
        listed == version || family.is_some_and(|f| crate::version::compare(f, listed, version).is_eq())
    });
    listed.then_some(AffectedMatch {
        introduced: None,
        fixed: None,
        last_affected: None,
        matched_by: MatchedBy::VersionsList,
    })
}

/// Every affected entry of `record` that names the package `name` in `ecosystem` and
/// contains `version`, as `(index into affected, match)`. Empty for withdrawn records.
///
/// The ecosystems must be the same; a release on both sides must match too (ignoring ASCII
/// case), while a missing release on either side matches any. Names compare exactly, except
/// PyPI (PEP 503 normalisation) and NuGet and Packagist (ignoring ASCII case).
pub fn record_affects(
    record: &Record,
    ecosystem: &ParsedEcosystem,
    name: &str,
    version: &str,
) -> Vec<(usize, AffectedMatch)> {
    if record.is_withdrawn() {
        return Vec::new();
    }
    record
        .affected
        .iter()
        .enumerate()
        .filter(|(_, affected)| {
            affected.package.as_ref().is_some_and(|package| {
                let theirs = ParsedEcosystem::parse(&package.ecosystem);
                theirs.ecosystem == ecosystem.ecosystem
                    && releases_match(theirs.release.as_deref(), ecosystem.release.as_deref())
                    && names_match(&ecosystem.ecosystem, &package.name, name)
            })
        })
        .filter_map(|(index, affected)| Some((index, is_affected(affected, &ecosystem.ecosystem, version)?)))
        .collect()
}

fn releases_match(theirs: Option<&str>, ours: Option<&str>) -> bool {
    match (theirs, ours) {
        (Some(theirs), Some(ours)) => theirs.eq_ignore_ascii_case(ours),
        _ => true,
    }
}

fn names_match(ecosystem: &Ecosystem, theirs: &str, ours: &str) -> bool {
    match ecosystem {
        Ecosystem::PyPi => pep503_normalized(theirs) == pep503_normalized(ours),
        Ecosystem::NuGet | Ecosystem::Packagist => theirs.eq_ignore_ascii_case(ours),
        _ => theirs == ours,
    }
}

/// Lower case, with every run of `-`, `_` and `.` replaced by one `-`.
fn pep503_normalized(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for character in name.trim().chars() {
        if matches!(character, '-' | '_' | '.') {
            if !in_separator_run {
                normalized.push('-');
            }
            in_separator_run = true;
        } else {
            normalized.extend(character.to_lowercase());
            in_separator_run = false;
        }
    }
    normalized
}

/// What bounds an affected version within one range.
struct RangeHit<'a> {
    introduced: &'a str,
    fixed: Option<&'a str>,
    last_affected: Option<&'a str>,
}

/// A non-limit event with its parsed version; `at` is `None` for `introduced: "0"`.
struct Point<'a> {
    kind: EventKind<'a>,
    at: Option<Version<'a>>,
}

fn kind_rank(kind: EventKind<'_>) -> u8 {
    match kind {
        EventKind::Introduced(_) => 0,
        EventKind::LastAffected(_) => 1,
        EventKind::Fixed(_) => 2,
        EventKind::Limit(_) => 3,
    }
}

fn cmp_points(a: &Point<'_>, b: &Point<'_>) -> Ordering {
    let by_version = match (&a.at, &b.at) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y),
    };
    by_version.then_with(|| kind_rank(a.kind).cmp(&kind_rank(b.kind)))
}

/// Stable insertion sort; never panics, even if the comparator is not a total order.
fn insertion_sort<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    for unsorted in 1..items.len() {
        let mut position = unsorted;
        while position > 0 {
            let out_of_order = match (items.get(position - 1), items.get(position)) {
                (Some(before), Some(current)) => cmp(before, current) == Ordering::Greater,
                _ => false,
            };
            if !out_of_order {
                break;
            }
            items.swap(position - 1, position);
            position -= 1;
        }
    }
}

fn evaluate_range<'a>(range: &'a Range, family: EcosystemFamily, version: &str) -> Option<RangeHit<'a>> {
    let target = Version::parse(family, version);
    let kinds = range.events.iter().filter_map(|event| event.kind());

    let mut limits = kinds.clone().filter_map(|kind| match kind {
        EventKind::Limit(limit) => Some(limit),
        _ => None,
    });
    let mut has_limit = false;
    let below_a_limit = limits.any(|limit| {
        has_limit = true;
        limit == "*" || target < Version::parse(family, limit)
    });
    if has_limit && !below_a_limit {
        return None;
    }

    let mut points: Vec<Point<'a>> = kinds
        .filter(|kind| !matches!(kind, EventKind::Limit(_)))
        .map(|kind| Point {
            kind,
            at: match kind {
                EventKind::Introduced("0") => None,
                other => Some(Version::parse(family, other.version())),
            },
        })
        .collect();
    insertion_sort(&mut points, cmp_points);

    let mut introduced = None;
    for point in &points {
        let reached = |inclusive: bool| match &point.at {
            None => true,
            Some(at) if inclusive => target >= *at,
            Some(at) => target > *at,
        };
        match point.kind {
            EventKind::Introduced(at) if reached(true) => introduced = Some(at),
            EventKind::Fixed(_) if reached(true) => introduced = None,
            EventKind::LastAffected(_) if reached(false) => introduced = None,
            _ => {}
        }
    }
    let introduced = introduced?;

    let closer = points.iter().find(|point| match (&point.at, point.kind) {
        (Some(at), EventKind::Fixed(_)) => target < *at,
        (Some(at), EventKind::LastAffected(_)) => target <= *at,
        _ => false,
    });
    Some(RangeHit {
        introduced,
        fixed: closer.and_then(|p| match p.kind {
            EventKind::Fixed(fixed) => Some(fixed),
            _ => None,
        }),
        last_affected: closer.and_then(|p| match p.kind {
            EventKind::LastAffected(last) => Some(last),
            _ => None,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::{Event, Package};

    fn entry(kind: RangeKind, events: Vec<Event>) -> Affected {
        Affected {
            package: Some(Package { ecosystem: "Debian:12".into(), name: "openssl".into(), purl: None }),
            ranges: vec![Range { kind, repo: None, events, database_specific: None }],
            ..Affected::default()
        }
    }

    fn fixed_for(affected: &Affected, ecosystem: &Ecosystem, version: &str) -> Option<Option<String>> {
        is_affected(affected, ecosystem, version).map(|m| m.fixed)
    }

    #[test]
    fn unsorted_events_with_several_introduced_fixed_pairs() {
        let affected = entry(
            RangeKind::Ecosystem,
            vec![
                Event::fixed("3.0.11-1~deb12u1"),
                Event::introduced("3.0.0-1"),
                Event::fixed("1.1.1n-0+deb11u4"),
                Event::introduced("0"),
            ],
        );
        let debian = Ecosystem::Debian;
        assert_eq!(fixed_for(&affected, &debian, "1.1.1n-0+deb11u3"), Some(Some("1.1.1n-0+deb11u4".into())));
        assert_eq!(fixed_for(&affected, &debian, "1.1.1n-0+deb11u4"), None);
        assert_eq!(fixed_for(&affected, &debian, "1.1.1w-0+deb11u1"), None);
        assert_eq!(fixed_for(&affected, &debian, "3.0.0-1"), Some(Some("3.0.11-1~deb12u1".into())));
        assert_eq!(fixed_for(&affected, &debian, "3.0.11-1"), None);
        assert_eq!(fixed_for(&affected, &debian, "3.0.11-1~deb12u1"), None);
        assert_eq!(fixed_for(&affected, &debian, "3.0.11-1~deb12u0"), Some(Some("3.0.11-1~deb12u1".into())));
    }

    #[test]
    fn last_affected_is_inclusive() {
        let affected =
            entry(RangeKind::Semver, vec![Event::introduced("1.2.0"), Event::last_affected("1.4.2")]);
        let npm = Ecosystem::Npm;
        assert!(is_affected(&affected, &npm, "1.1.9").is_none());
        let hit = is_affected(&affected, &npm, "1.2.0").unwrap();
        assert_eq!((hit.introduced.as_deref(), hit.last_affected.as_deref()), (Some("1.2.0"), Some("1.4.2")));
        assert_eq!(hit.fixed, None);
        assert!(is_affected(&affected, &npm, "1.4.2").is_some());
        assert!(is_affected(&affected, &npm, "1.4.3-rc.1").is_none());
        assert!(is_affected(&affected, &npm, "1.4.3").is_none());
    }

    #[test]
    fn introduced_alone_affects_everything_after_it() {
        let affected = entry(RangeKind::Ecosystem, vec![Event::introduced("2.0")]);
        assert!(is_affected(&affected, &Ecosystem::PyPi, "1.9").is_none());
        assert!(is_affected(&affected, &Ecosystem::PyPi, "2.0.0").is_some());
        assert!(is_affected(&affected, &Ecosystem::PyPi, "99").is_some());
        let everything = entry(RangeKind::Ecosystem, vec![Event::introduced("0")]);
        assert!(is_affected(&everything, &Ecosystem::PyPi, "0.0.0.dev0").is_some());
        assert!(is_affected(&everything, &Ecosystem::PyPi, "not a version").is_some());
    }

    #[test]
    fn limit_bounds_the_whole_range() {
        let affected = entry(
            RangeKind::Semver,
            vec![
                Event::introduced("0"),
                Event::fixed("1.0.0"),
                Event::introduced("2.0.0"),
                Event::limit("2.5.0"),
            ],
        );
        let go = Ecosystem::Go;
        assert!(is_affected(&affected, &go, "0.9.0").is_some());
        assert!(is_affected(&affected, &go, "1.5.0").is_none());
        assert!(is_affected(&affected, &go, "2.4.9").is_some());
        assert!(is_affected(&affected, &go, "2.5.0").is_none());
        assert!(is_affected(&affected, &go, "3.0.0").is_none());
        let unbounded = entry(RangeKind::Semver, vec![Event::introduced("1.0.0"), Event::limit("*")]);
        assert!(is_affected(&unbounded, &go, "9.9.9").is_some());
        let two_limits = entry(
            RangeKind::Semver,
            vec![Event::introduced("1.0.0"), Event::limit("1.5.0"), Event::limit("3.0.0")],
        );
        assert!(is_affected(&two_limits, &go, "2.0.0").is_some(), "below one of the limits");
        assert!(is_affected(&two_limits, &go, "3.0.0").is_none());
    }

    #[test]
    fn versions_list_only() {
        let affected = Affected { versions: vec!["1.0".into(), "1.1".into()], ..Affected::default() };
        let hit = is_affected(&affected, &Ecosystem::Maven, "1.1.0").unwrap();
        assert_eq!(hit.matched_by, MatchedBy::VersionsList);
        assert!(is_affected(&affected, &Ecosystem::Maven, "1.2").is_none());
        // An ecosystem without comparison rules matches listed versions exactly.
        let android = Ecosystem::Android;
        assert!(is_affected(&affected, &android, "1.0").is_some());
        assert!(is_affected(&affected, &android, "1.0.0").is_none());
    }

    #[test]
    fn ecosystem_ranges_need_comparison_rules_but_semver_ranges_do_not() {
        let ecosystem_range = entry(RangeKind::Ecosystem, vec![Event::introduced("0"), Event::fixed("2")]);
        assert!(is_affected(&ecosystem_range, &Ecosystem::Android, "1").is_none());
        let semver_range = entry(RangeKind::Semver, vec![Event::introduced("0"), Event::fixed("2.0.0")]);
        assert!(is_affected(&semver_range, &Ecosystem::Android, "1.0.0").is_some());
        let git_range = entry(RangeKind::Git, vec![Event::introduced("0"), Event::fixed("abc")]);
        assert!(is_affected(&git_range, &Ecosystem::Debian, "1.0").is_none());
    }

    #[test]
    fn malformed_events_are_skipped_not_fatal() {
        let mut events = vec![Event::introduced("1.0.0"), Event::fixed("2.0.0")];
        events.push(Event { introduced: Some("0".into()), fixed: Some("9".into()), ..Event::default() });
        let affected = entry(RangeKind::Semver, events);
        assert!(is_affected(&affected, &Ecosystem::CratesIo, "0.5.0").is_none());
        assert!(is_affected(&affected, &Ecosystem::CratesIo, "1.5.0").is_some());
    }

    #[test]
    fn insertion_sort_survives_an_inconsistent_comparator() {
        let mut items = [3, 1, 2, 5, 4];
        insertion_sort(&mut items, |_, _| Ordering::Greater);
        insertion_sort(&mut items, |a, b| a.cmp(b));
        assert_eq!(items, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503_normalized("Foo__Bar.baz"), "foo-bar-baz");
        assert!(names_match(&Ecosystem::PyPi, "zope.interface", "Zope-Interface"));
        assert!(!names_match(&Ecosystem::Npm, "Lodash", "lodash"));
    }
}
