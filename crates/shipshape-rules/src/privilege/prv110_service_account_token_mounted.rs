use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use crate::checkers::kube_object::KubeObject;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Kubernetes workload whose pods get a service account token mounted: the pod spec
    /// does not set `automountServiceAccountToken: false`, and neither does its ServiceAccount
    /// (when that ServiceAccount is among the scanned objects). `true` on the pod is flagged too:
    /// keep it only for workloads that call the Kubernetes API.
    ///
    /// ## Why is this bad?
    /// The token at `/var/run/secrets/kubernetes.io/serviceaccount/token` authenticates to the
    /// API server. An attacker who gets code execution in the pod inherits whatever the service
    /// account may do, and on many clusters the `default` account has been granted more than
    /// anyone remembers.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     spec:
    ///       containers: [{name: app, image: example/app:1.0}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   template:
    ///     spec:
    ///       automountServiceAccountToken: false
    /// ```
    ///
    /// ## Fix
    /// Set `automountServiceAccountToken: false` on the pod spec or its ServiceAccount; mount a
    /// projected token only where the workload needs the API.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.6 "Ensure that Service Account Tokens are only mounted where necessary"
    /// - Checkov CKV_K8S_38
    pub static SERVICE_ACCOUNT_TOKEN_MOUNTED = {
        code: "PRV110",
        name: "service-account-token-mounted",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "the pods get a Kubernetes API token they may not need",
        aliases: [(Checkov, "CKV_K8S_38"), (Kics, "48471392-d4d0-47c0-b135-cdec95eb3eef")],
    }
}

pub(crate) fn check(object: &KubeObject<'_, '_>, checker: &mut Checker<'_>) {
    let Some(pod) = &object.pod else { return };
    let setting = pod.spec.get("automountServiceAccountToken").filter(|n| !n.is_null());
    let origin = match setting.map(|n| (n, n.bool_yaml11())) {
        Some((_, Some(false))) => return,
        Some((node, _)) => object.origin(node),
        None => {
            let account = pod
                .spec
                .get("serviceAccountName")
                .or_else(|| pod.spec.get("serviceAccount"))
                .and_then(Node::as_str)
                .unwrap_or("default");
            let key = (object.info.namespace.clone(), account.to_string());
            if object.cluster.service_accounts.get(&key) == Some(&Some(false)) {
                return;
            }
            object.origin(pod.spec)
        }
    };
    checker
        .report(
            &SERVICE_ACCOUNT_TOKEN_MOUNTED,
            &origin,
            format!("the pods of {} get a service account token mounted", object.display_name()),
        )
        .help =
        Some("set `automountServiceAccountToken: false` unless the workload calls the Kubernetes API".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::kube_object::testing::{lines, run};

    #[test]
    fn pod_setting_then_service_account() {
        let pod = |extra: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns}}\nspec:\n{extra}  containers: [{{name: a, image: x}}]\n"
            )
        };
        let plain = pod("");
        assert_eq!(lines(&plain, &run(&SERVICE_ACCOUNT_TOKEN_MOUNTED, &plain)), [5]);
        assert!(
            run(&SERVICE_ACCOUNT_TOKEN_MOUNTED, &pod("  automountServiceAccountToken: false\n")).is_empty()
        );
        assert_eq!(
            run(&SERVICE_ACCOUNT_TOKEN_MOUNTED, &pod("  automountServiceAccountToken: true\n")).len(),
            1
        );
        let account = "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: ns}\nautomountServiceAccountToken: false\n";
        let with_account = format!("{}{account}", pod("  serviceAccountName: app\n"));
        assert!(run(&SERVICE_ACCOUNT_TOKEN_MOUNTED, &with_account).is_empty());
        let other_account = format!("{}{account}", pod("  serviceAccountName: other\n"));
        assert_eq!(run(&SERVICE_ACCOUNT_TOKEN_MOUNTED, &other_account).len(), 1);
    }
}
