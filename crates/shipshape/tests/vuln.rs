//! Vulnerability matching end to end through the binary: `db import`, `db update` from a local
//! HTTP server, `db status`, lockfiles found by `scan`, and the OS packages of an image.

// Test support: a failure here should fail the test at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../shipshape-vulndb/tests/common/mod.rs"]
mod common;
mod images;

use images::{docker_save_archive, layer_tar};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv")
}

fn shipshape(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .current_dir(dir)
        .env("SHIPSHAPE_DB_DIR", dir.join("no-such-db"))
        .env("SHIPSHAPE_TODAY", "2025-06-01")
        .env_remove("NO_COLOR")
        .output()
        .expect("run shipshape")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}):\n{}\nstderr: {}", String::from_utf8_lossy(&output.stdout), stderr(output))
    })
}

/// (code, path, line, severity, message) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["location"]["path"].as_str().unwrap_or_default().to_string(),
                f["location"]["region"]["start_line"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn import_test_db(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    let out = shipshape(dir, &["db", "import", "--db", db.to_str().unwrap(), data().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    db
}

#[test]
fn db_import_status_and_lockfile_scan() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    common::write_file(
        &project.join("requirements.txt"),
        b"# pinned\nrequests==2.10.0\nurllib3==1.26.4\nurllib3==1.26.5\nflask==0.12\ngradio==4.36.1\n",
    );
    common::write_file(
        &project.join("svc/go.mod"),
        b"module example.com/svc\n\ngo 1.21.0\n\nrequire github.com/gin-gonic/gin v1.5.0\n",
    );
    common::write_file(
        &project.join("web/package-lock.json"),
        b"{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n",
    );
    common::write_file(
        &project.join("java/pom.xml"),
        b"<project>\n  <properties><log4j.version>2.14.1</log4j.version></properties>\n  <dependencies>\n    \
          <dependency>\n      <groupId>org.apache.logging.log4j</groupId>\n      <artifactId>log4j-core</artifactId>\n      \
          <version>${log4j.version}</version>\n    </dependency>\n    <dependency>\n      \
          <groupId>org.apache.logging.log4j</groupId>\n      <artifactId>log4j-api</artifactId>\n      \
          <version>2.12.2</version>\n    </dependency>\n  </dependencies>\n</project>\n",
    );

    // No database yet: no findings from lockfiles, one notice, never an error.
    let out = shipshape(dir.path(), &["scan", "project", "-f", "json"]);
    let report = json(&out);
    assert!(findings(&report).iter().all(|f| f.0 != "SUP100"));
    assert_eq!(stderr(&out).matches("run `shipshape db update` or `shipshape db import`").count(), 1);
    let status = shipshape(dir.path(), &["db", "status"]);
    assert_eq!(status.status.code(), Some(2));
    assert!(
        stderr(&status).contains("run `shipshape db update` or `shipshape db import`"),
        "{}",
        stderr(&status)
    );

    let db = import_test_db(dir.path());
    let status = shipshape(dir.path(), &["db", "status", "--db", db.to_str().unwrap(), "-f", "json"]);
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    let status = json(&status);
    let human = shipshape(dir.path(), &["db", "status", "--db", db.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&human.stdout).contains(" UTC"), "{human:?}");
    let bad_vex =
        shipshape(dir.path(), &["scan", "project", "--db", db.to_str().unwrap(), "--vex", "nope.json"]);
    assert_eq!(bad_vex.status.code(), Some(2));
    assert!(
        stderr(&bad_vex).contains("--vex") && stderr(&bad_vex).contains("nope.json"),
        "{}",
        stderr(&bad_vex)
    );
    assert!(status["ecosystems"][0]["records"].as_u64().unwrap() >= 8, "{status:#}");
    assert_eq!(status["ecosystems"][0]["withdrawn"].as_u64(), Some(1), "{status:#}");

    let out = shipshape(dir.path(), &["scan", "project", "-f", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("db update"), "{}", stderr(&out));
    let found = findings(&json(&out));
    let at = |path: &str, line: u64| {
        found.iter().filter(|f| f.0 == "SUP100" && f.1 == path && f.2 == line).collect::<Vec<_>>()
    };
    let requests = at("project/requirements.txt", 2);
    assert!(requests.iter().any(|f| f.4.contains("CVE-2023-32681 in requests 2.10.0")), "{found:#?}");
    let urllib3 = at("project/requirements.txt", 3);
    assert!(
        urllib3.iter().any(|f| f.4.contains("CVE-2099-2000 in urllib3 1.26.4 (no fix yet)")),
        "{found:#?}"
    );
    assert!(at("project/requirements.txt", 4).is_empty(), "past last_affected: {found:#?}");
    assert!(at("project/requirements.txt", 5).is_empty(), "withdrawn: {found:#?}");
    assert!(!at("project/requirements.txt", 6).is_empty(), "gradio: {found:#?}");
    assert!(at("project/svc/go.mod", 5).iter().any(|f| f.4.contains("gin")), "{found:#?}");
    assert!(found.iter().any(|f| f.1 == "project/svc/go.mod" && f.4.contains("stdlib")), "{found:#?}");
    assert!(
        found.iter().any(|f| f.0 == "GEN001" && f.1 == "project/web/package-lock.json" && f.2 >= 1),
        "{found:#?}"
    );
    let log4j = at("project/java/pom.xml", 4);
    assert!(
        log4j.iter().any(|f| f
            .4
            .contains("CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 (fixed in 2.15.0)")
            && f.3 == "critical"),
        "{found:#?}"
    );
    assert!(found.iter().all(|f| !f.4.contains("log4j-api")), "{found:#?}");
    let report = json(&out);
    let structured = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "project/java/pom.xml")
        .expect("the pom finding");
    assert_eq!(structured["vulnerability"]["id"], "CVE-2021-44228", "{structured:#}");
    assert_eq!(structured["vulnerability"]["aliases"][0], "SHIPSHAPE-TEST-LOG4SHELL", "{structured:#}");
    assert_eq!(
        structured["vulnerability"]["purl"], "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        "{structured:#}"
    );

    // An [[ignore]] entry accepts a vulnerability by any of its ids, until it expires.
    let config = project.join("shipshape.toml");
    common::write_file(
        &config,
        b"[[ignore]]\nvulnerabilities = [\"shipshape-test-log4shell\"]\nreason = \"JNDI lookups disabled\"\nexpires = \"2999-01-01\"\n\n\
          [[ignore]]\nvulnerabilities = [\"CVE-2023-32681\"]\npackages = [\"flask\"]\nreason = \"another package\"\n",
    );
    let out = shipshape(dir.path(), &["scan", "project", "-f", "json", "--db", db.to_str().unwrap()]);
    let found = findings(&json(&out));
    assert!(!found.iter().any(|f| f.4.contains("CVE-2021-44228")), "{found:#?}");
    assert!(found.iter().any(|f| f.4.contains("CVE-2023-32681")), "the package does not match: {found:#?}");
    assert!(!found.iter().any(|f| f.0 == "GEN005" || f.0 == "GEN006"), "{found:#?}");
    common::write_file(
        &config,
        b"[[ignore]]\nvulnerabilities = [\"CVE-2021-44228\"]\nreason = \"JNDI lookups disabled\"\nexpires = \"2020-01-01\"\n",
    );
    let out = shipshape(dir.path(), &["scan", "project", "-f", "json", "--db", db.to_str().unwrap()]);
    let found = findings(&json(&out));
    assert!(found.iter().any(|f| f.4.contains("CVE-2021-44228")), "expired: {found:#?}");
    assert!(found.iter().any(|f| f.0 == "GEN006"), "the expired entry is reported: {found:#?}");
    std::fs::remove_file(&config).unwrap();

    // --ignore-unfixed hides urllib3's record; an [[ignore]]-style --ignore hides the rule.
    let out = shipshape(
        dir.path(),
        &["scan", "project", "-f", "json", "--db", db.to_str().unwrap(), "--ignore-unfixed"],
    );
    let found = findings(&json(&out));
    assert!(!found.iter().any(|f| f.4.contains("urllib3")), "{found:#?}");

    // An OpenVEX statement marks requests not affected.
    let vex = dir.path().join("vex.json");
    common::write_file(
        &vex,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"t","timestamp":"2024-01-01T00:00:00Z","version":1,
            "statements":[{"vulnerability":{"name":"CVE-2023-32681"},"products":[{"@id":"pkg:pypi/requests@2.10.0"}],
            "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    );
    let out = shipshape(
        dir.path(),
        &["scan", "project", "-f", "json", "--db", db.to_str().unwrap(), "--vex", vex.to_str().unwrap()],
    );
    let found = findings(&json(&out));
    assert!(!found.iter().any(|f| f.4.contains("CVE-2023-32681")), "{found:#?}");
    assert!(found.iter().any(|f| f.4.contains("urllib3")), "{found:#?}");
}

#[test]
fn db_update_from_a_local_server() {
    let dir = tempfile::tempdir().unwrap();
    let body = common::export(&[("PYSEC-TEST-1", "PyPI", "requests", "2.20.0")]);
    let server = common::TestServer::start(vec![("/PyPI/all.zip", common::with_etag(body, "\"v1\""))]);
    let db = dir.path().join("db");
    let args =
        ["db", "update", "--db", db.to_str().unwrap(), "--ecosystem", "PyPI", "--base-url", &server.base];
    let out = shipshape(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("PyPI: checking"), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 records"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The second update is a conditional request: unchanged.
    let out = shipshape(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("PyPI: unchanged"));
    assert_eq!(server.requests_to("/PyPI/all.zip").len(), 2);

    common::write_file(&dir.path().join("p/requirements.txt"), b"requests==2.19.0\n");
    let out = shipshape(dir.path(), &["scan", "p", "-f", "json", "--db", db.to_str().unwrap()]);
    let found = findings(&json(&out));
    assert!(
        found.iter().any(|f| f.0 == "SUP100" && f.2 == 1 && f.4.contains("(fixed in 2.20.0)")),
        "{found:#?}"
    );

    // A server that fails: a clear error, exit 2, the previous database kept.
    let failing =
        common::TestServer::start(vec![("/PyPI/all.zip", common::always(common::Response::status(404)))]);
    let out = shipshape(
        dir.path(),
        &["db", "update", "--db", db.to_str().unwrap(), "--ecosystem", "PyPI", "--base-url", &failing.base],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(shipshape(dir.path(), &["db", "status", "--db", db.to_str().unwrap()]).status.success());
}

const BASE_STATUS: &str = "\
Package: bash
Status: install ok installed
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b2

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u1

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1

";

const OPENSSL_STANZA: &str = "\
Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u2

";

#[test]
fn image_os_packages_match_their_release() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_test_db(dir.path());
    let os_release = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";
    let base = layer_tar(&[("etc/os-release", os_release), ("var/lib/dpkg/status", BASE_STATUS.as_bytes())]);
    let status = format!("{BASE_STATUS}{OPENSSL_STANZA}");
    let added = layer_tar(&[("var/lib/dpkg/status", status.as_bytes())]);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}},
        "history": [{"created_by": "debian base"}, {"created_by": "RUN apt-get install -y openssl"}]
    });
    let archive = dir.path().join("image.tar");
    std::fs::write(&archive, docker_save_archive(&[base, added], config, "vulnerable:1")).unwrap();

    let out = shipshape(dir.path(), &["image", "image.tar", "-f", "json", "--db", db.to_str().unwrap()]);
    let found: Vec<_> = findings(&json(&out)).into_iter().filter(|f| f.0 == "SUP100").collect();
    // libssl3 (source openssl 3.0.11-1~deb12u1): affected; openssl 3.0.11-1~deb12u2 has the
    // backported fix; the Debian 11 record does not apply; zlib's issue is unimportant.
    let libssl = found.iter().find(|f| f.4.contains("CVE-2099-1000 in libssl3")).expect("libssl3");
    assert!(libssl.1.ends_with("/var/lib/dpkg/status"), "{libssl:?}");
    assert_eq!(libssl.2, 7, "the libssl3 stanza: {libssl:?}");
    assert_eq!(libssl.3, "critical");
    assert!(libssl.4.contains("(fixed in 3.0.11-1~deb12u2)") && libssl.4.contains("source package openssl"));
    assert!(libssl.4.contains("installed by layer 0 (") && libssl.4.contains("debian base)"), "{libssl:?}");
    assert!(!found.iter().any(|f| f.4.contains(" in openssl ")), "backported fix: {found:#?}");
    assert!(!found.iter().any(|f| f.4.contains("CVE-2099-1001")), "Debian 11 record: {found:#?}");
    assert!(!found.iter().any(|f| f.4.contains("zlib")), "unimportant: {found:#?}");
    let bash = found.iter().find(|f| f.4.contains("CVE-2099-1003 in bash")).expect("bash");
    assert!(bash.4.contains("(no fix yet)"), "{bash:?}");
    assert_eq!(bash.3, "high");

    // The same scan as a CycloneDX SBOM: the OS, every package, the vulnerabilities as VEX.
    let out = shipshape(dir.path(), &["image", "image.tar", "-f", "cyclonedx", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let bom = json(&out);
    assert_eq!(bom["metadata"]["component"]["type"], "container");
    assert_eq!(bom["metadata"]["component"]["name"], "image.tar");
    let components = bom["components"].as_array().expect("components");
    let names: Vec<&str> = components.iter().filter_map(|c| c["name"].as_str()).collect();
    assert!(
        components
            .iter()
            .any(|c| c["type"] == "operating-system" && c["name"] == "debian" && c["version"] == "12")
    );
    for package in ["libssl3", "openssl", "bash", "zlib1g"] {
        assert!(names.contains(&package), "{package} in {names:?}");
    }
    let vulnerabilities = bom["vulnerabilities"].as_array().expect("vulnerabilities");
    let libssl_vex = vulnerabilities.iter().find(|v| v["id"] == "CVE-2099-1000").expect("libssl3's CVE");
    let affected = libssl_vex["affects"][0]["ref"].as_str().unwrap();
    let component = components.iter().find(|c| c["bom-ref"] == affected).expect("affects a listed component");
    assert_eq!(component["name"], "libssl3");
    assert_eq!(vulnerabilities.len(), found.len(), "one VEX entry per finding");

    let out = shipshape(
        dir.path(),
        &[
            "image",
            "image.tar",
            "-f",
            "json",
            "--db",
            db.to_str().unwrap(),
            "--show-negligible",
            "--ignore-unfixed",
        ],
    );
    let found: Vec<_> = findings(&json(&out)).into_iter().filter(|f| f.0 == "SUP100").collect();
    assert!(found.iter().any(|f| f.4.contains("CVE-2099-1002 in zlib1g")), "{found:#?}");
    assert!(!found.iter().any(|f| f.4.contains("bash")), "{found:#?}");
}

#[test]
fn alpine_image_matches_the_real_osv_record_of_its_release() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_test_db(dir.path());
    let installed = "C:Q1abc=\nP:musl\nV:1.1.14-r16\nA:x86_64\no:musl\n\nC:Q1def=\nP:libssl1.0\nV:1.0.2p-r0\nA:x86_64\no:openssl\n\n";
    let layer = layer_tar(&[
        ("etc/os-release", b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.4.6\n"),
        ("lib/apk/db/installed", installed.as_bytes()),
    ]);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}},
        "history": [{"created_by": "alpine base"}]
    });
    std::fs::write(
        dir.path().join("alpine.tar"),
        docker_save_archive(&[layer], config.clone(), "vulnerable:1"),
    )
    .unwrap();
    let out = shipshape(dir.path(), &["image", "alpine.tar", "-f", "json", "--db", db.to_str().unwrap()]);
    let found: Vec<_> = findings(&json(&out)).into_iter().filter(|f| f.0 == "SUP100").collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let (_, path, line, _, message) = &found[0];
    assert!(path.ends_with("/lib/apk/db/installed") && *line == 8, "{found:#?}");
    assert!(
        message.starts_with(
            "CVE-2018-5407 in libssl1.0 1.0.2p-r0 (source package openssl) (fixed in 1.0.2q-r0)"
        )
    );

    // The same packages on a release the record does not list: nothing.
    let other = layer_tar(&[
        ("etc/os-release", b"ID=alpine\nVERSION_ID=3.19.1\n"),
        ("lib/apk/db/installed", installed.as_bytes()),
    ]);
    std::fs::write(dir.path().join("alpine319.tar"), docker_save_archive(&[other], config, "vulnerable:1"))
        .unwrap();
    let out = shipshape(dir.path(), &["image", "alpine319.tar", "-f", "json", "--db", db.to_str().unwrap()]);
    assert!(findings(&json(&out)).iter().all(|f| f.0 != "SUP100"));
}

#[test]
fn a_damaged_database_is_a_notice_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_test_db(dir.path());
    common::write_file(&dir.path().join("p/requirements.txt"), b"requests==2.10.0\n");
    let mut damaged = 0;
    let mut stack = vec![db.clone()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap().path();
            if entry.is_dir() {
                stack.push(entry);
            } else if entry.extension().is_some_and(|e| e == "rec") {
                let len = std::fs::metadata(&entry).unwrap().len();
                std::fs::OpenOptions::new().write(true).open(&entry).unwrap().set_len(len / 2).unwrap();
                damaged += 1;
            }
        }
    }
    assert!(damaged > 0, "no record file found under {}", db.display());
    let out = shipshape(dir.path(), &["scan", "p", "-f", "json", "--db", db.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out).matches("shipshape: note:").count(), 1, "{}", stderr(&out));
    json(&out);
}

/// OSV records for the packages of `image_language_and_rpm_packages_match_their_ecosystems`:
/// an AlmaLinux 9 advisory (and an AlmaLinux 8 one that must not match) and an npm advisory.
const LANGUAGE_AND_RPM_RECORDS: &str = r#"[
 {"schema_version": "1.6.0", "id": "ALSA-2099:0001", "modified": "2024-05-01T00:00:00Z",
  "aliases": ["CVE-2099-2000"], "summary": "test record for openssl-libs on AlmaLinux 9",
  "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-libs"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-28.el9"}]}]}]},
 {"schema_version": "1.6.0", "id": "ALSA-2099:0002", "modified": "2024-05-01T00:00:00Z",
  "aliases": ["CVE-2099-2001"], "summary": "test record for AlmaLinux 8 only",
  "affected": [{"package": {"ecosystem": "AlmaLinux:8", "name": "openssl-libs"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-99.el8"}]}]}]},
 {"schema_version": "1.6.0", "id": "GHSA-test-left-pad", "modified": "2024-05-01T00:00:00Z",
  "summary": "test record for left-pad",
  "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}]}
]"#;

/// A Go binary built with the local toolchain (`None`, with a message, when there is none;
/// under CI a missing toolchain fails).
fn go_binary(dir: &Path) -> Option<Vec<u8>> {
    if !Command::new("go").arg("version").output().is_ok_and(|o| o.status.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI is set but `go` is missing: apt-get install golang-go");
        let _ =
            std::io::Write::write_all(&mut std::io::stderr(), b"skipping the Go binary: `go` not found\n");
        return None;
    }
    let module = dir.join("hello");
    common::write_file(&module.join("go.mod"), b"module example.com/hello\n\ngo 1.19\n");
    common::write_file(&module.join("main.go"), b"package main\n\nfunc main() { println(\"hello\") }\n");
    let output = Command::new("go")
        .args(["build", "-o", "hello", "."])
        .current_dir(&module)
        .env("GOCACHE", dir.join("gocache"))
        .env("GOPROXY", "off")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap();
    assert!(output.status.success(), "go build: {}", String::from_utf8_lossy(&output.stderr));
    Some(std::fs::read(module.join("hello")).unwrap())
}

#[test]
fn image_language_and_rpm_packages_match_their_ecosystems() {
    let dir = tempfile::tempdir().unwrap();
    let osv = dir.path().join("osv");
    std::fs::create_dir_all(&osv).unwrap();
    for entry in std::fs::read_dir(data()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, osv.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(osv.join("language-and-rpm.json"), LANGUAGE_AND_RPM_RECORDS).unwrap();
    let db = dir.path().join("db");
    let out = shipshape(dir.path(), &["db", "import", "--db", db.to_str().unwrap(), osv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let rpmdb = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shipshape-image/tests/fixtures/rpm/sqlite/rpmdb.sqlite"),
    )
    .unwrap();
    let base = layer_tar(&[
        ("etc/os-release", b"NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"9.4\"\n"),
        ("var/lib/rpm/rpmdb.sqlite", &rpmdb),
    ]);
    let metadata =
        b"Metadata-Version: 2.1\nName: requests\nVersion: 2.28.0\nLicense: Apache 2.0\n\nlong text\n";
    let apps = layer_tar(&[
        ("usr/lib/python3.11/site-packages/requests-2.28.0.dist-info/METADATA", metadata),
        (
            "srv/app/node_modules/left-pad/package.json",
            b"{\n  \"name\": \"left-pad\",\n  \"version\": \"1.3.0\"\n}\n",
        ),
    ]);
    let mut layers = vec![base, apps];
    let go = go_binary(dir.path());
    if let Some(binary) = &go {
        layers.push(layer_tar(&[("usr/local/bin/hello", binary)]));
    }
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}},
        "history": [
            {"created_by": "almalinux base"},
            {"created_by": "RUN pip install requests==2.28.0 && npm install left-pad@1.3.0"},
            {"created_by": "COPY hello /usr/local/bin/hello"}
        ]
    });
    std::fs::write(dir.path().join("app.tar"), docker_save_archive(&layers, config, "app:1")).unwrap();

    let out = shipshape(dir.path(), &["image", "app.tar", "-f", "json", "--db", db.to_str().unwrap()]);
    let found: Vec<_> = findings(&json(&out)).into_iter().filter(|f| f.0 == "SUP100").collect();
    let find = |needle: &str| {
        found.iter().find(|f| f.4.contains(needle)).unwrap_or_else(|| panic!("{needle}: {found:#?}"))
    };

    // rpm: matched by binary package in the release's ecosystem, at its line of the listing.
    let openssl = find(" in openssl-libs 1:3.0.7-27.el9");
    assert!(openssl.1.ends_with("app.tar!/layer-0/var/lib/rpm/rpmdb.sqlite"), "{openssl:?}");
    assert_eq!(openssl.2, 3, "big-docs, hello-shipshape, openssl-libs: {openssl:?}");
    assert!(
        openssl.4.starts_with("CVE-2099-2000") && openssl.4.contains("fixed in 1:3.0.7-28.el9"),
        "{openssl:?}"
    );
    assert!(
        openssl.4.contains("installed by layer 0 (") && openssl.4.contains("almalinux base)"),
        "{openssl:?}"
    );
    assert!(!found.iter().any(|f| f.4.contains("CVE-2099-2001")), "AlmaLinux 8 record: {found:#?}");

    // PyPI: the real PYSEC-2023-74 record, at the METADATA's Name line.
    let requests = find(" in requests 2.28.0");
    assert!(
        requests.1.ends_with(
            "app.tar!/layer-1/usr/lib/python3.11/site-packages/requests-2.28.0.dist-info/METADATA"
        ),
        "{requests:?}"
    );
    assert_eq!(requests.2, 2);
    assert!(
        requests.4.contains("fixed in 2.31.0")
            && requests.4.contains("installed by layer 1 (")
            && requests.4.contains("pip install requests==2.28.0")
    );

    // npm: at the package.json's name line.
    let left_pad = find("GHSA-test-left-pad in left-pad 1.3.0");
    assert!(
        left_pad.1.ends_with("/srv/app/node_modules/left-pad/package.json") && left_pad.2 == 2,
        "{left_pad:?}"
    );

    // Go: the toolchain's standard library (go1.19) has the real GO-2024-2963.
    if go.is_some() {
        let stdlib = find(" in stdlib 1.19");
        assert!(stdlib.1.ends_with("app.tar!/layer-2/usr/local/bin/hello") && stdlib.2 == 1, "{stdlib:?}");
        assert!(stdlib.4.contains("installed by layer 2 (") && stdlib.4.contains("COPY hello"), "{stdlib:?}");
    }
}

/// An OSV malicious-package record in the format the OpenSSF malicious-packages project
/// publishes (`MAL-` id, listed versions, origins), written for this test: the `ctx` releases
/// that sent the installer's environment variables away in May 2022.
const MAL_RECORD: &str = r#"{
  "modified": "2024-06-10T00:00:00Z",
  "published": "2022-05-24T00:00:00Z",
  "schema_version": "1.5.0",
  "id": "MAL-2022-7426",
  "summary": "Malicious code in ctx (PyPI)",
  "details": "\n---\n_-= Per source details. Do not edit below this line.=-_\n\n## Source: shipshape-test\nReleases 0.1.2, 0.2.2 and 0.2.6 sent environment variables to a remote server.\n",
  "affected": [
    {
      "package": {"ecosystem": "PyPI", "name": "ctx"},
      "versions": ["0.1.2", "0.2.2", "0.2.6"],
      "database_specific": {"cwes": [{"cweId": "CWE-506", "name": "Embedded Malicious Code"}]}
    }
  ],
  "references": [{"type": "WEB", "url": "https://pypi.org/project/ctx/"}],
  "database_specific": {"malicious-packages-origins": [{"source": "shipshape-test", "versions": ["0.2.6"]}]}
}
"#;

#[test]
fn malicious_packages_are_their_own_critical_finding() {
    let dir = tempfile::tempdir().unwrap();
    let records = common::write_file(&dir.path().join("records/MAL-2022-7426.json"), MAL_RECORD.as_bytes());
    let db = dir.path().join("db");
    let out = shipshape(
        dir.path(),
        &["db", "import", "--db", db.to_str().unwrap(), records.parent().unwrap().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    common::write_file(
        &dir.path().join("app/requirements.txt"),
        b"requests==2.32.3\nctx==0.2.6\nctx==0.2.7\n",
    );
    // `--ignore-unfixed` hides vulnerabilities without a fix; a malicious release never has one.
    for extra in [&[][..], &["--ignore-unfixed"]] {
        let mut args = vec!["scan", "app", "-f", "json", "--db", db.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = shipshape(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let found = findings(&json(&out));
        assert_eq!(found.len(), 1, "{found:#?}");
        let (code, path, line, severity, message) = &found[0];
        assert_eq!(
            (code.as_str(), path.as_str(), *line, severity.as_str()),
            ("SUP101", "app/requirements.txt", 2, "critical")
        );
        assert_eq!(message, "ctx 0.2.6 is malware (MAL-2022-7426): Malicious code in ctx (PyPI)");
    }
}
