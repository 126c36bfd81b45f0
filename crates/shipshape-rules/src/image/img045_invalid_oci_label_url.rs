use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

/// The OCI annotation keys whose value is a URL.
const URL_KEYS: &[&str] = &[
    "org.opencontainers.image.url",
    "org.opencontainers.image.documentation",
    "org.opencontainers.image.source",
];

declare_rule! {
    /// ## What it does
    /// Flags `org.opencontainers.image.url`, `.documentation` and `.source` labels whose value
    /// is not an absolute URL (`scheme://host/...`). Empty values and values from variables
    /// that do not resolve are not judged. The finding points at the label.
    ///
    /// ## Why is this bad?
    /// The OCI image spec defines these as URLs; registries link them and provenance tools
    /// follow `source` back to the code the image was built from. A bare `github.com/org/repo`
    /// or a typo breaks that chain.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source="github.com/example/app"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source="https://github.com/example/app"
    /// ```
    ///
    /// ## Fix
    /// Write the full URL. Not fixed automatically.
    ///
    /// ## References
    /// - OCI image spec, "Pre-Defined Annotation Keys"
    /// - RFC 3986, URI syntax
    pub static INVALID_OCI_LABEL_URL = {
        code: "IMG045",
        name: "invalid-oci-label-url",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "an OCI URL label is not a URL",
        aliases: [(Hadolint, "DL3052")],
    }
}

/// Whether `text` is an absolute URL: `scheme:` then `//` and a host without blanks.
fn is_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else { return false };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    scheme_ok && !host.is_empty() && !text.chars().any(char::is_whitespace)
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for label in spec.stages.iter().flat_map(|s| &s.labels) {
        if !URL_KEYS.contains(&label.key.as_str()) {
            continue;
        }
        let Some(value) = label.value.get().map(str::trim).filter(|v| !v.is_empty()) else { continue };
        if !is_url(value) {
            checker
                .report(
                    &INVALID_OCI_LABEL_URL,
                    &label.origin,
                    format!("label `{}` is not a URL: `{value}`", label.key),
                )
                .help = Some("write an absolute URL, such as `https://...`".into());
        }
    }
}
