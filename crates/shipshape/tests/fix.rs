//! `shipshape fix`, `scan --fix` and `--diff`: fixes applied to real files keep every other byte,
//! remove the findings they fix, introduce no parse error, and applying them again changes
//! nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shipshape(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape")).args(args).current_dir(dir).output().expect("run shipshape")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(output)))
}

/// (code, path, has a fix) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, bool)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["location"]["path"].as_str().unwrap_or_default().to_owned(),
                !f["fix"].is_null(),
            )
        })
        .collect()
}

fn real_world() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fix-real-world")
}

/// The 1-based lines of `text` the fix edits of a JSON report touch, by file.
fn fixed_lines(report: &serde_json::Value, file: &str, text: &str) -> std::collections::HashSet<usize> {
    let line_of =
        |offset: usize| text.get(..offset.min(text.len())).map_or(1, |t| t.matches('\n').count() + 1);
    let mut lines = std::collections::HashSet::new();
    for finding in report["findings"].as_array().expect("findings") {
        if finding["location"]["path"] != file {
            continue;
        }
        for edit in finding["fix"]["edits"].as_array().into_iter().flatten() {
            let start = edit["span"]["start"].as_u64().unwrap_or(0) as usize;
            let end = edit["span"]["end"].as_u64().unwrap_or(0) as usize;
            lines.extend(line_of(start)..=line_of(end));
        }
    }
    lines
}

/// Whether every line the fixes changed or removed in `original` is one a fix edit touches (so
/// every other line is kept byte for byte).
fn only_fix_edits(
    original: &str,
    fixed: &str,
    touched: &std::collections::HashSet<usize>,
) -> Result<(), String> {
    let diff = similar::TextDiff::from_lines(original, fixed);
    for change in diff.iter_all_changes() {
        if change.tag() == similar::ChangeTag::Delete {
            let line = change.old_index().map_or(0, |i| i + 1);
            if !touched.contains(&line) {
                return Err(format!(
                    "line {line} `{}` changed but no fix edits it",
                    change.value().trim_end()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn fixes_round_trip_on_real_world_dockerfiles() {
    let dir = tempfile::tempdir().unwrap();
    let mut originals = Vec::new();
    for entry in std::fs::read_dir(real_world()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "Dockerfile") {
            let name = path.file_name().unwrap().to_owned();
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
            originals.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert_eq!(originals.len(), 12);
    let before_report = json(&shipshape(dir.path(), &["scan", ".", "-f", "json", "--unsafe-fixes"]));
    let before = findings(&before_report);
    let fixable = before.iter().filter(|f| f.2).count();
    assert!(fixable >= 15, "the sample has fixable findings: {before:?}");
    let parse_errors = |found: &[(String, String, bool)]| found.iter().filter(|f| f.0 == "GEN001").count();

    // --diff shows and changes nothing; exit 1 because there is something to fix.
    let diff = shipshape(dir.path(), &["scan", ".", "--diff", "--unsafe-fixes"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains("--- a/") && text.contains("+++ b/") && text.contains("--no-install-recommends"),
        "{text}"
    );
    for (name, original) in &originals {
        assert_eq!(
            &std::fs::read_to_string(dir.path().join(name)).unwrap(),
            original,
            "--diff wrote {name:?}"
        );
    }

    let fixed = shipshape(dir.path(), &["fix", ".", "--unsafe-fixes", "-f", "json"]);
    assert!(stderr(&fixed).contains("shipshape: applied "), "{}", stderr(&fixed));
    let after = findings(&json(&fixed));
    assert!(after.iter().all(|f| !f.2), "every fixable finding is fixed: {after:?}");
    assert_eq!(after.len(), before.len() - fixable, "fixes remove their findings and add none");
    assert_eq!(parse_errors(&after), parse_errors(&before), "no new parse error");
    let mut changed = 0;
    for (name, original) in &originals {
        let now = std::fs::read_to_string(dir.path().join(name)).unwrap();
        if now != *original {
            changed += 1;
            let touched = fixed_lines(&before_report, name.to_str().unwrap(), original);
            only_fix_edits(original, &now, &touched).unwrap_or_else(|e| panic!("{name:?}: {e}"));
        }
    }
    assert!(changed >= 10, "{changed} files changed");

    // Idempotent: nothing left to do.
    let again = shipshape(dir.path(), &["scan", ".", "--diff", "--unsafe-fixes"]);
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stdout));
    assert!(again.stdout.is_empty());
}

#[test]
fn safe_fixes_only_by_default_and_odd_files_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = "FROM debian:12\r\nUSER root\r\nRUN apt-get update && sudo -E apt-get install curl=7.88.1-10 \\\r\n    && rm -rf /var/lib/apt/lists/*\r\nUSER app\r\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let mut latin1 = b"FROM alpine:3.20\nLABEL author=\"Jos\xe9\"\nRUN apk add curl=8.9.1-r1\n".to_vec();
    latin1.extend_from_slice(b"USER app\n");
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    std::fs::write(dir.path().join("legacy/Dockerfile"), &latin1).unwrap();

    let out = shipshape(dir.path(), &["fix", ".", "-f", "json"]);
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    // Safe: `-y`; sudo is not removed (the step's user is not known to be root: `USER app`
    // comes after it); `--no-install-recommends` is unsafe and not applied. CRLF kept.
    assert_eq!(
        fixed,
        dockerfile.replace("apt-get install curl", "apt-get install -y curl"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("not fixed: legacy/Dockerfile: not valid UTF-8"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.path().join("legacy/Dockerfile")).unwrap(), latin1);
    let left = findings(&json(&out));
    assert!(left.iter().any(|f| f.0 == "IMG007" && f.2), "the unsafe fix is still offered: {left:?}");
    assert!(!left.iter().any(|f| f.0 == "IMG006"), "{left:?}");

    // With the user known to be root, sudo goes.
    let root =
        "FROM debian:12\nUSER root\nRUN sudo -E apt-get install -y --no-install-recommends curl=7.88.1-10\n";
    std::fs::write(dir.path().join("Dockerfile"), root).unwrap();
    let out = shipshape(dir.path(), &["fix", "Dockerfile", "-f", "json"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        root.replace("sudo -E ", ""),
        "{}",
        stderr(&out)
    );
    assert!(!findings(&json(&out)).iter().any(|f| f.0 == "PRV003"));
}
