use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso111_missing_memory_limit::memory_limit;
use crate::isolation::iso113_missing_pids_limit::{pids_limit, platform_limits_pids};

declare_rule! {
    /// ## What it does
    /// Flags `restart: always` or `restart: unless-stopped` on a container that has no memory
    /// limit or no PID limit (PID limits are not judged on Kubernetes, which sets them per node).
    /// `on-failure[:n]` and `no` are not flagged.
    ///
    /// ## Why is this bad?
    /// An unconditional restart policy brings a crashing container back forever. Without limits,
    /// each run of a container that leaks memory or forks without bound takes the host down with
    /// it, again and again, instead of failing once.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: example/worker:2.0
    ///     restart: always
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: example/worker:2.0
    ///     restart: on-failure:5
    ///     mem_limit: 256m
    ///     pids_limit: 200
    /// ```
    ///
    /// ## Fix
    /// Set memory and PID limits, or restart a bounded number of times (`on-failure:5`).
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.14 "Ensure that the 'on-failure' container restart policy is set to '5'"
    pub static RESTART_WITHOUT_LIMITS = {
        code: "ISO114",
        name: "restart-without-limits",
        layer: Isolation,
        threat: ResourceExhaustion,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "the container restarts forever without resource limits",
        aliases: [(CisDocker, "5.14"), (Kics, "2fc99041-ddad-49d5-853f-e35e70a48391")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let Some(restart) = &workload.restart else { return };
    let policy = restart.value.trim().to_ascii_lowercase();
    if policy != "always" && policy != "unless-stopped" {
        return;
    }
    let mut missing = Vec::new();
    if memory_limit(workload).is_none() {
        missing.push("memory");
    }
    if platform_limits_pids(workload) && pids_limit(workload).is_none() {
        missing.push("PID");
    }
    if missing.is_empty() {
        return;
    }
    checker
        .report(
            &RESTART_WITHOUT_LIMITS,
            &restart.origin,
            format!(
                "`restart: {policy}` without a {} limit restarts a runaway container forever",
                missing.join(" or ")
            ),
        )
        .help = Some("set memory and PID limits, or use `restart: on-failure:5`".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_unbounded_restarts_without_limits() {
        let mut w = service();
        assert!(run(&RESTART_WITHOUT_LIMITS, &w).is_empty());
        w.restart = Some(set("always".into(), 20));
        let findings = run(&RESTART_WITHOUT_LIMITS, &w);
        assert_eq!(starts(&findings), [20]);
        assert!(findings[0].message.contains("memory or PID"));
        w.restart = Some(set("Unless-Stopped".into(), 20));
        w.resources.memory = Some(set(1 << 30, 1));
        let findings = run(&RESTART_WITHOUT_LIMITS, &w);
        assert!(findings[0].message.contains("without a PID limit"), "{}", findings[0].message);
        w.resources.pids = Some(set(50, 2));
        assert!(run(&RESTART_WITHOUT_LIMITS, &w).is_empty());
    }

    #[test]
    fn bounded_policies_are_fine() {
        let mut w = service();
        for policy in ["no", "on-failure", "on-failure:5"] {
            w.restart = Some(set(policy.into(), 20));
            assert!(run(&RESTART_WITHOUT_LIMITS, &w).is_empty(), "{policy}");
        }
    }
}
