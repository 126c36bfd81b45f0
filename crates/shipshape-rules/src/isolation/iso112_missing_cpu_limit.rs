use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container without a CPU limit: no `cpus` / `deploy.resources.limits.cpus` /
    /// `--cpus` / Kubernetes `resources.limits.cpu`, or a limit of `0`. `cpu_shares` alone does
    /// not count: shares only weigh containers against each other under contention and never cap
    /// a container on an otherwise idle host.
    ///
    /// ## Why is this bad?
    /// A container without a CPU limit can use every core of the host: a busy loop, a
    /// cryptominer dropped by an attacker or a traffic spike slows down every other workload
    /// and the host's own services.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     cpu_shares: 512
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     deploy:
    ///       resources:
    ///         limits:
    ///           cpus: "1.5"
    /// ```
    ///
    /// ## Fix
    /// Set a CPU limit that fits the container's needs.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.11 "Ensure that CPU priority is set appropriately on containers"
    pub static MISSING_CPU_LIMIT = {
        code: "ISO112",
        name: "missing-cpu-limit",
        layer: Isolation,
        threat: ResourceExhaustion,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "the container's CPU use is not limited",
        aliases: [(CisDocker, "5.11"), (Kics, "6b610c50-99fb-4ef0-a5f3-e312fd945bc3"), (Checkov, "CKV_K8S_11")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let cpus = &workload.resources.cpus;
    if cpus.as_ref().is_some_and(|c| c.value > 0.0) {
        return;
    }
    let (origin, message) = match cpus {
        Some(zero) => (&zero.origin, "the CPU limit is 0, which means unlimited".to_string()),
        None if workload.resources.cpu_shares.is_some() => (
            &workload.origin,
            "the container's CPU use is not limited (`cpu_shares` only weighs containers under contention)"
                .to_string(),
        ),
        None => (&workload.origin, "the container's CPU use is not limited".to_string()),
    };
    checker.report(&MISSING_CPU_LIMIT, origin, message).help =
        Some("set a CPU limit (`cpus` or `deploy.resources.limits.cpus`)".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_missing_and_zero_limits() {
        let mut w = service();
        assert_eq!(starts(&run(&MISSING_CPU_LIMIT, &w)), [0]);
        w.resources.cpu_shares = Some(set(512, 20));
        let findings = run(&MISSING_CPU_LIMIT, &w);
        assert!(findings[0].message.contains("cpu_shares"));
        w.resources.cpus = Some(set(0.0, 30));
        assert_eq!(starts(&run(&MISSING_CPU_LIMIT, &w)), [30]);
        w.resources.cpus = Some(set(f64::NAN, 30));
        assert_eq!(starts(&run(&MISSING_CPU_LIMIT, &w)), [30]);
        w.resources.cpus = Some(set(0.25, 30));
        assert!(run(&MISSING_CPU_LIMIT, &w).is_empty());
    }
}
