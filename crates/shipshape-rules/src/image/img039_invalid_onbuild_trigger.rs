use shipshape_dockerfile::Keyword;
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`. The finding points at
    /// the trigger's keyword.
    ///
    /// ## Why is this bad?
    /// The builder refuses these triggers, so the image cannot be built; they also show a
    /// misunderstanding of what `ONBUILD` does (it replays one instruction in the build of an
    /// image that uses this one as its base).
    ///
    /// ## Example
    /// ```dockerfile
    /// ONBUILD FROM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ONBUILD COPY . /app/src
    /// ```
    ///
    /// ## Fix
    /// Remove the trigger, or move what it meant into the downstream Dockerfile. Not fixed
    /// automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `ONBUILD`
    pub static INVALID_ONBUILD_TRIGGER = {
        code: "IMG039",
        name: "invalid-onbuild-trigger",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "`ONBUILD` registers a trigger the builder refuses",
        aliases: [(Hadolint, "DL3043")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for instruction in &syntax.dockerfile.instructions {
        let Some(trigger) = instruction.onbuild_trigger() else { continue };
        if matches!(trigger.keyword, Keyword::Onbuild | Keyword::From | Keyword::Maintainer) {
            checker
                .report(
                    &INVALID_ONBUILD_TRIGGER,
                    &syntax.origin(trigger.keyword_span),
                    format!("`{}` isn't allowed as an `ONBUILD` trigger", trigger.keyword),
                )
                .help = Some("remove the trigger".into());
        }
    }
}
