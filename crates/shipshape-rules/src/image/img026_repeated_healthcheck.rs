use shipshape_dockerfile::Keyword;
use shipshape_model::{Fix, RuleMeta, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a second (third, ...) `HEALTHCHECK` in one stage. The finding points at the later
    /// instruction; the earlier one is the one that has no effect.
    ///
    /// ## Why is this bad?
    /// Only the last `HEALTHCHECK` of a stage counts. The earlier one reads like configuration
    /// the image has but does not, so a review of the Dockerfile misjudges how the container's
    /// health is checked.
    ///
    /// ## Example
    /// ```dockerfile
    /// HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1
    /// HEALTHCHECK CMD curl -fsS http://localhost/healthz || exit 1
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// HEALTHCHECK CMD curl -fsS http://localhost/healthz || exit 1
    /// ```
    ///
    /// ## Fix
    /// Delete the earlier `HEALTHCHECK`.
    ///
    /// ## Fix safety
    /// Safe: the deleted instruction is overridden by the later one in the same stage, so the
    /// built image's configuration is unchanged (only its history loses an empty entry). Not
    /// offered when the earlier instruction shares a line with something else.
    ///
    /// ## References
    /// - Dockerfile reference, `HEALTHCHECK` ("there can only be one")
    pub static REPEATED_HEALTHCHECK = {
        code: "IMG026",
        name: "repeated-healthcheck",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "a stage has more than one `HEALTHCHECK`; only the last counts",
        aliases: [(Hadolint, "DL3012"), (BuildKit, "MultipleInstructionsDisallowed"), (Trivy, "DS-0023")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    check_repeated(syntax, checker, &REPEATED_HEALTHCHECK, Keyword::Healthcheck);
}

/// Flags every `keyword` instruction of a stage after its first, with a fix deleting the one
/// before it; shared by `CMD`, `ENTRYPOINT` and `HEALTHCHECK`.
pub(crate) fn check_repeated(
    syntax: &Syntax<'_>,
    checker: &mut Checker<'_>,
    rule: &'static RuleMeta,
    keyword: Keyword,
) {
    let source = syntax.source();
    for stage in &syntax.stages {
        let all: Vec<_> = stage.all(keyword.clone()).collect();
        for pair in all.windows(2) {
            let [earlier, later] = pair else { continue };
            let line = source.get(..earlier.span.start as usize).map_or(0, |t| t.matches('\n').count() + 1);
            let finding = checker.report(
                rule,
                &syntax.origin(later.keyword_span),
                format!("a second `{keyword}` in this stage: the one on line {line} has no effect"),
            );
            finding.help = Some(format!("delete the `{keyword}` on line {line}"));
            finding.fix = syntax.delete_lines(earlier).map(|edit| Fix::safe(vec![edit]));
        }
    }
}
