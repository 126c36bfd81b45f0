use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a `LABEL` key that breaks Docker's label key format: it must start with a
    /// lower-case letter, end with a lower-case letter or digit, hold only lower-case letters,
    /// digits, `.` and `-`, never repeat `.` or `-`, and stay out of the namespaces Docker
    /// reserves (`com.docker.*`, `io.docker.*`, `org.dockerproject.*`). Keys with variables that
    /// do not resolve are not judged. The finding points at the label.
    ///
    /// ## Why is this bad?
    /// Tools that read labels (registries, scanners, orchestrators, `docker ... --filter
    /// label=`) expect reverse-DNS keys; keys like `Maintainer` or `build_date` are missed by
    /// them, and keys in Docker's namespaces may clash with what Docker writes itself.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL Maintainer="ops@example.com" build_date="2024-05-01"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="ops@example.com" org.opencontainers.image.created="2024-05-01T00:00:00Z"
    /// ```
    ///
    /// ## Fix
    /// Rename the key (the OCI annotation keys `org.opencontainers.image.*` cover the usual
    /// metadata). Not fixed automatically: tools may read the old key.
    ///
    /// ## References
    /// - Docker documentation, "Docker object labels", key format recommendations
    pub static INVALID_LABEL_KEY = {
        code: "IMG043",
        name: "invalid-label-key",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "a label key breaks Docker's key format",
        aliases: [(Hadolint, "DL3048")],
    }
}

/// Why `key` is not a valid label key, if it is not.
fn problem(key: &str) -> Option<&'static str> {
    let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("must start with a lower-case letter")
    } else if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        Some("must end with a lower-case letter or a digit")
    } else if !key.chars().all(valid_char) {
        Some("may hold only lower-case letters, digits, `.` and `-`")
    } else if key.contains("..") || key.contains("--") {
        Some("must not repeat `.` or `-`")
    } else if ["com.docker.", "io.docker.", "org.dockerproject."].iter().any(|ns| key.starts_with(ns)) {
        Some("is in a namespace Docker reserves")
    } else {
        None
    }
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for label in spec.stages.iter().flat_map(|s| &s.labels) {
        if label.key.contains('$') {
            continue;
        }
        if let Some(problem) = problem(&label.key) {
            checker
                .report(&INVALID_LABEL_KEY, &label.origin, format!("label key `{}` {problem}", label.key))
                .help = Some("use a lower-case reverse-DNS key, such as `org.opencontainers.image.*`".into());
        }
    }
}
