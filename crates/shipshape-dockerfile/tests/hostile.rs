//! Hostile input: huge lines, thousands of continuation lines, deep nesting, control characters.
//! Each must parse, dump and lower without panicking or overflowing the stack, with valid spans.
//! Run the 100 MB case with `cargo test --release -p shipshape-dockerfile --test hostile -- --ignored`.

mod support;

use shipshape_dockerfile::{Args, DiagnosticKind, check_spec_spans, dump, lower};
use std::time::Instant;
use support::parse_checked;

/// Parses, dumps and lowers `text`; returns the parse.
fn exercise(text: &str) -> shipshape_dockerfile::Dockerfile {
    let df = parse_checked(text);
    let _ = dump(&df);
    let spec = lower(&df, "hostile".into(), &[]);
    if let Err(problem) = check_spec_spans(text, &spec) {
        panic!("{problem}");
    }
    assert_eq!(spec.target, spec.stages.len().checked_sub(1));
    df
}

fn single_line(len: usize) {
    let mut text = String::with_capacity(len + 16);
    text.push_str("FROM a\nRUN ");
    while text.len() < len {
        text.push_str("echo <<x $y \"z\" ");
    }
    let started = Instant::now();
    let df = exercise(&text);
    assert_eq!(df.instructions.len(), 2);
    assert!(df.diagnostics.iter().any(|d| d.kind == DiagnosticKind::LineTooLong));
    let _ = started.elapsed();
}

#[test]
fn long_single_line() {
    single_line(4 << 20);
}

#[test]
fn hundred_megabyte_single_line() {
    single_line(100 << 20);
}

#[test]
fn ten_thousand_continuation_lines() {
    let mut text = String::from("FROM a\nRUN true");
    for i in 0..10_000 {
        text.push_str(" \\\n  && echo ");
        text.push_str(&i.to_string());
        if i % 100 == 0 {
            text.push_str(" \\\n# comment\n\n  ");
        }
    }
    text.push('\n');
    let df = exercise(&text);
    assert_eq!(df.instructions.len(), 2);
    assert_eq!(df.comments.len(), 100);
    assert_eq!(df.instructions[1].end_line as usize, text.lines().count());
}

#[test]
fn deep_onbuild_nesting() {
    let text = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(100_000));
    let df = exercise(&text);
    assert!(matches!(df.instructions[1].args, Args::Onbuild(_)));
}

#[test]
fn nul_and_control_characters() {
    let mut text = String::from("FROM a\n");
    for byte in (0u8..0x20).chain([0x7f]) {
        let c = char::from(byte);
        text.push_str(&format!("RUN a{c}b\nENV K{c}=v{c}\n{c}LABEL x=y\nCOPY --f{c}=1 a b\n"));
    }
    text.push_str("\0\0\0\n\u{feff}\u{200b}RUN x\n");
    exercise(&text);
}

#[test]
fn many_heredoc_markers_and_bodies() {
    let mut text = String::from("FROM a\nRUN");
    for i in 0..5_000 {
        text.push_str(&format!(" <<E{i}"));
    }
    text.push('\n');
    for i in 0..5_000 {
        text.push_str(&format!("body\nE{i}\n"));
    }
    text.push_str("USER x\n");
    let df = exercise(&text);
    // At most 4096 heredocs are read; the rest of the bodies become (unknown) instructions.
    assert_eq!(df.instructions[1].heredocs.len(), 4096);
    // Markers without bodies: the first is unterminated, the rest are not read.
    let df = exercise(&format!("FROM a\nRUN {}\n", "<<A ".repeat(200_000)));
    assert_eq!(df.instructions[1].heredocs.len(), 1);
}

#[test]
fn deep_nesting_in_json_and_variables() {
    let json = format!("FROM a\nCMD {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    exercise(&json);
    let dollars = format!(
        "FROM a\nRUN {}x{} <<EOF\nEOF\nENV A={}x{}\n",
        "${a:-".repeat(50_000),
        "}".repeat(50_000),
        "${a:-".repeat(50_000),
        "}".repeat(50_000)
    );
    exercise(&dollars);
}

#[test]
fn many_flags_stages_and_words() {
    let flags = format!("FROM a\nCOPY {}a b\n", "--link ".repeat(50_000));
    let df = exercise(&flags);
    assert_eq!(df.instructions[1].flags.len(), 50_000);
    let stages: String = (0..20_000).map(|i| format!("FROM s{} AS s{}\n", i.max(1) - 1, i)).collect();
    let df = exercise(&stages);
    assert_eq!(df.instructions.len(), 20_000);
    let words = format!("FROM a\nENV {}\nEXPOSE {}\n", "k=v ".repeat(60_000), "80 ".repeat(100_000));
    let df = exercise(&words);
    assert!(matches!(&df.instructions[1].args, Args::KeyValues(pairs) if pairs.len() == 60_000));
    // Past 65536 words an instruction is kept as text, which bounds memory.
    assert!(matches!(df.instructions[2].args, Args::Invalid(_)));
    assert!(df.diagnostics.iter().any(|d| d.message.starts_with("more than 65536")));
}
