use shipshape_model::{BaseImage, ImageSpec, Platform, Severity, Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container that runs without a healthcheck. A healthcheck counts when:
    /// - the workload sets one (Compose `healthcheck:`, `docker run --health-cmd`, inspect
    ///   `Config.Healthcheck`, or the Kubernetes liveness probe as the loader maps it), or
    /// - on Docker platforms, the Dockerfile it is built from (Compose `build:`) has a
    ///   `HEALTHCHECK` in its final stage or a stage that one is built on.
    ///
    /// An explicit opt-out (`healthcheck: {disable: true}`, `test: ["NONE"]`, or
    /// `HEALTHCHECK NONE` in the Dockerfile) is a deliberate, visible choice and is not
    /// flagged. Kubernetes ignores the image's `HEALTHCHECK`, so there only the workload counts.
    /// A Compose service that only names an image shipshape cannot read may inherit the image's
    /// `HEALTHCHECK`; it is reported at info severity, saying that the image was not checked.
    ///
    /// ## Why is this bad?
    /// Without a healthcheck a hung, deadlocked or hijacked process looks healthy: nothing
    /// restarts it, `depends_on: condition: service_healthy` cannot wait for it, and monitoring
    /// that reads container health never alerts.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     healthcheck:
    ///       test: ["CMD", "curl", "-fsS", "http://localhost/"]
    ///       interval: 30s
    ///       timeout: 3s
    /// ```
    ///
    /// ## Fix
    /// Add a `healthcheck:` that exercises the service, or a `HEALTHCHECK` to the image.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.26 "Ensure that container health is checked at runtime"
    /// - CIS Docker Benchmark 4.6 "Ensure that HEALTHCHECK instructions have been added to container images"
    pub static MISSING_CONTAINER_HEALTHCHECK = {
        code: "MON100",
        name: "missing-container-healthcheck",
        layer: Monitoring,
        threat: UndetectedCompromise,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "the container runs without a healthcheck",
        aliases: [(CisDocker, "5.26"), (Kics, "698ed579-b239-4f8f-a388-baa4bcb13ef8"), (Checkov, "CKV_K8S_8")],
    }
}

/// Whether the shipped stage of `spec`, or a stage it is built on, has a `HEALTHCHECK`
/// (`HEALTHCHECK NONE` included: it is an explicit choice).
fn image_has_healthcheck(spec: &ImageSpec) -> bool {
    let Some(mut stage) = spec.final_stage() else { return false };
    for _ in 0..=spec.stages.len() {
        if stage.healthcheck.is_some() {
            return true;
        }
        match &stage.base {
            BaseImage::Stage { index, .. } if *index < stage.index => match spec.stages.get(*index) {
                Some(parent) => stage = parent,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    if workload.healthcheck.is_some() {
        return;
    }
    let docker = workload.platform != Platform::Kubernetes;
    match workload.image_spec.as_deref() {
        Some(spec) if docker && image_has_healthcheck(spec) => {}
        Some(_) => {
            checker
                .report(
                    &MISSING_CONTAINER_HEALTHCHECK,
                    &workload.origin,
                    format!("`{}` has no healthcheck, and neither has the image built for it", workload.name),
                )
                .help =
                Some("add a `healthcheck:` to the service or a `HEALTHCHECK` to its Dockerfile".into());
        }
        None if workload.platform == Platform::Compose => {
            let image = workload.image.as_ref().map_or_else(String::new, |i| format!(" `{}`", i.value));
            let finding = checker.report(
                &MISSING_CONTAINER_HEALTHCHECK,
                &workload.origin,
                format!(
                    "`{}` sets no healthcheck; its image{image} may define one, which shipshape could not check",
                    workload.name
                ),
            );
            finding.severity = Severity::Info;
            finding.help = Some(
                "add a `healthcheck:` to the service, or scan the image to see whether it has one".into(),
            );
        }
        None => {
            let what = if docker { "healthcheck" } else { "liveness probe" };
            checker
                .report(
                    &MISSING_CONTAINER_HEALTHCHECK,
                    &workload.origin,
                    format!("`{}` has no {what}", workload.name),
                )
                .help = Some(format!("add a {what}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{at, run, service, set, starts};
    use shipshape_model::WorkloadHealthcheck;
    use std::sync::Arc;

    fn built_from(text: &str, platform: Platform) -> Workload {
        let mut w = Workload::new("web", platform, at(0));
        let spec =
            shipshape_dockerfile::lower(&shipshape_dockerfile::parse(text), Arc::from("Dockerfile"), &[]);
        w.image_spec = Some(Arc::new(spec));
        w
    }

    #[test]
    fn workload_healthcheck_or_explicit_opt_out_is_fine() {
        let mut w = service();
        w.healthcheck = Some(WorkloadHealthcheck {
            disabled: false,
            test: Some("curl -f localhost".into()),
            origin: at(9),
        });
        assert!(run(&MISSING_CONTAINER_HEALTHCHECK, &w).is_empty());
        w.healthcheck = Some(WorkloadHealthcheck { disabled: true, test: None, origin: at(9) });
        assert!(run(&MISSING_CONTAINER_HEALTHCHECK, &w).is_empty());
    }

    #[test]
    fn image_healthcheck_counts_on_docker_platforms() {
        let w = built_from("FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/\n", Platform::Compose);
        assert!(run(&MISSING_CONTAINER_HEALTHCHECK, &w).is_empty());
        let w = built_from("FROM nginx:1.27 AS base\nHEALTHCHECK CMD true\nFROM base\n", Platform::Compose);
        assert!(run(&MISSING_CONTAINER_HEALTHCHECK, &w).is_empty());
        let w = built_from("FROM nginx:1.27\nHEALTHCHECK NONE\n", Platform::Compose);
        assert!(run(&MISSING_CONTAINER_HEALTHCHECK, &w).is_empty());
        let w = built_from(
            "FROM nginx:1.27 AS other\nHEALTHCHECK CMD true\nFROM nginx:1.27\n",
            Platform::Compose,
        );
        let findings = run(&MISSING_CONTAINER_HEALTHCHECK, &w);
        assert_eq!(starts(&findings), [0]);
        assert_eq!(findings[0].severity, Severity::Low);
    }

    #[test]
    fn kubernetes_ignores_the_image_healthcheck() {
        let w = built_from("FROM nginx:1.27\nHEALTHCHECK CMD true\n", Platform::Kubernetes);
        assert_eq!(run(&MISSING_CONTAINER_HEALTHCHECK, &w).len(), 1);
        let w = Workload::new("pod/web", Platform::Kubernetes, at(0));
        assert!(run(&MISSING_CONTAINER_HEALTHCHECK, &w)[0].message.contains("liveness probe"));
    }

    #[test]
    fn unknown_image_is_info_on_compose_and_low_on_inspect() {
        let mut w = service();
        w.image = Some(set("redis:7".into(), 3));
        let findings = run(&MISSING_CONTAINER_HEALTHCHECK, &w);
        assert_eq!(findings[0].severity, Severity::Info);
        assert!(findings[0].message.contains("`redis:7`"));
        let w = Workload::new("web", Platform::DockerInspect, at(0));
        assert_eq!(run(&MISSING_CONTAINER_HEALTHCHECK, &w)[0].severity, Severity::Low);
    }
}
