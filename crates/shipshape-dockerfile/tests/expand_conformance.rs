//! BuildKit's own expansion test tables (`envVarTest`, `wordsTest` from
//! `frontend/dockerfile/shell/`), run against `shipshape_dockerfile::expand`.
//!
//! The data lives in `/work/shared/buildkit-dockerfile-conformance/` (see its
//! `PROVENANCE.md` for the formats) and is read at test time.

use std::collections::HashMap;
use std::path::PathBuf;

use shipshape_dockerfile::expand::{expand_word, expand_words};

fn data_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/buildkit-dockerfile-conformance")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => panic!("conformance data {} is missing or unreadable: {err}", path.display()),
    }
}

/// `PLATFORM|input|expected` rows; `W` (Windows-only) rows are skipped.
#[test]
fn buildkit_env_var_test() {
    let text = data_file("envVarTest");
    let env: HashMap<&str, &str> =
        [("PWD", "/home"), ("SHELL", "bash"), ("KOREAN", "한국어"), ("NULL", "")].into_iter().collect();
    let lookup = |name: &str| env.get(name).map(|v| (*v).to_owned());

    let (mut passed, mut skipped, mut total) = (0, 0, 0);
    let mut failures = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        if raw.starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        let line_no = index + 1;
        let fields: Vec<&str> = raw.trim().split('|').collect();
        let [platform, input, expected] = fields.as_slice() else {
            panic!("envVarTest line {line_no}: expected three |-separated fields: {raw:?}");
        };
        let (platform, input, expected) = (platform.trim(), input.trim(), expected.trim());
        total += 1;
        match platform {
            "W" => {
                skipped += 1;
                continue;
            }
            "A" | "U" => {}
            other => panic!("envVarTest line {line_no}: unknown platform {other:?}"),
        }
        let got = expand_word(input, &lookup, '\\');
        let ok = match (&got, expected) {
            (Err(_), "error") => true,
            (Ok(e), expected) => expected != "error" && e.value == expected,
            (Err(_), _) => false,
        };
        if ok {
            passed += 1;
        } else {
            failures.push(format!("line {line_no}: {input:?} expected {expected:?}, got {got:?}"));
        }
    }
    report("envVarTest", passed, skipped, total);
    assert!(failures.is_empty(), "envVarTest failures:\n{}", failures.join("\n"));
    assert!(passed > 0 && passed + skipped == total);
}

/// `input | w1,w2,...` rows, with `ENV k=v` lines growing the environment.
#[test]
fn buildkit_words_test() {
    let text = data_file("wordsTest");
    let mut env: HashMap<String, String> = HashMap::new();
    let (mut passed, mut total) = (0, 0);
    let mut failures = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.starts_with('#') {
            continue;
        }
        if let Some(assignment) = line.strip_prefix("ENV ") {
            let assignment = assignment.trim_start_matches(' ');
            let (key, value) = assignment.split_once('=').unwrap_or((assignment, ""));
            env.insert(key.to_owned(), value.to_owned());
            continue;
        }
        let fields: Vec<&str> = line.split('|').collect();
        let [input, expected] = fields.as_slice() else {
            panic!("wordsTest line {line_no}: expected exactly one |: {line:?}");
        };
        let input = input.trim();
        let expected: Vec<&str> = expected.trim_start_matches(' ').split(',').collect();
        total += 1;
        let lookup = |name: &str| env.get(name).cloned();
        let got = expand_words(input, &lookup, '\\');
        let got_words: Vec<String> = match &got {
            Ok(words) => words.clone(),
            Err(_) => vec!["error".to_owned()],
        };
        if got_words == expected {
            passed += 1;
        } else {
            failures.push(format!("line {line_no}: {input:?} expected {expected:?}, got {got:?}"));
        }
    }
    report("wordsTest", passed, 0, total);
    assert!(failures.is_empty(), "wordsTest failures:\n{}", failures.join("\n"));
    assert!(passed > 0);
}

#[allow(clippy::print_stderr)]
fn report(name: &str, passed: usize, skipped: usize, total: usize) {
    eprintln!("{name}: {passed} passed, {skipped} skipped (Windows-only), {total} total");
}
