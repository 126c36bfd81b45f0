//! Hostile and damaged images: each must fail with an error naming the image and the part of it,
//! or be handled safely, within bounded time and memory.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // helpers of integration tests, not library code

mod common;

use common::*;
use serde_json::json;
use shipshape_image::{AnomalyKind, Image, ImageError, Limits, OpenOptions, WalkOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn open_with_limits(path: &Path, limits: Limits) -> Result<Image, ImageError> {
    Image::open_with(path, &OpenOptions { limits, ..OpenOptions::default() })
}

fn walk(image: &Image) -> Result<shipshape_image::Walk, ImageError> {
    image.walk(&WalkOptions::default(), &mut ())
}

fn single_layer_layout(dir: &Path, name: &str, layer: Layer) -> std::path::PathBuf {
    let layers = vec![layer];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.join(name);
    oci_layout(&path, &config, &layers, None);
    path
}

#[test]
fn truncated_archives_fail_cleanly_at_every_cut() {
    let dir = tempfile::tempdir().unwrap();
    let layers = vec![
        Layer::new(&[file("a", &vec![1u8; 20_000]), file("etc/os-release", b"ID=x\n")], Comp::Gzip),
        Layer::new(&[file("b", &vec![2u8; 20_000])], Comp::None),
    ];
    let config = config_json("amd64", &layers, json!({}), None);
    let whole = dir.path().join("whole.tar");
    docker_oci(&whole, &config, &layers, "cut:1");
    let bytes = std::fs::read(&whole).unwrap();
    let mut failures = 0;
    for step in 1..40 {
        let cut = bytes.len() * step / 40;
        let path = dir.path().join(format!("cut-{step}.tar"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let result = Image::open(&path, None).and_then(|image| walk(&image).map(drop));
        if let Err(error) = result {
            failures += 1;
            let text = error.to_string();
            assert!(text.contains(&format!("cut-{step}.tar")), "{text}");
        }
    }
    // Only cuts in the trailing padding can leave a readable image.
    assert!(failures >= 35, "{failures}");
}

#[test]
fn truncated_layers_are_errors_naming_the_layer() {
    let dir = tempfile::tempdir().unwrap();
    for comp in [Comp::Gzip, Comp::Zstd, Comp::None] {
        let good = Layer::new(&[file("big", &vec![7u8; 50_000]), file("after", b"x")], comp);
        // The descriptor (size, digest) describes the truncated blob, so only the stream is wrong.
        let cut = Layer { blob: good.blob[..good.blob.len() / 2].to_vec(), ..good.clone() };
        let path = single_layer_layout(dir.path(), &format!("{comp:?}"), cut);
        let image = Image::open(&path, None).unwrap();
        let error = walk(&image).unwrap_err();
        match &error {
            ImageError::Layer { location, message } => {
                assert!(location.contains("layer 0 (sha256:"), "{location}");
                assert!(
                    message.contains("truncated") || message.contains("decompress"),
                    "{comp:?}: {message}"
                );
            }
            other => panic!("{comp:?}: {other}"),
        }
    }
}

/// A gzip stream that inflates to `members` MiB: a tar header for one huge file, then the same
/// 1 MiB member of zeros repeated (multi-member gzip, as pigz writes).
fn gzip_bomb(members: usize) -> Layer {
    let mut header = tar::Header::new_gnu();
    header.set_path("bomb").unwrap();
    header.set_size(64 << 30);
    header.set_mode(0o644);
    header.set_cksum();
    let zeros = vec![0u8; 1 << 20];
    let mut first = header.as_bytes().to_vec();
    first.extend_from_slice(&zeros);
    let mut blob = compress(&first, Comp::Gzip);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&zeros).unwrap();
    let member = encoder.finish().unwrap();
    for _ in 0..members {
        blob.extend_from_slice(&member);
    }
    // The diff_id is not what matters: the limit must stop the stream first.
    Layer { tar: first, blob, comp: Comp::Gzip }
}

#[test]
fn decompression_bombs_stop_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = gzip_bomb(1000);
    assert!(bomb.blob.len() < 2 << 20, "{}", bomb.blob.len());
    let path = single_layer_layout(dir.path(), "gzip-bomb", bomb);
    let limits = Limits { max_uncompressed_bytes: 32 << 20, ..Limits::default() };
    let image = open_with_limits(&path, limits).unwrap();
    let start = Instant::now();
    let error = walk(&image).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    match &error {
        ImageError::LimitExceeded { what, limit, location } => {
            assert_eq!(*limit, 32 << 20);
            assert!(what.contains("uncompressed"), "{what}");
            assert!(location.contains("layer 0"), "{location}");
        }
        other => panic!("{other}"),
    }

    // The same with zstd frames.
    let zeros = vec![0u8; 1 << 20];
    let mut header = tar::Header::new_gnu();
    header.set_path("bomb").unwrap();
    header.set_size(64 << 30);
    header.set_cksum();
    let mut first = header.as_bytes().to_vec();
    first.extend_from_slice(&zeros);
    let mut blob = compress(&first, Comp::Zstd);
    let frame = compress(&zeros, Comp::Zstd);
    for _ in 0..200 {
        blob.extend_from_slice(&frame);
    }
    let path = single_layer_layout(dir.path(), "zstd-bomb", Layer { tar: first, blob, comp: Comp::Zstd });
    let image =
        open_with_limits(&path, Limits { max_uncompressed_bytes: 16 << 20, ..Limits::default() }).unwrap();
    assert!(matches!(walk(&image), Err(ImageError::LimitExceeded { .. })));
}

#[test]
fn digest_mismatches_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Blob content changed under its name: same size, one data byte different.
    let layer = Layer::new(&[file("data", b"original content")], Comp::None);
    let layers = vec![layer.clone()];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.path().join("tampered");
    oci_layout(&path, &config, &layers, None);
    let blob_path = path.join("blobs/sha256").join(hex(&layer.blob));
    let mut tampered = layer.blob.clone();
    let at = tampered.windows(8).position(|w| w == b"original").unwrap();
    tampered[at] = b'O';
    std::fs::write(&blob_path, &tampered).unwrap();
    let image = Image::open(&path, None).unwrap();
    match walk(&image).unwrap_err() {
        ImageError::DigestMismatch { what, expected, actual, location } => {
            assert_eq!(what, "layer blob");
            assert_eq!(expected, layer.digest());
            assert_eq!(actual, sha(&tampered));
            assert!(location.contains("tampered: layer 0"), "{location}");
        }
        other => panic!("{other}"),
    }

    // A compressed blob whose uncompressed stream does not match the config's diff_id.
    let real = Layer::new(&[file("data", b"real")], Comp::Gzip);
    let other = Layer::new(&[file("data", b"fake")], Comp::Gzip);
    let config = config_json("amd64", std::slice::from_ref(&other), json!({}), None);
    let path = dir.path().join("diff-id");
    oci_layout(&path, &config, std::slice::from_ref(&real), None);
    let image = Image::open(&path, None).unwrap();
    match walk(&image).unwrap_err() {
        ImageError::DigestMismatch { what, expected, actual, .. } => {
            assert_eq!(what, "uncompressed layer (diff_id)");
            assert_eq!(expected, other.diff_id());
            assert_eq!(actual, real.diff_id());
        }
        other => panic!("{other}"),
    }

    // A legacy archive whose layer.tar was swapped: caught by the diff_id.
    let path = dir.path().join("legacy.tar");
    let config = config_json("amd64", std::slice::from_ref(&other), json!({}), None);
    let swapped = Layer::new(&[file("data", b"evil")], Comp::None);
    docker_legacy(&path, &config, &[swapped], &["x:1"], false);
    let image = Image::open(&path, None).unwrap();
    assert!(matches!(walk(&image), Err(ImageError::DigestMismatch { .. })));

    // A config stored under another digest is refused at open.
    let path = dir.path().join("config");
    let layers = vec![Layer::new(&[file("x", b"1")], Comp::Gzip)];
    let config = config_json("amd64", &layers, json!({"User": "app"}), None);
    oci_layout(&path, &config, &layers, None);
    let forged = config_json("amd64", &layers, json!({"User": "root"}), None);
    let mut padded = forged.clone();
    padded.resize(config.len(), b' ');
    std::fs::write(path.join("blobs/sha256").join(hex(&config)), &padded).unwrap();
    match Image::open(&path, None).unwrap_err() {
        ImageError::DigestMismatch { what, .. } => {
            assert!(what.starts_with("config blobs/sha256/"), "{what}")
        }
        other => panic!("{other}"),
    }

    // A size that disagrees with the descriptor.
    let path = dir.path().join("size");
    let layer = Layer::new(&[file("x", b"1")], Comp::Gzip);
    oci_layout(
        &path,
        &config_json("amd64", std::slice::from_ref(&layer), json!({}), None),
        std::slice::from_ref(&layer),
        None,
    );
    let blob_path = path.join("blobs/sha256").join(hex(&layer.blob));
    let mut longer = layer.blob.clone();
    longer.extend_from_slice(b"trailing");
    std::fs::write(&blob_path, &longer).unwrap();
    let image = Image::open(&path, None).unwrap();
    let error = walk(&image).unwrap_err();
    assert!(
        matches!(
            error,
            ImageError::SizeMismatch { .. } | ImageError::Layer { .. } | ImageError::DigestMismatch { .. }
        ),
        "{error}"
    );
}

#[test]
fn deep_and_overlong_paths() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}file", "d/".repeat(2000));
    let overlong = format!("{}file", "x/".repeat(6000));
    let layer = Layer::new(
        &[raw(deep.as_bytes(), b"deep"), raw(overlong.as_bytes(), b"long"), file("after", b"ok")],
        Comp::Gzip,
    );
    let path = single_layer_layout(dir.path(), "deep", layer);
    let image = Image::open(&path, None).unwrap();
    let start = Instant::now();
    let walk = walk(&image).unwrap();
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    let fs = &walk.filesystem;
    assert!(fs.get(&format!("/{deep}")).is_some());
    assert!(fs.get("/after").is_some());
    // 2000 implicit directories, the root, the deep file and `/after`.
    assert_eq!(fs.len(), 2003);
    assert!(fs.anomalies().iter().any(|a| a.kind == AnomalyKind::PathTooLong));
    let files = image.read_paths(&[&format!("/{deep}")]).unwrap();
    assert_eq!(files[0].data, b"deep");
}

#[test]
fn a_hundred_thousand_tiny_files_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    for i in 0..100_000u32 {
        let mut h = tar::Header::new_ustar();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("d{}/f{i}", i % 100), &[b'x'][..]).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let path = single_layer_layout(dir.path(), "many", Layer::from_tar(tar, Comp::None));
    let image = Image::open(&path, None).unwrap();
    let start = Instant::now();
    let walk = walk(&image).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(walk.filesystem.len(), 100_000 + 100 + 1);
    assert_eq!(walk.layers[0].entries, 100_000);
    // Generous for unoptimised test builds on a shared two-core machine.
    eprintln!("walk of 100k files: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");

    // The entry limit stops it early.
    let image = open_with_limits(&path, Limits { max_entries: 1000, ..Limits::default() }).unwrap();
    assert!(matches!(image.walk(&WalkOptions::default(), &mut ()), Err(ImageError::LimitExceeded { .. })));
}

#[test]
fn hostile_headers() {
    let dir = tempfile::tempdir().unwrap();
    // A file claiming 1 TiB with 10 bytes behind it.
    let mut h = tar::Header::new_gnu();
    h.set_path("huge").unwrap();
    h.set_size(1 << 40);
    h.set_cksum();
    let mut tar = h.as_bytes().to_vec();
    tar.extend_from_slice(&[0u8; 10]);
    let path = single_layer_layout(dir.path(), "huge", Layer::from_tar(tar, Comp::Gzip));
    let error = walk(&Image::open(&path, None).unwrap()).unwrap_err();
    assert!(matches!(&error, ImageError::Layer { message, .. } if message.contains("truncated")), "{error}");

    // A GNU long name of 512 MiB (metadata limit).
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_size(512 << 20);
    h.set_cksum();
    let mut tar = h.as_bytes().to_vec();
    tar.extend_from_slice(&[b'a'; 4096]);
    let path = single_layer_layout(dir.path(), "longname", Layer::from_tar(tar, Comp::None));
    let error = walk(&Image::open(&path, None).unwrap()).unwrap_err();
    assert!(error.to_string().contains("over the limit"), "{error}");

    // Not a tar stream at all.
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = single_layer_layout(dir.path(), "noise", Layer::from_tar(noise, Comp::Gzip));
    let error = walk(&Image::open(&path, None).unwrap()).unwrap_err();
    assert!(matches!(&error, ImageError::Layer { message, .. } if message.contains("checksum")), "{error}");

    // bzip2 is recognised and refused.
    let path = single_layer_layout(
        dir.path(),
        "bzip2",
        Layer { tar: Vec::new(), blob: b"BZh91AY&SY".to_vec(), comp: Comp::None },
    );
    assert!(matches!(walk(&Image::open(&path, None).unwrap()), Err(ImageError::Unsupported { .. })));

    // Symbolic link loops resolve to nothing, quickly.
    let layer =
        Layer::new(&[symlink("a", "b"), symlink("b", "a"), symlink("c", "c/c"), file("x", b"1")], Comp::None);
    let path = single_layer_layout(dir.path(), "loops", layer);
    let image = Image::open(&path, None).unwrap();
    assert!(image.read_paths(&["/a", "/c/x", "/b/../x"]).unwrap().iter().all(|f| f.requested == "/b/../x"));
}

#[test]
fn hostile_json() {
    let dir = tempfile::tempdir().unwrap();
    // index.json pointing outside the layout and a manifest.json naming `../` paths.
    let path = dir.path().join("escape");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(dir.path().join("secret.json"), b"{}").unwrap();
    std::fs::write(
        path.join("manifest.json"),
        br#"[{"Config": "../secret.json", "Layers": ["../../etc/passwd"]}]"#,
    )
    .unwrap();
    let error = Image::open(&path, None).unwrap_err();
    assert!(matches!(error, ImageError::MissingBlob { .. }), "{error}");

    // Invalid JSON names the file and line.
    let path = dir.path().join("badjson");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("oci-layout"), b"{}").unwrap();
    std::fs::write(path.join("index.json"), b"{\n  \"manifests\": [\n    {\"digest\": \"a\"\n  ]\n}")
        .unwrap();
    let error = Image::open(&path, None).unwrap_err().to_string();
    assert!(error.contains("index.json: invalid JSON at line"), "{error}");

    // An oversized config is refused before it is read.
    let path = dir.path().join("bigconfig");
    let layers = vec![Layer::new(&[file("x", b"1")], Comp::Gzip)];
    let env: Vec<String> = (0..20_000).map(|i| format!("VAR{i}={}", "v".repeat(40))).collect();
    let config = config_json("amd64", &layers, json!({"Env": env}), None);
    oci_layout(&path, &config, &layers, None);
    let error =
        open_with_limits(&path, Limits { max_json_bytes: 64 * 1024, ..Limits::default() }).unwrap_err();
    assert!(matches!(error, ImageError::LimitExceeded { .. }), "{error}");
    assert!(Image::open(&path, None).is_ok());

    // Deeply nested indexes stop.
    let path = dir.path().join("nested");
    let mut inner = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": []})).unwrap();
    for _ in 0..8 {
        write_blob(&path, &inner);
        let d = descriptor("application/vnd.oci.image.index.v1+json", &inner, None, None);
        inner = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [d]})).unwrap();
    }
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("index.json"), &inner).unwrap();
    let error = Image::open(&path, None).unwrap_err().to_string();
    assert!(error.contains("nested"), "{error}");
}
