//! Test support: every shell-form `RUN` of a Dockerfile, parsed as a rule would see it.
#![allow(dead_code)]

use shipshape_dockerfile::{Args, CommandArgs, Dockerfile, Instruction, Keyword};
use shipshape_model::{LineIndex, Span};
use shipshape_shell::{HeredocInput, RunInput, Script, parse_run};

/// Each shell-form `RUN` of `text` (the `SHELL` in effect followed), parsed.
pub(crate) fn runs(text: &str) -> Vec<Script> {
    let df = shipshape_dockerfile::parse(text);
    runs_of(&df, text)
}

pub(crate) fn runs_of(df: &Dockerfile, text: &str) -> Vec<Script> {
    let mut shell: Option<Vec<String>> = None;
    let mut out = Vec::new();
    for instruction in &df.instructions {
        visit(instruction, df, text, &mut shell, &mut out);
    }
    out
}

fn visit(
    instruction: &Instruction,
    df: &Dockerfile,
    text: &str,
    shell: &mut Option<Vec<String>>,
    out: &mut Vec<Script>,
) {
    match (&instruction.keyword, &instruction.args) {
        (Keyword::From, _) => *shell = None,
        (Keyword::Shell, Args::Command(CommandArgs::Exec(words))) => {
            *shell = Some(words.iter().map(|w| w.text.clone()).collect());
        }
        (Keyword::Run, Args::Command(CommandArgs::Shell(word))) => {
            let heredocs = instruction
                .heredocs
                .iter()
                .map(|h| HeredocInput {
                    name: &h.name,
                    body: &h.content,
                    offset: h.content_span.start as usize,
                    expand: h.expand,
                })
                .collect();
            let input = RunInput {
                source: word.span.slice(text),
                offset: word.span.start as usize,
                escape: Some(df.escape),
                shell: shell.as_deref(),
                heredocs,
            };
            out.push(parse_run(&input));
        }
        (Keyword::Onbuild, Args::Onbuild(inner)) => visit(inner, df, text, shell, out),
        _ => {}
    }
}

/// The only `RUN` of `text`.
pub(crate) fn run(text: &str) -> Script {
    let mut all = runs(text);
    assert_eq!(all.len(), 1, "expected one RUN in {text:?}");
    all.remove(0)
}

/// 1-based line and column of the start of `span`, and the text it covers.
pub(crate) fn at(text: &str, span: Span) -> (u32, u32, &str) {
    let (line, col) = LineIndex::new(text).line_col(text, span.start);
    (line, col, span.slice(text))
}

/// The static text of each word.
pub(crate) fn texts(words: &[&shipshape_shell::Word]) -> Vec<String> {
    words.iter().map(|w| w.value.clone()).collect()
}
