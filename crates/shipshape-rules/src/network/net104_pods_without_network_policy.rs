use shipshape_kube::cluster::string_map;
use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use crate::checkers::kube_object::KubeObject;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Kubernetes workload whose pods no NetworkPolicy among the scanned objects
    /// selects: no policy in the same namespace has a `podSelector` matching the pod template's
    /// labels (an empty `podSelector` selects every pod of its namespace). Pods on the host
    /// network are left to `host-network`, since NetworkPolicies do not apply to them.
    ///
    /// ## Why is this bad?
    /// Kubernetes networking is flat by default: any pod in the cluster, including a compromised
    /// one, can connect to these pods on any port, and they can connect anywhere. A policy
    /// limits both directions to what the application needs.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    /// ```
    ///
    /// Use instead: ship a NetworkPolicy with the workload:
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: web}}
    ///   policyTypes: [Ingress, Egress]
    ///   ingress:
    ///     - from: [{podSelector: {matchLabels: {app: frontend}}}]
    /// ```
    ///
    /// ## Fix
    /// Add a NetworkPolicy (a default-deny policy per namespace plus allow rules per workload).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide: Network separation and hardening
    /// - CIS Kubernetes Benchmark 5.3.2 "Ensure that all Namespaces have Network Policies defined"
    pub static PODS_WITHOUT_NETWORK_POLICY = {
        code: "NET104",
        name: "pods-without-network-policy",
        layer: Network,
        threat: NetworkAttack,
        asset: OtherContainers,
        severity: Low,
        fix: None,
        summary: "no NetworkPolicy selects the workload's pods",
        aliases: [(Kics, "0401f71b-9c1e-4821-ab15-a955caa621be")],
    }
}

pub(crate) fn check(object: &KubeObject<'_, '_>, checker: &mut Checker<'_>) {
    let Some(pod) = &object.pod else { return };
    if pod.spec.get("hostNetwork").and_then(Node::bool_yaml11) == Some(true) {
        return;
    }
    let labels_node = pod.metadata.and_then(|m| m.get("labels"));
    let labels = string_map(labels_node);
    let namespace = object.info.namespace.as_deref();
    if object.cluster.policies_selecting(namespace, &labels).next().is_some() {
        return;
    }
    let origin = match labels_node {
        Some(node) => object.origin(node),
        None => object.anchor(),
    };
    let scope = match namespace {
        Some(namespace) => format!("namespace {namespace:?}"),
        None => "its namespace".to_string(),
    };
    checker.report(
        &PODS_WITHOUT_NETWORK_POLICY,
        &origin,
        format!(
            "no NetworkPolicy in {scope} among the scanned objects selects the pods of {}: any pod in the cluster can reach them",
            object.display_name()
        ),
    )
    .help = Some("add a NetworkPolicy whose podSelector matches these pods and allows only the traffic they need".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::kube_object::testing::{lines, run};

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: a, image: x}]\n";

    #[test]
    fn selected_pods_pass_unselected_fail() {
        assert_eq!(lines(DEPLOYMENT, &run(&PODS_WITHOUT_NETWORK_POLICY, DEPLOYMENT)), [7]);
        let policy = |ns: &str, selector: &str| {
            format!(
                "{DEPLOYMENT}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np, namespace: {ns}}}\nspec:\n  podSelector: {selector}\n"
            )
        };
        assert!(run(&PODS_WITHOUT_NETWORK_POLICY, &policy("shop", "{}")).is_empty());
        assert!(run(&PODS_WITHOUT_NETWORK_POLICY, &policy("shop", "{matchLabels: {app: web}}")).is_empty());
        assert_eq!(run(&PODS_WITHOUT_NETWORK_POLICY, &policy("shop", "{matchLabels: {app: db}}")).len(), 1);
        assert_eq!(run(&PODS_WITHOUT_NETWORK_POLICY, &policy("other", "{}")).len(), 1);
        let host = DEPLOYMENT.replace("      containers:", "      hostNetwork: true\n      containers:");
        assert!(run(&PODS_WITHOUT_NETWORK_POLICY, &host).is_empty());
    }
}
