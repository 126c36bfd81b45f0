use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags comments that suppress findings inline: `# hadolint ignore=...`,
    /// `# hadolint global ignore=...`, `# shipshape: ignore...=...` and `# checkov:skip=...`.
    /// Off by default (as hadolint's own check is): enable it with
    /// `select = ["ALL", "inline-ignore-pragma"]` where exceptions must live in the reviewed
    /// configuration instead. The finding points at the comment.
    ///
    /// ## Why is this bad?
    /// Inline suppressions are easy to add in a change nobody reviews for security, and they
    /// outlive the reason they were added for. A team that keeps exceptions in `shipshape.toml`
    /// (with reasons and expiry dates) or a baseline wants none in the files themselves.
    ///
    /// ## Example
    /// ```dockerfile
    /// # hadolint ignore=DL3008
    /// RUN apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get install -y curl=7.88.1-10+deb12u7
    /// ```
    ///
    /// ## Fix
    /// Fix the finding, or move the exception to the configuration. Not fixed automatically.
    ///
    /// ## References
    /// - hadolint DL1001
    pub static INLINE_IGNORE_PRAGMA = {
        code: "IMG065",
        name: "inline-ignore-pragma",
        layer: Image,
        threat: UndetectedCompromise,
        asset: Application,
        severity: Info,
        fix: None,
        opt_in: true,
        summary: "a comment suppresses findings inline",
        aliases: [(Hadolint, "DL1001")],
    }
}

/// Whether a comment's text (after `#`) suppresses findings.
fn is_pragma(body: &str) -> bool {
    let words: Vec<&str> = body.split_whitespace().collect();
    match words.as_slice() {
        ["hadolint", second, ..] => {
            second.starts_with("ignore=") || (*second == "global" && body.contains("ignore="))
        }
        [first, ..] if first.starts_with("shipshape:") || first.starts_with("checkov:skip=") => {
            body.contains("ignore") || first.starts_with("checkov:skip=")
        }
        ["shipshape", ..] => body.contains("ignore"),
        _ => false,
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for comment in syntax.dockerfile.comments.iter().filter(|c| is_pragma(c.body())) {
        checker
            .report(
                &INLINE_IGNORE_PRAGMA,
                &syntax.origin(comment.span),
                "an inline pragma suppresses findings here",
            )
            .help = Some("fix the finding, or record the exception in the configuration".into());
    }
}
