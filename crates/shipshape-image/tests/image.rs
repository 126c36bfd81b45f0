//! Images in every supported layout, built in code, opened and walked.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // helpers of integration tests, not library code

mod common;

use common::*;
use serde_json::json;
use shipshape_image::{
    AnomalyKind, Compression, Fate, FileKind, Image, ImageError, ImageFormat, OpenOptions, PackageManager,
    Platform, Removal, VisitEntry, VisitResult, Visitor, WalkOptions,
};
use shipshape_model::{BaseImage, CommandForm, Healthcheck};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

const OS_RELEASE: &[u8] = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

fn dpkg_status(packages: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (name, version) in packages {
        out.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n"
        ));
    }
    out.push_str("Package: old\nStatus: deinstall ok config-files\nVersion: 0.1\n");
    out.into_bytes()
}

/// Three layers exercising whiteouts, opaque directories, overwrites, hard links, links in
/// parent paths, link escapes, and a package database rewritten in every layer.
fn sample_layers() -> Vec<Layer> {
    let busybox = vec![0x7fu8; 3000];
    let l0 = Layer::new(
        &[
            dir("etc/"),
            dir("usr/"),
            dir("usr/lib/"),
            file("usr/lib/os-release", OS_RELEASE),
            symlink("etc/os-release", "../usr/lib/os-release"),
            file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
            symlink("lib", "usr/lib"),
            dir("bin/"),
            file_mode("bin/busybox", &busybox, 0o4755),
            hardlink("bin/sh", "bin/busybox", 0o4755),
            file("secret.txt", b"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
            dir("app/"),
            file("app/a", b"version 1"),
            file("app/b", b"b"),
            file("tmp/cache/x", b"cached"),
            file("var/lib/dpkg/status", &dpkg_status(&[("base-files", "12.4+deb12u5"), ("libc6", "2.36-9")])),
        ],
        Comp::Gzip,
    );
    let l1 = Layer::new(
        &[
            whiteout("", "secret.txt"),
            file("lib/libextra.so", b"\x7fELF extra"),
            opaque("tmp/cache"),
            file("tmp/cache/y", b"fresh"),
            file("app/a", b"version 2"),
            file(
                "var/lib/dpkg/status",
                &dpkg_status(&[("base-files", "12.4+deb12u5"), ("curl", "7.88.1-10"), ("libc6", "2.36-9")]),
            ),
        ],
        Comp::Zstd,
    );
    let l2 = Layer::new(
        &[
            whiteout("bin", "busybox"),
            symlink("escape", "../../../../etc/passwd"),
            symlink("abs", "/../etc/passwd"),
            file(
                "var/lib/dpkg/status",
                &dpkg_status(&[
                    ("base-files", "12.4+deb12u5"),
                    ("curl", "7.88.1-10"),
                    ("libc6", "2.36-9+deb12u7"),
                ]),
            ),
        ],
        Comp::None,
    );
    vec![l0, l1, l2]
}

fn sample_config(layers: &[Layer]) -> Vec<u8> {
    config_json(
        "amd64",
        layers,
        json!({
            "User": "",
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG"],
            "Cmd": ["/bin/sh", "-c", "serve"],
            "ExposedPorts": {"22/tcp": {}, "8080/tcp": {}},
            "Volumes": {"/data": {}},
            "WorkingDir": "/app",
            "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:12", "team": "core"},
            "StopSignal": "SIGTERM",
            "OnBuild": null,
        }),
        Some(json!([
            {"created_by": "/bin/sh -c #(nop) ADD file:0123 in / ", "comment": "debuerreotype"},
            {"created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
            {"created_by": "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit"},
            {"created_by": "ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "empty_layer": true},
            {"created_by": "RUN |1 TOKEN=abc /bin/sh -c rm /bin/busybox # buildkit"},
        ])),
    )
}

struct Fixture {
    _dir: tempfile::TempDir,
    paths: BTreeMap<&'static str, PathBuf>,
}

/// The sample image in all five layouts.
fn sample_everywhere() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let layers = sample_layers();
    let config = sample_config(&layers);
    let mut paths = BTreeMap::new();
    let legacy = dir.path().join("legacy.tar");
    docker_legacy(&legacy, &config, &layers, &["app:1.0"], false);
    paths.insert("legacy", legacy);
    let docker25 = dir.path().join("docker25.tar");
    docker_oci(&docker25, &config, &layers, "app:1.0");
    paths.insert("docker25", docker25);
    let layout = dir.path().join("layout");
    oci_layout(&layout, &config, &layers, Some("1.0"));
    paths.insert("layout", layout.clone());
    let oci_tar = dir.path().join("oci.tar");
    tar_directory(&layout, &oci_tar);
    paths.insert("oci-tar", oci_tar);
    // An extracted docker save: the legacy archive unpacked into a directory.
    let extracted = dir.path().join("extracted");
    std::fs::create_dir_all(&extracted).unwrap();
    tar::Archive::new(std::fs::File::open(&paths["legacy"]).unwrap()).unpack(&extracted).unwrap();
    paths.insert("extracted", extracted);
    Fixture { _dir: dir, paths }
}

/// Records every regular file a visitor sees, with its content.
#[derive(Default)]
struct Recorder {
    files: Vec<(usize, String, Vec<u8>)>,
    others: Vec<(usize, String, FileKind)>,
    whiteouts: Vec<(usize, String, bool)>,
    layers_ended: Vec<usize>,
}

impl Visitor for Recorder {
    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        let mut data = Vec::new();
        content.read_to_end(&mut data)?;
        self.files.push((file.layer.index, file.path.to_string(), data));
        Ok(())
    }

    fn entry(&mut self, entry: &VisitEntry<'_>) -> VisitResult {
        self.others.push((entry.layer.index, entry.path.to_string(), entry.entry.kind));
        Ok(())
    }

    fn whiteout(&mut self, layer: &shipshape_image::Layer, target: &str, opaque: bool) -> VisitResult {
        self.whiteouts.push((layer.index, target.to_string(), opaque));
        Ok(())
    }

    fn layer_end(
        &mut self,
        layer: &shipshape_image::Layer,
        _stats: &shipshape_image::LayerStats,
    ) -> VisitResult {
        self.layers_ended.push(layer.index);
        Ok(())
    }
}

fn view(image: &Image) -> Vec<(String, FileKind, usize)> {
    let walk = image.walk(&WalkOptions::default(), &mut ()).unwrap();
    walk.filesystem.iter().map(|(p, e)| (p.to_string(), e.kind, e.layer)).collect()
}

#[test]
fn every_layout_opens_to_the_same_image() {
    let fixture = sample_everywhere();
    let expected_formats = [
        ("docker25", ImageFormat::DockerOciArchive),
        ("extracted", ImageFormat::DockerDirectory),
        ("layout", ImageFormat::OciLayout),
        ("legacy", ImageFormat::DockerArchive),
        ("oci-tar", ImageFormat::OciArchive),
    ];
    let mut views = Vec::new();
    for (name, format) in expected_formats {
        let image = Image::open(&fixture.paths[name], None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(image.format(), format, "{name}");
        assert_eq!(image.layers().len(), 3, "{name}");
        assert_eq!(image.config().diff_ids.len(), 3);
        assert!(image.layers().iter().all(|l| l.diff_id.is_some()));
        assert_eq!(image.platform(), Some(Platform::linux_amd64()));
        assert_eq!(image.id(), &shipshape_image::Digest::sha256_of(image.config_source().text.as_bytes()));
        let reference = image.reference().unwrap_or_default().to_string();
        assert!(reference.ends_with("1.0"), "{name}: {reference}");
        views.push(view(&image));
    }
    for v in &views[1..] {
        assert_eq!(v, &views[0]);
    }
    // Legacy archives do not record compressed digests; OCI layouts do, with media types.
    let legacy = Image::open(&fixture.paths["legacy"], None).unwrap();
    assert!(legacy.layers().iter().all(|l| l.digest.is_none()));
    let layout = Image::open(&fixture.paths["layout"], None).unwrap();
    assert!(layout.layers().iter().all(|l| l.digest.is_some() && l.media_type.is_some()));
    assert!(layout.manifest_digest().is_some());
}

#[test]
fn file_view_applies_whiteouts_and_keeps_what_was_removed() {
    let fixture = sample_everywhere();
    let image = Image::open(&fixture.paths["layout"], None).unwrap();
    let mut recorder = Recorder::default();
    let walk = image.walk(&WalkOptions::default(), &mut recorder).unwrap();
    let fs = &walk.filesystem;

    // Compression detected per layer, from the bytes.
    let compressions: Vec<Compression> = walk.layers.iter().map(|s| s.compression).collect();
    assert_eq!(compressions, [Compression::Gzip, Compression::Zstd, Compression::None]);
    assert_eq!(recorder.layers_ended, [0, 1, 2]);

    // Whiteout: gone from the view, still seen by the visitor, with its fate.
    assert!(fs.get("/secret.txt").is_none());
    let secret = recorder.files.iter().find(|(_, p, _)| p == "/secret.txt").unwrap();
    assert_eq!(secret.0, 0);
    assert!(String::from_utf8_lossy(&secret.2).contains("AWS_SECRET_ACCESS_KEY"));
    assert_eq!(fs.fate(0, "/secret.txt"), Some(Fate::Shadowed { by: 1, removal: Removal::Whiteout }));
    assert!(recorder.whiteouts.contains(&(1, "/secret.txt".into(), false)));

    // Opaque directory: lower entries gone, the same layer's kept.
    assert!(fs.get("/tmp/cache/x").is_none());
    assert_eq!(fs.get("/tmp/cache/y").map(|e| e.layer), Some(1));
    assert_eq!(fs.fate(0, "/tmp/cache/x"), Some(Fate::Shadowed { by: 1, removal: Removal::OpaqueDirectory }));

    // Overwrite: the old version is shadowed, the new one visible.
    assert_eq!(fs.get("/app/a").map(|e| e.layer), Some(1));
    assert_eq!(fs.fate(0, "/app/a"), Some(Fate::Shadowed { by: 1, removal: Removal::Replaced }));
    assert_eq!(fs.fate(1, "/app/a"), Some(Fate::Visible));
    let shadowed: Vec<_> =
        fs.shadowed().iter().map(|s| (s.path.as_str(), s.entry.layer, s.removed_by)).collect();
    assert!(shadowed.contains(&("/app/a", 0, 1)));
    assert!(shadowed.contains(&("/bin/busybox", 0, 2)));

    // A link in the parent path is followed: `lib/libextra.so` lands in `/usr/lib`.
    assert!(fs.get("/usr/lib/libextra.so").is_some());
    assert!(recorder.files.iter().any(|(l, p, _)| *l == 1 && p == "/usr/lib/libextra.so"));

    // setuid is visible in the metadata; the hard link keeps the removed target's content.
    let sh = fs.get("/bin/sh").unwrap();
    assert_eq!(sh.kind, FileKind::HardLink);
    assert_eq!(sh.size, 3000);
    assert!(sh.is_setuid_or_setgid());
    let files = image.read_paths(&["/bin/sh", "/escape", "/abs", "/etc/os-release", "/nope"]).unwrap();
    let by_request: BTreeMap<_, _> = files.iter().map(|f| (f.requested.as_str(), f)).collect();
    assert_eq!(by_request["/bin/sh"].data, vec![0x7f; 3000]);
    assert_eq!(by_request["/bin/sh"].layer, 0);
    assert_eq!(by_request["/bin/sh"].path, "/bin/sh");
    // Link escapes resolve inside the image root.
    assert_eq!(by_request["/escape"].path, "/etc/passwd");
    assert!(by_request["/escape"].data.starts_with(b"root:x:0:0"));
    assert_eq!(by_request["/abs"].path, "/etc/passwd");
    assert_eq!(by_request["/etc/os-release"].path, "/usr/lib/os-release");
    assert!(!by_request.contains_key("/nope"));
    assert_eq!(files.len(), 4);
}

#[test]
fn inventory_reads_os_and_packages_with_their_layers() {
    let fixture = sample_everywhere();
    for name in ["legacy", "layout"] {
        let image = Image::open(&fixture.paths[name], None).unwrap();
        let (_, inventory) = image.scan(&mut ()).unwrap();
        let os = inventory.os.as_ref().unwrap();
        assert_eq!(os.id.as_deref(), Some("debian"));
        assert_eq!(os.version_id.as_deref(), Some("12"));
        assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(os.pretty_name.as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
        assert_eq!((os.path.as_str(), os.layer), ("/usr/lib/os-release", 0));
        let packages: Vec<_> = inventory
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.layer, p.introduced_layer))
            .collect();
        assert_eq!(
            packages,
            [
                ("base-files", "12.4+deb12u5", 2, Some(0)),
                ("curl", "7.88.1-10", 2, Some(1)),
                ("libc6", "2.36-9+deb12u7", 2, Some(2)),
            ],
            "{name}"
        );
        assert!(inventory.packages.iter().all(|p| p.manager == PackageManager::Dpkg));
        assert!(inventory.packages.iter().all(|p| p.db_path == "/var/lib/dpkg/status"));
        assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
    }
}

#[test]
fn alpine_and_distroless_inventories() {
    let dir = tempfile::tempdir().unwrap();
    let apk_db = b"P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\n";
    let layers = vec![Layer::new(
        &[
            file(
                "etc/os-release",
                b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n",
            ),
            file("usr/lib/apk/db/installed", apk_db),
            symlink("lib/apk/db", "../../usr/lib/apk/db"),
            file("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\0"),
        ],
        Comp::Gzip,
    )];
    let config = config_json("amd64", &layers, json!({"User": "nobody"}), None);
    let path = dir.path().join("alpine");
    oci_layout(&path, &config, &layers, None);
    let image = Image::open(&path, None).unwrap();
    let (_, inventory) = image.scan(&mut ()).unwrap();
    assert_eq!(inventory.os.as_ref().and_then(|o| o.version_id.as_deref()), Some("3.20.3"));
    let names: Vec<_> = inventory
        .packages
        .iter()
        .map(|p| (p.manager, p.name.as_str(), p.license.as_deref(), p.db_path.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (PackageManager::Apk, "busybox", Some("GPL-2.0-only"), "/usr/lib/apk/db/installed"),
            (PackageManager::Apk, "musl", Some("MIT"), "/usr/lib/apk/db/installed"),
        ]
    );
    assert!(inventory.notes.iter().any(|n| n.contains("rpm")), "{:?}", inventory.notes);

    // Distroless: one file per package under status.d, written by different layers.
    let layers = vec![
        Layer::new(
            &[
                symlink("var/lib/dpkg/status.d", "/usr/share/dpkg-db"),
                file("usr/share/dpkg-db/base-files", b"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n"),
                file("usr/share/dpkg-db/base-files.md5sums", b"abc  etc/debian_version\n"),
                file("etc/os-release", OS_RELEASE),
            ],
            Comp::Gzip,
        ),
        Layer::new(
            &[file(
                "var/lib/dpkg/status.d/libssl3",
                b"Package: libssl3\nSource: openssl (3.0.13-1~deb12u1)\nVersion: 3.0.13-1~deb12u1+b1\nArchitecture: amd64\n",
            )],
            Comp::Zstd,
        ),
    ];
    let config = config_json("amd64", &layers, json!({"User": "65532"}), None);
    let path = dir.path().join("distroless");
    oci_layout(&path, &config, &layers, None);
    let image = Image::open(&path, None).unwrap();
    let (_, inventory) = image.scan(&mut ()).unwrap();
    let packages: Vec<_> = inventory
        .packages
        .iter()
        .map(|p| {
            (p.name.as_str(), p.source_name.as_str(), p.source_version.as_str(), p.layer, p.introduced_layer)
        })
        .collect();
    assert_eq!(
        packages,
        [
            ("base-files", "base-files", "12.4+deb12u5", 0, Some(0)),
            ("libssl3", "openssl", "3.0.13-1~deb12u1", 1, Some(1)),
        ]
    );
}

#[test]
fn config_lowers_to_an_image_spec_the_rules_judge() {
    let fixture = sample_everywhere();
    let image = Image::open(&fixture.paths["legacy"], None).unwrap();
    let source = image.config_source();
    assert!(source.path.starts_with("app:1.0@sha256:"), "{}", source.path);
    assert!(source.path.ends_with("/config.json"));
    let config = image.config();
    assert_eq!(config.user.as_deref(), Some(""));
    assert_eq!(config.exposed_ports, ["22/tcp", "8080/tcp"]);
    assert_eq!(config.working_dir.as_deref(), Some("/app"));
    assert_eq!(config.cmd.as_deref(), Some(&["/bin/sh".to_string(), "-c".into(), "serve".into()][..]));
    assert!(config.on_build.is_empty());
    // History: empty steps have no layer; the others map to layers in order.
    let history: Vec<_> = config.history.iter().map(|h| (h.instruction.as_deref(), h.layer)).collect();
    assert_eq!(
        history,
        [
            (Some("ADD"), Some(0)),
            (Some("CMD"), None),
            (Some("RUN"), Some(1)),
            (Some("ENV"), None),
            (Some("RUN"), Some(2))
        ]
    );
    assert!(config.history_matches_layers);
    assert_eq!(config.history[4].command.as_deref(), Some("rm /bin/busybox"));

    let spec = image.spec();
    let stage = spec.final_stage().unwrap();
    let user = stage.user.as_ref().unwrap();
    assert_eq!((user.raw.as_str(), user.get()), ("", Some("root")));
    assert_eq!(source.slice(user.origin.span), "\"\"");
    let secret = stage.env.iter().find(|e| e.name == "AWS_SECRET_ACCESS_KEY").unwrap();
    assert_eq!(source.slice(secret.value.origin.span), "wJalrXUtnFEMI/K7MDENG");
    assert_eq!(source.slice(secret.origin.span), "\"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG\"");
    let ports: Vec<_> = stage.exposed.iter().map(|p| (p.port, p.protocol.as_str())).collect();
    assert_eq!(ports, [(Some(22), "tcp"), (Some(8080), "tcp")]);
    assert_eq!(source.slice(stage.exposed[0].value.origin.span), "\"22/tcp\"");
    assert!(
        matches!(&stage.base, BaseImage::Image { reference, .. } if reference.familiar_name() == "debian")
    );
    assert_eq!(stage.runs.len(), 2);
    assert!(
        matches!(&stage.runs[0].command.form, CommandForm::Shell(c) if c == "apt-get update && apt-get install -y curl")
    );
    assert!(source.slice(stage.runs[1].origin.span).contains("rm /bin/busybox"));
    assert!(stage.healthcheck.is_none());
    assert_eq!(stage.volumes.len(), 1);

    let findings = shipshape_rules::checkers::check_image_spec_all(spec);
    let codes: Vec<_> = findings.iter().map(|f| f.rule.code).collect();
    assert!(codes.contains(&"PRV001"), "{codes:?}");
    assert!(codes.contains(&"MON001"), "{codes:?}");
    for finding in &findings {
        assert_eq!(&*finding.location.path, &*source.path);
    }
}

#[test]
fn a_hardened_config_passes_the_image_rules() {
    let dir = tempfile::tempdir().unwrap();
    let layers = vec![Layer::new(&[file("app", b"bin")], Comp::Gzip)];
    let config = config_json(
        "amd64",
        &layers,
        json!({
            "User": "10001:10001",
            "Entrypoint": ["/app"],
            "Healthcheck": {"Test": ["CMD-SHELL", "wget -q -O- localhost:8080/health"], "Interval": 30_000_000_000u64, "Retries": 3},
        }),
        None,
    );
    let path = dir.path().join("hardened");
    oci_layout(&path, &config, &layers, None);
    let image = Image::open(&path, None).unwrap();
    let stage = image.spec().final_stage().unwrap();
    match &stage.healthcheck {
        Some(Healthcheck::Check { command, options }) => {
            assert!(matches!(&command.form, CommandForm::Shell(c) if c.starts_with("wget")));
            let opts: Vec<_> =
                options.iter().map(|(k, v)| (k.as_str(), v.get().unwrap_or_default())).collect();
            assert_eq!(opts, [("interval", "30s"), ("retries", "3")]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(image.config().healthcheck.as_ref().and_then(|h| h.interval), Some(30_000_000_000));
    let findings = shipshape_rules::checkers::check_image_spec_all(image.spec());
    assert!(findings.is_empty(), "{:?}", findings.iter().map(|f| f.rule.code).collect::<Vec<_>>());
}

fn platform_layer(arch: &str) -> (Vec<u8>, Vec<Layer>) {
    let layers = vec![Layer::new(&[file("arch", arch.as_bytes())], Comp::Gzip)];
    (config_json(arch, &layers, json!({}), None), layers)
}

#[test]
fn multi_platform_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("multi");
    let mut entries = Vec::new();
    // An attestation manifest first, as BuildKit writes them.
    let (att_config, att_layers) = platform_layer("unknown");
    let att = write_manifest(&layout, &att_config, &att_layers);
    let mut d = descriptor(
        "application/vnd.oci.image.manifest.v1+json",
        &att,
        Some(("unknown", "unknown", None)),
        None,
    );
    d["annotations"] = json!({"vnd.docker.reference.type": "attestation-manifest"});
    entries.push(d);
    for (arch, variant) in [("arm64", Some("v8")), ("arm", Some("v7")), ("amd64", None)] {
        let (config, layers) = platform_layer(arch);
        let manifest = write_manifest(&layout, &config, &layers);
        entries.push(descriptor(
            "application/vnd.oci.image.manifest.v1+json",
            &manifest,
            Some(("linux", arch, variant)),
            None,
        ));
    }
    // Nest them in an inner index, as `docker buildx` OCI exports do.
    let inner = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries});
    let inner = serde_json::to_vec(&inner).unwrap();
    write_blob(&layout, &inner);
    write_index(
        &layout,
        vec![descriptor("application/vnd.oci.image.index.v1+json", &inner, None, Some("multi:1"))],
    );

    let arch_of = |image: &Image| image.read_paths(&["/arch"]).unwrap()[0].data.clone();
    let default = Image::open(&layout, None).unwrap();
    assert_eq!(arch_of(&default), b"amd64");
    assert_eq!(default.reference(), Some("multi:1"));
    let arm64 = Image::open(&layout, Platform::parse("linux/arm64").as_ref()).unwrap();
    assert_eq!(arch_of(&arm64), b"arm64");
    assert_eq!(arm64.platform().map(|p| p.architecture), Some("arm64".to_string()));
    let arm = Image::open(&layout, Platform::parse("linux/arm/v7").as_ref()).unwrap();
    assert_eq!(arch_of(&arm), b"arm");
    let err = Image::open(&layout, Platform::parse("linux/s390x").as_ref()).unwrap_err();
    match &err {
        ImageError::NoMatchingPlatform { wanted, available, .. } => {
            assert_eq!(wanted, "linux/s390x");
            assert_eq!(available, "linux/arm64/v8, linux/arm/v7, linux/amd64");
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("multi"), "{err}");

    // Only the arm64 manifest saved (as `docker save --platform` of a multi-platform image
    // does): the default falls back to what is present.
    let partial = dir.path().join("partial");
    let (config, layers) = platform_layer("arm64");
    let manifest = write_manifest(&partial, &config, &layers);
    let missing = br#"{"schemaVersion":2,"not":"saved"}"#;
    write_index(
        &partial,
        vec![
            descriptor(
                "application/vnd.oci.image.manifest.v1+json",
                missing,
                Some(("linux", "amd64", None)),
                None,
            ),
            descriptor(
                "application/vnd.oci.image.manifest.v1+json",
                &manifest,
                Some(("linux", "arm64", None)),
                None,
            ),
        ],
    );
    assert_eq!(arch_of(&Image::open(&partial, None).unwrap()), b"arm64");
    assert!(matches!(
        Image::open(&partial, Platform::parse("linux/amd64").as_ref()),
        Err(ImageError::MissingBlob { .. })
    ));
}

#[test]
fn choosing_by_reference_and_single_image_platform_check() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("two");
    let mut entries = Vec::new();
    for (name, content) in [("web:1", "web"), ("db:2", "db")] {
        let layers = vec![Layer::new(&[file("who", content.as_bytes())], Comp::None)];
        let config = config_json("amd64", &layers, json!({}), None);
        let manifest = write_manifest(&layout, &config, &layers);
        entries.push(descriptor("application/vnd.oci.image.manifest.v1+json", &manifest, None, Some(name)));
    }
    write_index(&layout, entries);
    let open = |reference: &str| {
        Image::open_with(
            &layout,
            &OpenOptions { reference: Some(reference.into()), ..OpenOptions::default() },
        )
    };
    assert_eq!(open("db:2").unwrap().read_paths(&["/who"]).unwrap()[0].data, b"db");
    assert_eq!(open("web:1").unwrap().read_paths(&["/who"]).unwrap()[0].data, b"web");
    assert!(matches!(open("cache:3"), Err(ImageError::NoMatchingReference { .. })));
    // A single-platform image opened for another platform is refused.
    let err = Image::open(&layout, Platform::parse("linux/arm64").as_ref()).unwrap_err();
    assert!(matches!(err, ImageError::NoMatchingPlatform { .. }), "{err}");
}

#[test]
fn legacy_archives_with_linked_duplicate_layers() {
    let dir = tempfile::tempdir().unwrap();
    let same = Layer::new(&[file("same", b"x")], Comp::None);
    let layers = vec![same.clone(), Layer::new(&[file("other", b"y")], Comp::None), same];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.path().join("dedup.tar");
    docker_legacy(&path, &config, &layers, &["dedup:latest"], true);
    let image = Image::open(&path, None).unwrap();
    let walk = image.walk(&WalkOptions::default(), &mut ()).unwrap();
    assert_eq!(walk.layers.len(), 3);
    assert_eq!(walk.filesystem.get("/same").map(|e| e.layer), Some(2));
    assert_eq!(walk.filesystem.fate(0, "/same"), Some(Fate::Shadowed { by: 2, removal: Removal::Replaced }));
}

#[test]
fn visitor_content_is_capped_and_visitor_errors_stop_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b'z'; 100_000];
    let layers = vec![Layer::new(
        &[file("big", &big), file("etc/os-release", OS_RELEASE), file("small", b"s")],
        Comp::Gzip,
    )];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.path().join("cap");
    oci_layout(&path, &config, &layers, None);
    let image = Image::open(&path, None).unwrap();
    let mut recorder = Recorder::default();
    let options = WalkOptions { max_file_bytes: 10, ..WalkOptions::for_inventory() };
    let walk = image.walk(&options, &mut recorder).unwrap();
    let lens: Vec<_> = recorder.files.iter().map(|(_, p, d)| (p.as_str(), d.len())).collect();
    assert_eq!(lens, [("/big", 10), ("/etc/os-release", 10), ("/small", 1)]);
    // The capture of os-release is whole even though the visitor saw 10 bytes.
    assert_eq!(walk.captured.versions("/etc/os-release")[0].data, OS_RELEASE);

    struct Failing;
    impl Visitor for Failing {
        fn file(&mut self, file: &VisitEntry<'_>, _: &mut dyn Read) -> VisitResult {
            if file.path == "/small" { Err("refused".into()) } else { Ok(()) }
        }
    }
    let err = image.walk(&WalkOptions::default(), &mut Failing).unwrap_err();
    match &err {
        ImageError::Visitor { path, location, .. } => {
            assert_eq!(path, "/small");
            assert!(location.contains("layer 0"), "{location}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn read_paths_falls_back_to_a_second_pass_for_links_made_later() {
    // The link to the database is created by a later layer than the file it points to, so the
    // walk could not know to capture the file: the final read streams that one layer again.
    let dir = tempfile::tempdir().unwrap();
    let layers = vec![
        Layer::new(&[file("opt/data/real.conf", b"setting=1\n")], Comp::Gzip),
        Layer::new(&[symlink("etc/app.conf", "/opt/data/real.conf")], Comp::Gzip),
    ];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.path().join("later-link");
    oci_layout(&path, &config, &layers, None);
    let image = Image::open(&path, None).unwrap();
    let options = WalkOptions { capture: vec!["/etc/app.conf".into()], ..WalkOptions::default() };
    let walk = image.walk(&options, &mut ()).unwrap();
    assert_eq!(walk.captured.paths().count(), 0);
    let files = image.final_files(&walk, &["/etc/app.conf"]).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].path.as_str(), files[0].layer, &files[0].data[..]),
        ("/opt/data/real.conf", 0, &b"setting=1\n"[..])
    );
}

#[test]
fn anomalies_are_reported_for_odd_entries() {
    let dir = tempfile::tempdir().unwrap();
    let layers = vec![Layer::new(
        &[
            raw(b"/etc/absolute", b"a"),
            raw(b"../../../etc/climbed", b"b"),
            raw(b"ok/../../../etc/clamped", b"c"),
            raw(b"\xff\xfename", b"d"),
        ],
        Comp::Gzip,
    )];
    let config = config_json("amd64", &layers, json!({}), None);
    let path = dir.path().join("odd");
    oci_layout(&path, &config, &layers, None);
    let image = Image::open(&path, None).unwrap();
    let walk = image.walk(&WalkOptions::default(), &mut ()).unwrap();
    let fs = &walk.filesystem;
    for p in ["/etc/absolute", "/etc/climbed", "/etc/clamped"] {
        assert!(fs.get(p).is_some(), "{p}");
    }
    let kinds: Vec<_> = fs.anomalies().iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [
            AnomalyKind::AbsolutePath,
            AnomalyKind::ParentComponents,
            AnomalyKind::ParentComponents,
            AnomalyKind::NonUtf8Path
        ]
    );
    assert!(fs.anomalies()[0].to_string().starts_with("layer 0: /etc/absolute: "));
    assert!(fs.iter().all(|(p, _)| p.starts_with('/')));
}

#[test]
fn media_type_that_lies_about_compression_is_noted_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("lying");
    // A gzip blob described as an uncompressed tar.
    let layer = Layer::new(&[file("x", b"1")], Comp::Gzip);
    let config = config_json("amd64", std::slice::from_ref(&layer), json!({}), None);
    write_blob(&layout, &config);
    write_blob(&layout, &layer.blob);
    let manifest = json!({
        "schemaVersion": 2,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer.digest(), "size": layer.blob.len()}],
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    write_blob(&layout, &manifest);
    write_index(
        &layout,
        vec![descriptor("application/vnd.oci.image.manifest.v1+json", &manifest, None, None)],
    );
    let image = Image::open(&layout, None).unwrap();
    let walk = image.walk(&WalkOptions::default(), &mut ()).unwrap();
    assert_eq!(walk.layers[0].compression, Compression::Gzip);
    assert!(walk.layers[0].media_type_mismatch);
    assert!(walk.filesystem.anomalies().iter().any(|a| a.kind == AnomalyKind::CompressionMismatch));
    assert!(walk.filesystem.get("/x").is_some());
}

#[test]
fn not_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(matches!(Image::open(&empty, None), Err(ImageError::NotAnImage { .. })));
    let text = dir.path().join("text.tar");
    std::fs::write(&text, "hello, this is not a tar archive at all\n".repeat(20)).unwrap();
    let err = Image::open(&text, None).unwrap_err();
    assert!(matches!(err, ImageError::NotAnImage { .. }), "{err}");
    assert!(err.to_string().contains("text.tar"), "{err}");
    let gz = dir.path().join("image.tar.gz");
    std::fs::write(&gz, compress(&layer_tar(&[file("manifest.json", b"[]")]), Comp::Gzip)).unwrap();
    let err = Image::open(&gz, None).unwrap_err().to_string();
    assert!(err.contains("gzip-compressed; decompress it first"), "{err}");
    let missing = Path::new("/definitely/not/here.tar");
    assert!(matches!(Image::open(missing, None), Err(ImageError::Io { .. })));
}
