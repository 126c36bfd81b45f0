use shipshape_model::{EngineConfig, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon that does not remap users: `docker info` lists no `name=userns`
    /// among its `SecurityOptions`, or daemon.json sets `"userns-remap": ""` (or, in the offline
    /// scan of a daemon.json, leaves `userns-remap` out). A rootless daemon is not flagged: it runs
    /// in a user namespace of its own.
    ///
    /// ## Why is this bad?
    /// Without remapping, uid 0 in a container is uid 0 on the host. Whoever breaks out of a
    /// container (a kernel bug, a mounted socket, a writable host path) is root on the host. With
    /// `userns-remap`, container root maps to an unprivileged range of host ids from
    /// `/etc/subuid`, so an escape lands as nobody in particular.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "log-driver": "json-file"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "log-driver": "json-file",
    ///   "userns-remap": "default"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `"userns-remap": "default"` (dockerd creates the `dockremap` user and its
    /// `/etc/subuid`/`/etc/subgid` ranges) or name an existing `user:group`, then restart the
    /// daemon. Images and volumes are stored per mapping, so existing ones are not visible after
    /// the switch; containers that need the host's ids opt out with `--userns=host`. Running the
    /// daemon rootless gives the same protection.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.9 "Enable user namespace support"
    /// - Docker documentation, "Isolate containers with a user namespace"
    pub static USER_NAMESPACES_DISABLED = {
        code: "ISO400",
        name: "user-namespaces-disabled",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the daemon does not remap container users to unprivileged host ids",
        aliases: [(CisDocker, "2.9")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(remap) = &config.userns_remap else { return };
    if remap.value || config.is_rootless() {
        return;
    }
    let note = default_note(config, remap, "userns-remap");
    checker
        .report(
            &USER_NAMESPACES_DISABLED,
            &remap.origin,
            format!("user namespace remapping is off{note}: root in a container is root on the host"),
        )
        .help = Some("set `\"userns-remap\": \"default\"` in daemon.json, or run the daemon rootless".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_a_daemon_without_remapping_unless_rootless() {
        let mut config = unknown();
        assert!(run(&USER_NAMESPACES_DISABLED, &config).is_empty());
        config.userns_remap = Some(set(true, 3));
        assert!(run(&USER_NAMESPACES_DISABLED, &config).is_empty());
        config.userns_remap = Some(set(false, 3));
        assert_eq!(starts(&run(&USER_NAMESPACES_DISABLED, &config)), [3]);
        config.rootless = Some(set(true, 9));
        assert!(run(&USER_NAMESPACES_DISABLED, &config).is_empty());
    }
}
