use shipshape_model::declare_rule;

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// When an allowlist of trusted registries is configured, flags every image pulled from
    /// elsewhere: `FROM`, `COPY --from`, `RUN --mount=from=`, and Compose, Kubernetes and
    /// `docker inspect` images. The allowlist is `[registries] trusted` in `shipshape.toml`
    /// plus `trustedRegistries` of a `.hadolint.yaml` (or `.hadolint.yml`) next to it. Entries
    /// are registries (`registry.example.com:5000`, `docker.io`), repository prefixes
    /// (`ghcr.io/acme`, `docker.io/library` for official images only), or patterns with `*`
    /// inside a component (`*.example.com`, `ghcr.io/acme/*`); `*` alone trusts everything.
    /// An image without a registry is on `docker.io`. Without an allowlist the rule is silent.
    ///
    /// ## Why is this bad?
    /// An organisation that mirrors, scans and signs the images it allows only gains from that
    /// if nothing bypasses it: an image pulled straight from a public registry skipped every
    /// check, and its publisher (or whoever took over their account) decides what runs.
    ///
    /// ## Example
    /// ```toml
    /// [registries]
    /// trusted = ["registry.example.com", "ghcr.io/acme/*"]
    /// ```
    /// ```dockerfile
    /// FROM quay.io/someone/tool:1.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM registry.example.com/mirror/tool:1.0
    /// ```
    ///
    /// ## Fix
    /// Pull the image through a trusted registry (mirror it there after review), or add its
    /// registry to the allowlist if it deserves trust. Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2 "Ensure that containers use only trusted base images"
    pub static UNTRUSTED_REGISTRY = {
        code: "SUP010",
        name: "untrusted-registry",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "image comes from a registry outside the trusted list",
        aliases: [(Hadolint, "DL3026"), (CisDocker, "4.2")],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    let trusted = &checker.settings.trusted_registries;
    if trusted.is_empty() || !image.site.is_pulled() {
        return;
    }
    let Some(reference) = image.reference() else { return };
    if trusted.iter().any(|pattern| reference.matches_pattern(pattern)) {
        return;
    }
    let listed = trusted.iter().take(5).map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ");
    let more = if trusted.len() > 5 { ", ..." } else { "" };
    checker
        .report(
            &UNTRUSTED_REGISTRY,
            &image.origin,
            format!(
                "{} comes from `{}`, which is not a trusted registry ({listed}{more})",
                image.quoted(),
                reference.registry
            ),
        )
        .help =
        Some("pull it through a trusted registry, or trust its registry in `[registries] trusted`".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::{run, run_with};

    #[test]
    fn only_with_an_allowlist() {
        assert!(run(&UNTRUSTED_REGISTRY, "quay.io/someone/tool:1").is_empty());
        let settings = crate::RuleSettings {
            trusted_registries: vec![
                "registry.example.com".into(),
                "ghcr.io/acme/*".into(),
                "*.corp.example".into(),
            ],
            ..Default::default()
        };
        let flagged = |text: &str| !run_with(&UNTRUSTED_REGISTRY, text, &settings).is_empty();
        assert!(flagged("quay.io/someone/tool:1"));
        assert!(flagged("nginx:1.27"), "docker.io is not on the list");
        assert!(flagged("ghcr.io/other/app:1"));
        assert!(!flagged("registry.example.com/team/app:1"));
        assert!(!flagged("ghcr.io/acme/app:1"));
        assert!(!flagged("eu.corp.example/app:1"));
        let message = &run_with(&UNTRUSTED_REGISTRY, "nginx:1", &settings)[0].message;
        assert_eq!(
            message,
            "`nginx:1` comes from `docker.io`, which is not a trusted registry (`registry.example.com`, `ghcr.io/acme/*`, `*.corp.example`)"
        );
    }
}
