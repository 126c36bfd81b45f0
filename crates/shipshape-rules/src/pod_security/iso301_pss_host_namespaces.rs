use shipshape_model::declare_rule;

use super::{Flag, PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "Host Namespaces" (upstream check
    /// `hostNamespaces`): `spec.hostNetwork`, `spec.hostPID` and `spec.hostIPC` must be unset or
    /// `false`.
    ///
    /// ## Why is this bad?
    /// A pod in the node's network namespace sees every interface and can bind any port; in its
    /// PID namespace it can signal and `ptrace` every process; in its IPC namespace it can read
    /// other processes' shared memory. Each is a step from the pod onto the node.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    /// ```
    ///
    /// Use instead: leave `hostNetwork`, `hostPID` and `hostIPC` unset.
    ///
    /// ## Fix
    /// Remove the field; expose the pod through a Service instead of the node's network.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Host Namespaces
    pub static PSS_HOST_NAMESPACES = {
        code: "ISO301",
        name: "pss-host-namespaces",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the pod shares a host namespace, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/host-namespaces"), (Pss, "hostNamespaces")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        match Flag::of(pod.spec.get(key)) {
            Flag::True(node) | Flag::Invalid(node) => out.push(violation(
                &PSS_HOST_NAMESPACES,
                "host namespaces",
                pod.origin(node),
                format!("{key}={}", node.as_str().unwrap_or("true")),
            )),
            Flag::Unset | Flag::False(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn flags_each_host_namespace_set_true() {
        let yaml = pod(
            "  hostNetwork: yes\n  hostPID: false\n  hostIPC: true\n  containers: [{name: a, image: x}]\n",
        );
        assert_eq!(lines(&yaml, &run("hostNamespaces", 37, &yaml)), [6, 8]);
        assert!(run("hostNamespaces", 37, &pod("  hostNetwork: null\n  containers: []\n")).is_empty());
    }
}
