use shipshape_model::{EngineConfig, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Reports a Docker daemon that runs as root: `docker info` lists no `name=rootless` among
    /// its `SecurityOptions`. A daemon.json does not say how the daemon is started, so only
    /// `docker info` (or the live audit) triggers this rule. Informational: most hosts run the
    /// daemon as root, and rootless mode has limits (no `--privileged` that works as expected,
    /// slower networking, no AppArmor).
    ///
    /// ## Why is this bad?
    /// The daemon and the container runtime it starts run with full root privileges, so a bug
    /// in either, or an escape from a container, hands over the host. A rootless daemon runs as
    /// an ordinary user inside a user namespace: an escape lands as that user.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "SecurityOptions": ["name=apparmor", "name=seccomp,profile=builtin", "name=cgroupns"]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"]
    /// }
    /// ```
    ///
    /// ## Fix
    /// Where the workloads allow it, install rootless Docker (`dockerd-rootless-setuptool.sh
    /// install`) for the user that runs them. Otherwise enable user namespace remapping
    /// (`userns-remap`), which keeps the daemon rootful but maps container root to an
    /// unprivileged host id, and suppress this finding with that reason.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.1 "Run the Docker daemon as a non-root user, if possible"
    /// - Docker documentation, "Run the Docker daemon as a non-root user (Rootless mode)"
    pub static ROOTFUL_DAEMON = {
        code: "PRV403",
        name: "rootful-daemon",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Info,
        fix: None,
        summary: "the Docker daemon runs as root",
        aliases: [(CisDocker, "2.1")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(rootless) = &config.rootless else { return };
    if !rootless.value {
        checker
            .report(
                &ROOTFUL_DAEMON,
                &rootless.origin,
                "the daemon runs as root: a daemon bug or a container escape hands over the host",
            )
            .help =
            Some("run the daemon rootless where the workloads allow it, or enable `userns-remap`".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn reports_a_rootful_daemon() {
        let mut config = unknown();
        assert!(run(&ROOTFUL_DAEMON, &config).is_empty());
        config.rootless = Some(set(true, 4));
        assert!(run(&ROOTFUL_DAEMON, &config).is_empty());
        config.rootless = Some(set(false, 4));
        let findings = run(&ROOTFUL_DAEMON, &config);
        assert_eq!(starts(&findings), [4]);
        assert_eq!(findings[0].severity, shipshape_model::Severity::Info);
    }
}
