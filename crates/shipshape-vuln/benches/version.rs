//! Version comparison speed per ecosystem family, over the shared OSV vector corpus
//! (`shared/osv-version-vectors/semantic-testdata`, next to the repository checkout).
//!
//! `cargo bench -p shipshape-vuln --bench version`. For each family two measurements:
//! `compare/<family>` parses both strings and compares them (what [`compare`] does), and
//! `parsed/<family>` compares versions parsed once beforehand. Criterion reports elements/s,
//! where an element is one comparison; ns per comparison is the reciprocal.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_vuln::version::{EcosystemFamily, Version, compare};

const FILES: &[(EcosystemFamily, &[&str])] = &[
    (EcosystemFamily::Dpkg, &["debian-versions.txt", "debian-versions-generated.txt"]),
    (EcosystemFamily::Apk, &["alpine-versions.txt", "alpine-versions-generated.txt"]),
    (EcosystemFamily::Rpm, &["redhat-versions.txt"]),
    (EcosystemFamily::Pep440, &["pypi-versions.txt", "pypi-versions-generated.txt"]),
    (EcosystemFamily::SemVer, &["semver-versions.txt"]),
    (EcosystemFamily::Pub, &["pub-versions.txt"]),
    (EcosystemFamily::NuGet, &["nuget-versions.txt"]),
    (EcosystemFamily::Maven, &["maven-versions.txt", "maven-versions-generated.txt"]),
    (EcosystemFamily::RubyGems, &["rubygems-versions.txt", "rubygems-versions-generated.txt"]),
    (EcosystemFamily::Packagist, &["packagist-versions.txt", "packagist-versions-generated.txt"]),
    (EcosystemFamily::Cran, &["cran-versions.txt", "cran-versions-generated.txt"]),
    (EcosystemFamily::Hackage, &["hackage-versions.txt"]),
];

/// The `(a, b)` pairs of a family's vector files.
fn pairs(files: &[&str]) -> Vec<(String, String)> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv-version-vectors/semantic-testdata");
    let mut pairs = Vec::new();
    for file in files {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the OSV version vectors are needed: {}: {e}", path.display()));
        for line in text.lines() {
            if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") {
                continue;
            }
            if let [a, _, b] = line.split(' ').collect::<Vec<_>>()[..] {
                pairs.push((a.to_owned(), b.to_owned()));
            }
        }
    }
    pairs
}

fn bench_versions(c: &mut Criterion) {
    for (family, files) in FILES {
        let pairs = pairs(files);
        let name = format!("{family:?}");
        let mut group = c.benchmark_group("compare");
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(&name, |b| {
            b.iter(|| {
                for (x, y) in &pairs {
                    black_box(compare(*family, black_box(x), black_box(y)));
                }
            });
        });
        group.finish();

        let parsed: Vec<(Version<'_>, Version<'_>)> =
            pairs.iter().map(|(x, y)| (Version::parse(*family, x), Version::parse(*family, y))).collect();
        let mut group = c.benchmark_group("parsed");
        group.throughput(Throughput::Elements(parsed.len() as u64));
        group.bench_function(&name, |b| {
            b.iter(|| {
                for (x, y) in &parsed {
                    black_box(black_box(x).cmp(black_box(y)));
                }
            });
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench_versions
}
criterion_main!(benches);
