use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::{Syntax, unquote};
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a `WORKDIR` with a relative path when no absolute `WORKDIR` comes before it in the
    /// stage or the stages it is built on. A path starting with a variable (`$HOME/app`) is
    /// not judged. The finding points at the path.
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` is resolved against the base image's working directory, which this
    /// Dockerfile does not control: a new base image version that changes it moves every
    /// `COPY`, `RUN` and the container's start directory somewhere else, silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20
    /// WORKDIR app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20
    /// WORKDIR /app
    /// ```
    ///
    /// ## Fix
    /// Write the absolute path. Not fixed automatically: the base image's directory is not
    /// known. A relative `WORKDIR` after an absolute one is fine and not flagged (hadolint
    /// flags it too).
    ///
    /// ## References
    /// - Dockerfile reference, `WORKDIR`
    pub static RELATIVE_WORKDIR = {
        code: "IMG020",
        name: "relative-workdir",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "`WORKDIR` is relative to a directory the base image chooses",
        aliases: [(Hadolint, "DL3000"), (BuildKit, "WorkdirRelativePath"), (Trivy, "DS-0009")],
    }
}

/// Whether `path` is absolute on Linux or Windows (`/app`, `\app`, `C:\app`, `C:/app`).
pub(crate) fn is_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    path.starts_with(['/', '\\'])
        || (chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.next() == Some(':'))
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        // An absolute `WORKDIR` anywhere in a parent stage precedes this stage.
        let mut anchored = syntax
            .lineage(stage)
            .iter()
            .skip(1)
            .flat_map(|s| s.all(Keyword::Workdir))
            .any(|w| matches!(&w.args, Args::Text(p) if is_absolute(unquote(&p.text))));
        for workdir in stage.all(Keyword::Workdir) {
            let Args::Text(path) = &workdir.args else { continue };
            let text = unquote(&path.text);
            if text.starts_with('$') || text.is_empty() {
                continue;
            }
            if is_absolute(text) {
                anchored = true;
            } else if !anchored {
                checker
                    .report(
                        &RELATIVE_WORKDIR,
                        &syntax.origin(path.span),
                        format!("`WORKDIR {text}` is relative to the base image's working directory"),
                    )
                    .help = Some(format!("write an absolute path, such as `/{text}`"));
            }
        }
    }
}
