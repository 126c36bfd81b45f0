use shipshape_dockerfile::Args;
use shipshape_model::{Edit, Fix, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `FROM ... as name` when `FROM` is upper case (or `from ... AS name` when it is
    /// lower case). A `FROM` in mixed case is left to `inconsistent-instruction-casing`. The
    /// finding points at the `AS` keyword.
    ///
    /// ## Why is this bad?
    /// Mixed casing within one instruction makes the stage name harder to spot and to grep for;
    /// it is a style slip without effect on the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 as build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// ```
    ///
    /// ## Fix
    /// Write `AS` in the case of `FROM`.
    ///
    /// ## Fix safety
    /// Safe: the keyword is case-insensitive; only its spelling changes.
    ///
    /// ## References
    /// - Dockerfile reference, `FROM`
    pub static FROM_AS_CASING = {
        code: "IMG056",
        name: "from-as-casing",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Always,
        summary: "the casing of `AS` does not match `FROM`",
        aliases: [(BuildKit, "FromAsCasing")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        let Args::From(from) = &stage.from.args else { continue };
        let [_, as_word, _] = from.words.as_slice() else { continue };
        let keyword = stage.from.keyword_span.slice(syntax.source());
        let wanted = if keyword == keyword.to_ascii_uppercase() {
            "AS"
        } else if keyword == keyword.to_ascii_lowercase() {
            "as"
        } else {
            continue;
        };
        if as_word.text == wanted || !as_word.text.eq_ignore_ascii_case("as") {
            continue;
        }
        let finding = checker.report(
            &FROM_AS_CASING,
            &syntax.origin(as_word.span),
            format!("`{}` does not match the casing of `{keyword}`", as_word.text),
        );
        finding.help = Some(format!("write `{wanted}`"));
        finding.fix = Some(Fix::safe(vec![Edit::replace(as_word.span, wanted)]));
    }
}
