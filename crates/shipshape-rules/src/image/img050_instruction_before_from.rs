use shipshape_dockerfile::Keyword;
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an instruction other than `ARG` before the first `FROM`. The finding points at its
    /// keyword.
    ///
    /// ## Why is this bad?
    /// Only `ARG` may precede the first `FROM` (parser directives and comments aside); anything
    /// else has no stage to act on, and the builder refuses the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV NODE_ENV=production
    /// FROM node:20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20
    /// ENV NODE_ENV=production
    /// ```
    ///
    /// ## Fix
    /// Move the instruction into a stage, or make it an `ARG`. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, "Format" ("A Dockerfile must begin with a FROM instruction")
    pub static INSTRUCTION_BEFORE_FROM = {
        code: "IMG050",
        name: "instruction-before-from",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "an instruction other than `ARG` comes before the first `FROM`",
        aliases: [(Hadolint, "DL3061")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for instruction in syntax.preamble.iter().filter(|i| i.keyword != Keyword::Arg && !i.keyword.is_unknown())
    {
        checker
            .report(
                &INSTRUCTION_BEFORE_FROM,
                &syntax.origin(instruction.keyword_span),
                format!("`{}` before the first `FROM`: only `ARG` may come first", instruction.keyword),
            )
            .help = Some("move it after `FROM`".into());
    }
}
