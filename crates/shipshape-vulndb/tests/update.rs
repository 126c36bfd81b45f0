//! `update` against a local HTTP server on 127.0.0.1: downloads, conditional requests,
//! retries, `Retry-After`, mirrors, failures that keep the previous database.

#![cfg(feature = "update")]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Response, TestServer, always, export, sequence, with_etag};
use shipshape_vulndb::update::{EcosystemOutcome, RetryPolicy, UpdateConfig, update};
use shipshape_vulndb::{Database, Error, ProgressEvent};

fn config(dir: &Path, base: &str, ecosystems: &[&str]) -> UpdateConfig {
    let mut config = UpdateConfig::new(dir, ecosystems);
    config.base_url = base.to_owned();
    config.use_env_proxy = false;
    config.connect_timeout = Duration::from_secs(5);
    config.read_timeout = Duration::from_secs(5);
    config.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    };
    config
}

/// Progress events as text, for assertions.
#[derive(Default)]
struct Log(Vec<String>);

impl shipshape_vulndb::Progress for Log {
    fn event(&mut self, event: &ProgressEvent<'_>) {
        self.0.push(match event {
            ProgressEvent::Checking { ecosystem, url } => format!("check {ecosystem} {url}"),
            ProgressEvent::Retrying { ecosystem, attempt, wait, reason, .. } => {
                format!("retry {ecosystem} attempt={attempt} wait={}ms {reason}", wait.as_millis())
            }
            ProgressEvent::SourceFailed { ecosystem, url, reason } => {
                format!("failed {ecosystem} {url} {reason}")
            }
            ProgressEvent::NotModified { ecosystem } => format!("not-modified {ecosystem}"),
            ProgressEvent::Downloaded { ecosystem, bytes } => format!("downloaded {ecosystem} {bytes}"),
            ProgressEvent::Imported { source, records, .. } => format!("imported {source} {records}"),
            ProgressEvent::Committed { records } => format!("committed {records}"),
            other => format!("{other:?}"),
        });
    }
}

impl Log {
    fn count(&self, prefix: &str) -> usize {
        self.0.iter().filter(|e| e.starts_with(prefix)).count()
    }
}

fn ids(db: &Database, ecosystem: &str, name: &str) -> Vec<String> {
    db.records_for(ecosystem, name).expect("lookup").into_iter().map(|r| r.id).collect()
}

#[test]
fn download_then_not_modified_with_etag_and_last_modified() {
    let pypi = export(&[("PYSEC-1", "PyPI", "django", "3.2.5"), ("PYSEC-2", "PyPI", "flask", "2.0")]);
    let npm = export(&[("GHSA-1", "npm", "lodash", "4.17.21")]);
    let server = TestServer::start(vec![
        ("/PyPI/all.zip", with_etag(pypi.clone(), "\"pypi-v1\"")),
        ("/npm/all.zip", with_etag(npm, "\"npm-v1\"")),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server.base, &["PyPI", "npm"]);

    let mut log = Log::default();
    let report = update(&config, &mut log).unwrap();
    assert!(!report.has_failures(), "{report:?}");
    assert!(
        matches!(&report.outcomes[0].1, EcosystemOutcome::Downloaded { bytes, .. } if *bytes == pypi.len() as u64)
    );
    assert_eq!(log.count("downloaded"), 2, "{:?}", log.0);
    assert_eq!(log.count("imported PyPI 2"), 1, "{:?}", log.0);
    assert_eq!(log.0.last().map(String::as_str), Some("committed 3"), "{:?}", log.0);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(ids(&db, "PyPI", "Django"), ["PYSEC-1"]);
    assert_eq!(ids(&db, "npm", "lodash"), ["GHSA-1"]);
    let status = db.status();
    assert_eq!(status.ecosystems.len(), 2);
    let py = &status.ecosystems[0];
    assert_eq!((py.name.as_str(), py.records), ("PyPI", 2));
    assert_eq!(py.source, format!("{}/PyPI/all.zip", server.base));
    assert_eq!(py.etag.as_deref(), Some("\"pypi-v1\""));
    assert_eq!(py.last_modified.as_deref(), Some("Wed, 01 May 2024 10:00:00 GMT"));
    assert!(py.fetched_at > 1_700_000_000);
    let first_fetch = py.fetched_at;
    drop(db);

    // Unchanged: conditional requests, 304, nothing downloaded, records kept.
    let mut log = Log::default();
    let report = update(&config, &mut log).unwrap();
    assert!(
        report.outcomes.iter().all(|(_, o)| matches!(o, EcosystemOutcome::NotModified { .. })),
        "{report:?}"
    );
    assert_eq!(log.count("downloaded"), 0);
    assert_eq!(log.count("not-modified"), 2);
    let second = server.requests_to("/PyPI/all.zip").pop().unwrap();
    assert_eq!(second.header("if-none-match"), Some("\"pypi-v1\""));
    assert_eq!(second.header("if-modified-since"), Some("Wed, 01 May 2024 10:00:00 GMT"));
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(ids(&db, "PyPI", "flask"), ["PYSEC-2"]);
    assert_eq!(db.status().ecosystems[0].fetched_at, first_fetch);
    assert_eq!(db.status().ecosystems[0].etag.as_deref(), Some("\"pypi-v1\""));
}

#[test]
fn retry_after_is_honoured_on_429() {
    let body = export(&[("PYSEC-1", "PyPI", "django", "3.2.5")]);
    let server = TestServer::start(vec![(
        "/PyPI/all.zip",
        sequence(vec![Response::status(429).header("Retry-After", "1"), Response::ok(body)]),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::default();
    let started = Instant::now();
    let report = update(&config(dir.path(), &server.base, &["PyPI"]), &mut log).unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited for Retry-After");
    assert!(matches!(report.outcomes[0].1, EcosystemOutcome::Downloaded { .. }));
    assert!(log.0.iter().any(|e| e == "retry PyPI attempt=1 wait=1000ms HTTP 429"), "{:?}", log.0);
    assert_eq!(server.requests_to("/PyPI/all.zip").len(), 2);
}

#[test]
fn server_errors_and_cut_bodies_are_retried_with_backoff() {
    let body = export(&[("PYSEC-1", "PyPI", "django", "3.2.5")]);
    let server = TestServer::start(vec![(
        "/PyPI/all.zip",
        sequence(vec![
            Response::status(500),
            Response::ok(body.clone()).cut_after(body.len() / 2),
            Response::ok(body),
        ]),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::default();
    let report = update(&config(dir.path(), &server.base, &["PyPI"]), &mut log).unwrap();
    assert!(matches!(report.outcomes[0].1, EcosystemOutcome::Downloaded { .. }), "{report:?}");
    assert!(log.0.iter().any(|e| e == "retry PyPI attempt=1 wait=10ms HTTP 500"), "{:?}", log.0);
    assert!(log.0.iter().any(|e| e.starts_with("retry PyPI attempt=2 wait=20ms")), "{:?}", log.0);
    assert_eq!(ids(&Database::open(dir.path()).unwrap(), "PyPI", "django"), ["PYSEC-1"]);
}

#[test]
fn mirrors_are_tried_in_order() {
    let body = export(&[("GHSA-1", "npm", "lodash", "4.17.21")]);
    let failing = TestServer::start(vec![("/npm/all.zip", always(Response::status(503)))]);
    let missing = TestServer::start(vec![]);
    let mirror = TestServer::start(vec![("/npm/all.zip", always(Response::ok(body)))]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &failing.base, &["npm"]);
    config.mirrors = vec![missing.base.clone(), format!("{}/", mirror.base)];
    let mut log = Log::default();
    let report = update(&config, &mut log).unwrap();
    let expected = format!("{}/npm/all.zip", mirror.base);
    assert!(
        matches!(&report.outcomes[0].1, EcosystemOutcome::Downloaded { url, .. } if *url == expected),
        "{report:?}"
    );
    assert_eq!(failing.requests().len(), 3, "retried up to max_attempts");
    assert_eq!(missing.requests().len(), 1, "a 404 is not retried");
    assert_eq!(log.count("failed npm"), 2, "{:?}", log.0);
    assert_eq!(Database::open(dir.path()).unwrap().status().ecosystems[0].source, expected);
}

#[test]
fn connection_errors_are_retried_then_the_mirror_is_used() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mirror = TestServer::start(vec![(
        "/Go/all.zip",
        always(Response::ok(export(&[("GO-1", "Go", "m", "1.0.0")]))),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &closed_base, &["Go"]);
    config.mirrors = vec![mirror.base.clone()];
    let mut log = Log::default();
    update(&config, &mut log).unwrap();
    assert_eq!(log.count("retry Go"), 2, "{:?}", log.0);
    assert_eq!(ids(&Database::open(dir.path()).unwrap(), "Go", "m"), ["GO-1"]);
}

#[test]
fn total_failure_without_a_database_is_an_error_and_writes_nothing() {
    let server = TestServer::start(vec![]);
    let dir = tempfile::tempdir().unwrap();
    let error = update(&config(dir.path(), &server.base, &["PyPI", "npm"]), &mut Log::default()).unwrap_err();
    assert!(matches!(error, Error::UpdateFailed(_)), "{error}");
    assert!(error.to_string().contains("PyPI/all.zip: HTTP 404"), "{error}");
    assert!(matches!(Database::open(dir.path()), Err(Error::NotFound { .. })));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "lock")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failing_or_corrupt_ecosystem_keeps_its_previous_records() {
    let good_pypi = export(&[("PYSEC-1", "PyPI", "django", "3.2.5")]);
    let good_npm = export(&[("GHSA-1", "npm", "lodash", "4.17.21")]);
    let new_npm = export(&[("GHSA-2", "npm", "lodash", "4.17.22")]);
    let mut corrupt = good_pypi.clone();
    let middle = corrupt.len() / 3;
    corrupt[middle] ^= 0xFF;
    let server = TestServer::start(vec![
        ("/PyPI/all.zip", sequence(vec![Response::ok(good_pypi), Response::ok(corrupt)])),
        ("/npm/all.zip", sequence(vec![Response::ok(good_npm), Response::ok(new_npm)])),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server.base, &["PyPI", "npm"]);
    update(&config, &mut Log::default()).unwrap();
    let report = update(&config, &mut Log::default()).unwrap();
    assert!(report.has_failures());
    assert!(
        matches!(&report.outcomes[0].1, EcosystemOutcome::Failed { kept_previous: true, error } if error.contains("PyPI/all.zip")),
        "{report:?}"
    );
    assert!(matches!(report.outcomes[1].1, EcosystemOutcome::Downloaded { .. }));
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(ids(&db, "PyPI", "django"), ["PYSEC-1"], "kept");
    assert_eq!(ids(&db, "npm", "lodash"), ["GHSA-2"], "updated");
    assert_eq!(db.status().ecosystems.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["PyPI", "npm"]);
}

#[test]
fn an_older_format_is_reported_and_rebuilt_without_conditional_requests() {
    let body = export(&[("PYSEC-1", "PyPI", "django", "3.2.5")]);
    let server = TestServer::start(vec![("/PyPI/all.zip", with_etag(body, "\"v1\""))]);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server.base, &["PyPI"]);
    update(&config, &mut Log::default()).unwrap();

    // Pretend the database was written by an older shipshape.
    let current = std::fs::read_to_string(dir.path().join("CURRENT")).unwrap();
    let meta_path = dir.path().join(current.trim()).join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    std::fs::write(&meta_path, meta.replacen("\"format_version\": 1", "\"format_version\": 0", 1)).unwrap();
    let error = Database::open(dir.path()).unwrap_err();
    assert!(matches!(error, Error::FormatVersion { found: 0, expected: 1, .. }), "{error}");
    assert!(error.to_string().contains("will be rebuilt on the next update"), "{error}");

    let report = update(&config, &mut Log::default()).unwrap();
    assert!(report.rebuilt_because.as_deref().is_some_and(|r| r.contains("format version 0")), "{report:?}");
    assert!(matches!(report.outcomes[0].1, EcosystemOutcome::Downloaded { .. }), "not a 304: {report:?}");
    assert_eq!(server.requests().last().unwrap().header("if-none-match"), None);
    assert_eq!(ids(&Database::open(dir.path()).unwrap(), "PyPI", "django"), ["PYSEC-1"]);
}

#[test]
fn ecosystem_names_are_url_encoded_and_oversized_exports_refused() {
    let body = export(&[("RHSA-1", "Red Hat:enterprise_linux:9", "openssl", "1:3.0.7-1.el9")]);
    let server = TestServer::start(vec![
        ("/Red%20Hat/all.zip", always(Response::ok(body))),
        ("/npm/all.zip", always(Response::ok(vec![0; 4096]))),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &server.base, &["Red Hat", "npm"]);
    config.max_download_size = 2048;
    let report = update(&config, &mut Log::default()).unwrap();
    assert!(matches!(report.outcomes[0].1, EcosystemOutcome::Downloaded { .. }), "{report:?}");
    assert!(
        matches!(&report.outcomes[1].1, EcosystemOutcome::Failed { error, .. } if error.contains("larger than the limit")),
        "{report:?}"
    );
    assert_eq!(server.requests_to("/npm/all.zip").len(), 1, "a too-large export is not retried");
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(ids(&db, "Red Hat:enterprise_linux:9", "openssl"), ["RHSA-1"]);
}
