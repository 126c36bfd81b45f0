//! Parsing `RUN` commands: every shell-form `RUN` of BuildKit's conformance Dockerfiles (read
//! from `../shared/buildkit-dockerfile-conformance`), a typical multi-line `RUN`, and one large
//! synthetic `RUN` (about 100 KiB).
//!
//! `cargo bench -p shipshape-shell --bench parse`; criterion reports elements/s, where an
//! element is one `RUN`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_dockerfile::{Args, CommandArgs, Keyword};
use shipshape_shell::{RunInput, parse_run};
use std::hint::black_box;
use std::path::Path;

const TYPICAL: &str = "set -eux; \\
    apt-get update; \\
    apt-get install -y --no-install-recommends ca-certificates=20230311 curl=7.88.1-10+deb12u5 gnupg; \\
    curl -fsSL https://deb.nodesource.com/setup_20.x | bash -; \\
    apt-get install -y nodejs && npm install -g npm@10.5.0 pnpm@8.15.4; \\
    useradd -r -u 10001 -g root app && chown -R app /app; \\
    rm -rf /var/lib/apt/lists/* /tmp/*";

/// (source slice, file offset, escape) of every shell-form RUN.
fn conformance_runs() -> Vec<(String, usize, char)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/buildkit-dockerfile-conformance");
    let mut runs = Vec::new();
    for dir in ["testfiles", "testfiles-negative"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            panic!("conformance suite missing at {}", root.display());
        };
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path().join("Dockerfile")) else { continue };
            let df = shipshape_dockerfile::parse(&text);
            for i in &df.instructions {
                if let (Keyword::Run, Args::Command(CommandArgs::Shell(word))) = (&i.keyword, &i.args) {
                    runs.push((word.span.slice(&text).to_string(), word.span.start as usize, df.escape));
                }
            }
        }
    }
    runs
}

fn bench(c: &mut Criterion) {
    let runs = conformance_runs();
    assert!(!runs.is_empty());
    let mut group = c.benchmark_group("run");
    group.throughput(Throughput::Elements(runs.len() as u64));
    group.bench_function("conformance", |b| {
        b.iter(|| {
            for (source, offset, escape) in &runs {
                let input = RunInput { escape: Some(*escape), ..RunInput::new(source, *offset) };
                black_box(parse_run(black_box(&input)));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("typical", |b| {
        b.iter(|| black_box(parse_run(black_box(&RunInput::new(TYPICAL, 0)))))
    });
    let unit = "apt-get install -y --no-install-recommends pkg=1.0 && echo \"$(date) ${X:-y}\" | tee -a /log \\\n    && ";
    let large = unit.repeat(1_000) + "true";
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("large_100k", |b| {
        b.iter(|| black_box(parse_run(black_box(&RunInput::new(&large, 0)))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
