use shipshape_model::declare_rule;

use super::prv304_pss_seccomp_baseline::valid_seccomp;
use super::{PodView, PolicyVersion, Violation, violation};

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, restricted control "Seccomp" (upstream check
    /// `seccompProfile_restricted`, replacing the baseline seccomp check at the restricted
    /// level): `seccompProfile.type` must be explicitly `RuntimeDefault` or `Localhost`, on the
    /// pod or on every container, init container and ephemeral container; no container may set
    /// another type. Pods with `spec.os.name: windows` are exempt.
    ///
    /// ## Why is this bad?
    /// Kubernetes runs containers unconfined by seccomp unless told otherwise: the kernel's whole
    /// syscall surface is exposed to a compromised process.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile: {type: RuntimeDefault}
    /// ```
    ///
    /// ## Fix
    /// Set `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, restricted: Seccomp
    pub static PSS_SECCOMP_RESTRICTED = {
        code: "PRV308",
        name: "pss-seccomp-restricted",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a container has no seccomp profile, which the restricted Pod Security level requires",
        aliases: [(Pss, "restricted/seccomp"), (Pss, "seccompProfile_restricted")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    if pod.is_windows() {
        return;
    }
    let mut pod_set = false;
    if let Some(profile) = pod.security_field(&["seccompProfile"]) {
        let kind = profile.get("type");
        if valid_seccomp(kind.and_then(|k| k.as_str())) {
            pod_set = true;
        } else {
            out.push(violation(
                &PSS_SECCOMP_RESTRICTED,
                "seccompProfile",
                pod.origin(kind.unwrap_or(profile)),
                format!(
                    "pod must not set securityContext.seccompProfile.type to {:?}",
                    kind.and_then(|k| k.as_str()).unwrap_or_default()
                ),
            ));
        }
    }
    for container in pod.containers() {
        match container.security_field(&["seccompProfile"]) {
            Some(profile) => {
                let kind = profile.get("type");
                if !valid_seccomp(kind.and_then(|k| k.as_str())) {
                    out.push(violation(
                        &PSS_SECCOMP_RESTRICTED,
                        "seccompProfile",
                        pod.origin(kind.unwrap_or(profile)),
                        format!(
                            "{} must not set securityContext.seccompProfile.type to {:?}",
                            container.describe(),
                            kind.and_then(|k| k.as_str()).unwrap_or_default()
                        ),
                    ));
                }
            }
            None if !pod_set => out.push(violation(
                &PSS_SECCOMP_RESTRICTED,
                "seccompProfile",
                pod.container_anchor(&container),
                format!(
                    "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                    container.describe()
                ),
            )),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, pod, run};

    #[test]
    fn pod_level_or_every_container() {
        let pod_level = pod(
            "  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n    - name: a\n    - name: b\n      securityContext:\n        seccompProfile: {type: Unconfined}\n",
        );
        assert_eq!(lines(&pod_level, &run("seccompProfile_restricted", 37, &pod_level)), [12]);
        let unconfined_pod = pod(
            "  securityContext:\n    seccompProfile: {type: Unconfined}\n  containers:\n    - name: a\n      securityContext: {seccompProfile: {type: RuntimeDefault}}\n    - name: b\n",
        );
        assert_eq!(lines(&unconfined_pod, &run("seccompProfile_restricted", 37, &unconfined_pod)), [7, 11]);
        let windows = pod("  os: {name: windows}\n  containers:\n    - name: a\n");
        assert!(run("seccompProfile_restricted", 37, &windows).is_empty());
    }
}
