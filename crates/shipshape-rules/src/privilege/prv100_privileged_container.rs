use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container that runs privileged (Compose `privileged: true`,
    /// `docker run --privileged`, Kubernetes `securityContext.privileged: true`).
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability, every host device, no seccomp, AppArmor or
    /// SELinux confinement and a writable `/sys`. Root in it is root on the host: mounting the
    /// host's disk or loading a kernel module takes one command.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     privileged: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     cap_add:
    ///       - NET_BIND_SERVICE
    /// ```
    ///
    /// ## Fix
    /// Remove `privileged` and grant the one capability or device the container actually needs.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.4 "Ensure that privileged containers are not used"
    /// - Kubernetes Pod Security Standards, baseline: Privileged Containers
    pub static PRIVILEGED_CONTAINER = {
        code: "PRV100",
        name: "privileged-container",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "the container runs privileged",
        aliases: [
            (CisDocker, "5.4"),
            (Kics, "ae5b6871-7f45-42e0-bb4c-ab300c4d2026"),
            (Checkov, "CKV_K8S_16"),
            (Pss, "baseline/privileged-containers"),
        ],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let Some(setting) = &workload.privileged else { return };
    if setting.value {
        checker
            .report(
                &PRIVILEGED_CONTAINER,
                &setting.origin,
                "the container runs privileged: every capability and device, no seccomp or LSM confinement",
            )
            .help =
            Some("remove `privileged` and add only the capability or device the container needs".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_privileged_true_only() {
        let mut w = service();
        assert!(run(&PRIVILEGED_CONTAINER, &w).is_empty());
        w.privileged = Some(set(false, 5));
        assert!(run(&PRIVILEGED_CONTAINER, &w).is_empty());
        w.privileged = Some(set(true, 5));
        let findings = run(&PRIVILEGED_CONTAINER, &w);
        assert_eq!(starts(&findings), [5]);
        assert_eq!(findings[0].severity, shipshape_model::Severity::Critical);
    }
}
