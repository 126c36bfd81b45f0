//! Rendering 100k findings, per format: `cargo bench -p shipshape-report --bench render`.

#![allow(missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_report::{Format, HumanOptions, render};
use std::hint::black_box;
use std::io;

const FINDINGS: usize = 100_000;

fn bench_formats(c: &mut Criterion) {
    let fixture = common::many(FINDINGS);
    let report = fixture.report();
    let options = HumanOptions::default();
    let mut group = c.benchmark_group("render_100k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(FINDINGS as u64));
    for format in Format::ALL {
        group.bench_function(format.as_str(), |b| {
            b.iter(|| render(format, black_box(&report), &options, &mut io::sink()));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_formats);
criterion_main!(benches);
