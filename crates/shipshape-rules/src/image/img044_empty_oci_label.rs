use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an OCI annotation label (`org.opencontainers.image.*`) whose value is empty. Values
    /// from variables that do not resolve are not judged. The finding points at the label.
    ///
    /// ## Why is this bad?
    /// Registries, scanners and SBOM tools read these labels for the image's source, version,
    /// licence and authors. An empty value claims the field is set while telling them nothing,
    /// typically because a build argument (`--build-arg VERSION=...`) was forgotten.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.version=""
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.version="1.4.2"
    /// ```
    ///
    /// ## Fix
    /// Set the value, or remove the label. Not fixed automatically.
    ///
    /// ## References
    /// - OCI image spec, "Pre-Defined Annotation Keys" (`annotations.md`)
    /// - hadolint DL3051 (which checks the labels of a configured label schema)
    pub static EMPTY_OCI_LABEL = {
        code: "IMG044",
        name: "empty-oci-label",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "an OCI annotation label is empty",
        aliases: [(Hadolint, "DL3051")],
    }
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for label in spec.stages.iter().flat_map(|s| &s.labels) {
        if !label.key.starts_with("org.opencontainers.image.") {
            continue;
        }
        if label.value.get().is_some_and(|v| v.trim().is_empty()) {
            checker.report(&EMPTY_OCI_LABEL, &label.origin, format!("label `{}` is empty", label.key)).help =
                Some("set a value or remove the label".into());
        }
    }
}
