use shipshape_model::{EngineConfig, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon that lets containers gain new privileges by default: daemon.json
    /// `"no-new-privileges": false` (or, in the offline scan of a daemon.json, no
    /// `no-new-privileges` at all). Recent daemons list `name=no-new-privileges` in
    /// `docker info` when it is on; older ones never do, so `docker info` alone does not trigger
    /// this rule.
    ///
    /// ## Why is this bad?
    /// Without `no_new_privs`, a process in a container can raise its privileges through setuid
    /// and setgid binaries or file capabilities, turning a foothold as an unprivileged user into
    /// root in the container, one step from the host. Setting it daemon-wide protects every
    /// container, not only those whose authors remembered `--security-opt no-new-privileges`.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "no-new-privileges": false
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "no-new-privileges": true
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `"no-new-privileges": true` and restart the daemon. Containers that rely on setuid
    /// binaries (`sudo`, `ping` on old images) then need a rework or their own exception.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.14 "Ensure containers are restricted from acquiring new privileges"
    /// - Linux kernel documentation, "No New Privileges Flag"
    pub static NEW_PRIVILEGES_BY_DEFAULT = {
        code: "PRV401",
        name: "new-privileges-by-default",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "containers may gain new privileges through setuid binaries by default",
        aliases: [(CisDocker, "2.14")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(no_new_privileges) = &config.no_new_privileges else { return };
    if no_new_privileges.value {
        return;
    }
    let note = default_note(config, no_new_privileges, "no-new-privileges");
    checker
        .report(
            &NEW_PRIVILEGES_BY_DEFAULT,
            &no_new_privileges.origin,
            format!("containers do not get `no-new-privileges` by default{note}: setuid binaries can raise a process's privileges"),
        )
        .help = Some("set `\"no-new-privileges\": true` in daemon.json".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_no_new_privileges_off() {
        let mut config = unknown();
        assert!(run(&NEW_PRIVILEGES_BY_DEFAULT, &config).is_empty());
        config.no_new_privileges = Some(set(true, 6));
        assert!(run(&NEW_PRIVILEGES_BY_DEFAULT, &config).is_empty());
        config.no_new_privileges = Some(set(false, 6));
        assert_eq!(starts(&run(&NEW_PRIVILEGES_BY_DEFAULT, &config)), [6]);
    }
}
