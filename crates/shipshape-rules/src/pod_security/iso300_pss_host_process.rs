use shipshape_model::declare_rule;

use super::{Flag, PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "HostProcess" (upstream check
    /// `windowsHostProcess`): `securityContext.windowsOptions.hostProcess` of the pod and of every
    /// container must be unset or `false`.
    ///
    /// ## Why is this bad?
    /// A Windows HostProcess container is a process on the node with the node's network and
    /// filesystem: privileged access in all but name.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   windowsOptions: {hostProcess: true}
    /// ```
    ///
    /// Use instead: an ordinary Windows container.
    ///
    /// ## Fix
    /// Remove `hostProcess`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: HostProcess
    pub static PSS_HOST_PROCESS = {
        code: "ISO300",
        name: "pss-host-process",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "the pod runs a Windows HostProcess container, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/hostprocess"), (Pss, "windowsHostProcess")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    if let Flag::True(node) | Flag::Invalid(node) =
        Flag::of(pod.security_field(&["windowsOptions", "hostProcess"]))
    {
        out.push(violation(
            &PSS_HOST_PROCESS,
            "hostProcess",
            pod.origin(node),
            "pod must not set securityContext.windowsOptions.hostProcess=true",
        ));
    }
    for container in pod.containers() {
        if let Flag::True(node) | Flag::Invalid(node) =
            Flag::of(container.security_field(&["windowsOptions", "hostProcess"]))
        {
            out.push(violation(
                &PSS_HOST_PROCESS,
                "hostProcess",
                pod.origin(node),
                format!(
                    "{} must not set securityContext.windowsOptions.hostProcess=true",
                    container.describe()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn pod_and_container_level() {
        let yaml = pod(
            "  securityContext:\n    windowsOptions: {hostProcess: true}\n  containers:\n    - name: a\n      securityContext:\n        windowsOptions:\n          hostProcess: true\n    - name: b\n      securityContext: {windowsOptions: {hostProcess: false}}\n",
        );
        assert_eq!(lines(&yaml, &run("windowsHostProcess", 37, &yaml)), [7, 12]);
    }
}
