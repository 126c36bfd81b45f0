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
