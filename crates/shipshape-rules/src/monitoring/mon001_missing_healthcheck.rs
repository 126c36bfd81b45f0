use shipshape_model::{BaseImage, ImageSpec, Stage, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an image whose final stage has no `HEALTHCHECK`, neither its own nor one inherited
    /// from a parent stage. `HEALTHCHECK NONE` is an explicit choice and is not flagged.
    ///
    /// ## Why is this bad?
    /// Without a healthcheck, a hung or hijacked process looks healthy to Docker and to
    /// orchestrators that read container health, so nothing restarts or alerts on it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    /// ```
    ///
    /// ## Fix
    /// Add a `HEALTHCHECK` that exercises the service. Images run only under Kubernetes may use
    /// probes instead and disable this rule. Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.6 "Ensure that HEALTHCHECK instructions have been added to container images"
    pub static MISSING_HEALTHCHECK = {
        code: "MON001",
        name: "missing-healthcheck",
        layer: Monitoring,
        threat: UndetectedCompromise,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "the image defines no HEALTHCHECK",
        aliases: [
            (Hadolint, "DL3057"),
            (Checkov, "CKV_DOCKER_2"),
            (Trivy, "DS-0026"),
            (Dockle, "CIS-DI-0006"),
            (CisDocker, "4.6"),
        ],
    }
}

/// Whether `stage` or a stage it is built on (through `FROM <stage>`) sets a healthcheck.
fn has_healthcheck(spec: &ImageSpec, stage: &Stage) -> bool {
    let mut current = stage;
    for _ in 0..=spec.stages.len() {
        if current.healthcheck.is_some() {
            return true;
        }
        match &current.base {
            BaseImage::Stage { index, .. } if *index < current.index => match spec.stages.get(*index) {
                Some(parent) => current = parent,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    let Some(stage) = spec.final_stage() else { return };
    if !has_healthcheck(spec, stage) {
        checker.report(&MISSING_HEALTHCHECK, &stage.origin, "the final stage defines no HEALTHCHECK").help =
            Some("add `HEALTHCHECK CMD <command that fails when the service is unhealthy>`".into());
    }
}
