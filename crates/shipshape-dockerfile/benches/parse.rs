//! Parse and parse+lower throughput over BuildKit's conformance Dockerfiles (read from
//! `../shared/buildkit-dockerfile-conformance`) and over one typical multi-stage Dockerfile.
//!
//! `cargo bench -p shipshape-dockerfile --bench parse`; criterion reports elements/s, where an
//! element is one Dockerfile.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

const TYPICAL: &str = r#"# syntax=docker/dockerfile:1.7
ARG NODE_VERSION=20.11
FROM node:${NODE_VERSION}-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1
RUN npm run build && \
    npm prune --omit=dev

FROM gcr.io/distroless/nodejs20-debian12
LABEL org.opencontainers.image.source="https://github.com/example/app" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /app
COPY --from=build --chown=nonroot:nonroot /app/.next ./.next
COPY --from=build /app/node_modules ./node_modules
COPY <<EOF /app/config.json
{"port": 3000}
EOF
EXPOSE 3000/tcp
USER nonroot
HEALTHCHECK --interval=30s --timeout=3s CMD ["/nodejs/bin/node", "healthcheck.js"]
CMD ["server.js"]
"#;

fn conformance_files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/buildkit-dockerfile-conformance");
    let mut files = Vec::new();
    for dir in ["testfiles", "testfiles-negative"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            panic!("conformance suite missing at {}", root.display());
        };
        for entry in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path().join("Dockerfile")) {
                files.push(text);
            }
        }
    }
    files
}

fn bench(c: &mut Criterion) {
    let files = conformance_files();
    let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();
    let mut group = c.benchmark_group("conformance files");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            for text in &files {
                black_box(shipshape_dockerfile::parse(black_box(text)));
            }
        })
    });
    group.bench_function("parse+lower", |b| {
        b.iter(|| {
            for text in &files {
                let df = shipshape_dockerfile::parse(black_box(text));
                black_box(shipshape_dockerfile::lower(&df, "Dockerfile".into(), &[]));
            }
        })
    });
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("parse, bytes", |b| {
        b.iter(|| {
            for text in &files {
                black_box(shipshape_dockerfile::parse(black_box(text)));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("typical multi-stage Dockerfile");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse", |b| b.iter(|| black_box(shipshape_dockerfile::parse(black_box(TYPICAL)))));
    group.bench_function("parse+lower", |b| {
        b.iter(|| {
            let df = shipshape_dockerfile::parse(black_box(TYPICAL));
            black_box(shipshape_dockerfile::lower(&df, "Dockerfile".into(), &[]))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
