use shipshape_model::declare_rule;

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an image tagged `latest` without a digest, wherever it is named: a `FROM` in any
    /// stage, `COPY --from=<image>`, `RUN --mount=from=<image>`, and the `image` of a Compose
    /// service, Kubernetes container or `docker inspect` container.
    ///
    /// ## Why is this bad?
    /// `latest` moves: each build or pull may get a different image, so an upstream compromise
    /// or breaking change reaches your image or cluster unreviewed and nothing can be reproduced.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27.2-alpine
    /// ```
    ///
    /// ## Fix
    /// Use a version tag, ideally with its digest. Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2
    pub static LATEST_BASE_TAG = {
        code: "IMG002",
        name: "latest-base-tag",
        layer: Image,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "image uses the `latest` tag",
        aliases: [
            (Hadolint, "DL3007"),
            (Checkov, "CKV_DOCKER_7"),
            (Checkov, "CKV_K8S_14"),
            (Trivy, "DS-0001"),
            (Dockle, "DKL-DI-0006"),
            (CisDocker, "4.2"),
        ],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    let Some(reference) = image.reference() else { return };
    if !image.site.is_pulled() || reference.digest.is_some() || reference.tag.as_deref() != Some("latest") {
        return;
    }
    checker
        .report(&LATEST_BASE_TAG, &image.origin, format!("{} follows a moving tag", image.quoted()))
        .help = Some(format!("pin a version: `{}:<version>`", reference.familiar_name()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::run;

    #[test]
    fn latest_without_digest() {
        assert_eq!(run(&LATEST_BASE_TAG, "nginx:latest").len(), 1);
        assert_eq!(run(&LATEST_BASE_TAG, "ghcr.io/org/app:latest").len(), 1);
        assert!(run(&LATEST_BASE_TAG, "nginx").is_empty(), "untagged is IMG001's");
        assert!(run(&LATEST_BASE_TAG, "nginx:latest-alpine").is_empty());
        let pinned = format!("nginx:latest@sha256:{}", "a".repeat(64));
        assert!(run(&LATEST_BASE_TAG, &pinned).is_empty());
    }
}
