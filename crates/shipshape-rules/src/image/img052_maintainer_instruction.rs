use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::{Edit, Fix, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `MAINTAINER`. The finding points at the keyword.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` is deprecated: it fills the image's legacy `Author` field, which current
    /// tooling ignores, while registries and scanners read the maintainer from labels.
    ///
    /// ## Example
    /// ```dockerfile
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// LABEL maintainer="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix
    /// Replace it with `LABEL maintainer="..."` (or `org.opencontainers.image.authors`).
    ///
    /// ## Fix safety
    /// Safe: the text moves verbatim into a double-quoted label value (`"`, `$` and the escape
    /// character escaped, since `LABEL` expands variables and `MAINTAINER` does not). The
    /// image's deprecated `Author` field is no longer set; the `maintainer` label carries the
    /// same text, as the Dockerfile reference recommends.
    ///
    /// ## References
    /// - Dockerfile reference, "MAINTAINER (deprecated)"
    pub static MAINTAINER_INSTRUCTION = {
        code: "IMG052",
        name: "maintainer-instruction",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Sometimes,
        summary: "the deprecated `MAINTAINER` instruction is used",
        aliases: [(Hadolint, "DL4000"), (BuildKit, "MaintainerDeprecated"), (Trivy, "DS-0022")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let escape = syntax.dockerfile.escape;
    for instruction in syntax.dockerfile.instructions.iter().filter(|i| i.keyword == Keyword::Maintainer) {
        let Args::Text(text) = &instruction.args else { continue };
        let mut value = String::with_capacity(text.text.len() + 2);
        for c in text.text.trim().chars() {
            if c == '"' || c == '$' || c == escape {
                value.push(escape);
            }
            value.push(c);
        }
        let label =
            if instruction.keyword_span.slice(syntax.source()) == "maintainer" { "label" } else { "LABEL" };
        let finding = checker.report(
            &MAINTAINER_INSTRUCTION,
            &syntax.origin(instruction.keyword_span),
            "`MAINTAINER` is deprecated; the maintainer belongs in a label",
        );
        finding.help = Some(format!("write `LABEL maintainer=\"{value}\"`"));
        if !text.text.trim().is_empty() && !text.text.contains('\n') {
            finding.fix = Some(Fix::safe(vec![Edit::replace(
                instruction.span,
                format!("{label} maintainer=\"{value}\""),
            )]));
        }
    }
}
