use shipshape_model::declare_rule;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "/proc Mount Type" (upstream check `procMount`):
    /// `securityContext.procMount` of every container must be unset or `Default`. From policy
    /// v1.35 the check does not apply to a pod with `hostUsers: false` (its own user namespace
    /// already confines what an unmasked `/proc` exposes).
    ///
    /// ## Why is this bad?
    /// `Unmasked` removes the masks over `/proc/kcore`, `/proc/sysrq-trigger` and friends:
    /// kernel memory and the node's magic keys become readable or writable from the container.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   procMount: Unmasked
    /// ```
    ///
    /// Use instead: leave `procMount` unset.
    ///
    /// ## Fix
    /// Remove `procMount: Unmasked`, or run the pod with `hostUsers: false`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: /proc Mount Type
    pub static PSS_PROC_MOUNT = {
        code: "ISO303",
        name: "pss-proc-mount",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "a container unmasks /proc, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/proc-mount-type"), (Pss, "procMount")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, version: PolicyVersion, out: &mut Vec<Violation>) {
    if version.at_least(35) && pod.in_user_namespace() {
        return;
    }
    check_default_proc_mount(pod, &PSS_PROC_MOUNT, out);
}

/// `procMount` must be unset or `Default` on every container (shared with the restricted check).
pub(crate) fn check_default_proc_mount(
    pod: &PodView<'_>,
    rule: &'static shipshape_model::RuleMeta,
    out: &mut Vec<Violation>,
) {
    for container in pod.containers() {
        let Some(node) = container.security_field(&["procMount"]) else { continue };
        if node.as_str() != Some("Default") {
            out.push(violation(
                rule,
                "procMount",
                pod.origin(node),
                format!(
                    "{} must not set securityContext.procMount to {:?}",
                    container.describe(),
                    node.as_str().unwrap_or("?")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn user_namespaces_relax_from_1_35() {
        let spec = "  containers:\n    - name: a\n      securityContext: {procMount: Unmasked}\n    - name: b\n      securityContext: {procMount: Default}\n";
        let yaml = pod(spec);
        assert_eq!(lines(&yaml, &run("procMount", 37, &yaml)), [8]);
        let userns = pod(&format!("  hostUsers: false\n{spec}"));
        assert_eq!(run("procMount", 34, &userns).len(), 1);
        assert!(run("procMount", 35, &userns).is_empty());
    }
}
