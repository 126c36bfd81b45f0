use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, restricted control "Running as Non-root user" (upstream check
    /// `runAsUser`): `runAsUser` of the pod and of every container must not be `0`. Unset is
    /// allowed. From policy v1.35 pods with `hostUsers: false` are exempt.
    ///
    /// ## Why is this bad?
    /// UID 0 is root: every file the container can see, every capability it keeps.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// Use instead: `runAsUser: 10001` (a UID with no meaning on the node).
    ///
    /// ## Fix
    /// Set a non-zero UID, or remove `runAsUser` and give the image a non-root user.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, restricted: Running as Non-root user
    pub static PSS_RUN_AS_USER = {
        code: "PRV307",
        name: "pss-run-as-user",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the pod runs as UID 0, which the restricted Pod Security level forbids",
        aliases: [(Pss, "restricted/running-as-non-root-user"), (Pss, "runAsUser")],
    }
}

/// UID 0, or a value the API server would reject (not an integer).
fn is_root(node: &Node) -> bool {
    node.int().is_none_or(|uid| uid == 0)
}

pub(crate) fn check(pod: &PodView<'_>, version: PolicyVersion, out: &mut Vec<Violation>) {
    if version.at_least(35) && pod.in_user_namespace() {
        return;
    }
    if let Some(node) = pod.security_field(&["runAsUser"]).filter(|n| is_root(n)) {
        out.push(violation(
            &PSS_RUN_AS_USER,
            "runAsUser=0",
            pod.origin(node),
            "pod must not set runAsUser=0",
        ));
    }
    for container in pod.containers() {
        if let Some(node) = container.security_field(&["runAsUser"]).filter(|n| is_root(n)) {
            out.push(violation(
                &PSS_RUN_AS_USER,
                "runAsUser=0",
                pod.origin(node),
                format!("{} must not set runAsUser=0", container.describe()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn zero_anywhere_fails() {
        let yaml = pod(
            "  securityContext: {runAsUser: 0}\n  containers:\n    - name: a\n      securityContext:\n        runAsUser: 0\n    - name: b\n      securityContext: {runAsUser: 1000}\n",
        );
        assert_eq!(lines(&yaml, &run("runAsUser", 37, &yaml)), [6, 10]);
        let userns = pod("  hostUsers: false\n  securityContext: {runAsUser: 0}\n  containers: []\n");
        assert!(run("runAsUser", 35, &userns).is_empty());
        assert_eq!(run("runAsUser", 34, &userns).len(), 1);
    }
}
