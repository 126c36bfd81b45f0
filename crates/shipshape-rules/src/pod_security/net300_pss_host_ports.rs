use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "Host Ports" (upstream check `hostPorts`):
    /// `ports[*].hostPort` of every container, init container and ephemeral container must be
    /// unset or `0`. As the API server defaults it, a pod on the host network has every
    /// `containerPort` as its `hostPort`, so it fails whenever it declares a port.
    ///
    /// ## Why is this bad?
    /// A host port binds the node's own address: the pod is reachable from wherever the node is,
    /// around Services and NetworkPolicies, and it claims that port on the node for itself.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    ///     hostPort: 80
    /// ```
    ///
    /// Use instead: a Service (`ClusterIP`, or `LoadBalancer`/Ingress for outside traffic).
    ///
    /// ## Fix
    /// Remove `hostPort`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Host Ports
    pub static PSS_HOST_PORTS = {
        code: "NET300",
        name: "pss-host-ports",
        layer: Network,
        threat: NetworkAttack,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a container binds a host port, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/host-ports"), (Pss, "hostPorts")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    let host_network = pod.spec.get("hostNetwork").and_then(Node::bool_yaml11) == Some(true);
    for container in pod.containers() {
        for port in container.node.get("ports").and_then(Node::as_sequence).unwrap_or_default() {
            let host_port = port.get("hostPort").filter(|n| !n.is_null());
            if host_network && host_port.is_none_or(|p| p.int() == Some(0)) {
                let Some(container_port) =
                    port.get("containerPort").filter(|p| p.int().is_some_and(|n| n != 0))
                else {
                    continue;
                };
                out.push(violation(
                    &PSS_HOST_PORTS,
                    "hostPort",
                    pod.origin(container_port),
                    format!(
                        "{} uses hostPort {} (on the host network, hostPort defaults to containerPort)",
                        container.describe(),
                        container_port.as_str().unwrap_or("?")
                    ),
                ));
                continue;
            }
            let Some(host_port) = host_port else { continue };
            if host_port.int() != Some(0) {
                out.push(violation(
                    &PSS_HOST_PORTS,
                    "hostPort",
                    pod.origin(host_port),
                    format!("{} uses hostPort {}", container.describe(), host_port.as_str().unwrap_or("?")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn zero_is_no_host_port() {
        let yaml = pod(
            "  containers:\n    - name: a\n      ports:\n        - {containerPort: 80, hostPort: 0}\n        - containerPort: 81\n          hostPort: 8081\n",
        );
        assert_eq!(lines(&yaml, &run("hostPorts", 37, &yaml)), [11]);
        let host = pod(
            "  hostNetwork: true\n  containers:\n    - name: a\n      ports:\n        - containerPort: 80\n",
        );
        assert_eq!(lines(&host, &run("hostPorts", 37, &host)), [10]);
    }
}
