use shipshape_model::declare_rule;

use super::{Flag, PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "Privileged Containers" (upstream check
    /// `privileged`): `securityContext.privileged` of every container, init container and
    /// ephemeral container must be unset or `false`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every host device and runs without
    /// seccomp or LSM confinement: root in it is root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// Use instead: remove `privileged` and add the one capability the container needs.
    ///
    /// ## Fix
    /// Remove `privileged: true`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Privileged Containers
    pub static PSS_PRIVILEGED = {
        code: "PRV300",
        name: "pss-privileged",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "a container runs privileged, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/privileged-containers"), (Pss, "privileged")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    for container in pod.containers() {
        if let Flag::True(node) | Flag::Invalid(node) = Flag::of(container.security_field(&["privileged"])) {
            out.push(violation(
                &PSS_PRIVILEGED,
                "privileged",
                pod.origin(node),
                format!("{} must not set securityContext.privileged=true", container.describe()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn flags_every_container_list() {
        let yaml = pod(concat!(
            "  initContainers:\n    - name: i\n      securityContext: {privileged: true}\n",
            "  containers:\n    - name: a\n      securityContext: {privileged: false}\n",
            "  ephemeralContainers:\n    - name: e\n      securityContext:\n        privileged: On\n",
        ));
        let found = run("privileged", 37, &yaml);
        assert_eq!(lines(&yaml, &found), [8, 15]);
        assert!(found[1].detail.contains("ephemeral container \"e\""));
    }
}
