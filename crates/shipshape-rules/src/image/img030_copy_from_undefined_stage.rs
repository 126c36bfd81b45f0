use shipshape_dockerfile::Keyword;
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `COPY --from=NAME` where `NAME` is not a stage defined earlier in the file: a
    /// stage defined later, or a bare name that matches no stage. Stage numbers below the
    /// current stage and image references (`nginx:1.27`, `ghcr.io/org/tools`) are fine;
    /// names with variables are not judged. Stage names compare case-insensitively, as the
    /// builder compares them. The finding points at the name.
    ///
    /// ## Why is this bad?
    /// A name that matches no earlier stage is pulled as an image: `--from=biuld` copies from
    /// the registry image `biuld:latest`, which anyone may publish, instead of failing. A
    /// stage defined later cannot be copied from at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=biuld /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix
    /// Correct the stage name, or write an image reference with a tag (`--from=busybox:1.36`)
    /// when an image is meant. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `COPY --from`
    pub static COPY_FROM_UNDEFINED_STAGE = {
        code: "IMG030",
        name: "copy-from-undefined-stage",
        layer: Image,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "`COPY --from` names no earlier stage and would pull an image of that name",
        aliases: [(Hadolint, "DL3022")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        for copy in stage.all(Keyword::Copy) {
            let Some(flag) = copy.flag("from") else { continue };
            let Some(name) = flag.value.as_deref() else { continue };
            let span = flag.value_span.unwrap_or(flag.span);
            if name.is_empty() || name.contains(['$', ':', '/', '@']) {
                continue;
            }
            let message = if let Ok(index) = name.parse::<usize>() {
                if index < stage.index {
                    continue;
                }
                if index == stage.index {
                    continue; // the stage itself: `copy-from-own-stage`
                }
                format!("`--from={name}`: there is no stage {index} before this one")
            } else {
                let same = |s: &&crate::checkers::dockerfile::SyntaxStage<'_>| {
                    s.name().is_some_and(|n| n.text.eq_ignore_ascii_case(name))
                };
                match syntax.stages.iter().find(same) {
                    Some(found) if found.index < stage.index => continue,
                    Some(found) if found.index == stage.index => continue,
                    Some(_) => format!("`--from={name}` names a stage defined later in the file"),
                    None => format!(
                        "`--from={name}` names no stage of this file, so the image `{name}:latest` is pulled"
                    ),
                }
            };
            checker.report(&COPY_FROM_UNDEFINED_STAGE, &syntax.origin(span), message).help =
                Some("name a stage defined earlier, or an image with a tag".into());
        }
    }
}
