use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso111_missing_memory_limit::memory_limit;

declare_rule! {
    /// ## What it does
    /// Flags `oom_kill_disable: true` (`--oom-kill-disable`) on a container without a memory
    /// limit. With a limit the setting only makes the container wait for memory instead of being
    /// killed, which is not flagged.
    ///
    /// ## Why is this bad?
    /// Without a memory limit the container's only bound is the host's memory. When it is
    /// exhausted the kernel cannot kill the container's processes and kills host processes
    /// instead: other containers, the runtime, `sshd`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: example/cache:1
    ///     oom_kill_disable: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: example/cache:1
    ///     mem_limit: 1g
    /// ```
    ///
    /// ## Fix
    /// Remove `oom_kill_disable`, or set a memory limit alongside it.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.10
    /// - Docker documentation, "Runtime options with Memory, CPUs, and GPUs": `--oom-kill-disable`
    pub static OOM_KILLER_DISABLED = {
        code: "ISO115",
        name: "oom-killer-disabled",
        layer: Isolation,
        threat: ResourceExhaustion,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the OOM killer is disabled for a container without a memory limit",
        aliases: [(CisDocker, "5.10")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let Some(setting) = &workload.oom_kill_disable else { return };
    if !setting.value || memory_limit(workload).is_some() {
        return;
    }
    checker
        .report(
            &OOM_KILLER_DISABLED,
            &setting.origin,
            "the OOM killer is disabled and memory is not limited: when the host runs out, host processes die instead",
        )
        .help = Some("remove `oom_kill_disable` or set a memory limit".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_only_without_memory_limit() {
        let mut w = service();
        assert!(run(&OOM_KILLER_DISABLED, &w).is_empty());
        w.oom_kill_disable = Some(set(false, 20));
        assert!(run(&OOM_KILLER_DISABLED, &w).is_empty());
        w.oom_kill_disable = Some(set(true, 20));
        assert_eq!(starts(&run(&OOM_KILLER_DISABLED, &w)), [20]);
        w.resources.memory = Some(set(0, 1));
        assert_eq!(starts(&run(&OOM_KILLER_DISABLED, &w)), [20]);
        w.resources.memory = Some(set(1 << 30, 1));
        assert!(run(&OOM_KILLER_DISABLED, &w).is_empty());
    }
}
