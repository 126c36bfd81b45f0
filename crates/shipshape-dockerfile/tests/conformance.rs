//! BuildKit's own parser test data (`frontend/dockerfile/parser/testfiles*`), read at test time
//! from `../shared/buildkit-dockerfile-conformance` (see its `PROVENANCE.md`):
//!
//! * every `testfiles/*/Dockerfile` must dump exactly to its `result` and parse without an error
//!   BuildKit's parser would raise;
//! * every `testfiles-negative/*/Dockerfile` must give an error BuildKit's parser raises;
//! * `testfile-line/Dockerfile` must give BuildKit's start and end lines
//!   (`TestParseIncludesLineNumbers` in `parser_test.go`).

#![allow(clippy::print_stderr)]

use shipshape_dockerfile::{
    Diagnostic, DiagnosticKind, Severity, check_spans, check_spec_spans, dump, lower, parse,
};
use std::path::{Path, PathBuf};

fn suite_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/buildkit-dockerfile-conformance");
    assert!(
        dir.is_dir(),
        "BuildKit conformance suite not found at {}: it must sit next to the workspace as shared/buildkit-dockerfile-conformance",
        dir.display()
    );
    dir
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("Dockerfile").is_file())
        .collect();
    cases.sort();
    cases
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Errors raised by BuildKit's `parser.Parse` (as opposed to its `instructions` package, which
/// the parser test data does not exercise).
fn is_parser_error(diagnostic: &Diagnostic) -> bool {
    diagnostic.severity == Severity::Error
        && matches!(
            diagnostic.kind,
            DiagnosticKind::Syntax
                | DiagnosticKind::InvalidDirective
                | DiagnosticKind::UnterminatedHeredoc
                | DiagnosticKind::NoInstructions
                | DiagnosticKind::LineTooLong
        )
}

#[test]
fn testfiles_dump_to_buildkit_result() {
    let cases = cases(&suite_dir().join("testfiles"));
    assert!(cases.len() >= 30, "expected BuildKit's testfiles, found {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = read(&case.join("Dockerfile"));
        let expected = read(&case.join("result"));
        let df = parse(&text);
        let actual = dump(&df) + "\n";
        if actual != expected {
            failures.push(format!("{name}: dump differs\n--- expected\n{expected}--- actual\n{actual}"));
        }
        let spec = lower(&df, name.as_str().into(), &[]);
        if let Err(problem) = check_spans(&text, &df).and_then(|()| check_spec_spans(&text, &spec)) {
            failures.push(format!("{name}: {problem}"));
        }
        let errors: Vec<_> = df.diagnostics.iter().filter(|d| is_parser_error(d)).collect();
        if !errors.is_empty() {
            failures.push(format!("{name}: BuildKit parses it, we report {errors:?}"));
        }
    }
    eprintln!("testfiles: {}/{} passed", cases.len() - failures.len(), cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} testfiles failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_testfiles_are_errors() {
    let cases = cases(&suite_dir().join("testfiles-negative"));
    assert!(!cases.is_empty(), "no negative test files found");
    let mut failures = Vec::new();
    for case in &cases {
        let df = parse(&read(&case.join("Dockerfile")));
        if !df.diagnostics.iter().any(is_parser_error) {
            failures.push(format!("{}: accepted, BuildKit rejects it", case.display()));
        }
    }
    eprintln!("testfiles-negative: {}/{} passed", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn testfile_line_numbers_match_buildkit() {
    let text = read(&suite_dir().join("testfile-line/Dockerfile"));
    let df = parse(&text);
    let lines: Vec<(u32, u32)> = df.instructions.iter().map(|i| (i.start_line, i.end_line)).collect();
    // BuildKit's TestParseIncludesLineNumbers.
    assert_eq!(lines, [(5, 5), (11, 12), (17, 31)]);
    eprintln!("testfile-line: {0}/{0} instructions with BuildKit's lines", lines.len());
}
