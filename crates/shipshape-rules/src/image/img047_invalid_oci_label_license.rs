use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an `org.opencontainers.image.licenses` label whose value is not an SPDX license
    /// expression (`MIT`, `Apache-2.0 OR MIT`, `GPL-2.0-only WITH Classpath-exception-2.0`,
    /// `LicenseRef-custom`). The expression's syntax is checked, not whether each identifier is
    /// on the SPDX list. Empty values and values from variables that do not resolve are not
    /// judged. The finding points at the label.
    ///
    /// ## Why is this bad?
    /// The OCI image spec defines `licenses` as an SPDX expression; licence scanners and SBOM
    /// generators parse it, and free text such as `Apache 2` or `MIT/GPL` reads as unknown, so
    /// the image fails licence policy or is misreported.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.licenses="Apache 2"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    ///
    /// ## Fix
    /// Write an SPDX expression. Not fixed automatically.
    ///
    /// ## References
    /// - OCI image spec, "Pre-Defined Annotation Keys"
    /// - SPDX specification, annex "SPDX License Expressions"
    pub static INVALID_OCI_LABEL_LICENSE = {
        code: "IMG047",
        name: "invalid-oci-label-license",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "the OCI `licenses` label is not an SPDX expression",
        aliases: [(Hadolint, "DL3054")],
    }
}

/// The tokens of an SPDX expression: parentheses and words.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() || c == '(' || c == ')' {
            if let Some(s) = start.take() {
                out.push(&text[s..i]);
            }
            if c != ' ' && !c.is_whitespace() {
                out.push(&text[i..i + 1]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn is_operator(token: &str, name: &str) -> bool {
    token == name || token == name.to_ascii_lowercase()
}

/// A license id (`MIT`, `GPL-2.0+`, `LicenseRef-x`, `DocumentRef-d:LicenseRef-x`).
fn is_id(token: &str) -> bool {
    let idstring =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if let Some((document, license)) = token.split_once(':') {
        return document.strip_prefix("DocumentRef-").is_some_and(idstring)
            && license.strip_prefix("LicenseRef-").is_some_and(idstring);
    }
    idstring(token.strip_suffix('+').unwrap_or(token))
        && !["AND", "OR", "WITH", "and", "or", "with"].contains(&token)
}

/// Parses `compound := term ((AND | OR) term)*` from `at`; returns the position after it.
fn compound(tokens: &[&str], at: usize, depth: usize) -> Option<usize> {
    let mut at = term(tokens, at, depth)?;
    while let Some(token) = tokens.get(at) {
        if !is_operator(token, "AND") && !is_operator(token, "OR") {
            break;
        }
        at = term(tokens, at + 1, depth)?;
    }
    Some(at)
}

/// `term := "(" compound ")" | id [WITH id]`
fn term(tokens: &[&str], at: usize, depth: usize) -> Option<usize> {
    if depth > 32 {
        return None;
    }
    let token = tokens.get(at)?;
    if *token == "(" {
        let end = compound(tokens, at + 1, depth + 1)?;
        return (tokens.get(end) == Some(&")")).then_some(end + 1);
    }
    if !is_id(token) {
        return None;
    }
    match tokens.get(at + 1) {
        Some(with) if is_operator(with, "WITH") => tokens.get(at + 2).filter(|t| is_id(t)).map(|_| at + 3),
        _ => Some(at + 1),
    }
}

/// Whether `text` is a syntactically valid SPDX license expression.
pub(crate) fn is_spdx_expression(text: &str) -> bool {
    let tokens = tokens(text);
    !tokens.is_empty() && compound(&tokens, 0, 0) == Some(tokens.len())
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for label in spec.stages.iter().flat_map(|s| &s.labels) {
        if label.key != "org.opencontainers.image.licenses" {
            continue;
        }
        let Some(value) = label.value.get().map(str::trim).filter(|v| !v.is_empty()) else { continue };
        if !is_spdx_expression(value) {
            checker
                .report(
                    &INVALID_OCI_LABEL_LICENSE,
                    &label.origin,
                    format!("label `{}` is not an SPDX license expression: `{value}`", label.key),
                )
                .help =
                Some("write SPDX identifiers joined by `AND`/`OR`, such as `Apache-2.0 OR MIT`".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_spdx_expression;

    #[test]
    fn spdx_expressions() {
        for good in [
            "MIT",
            "Apache-2.0 OR MIT",
            "(MIT AND BSD-3-Clause) or GPL-2.0+",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "LicenseRef-acme",
            "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        ] {
            assert!(is_spdx_expression(good), "{good}");
        }
        for bad in [
            "Apache 2",
            "MIT/GPL",
            "(MIT",
            "MIT AND",
            "AND",
            "MIT, BSD",
            "GPL WITH",
            "((((((((((((((((((((((((((((((((((MIT))))))))))))))))))))))))))))))))))",
        ] {
            assert!(!is_spdx_expression(bad), "{bad}");
        }
    }
}
