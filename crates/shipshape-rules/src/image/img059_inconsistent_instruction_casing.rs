use shipshape_model::{Edit, Fix, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags instruction keywords whose casing differs from the file's majority (upper case on
    /// a tie), and keywords in mixed case (`Run`). The finding points at the keyword.
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, but mixed casing makes a Dockerfile harder to read and to
    /// search, and hides instructions from reviewers and simple tools that grep for `RUN`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// run apk add --no-cache curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix
    /// Rewrite the keyword in the majority's case.
    ///
    /// ## Fix safety
    /// Safe: keywords are case-insensitive; only their spelling changes.
    ///
    /// ## References
    /// - Dockerfile reference, "Format" ("instructions are not case-sensitive")
    pub static INCONSISTENT_INSTRUCTION_CASING = {
        code: "IMG059",
        name: "inconsistent-instruction-casing",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Always,
        summary: "instruction keywords are not cased consistently",
        aliases: [(BuildKit, "ConsistentInstructionCasing")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let source = syntax.source();
    let keywords: Vec<_> = syntax
        .dockerfile
        .instructions
        .iter()
        .filter(|i| !i.keyword.is_unknown())
        .map(|i| (i.keyword_span, i.keyword_span.slice(source)))
        .collect();
    let lower = keywords.iter().filter(|(_, k)| *k == k.to_lowercase() && *k != k.to_uppercase()).count();
    let upper = keywords.iter().filter(|(_, k)| *k == k.to_uppercase()).count();
    let majority_lower = lower > upper;
    for (span, keyword) in keywords {
        let wanted = if majority_lower { keyword.to_lowercase() } else { keyword.to_uppercase() };
        if keyword == wanted {
            continue;
        }
        let case = if majority_lower { "lower" } else { "upper" };
        let finding = checker.report(
            &INCONSISTENT_INSTRUCTION_CASING,
            &syntax.origin(span),
            format!("`{keyword}` should be {case} case like the rest of the file"),
        );
        finding.help = Some(format!("write `{wanted}`"));
        finding.fix = Some(Fix::safe(vec![Edit::replace(span, wanted)]));
    }
}
