use shipshape_model::declare_rule;

use super::{PodView, PolicyVersion, Violation, violation};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "AppArmor" (upstream check `appArmorProfile`):
    /// `appArmorProfile.type` of the pod and of every container must be unset, `RuntimeDefault`
    /// or `Localhost`, and every `container.apparmor.security.beta.kubernetes.io/*` annotation
    /// must be empty, `runtime/default` or `localhost/<profile>`. Both channels are checked at
    /// every policy version, as upstream does.
    ///
    /// ## Why is this bad?
    /// `Unconfined` turns off the AppArmor profile that keeps a compromised process away from
    /// `/proc` and `/sys` files, mounts and raw sockets.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile: {type: Unconfined}
    /// ```
    ///
    /// Use instead: `type: RuntimeDefault`, or a `Localhost` profile written for the workload.
    ///
    /// ## Fix
    /// Remove the override or set `RuntimeDefault`.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: AppArmor
    pub static PSS_APPARMOR = {
        code: "PRV302",
        name: "pss-apparmor",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "an AppArmor profile is overridden, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/apparmor"), (Pss, "appArmorProfile")],
    }
}

fn allowed_type(kind: Option<&str>) -> bool {
    matches!(kind, Some("RuntimeDefault" | "Localhost"))
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    let mut report = |node, detail: String| {
        out.push(violation(&PSS_APPARMOR, "forbidden AppArmor profile", pod.origin(node), detail));
    };
    if let Some(profile) = pod.security_field(&["appArmorProfile"]) {
        let kind = profile.get("type");
        if !allowed_type(kind.and_then(|k| k.as_str())) {
            let value = kind.and_then(|k| k.as_str()).unwrap_or_default();
            report(kind.unwrap_or(profile), format!("pod must not set appArmorProfile.type to {value:?}"));
        }
    }
    for container in pod.containers() {
        if let Some(profile) = container.security_field(&["appArmorProfile"]) {
            let kind = profile.get("type");
            if !allowed_type(kind.and_then(|k| k.as_str())) {
                let value = kind.and_then(|k| k.as_str()).unwrap_or_default();
                report(
                    kind.unwrap_or(profile),
                    format!("{} must not set appArmorProfile.type to {value:?}", container.describe()),
                );
            }
        }
    }
    for (key, value) in pod.annotations() {
        let Some(key) = key.as_str().filter(|k| k.starts_with(ANNOTATION_PREFIX)) else { continue };
        let text = value.as_str().unwrap_or_default();
        if !(text.is_empty() || text == "runtime/default" || text.starts_with("localhost/")) {
            report(value, format!("{key}={text:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pod_security::testing::{lines, run};

    #[test]
    fn checks_fields_and_annotations() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: unconfined\n    container.apparmor.security.beta.kubernetes.io/b: localhost/custom\nspec:\n  securityContext:\n    appArmorProfile: {type: Unconfined}\n  containers:\n    - name: a\n      securityContext:\n        appArmorProfile:\n          type: Localhost\n          localhostProfile: p\n    - name: b\n      securityContext:\n        appArmorProfile:\n          type: RuntimeDefault\n";
        assert_eq!(lines(yaml, &run("appArmorProfile", 37, yaml)), [10, 6]);
    }
}
