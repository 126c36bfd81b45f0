use shipshape_model::declare_rule;

use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "Seccomp" (upstream check
    /// `seccompProfile_baseline`): `seccompProfile.type` of the pod and of every container must
    /// be unset, `RuntimeDefault` or `Localhost`. `Unconfined` (or any other value) fails.
    ///
    /// ## Why is this bad?
    /// Seccomp filters the kernel's attack surface; `Unconfined` hands the whole syscall table to
    /// a compromised process, including the ones most kernel escapes start from.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seccompProfile: {type: Unconfined}
    /// ```
    ///
    /// Use instead: `type: RuntimeDefault`.
    ///
    /// ## Fix
    /// Set `RuntimeDefault`, or a `Localhost` profile written for the workload.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Seccomp
    pub static PSS_SECCOMP_BASELINE = {
        code: "PRV304",
        name: "pss-seccomp-baseline",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "seccomp is turned off, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/seccomp"), (Pss, "seccompProfile_baseline")],
    }
}

/// `RuntimeDefault` or `Localhost`.
pub(crate) fn valid_seccomp(kind: Option<&str>) -> bool {
    matches!(kind, Some("RuntimeDefault" | "Localhost"))
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    let mut report = |node, who: String, kind: &str| {
        out.push(violation(
            &PSS_SECCOMP_BASELINE,
            "seccompProfile",
            pod.origin(node),
            format!("{who} must not set securityContext.seccompProfile.type to {kind:?}"),
        ));
    };
    if let Some(profile) = pod.security_field(&["seccompProfile"]) {
        let kind = profile.get("type");
        if !valid_seccomp(kind.and_then(|k| k.as_str())) {
            report(kind.unwrap_or(profile), "pod".into(), kind.and_then(|k| k.as_str()).unwrap_or_default());
        }
    }
    for container in pod.containers() {
        if let Some(profile) = container.security_field(&["seccompProfile"]) {
            let kind = profile.get("type");
            if !valid_seccomp(kind.and_then(|k| k.as_str())) {
                report(
                    kind.unwrap_or(profile),
                    container.describe(),
                    kind.and_then(|k| k.as_str()).unwrap_or_default(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn unset_is_allowed_unconfined_is_not() {
        let yaml = pod(
            "  securityContext:\n    seccompProfile: {type: Unconfined}\n  containers:\n    - name: a\n    - name: b\n      securityContext:\n        seccompProfile:\n          type: Localhost\n          localhostProfile: x.json\n",
        );
        assert_eq!(lines(&yaml, &run("seccompProfile_baseline", 37, &yaml)), [7]);
    }
}
