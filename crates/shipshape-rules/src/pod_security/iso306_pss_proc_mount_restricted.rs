use shipshape_model::declare_rule;

use super::iso303_pss_proc_mount::check_default_proc_mount;
use super::{PodView, PolicyVersion, Violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, restricted control "/proc Mount Type" (upstream check
    /// `procMount_restricted`, policy v1.35 and later, replacing the baseline `procMount` check at
    /// the restricted level): `securityContext.procMount` must be unset or `Default` on every
    /// container, even in a pod with `hostUsers: false`.
    ///
    /// ## Why is this bad?
    /// An unmasked `/proc` exposes kernel interfaces; the restricted level does not trade that
    /// for user-namespace confinement.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: app
    ///       securityContext: {procMount: Unmasked}
    /// ```
    ///
    /// Use instead: leave `procMount` unset.
    ///
    /// ## Fix
    /// Remove `procMount: Unmasked`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, restricted: /proc Mount Type
    pub static PSS_PROC_MOUNT_RESTRICTED = {
        code: "ISO306",
        name: "pss-proc-mount-restricted",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a container unmasks /proc, which the restricted Pod Security level forbids",
        aliases: [(Pss, "restricted/proc-mount-type"), (Pss, "procMount_restricted")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    check_default_proc_mount(pod, &PSS_PROC_MOUNT_RESTRICTED, out);
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{pod, run};

    #[test]
    fn user_namespaces_do_not_relax_restricted() {
        let yaml = pod(
            "  hostUsers: false\n  containers:\n    - name: a\n      securityContext: {procMount: Unmasked}\n",
        );
        assert_eq!(run("procMount_restricted", 35, &yaml).len(), 1);
        assert!(run("procMount_restricted", 34, &yaml).is_empty(), "the check starts at v1.35");
    }
}
