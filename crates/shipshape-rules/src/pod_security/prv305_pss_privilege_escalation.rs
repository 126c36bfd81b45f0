use shipshape_model::declare_rule;

use super::{Flag, PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, restricted control "Privilege Escalation" (upstream check
    /// `allowPrivilegeEscalation`): every container, init container and ephemeral container must
    /// set `securityContext.allowPrivilegeEscalation: false`. Pods with `spec.os.name: windows`
    /// are exempt.
    ///
    /// ## Why is this bad?
    /// Unless `no_new_privs` is set, a setuid binary or file capability in the image raises the
    /// process's privileges: an attacker with code execution becomes root in the container.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix
    /// Set `allowPrivilegeEscalation: false`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, restricted: Privilege Escalation
    pub static PSS_PRIVILEGE_ESCALATION = {
        code: "PRV305",
        name: "pss-privilege-escalation",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "a container does not set allowPrivilegeEscalation: false, which the restricted Pod Security level requires",
        aliases: [(Pss, "restricted/privilege-escalation"), (Pss, "allowPrivilegeEscalation")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    if pod.is_windows() {
        return;
    }
    for container in pod.containers() {
        let origin = match Flag::of(container.security_field(&["allowPrivilegeEscalation"])) {
            Flag::False(_) => continue,
            Flag::True(node) | Flag::Invalid(node) => pod.origin(node),
            Flag::Unset => pod.container_anchor(&container),
        };
        out.push(violation(
            &PSS_PRIVILEGE_ESCALATION,
            "allowPrivilegeEscalation != false",
            origin,
            format!("{} must set securityContext.allowPrivilegeEscalation=false", container.describe()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn must_be_false_except_on_windows() {
        let spec = "  containers:\n    - name: a\n      securityContext: {allowPrivilegeEscalation: false}\n    - name: b\n    - name: c\n      securityContext:\n        allowPrivilegeEscalation: true\n";
        let yaml = pod(spec);
        assert_eq!(lines(&yaml, &run("allowPrivilegeEscalation", 37, &yaml)), [9, 12]);
        let windows = pod(&format!("  os: {{name: windows}}\n{spec}"));
        assert!(run("allowPrivilegeEscalation", 25, &windows).is_empty());
    }
}
