use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "HostPath Volumes" (upstream check
    /// `hostPathVolumes`): no volume of the pod may be a `hostPath`.
    ///
    /// ## Why is this bad?
    /// A hostPath volume puts a piece of the node's filesystem into the pod: the container
    /// runtime's socket, the kubelet's credentials or `/etc` are one `path:` away from a node
    /// takeover.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath: {path: /var/run/docker.sock}
    /// ```
    ///
    /// Use instead: a `persistentVolumeClaim`, `emptyDir`, `configMap` or `secret` volume.
    ///
    /// ## Fix
    /// Replace the hostPath volume with a volume type that does not reach into the node.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: HostPath Volumes
    pub static PSS_HOST_PATH_VOLUMES = {
        code: "ISO302",
        name: "pss-host-path-volumes",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the pod mounts a hostPath volume, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/hostpath-volumes"), (Pss, "hostPathVolumes")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    for volume in pod.spec.get("volumes").and_then(Node::as_sequence).unwrap_or_default() {
        if let Some(host_path) = volume.get("hostPath").filter(|n| !n.is_null()) {
            let name = volume.get("name").and_then(Node::as_str).unwrap_or_default();
            out.push(violation(
                &PSS_HOST_PATH_VOLUMES,
                "hostPath volumes",
                pod.origin(host_path),
                format!("volume {name:?}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn flags_host_path_volumes_only() {
        let yaml = pod(
            "  volumes:\n    - name: a\n      emptyDir: {}\n    - name: b\n      hostPath:\n        path: /etc\n    - name: c\n      hostPath: null\n",
        );
        assert_eq!(lines(&yaml, &run("hostPathVolumes", 37, &yaml)), [11]);
    }
}
