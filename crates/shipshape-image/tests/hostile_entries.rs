//! Hostile layer entries: links and paths aiming outside the image, device nodes, and a layer
//! listing a million tiny files. Reading an image never writes anything, follows no link out of
//! the image root, and keeps memory proportional to the entries it indexes.

#![allow(clippy::unwrap_used, clippy::print_stderr, clippy::print_stdout)] // helpers of integration tests

mod common;

use common::*;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use shipshape_image::{AnomalyKind, FileKind, Image, VisitEntry, VisitResult, Visitor, WalkOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn single_layer_layout(dir: &Path, name: &str, layer: Layer) -> PathBuf {
    let layers = vec![layer];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.join(name);
    oci_layout(&path, &config, &layers, None);
    path
}

/// A device node or FIFO entry.
fn special(path: &str, kind: tar::EntryType, major: u32, minor: u32) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    // Written byte for byte: the `tar` crate refuses `..` in paths.
    h.as_gnu_mut().unwrap().name[..path.len()].copy_from_slice(path.as_bytes());
    h.set_entry_type(kind);
    h.set_size(0);
    h.set_mode(0o666);
    h.set_device_major(major).unwrap();
    h.set_device_minor(minor).unwrap();
    h.set_cksum();
    h.as_bytes().to_vec()
}

#[derive(Default)]
struct Seen {
    entries: Vec<(String, FileKind)>,
}

impl Visitor for Seen {
    fn entry(&mut self, entry: &VisitEntry<'_>) -> VisitResult {
        self.entries.push((entry.path.to_owned(), entry.entry.kind));
        Ok(())
    }
}

#[test]
fn device_nodes_are_indexed_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = Vec::new();
    tar.extend(special("dev/sda", tar::EntryType::Block, 8, 0));
    tar.extend(special("dev/mem", tar::EntryType::Char, 1, 1));
    tar.extend(special("run/pipe", tar::EntryType::Fifo, 0, 0));
    // Device nodes reached through `..`.
    tar.extend(special("../../dev/kmsg", tar::EntryType::Char, 1, 11));
    tar.extend(layer_tar(&[file("after", b"ok")]));
    let path = single_layer_layout(dir.path(), "devices", Layer::from_tar(tar, Comp::Gzip));
    let before = listing(dir.path());
    let image = Image::open(&path, None).unwrap();
    let mut seen = Seen::default();
    let walk = image.walk(&WalkOptions::default(), &mut seen).unwrap();
    let fs = &walk.filesystem;
    assert_eq!(fs.get("/dev/sda").map(|e| e.kind), Some(FileKind::BlockDevice));
    assert_eq!(fs.get("/dev/mem").map(|e| (e.kind, e.mode)), Some((FileKind::CharDevice, 0o666)));
    assert_eq!(fs.get("/run/pipe").map(|e| e.kind), Some(FileKind::Fifo));
    assert_eq!(fs.get("/dev/kmsg").map(|e| e.kind), Some(FileKind::CharDevice));
    assert!(fs.get("/after").is_some(), "the walk goes on after device nodes");
    assert!(seen.entries.contains(&("/dev/sda".to_owned(), FileKind::BlockDevice)));
    assert!(fs.anomalies().iter().any(|a| a.kind == AnomalyKind::ParentComponents));
    // Reading a device node as a file gives nothing (it has no content in the image).
    assert!(image.read_paths(&["/dev/mem", "/run/pipe"]).unwrap().is_empty());
    assert_eq!(listing(dir.path()), before, "nothing was written next to the image");
}

/// Every path under `dir`, sorted.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn links_and_paths_aiming_outside_stay_inside() {
    let dir = tempfile::tempdir().unwrap();
    // Absolute host paths the entries aim at; none may appear.
    let outside = std::env::temp_dir().join(format!("shipshape-escape-{}", std::process::id()));
    let outside_s = outside.to_str().unwrap().trim_start_matches('/').to_owned();
    let layer0 = Layer::new(
        &[
            file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n"),
            symlink("escape", &format!("../../../../../../{outside_s}")),
            symlink("absolute", &format!("/{outside_s}")),
            symlink("etc-up", "../../../../etc"),
            hardlink("hard-passwd", "../../../etc/passwd", 0o644),
            hardlink("hard-host", &format!("/{outside_s}/host-file"), 0o644),
            raw(format!("../../../../{outside_s}/dotdot").as_bytes(), b"dotdot"),
            raw(format!("/{outside_s}/absolute-entry").as_bytes(), b"abs"),
        ],
        Comp::Gzip,
    );
    // The next layer writes through the links.
    let layer1 = Layer::new(
        &[
            file("escape/through-relative", b"1"),
            file("absolute/through-absolute", b"2"),
            file("etc-up/through-etc", b"3"),
        ],
        Comp::Gzip,
    );
    let layers = vec![layer0, layer1];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.path().join("escape");
    oci_layout(&path, &config, &layers, None);
    let before = listing(dir.path());

    let image = Image::open(&path, None).unwrap();
    let walk = image.walk(&WalkOptions::default(), &mut ()).unwrap();
    let fs = &walk.filesystem;
    let inside = format!("/{outside_s}");
    for name in ["through-relative", "through-absolute", "dotdot", "absolute-entry"] {
        assert!(fs.get(&format!("{inside}/{name}")).is_some(), "{name} lands inside the image at {inside}");
    }
    assert!(fs.get("/etc/through-etc").is_some());
    // A hard link may only name a file of the image; one naming a host file dangles.
    let hard = fs.get("/hard-passwd").unwrap();
    assert_eq!(hard.content.as_ref().map(|c| c.path.as_str()), Some("/etc/passwd"));
    assert!(fs.anomalies().iter().any(|a| a.kind == AnomalyKind::DanglingHardLink && a.path == "hard-host"));
    let files = image.read_paths(&["/hard-passwd", "/escape/through-relative", "/hard-host"]).unwrap();
    let read: Vec<(&str, &[u8])> = files.iter().map(|f| (f.requested.as_str(), f.data.as_slice())).collect();
    assert_eq!(
        read,
        [("/hard-passwd", &b"root:x:0:0::/root:/bin/sh\n"[..]), ("/escape/through-relative", b"1")]
    );

    assert!(!outside.exists(), "{} was created on the host", outside.display());
    assert_eq!(listing(dir.path()), before, "nothing was written next to the image");
}

/// A gzip layer of `count` empty files in 1000 directories, streamed (the tar is never held),
/// as an OCI layout.
fn many_files_layout(dir: &Path, count: u32) -> PathBuf {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut diff = Sha256::new();
    let mut put = |bytes: &[u8]| {
        diff.update(bytes);
        encoder.write_all(bytes).unwrap();
    };
    for i in 0..count {
        let mut h = tar::Header::new_ustar();
        h.set_path(format!("d{}/f{i}", i % 1000)).unwrap();
        h.set_size(0);
        h.set_mode(0o644);
        h.set_cksum();
        put(h.as_bytes());
    }
    put(&[0u8; 1024]);
    let blob = encoder.finish().unwrap();
    let diff_id =
        format!("sha256:{}", diff.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>());
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": format!("RUN touch {count} files")}],
    }))
    .unwrap();
    let layer = Layer { tar: Vec::new(), blob, comp: Comp::Gzip };
    let path = dir.join("many");
    oci_layout(&path, &config, &[layer], None);
    path
}

/// Peak resident memory of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The walk of the image at `path`, alone in this process (the child of
/// `a_million_files_in_bounded_memory`), so the peak it reports is the walk's and no other test's.
fn walk_many_files_child(path: &std::ffi::OsStr) {
    let baseline = peak_rss_kib();
    let image = Image::open(Path::new(&path), None).unwrap();
    let started = std::time::Instant::now();
    let walk = image.walk(&WalkOptions::default(), &mut ()).unwrap();
    let entries = walk.layers[0].entries;
    println!(
        "walked entries={entries} view={} seconds={:.1} baseline_kib={baseline} peak_kib={}",
        walk.filesystem.len(),
        started.elapsed().as_secs_f64(),
        peak_rss_kib()
    );
}

#[test]
fn a_million_files_in_bounded_memory() {
    if let Some(path) = std::env::var_os("SHIPSHAPE_MANY_FILES_IMAGE") {
        walk_many_files_child(&path);
        return;
    }
    const COUNT: u32 = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    let path = many_files_layout(dir.path(), COUNT);
    let blob_bytes: u64 = listing(&path.join("blobs/sha256"))
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .max()
        .unwrap_or(0);
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_million_files_in_bounded_memory", "--nocapture", "--test-threads=1"])
        .env("SHIPSHAPE_MANY_FILES_IMAGE", &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let line = stdout
        .lines()
        .find_map(|l| l.find("walked entries=").and_then(|at| l.get(at..)))
        .unwrap_or_else(|| panic!("{stdout}"));
    let value = |key: &str| -> u64 {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.split('.').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{key} in {line}"))
    };
    eprintln!("{COUNT} empty files, layer blob {blob_bytes} bytes (512 MB as a tar): {line}");
    assert_eq!(value("entries"), u64::from(COUNT));
    assert_eq!(value("view"), u64::from(COUNT) + 1000 + 1);
    // The index keeps metadata only (about 320 bytes per entry measured), nothing per byte of
    // the layer, so memory follows the entry count, itself bounded by `Limits::max_entries`.
    let grown = value("peak_kib").saturating_sub(value("baseline_kib"));
    assert!(grown < 512 * 1024, "a million entries took {grown} KiB");
}
