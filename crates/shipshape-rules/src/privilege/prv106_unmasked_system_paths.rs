use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container that unmasks the kernel paths the runtime normally hides or makes
    /// read-only (`security_opt: [systempaths=unconfined]`, Kubernetes
    /// `procMount: Unmasked`).
    ///
    /// ## Why is this bad?
    /// Runtimes mask `/proc/kcore`, `/proc/keys`, `/proc/timer_list`, `/sys/firmware` and
    /// similar paths and mount `/proc/sys`, `/proc/sysrq-trigger` and `/proc/irq` read-only.
    /// Unmasked, they leak kernel memory and keys and let the container reconfigure or crash the
    /// host kernel.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   builder:
    ///     image: example/builder:1
    ///     security_opt:
    ///       - systempaths=unconfined
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   builder:
    ///     image: example/builder:1
    /// ```
    ///
    /// ## Fix
    /// Remove `systempaths=unconfined` (`procMount: Unmasked`). Nested container builds that
    /// ask for it usually work with a rootless builder instead.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: /proc Mount Type
    /// - Docker run reference, `--security-opt systempaths=unconfined`
    pub static UNMASKED_SYSTEM_PATHS = {
        code: "PRV106",
        name: "unmasked-system-paths",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the container sees unmasked kernel paths under /proc and /sys",
        aliases: [(Pss, "baseline/proc-mount-type")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let Some(setting) = &workload.security.unmasked_paths else { return };
    if setting.value {
        checker
            .report(
                &UNMASKED_SYSTEM_PATHS,
                &setting.origin,
                "kernel paths under /proc and /sys are unmasked and writable (`systempaths=unconfined`)",
            )
            .help = Some("remove `systempaths=unconfined` (`procMount: Unmasked`)".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_unmasked_only() {
        let mut w = service();
        assert!(run(&UNMASKED_SYSTEM_PATHS, &w).is_empty());
        w.security.unmasked_paths = Some(set(false, 4));
        assert!(run(&UNMASKED_SYSTEM_PATHS, &w).is_empty());
        w.security.unmasked_paths = Some(set(true, 4));
        assert_eq!(starts(&run(&UNMASKED_SYSTEM_PATHS, &w)), [4]);
    }
}
