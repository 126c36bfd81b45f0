use shipshape_model::{BaseImage, ImageSpec, declare_rule};

use crate::context::Checker;
use crate::describe::quoted;

declare_rule! {
    /// ## What it does
    /// Flags a `FROM` whose image is tagged `latest` without a digest, in any stage.
    ///
    /// ## Why is this bad?
    /// `latest` moves: each build may get a different image, so an upstream compromise or
    /// breaking change reaches your image unreviewed and builds cannot be reproduced.
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
        summary: "base image uses the `latest` tag",
        aliases: [(Hadolint, "DL3007"), (Checkov, "CKV_DOCKER_7"), (Trivy, "DS-0001"), (CisDocker, "4.2")],
    }
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        let BaseImage::Image { reference, value } = &stage.base else { continue };
        if reference.digest.is_none() && reference.tag.as_deref() == Some("latest") {
            checker
                .report(&LATEST_BASE_TAG, &value.origin, format!("{} follows a moving tag", quoted(value)))
                .help = Some(format!("pin a version: `{}:<version>`", reference.familiar_name()));
        }
    }
}
