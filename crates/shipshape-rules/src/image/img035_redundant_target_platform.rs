use shipshape_dockerfile::Args;
use shipshape_model::{Edit, Fix, Span, declare_rule};

use crate::checkers::dockerfile::{Syntax, unquote};
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`). The finding points at
    /// the flag.
    ///
    /// ## Why is this bad?
    /// A stage is built for the target platform anyway; the flag adds nothing but suggests a
    /// platform choice that is not there, and is often a slip for `$BUILDPLATFORM`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix
    /// Remove the flag.
    ///
    /// ## Fix safety
    /// Safe: without the flag the stage is built for the target platform, which is what
    /// `$TARGETPLATFORM` names. Not offered when the file declares its own `TARGETPLATFORM`
    /// argument with a default.
    ///
    /// ## References
    /// - Dockerfile reference, "Automatic platform ARGs in the global scope"
    pub static REDUNDANT_TARGET_PLATFORM = {
        code: "IMG035",
        name: "redundant-target-platform",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Sometimes,
        summary: "`FROM --platform=$TARGETPLATFORM` repeats the default",
        aliases: [(BuildKit, "RedundantTargetPlatform")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let redeclared = syntax.preamble.iter().any(|i| match &i.args {
        Args::ArgDecls(decls) => decls.iter().any(|d| d.name.text == "TARGETPLATFORM" && d.default.is_some()),
        _ => false,
    });
    let source = syntax.source();
    for stage in &syntax.stages {
        let Some(flag) = stage.from.flag("platform") else { continue };
        let value = unquote(flag.value.as_deref().unwrap_or(""));
        if value != "$TARGETPLATFORM" && value != "${TARGETPLATFORM}" {
            continue;
        }
        // The flag and the blanks after it.
        let end = flag.span.end as usize;
        let blanks =
            source.get(end..).map_or(0, |rest| rest.len() - rest.trim_start_matches([' ', '\t']).len());
        let finding = checker.report(
            &REDUNDANT_TARGET_PLATFORM,
            &syntax.origin(flag.span),
            format!("`--platform={value}` is the default platform of every stage"),
        );
        finding.help = Some("remove the flag".into());
        if !redeclared && blanks > 0 {
            let span = Span::new(flag.span.start, flag.span.end + blanks as u32);
            finding.fix = Some(Fix::safe(vec![Edit::delete(span)]));
        }
    }
}
