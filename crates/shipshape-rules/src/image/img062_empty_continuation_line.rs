use shipshape_dockerfile::DiagnosticKind;
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an empty line inside a line continuation (a line ending in `\` followed by a blank
    /// line before the instruction goes on). The finding points at the empty line.
    ///
    /// ## Why is this bad?
    /// The builder skips the empty line and joins the instruction across it, which reads as if
    /// the instruction had ended; the builder warns that such lines will become errors in a
    /// future release.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add --no-cache \
    ///
    ///     curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apk add --no-cache \
    ///     curl
    /// ```
    ///
    /// ## Fix
    /// Delete the empty line (or end the instruction before it). Not fixed automatically.
    ///
    /// ## References
    /// - moby/moby pull request 33719 (empty continuation lines deprecated)
    pub static EMPTY_CONTINUATION_LINE = {
        code: "IMG062",
        name: "empty-continuation-line",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "an empty line continues an instruction",
        aliases: [(BuildKit, "NoEmptyContinuation")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for diagnostic in
        syntax.dockerfile.diagnostics.iter().filter(|d| d.kind == DiagnosticKind::EmptyContinuationLine)
    {
        checker
            .report(
                &EMPTY_CONTINUATION_LINE,
                &syntax.origin(diagnostic.span),
                "empty continuation line: the instruction goes on after it",
            )
            .help = Some("delete the empty line".into());
    }
}
