use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "SELinux" (upstream check `seLinuxOptions`):
    /// `seLinuxOptions.type` of the pod and of every container must be unset, empty,
    /// `container_t`, `container_init_t`, `container_kvm_t` or (from policy v1.31)
    /// `container_engine_t`; `seLinuxOptions.user` and `seLinuxOptions.role` must be unset or
    /// empty. `level` is not restricted.
    ///
    /// ## Why is this bad?
    /// A custom SELinux type or user can be an unconfined one (`spc_t`, `unconfined_u`), lifting
    /// the policy that keeps container processes away from the node's files.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions: {type: spc_t}
    /// ```
    ///
    /// Use instead: leave `type`, `user` and `role` unset; set `level` if you need MCS separation.
    ///
    /// ## Fix
    /// Remove the custom `type`, `user` or `role`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: SELinux
    pub static PSS_SELINUX = {
        code: "PRV303",
        name: "pss-selinux",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "custom SELinux options are set, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/selinux"), (Pss, "seLinuxOptions")],
    }
}

fn allowed_type(kind: &str, version: PolicyVersion) -> bool {
    matches!(kind, "" | "container_t" | "container_init_t" | "container_kvm_t")
        || (kind == "container_engine_t" && version.at_least(31))
}

fn check_options(
    pod: &PodView<'_>,
    options: &Node,
    who: &str,
    version: PolicyVersion,
    out: &mut Vec<Violation>,
) {
    if let Some(kind) = options.get("type").filter(|n| !n.is_null()) {
        let text = kind.as_str().unwrap_or("?");
        if kind.as_str().is_none_or(|t| !allowed_type(t, version)) {
            out.push(violation(
                &PSS_SELINUX,
                "seLinuxOptions",
                pod.origin(kind),
                format!("{who} set forbidden securityContext.seLinuxOptions: type {text:?}"),
            ));
        }
    }
    for field in ["user", "role"] {
        if let Some(node) = options.get(field).filter(|n| !n.is_null())
            && node.as_str().is_none_or(|t| !t.is_empty())
        {
            out.push(violation(
                &PSS_SELINUX,
                "seLinuxOptions",
                pod.origin(node),
                format!(
                    "{who} set forbidden securityContext.seLinuxOptions: {field} {:?}",
                    node.as_str().unwrap_or("?")
                ),
            ));
        }
    }
}

pub(crate) fn check(pod: &PodView<'_>, version: PolicyVersion, out: &mut Vec<Violation>) {
    if let Some(options) = pod.security_field(&["seLinuxOptions"]) {
        check_options(pod, options, "pod", version, out);
    }
    for container in pod.containers() {
        if let Some(options) = container.security_field(&["seLinuxOptions"]) {
            check_options(pod, options, &container.describe(), version, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn container_engine_t_is_allowed_from_1_31() {
        let yaml = pod(
            "  securityContext:\n    seLinuxOptions: {type: container_engine_t, level: \"s0:c1\"}\n  containers: []\n",
        );
        assert_eq!(run("seLinuxOptions", 30, &yaml).len(), 1);
        assert!(run("seLinuxOptions", 31, &yaml).is_empty());
    }

    #[test]
    fn user_and_role_must_be_empty() {
        let yaml = pod(
            "  containers:\n    - name: a\n      securityContext:\n        seLinuxOptions:\n          user: system_u\n          role: \"\"\n          type: spc_t\n",
        );
        assert_eq!(lines(&yaml, &run("seLinuxOptions", 37, &yaml)), [12, 10]);
    }
}
