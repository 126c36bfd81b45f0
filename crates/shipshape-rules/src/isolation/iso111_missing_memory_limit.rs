use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container without a memory limit: no `mem_limit` /
    /// `deploy.resources.limits.memory` / `--memory` / Kubernetes `resources.limits.memory`, or a
    /// limit of `0` (unlimited).
    ///
    /// ## Why is this bad?
    /// Without a limit, one leaking or compromised container can take all of the host's memory;
    /// the kernel's OOM killer then picks victims on the host, possibly other containers or the
    /// container runtime itself.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
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
    ///           memory: 512M
    /// ```
    ///
    /// ## Fix
    /// Set a memory limit somewhat above the container's measured peak.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.10 "Ensure that the memory usage for containers is limited"
    pub static MISSING_MEMORY_LIMIT = {
        code: "ISO111",
        name: "missing-memory-limit",
        layer: Isolation,
        threat: ResourceExhaustion,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the container's memory is not limited",
        aliases: [(CisDocker, "5.10"), (Kics, "bb9ac4f7-e13b-423d-a010-c74a1bfbe492"), (Checkov, "CKV_K8S_13")],
    }
}

/// The container's memory limit in bytes, when it has one (`0` means unlimited).
pub(crate) fn memory_limit(workload: &Workload) -> Option<u64> {
    workload.resources.memory.as_ref().map(|m| m.value).filter(|m| *m > 0)
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    if memory_limit(workload).is_some() {
        return;
    }
    let (origin, message) = match &workload.resources.memory {
        Some(zero) => (&zero.origin, "the memory limit is 0, which means unlimited"),
        None => (&workload.origin, "the container's memory is not limited"),
    };
    checker.report(&MISSING_MEMORY_LIMIT, origin, message).help =
        Some("set a memory limit (`mem_limit` or `deploy.resources.limits.memory`)".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_missing_and_zero_limits() {
        let mut w = service();
        assert_eq!(starts(&run(&MISSING_MEMORY_LIMIT, &w)), [0]);
        w.resources.memory = Some(set(0, 30));
        assert_eq!(starts(&run(&MISSING_MEMORY_LIMIT, &w)), [30]);
        w.resources.memory = Some(set(64 << 20, 30));
        assert!(run(&MISSING_MEMORY_LIMIT, &w).is_empty());
    }
}
