//! Conformance: every comparison vector of the shared OSV version corpus must hold, in both
//! directions.
//!
//! The vectors live in `shared/osv-version-vectors/semantic-testdata` beside the repository
//! (see its PROVENANCE.md): one comparison per line, `<a> <op> <b>` with op `<`, `=` or `>`;
//! blank lines and lines starting with `# ` or `// ` are skipped.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use shipshape_vuln::version::{EcosystemFamily, ParsedEcosystem, compare};

/// Ecosystem (as OSV spells it) and the vector file its ordering is checked against.
const FIXTURES: &[(&str, &str)] = &[
    ("npm", "semver-versions.txt"),
    ("crates.io", "semver-versions.txt"),
    ("Go", "semver-versions.txt"),
    ("Hex", "semver-versions.txt"),
    ("PyPI", "pypi-versions.txt"),
    ("PyPI", "pypi-versions-generated.txt"),
    ("Maven", "maven-versions.txt"),
    ("Maven", "maven-versions-generated.txt"),
    ("Debian", "debian-versions.txt"),
    ("Debian", "debian-versions-generated.txt"),
    ("Ubuntu:22.04:LTS", "debian-versions.txt"),
    ("Alpine", "alpine-versions.txt"),
    ("Alpine", "alpine-versions-generated.txt"),
    ("Wolfi", "alpine-versions.txt"),
    ("Chainguard", "alpine-versions.txt"),
    ("Red Hat", "redhat-versions.txt"),
    ("AlmaLinux:9", "redhat-versions.txt"),
    ("Rocky Linux:9", "redhat-versions.txt"),
    ("SUSE:Linux Enterprise Server 15", "redhat-versions.txt"),
    ("openSUSE:Leap 15.5", "redhat-versions.txt"),
    ("RubyGems", "rubygems-versions.txt"),
    ("RubyGems", "rubygems-versions-generated.txt"),
    ("NuGet", "nuget-versions.txt"),
    ("Packagist", "packagist-versions.txt"),
    ("Packagist", "packagist-versions-generated.txt"),
    ("CRAN", "cran-versions.txt"),
    ("CRAN", "cran-versions-generated.txt"),
    ("Pub", "pub-versions.txt"),
    ("Hackage", "hackage-versions.txt"),
];

fn vectors_dir() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv-version-vectors/semantic-testdata");
    assert!(
        dir.is_dir(),
        "the OSV version vectors are missing: expected the directory {} \
         (shared/osv-version-vectors/semantic-testdata next to the repository checkout)",
        dir.display()
    );
    dir
}

fn symbol(ordering: Ordering) -> &'static str {
    match ordering {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

struct FileResult {
    ecosystem: &'static str,
    file: &'static str,
    vectors: usize,
    failures: Vec<String>,
}

fn run_fixture(ecosystem: &'static str, file: &'static str, family: EcosystemFamily) -> FileResult {
    let path = vectors_dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut result = FileResult { ecosystem, file, vectors: 0, failures: Vec::new() };
    for (number, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = fields[..] else {
            panic!("{file}:{}: expected `<a> <op> <b>`, got {line:?}", number + 1);
        };
        let expected = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            other => panic!("{file}:{}: unknown operator {other:?}", number + 1),
        };
        result.vectors += 1;
        let forward = compare(family, a, b);
        let backward = compare(family, b, a);
        if forward != expected || backward != expected.reverse() {
            result.failures.push(format!(
                "{file}:{}: {a} {op} {b}: got {a} {} {b} and {b} {} {a}",
                number + 1,
                symbol(forward),
                symbol(backward)
            ));
        }
    }
    result
}

#[test]
fn every_vector_holds_in_both_directions() {
    let mut summary = String::new();
    let mut total = 0;
    let mut failed = 0;
    let mut first_failures = Vec::new();
    for (ecosystem, file) in FIXTURES {
        let family = ParsedEcosystem::parse(ecosystem)
            .family()
            .unwrap_or_else(|| panic!("{ecosystem} should have a version comparator"));
        let result = run_fixture(ecosystem, file, family);
        assert!(result.vectors > 0, "{file} holds no vectors");
        total += result.vectors;
        failed += result.failures.len();
        let _ = writeln!(
            summary,
            "{:<34} {:<34} {:>6} vectors {:>5} failed",
            result.ecosystem,
            result.file,
            result.vectors,
            result.failures.len()
        );
        first_failures.extend(result.failures.into_iter().take(15));
    }
    println!("{summary}total: {total} vectors, {failed} failed");
    assert!(
        failed == 0,
        "{failed} of {total} vectors failed\n{summary}\nfirst failures:\n{}",
        first_failures.join("\n")
    );
}

#[test]
fn every_file_of_the_corpus_is_covered() {
    let mut files: Vec<String> = std::fs::read_dir(vectors_dir())
        .expect("vector directory is readable")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    files.sort();
    for file in files {
        assert!(FIXTURES.iter().any(|(_, f)| *f == file), "{file} is not checked by any ecosystem");
    }
}
