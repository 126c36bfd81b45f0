//! Database speed on a generated OSV export of 50,000 records (PyPI, npm, Go, Debian and Maven
//! packages, 12,500 distinct names, each record with a CVE alias and a CVSS vector).
//!
//! `cargo bench -p shipshape-vulndb --bench vulndb`:
//!
//! * `import/50k-records`: one `all.zip` (deflated, as OSV serves it) into a fresh database,
//!   committed; elements/s is records/s.
//! * `open`: [`Database::open`] of that database (reads `CURRENT`, `meta.json`, `index.bin`).
//! * `lookup/10k`: 10,000 `records_for` calls on an open database, 80% hitting a package (about
//!   four records each, read from disk and parsed), 20% missing.
//! * `open+lookup/10k`: both, as one scan of a large lockfile would do.
//! * `match/10k-packages`: `match_packages` for 10,000 locked packages.
//! * `match/2k-inventory` and `open+match/2k-inventory`: an image's inventory, 2,000 `Debian:12`
//!   packages (every one with records), matched without and with opening the database.

// A benchmark is test code: a failed setup should stop it loudly, and it reports its fixture.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use shipshape_vulndb::lockfiles::LockedPackage;
use shipshape_vulndb::zip::ZipWriter;
use shipshape_vulndb::{Database, ImportOptions, NoProgress, import, match_packages};

const RECORDS: usize = 50_000;
const NAMES: usize = 12_500;
const ECOSYSTEMS: [(&str, &str); 5] =
    [("PyPI", "1.{}.0"), ("npm", "1.{}.0"), ("Go", "1.{}.0"), ("Debian:12", "1.{}-1"), ("Maven", "1.{}")];

fn package(i: usize) -> (&'static str, String, String) {
    let (ecosystem, pattern) = ECOSYSTEMS[i % ECOSYSTEMS.len()];
    let name = match ecosystem {
        "Go" => format!("github.com/org{}/module-{i}", i % 97),
        "Maven" => format!("org.example{}:artifact-{i}", i % 31),
        _ => format!("package-{i}"),
    };
    (ecosystem, name, pattern.replace("{}", &(i % 40 + 1).to_string()))
}

fn record(i: usize) -> String {
    let (ecosystem, name, fixed) = package(i % NAMES);
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": format!("OSV-2024-{i:06}"),
        "modified": "2024-05-01T00:00:00Z",
        "published": "2024-04-01T00:00:00Z",
        "aliases": [format!("CVE-2024-{i:05}")],
        "summary": format!("Synthetic vulnerability {i} in {name}"),
        "details": "A longer description of the problem, as OSV records carry, with a link or two and a paragraph of text about impact and remediation.",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
        }],
        "references": [{"type": "ADVISORY", "url": format!("https://example.invalid/advisories/{i}")}],
    })
    .to_string()
}

struct Fixture {
    _dir: tempfile::TempDir,
    zip: PathBuf,
    db: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bench/all.zip");
    std::fs::create_dir_all(zip.parent().unwrap()).unwrap();
    let mut writer = ZipWriter::create(&zip).unwrap();
    for i in 0..RECORDS {
        writer.add(&format!("OSV-2024-{i:06}.json"), record(i).as_bytes(), true).unwrap();
    }
    writer.finish().unwrap();
    let db = dir.path().join("db");
    import(&db, std::slice::from_ref(&zip), &ImportOptions::default(), &mut NoProgress).unwrap();
    Fixture { _dir: dir, zip, db }
}

fn queries() -> Vec<(&'static str, String)> {
    (0..10_000)
        .map(|i| {
            let (ecosystem, name, _) = package((i * 7) % NAMES);
            if i % 5 == 4 { (ecosystem, format!("{name}-missing")) } else { (ecosystem, name) }
        })
        .collect()
}

fn lookups(db: &Database, queries: &[(&str, String)]) -> usize {
    queries.iter().map(|(ecosystem, name)| db.records_for(ecosystem, name).unwrap().len()).sum()
}

fn bench(c: &mut Criterion) {
    let fixture = fixture();
    let queries = queries();
    let zip_size = std::fs::metadata(&fixture.zip).unwrap().len();
    let db_size: u64 = dir_size(&fixture.db);
    eprintln!("fixture: {RECORDS} records, all.zip {zip_size} bytes, database {db_size} bytes");

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("50k-records", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                import(
                    dir.path(),
                    std::slice::from_ref(&fixture.zip),
                    &ImportOptions::default(),
                    &mut NoProgress,
                )
                .unwrap()
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();

    c.bench_function("open", |b| b.iter(|| black_box(Database::open(&fixture.db).unwrap())));

    let db = Database::open(&fixture.db).unwrap();
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("10k", |b| b.iter(|| black_box(lookups(&db, &queries))));
    group.finish();

    let mut group = c.benchmark_group("open+lookup");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("10k", |b| {
        b.iter(|| {
            let db = Database::open(&fixture.db).unwrap();
            black_box(lookups(&db, &queries))
        })
    });
    group.finish();

    let packages: Vec<LockedPackage> = queries
        .iter()
        .enumerate()
        .map(|(i, (ecosystem, name))| LockedPackage {
            ecosystem: (*ecosystem).to_owned(),
            name: name.clone(),
            version: if *ecosystem == "Debian:12" { "1.3-1".to_owned() } else { "1.3.0".to_owned() },
            line: i + 1,
        })
        .collect();
    let mut group = c.benchmark_group("match");
    group.sample_size(20);
    group.throughput(Throughput::Elements(packages.len() as u64));
    group.bench_function("10k-packages", |b| {
        b.iter(|| black_box(match_packages(&db, &packages).unwrap().len()))
    });
    group.finish();

    let inventory: Vec<LockedPackage> = (0..2_000)
        .map(|i| {
            let (ecosystem, name, _) = package(i * ECOSYSTEMS.len() + 3);
            LockedPackage { ecosystem: ecosystem.to_owned(), name, version: "1.3-1".to_owned(), line: i + 1 }
        })
        .collect();
    let mut group = c.benchmark_group("match");
    group.sample_size(20);
    group.throughput(Throughput::Elements(inventory.len() as u64));
    group.bench_function("2k-inventory", |b| {
        b.iter(|| black_box(match_packages(&db, &inventory).unwrap().len()))
    });
    group.finish();
    let mut group = c.benchmark_group("open+match");
    group.sample_size(20);
    group.throughput(Throughput::Elements(inventory.len() as u64));
    group.bench_function("2k-inventory", |b| {
        b.iter(|| {
            let db = Database::open(&fixture.db).unwrap();
            black_box(match_packages(&db, &inventory).unwrap().len())
        })
    });
    group.finish();
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() { dir_size(&e.path()) } else { meta.len() }
        })
        .sum()
}

criterion_group!(benches, bench);
criterion_main!(benches);
