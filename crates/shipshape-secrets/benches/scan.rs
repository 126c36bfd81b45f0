//! Throughput of `Detector::scan` with all built-in rules enabled, on three inputs:
//!
//! * `source`: typical source text without secrets (this workspace's Rust sources, other than
//!   this crate's rule table and tests, repeated to 8 MiB);
//! * `keyword_dense`: code where nearly every line holds a keyword (`token`, `password`,
//!   `secret`, `api_key`, URLs) but no secret;
//! * `config_with_secrets`: `.env`/YAML-style configuration with a live-looking secret every
//!   few lines.
#![allow(missing_docs)]

use std::fs;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_secrets::vectors::expand;
use shipshape_secrets::{Detector, DetectorConfig};

const SIZE: usize = 8 << 20;

fn collect_rs(dir: &Path, out: &mut Vec<u8>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            if !path.ends_with("shipshape-secrets") && !path.ends_with("target") {
                collect_rs(&path, out);
            }
        } else if path.extension().is_some_and(|x| x == "rs")
            && let Ok(data) = fs::read(&path)
        {
            out.extend_from_slice(&data);
        }
    }
}

fn repeat_to(seed: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + seed.len());
    while out.len() < size {
        out.extend_from_slice(seed);
    }
    out
}

fn source_text() -> Vec<u8> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut text = Vec::new();
    collect_rs(&crates, &mut text);
    if text.is_empty() {
        text = include_bytes!("../src/engine.rs").to_vec();
    }
    repeat_to(&text, SIZE)
}

fn keyword_dense() -> Vec<u8> {
    let block = r#"    let token = request.headers().get("x-auth-token").ok_or(Error::MissingToken)?;
    let password = std::env::var("DB_PASSWORD").unwrap_or_default();
    config.secret_key = settings.get("secret_key").cloned();
    api_key: ${API_KEY}
    client_secret = os.environ["CLIENT_SECRET"]
    see https://docs.example.org/auth#tokens and http://localhost:8080/
    password_min_length = 12; max_tokens = 4096; token_type = "Bearer"
    aws_region = "eu-west-1"  # aws credentials come from the instance profile
"#;
    repeat_to(block.as_bytes(), SIZE)
}

fn config_with_secrets() -> Vec<u8> {
    let templates = [
        "GITHUB_TOKEN=ghp_{A:36}",
        "AWS_ACCESS_KEY_ID=AKIA{B:16}",
        "AWS_SECRET_ACCESS_KEY={b:40}",
        "DATABASE_URL=postgres://app:{A:20}@db.internal:5432/app",
        "SLACK_BOT_TOKEN=xoxb-{d:12}-{d:13}-{A:24}",
        "STRIPE_SECRET_KEY=sk_live_{A:99}",
        "DB_PASSWORD={A:14}",
        "OPENAI_API_KEY=sk-proj-{w:74}T3BlbkFJ{w:74}",
    ];
    let plain =
        ["LOG_LEVEL=info", "PORT=8080", "NODE_ENV=production", "FEATURE_FLAGS=a,b,c", "REGION=eu-west-1"];
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < SIZE {
        let t = templates[(i as usize) % templates.len()];
        text.push_str(&expand(t, i).text);
        text.push('\n');
        for p in plain {
            text.push_str(p);
            text.push('\n');
        }
        i += 1;
    }
    text.into_bytes()
}

fn bench(c: &mut Criterion) {
    let detector = Detector::new(DetectorConfig::default()).expect("built-in rules compile");
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    for (name, input) in [
        ("source", source_text()),
        ("keyword_dense", keyword_dense()),
        ("config_with_secrets", config_with_secrets()),
    ] {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| b.iter(|| detector.scan(std::hint::black_box(&input)).len()));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
