//! A Dockerfile front end that follows BuildKit (`moby/buildkit`, `frontend/dockerfile`).
//!
//! * [`parse`] reads any text into a lossless [`Dockerfile`]: parser directives, comments,
//!   instructions with typed arguments, flags and heredoc bodies, each with its byte [`Span`].
//!   It never fails and never panics; what BuildKit would reject is a [`Diagnostic`], and
//!   parsing resumes at the next instruction.
//! * [`dump`] prints BuildKit's parser-test AST format, which the conformance tests compare
//!   with BuildKit's own expected output.
//! * [`lower`] evaluates the file statically into the security model's
//!   [`shipshape_model::ImageSpec`], resolving `ARG`/`ENV` variables with [`expand`].
//!
//! ```
//! let df = shipshape_dockerfile::parse("ARG BASE=node:20\nFROM $BASE AS app\nUSER node\n");
//! assert!(!df.has_errors());
//! let spec = shipshape_dockerfile::lower(&df, "Dockerfile".into(), &[]);
//! let stage = spec.final_stage().expect("one stage");
//! assert_eq!(stage.user.as_ref().and_then(|u| u.get()), Some("node"));
//! ```
//!
//! # Where this differs from BuildKit
//!
//! * BuildKit stops at the first error; we report every problem and keep going. Besides the
//!   parser's own errors we report what BuildKit's `instructions` package rejects (unknown
//!   instructions and flags, argument counts, `RUN --mount` options, `HEALTHCHECK` durations),
//!   see [`DiagnosticKind`].
//! * BuildKit reads builder flags byte by byte and so mangles non-ASCII text in them; we read
//!   characters. `RUN --mount` keys are checked in any order (BuildKit checks `required` against
//!   the `type` seen so far).
//! * Hostile input is bounded: at most 8 nested `ONBUILD`s, 4096 heredocs and 65536 words or
//!   flags per instruction, 64 levels of `${...}` in a heredoc delimiter line. Past these limits
//!   an instruction's arguments are kept as text and a diagnostic says so.
//! * [`dump`] quotes like Go's `strconv.Quote`, with an approximation of which non-ASCII
//!   characters Go considers printable.
//!
//! [`Span`]: shipshape_model::Span

mod ast;
mod dump;
pub mod expand;
mod heredoc;
mod json;
mod lower;
mod parser;
mod span_check;
mod validate;
mod words;

pub use ast::{
    ArgWord, Args, CommandArgs, Comment, Diagnostic, DiagnosticKind, Directive, Dockerfile, Flag, FromArgs,
    HealthcheckArgs, HeredocBody, Instruction, KeyValue, Keyword, PathList, Severity, Word,
};
pub use dump::{dump, dump_instruction, go_quote};
pub use lower::{Lowered, lower, lower_with_diagnostics};
pub use parser::parse;
pub use shipshape_model::Span;
pub use span_check::{check_spans, check_spec_spans};
