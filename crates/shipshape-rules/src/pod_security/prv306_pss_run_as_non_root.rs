use shipshape_model::declare_rule;

use super::{Flag, PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, restricted control "Running as Non-root" (upstream check
    /// `runAsNonRoot`): `runAsNonRoot` must be `true` on the pod, or on every container, init
    /// container and ephemeral container; no container may set it to `false`. A numeric
    /// `runAsUser` does not satisfy the control. From policy v1.35 pods with `hostUsers: false`
    /// are exempt.
    ///
    /// ## Why is this bad?
    /// Without `runAsNonRoot` the kubelet starts an image whose user is root as root: one
    /// kernel or runtime bug away from root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    /// ```
    ///
    /// ## Fix
    /// Set `runAsNonRoot: true` in the pod's `securityContext` (and give the image a non-root user).
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, restricted: Running as Non-root
    pub static PSS_RUN_AS_NON_ROOT = {
        code: "PRV306",
        name: "pss-run-as-non-root",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the pod does not require a non-root user, which the restricted Pod Security level requires",
        aliases: [(Pss, "restricted/running-as-non-root"), (Pss, "runAsNonRoot")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, version: PolicyVersion, out: &mut Vec<Violation>) {
    if version.at_least(35) && pod.in_user_namespace() {
        return;
    }
    let mut pod_non_root = false;
    match Flag::of(pod.security_field(&["runAsNonRoot"])) {
        Flag::True(_) => pod_non_root = true,
        Flag::False(node) | Flag::Invalid(node) => out.push(violation(
            &PSS_RUN_AS_NON_ROOT,
            "runAsNonRoot != true",
            pod.origin(node),
            "pod must not set securityContext.runAsNonRoot=false",
        )),
        Flag::Unset => {}
    }
    for container in pod.containers() {
        match Flag::of(container.security_field(&["runAsNonRoot"])) {
            Flag::True(_) => {}
            Flag::False(node) | Flag::Invalid(node) => out.push(violation(
                &PSS_RUN_AS_NON_ROOT,
                "runAsNonRoot != true",
                pod.origin(node),
                format!("{} must not set securityContext.runAsNonRoot=false", container.describe()),
            )),
            Flag::Unset if !pod_non_root => out.push(violation(
                &PSS_RUN_AS_NON_ROOT,
                "runAsNonRoot != true",
                pod.container_anchor(&container),
                format!("pod or {} must set securityContext.runAsNonRoot=true", container.describe()),
            )),
            Flag::Unset => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn pod_level_covers_unset_containers_only() {
        let yaml = pod(
            "  securityContext:\n    runAsNonRoot: true\n  containers:\n    - name: a\n    - name: b\n      securityContext: {runAsNonRoot: false}\n",
        );
        assert_eq!(lines(&yaml, &run("runAsNonRoot", 37, &yaml)), [11]);
        let unset = pod("  containers:\n    - name: a\n      securityContext: {runAsUser: 1000}\n");
        assert_eq!(lines(&unset, &run("runAsNonRoot", 37, &unset)), [8]);
        let userns = pod("  hostUsers: false\n  containers:\n    - name: a\n");
        assert!(run("runAsNonRoot", 35, &userns).is_empty());
        assert_eq!(run("runAsNonRoot", 34, &userns).len(), 1);
    }
}
