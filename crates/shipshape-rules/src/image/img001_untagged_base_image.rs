use shipshape_model::declare_rule;

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an image named with neither a tag nor a digest, wherever it is named: a `FROM` in
    /// any stage, `COPY --from=<image>` and `RUN --mount=from=<image>`, and the `image` of a
    /// Compose service, Kubernetes container or `docker inspect` container. References to earlier
    /// stages, `scratch`, and images behind build arguments without a default are not judged
    /// (the last are unknowable until build time); neither is the `image` a Compose service
    /// builds (`build:` names the result).
    ///
    /// ## Why is this bad?
    /// An untagged reference means `latest`: each build or pull may get a different image, so a
    /// compromised or broken push upstream lands in your image or cluster unreviewed, and builds
    /// and deployments cannot be reproduced or audited.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12.7-slim
    /// ```
    ///
    /// ## Fix
    /// Name a specific version tag, ideally with its digest (`debian:12.7-slim@sha256:...`).
    /// Not fixed automatically: the right version is yours to choose.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2 "Ensure that containers use only trusted base images"
    pub static UNTAGGED_BASE_IMAGE = {
        code: "IMG001",
        name: "untagged-base-image",
        layer: Image,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "image has no tag or digest",
        aliases: [(Hadolint, "DL3006"), (Trivy, "DS-0001"), (Checkov, "CKV_K8S_14"), (CisDocker, "4.2")],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    let Some(reference) = image.reference() else { return };
    if !image.site.is_pulled() || reference.tag.is_some() || reference.digest.is_some() {
        return;
    }
    checker
        .report(
            &UNTAGGED_BASE_IMAGE,
            &image.origin,
            format!(
                "{} has no tag, so {} gets whatever `latest` is that day",
                image.quoted(),
                image.site.when_pulled()
            ),
        )
        .help = Some(format!("pin a version: `{}:<version>`", reference.familiar_name()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::run;

    #[test]
    fn untagged_workload_images() {
        assert_eq!(run(&UNTAGGED_BASE_IMAGE, "nginx").len(), 1);
        assert_eq!(run(&UNTAGGED_BASE_IMAGE, "localhost:5000/app").len(), 1);
        assert!(run(&UNTAGGED_BASE_IMAGE, "nginx:1.27").is_empty());
        assert!(run(&UNTAGGED_BASE_IMAGE, "localhost:5000/app:1").is_empty());
        let digest = format!("nginx@sha256:{}", "a".repeat(64));
        assert!(run(&UNTAGGED_BASE_IMAGE, &digest).is_empty());
        assert!(run(&UNTAGGED_BASE_IMAGE, "Not A Ref").is_empty());
    }
}
