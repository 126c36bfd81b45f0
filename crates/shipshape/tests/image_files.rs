//! `shipshape image` filesystem checks end to end on archives built here: every rule fires
//! where it should, with the layer that added the file; password hashes never reach the output;
//! a layer flooding one rule is reported in bounded form.

mod images;

use std::path::Path;
use std::process::{Command, Output};

/// A layer tar of (path, mode, content); paths ending in `/` are directories.
fn layer(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, mode, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(*mode);
        if path.ends_with('/') {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
        } else {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
        }
        header.set_cksum();
        builder.append_data(&mut header, path, *data).expect("append");
    }
    builder.into_inner().expect("tar")
}

fn history(steps: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"User": "app"},
        "history": steps.iter().map(|s| serde_json::json!({"created_by": s})).collect::<Vec<_>>(),
    })
}

fn shipshape_image(archive: &Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .arg("image")
        .arg(archive)
        .args(["--format", format, "-q"])
        .output()
        .expect("shipshape")
}

const SHA512_HASH: &str =
    "$6$Kq2nQpL8$hA3lK9ZrTqWmXvB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4wX5y";
const MD5_HASH: &str = "$1$Wq7rTz3p$Zq9XcVbNm1Lk2Jh3Gf4Ds5";

#[test]
fn every_filesystem_rule_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shadow = format!(
        "root:{SHA512_HASH}:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\nold:{MD5_HASH}:19700::::::\n\
         guest::19700::::::\napp:!:19700::::::\n"
    );
    let base = layer(&[
        ("etc/", 0o755, b""),
        ("etc/passwd", 0o644, b"root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\nold:x:1000:1000::/:/bin/sh\nguest:x:1002:1002::/:/bin/sh\n"),
        ("etc/group", 0o644, b"root:x:0:\napp:x:1000:\nstaff:x:1000:\n"),
        ("etc/shadow", 0o640, shadow.as_bytes()),
        ("usr/bin/passwd", 0o4755, b"\x7fELF"),
        ("usr/sbin/sshd", 0o755, b"\x7fELF"),
        ("usr/bin/make", 0o755, b"\x7fELF"),
        ("tmp/", 0o1777, b""),
    ]);
    let app = layer(&[
        ("app/", 0o755, b""),
        ("app/.git/", 0o755, b""),
        ("app/.git/config", 0o644, b"[core]\n"),
        ("app/run.sh", 0o777, b"#!/bin/sh\n"),
        ("app/uploads/", 0o777, b""),
        ("usr/local/bin/helper", 0o4755, b"\x7fELF"),
        ("app/.env", 0o600, b"APP_MODE=production\n"),
        ("var/lib/apt/lists/deb_Packages", 0o644, &[b'P'; 4096]),
    ]);
    let cleanup = layer(&[("app/.wh..env", 0o644, b"")]);
    let config = history(&["ADD rootfs.tar /", "COPY . /app # buildkit", "RUN rm /app/.env # buildkit"]);
    let archive = dir.path().join("app.tar");
    std::fs::write(&archive, images::docker_save_archive(&[base, app, cleanup], config, "app:1"))
        .expect("write");

    let output = shipshape_image(&archive, "json");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let findings: Vec<(String, String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
            let path = s(&f["location"]["path"]);
            (
                s(&f["code"]),
                s(&f["severity"]),
                s(&f["message"]),
                path.rsplit('!').next().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let has = |code: &str, severity: &str, message: &str, doc: &str| {
        findings.iter().any(|(c, s, m, d)| c == code && s == severity && m.contains(message) && d == doc)
    };
    let all = format!("{findings:#?}");
    assert!(has("PRV500", "low", "`/usr/bin/passwd` is setuid root", "/files"), "{all}");
    assert!(
        has(
            "PRV500",
            "medium",
            "`/usr/local/bin/helper` is setuid root (-rwsr-xr-x), added by layer 1 (COPY . /app",
            "/files"
        ),
        "{all}"
    );
    assert!(has("PRV501", "medium", "`/app/uploads`", "/files"), "{all}");
    assert!(has("PRV502", "medium", "`/app/run.sh`", "/files"), "{all}");
    assert!(
        has("PRV503", "medium", "user `old` has UID 1000, already the UID of `app`", "/layer-0/etc/passwd"),
        "{all}"
    );
    assert!(has("PRV503", "medium", "group `staff` has GID 1000", "/layer-0/etc/group"), "{all}");
    assert!(has("PRV504", "high", "user `toor` has UID 0", "/layer-0/etc/passwd"), "{all}");
    assert!(has("SEC500", "high", "account `guest` has an empty password", "/layer-0/etc/shadow"), "{all}");
    assert!(
        has("SEC501", "high", "account `root` has a password (sha512crypt hash)", "/layer-0/etc/shadow"),
        "{all}"
    );
    assert!(
        has(
            "SEC502",
            "high",
            "account `old` has a password hashed with weak md5crypt",
            "/layer-0/etc/shadow"
        ),
        "{all}"
    );
    assert!(
        has(
            "SEC503",
            "medium",
            "`/app/.env` is an environment file, added by layer 1 (COPY . /app",
            "/files"
        ),
        "{all}"
    );
    assert!(has("SEC503", "medium", "(deleted by layer 2)", "/files"), "{all}");
    assert!(has("IMG500", "medium", "`/app/.git` is a version-control directory", "/files"), "{all}");
    assert!(
        has(
            "IMG501",
            "low",
            "package cache `/var/lib/apt/lists` holds 4.1 kB in 1 files, left by layer 1",
            "/files"
        ),
        "{all}"
    );
    assert!(has("IMG502", "low", "`make` ships in the final image: `/usr/bin/make`", "/files"), "{all}");
    assert!(
        has("NET500", "medium", "SSH server `/usr/sbin/sshd` ships in the image, added by layer 0", "/files"),
        "{all}"
    );
    // `/tmp` has its sticky bit; the weak hash is not also a plain password finding; the
    // generic shadow-hash secret is not reported besides the account findings.
    assert!(!findings.iter().any(|(_, _, m, _)| m.contains("`/tmp`")), "{all}");
    assert!(!has("SEC501", "medium", "`old`", "/layer-0/etc/shadow"), "{all}");
    assert!(!findings.iter().any(|(c, _, _, d)| c == "SEC110" && d.ends_with("/etc/shadow")), "{all}");

    // No rendering shows a password hash, or a recognisable part of one.
    for format in ["json", "human", "sarif"] {
        let output = shipshape_image(&archive, format);
        let text = String::from_utf8_lossy(&output.stdout);
        for secret in [SHA512_HASH, MD5_HASH, "Kq2nQpL8", "Wq7rTz3p", "hA3lK9Zr", "Zq9XcVbN"] {
            assert!(!text.contains(secret), "{format} output shows `{secret}`");
        }
    }
}

#[test]
fn a_flood_of_setuid_files_is_reported_in_bounded_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names: Vec<String> = (0..5000).map(|i| format!("bin/tool{i}")).collect();
    let entries: Vec<(&str, u32, &[u8])> = names.iter().map(|n| (n.as_str(), 0o4777, &b"x"[..])).collect();
    let archive = dir.path().join("flood.tar");
    let config = history(&["RUN make-5000-setuid-tools"]);
    std::fs::write(&archive, images::docker_save_archive(&[layer(&entries)], config, "flood:1"))
        .expect("write");
    let output = shipshape_image(&archive, "json");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let count = |code: &str| findings.iter().filter(|f| f["code"] == code).count();
    assert_eq!(count("PRV500"), 1001, "1000 listed and one for the rest");
    assert_eq!(count("PRV502"), 1001);
    let more: Vec<&str> =
        findings.iter().filter_map(|f| f["message"].as_str()).filter(|m| m.contains("more")).collect();
    assert_eq!(
        more,
        ["4000 more setuid or setgid files are not listed", "4000 more world-writable files are not listed"]
    );
}
