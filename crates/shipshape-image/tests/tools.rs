//! Images written by real tools: a busybox rootfs packed by `umoci` (two layers, the second
//! deleting a file), then converted by `skopeo` to a `docker save` archive, an OCI archive and a
//! zstd-compressed OCI layout. Each must open to the same file view.
//!
//! Needs the Debian packages `umoci`, `skopeo` and `busybox-static`. Without them the test is
//! skipped with a message, unless `CI` is set, where it fails.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // helpers of integration tests, not library code

use shipshape_image::{
    Compression, Fate, FileKind, Image, ImageFormat, Removal, VisitEntry, VisitResult, Visitor, WalkOptions,
};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGES: &str = "apt-get install -y umoci skopeo busybox-static";

fn has_tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success())
}

fn busybox() -> Option<PathBuf> {
    ["/bin/busybox", "/usr/bin/busybox"].iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Whether the tools are here; panics under CI when they are not.
fn tools_available() -> bool {
    let mut missing: Vec<&str> = ["umoci", "skopeo"].into_iter().filter(|t| !has_tool(t)).collect();
    if busybox().is_none() {
        missing.push("busybox");
    }
    if missing.is_empty() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} missing: {PACKAGES}", missing.join(", "));
    eprintln!("skipping the umoci/skopeo image test: {} not installed ({PACKAGES})", missing.join(", "));
    false
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let output = Command::new(program).args(args).current_dir(dir).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[derive(Default)]
struct Seen {
    files: Vec<(usize, String, Vec<u8>)>,
}

impl Visitor for Seen {
    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        let mut head = Vec::new();
        content.take(64).read_to_end(&mut head)?;
        self.files.push((file.layer.index, file.path.to_string(), head));
        Ok(())
    }
}

#[test]
fn images_written_by_umoci_and_skopeo() {
    if !tools_available() {
        return;
    }
    let busybox_path = busybox().unwrap();
    let busybox_bytes = std::fs::read(&busybox_path).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(dir, "umoci", &["init", "--layout", "oci"]);
    run(dir, "umoci", &["new", "--image", "oci:v1"]);
    run(dir, "umoci", &["unpack", "--rootless", "--image", "oci:v1", "bundle"]);
    let rootfs = dir.join("bundle/rootfs");
    for sub in ["bin", "etc", "usr/bin", "var/lib/dpkg"] {
        std::fs::create_dir_all(rootfs.join(sub)).unwrap();
    }
    std::fs::copy(&busybox_path, rootfs.join("bin/busybox")).unwrap();
    std::os::unix::fs::symlink("busybox", rootfs.join("bin/sh")).unwrap();
    std::os::unix::fs::symlink("../../bin/busybox", rootfs.join("usr/bin/env")).unwrap();
    std::fs::write(rootfs.join("etc/os-release"), "ID=testos\nVERSION_ID=1.0\nPRETTY_NAME=\"Test OS 1\"\n")
        .unwrap();
    std::fs::write(rootfs.join("etc/secret"), "token=hunter2\n").unwrap();
    std::fs::write(
        rootfs.join("var/lib/dpkg/status"),
        "Package: busybox-static\nStatus: install ok installed\nVersion: 1:1.36.1-9\nArchitecture: amd64\n",
    )
    .unwrap();
    let setuid = rootfs.join("usr/bin/su");
    std::fs::write(&setuid, b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&setuid, std::os::unix::fs::PermissionsExt::from_mode(0o4755)).unwrap();
    run(dir, "umoci", &["repack", "--refresh-bundle", "--image", "oci:v1", "bundle"]);
    std::fs::remove_file(rootfs.join("etc/secret")).unwrap();
    std::fs::write(rootfs.join("etc/app.conf"), "mode=prod\n").unwrap();
    run(dir, "umoci", &["repack", "--image", "oci:v1", "bundle"]);
    run(
        dir,
        "umoci",
        &[
            "config",
            "--image",
            "oci:v1",
            "--config.user",
            "1000",
            "--config.cmd",
            "/bin/sh",
            "--config.exposedports",
            "8080/tcp",
        ],
    );
    run(dir, "skopeo", &["--insecure-policy", "copy", "oci:oci:v1", "docker-archive:docker.tar:test/img:v1"]);
    run(dir, "skopeo", &["--insecure-policy", "copy", "oci:oci:v1", "oci-archive:oci.tar:v1"]);
    run(
        dir,
        "skopeo",
        &["--insecure-policy", "copy", "--dest-compress-format", "zstd", "oci:oci:v1", "oci:zstd:v1"],
    );

    let cases = [
        ("oci", ImageFormat::OciLayout, Compression::Gzip),
        ("docker.tar", ImageFormat::DockerArchive, Compression::None),
        ("oci.tar", ImageFormat::OciArchive, Compression::Gzip),
        ("zstd", ImageFormat::OciLayout, Compression::Zstd),
    ];
    let mut views = Vec::new();
    for (name, format, compression) in cases {
        let image = Image::open(&dir.join(name), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(image.format(), format, "{name}");
        assert_eq!(image.layers().len(), 2, "{name}");
        assert_eq!(image.config().user.as_deref(), Some("1000"), "{name}");
        assert_eq!(image.config().exposed_ports, ["8080/tcp"], "{name}");
        let mut seen = Seen::default();
        let walk =
            image.walk(&WalkOptions::for_inventory(), &mut seen).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(walk.layers.iter().all(|l| l.compression == compression), "{name}: {:?}", walk.layers);
        let fs = &walk.filesystem;
        assert_eq!(fs.get("/bin/busybox").map(|e| e.size), Some(busybox_bytes.len() as u64), "{name}");
        assert_eq!(fs.get("/bin/sh").map(|e| e.kind), Some(FileKind::Symlink));
        assert!(fs.get("/usr/bin/su").is_some_and(|e| e.is_setuid_or_setgid()), "{name}");
        // The deleted secret: gone from the view, seen by the visitor in layer 0.
        assert!(fs.get("/etc/secret").is_none(), "{name}");
        assert_eq!(
            fs.fate(0, "/etc/secret"),
            Some(Fate::Shadowed { by: 1, removal: Removal::Whiteout }),
            "{name}"
        );
        assert!(seen.files.iter().any(|(l, p, d)| *l == 0 && p == "/etc/secret" && d.starts_with(b"token=")));
        let files = image.final_files(&walk, &["/bin/sh", "/usr/bin/env", "/etc/app.conf"]).unwrap();
        assert_eq!(files.len(), 3, "{name}");
        assert_eq!(files[0].path, "/bin/busybox");
        assert_eq!(files[0].data, busybox_bytes, "{name}");
        assert_eq!(files[1].path, "/bin/busybox");
        assert_eq!(files[2].data, b"mode=prod\n");
        let inventory = image.inventory(&walk).unwrap();
        assert_eq!(inventory.os.as_ref().and_then(|o| o.id.as_deref()), Some("testos"), "{name}");
        assert_eq!(inventory.packages.len(), 1);
        assert_eq!(inventory.packages[0].introduced_layer, Some(0));
        let findings = shipshape_rules::checkers::check_image_spec_all(image.spec());
        assert!(findings.iter().any(|f| f.rule.code == "MON001"), "{name}");
        assert!(!findings.iter().any(|f| f.rule.code == "PRV001"), "{name}");
        views.push(fs.iter().map(|(p, e)| (p.to_string(), e.kind, e.size, e.mode)).collect::<Vec<_>>());
    }
    for view in &views[1..] {
        assert_eq!(view, &views[0]);
    }
}
