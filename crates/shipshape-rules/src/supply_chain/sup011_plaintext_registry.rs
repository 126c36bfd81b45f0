use shipshape_model::declare_rule;

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an image pulled from a registry over plain HTTP, where that is knowable: the
    /// reference is written with `http://` (which Docker also refuses as a reference), or its
    /// registry is one the engine is configured to reach without TLS (`insecure-registries` of
    /// the audited daemon; loopback registries, which the engine always treats so, are left
    /// out). It judges `FROM`, `COPY --from`, `RUN --mount=from=`, and Compose, Kubernetes and
    /// `docker inspect` images. The daemon setting itself is `SUP400`.
    ///
    /// ## Why is this bad?
    /// Without TLS nothing authenticates the registry or protects the image in transit: anyone
    /// on the network path can answer the pull with an image of their own, and registry
    /// credentials travel in the clear.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: http://registry.lan:5000/app:1.4
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: registry.lan:5000/app:1.4
    /// ```
    ///
    /// ## Fix
    /// Serve the registry over TLS (a certificate from an internal CA in
    /// `/etc/docker/certs.d/<registry>/ca.crt` is enough), remove it from
    /// `insecure-registries`, and write references without a scheme. Pin images by digest so a
    /// swapped image is refused. Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.5 "Ensure insecure registries are not used"
    pub static PLAINTEXT_REGISTRY = {
        code: "SUP011",
        name: "plaintext-registry",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: High,
        fix: None,
        summary: "image is pulled from a registry over plain HTTP",
        aliases: [(CisDocker, "2.5")],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    if image.scheme.as_deref() == Some("http") {
        checker
            .report(
                &PLAINTEXT_REGISTRY,
                &image.origin,
                format!(
                    "{} is pulled over plain HTTP, where anyone on the network path can swap the image (and Docker refuses a scheme in a reference)",
                    image.quoted()
                ),
            )
            .help = Some(format!("serve the registry over TLS and write `{}`", image.text));
        return;
    }
    let Some(reference) = image.reference() else { return };
    let registry = reference.registry.to_ascii_lowercase();
    let host = reference.host();
    let insecure = checker.settings.insecure_registries.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        entry == registry || entry == host
    });
    if insecure {
        checker
            .report(
                &PLAINTEXT_REGISTRY,
                &image.origin,
                format!(
                    "{} comes from `{}`, which the engine reaches without TLS verification (`insecure-registries`)",
                    image.quoted(),
                    reference.registry
                ),
            )
            .help = Some("give the registry a certificate and remove it from `insecure-registries`".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::{run, run_with};

    #[test]
    fn http_scheme_and_insecure_registries() {
        assert_eq!(run(&PLAINTEXT_REGISTRY, "http://registry.lan:5000/app:1").len(), 1);
        assert!(run(&PLAINTEXT_REGISTRY, "https://registry.lan:5000/app:1").is_empty());
        assert!(run(&PLAINTEXT_REGISTRY, "registry.lan:5000/app:1").is_empty());
        let settings = crate::RuleSettings {
            insecure_registries: vec!["registry.lan:5000".into()],
            ..Default::default()
        };
        assert_eq!(run_with(&PLAINTEXT_REGISTRY, "registry.lan:5000/app:1", &settings).len(), 1);
        assert!(run_with(&PLAINTEXT_REGISTRY, "registry.lan:6000/app:1", &settings).is_empty());
        assert!(run_with(&PLAINTEXT_REGISTRY, "ghcr.io/a/b:1", &settings).is_empty());
    }
}
