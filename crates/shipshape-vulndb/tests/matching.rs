//! Lockfiles matched against a database built from real OSV records.

mod common;

use std::path::Path;

use common::{record_json, write_file, zip_bytes};
use shipshape_vuln::cvss::Severity;
use shipshape_vulndb::lockfiles::{self, LockfileKind};
use shipshape_vulndb::{Database, ImportOptions, NoProgress, import, match_packages};

fn linter_testdata() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv-version-vectors/osv-linter-testdata")
}

#[test]
fn go_mod_against_real_go_records() {
    let work = tempfile::tempdir().unwrap();
    let db_dir = work.path().join("db");
    import(&db_dir, &[linter_testdata()], &ImportOptions::default(), &mut NoProgress).unwrap();
    let db = Database::open(&db_dir).unwrap();

    let go_mod = "module example.com/app

go 1.21

toolchain go1.21.5

require (
	github.com/gin-gonic/gin v1.5.0
	golang.org/x/text v0.3.7
)
";
    let lock = lockfiles::parse_kind(LockfileKind::GoMod, go_mod).unwrap();
    let matches = match_packages(&db, &lock.packages).unwrap();
    let got: Vec<(&str, &str, usize, Option<&str>)> = matches
        .iter()
        .map(|m| (m.package.name.as_str(), m.id.as_str(), m.package.line, m.fixed.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("github.com/gin-gonic/gin", "CVE-2020-36567", 8, Some("1.6.0")),
            ("stdlib", "CVE-2024-24791", 5, Some("1.21.12")),
        ]
    );
    assert_eq!(matches[0].aliases, ["GHSA-6vm3-jj99-7229", "GO-2020-0001"]);
    assert_eq!(matches[0].records, ["GO-2020-0001"]);

    // Fixed versions are not affected.
    let fixed = lockfiles::parse_kind(
        LockfileKind::GoMod,
        "module m\ngo 1.22.5\nrequire github.com/gin-gonic/gin v1.6.0\n",
    )
    .unwrap();
    assert!(match_packages(&db, &fixed.packages).unwrap().is_empty());
}

#[test]
fn requirements_and_npm_against_aliased_records() {
    let work = tempfile::tempdir().unwrap();
    let mut ghsa: serde_json::Value = serde_json::from_str(&record_json(
        "GHSA-x5rq-j2xg-h7qm",
        "PyPI",
        "Django",
        "3.2.5",
        &["CVE-2021-35042"],
    ))
    .unwrap();
    ghsa["database_specific"] = serde_json::json!({"severity": "CRITICAL"});
    let pysec =
        record_json("PYSEC-2021-111", "PyPI", "django", "3.2.5", &["CVE-2021-35042", "GHSA-x5rq-j2xg-h7qm"]);
    let npm = record_json("GHSA-35jh-r3h4-6jhm", "npm", "lodash", "4.17.21", &["CVE-2021-23337"]);
    let input = write_file(
        &work.path().join("mixed.zip"),
        &zip_bytes(&[("a.json".into(), ghsa.to_string()), ("b.json".into(), pysec), ("c.json".into(), npm)]),
    );
    let db_dir = work.path().join("db");
    import(&db_dir, &[input], &ImportOptions::default(), &mut NoProgress).unwrap();
    let db = Database::open(&db_dir).unwrap();

    let requirements =
        lockfiles::parse_kind(LockfileKind::RequirementsTxt, "flask==2.0.0\nDjango==3.2.4\n").unwrap();
    let package_lock = lockfiles::parse_kind(
        LockfileKind::PackageLockJson,
        r#"{"lockfileVersion": 3, "packages": {
  "": {"name": "web"},
  "node_modules/lodash": {"version": "4.17.20"}
}}"#,
    )
    .unwrap();
    let mut packages = requirements.packages;
    packages.extend(package_lock.packages);
    let matches = match_packages(&db, &packages).unwrap();
    assert_eq!(matches.len(), 2, "{matches:#?}");
    let django = &matches[0];
    assert_eq!((django.package.name.as_str(), django.package.line), ("Django", 2));
    assert_eq!(django.id, "CVE-2021-35042");
    assert_eq!(django.aliases, ["GHSA-x5rq-j2xg-h7qm", "PYSEC-2021-111"]);
    assert_eq!(django.fixed.as_deref(), Some("3.2.5"));
    assert_eq!(django.severity.as_ref().map(|s| s.rating), Some(Severity::Critical));
    let lodash = &matches[1];
    assert_eq!((lodash.id.as_str(), lodash.package.line), ("CVE-2021-23337", 3));
    let json = serde_json::to_value(lodash).unwrap();
    assert_eq!(json["package"]["ecosystem"], "npm");
}

#[test]
fn the_same_package_in_two_lockfiles_matches_twice_in_order() {
    let work = tempfile::tempdir().unwrap();
    let input = write_file(
        &work.path().join("npm.zip"),
        &zip_bytes(&[("a.json".into(), record_json("GHSA-1", "npm", "lodash", "4.17.21", &[]))]),
    );
    let db_dir = work.path().join("db");
    import(&db_dir, &[input], &ImportOptions::default(), &mut NoProgress).unwrap();
    let db = Database::open(&db_dir).unwrap();
    let web = lockfiles::parse(Path::new("web/yarn.lock"), "lodash@^4:\n  version \"4.17.20\"\n").unwrap();
    let api = lockfiles::parse(Path::new("api/yarn.lock"), "lodash@^4:\n  version \"4.17.21\"\n").unwrap();
    let admin = lockfiles::parse(
        Path::new("admin/yarn.lock"),
        "x@1:\n  version \"1\"\nlodash@4:\n  version \"4.0.0\"\n",
    )
    .unwrap();
    let packages: Vec<_> = [web, api, admin].into_iter().flat_map(|l| l.packages).collect();
    let matches = match_packages(&db, &packages).unwrap();
    let got: Vec<(&str, usize)> =
        matches.iter().map(|m| (m.package.version.as_str(), m.package.line)).collect();
    assert_eq!(got, [("4.17.20", 1), ("4.0.0", 3)]);
}

#[test]
fn parse_file_reads_and_names_the_file() {
    let work = tempfile::tempdir().unwrap();
    let path = write_file(&work.path().join("Gemfile.lock"), b"GEM\n  specs:\n    rack (2.2.3)\n");
    let lock = lockfiles::parse_file(&path).unwrap();
    assert_eq!(lock.kind, LockfileKind::GemfileLock);
    assert_eq!((lock.packages[0].name.as_str(), lock.packages[0].line), ("rack", 3));
    let bad = write_file(&work.path().join("Cargo.lock"), b"[[package]]\nname = \n");
    let error = lockfiles::parse_file(&bad).unwrap_err();
    assert_eq!(error.line, 2, "{error}");
    assert!(error.to_string().contains("Cargo.lock: line 2: invalid TOML"), "{error}");
}

#[test]
fn the_database_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Database>();
}
