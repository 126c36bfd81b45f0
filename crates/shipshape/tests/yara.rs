//! `--yara-rules` end to end (built with `--features yara`): rules compiled once and run over
//! the raw bytes of scanned files and of every image layer file, deleted ones included.
#![cfg(feature = "yara")]

mod images;

use images::{docker_save_archive, layer_tar};
use std::path::Path;
use std::process::{Command, Output};

fn shipshape(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape")).args(args).current_dir(dir).output().expect("run shipshape")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// (path, start line, severity, message) of every SUP115 finding.
fn yara_findings(output: &Output) -> Vec<(String, u64, String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(output)));
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "SUP115")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap_or_default().to_owned(),
                f["location"]["region"]["start_line"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A binary marker that is not UTF-8, so only a scan of the raw bytes finds it.
const MARKER: &[u8] = b"\xde\xad\xbe\xef\x00\xffSHIPSHAPE-TEST";

fn rules(dir: &Path) -> std::path::PathBuf {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(
        rules.join("binary.yar"),
        "rule planted_marker : test {\n  meta:\n    description = \"the test marker\"\n    severity = \"critical\"\n  strings:\n    $m = { DE AD BE EF 00 FF 53 48 49 50 }\n  condition:\n    $m\n}\n",
    )
    .expect("write");
    std::fs::write(
        rules.join("text.yara"),
        "rule miner_config {\n  strings:\n    $a = \"\\\"donate-level\\\"\"\n  condition:\n    $a\n}\n",
    )
    .expect("write");
    std::fs::write(rules.join("README"), "not a rule file").expect("write");
    rules
}

#[test]
fn rules_match_raw_bytes_of_layer_files_and_name_the_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules(dir.path());
    let mut binary = b"\x7fELF\x02\x01".to_vec();
    binary.extend_from_slice(&[0; 100]);
    binary.extend_from_slice(MARKER);
    let planted = layer_tar(&[("usr/bin/tool", &binary), ("etc/app.json", b"{\n  \"donate-level\": 0\n}\n")]);
    let cleanup = layer_tar(&[("usr/bin/.wh.tool", b"")]);
    let base = layer_tar(&[("etc/os-release", b"ID=test\n")]);
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "config": {"User": "app"}});
    std::fs::write(
        dir.path().join("img.tar"),
        docker_save_archive(&[base, planted, cleanup], config, "img:1"),
    )
    .expect("write");
    let rules = rules.to_str().expect("utf-8");
    let out = shipshape(dir.path(), &["image", "img.tar", "-f", "json", "--yara-rules", rules]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = yara_findings(&out);
    assert!(
        found.contains(&(
            "img.tar!/layer-1/usr/bin/tool (deleted by layer 2)".to_owned(),
            1,
            "critical".to_owned(),
            "YARA rule `planted_marker` (from `binary.yar`) [test] matches: the test marker".to_owned()
        )),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.0 == "img.tar!/layer-1/etc/app.json" && f.1 == 2 && f.2 == "high"),
        "{found:#?}"
    );
    assert_eq!(found.len(), 2, "{found:#?}");
    // Disabled like any rule.
    let out = shipshape(
        dir.path(),
        &["image", "img.tar", "-f", "json", "--yara-rules", rules, "--ignore", "SUP115"],
    );
    assert!(yara_findings(&out).is_empty());
}

#[test]
fn rules_match_scanned_files_binary_ones_included() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules(dir.path());
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    let mut binary = b"\x00\x01".to_vec();
    binary.extend_from_slice(MARKER);
    std::fs::write(tree.join("blob"), &binary).expect("write");
    std::fs::write(tree.join("config.json"), "{\n  \"pools\": [],\n  \"donate-level\": 1\n}\n")
        .expect("write");
    std::fs::write(tree.join("clean.sh"), "#!/bin/sh\necho ok\n").expect("write");
    let out = shipshape(
        dir.path(),
        &["scan", "tree", "-f", "json", "--yara-rules", rules.to_str().expect("utf-8")],
    );
    let found = yara_findings(&out);
    assert!(found.iter().any(|f| f.0 == "tree/blob" && f.2 == "critical"), "{found:#?}");
    assert!(found.iter().any(|f| f.0 == "tree/config.json" && f.1 == 3), "{found:#?}");
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn a_rule_that_does_not_compile_is_a_usage_error_naming_its_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(
        rules.join("broken.yar"),
        "rule ok { condition: true }\nrule broken {\n  condition: $missing\n}\n",
    )
    .expect("write");
    let out = shipshape(dir.path(), &["scan", ".", "--yara-rules", rules.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.contains("broken.yar") && text.contains(":3:"), "{text}");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let out = shipshape(dir.path(), &["scan", ".", "--yara-rules", empty.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no YARA rule files"), "{}", stderr(&out));
}
