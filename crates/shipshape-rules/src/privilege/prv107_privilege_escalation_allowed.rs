use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container that does not set `no-new-privileges` (`security_opt:
    /// [no-new-privileges:true]`, `--security-opt no-new-privileges`, Kubernetes
    /// `allowPrivilegeEscalation: false`), or sets it to false. Neither Docker nor Kubernetes
    /// sets it by default.
    ///
    /// ## Why is this bad?
    /// Without `no-new-privileges` a process can gain privileges through setuid and setgid
    /// binaries and file capabilities (`su`, `sudo`, `ping`, a planted setuid shell). With it the
    /// kernel refuses every such gain, so an unprivileged attacker stays unprivileged.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     security_opt:
    ///       - no-new-privileges:true
    /// ```
    ///
    /// ## Fix
    /// Add `no-new-privileges:true` to `security_opt` (or set `allowPrivilegeEscalation: false`),
    /// or enable it for every container with the daemon option `"no-new-privileges": true`.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.25 "Ensure that the container is restricted from acquiring additional privileges"
    /// - Kubernetes Pod Security Standards, restricted: Privilege Escalation
    pub static PRIVILEGE_ESCALATION_ALLOWED = {
        code: "PRV107",
        name: "privilege-escalation-allowed",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "processes in the container can gain privileges (no-new-privileges is not set)",
        aliases: [
            (CisDocker, "5.25"),
            (Kics, "27fcc7d6-c49b-46e0-98f1-6c082a6a2750"),
            (Checkov, "CKV_K8S_20"),
            (Pss, "restricted/privilege-escalation"),
        ],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let (origin, message) = match &workload.security.no_new_privileges {
        Some(setting) if setting.value => return,
        Some(setting) => {
            (&setting.origin, "`no-new-privileges` is set to false: setuid binaries can raise privileges")
        }
        None => (&workload.origin, "`no-new-privileges` is not set: setuid binaries can raise privileges"),
    };
    checker.report(&PRIVILEGE_ESCALATION_ALLOWED, origin, message).help =
        Some("add `no-new-privileges:true` to `security_opt` (`allowPrivilegeEscalation: false`)".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_missing_or_false() {
        let mut w = service();
        assert_eq!(starts(&run(&PRIVILEGE_ESCALATION_ALLOWED, &w)), [0]);
        w.security.no_new_privileges = Some(set(false, 14));
        assert_eq!(starts(&run(&PRIVILEGE_ESCALATION_ALLOWED, &w)), [14]);
        w.security.no_new_privileges = Some(set(true, 14));
        assert!(run(&PRIVILEGE_ESCALATION_ALLOWED, &w).is_empty());
    }
}
