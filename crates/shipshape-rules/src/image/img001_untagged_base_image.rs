use shipshape_model::{BaseImage, ImageSpec, declare_rule};

use crate::context::Checker;
use crate::describe::quoted;

declare_rule! {
    /// ## What it does
    /// Flags a `FROM` whose image has neither a tag nor a digest, in any stage. References to
    /// earlier stages, `scratch`, and images behind build arguments without a default are not
    /// judged (the last are unknowable until build time).
    ///
    /// ## Why is this bad?
    /// An untagged reference means `latest`: each build may pull a different image, so a
    /// compromised or broken push upstream lands in your image unreviewed, and builds cannot be
    /// reproduced or audited.
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
        summary: "base image has no tag or digest",
        aliases: [(Hadolint, "DL3006"), (Trivy, "DS-0001"), (CisDocker, "4.2")],
    }
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        let BaseImage::Image { reference, value } = &stage.base else { continue };
        if reference.tag.is_none() && reference.digest.is_none() {
            checker
                .report(
                    &UNTAGGED_BASE_IMAGE,
                    &value.origin,
                    format!(
                        "{} has no tag, so every build pulls whatever `latest` is that day",
                        quoted(value)
                    ),
                )
                .help = Some(format!("pin a version: `{}:<version>`", reference.familiar_name()));
        }
    }
}
