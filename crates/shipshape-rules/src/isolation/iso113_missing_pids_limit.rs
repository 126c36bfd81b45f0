use shipshape_model::{Platform, Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container without a process limit: no `pids_limit` /
    /// `deploy.resources.limits.pids` / `--pids-limit`, or a limit of `0` or `-1` (unlimited).
    /// Kubernetes workloads are not judged: Kubernetes sets PID limits per node or pod in the
    /// kubelet configuration, not in the manifest.
    ///
    /// ## Why is this bad?
    /// Without a PID limit a fork bomb, or a process that leaks threads, exhausts the host's
    /// process table and no new process can start anywhere on the host, including the shell an
    /// operator would use to fix it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: example/worker:2.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: example/worker:2.0
    ///     pids_limit: 200
    /// ```
    ///
    /// ## Fix
    /// Set `pids_limit` well above the container's normal number of processes and threads.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.28 "Ensure that the PIDs cgroup limit is used"
    pub static MISSING_PIDS_LIMIT = {
        code: "ISO113",
        name: "missing-pids-limit",
        layer: Isolation,
        threat: ResourceExhaustion,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the container's number of processes is not limited",
        aliases: [(CisDocker, "5.28"), (Kics, "221e0658-cb2a-44e3-b08a-db96a341d6fa")],
    }
}

/// The container's PID limit, when it has one (values `<= 0` mean unlimited).
pub(crate) fn pids_limit(workload: &Workload) -> Option<i64> {
    workload.resources.pids.as_ref().map(|p| p.value).filter(|p| *p > 0)
}

/// Whether the platform lets a workload set its own PID limit.
pub(crate) fn platform_limits_pids(workload: &Workload) -> bool {
    workload.platform != Platform::Kubernetes
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    if !platform_limits_pids(workload) || pids_limit(workload).is_some() {
        return;
    }
    let (origin, message) = match &workload.resources.pids {
        Some(unlimited) => {
            (&unlimited.origin, format!("the PID limit is {}, which means unlimited", unlimited.value))
        }
        None => (&workload.origin, "the container's number of processes is not limited".to_string()),
    };
    checker.report(&MISSING_PIDS_LIMIT, origin, message).help =
        Some("set `pids_limit`, e.g. `pids_limit: 200`".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{at, run, service, set, starts};

    #[test]
    fn flags_missing_and_unlimited_values() {
        let mut w = service();
        assert_eq!(starts(&run(&MISSING_PIDS_LIMIT, &w)), [0]);
        w.resources.pids = Some(set(-1, 30));
        assert_eq!(starts(&run(&MISSING_PIDS_LIMIT, &w)), [30]);
        w.resources.pids = Some(set(0, 30));
        assert_eq!(starts(&run(&MISSING_PIDS_LIMIT, &w)), [30]);
        w.resources.pids = Some(set(100, 30));
        assert!(run(&MISSING_PIDS_LIMIT, &w).is_empty());
    }

    #[test]
    fn kubernetes_is_not_judged() {
        let w = Workload::new("pod/app", Platform::Kubernetes, at(0));
        assert!(run(&MISSING_PIDS_LIMIT, &w).is_empty());
    }
}
