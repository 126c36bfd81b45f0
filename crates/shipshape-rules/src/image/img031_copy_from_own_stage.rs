use shipshape_dockerfile::Keyword;
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `COPY --from` that names the stage it is in, by name (case-insensitively) or by
    /// number. The finding points at the name.
    ///
    /// ## Why is this bad?
    /// A stage cannot copy from itself: the builder reports a circular dependency and the build
    /// fails. It is usually a typo for another stage's name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 AS app
    /// COPY --from=app /etc/os-release /tmp/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS base
    /// FROM base AS app
    /// COPY --from=base /etc/os-release /tmp/
    /// ```
    ///
    /// ## Fix
    /// Name the stage the files come from. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `COPY --from`
    pub static COPY_FROM_OWN_STAGE = {
        code: "IMG031",
        name: "copy-from-own-stage",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "`COPY --from` names its own stage",
        aliases: [(Hadolint, "DL3023"), (Trivy, "DS-0006")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        let own = stage.name().map(|n| n.text.as_str());
        for copy in stage.all(Keyword::Copy) {
            let Some(flag) = copy.flag("from") else { continue };
            let Some(name) = flag.value.as_deref() else { continue };
            let by_name = own.is_some_and(|own| own.eq_ignore_ascii_case(name));
            let by_index = name.parse::<usize>().is_ok_and(|i| i == stage.index);
            if by_name || by_index {
                checker
                    .report(
                        &COPY_FROM_OWN_STAGE,
                        &syntax.origin(flag.value_span.unwrap_or(flag.span)),
                        format!("`--from={name}` names the stage this `COPY` is in"),
                    )
                    .help = Some("name the stage the files come from".into());
            }
        }
    }
}
