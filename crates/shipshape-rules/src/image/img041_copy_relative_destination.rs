use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::{Syntax, unquote};
use crate::context::Checker;
use crate::image::img020_relative_workdir::is_absolute;

declare_rule! {
    /// ## What it does
    /// Flags a `COPY` or `ADD` to a relative destination (`COPY . app/`, `COPY a.txt .`) in a
    /// stage where no `WORKDIR` was set before it, in the stage or the stages it is built on.
    /// Destinations starting with a variable are not judged. The finding points at the
    /// destination.
    ///
    /// ## Why is this bad?
    /// A relative destination is resolved against the base image's working directory, which
    /// the Dockerfile does not control: files land in `/`, or move when the base image changes
    /// its `WORKDIR`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20
    /// COPY package.json .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20
    /// WORKDIR /app
    /// COPY package.json .
    /// ```
    ///
    /// ## Fix
    /// Set a `WORKDIR` first or use an absolute destination. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `COPY` ("relative paths ... relative to WORKDIR")
    pub static COPY_RELATIVE_DESTINATION = {
        code: "IMG041",
        name: "copy-relative-destination",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "files are copied to a directory the base image chooses",
        aliases: [(Hadolint, "DL3045")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        let inherited =
            syntax.lineage(stage).iter().skip(1).any(|s| s.all(Keyword::Workdir).next().is_some());
        let mut workdir = inherited;
        for instruction in stage.body {
            match instruction.keyword {
                Keyword::Workdir => workdir = true,
                Keyword::Copy | Keyword::Add if !workdir => {
                    let Args::Paths(paths) = &instruction.args else { continue };
                    let Some(destination) = paths.destination() else { continue };
                    let text = unquote(&destination.text);
                    if text.is_empty() || text.starts_with('$') || is_absolute(text) {
                        continue;
                    }
                    checker
                        .report(
                            &COPY_RELATIVE_DESTINATION,
                            &syntax.origin(destination.span),
                            format!("`{text}` is relative to the base image's working directory; no `WORKDIR` is set"),
                        )
                        .help = Some("set `WORKDIR` before, or write an absolute destination".into());
                }
                _ => {}
            }
        }
    }
}
