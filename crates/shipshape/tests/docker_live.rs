//! `shipshape docker` against a real Docker daemon. `.ci/run` installs and starts one; locally
//! the tests skip (saying so) when no daemon answers, but under CI (`CI` set) they fail instead.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

const IMAGE: &str = "shipshape-test/busybox:1.0";

fn daemon_available() -> bool {
    let ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "a Docker daemon is required under CI: .ci/run starts one");
        let _ = writeln!(
            std::io::stderr(),
            "skipping: no Docker daemon answers (start one with `dockerd --bridge=none --iptables=false`)"
        );
    }
    ok && ensure_image()
}

/// Imports a one-binary busybox image from the host's static busybox, once.
fn ensure_image() -> bool {
    static IMPORT: Once = Once::new();
    IMPORT.call_once(|| {
        let present = Command::new("docker")
            .args(["image", "inspect", IMAGE])
            .output()
            .is_ok_and(|o| o.status.success());
        if present {
            return;
        }
        let rootfs = tempfile::tempdir().expect("rootfs");
        let bin = rootfs.path().join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let busybox =
            ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| std::path::Path::new(p).exists());
        let busybox =
            busybox.expect("a static busybox (apt-get install busybox-static) to build the test image");
        std::fs::copy(busybox, bin.join("busybox")).expect("copy busybox");
        for applet in ["sh", "sleep", "true", "wget"] {
            std::os::unix::fs::symlink("busybox", bin.join(applet)).expect("symlink");
        }
        let tar = Command::new("tar").arg("-C").arg(rootfs.path()).args(["-c", "."]).output().expect("tar");
        let mut import = Command::new("docker")
            .args(["import", "-", IMAGE])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("docker import");
        import.stdin.take().expect("stdin").write_all(&tar.stdout).expect("write");
        assert!(import.wait().expect("wait").success(), "docker import failed");
    });
    true
}

/// Containers removed when the test ends, pass or fail.
struct Containers(Vec<String>);

impl Containers {
    fn create(&mut self, name: &str, flags: &[&str]) {
        let output = Command::new("docker")
            .args(["create", "--name", name, "--network", "none"])
            .args(flags)
            .args([IMAGE, "/bin/sleep", "3600"])
            .output()
            .expect("docker create");
        assert!(output.status.success(), "docker create {name}: {}", String::from_utf8_lossy(&output.stderr));
        self.0.push(name.to_string());
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("docker").args(["rm", "-f", name]).output();
        }
    }
}

fn prefix(test: &str) -> String {
    format!("shipshape-{test}-{}", std::process::id())
}

fn shipshape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape")).args(args).output().expect("run shipshape")
}

fn codes(output: &Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    let mut codes: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

const RISKY: &[&str] = &[
    "--privileged",
    "--pid",
    "host",
    "--cap-add",
    "SYS_ADMIN",
    "--security-opt",
    "seccomp=unconfined",
    "--security-opt",
    "apparmor=unconfined",
    "-v",
    "/var/run/docker.sock:/var/run/docker.sock",
    "-v",
    "/etc:/host-etc",
    "-e",
    "DB_PASSWORD=correct-horse-battery-staple",
    "--device",
    "/dev/null:/dev/xnull",
    "--sysctl",
    "kernel.msgmax=65536",
];

const HARDENED: &[&str] = &[
    "--user",
    "10001:10001",
    "--read-only",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--memory",
    "128m",
    "--cpus",
    "0.5",
    "--pids-limit",
    "100",
    "--cgroupns",
    "private",
    "--restart",
    "on-failure:3",
    "--health-cmd",
    "/bin/true",
];

#[test]
fn each_risky_setting_is_found_and_the_hardened_container_is_clean() {
    if !daemon_available() {
        return;
    }
    let prefix = prefix("audit");
    let mut containers = Containers(Vec::new());
    containers.create(&format!("{prefix}-risky"), RISKY);
    containers.create(&format!("{prefix}-hardened"), HARDENED);
    let risky = shipshape(&[
        "docker",
        "--no-daemon",
        "--all",
        "--filter",
        &format!("name={prefix}-risky"),
        "-f",
        "json",
    ]);
    assert_eq!(risky.status.code(), Some(1), "{}", String::from_utf8_lossy(&risky.stderr));
    let found = codes(&risky);
    for (code, setting) in [
        ("PRV100", "--privileged"),
        ("ISO100", "--pid host"),
        ("PRV101", "--cap-add SYS_ADMIN"),
        ("PRV103", "seccomp=unconfined"),
        ("PRV104", "apparmor=unconfined"),
        ("ISO105", "docker.sock mount"),
        ("ISO106", "/etc mount"),
        ("SEC100", "DB_PASSWORD"),
        ("ISO109", "--device"),
        ("ISO116", "--sysctl kernel.msgmax"),
        ("ISO111", "no memory limit"),
    ] {
        assert!(found.contains(&code.to_string()), "{code} ({setting}) not found in {found:?}");
    }
    // The secret's value never appears in the report.
    assert!(!String::from_utf8_lossy(&risky.stdout).contains("correct-horse-battery-staple"));
    let hardened = shipshape(&[
        "docker",
        "--no-daemon",
        "--all",
        "--filter",
        &format!("name={prefix}-hardened"),
        "-f",
        "json",
    ]);
    assert_eq!(codes(&hardened), Vec::<String>::new());
    assert_eq!(hardened.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&hardened.stderr).contains("audited 1 container on"), "{hardened:?}");
    // Not started: without --all the created containers are not audited.
    let running = shipshape(&["docker", "--no-daemon", "--filter", &format!("name={prefix}"), "-f", "json"]);
    assert_eq!(codes(&running), Vec::<String>::new());
    assert!(String::from_utf8_lossy(&running.stderr).contains("audited 0 containers"), "{running:?}");
}

#[test]
fn watch_reports_a_container_created_while_watching_within_a_second() {
    if !daemon_available() {
        return;
    }
    let prefix = prefix("watch");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["docker", "watch", "-f", "json", "--max-launches", "1", "--since", &now.to_string()])
        .args(["--filter", &format!("name={prefix}-late")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn watch");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut banner = String::new();
    stderr.read_line(&mut banner).expect("banner");
    assert!(banner.contains("watching"), "{banner}");
    let mut containers = Containers(Vec::new());
    containers.create(&format!("{prefix}-late"), &["--privileged"]);
    let created = Instant::now();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a finding line");
    let latency = created.elapsed();
    let mut lines = vec![first];
    for line in stdout.lines() {
        lines.push(line.expect("line"));
    }
    let status = child.wait().expect("wait");
    assert!(status.success(), "watch exited with {status}");
    assert!(latency < Duration::from_secs(1), "reported after {latency:?}");
    let events: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert!(events.iter().any(|e| e["code"] == "PRV100" && e["action"] == "create"), "{events:?}");
    assert!(events.iter().all(|e| e["subject"].as_str().is_some_and(|s| s.starts_with(&prefix))));
}

#[test]
fn local_images_are_audited_with_the_image_rules() {
    if !daemon_available() {
        return;
    }
    let output = shipshape(&[
        "docker",
        "--no-daemon",
        "--images",
        "--filter",
        "name=no-such-container-xyz",
        "-f",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let image_findings: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["path"].as_str().is_some_and(|p| p.ends_with("/images.json")))
        .collect();
    // The imported busybox image configures no user (so runs as root) and no healthcheck.
    for code in ["MON001", "PRV001"] {
        assert!(image_findings.iter().any(|f| f["code"] == code), "{code} missing: {image_findings:?}");
    }
}

#[test]
fn connection_problems_get_plain_answers() {
    let missing = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["docker"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("does not exist. Is the daemon running?"), "{stderr}");
    let refused = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["docker", "--host", "tcp://127.0.0.1:9"])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("cannot connect to the Docker daemon at tcp://127.0.0.1:9")
    );
}

#[test]
fn the_daemon_configuration_is_audited() {
    if !daemon_available() {
        return;
    }
    // The test daemon runs with dockerd's defaults: no user namespaces, no live restore, no
    // authorization plugin; its socket is root:docker 0660, which is fine.
    let output = shipshape(&["docker", "--filter", "name=no-such-container-xyz", "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let engine: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["path"].as_str().is_some_and(|p| p.ends_with("/engine.json")))
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in ["ISO400", "ISO401", "PRV402"] {
        assert!(engine.contains(&code), "{code} missing: {engine:?}");
    }
    assert!(!engine.contains(&"ISO405"), "a 0660 root:docker socket is fine: {engine:?}");
    let skipped =
        shipshape(&["docker", "--no-daemon", "--filter", "name=no-such-container-xyz", "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&skipped.stdout).expect("JSON");
    assert!(report["findings"].as_array().is_some_and(|f| f.is_empty()), "{report}");
}

#[test]
fn images_are_read_from_the_daemon_through_the_engine_api() {
    if !daemon_available() {
        return;
    }
    let cache = tempfile::tempdir().expect("cache");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shipshape"))
            .args(args)
            .env("SHIPSHAPE_IMAGE_CACHE", cache.path())
            .output()
            .expect("run shipshape")
    };
    let forced = run(&["image", &format!("docker://{IMAGE}"), "-f", "json"]);
    let stderr = String::from_utf8_lossy(&forced.stderr);
    assert_eq!(forced.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("exported {IMAGE} from the Docker daemon")), "{stderr}");
    assert!(codes(&forced).contains(&"PRV001".to_string()), "the imported image runs as root");
    // A plain reference finds the daemon's image first, without asking a registry.
    let by_reference = run(&["image", IMAGE, "-f", "json"]);
    assert_eq!(codes(&by_reference), codes(&forced));
    assert!(String::from_utf8_lossy(&by_reference.stderr).contains("from the Docker daemon"));
    let other_platform = run(&["image", IMAGE, "--image-src", "daemon", "--platform", "linux/s390x"]);
    assert_eq!(other_platform.status.code(), Some(2));
    let missing = run(&["image", "docker://shipshape-test/absent:1"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("the Docker daemon has no image `shipshape-test/absent:1`")
    );
}
