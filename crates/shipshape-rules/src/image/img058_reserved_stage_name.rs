use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a stage named `scratch` or `context`. The finding points at the name.
    ///
    /// ## Why is this bad?
    /// Both names mean something else to the builder: `scratch` is the empty image and
    /// `context` the build context, so `FROM scratch` or `COPY --from=context` do not refer to
    /// the stage and the build quietly uses something else.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS scratch
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS base
    /// ```
    ///
    /// ## Fix
    /// Rename the stage. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `FROM`
    pub static RESERVED_STAGE_NAME = {
        code: "IMG058",
        name: "reserved-stage-name",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "a stage is named `scratch` or `context`",
        aliases: [(BuildKit, "ReservedStageName")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        let Some(name) = stage.name() else { continue };
        if ["scratch", "context"].iter().any(|r| name.text.eq_ignore_ascii_case(r)) {
            checker
                .report(
                    &RESERVED_STAGE_NAME,
                    &syntax.origin(name.span),
                    format!("`{}` is a reserved name; references to it do not reach this stage", name.text),
                )
                .help = Some("give the stage another name".into());
        }
    }
}
