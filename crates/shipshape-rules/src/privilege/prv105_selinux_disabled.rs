use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container whose SELinux confinement is switched off: `security_opt:
    /// [label=disable]` (also `label:disable`), or a label type that is unconfined by design
    /// (`type:spc_t`, the "super privileged container" type, or `type:unconfined_t`).
    /// Unset options are not flagged: the runtime's default container type applies on SELinux
    /// hosts.
    ///
    /// ## Why is this bad?
    /// On SELinux hosts the container type (`container_t`) keeps a process that escapes its
    /// namespaces from reading or writing host files and other containers' files. Disabling the
    /// label or choosing an unconfined type removes that last barrier.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     security_opt:
    ///       - label=disable
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     volumes:
    ///       - ./data:/data:Z
    /// ```
    ///
    /// ## Fix
    /// Remove `label=disable`; relabel the bind mounts the container needs with `:z` (shared) or
    /// `:Z` (private) instead.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.2 "Ensure that, if applicable, SELinux security options are set"
    /// - Kubernetes Pod Security Standards, baseline: SELinux
    pub static SELINUX_DISABLED = {
        code: "PRV105",
        name: "selinux-disabled",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "SELinux confinement is disabled for the container",
        aliases: [(CisDocker, "5.2"), (Pss, "baseline/selinux")],
    }
}

/// Why a SELinux option disables confinement, if it does.
fn disables(option: &str) -> Option<&'static str> {
    let lower = option.trim().to_ascii_lowercase();
    let value = lower.strip_prefix("label").and_then(|rest| rest.strip_prefix(['=', ':'])).unwrap_or(&lower);
    if value.trim() == "disable" {
        return Some("labeling is disabled");
    }
    let label_type = value.strip_prefix("type").and_then(|rest| rest.strip_prefix(['=', ':'])).map(str::trim);
    match label_type {
        Some("spc_t") => Some("`spc_t` is the unconfined super-privileged container type"),
        Some("unconfined_t") => Some("`unconfined_t` is not confined"),
        _ => None,
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for option in &workload.security.selinux {
        let Some(why) = disables(&option.value) else { continue };
        checker
            .report(
                &SELINUX_DISABLED,
                &option.origin,
                format!("SELinux confinement is off (`{}`): {why}", option.value.trim()),
            )
            .help = Some("remove the option; relabel bind mounts with `:z` or `:Z` instead".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn recognises_disabling_options() {
        for option in [
            "label=disable",
            "label:disable",
            "disable",
            "LABEL=DISABLE",
            "label=type:spc_t",
            "type:unconfined_t",
        ] {
            assert!(disables(option).is_some(), "{option}");
        }
        for option in
            ["label=type:container_t", "label=level:s0:c100,c200", "label=user:system_u", "disabled"]
        {
            assert!(disables(option).is_none(), "{option}");
        }
    }

    #[test]
    fn reports_each_disabling_option() {
        let mut w = service();
        assert!(run(&SELINUX_DISABLED, &w).is_empty());
        w.security.selinux = vec![set("label=level:s0:c1".into(), 10), set("label:disable".into(), 20)];
        assert_eq!(starts(&run(&SELINUX_DISABLED, &w)), [20]);
    }
}
