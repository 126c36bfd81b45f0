use shipshape_model::declare_rule;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "Host Probes / Lifecycle Hooks" (upstream check
    /// `hostProbesAndHostLifecycle`, policy v1.34 and later): the `host` of `httpGet` and
    /// `tcpSocket` handlers in `livenessProbe`, `readinessProbe`, `startupProbe` and
    /// `lifecycle.postStart`/`preStop` must be unset or empty, for every container, init
    /// container and ephemeral container.
    ///
    /// ## Why is this bad?
    /// The kubelet runs probes and hooks from the node. A `host` makes it connect wherever the
    /// pod's author says: to the node's own loopback services or to other hosts the node can
    /// reach, with the node's network position (a server-side request forgery by manifest).
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: {host: 169.254.169.254, path: /latest/meta-data/, port: 80}
    /// ```
    ///
    /// Use instead: leave `host` unset; the probe then targets the pod's own IP.
    ///
    /// ## Fix
    /// Remove `host`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Host Probes / Lifecycle Hooks (v1.34+)
    pub static PSS_HOST_PROBES = {
        code: "NET301",
        name: "pss-host-probes",
        layer: Network,
        threat: NetworkAttack,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a probe or lifecycle hook targets a host, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/host-probes-lifecycle-hooks"), (Pss, "hostProbesAndHostLifecycle")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    const HANDLERS: [&[&str]; 5] = [
        &["livenessProbe"],
        &["readinessProbe"],
        &["startupProbe"],
        &["lifecycle", "postStart"],
        &["lifecycle", "preStop"],
    ];
    for container in pod.containers() {
        for path in HANDLERS {
            let Some(handler) = container.node.get_path(path) else { continue };
            for action in ["httpGet", "tcpSocket"] {
                let Some(host) = handler.get(action).and_then(|a| a.get("host")).filter(|n| !n.is_null())
                else {
                    continue;
                };
                if host.as_str().is_none_or(|h| !h.is_empty()) {
                    out.push(violation(
                        &PSS_HOST_PROBES,
                        "probe or lifecycle host",
                        pod.origin(host),
                        format!(
                            "{} uses {}.{action}.host {:?}",
                            container.describe(),
                            path.join("."),
                            host.as_str().unwrap_or("?")
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn flags_hosts_from_1_34() {
        let yaml = pod(
            "  containers:\n    - name: a\n      livenessProbe:\n        httpGet: {host: 127.0.0.1, port: 80}\n      readinessProbe:\n        tcpSocket: {host: \"\", port: 80}\n      lifecycle:\n        preStop:\n          tcpSocket:\n            host: example.com\n            port: 80\n",
        );
        assert_eq!(lines(&yaml, &run("hostProbesAndHostLifecycle", 34, &yaml)), [9, 15]);
        assert!(run("hostProbesAndHostLifecycle", 33, &yaml).is_empty());
    }
}
