//! Layer streaming and walking throughput over a generated ~100 MB image (uncompressed tar
//! bytes), stored gzip-compressed, zstd-compressed and uncompressed: every layer decompressed,
//! hashed twice (blob digest and diff_id), parsed, applied to the file view, and every byte of
//! every file handed to a visitor.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // benchmark set-up, not library code

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_image::{Digest, Image, VisitEntry, VisitResult, Visitor, WalkOptions};
use std::io::{Read, Write};
use std::path::Path;

const LAYERS: usize = 4;
const FILES_PER_LAYER: usize = 500;
const FILE_SIZE: usize = 50 * 1024;

/// Text-like content (compresses about 3:1 with gzip, like binaries and libraries do).
fn content(seed: u64, len: usize) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "lib", "usr", "share", "config", "value", "0x7f45", "ELF", "main", "return", "static", "const",
        "data", "\n", "{", "}", "error",
    ];
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let word = WORDS[(state >> 60) as usize];
        out.extend_from_slice(word.as_bytes());
        out.push(b' ');
        if state & 0x300 == 0 {
            out.extend_from_slice(&(state >> 20).to_le_bytes()[..3]);
        }
    }
    out.truncate(len);
    out
}

fn layer_tar(layer: usize) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for i in 0..FILES_PER_LAYER {
        let mut h = tar::Header::new_gnu();
        let data = content((layer * FILES_PER_LAYER + i) as u64, FILE_SIZE);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("usr/lib/pkg{}/file{i}.so", i % 50), &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

#[derive(Clone, Copy)]
enum Comp {
    None,
    Gzip,
    Zstd,
}

fn compress(data: &[u8], comp: Comp) -> (Vec<u8>, &'static str) {
    match comp {
        Comp::None => (data.to_vec(), "application/vnd.oci.image.layer.v1.tar"),
        Comp::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            e.write_all(data).unwrap();
            (e.finish().unwrap(), "application/vnd.oci.image.layer.v1.tar+gzip")
        }
        Comp::Zstd => (
            ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest),
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
    }
}

fn write_blob(root: &Path, data: &[u8]) -> String {
    let digest = Digest::sha256_of(data);
    std::fs::create_dir_all(root.join("blobs/sha256")).unwrap();
    std::fs::write(root.join(digest.blob_path()), data).unwrap();
    digest.to_string()
}

/// Writes an OCI layout; returns (uncompressed bytes, stored bytes).
fn write_image(root: &Path, tars: &[Vec<u8>], comp: Comp) -> (u64, u64) {
    let mut layers = Vec::new();
    let mut diff_ids = Vec::new();
    let mut stored = 0;
    for tar in tars {
        let (blob, media_type) = compress(tar, comp);
        stored += blob.len() as u64;
        diff_ids.push(format!("\"{}\"", Digest::sha256_of(tar)));
        let digest = write_blob(root, &blob);
        layers.push(format!(
            "{{\"mediaType\":\"{media_type}\",\"digest\":\"{digest}\",\"size\":{}}}",
            blob.len()
        ));
    }
    let config = format!(
        "{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{}]}}}}",
        diff_ids.join(",")
    );
    let config_digest = write_blob(root, config.as_bytes());
    let manifest = format!(
        "{{\"schemaVersion\":2,\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{config_digest}\",\"size\":{}}},\"layers\":[{}]}}",
        config.len(),
        layers.join(",")
    );
    let manifest_digest = write_blob(root, manifest.as_bytes());
    std::fs::write(
        root.join("index.json"),
        format!(
            "{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{manifest_digest}\",\"size\":{}}}]}}",
            manifest.len()
        ),
    )
    .unwrap();
    std::fs::write(root.join("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}").unwrap();
    (tars.iter().map(|t| t.len() as u64).sum(), stored)
}

/// Reads every byte of every file, as a content scanner would.
struct ReadAll {
    bytes: u64,
    buf: Vec<u8>,
}

impl Visitor for ReadAll {
    fn file(&mut self, _: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        loop {
            let n = content.read(&mut self.buf)?;
            if n == 0 {
                return Ok(());
            }
            self.bytes += n as u64;
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let tars: Vec<Vec<u8>> = (0..LAYERS).map(layer_tar).collect();
    let mut group = c.benchmark_group("image");
    group.sample_size(10);
    for (name, comp) in [("uncompressed", Comp::None), ("gzip", Comp::Gzip), ("zstd", Comp::Zstd)] {
        let root = dir.path().join(name);
        let (uncompressed, stored) = write_image(&root, &tars, comp);
        eprintln!("{name}: {uncompressed} bytes uncompressed, {stored} stored");
        let image = Image::open(&root, None).unwrap();
        let options = WalkOptions { max_file_bytes: u64::MAX, ..WalkOptions::default() };
        group.throughput(Throughput::Bytes(uncompressed));
        group.bench_function(format!("walk_read_all/{name}"), |b| {
            b.iter(|| {
                let mut visitor = ReadAll { bytes: 0, buf: vec![0; 64 * 1024] };
                let walk = image.walk(&options, &mut visitor).unwrap();
                assert_eq!(walk.filesystem.len(), 1 + 2 + 50 + LAYERS * FILES_PER_LAYER / LAYERS);
                visitor.bytes
            });
        });
        group.bench_function(format!("walk_index_only/{name}"), |b| {
            b.iter(|| image.walk(&WalkOptions::default(), &mut ()).unwrap().filesystem.len());
        });
    }
    group.finish();
}

/// The inventory's cost on a real image named by `SHIPSHAPE_BENCH_IMAGE` (a `docker save`
/// archive or OCI layout): the walk alone and with every file read (as the secret scan does),
/// each without and with the inventory (`Image::scan`: OS databases, language packages, Go and
/// Rust binaries, Java archives).
fn inventory(c: &mut Criterion) {
    let Some(path) = std::env::var_os("SHIPSHAPE_BENCH_IMAGE") else {
        eprintln!("inventory benchmark skipped: set SHIPSHAPE_BENCH_IMAGE to an image archive");
        return;
    };
    let image = Image::open(Path::new(&path), None).unwrap();
    let (_, inventory) = image.scan(&mut ()).unwrap();
    eprintln!(
        "{}: {} packages from {} files, {} notes",
        Path::new(&path).display(),
        inventory.packages.len(),
        inventory.sources.len(),
        inventory.notes.len()
    );
    let mut group = c.benchmark_group("inventory");
    group.sample_size(10);
    group.bench_function("walk", |b| {
        b.iter(|| image.walk(&WalkOptions::for_inventory(), &mut ()).unwrap().filesystem.len())
    });
    group.bench_function("walk_with_inventory", |b| b.iter(|| image.scan(&mut ()).unwrap().1.packages.len()));
    group.bench_function("walk_read_all", |b| {
        b.iter(|| {
            let mut visitor = ReadAll { bytes: 0, buf: vec![0; 64 * 1024] };
            image.walk(&WalkOptions::for_inventory(), &mut visitor).unwrap();
            visitor.bytes
        });
    });
    group.bench_function("walk_read_all_with_inventory", |b| {
        b.iter(|| {
            let mut visitor = ReadAll { bytes: 0, buf: vec![0; 64 * 1024] };
            image.scan(&mut visitor).unwrap();
            visitor.bytes
        });
    });
    group.finish();
}

criterion_group!(benches, bench, inventory);
criterion_main!(benches);
