use shipshape_model::declare_rule;

use super::{PodView, PolicyVersion, Violation, violation};

/// The capabilities baseline allows adding: the container runtime's defaults. Exact,
/// case-sensitive names, as upstream compares them.
pub(crate) const ALLOWED_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "Capabilities" (upstream check
    /// `capabilities_baseline`): `securityContext.capabilities.add` may only name capabilities
    /// of the runtime's default set: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`,
    /// `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`,
    /// `SYS_CHROOT`. Names are compared exactly, as upstream does: `sys_admin` and `CAP_CHOWN` are
    /// not in the list.
    ///
    /// ## Why is this bad?
    /// Capabilities beyond the default set (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `NET_RAW`,
    /// ...) are the usual ingredients of a container escape or of attacks on the node's network.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: [SYS_ADMIN]
    /// ```
    ///
    /// Use instead: drop the capability, or run the workload in a namespace whose policy allows it.
    ///
    /// ## Fix
    /// Remove the capability from `add`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Capabilities
    pub static PSS_CAPABILITIES_BASELINE = {
        code: "PRV301",
        name: "pss-capabilities-baseline",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "a container adds a capability outside the default set, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/capabilities"), (Pss, "capabilities_baseline")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    for container in pod.containers() {
        let Some(add) = container.security_field(&["capabilities", "add"]) else { continue };
        for item in add.as_sequence().unwrap_or(std::slice::from_ref(add)) {
            let name = item.as_str().unwrap_or_default();
            if !ALLOWED_CAPABILITIES.contains(&name) {
                out.push(violation(
                    &PSS_CAPABILITIES_BASELINE,
                    "non-default capabilities",
                    pod.origin(item),
                    format!(
                        "{} must not include {name:?} in securityContext.capabilities.add",
                        container.describe()
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ALLOWED_CAPABILITIES;
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn allows_the_default_set_exactly() {
        let add = ALLOWED_CAPABILITIES.join(", ");
        let ok = pod(&format!(
            "  containers:\n    - name: a\n      securityContext: {{capabilities: {{add: [{add}]}}}}\n"
        ));
        assert!(run("capabilities_baseline", 37, &ok).is_empty());
        let yaml = pod(
            "  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          add:\n            - SYS_ADMIN\n            - chown\n            - CAP_CHOWN\n            - KILL\n",
        );
        assert_eq!(lines(&yaml, &run("capabilities_baseline", 37, &yaml)), [11, 12, 13]);
    }
}
