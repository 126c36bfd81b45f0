use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::privilege::prv103_seccomp_unconfined::profile_value;

declare_rule! {
    /// ## What it does
    /// Flags a container whose AppArmor profile is switched off: `security_opt:
    /// [apparmor=unconfined]` (also `apparmor:unconfined`), Kubernetes `appArmorProfile.type:
    /// Unconfined`. An unset profile is not flagged: Docker applies `docker-default` and
    /// Kubernetes the runtime's default on hosts with AppArmor.
    ///
    /// ## Why is this bad?
    /// The default AppArmor profile denies mounting, writing to `/proc` and `/sys` kernel
    /// settings and other operations that container escapes rely on. Turning it off removes a
    /// layer that costs nothing for ordinary applications.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     security_opt:
    ///       - apparmor=unconfined
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     security_opt:
    ///       - apparmor=docker-default
    /// ```
    ///
    /// ## Fix
    /// Remove `apparmor=unconfined`, or load a profile written for the application.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.1 "Ensure that, if applicable, an AppArmor Profile is enabled"
    /// - Kubernetes Pod Security Standards, baseline: AppArmor
    pub static APPARMOR_UNCONFINED = {
        code: "PRV104",
        name: "apparmor-unconfined",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the container runs without an AppArmor profile",
        aliases: [(CisDocker, "5.1"), (Pss, "baseline/apparmor")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let Some(setting) = &workload.security.apparmor else { return };
    if profile_value(&setting.value, "apparmor") == "unconfined" {
        checker
            .report(
                &APPARMOR_UNCONFINED,
                &setting.origin,
                "AppArmor is disabled (`unconfined`) for the container",
            )
            .help = Some("remove `apparmor=unconfined`, or use a profile written for the application".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_unconfined_only() {
        let mut w = service();
        assert!(run(&APPARMOR_UNCONFINED, &w).is_empty());
        for value in ["unconfined", "apparmor=unconfined", "apparmor:Unconfined", "Unconfined"] {
            w.security.apparmor = Some(set(value.into(), 12));
            assert_eq!(starts(&run(&APPARMOR_UNCONFINED, &w)), [12], "{value}");
        }
        for value in ["docker-default", "runtime/default", "localhost/app"] {
            w.security.apparmor = Some(set(value.into(), 12));
            assert!(run(&APPARMOR_UNCONFINED, &w).is_empty(), "{value}");
        }
    }
}
