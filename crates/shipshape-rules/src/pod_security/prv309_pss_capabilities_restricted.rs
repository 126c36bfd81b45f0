use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, restricted control "Capabilities" (upstream check
    /// `capabilities_restricted`, replacing the baseline capabilities check at the restricted
    /// level): every container, init container and ephemeral container must drop `ALL`
    /// capabilities (`capabilities.drop` contains exactly `ALL`; `all` does not count) and may
    /// add back only `NET_BIND_SERVICE`. Pods with `spec.os.name: windows` are exempt.
    ///
    /// ## Why is this bad?
    /// The runtime's default capabilities (`CHOWN`, `DAC_OVERRIDE`, `SETUID`, `NET_RAW`, ...)
    /// let root in the container bypass file permissions, forge packets and change identity;
    /// almost no application needs them.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: [CHOWN]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    ///     add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## Fix
    /// Add `drop: [ALL]` and remove every added capability but `NET_BIND_SERVICE`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, restricted: Capabilities
    pub static PSS_CAPABILITIES_RESTRICTED = {
        code: "PRV309",
        name: "pss-capabilities-restricted",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a container keeps capabilities, which the restricted Pod Security level forbids",
        aliases: [(Pss, "restricted/capabilities"), (Pss, "capabilities_restricted")],
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    match node {
        Some(node) => node.as_sequence().unwrap_or(std::slice::from_ref(node)),
        None => &[],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    if pod.is_windows() {
        return;
    }
    for container in pod.containers() {
        let capabilities = container.security_field(&["capabilities"]);
        let drop = capabilities.and_then(|c| c.get("drop")).filter(|n| !n.is_null());
        if !items(drop).iter().any(|c| c.as_str() == Some("ALL")) {
            let origin = match (drop, capabilities) {
                (Some(node), _) | (None, Some(node)) => pod.origin(node),
                (None, None) => pod.container_anchor(&container),
            };
            out.push(violation(
                &PSS_CAPABILITIES_RESTRICTED,
                "unrestricted capabilities",
                origin,
                format!("{} must set securityContext.capabilities.drop=[\"ALL\"]", container.describe()),
            ));
        }
        let add = capabilities.and_then(|c| c.get("add")).filter(|n| !n.is_null());
        for item in items(add) {
            let name = item.as_str().unwrap_or_default();
            if name != "NET_BIND_SERVICE" {
                out.push(violation(
                    &PSS_CAPABILITIES_RESTRICTED,
                    "unrestricted capabilities",
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
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn drop_all_and_add_only_net_bind_service() {
        let yaml = pod(
            "  containers:\n    - name: ok\n      securityContext:\n        capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n    - name: lower\n      securityContext:\n        capabilities:\n          drop: [all]\n    - name: none\n    - name: adds\n      securityContext:\n        capabilities:\n          drop: [ALL]\n          add: [CHOWN]\n",
        );
        assert_eq!(lines(&yaml, &run("capabilities_restricted", 37, &yaml)), [13, 14, 19]);
    }
}
