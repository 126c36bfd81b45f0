use shipshape_model::{Platform, Severity, Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container whose seccomp filter is switched off: `security_opt:
    /// [seccomp=unconfined]` (also `seccomp:unconfined`), Kubernetes `seccompProfile.type:
    /// Unconfined`.
    ///
    /// When nothing is set, the platform default decides. Docker and Podman apply their default
    /// profile, so an unset profile is not flagged there. Kubernetes runs containers
    /// `Unconfined` unless the kubelet enables `seccompDefault`, so on Kubernetes an unset
    /// profile is flagged too, at medium severity. Privileged containers are left to
    /// `privileged-container`.
    ///
    /// ## Why is this bad?
    /// The default seccomp profile blocks about 50 rarely needed system calls (`keyctl`,
    /// `bpf`, `unshare`, `mount`, `kexec_load`, ...) that account for a large share of kernel
    /// exploits used to escape containers. Without it the whole kernel interface is exposed.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     security_opt:
    ///       - seccomp=unconfined
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     security_opt:
    ///       - seccomp=./seccomp/app.json
    /// ```
    ///
    /// ## Fix
    /// Remove `seccomp=unconfined`. If the default profile blocks a call the application needs,
    /// write a profile that allows just that call. On Kubernetes set
    /// `seccompProfile: {type: RuntimeDefault}`.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.21 "Ensure the default seccomp profile is not Disabled"
    /// - Kubernetes Pod Security Standards, baseline and restricted: Seccomp
    pub static SECCOMP_UNCONFINED = {
        code: "PRV103",
        name: "seccomp-unconfined",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the container runs without a seccomp filter",
        aliases: [
            (CisDocker, "5.21"),
            (Kics, "404fde2c-bc4b-4371-9747-7054132ac953"),
            (Checkov, "CKV_K8S_31"),
            (Pss, "baseline/seccomp"),
            (Pss, "restricted/seccomp"),
        ],
    }
}

/// An LSM or seccomp profile value without its `key=` / `key:` prefix, lower-cased.
pub(crate) fn profile_value(value: &str, key: &str) -> String {
    let value = value.trim();
    let stripped = value
        .get(..key.len())
        .filter(|k| k.eq_ignore_ascii_case(key))
        .and_then(|_| value.get(key.len()..))
        .and_then(|rest| rest.strip_prefix(['=', ':']))
        .unwrap_or(value);
    stripped.trim().to_ascii_lowercase()
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    match &workload.security.seccomp {
        Some(setting) if profile_value(&setting.value, "seccomp") == "unconfined" => {
            checker
                .report(
                    &SECCOMP_UNCONFINED,
                    &setting.origin,
                    "seccomp is disabled (`unconfined`): every system call reaches the kernel",
                )
                .help = Some(
                "remove `seccomp=unconfined`, or use a custom profile that allows only what is needed".into(),
            );
        }
        None if workload.platform == Platform::Kubernetes && !workload.is_privileged() => {
            let finding = checker.report(
                &SECCOMP_UNCONFINED,
                &workload.origin,
                "no seccomp profile is set: Kubernetes runs containers `Unconfined` unless the kubelet enables `seccompDefault`",
            );
            finding.severity = Severity::Medium;
            finding.help = Some("set `securityContext.seccompProfile.type: RuntimeDefault`".into());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{at, run, service, set, starts};

    #[test]
    fn strips_option_keys() {
        assert_eq!(profile_value("seccomp=unconfined", "seccomp"), "unconfined");
        assert_eq!(profile_value("Seccomp:Unconfined", "seccomp"), "unconfined");
        assert_eq!(profile_value(" unconfined ", "seccomp"), "unconfined");
        assert_eq!(profile_value("runtime/default", "seccomp"), "runtime/default");
        assert_eq!(profile_value("se", "seccomp"), "se");
    }

    #[test]
    fn flags_unconfined_profiles() {
        let mut w = service();
        assert!(run(&SECCOMP_UNCONFINED, &w).is_empty());
        for value in ["unconfined", "Unconfined", "seccomp=unconfined"] {
            w.security.seccomp = Some(set(value.into(), 15));
            assert_eq!(starts(&run(&SECCOMP_UNCONFINED, &w)), [15], "{value}");
        }
        for value in ["runtime/default", "/etc/docker/seccomp.json", "Localhost/profile.json"] {
            w.security.seccomp = Some(set(value.into(), 15));
            assert!(run(&SECCOMP_UNCONFINED, &w).is_empty(), "{value}");
        }
    }

    #[test]
    fn kubernetes_default_is_unconfined() {
        let mut w = Workload::new("pod/app", Platform::Kubernetes, at(0));
        let findings = run(&SECCOMP_UNCONFINED, &w);
        assert_eq!(starts(&findings), [0]);
        assert_eq!(findings[0].severity, Severity::Medium);
        w.security.seccomp = Some(set("RuntimeDefault".into(), 9));
        assert!(run(&SECCOMP_UNCONFINED, &w).is_empty());
    }
}
