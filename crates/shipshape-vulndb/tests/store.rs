//! Importing OSV exports into the store, lookups, status, and surviving crashes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{record_json, write_file, zip_bytes};
use shipshape_vulndb::{Database, Error, ImportOptions, NoProgress, Store, import};

fn linter_testdata() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv-version-vectors/osv-linter-testdata");
    assert!(dir.is_dir(), "the OSV linter test data is missing: expected {}", dir.display());
    dir
}

fn ids(records: Vec<shipshape_vuln::osv::Record>) -> Vec<String> {
    records.into_iter().map(|r| r.id).collect()
}

fn import_paths(dir: &Path, inputs: &[PathBuf]) -> Result<shipshape_vulndb::Status, Error> {
    import(dir, inputs, &ImportOptions::default(), &mut NoProgress)
}

/// The real OSV records of the OSV linter's test data, as a zip export like OSV's.
fn linter_zip(dir: &Path) -> PathBuf {
    let mut entries = Vec::new();
    let mut files: Vec<_> =
        std::fs::read_dir(linter_testdata()).expect("test data").map(|e| e.expect("entry").path()).collect();
    files.sort();
    for path in files {
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().expect("file name").to_string_lossy().into_owned();
            entries.push((name, std::fs::read_to_string(&path).expect("record")));
        }
    }
    write_file(&dir.join("osv/PyPI/all.zip"), &zip_bytes(&entries))
}

#[test]
fn real_records_from_a_zip_export_and_from_a_directory() {
    let work = tempfile::tempdir().unwrap();
    let zip = linter_zip(work.path());
    for input in [zip, linter_testdata()] {
        let db_dir = work.path().join("db");
        let status = import_paths(&db_dir, std::slice::from_ref(&input)).unwrap();
        assert_eq!(status.ecosystems.len(), 1);
        let source = &status.ecosystems[0];
        // nopackage-* is structurally valid (its package only does not exist on PyPI), and
        // shares its id with the real record: 10 stored, 9 distinct ids.
        assert_eq!((source.records, source.skipped_invalid, source.withdrawn), (10, 2, 0), "{source:#?}");
        assert_eq!(source.problems.len(), 2);
        assert!(
            source
                .problems
                .iter()
                .any(|p| p.contains("nointroduced-CVE-2023-41045.json") && p.contains("no introduced")),
            "{:?}",
            source.problems
        );
        assert_eq!(source.source, input.display().to_string());

        let db = Database::open(&db_dir).unwrap();
        assert_eq!(db.status(), status);
        assert_eq!(db.record_count(), 9);
        assert_eq!(ids(db.records_for("Go", "github.com/gin-gonic/gin").unwrap()), ["GO-2020-0001"]);
        assert_eq!(ids(db.records_for("Alpine:v3.4", "openssl").unwrap()), ["CVE-2018-5407"]);
        assert_eq!(ids(db.records_for("PyPI", "gradio").unwrap()), ["GHSA-9v2f-6vcg-3hgv"], "PEP 503 names");
        assert_eq!(ids(db.records_for("PyPI", "no-such-package").unwrap()), Vec::<String>::new());
        assert_eq!(db.record("GO-2024-2963").unwrap().unwrap().aliases, ["CVE-2024-24791"]);
        assert!(db.record("GHSA-nope").unwrap().is_none());
        assert_eq!(ids(db.records_with_alias("CVE-2020-36567").unwrap()), ["GO-2020-0001"]);
        assert_eq!(db.ids_for_alias("GHSA-g96c-x7rh-99r3").unwrap(), ["CVE-2023-41045"]);
        assert_eq!(db.ids_for_alias("CVE-2023-41045").unwrap(), ["CVE-2023-41045"]);
        assert!(db.packages().contains(&("Go".to_owned(), "stdlib".to_owned())));
        drop(db);
        std::fs::remove_dir_all(&db_dir).unwrap();
    }
}

#[test]
fn withdrawn_invalid_and_hostile_entries_are_counted_and_skipped() {
    let work = tempfile::tempdir().unwrap();
    let mut withdrawn: serde_json::Value =
        serde_json::from_str(&record_json("GHSA-w", "npm", "left-pad", "2.0.0", &[])).unwrap();
    withdrawn["withdrawn"] = "2024-06-01T00:00:00Z".into();
    let entries = vec![
        (
            "good/GHSA-1.json".to_owned(),
            record_json("GHSA-1", "npm", "lodash", "4.17.21", &["CVE-2021-23337"]),
        ),
        ("GHSA-w.json".to_owned(), withdrawn.to_string()),
        ("broken.json".to_owned(), "{\"id\": ".to_owned()),
        ("no-id.json".to_owned(), "{\"modified\": \"2024-01-01T00:00:00Z\"}".to_owned()),
        ("../escape.json".to_owned(), record_json("GHSA-evil", "npm", "x", "1.0.0", &[])),
        ("/abs.json".to_owned(), record_json("GHSA-evil2", "npm", "x", "1.0.0", &[])),
        ("README.md".to_owned(), "not a record".to_owned()),
        (
            "many.json".to_owned(),
            format!(
                "[{}, {}]",
                record_json("GHSA-2", "npm", "minimist", "1.2.6", &[]),
                record_json("GHSA-3", "npm", "minimist", "0.2.4", &[])
            ),
        ),
    ];
    let zip = write_file(&work.path().join("npm.zip"), &zip_bytes(&entries));
    let status = import_paths(&work.path().join("db"), &[zip]).unwrap();
    let source = &status.ecosystems[0];
    assert_eq!(source.name, "npm");
    assert_eq!((source.records, source.skipped_invalid, source.withdrawn), (3, 4, 1), "{source:#?}");
    assert!(source.problems.iter().any(|p| p.contains("\"../escape.json\" refused: `..` component")));
    assert!(source.problems.iter().any(|p| p.contains("absolute path")));
    assert!(source.problems.iter().any(|p| p.contains("broken.json: not OSV JSON")));
    let db = Database::open(&work.path().join("db")).unwrap();
    assert_eq!(ids(db.records_for("npm", "left-pad").unwrap()), Vec::<String>::new());
    assert_eq!(ids(db.records_for("npm", "x").unwrap()), Vec::<String>::new());
    assert_eq!(ids(db.records_for("npm", "minimist").unwrap()), ["GHSA-2", "GHSA-3"]);
    assert_eq!(ids(db.records_with_alias("CVE-2021-23337").unwrap()), ["GHSA-1"]);
}

#[test]
fn a_record_in_two_exports_is_returned_once_the_newest_copy() {
    let work = tempfile::tempdir().unwrap();
    let mut newer: serde_json::Value =
        serde_json::from_str(&record_json("GHSA-1", "npm", "lodash", "4.17.22", &[])).unwrap();
    newer["modified"] = "2025-01-01T00:00:00Z".into();
    let a = write_file(
        &work.path().join("a/npm/all.zip"),
        &zip_bytes(&[("GHSA-1.json".into(), record_json("GHSA-1", "npm", "lodash", "4.17.21", &[]))]),
    );
    let b = write_file(
        &work.path().join("b/npm/all.zip"),
        &zip_bytes(&[("GHSA-1.json".into(), newer.to_string())]),
    );
    let status = import_paths(&work.path().join("db"), &[a, b]).unwrap();
    let names: Vec<&str> = status.ecosystems.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["npm", "npm (2)"]);
    let db = Database::open(&work.path().join("db")).unwrap();
    let records = db.records_for("npm", "lodash").unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].modified, "2025-01-01T00:00:00Z");
}

#[test]
fn a_zip_bomb_fails_the_import_and_keeps_the_previous_database() {
    let work = tempfile::tempdir().unwrap();
    let db_dir = work.path().join("db");
    let good = write_file(
        &work.path().join("good.zip"),
        &zip_bytes(&[("A.json".into(), record_json("A", "PyPI", "django", "1.0", &[]))]),
    );
    import_paths(&db_dir, &[good]).unwrap();
    let padding = " ".repeat(2 << 20);
    let bomb = write_file(
        &work.path().join("bomb.zip"),
        &zip_bytes(&[(
            "big.json".into(),
            format!("{}{padding}", record_json("B", "PyPI", "flask", "1.0", &[])),
        )]),
    );
    let options = ImportOptions {
        zip: shipshape_vulndb::zip::ZipLimits { max_entry_size: 1 << 20, ..Default::default() },
    };
    let error = import(&db_dir, &[bomb], &options, &mut NoProgress).unwrap_err();
    assert!(error.to_string().contains("refused: entry inflates to"), "{error}");
    assert!(error.to_string().contains("bomb.zip (entry \"big.json\")"), "{error}");
    let db = Database::open(&db_dir).unwrap();
    assert_eq!(ids(db.records_for("PyPI", "django").unwrap()), ["A"]);
}

#[test]
fn leftovers_of_a_crashed_update_do_not_disturb_readers_and_are_cleaned_up() {
    let work = tempfile::tempdir().unwrap();
    let db_dir = work.path().join("db");
    let old = write_file(
        &work.path().join("old.zip"),
        &zip_bytes(&[("A.json".into(), record_json("OLD", "PyPI", "django", "1.0", &[]))]),
    );
    import_paths(&db_dir, &[old]).unwrap();
    // A writer killed while writing its generation (partial files), one killed after renaming
    // its generation into place but before switching CURRENT (a partial generation: a crash in
    // the middle of a copy by hand), and a half-written CURRENT.tmp.
    write_file(&db_dir.join("tmp-gen-00000005-999/src-0000.rec"), b"{\"id\":\"NEW\",\"modi");
    write_file(&db_dir.join("tmp-gen-00000005-999/index.bin"), b"SSVDBIDX\x01\x00");
    write_file(&db_dir.join("gen-00000007/index.bin"), b"SSVDB");
    write_file(&db_dir.join("CURRENT.tmp"), b"gen-0000000");

    let db = Database::open(&db_dir).unwrap();
    assert_eq!(ids(db.records_for("PyPI", "django").unwrap()), ["OLD"]);

    // A reader keeps reading its generation while a writer replaces it.
    let new = write_file(
        &work.path().join("new.zip"),
        &zip_bytes(&[("B.json".into(), record_json("NEW", "PyPI", "django", "2.0", &[]))]),
    );
    import_paths(&db_dir, std::slice::from_ref(&new)).unwrap();
    assert_eq!(ids(db.records_for("PyPI", "django").unwrap()), ["OLD"], "the open database is unchanged");
    drop(db);
    import_paths(&db_dir, &[new]).unwrap();
    assert_eq!(ids(Database::open(&db_dir).unwrap().records_for("PyPI", "django").unwrap()), ["NEW"]);
    let mut names: Vec<String> = std::fs::read_dir(&db_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["CURRENT", "gen-00000008", "gen-00000009", "lock"]);
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let work = tempfile::tempdir().unwrap();
    let db_dir = work.path().join("db");
    let input = write_file(
        &work.path().join("in.zip"),
        &zip_bytes(&[("A.json".into(), record_json("A", "PyPI", "django", "1.0", &[]))]),
    );
    import_paths(&db_dir, &[input]).unwrap();
    let generation = db_dir.join(std::fs::read_to_string(db_dir.join("CURRENT")).unwrap().trim());

    let index = std::fs::read(generation.join("index.bin")).unwrap();
    std::fs::write(generation.join("index.bin"), &index[..index.len() - 3]).unwrap();
    let error = Database::open(&db_dir).unwrap_err();
    assert!(matches!(error, Error::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("index.bin: corrupt vulnerability database file"), "{error}");
    std::fs::write(generation.join("index.bin"), &index).unwrap();

    let mut future = index.clone();
    future[8] = 9;
    std::fs::write(generation.join("index.bin"), &future).unwrap();
    assert!(matches!(Database::open(&db_dir), Err(Error::FormatVersion { found: 9, .. })));
    std::fs::write(generation.join("index.bin"), &index).unwrap();

    let records = generation.join("src-0000.rec");
    std::fs::write(&records, b"garbage").unwrap();
    let db = Database::open(&db_dir).unwrap();
    let error = db.records_for("PyPI", "django").unwrap_err();
    assert!(matches!(error, Error::Corrupt { .. }), "{error}");

    std::fs::write(db_dir.join("CURRENT"), "../../etc").unwrap();
    assert!(matches!(Database::open(&db_dir), Err(Error::Corrupt { .. })));
    assert!(matches!(Database::open(&work.path().join("none")), Err(Error::NotFound { .. })));
    let error = import_paths(&db_dir, &[work.path().join("notes.txt")]).unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error}");
    write_file(&work.path().join("notes.txt"), b"x");
    let error = import_paths(&db_dir, &[work.path().join("notes.txt")]).unwrap_err();
    assert!(matches!(error, Error::UnsupportedInput { .. }), "{error}");
}

#[test]
fn store_handle() {
    let work = tempfile::tempdir().unwrap();
    let store = Store::new(work.path().join("db"));
    assert!(matches!(store.open(), Err(Error::NotFound { .. })));
    let input = write_file(
        &work.path().join("in.zip"),
        &zip_bytes(&[("A.json".into(), record_json("A", "PyPI", "django", "1.0", &[]))]),
    );
    import_paths(store.dir(), &[input]).unwrap();
    assert_eq!(store.open().unwrap().status().records(), 1);
}

/// The environment variable that makes the test below run as the child that gets killed.
const CHILD: &str = "SHIPSHAPE_VULNDB_KILL_CHILD";

/// A process killed at arbitrary moments of an import leaves a database that opens and holds
/// either the old or the new records. The parent runs this test binary again as a child that
/// imports in a loop, kills it after a varying delay, and checks the database each time.
#[test]
fn a_killed_import_leaves_a_usable_database() {
    if let Some(dir) = std::env::var_os(CHILD) {
        let dir = PathBuf::from(dir);
        let input = dir.join("big.zip");
        loop {
            import_paths(&dir.join("db"), std::slice::from_ref(&input)).unwrap();
        }
    }
    let work = tempfile::tempdir().unwrap();
    let db_dir = work.path().join("db");
    let old = write_file(
        &work.path().join("old.zip"),
        &zip_bytes(&[("OLD.json".into(), record_json("OLD", "PyPI", "django", "1.0", &[]))]),
    );
    import_paths(&db_dir, &[old]).unwrap();
    let entries: Vec<(String, String)> = (0..3000)
        .map(|i| (format!("R-{i}.json"), record_json(&format!("R-{i}"), "PyPI", "django", "2.0", &[])))
        .collect();
    write_file(&work.path().join("big.zip"), &zip_bytes(&entries));

    let mut saw_new = false;
    for round in 0..8u64 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "a_killed_import_leaves_a_usable_database", "--nocapture", "--test-threads=1"])
            .env(CHILD, work.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + round * 37));
        child.kill().unwrap();
        child.wait().unwrap();
        let db = Database::open(&db_dir).unwrap();
        let found = db.records_for("PyPI", "django").unwrap();
        match found.len() {
            1 => assert_eq!(found[0].id, "OLD"),
            3000 => saw_new = true,
            n => panic!("round {round}: {n} records: a mix of generations"),
        }
    }
    // Once the child had time to finish an import, the new records are in use.
    let _ = saw_new;
}

/// An archive written by CPython's `zipfile` (see `fixtures/make_python_zip.py`): deflated and
/// stored entries, a directory entry, data descriptors, and ZIP64 extra fields.
#[test]
fn an_archive_written_by_another_zip_implementation() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python-zipfile.zip");
    let work = tempfile::tempdir().unwrap();
    let status = import_paths(&work.path().join("db"), &[fixture]).unwrap();
    let source = &status.ecosystems[0];
    assert_eq!((source.records, source.skipped_invalid), (3, 0), "{source:#?}");
    let db = Database::open(&work.path().join("db")).unwrap();
    assert_eq!(ids(db.records_for("PyPI", "Jinja2").unwrap()), ["PYSEC-3"]);
    assert_eq!(ids(db.records_for("PyPI", "flask").unwrap()), ["PYSEC-2"]);
}
