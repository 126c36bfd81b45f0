use shipshape_model::{EngineConfig, Severity, SocketStat, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Checks the Engine API's unix socket (`/var/run/docker.sock`) as the live audit saw it:
    ///
    /// - critical: anyone may connect (the socket is writable by others, e.g. mode `666`);
    /// - high: a user other than root owns it (a rootful daemon's socket);
    /// - medium: a group other than `docker` or `root` may connect, or the mode allows more
    ///   than `660` in another way (read or execute bits for others, execute bits).
    ///
    /// A rootless daemon's socket belongs to the user who runs it, so its owner and group are not
    /// checked. Only the live audit reads the socket; files shipshape scans never set it.
    ///
    /// ## Why is this bad?
    /// Connecting to the socket is root on the host: `docker run -v /:/host --privileged` is one
    /// request away. Every user who can write to the socket, through its mode, its owner or its
    /// group, holds that power.
    ///
    /// ## Example
    /// ```text
    /// srw-rw-rw- 1 root docker 0 Jan 20 10:12 /var/run/docker.sock
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// srw-rw---- 1 root docker 0 Jan 20 10:12 /var/run/docker.sock
    /// ```
    ///
    /// ## Fix
    /// `chown root:docker /var/run/docker.sock && chmod 660 /var/run/docker.sock`, and find what
    /// changed it: the daemon creates the socket `root:docker` `660` (the systemd
    /// `docker.socket` unit sets `SocketMode=0660`, `SocketGroup=docker`). Keep the `docker`
    /// group as small as the `sudo` group: its members are root.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 3.15 "Ensure that the Docker socket file ownership is set to root:docker"
    /// - CIS Docker Benchmark v1.6.0 3.16 "Ensure that the Docker socket file permissions are set to 660 or more restrictively"
    /// - Docker documentation, "Docker daemon attack surface"
    pub static ENGINE_SOCKET_PERMISSIONS = {
        code: "ISO405",
        name: "engine-socket-permissions",
        layer: Isolation,
        threat: ExcessPrivilege,
        asset: Host,
        severity: High,
        fix: None,
        summary: "users other than root and the docker group may use the Engine API socket",
        aliases: [(CisDocker, "3.15"), (CisDocker, "3.16")],
    }
}

fn is_root(id: &str) -> bool {
    matches!(id.trim(), "root" | "0")
}

/// The problems with a socket, each with its severity, worst first.
fn problems(socket: &SocketStat, rootless: bool) -> Vec<(Severity, String)> {
    let mode = socket.mode & 0o7777;
    let mut out = Vec::new();
    if mode & 0o002 != 0 {
        out.push((
            Severity::Critical,
            format!("mode {mode:04o} lets every local user connect: each of them is root"),
        ));
    } else if mode & !0o660 != 0 {
        out.push((Severity::Medium, format!("mode {mode:04o} is more permissive than 0660")));
    }
    if !rootless {
        if !is_root(&socket.owner) {
            out.push((
                Severity::High,
                format!("it is owned by `{}`, who controls the root daemon through it", socket.owner),
            ));
        }
        let group = socket.group.trim();
        if mode & 0o020 != 0 && group != "docker" && !is_root(group) {
            out.push((Severity::Medium, format!("group `{group}` may connect: every member of it is root")));
        }
    }
    out
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(socket) = &config.socket else { return };
    for (severity, why) in problems(socket, config.is_rootless()) {
        let finding = checker.report(
            &ENGINE_SOCKET_PERMISSIONS,
            &socket.origin,
            format!("the Engine API socket `{}` is too open: {why}", socket.path),
        );
        finding.severity = severity;
        finding.help = Some(format!("`chown root:docker {0} && chmod 660 {0}`", socket.path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{at, run, set, unknown};

    fn socket(mode: u32, owner: &str, group: &str) -> SocketStat {
        SocketStat {
            path: "/var/run/docker.sock".into(),
            mode,
            owner: owner.into(),
            group: group.into(),
            origin: at(0),
        }
    }

    fn severities(config: &EngineConfig) -> Vec<Severity> {
        run(&ENGINE_SOCKET_PERMISSIONS, config).iter().map(|f| f.severity).collect()
    }

    #[test]
    fn judges_mode_owner_and_group() {
        let mut config = unknown();
        assert!(severities(&config).is_empty());
        for clean in
            [socket(0o660, "root", "docker"), socket(0o600, "0", "0"), socket(0o140660, "root", "docker")]
        {
            config.socket = Some(clean);
            assert!(severities(&config).is_empty());
        }
        config.socket = Some(socket(0o666, "root", "docker"));
        assert_eq!(severities(&config), [Severity::Critical]);
        config.socket = Some(socket(0o664, "root", "docker"));
        assert_eq!(severities(&config), [Severity::Medium]);
        config.socket = Some(socket(0o660, "alice", "users"));
        assert_eq!(severities(&config), [Severity::High, Severity::Medium]);
        config.rootless = Some(set(true, 1));
        assert!(severities(&config).is_empty(), "a rootless daemon's socket is its user's");
    }
}
