//! The OSV model, validation and evaluation against the real records (and their deliberately
//! broken variants) of the OSV linter's test data in `shared/osv-version-vectors`.

use std::path::{Path, PathBuf};

use shipshape_vuln::osv::{PackageIndex, Problem, RangeKind, Record, SeverityKind};
use shipshape_vuln::version::{Ecosystem, ParsedEcosystem};
use shipshape_vuln::{MatchedBy, is_affected, record_affects};

fn testdata_dir() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv-version-vectors/osv-linter-testdata");
    assert!(
        dir.is_dir(),
        "the OSV linter test data is missing: expected the directory {} \
         (shared/osv-version-vectors/osv-linter-testdata next to the repository checkout)",
        dir.display()
    );
    dir
}

fn load(file: &str) -> Record {
    let path = testdata_dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Record::from_json(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

const REAL_RECORDS: &[&str] = &[
    "CVE-2018-5407.json",
    "CVE-2023-41045.json",
    "GHSA-9v2f-6vcg-3hgv.json",
    "GO-2020-0001.json",
    "GO-2024-2963.json",
    "MAL-2024-10238.json",
    "PYSEC-2023-74.json",
    "RHSA-2022_0216.json",
    "SUSE-FU-2022_0444-1.json",
];

#[test]
fn every_real_record_parses_and_validates() {
    for file in REAL_RECORDS {
        let record = load(file);
        assert!(!record.id.is_empty(), "{file}");
        if let Err(invalid) = record.validate() {
            panic!("{file} should be valid: {invalid}");
        }
        assert!(!record.is_withdrawn(), "{file}");
    }
}

#[test]
fn every_json_file_of_the_test_data_is_checked() {
    for entry in std::fs::read_dir(testdata_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            let known = REAL_RECORDS.contains(&name.as_str())
                || ["nointroduced-", "nondistinct-", "nopackage-"].iter().any(|p| name.starts_with(p));
            assert!(known, "{name} is not covered by these tests");
        }
    }
}

#[test]
fn a_range_without_introduced_is_rejected() {
    let invalid = load("nointroduced-CVE-2023-41045.json").validate().unwrap_err();
    assert_eq!(invalid.problems, vec![Problem::MissingIntroduced { affected: 0, range: 0 }]);
    assert!(invalid.to_string().contains("affected[0].ranges[0] has no introduced event"), "{invalid}");
}

#[test]
fn non_distinct_events_are_rejected() {
    let invalid = load("nondistinct-CVE-2018-5407.json").validate().unwrap_err();
    assert_eq!(invalid.problems.len(), 1, "{invalid}");
    match &invalid.problems[0] {
        Problem::NonDistinctEvents { first, second, version, .. } => {
            assert_eq!((*first, *second), ("introduced", "fixed"));
            assert_eq!(version, "e818b74be2170fbe957a07b0da4401c2b694b3b8");
        }
        other => panic!("unexpected problem {other:?}"),
    }
}

/// The package names a registry knows, standing in for the registry lookups of the linter.
struct KnownPackages(&'static [(&'static str, &'static str)]);

impl PackageIndex for KnownPackages {
    fn package_exists(&self, ecosystem: &str, name: &str) -> Option<bool> {
        let covered = self.0.iter().any(|(e, _)| *e == ecosystem);
        covered.then(|| self.0.iter().any(|(e, n)| *e == ecosystem && n.eq_ignore_ascii_case(name)))
    }
}

#[test]
fn a_package_unknown_to_the_index_is_rejected() {
    let pypi = KnownPackages(&[("PyPI", "gradio"), ("PyPI", "requests")]);
    let broken = load("nopackage-GHSA-9v2f-6vcg-3hgv.json");
    // Structurally the record is fine: only the registry knows "Gradi0" does not exist.
    assert!(broken.validate().is_ok());
    let invalid = broken.validate_against(&pypi).unwrap_err();
    assert_eq!(
        invalid.problems,
        vec![Problem::UnknownPackage { affected: 0, ecosystem: "PyPI".into(), name: "Gradi0".into() }]
    );
    load("GHSA-9v2f-6vcg-3hgv.json").validate_against(&pypi).unwrap();
    // Ecosystems the index does not cover are not judged.
    load("GO-2020-0001.json").validate_against(&pypi).unwrap();
}

#[test]
fn an_affected_entry_without_package_is_rejected_unless_git_only() {
    let mut record = load("GO-2020-0001.json");
    record.affected[0].package = None;
    let invalid = record.validate().unwrap_err();
    assert_eq!(invalid.problems, vec![Problem::MissingPackage { affected: 0 }]);
    // CVE-2023-41045 has no package, but only a GIT range: valid.
    assert!(load("CVE-2023-41045.json").affected[0].package.is_none());
}

#[test]
fn malformed_events_and_unknown_range_types_are_rejected() {
    let text = r#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1.0.0"},{}]},
                  {"type":"CALVER","events":[{"introduced":"0"}]},
                  {"type":"GIT","events":[{"introduced":"0"}]}]}]}"#;
    let invalid = Record::from_json(text).unwrap().validate().unwrap_err();
    assert_eq!(
        invalid.problems,
        vec![
            Problem::MalformedEvent { affected: 0, range: 0, event: 0, fields: 2 },
            Problem::MalformedEvent { affected: 0, range: 0, event: 1, fields: 0 },
            Problem::MissingIntroduced { affected: 0, range: 0 },
            Problem::UnknownRangeType { affected: 0, range: 1, kind: "CALVER".into() },
            Problem::GitRangeWithoutRepo { affected: 0, range: 2 },
        ]
    );
    let no_id = Record::from_json(r#"{"affected":[]}"#).unwrap().validate().unwrap_err();
    assert_eq!(no_id.problems, vec![Problem::MissingId, Problem::MissingModified]);
}

#[test]
fn the_model_reads_every_field() {
    let record = load("PYSEC-2023-74.json");
    let affected = &record.affected[0];
    let package = affected.package.as_ref().unwrap();
    assert_eq!((package.ecosystem.as_str(), package.name.as_str()), ("PyPI", "requests"));
    assert_eq!(package.purl.as_deref(), Some("pkg:pypi/requests"));
    assert_eq!(affected.ranges[0].kind, RangeKind::Git);
    assert_eq!(affected.ranges[0].repo.as_deref(), Some("https://github.com/psf/requests"));
    assert_eq!(affected.ranges[1].kind, RangeKind::Ecosystem);
    assert!(affected.versions.len() > 60);

    let go = load("GO-2020-0001.json");
    assert_eq!(go.schema_version.as_deref(), Some("1.3.1"));
    assert_eq!(go.aliases, ["CVE-2020-36567", "GHSA-6vm3-jj99-7229"]);
    assert!(go.affected[0].ecosystem_specific.as_ref().unwrap().get("imports").is_some());
    assert_eq!(go.credits[0].name, "@thinkerou <thinkerou@gmail.com>");

    let rhsa = load("RHSA-2022_0216.json");
    assert_eq!(rhsa.related.len(), 3);
    assert_eq!(rhsa.severity[0].kind, SeverityKind::CvssV3);
    assert_eq!(rhsa.severity[0].score, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");

    // Round trip keeps the content.
    let again: Record = serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
    assert_eq!(again, record);
}

#[test]
fn withdrawn_records_are_flagged_and_affect_nothing() {
    let mut record = load("GO-2020-0001.json");
    let go = ParsedEcosystem::parse("Go");
    assert_eq!(record_affects(&record, &go, "github.com/gin-gonic/gin", "1.5.0").len(), 1);
    record.withdrawn = Some("2024-06-01T00:00:00Z".into());
    assert!(record.is_withdrawn());
    assert!(record_affects(&record, &go, "github.com/gin-gonic/gin", "1.5.0").is_empty());
}

#[test]
fn go_stdlib_ranges_with_two_introduced_fixed_pairs() {
    let record = load("GO-2024-2963.json");
    let affected = &record.affected[0];
    let check = |version: &str, fixed: Option<&str>| {
        let found = is_affected(affected, &Ecosystem::Go, version);
        assert_eq!(found.as_ref().and_then(|m| m.fixed.as_deref()), fixed, "{version}");
        if fixed.is_some() {
            assert_eq!(found.unwrap().matched_by, MatchedBy::Range { index: 0, kind: RangeKind::Semver });
        }
    };
    check("1.0.0", Some("1.21.12"));
    check("1.21.11", Some("1.21.12"));
    check("1.21.12", None);
    check("1.21.99", None);
    check("1.22.0-rc.1", Some("1.22.5"));
    check("1.22.0", Some("1.22.5"));
    check("1.22.4", Some("1.22.5"));
    check("1.22.5", None);
    check("1.23.0", None);
}

#[test]
fn alpine_ecosystem_ranges_per_release() {
    let record = load("CVE-2018-5407.json");
    let alpine_3_4 = ParsedEcosystem::parse("Alpine:v3.4");
    let matches = record_affects(&record, &alpine_3_4, "openssl", "1.0.2p-r0");
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].1.fixed.as_deref(), Some("1.0.2q-r0"));
    assert_eq!(matches[0].1.introduced.as_deref(), Some("0"));
    assert!(record_affects(&record, &alpine_3_4, "openssl", "1.0.2q-r0").is_empty());
    assert!(record_affects(&record, &alpine_3_4, "openssl", "1.0.2q-r1").is_empty());
    assert!(record_affects(&record, &alpine_3_4, "libressl", "1.0.2p-r0").is_empty());
    // Without a release, every release's entry applies.
    assert!(record_affects(&record, &ParsedEcosystem::parse("Alpine"), "openssl", "1.0.2p-r0").len() > 1);
}

#[test]
fn pypi_ranges_versions_and_ignored_git_ranges() {
    let record = load("PYSEC-2023-74.json");
    let pypi = ParsedEcosystem::parse("PyPI");
    let hit = &record_affects(&record, &pypi, "Requests", "2.30.0")[0].1;
    assert_eq!(hit.fixed.as_deref(), Some("2.31.0"));
    assert_eq!(hit.matched_by, MatchedBy::Range { index: 1, kind: RangeKind::Ecosystem });
    assert!(record_affects(&record, &pypi, "requests", "2.31.0").is_empty());
    assert!(record_affects(&record, &pypi, "requests", "2.2.1").is_empty());
    // A commit hash is not a package version: the GIT range is ignored.
    assert!(
        record_affects(&record, &pypi, "requests", "74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5").is_empty()
    );

    let gradio = load("GHSA-9v2f-6vcg-3hgv.json");
    let hit = &record_affects(&gradio, &pypi, "gradio", "4.36.1")[0].1;
    assert_eq!(hit.matched_by, MatchedBy::VersionsList);
    assert_eq!(hit.fixed, None);
    assert!(record_affects(&gradio, &pypi, "gradio", "4.36.0").is_empty());
    // Listed versions match under the ecosystem's equality too.
    assert_eq!(record_affects(&gradio, &pypi, "gradio", "4.36.1.0").len(), 1);

    let malicious = load("MAL-2024-10238.json");
    assert_eq!(record_affects(&malicious, &pypi, "123bla", "0.0.1").len(), 1);
}

#[test]
fn debian_urgency_and_ubuntu_priority() {
    let debian = Record::from_json(
        r#"{"id":"DEBIAN-CVE-2024-0001","modified":"2024-01-01T00:00:00Z","affected":[{
            "package":{"ecosystem":"Debian:12","name":"openssl"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}],
            "ecosystem_specific":{"urgency":"medium"}}]}"#,
    )
    .unwrap();
    assert_eq!(debian.debian_urgency(), Some("medium"));
    assert_eq!(debian.ubuntu_priority(), None);
    let bookworm = ParsedEcosystem::parse("Debian:12");
    let hit = &record_affects(&debian, &bookworm, "openssl", "3.0.11-1~deb12u2")[0].1;
    assert_eq!(hit.fixed.as_deref(), Some("3.0.13-1~deb12u1"));
    assert!(record_affects(&debian, &ParsedEcosystem::parse("Debian:11"), "openssl", "1.0").is_empty());

    let ubuntu = Record::from_json(
        r#"{"id":"UBUNTU-CVE-2024-0001","modified":"2024-01-01T00:00:00Z",
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},
                        {"type":"Ubuntu","score":"high"}],
            "affected":[{"package":{"ecosystem":"Ubuntu:22.04:LTS","name":"openssl"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.2-0ubuntu1.15"}]}]}]}"#,
    )
    .unwrap();
    assert_eq!(ubuntu.ubuntu_priority(), Some("high"));
    assert_eq!(ubuntu.severity[1].kind, SeverityKind::Ubuntu);
    let jammy = ParsedEcosystem::parse("Ubuntu:22.04:LTS");
    assert_eq!(record_affects(&ubuntu, &jammy, "openssl", "3.0.2-0ubuntu1.14").len(), 1);
    assert!(record_affects(&ubuntu, &jammy, "openssl", "3.0.2-0ubuntu1.15").is_empty());
    let cvss = shipshape_vuln::cvss::score(&ubuntu.severity[0].score).unwrap();
    assert_eq!(cvss.score, 7.5);
}
