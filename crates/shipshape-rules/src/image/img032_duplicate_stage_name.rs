use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a `FROM ... AS name` whose name (compared case-insensitively, as the builder
    /// does) an earlier stage already has. The finding points at the later name.
    ///
    /// ## Why is this bad?
    /// `COPY --from=name`, `FROM name` and `--target name` then refer to one of the two stages
    /// only, so files silently come from a stage the reader did not mean.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20 AS build
    /// FROM golang:1.22 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20 AS web
    /// FROM golang:1.22 AS api
    /// ```
    ///
    /// ## Fix
    /// Rename one of the stages and the references to it. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `FROM ... AS name`
    pub static DUPLICATE_STAGE_NAME = {
        code: "IMG032",
        name: "duplicate-stage-name",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "two stages have the same name",
        aliases: [(Hadolint, "DL3024"), (BuildKit, "DuplicateStageName"), (Trivy, "DS-0012")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for (k, stage) in syntax.stages.iter().enumerate() {
        let Some(name) = stage.name() else { continue };
        let earlier = syntax
            .stages
            .iter()
            .take(k)
            .find_map(|s| s.name().filter(|n| n.text.eq_ignore_ascii_case(&name.text)));
        if let Some(earlier) = earlier {
            let line =
                syntax.source().get(..earlier.span.start as usize).map_or(0, |t| t.matches('\n').count() + 1);
            checker
                .report(
                    &DUPLICATE_STAGE_NAME,
                    &syntax.origin(name.span),
                    format!("stage name `{}` is already used on line {line}", name.text),
                )
                .help = Some("give each stage its own name".into());
        }
    }
}
