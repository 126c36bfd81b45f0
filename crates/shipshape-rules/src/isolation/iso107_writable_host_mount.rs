use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso105_runtime_socket_mount::{RUNTIME_SOCKET_MOUNT, exposed_socket};
use crate::isolation::iso106_sensitive_host_mount::{
    SENSITIVE_HOST_MOUNT, classify_host_path, is_host_mount,
};

declare_rule! {
    /// ## What it does
    /// Flags a writable bind mount of a host path (a mount without `:ro` / `read_only: true`).
    /// Named volumes, tmpfs mounts and read-only binds are not flagged. A mount that
    /// `sensitive-host-mount` or `runtime-socket-mount` reports is left to them while they are
    /// enabled, so one mount gets one finding.
    ///
    /// ## Why is this bad?
    /// A writable host directory is a channel from the container to the host: a compromised
    /// container can plant files that the host or another container later trusts (scripts,
    /// configuration, `.git/hooks`, cron files of a backup job) or fill the host's disk. Most
    /// bind mounts only need to be read.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - ./site:/usr/share/nginx/html
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - ./site:/usr/share/nginx/html:ro
    /// ```
    ///
    /// ## Fix
    /// Add `:ro` (short syntax) or `read_only: true` (long syntax) where the container only reads
    /// the files; use a named volume for data the container owns.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.5
    /// - Kubernetes Pod Security Standards, baseline: HostPath Volumes
    pub static WRITABLE_HOST_MOUNT = {
        code: "ISO107",
        name: "writable-host-mount",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "a host path is mounted writable",
        aliases: [(Pss, "baseline/hostpath-volumes")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let sensitive_runs = checker.enabled(&SENSITIVE_HOST_MOUNT);
    let socket_runs = checker.enabled(&RUNTIME_SOCKET_MOUNT);
    for mount in workload.mounts.iter().filter(|m| is_host_mount(m) && !m.read_only) {
        let Some(source) = mount.source.as_deref() else { continue };
        if (sensitive_runs && classify_host_path(source, false).is_some())
            || (socket_runs && exposed_socket(source).is_some())
        {
            continue;
        }
        checker
            .report(
                &WRITABLE_HOST_MOUNT,
                &mount.origin,
                format!("host path `{source}` is mounted writable at `{}`", mount.target),
            )
            .help = Some("add `:ro` if the container only reads it, or use a named volume".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{bind, run, run_with_all, service, starts};
    use shipshape_model::MountKind;

    #[test]
    fn flags_writable_binds_only() {
        let mut w = service();
        w.mounts = vec![
            bind("/srv/app/data", "/data", false, 10),
            bind("/srv/app/conf", "/conf", true, 20),
            bind("/home/alice/project/src", "/src", false, 30),
        ];
        let mut volume = bind("pgdata", "/var/lib/postgresql/data", false, 40);
        volume.kind = MountKind::Volume;
        w.mounts.push(volume);
        let mut tmpfs = bind("", "/tmp", false, 50);
        tmpfs.kind = MountKind::Tmpfs;
        tmpfs.source = None;
        w.mounts.push(tmpfs);
        assert_eq!(starts(&run(&WRITABLE_HOST_MOUNT, &w)), [10, 30]);
    }

    #[test]
    fn defers_to_the_specific_rules_while_they_run() {
        let mut w = service();
        w.mounts = vec![
            bind("/etc", "/host/etc", false, 10),
            bind("/var/run/docker.sock", "/var/run/docker.sock", false, 20),
            bind("/srv/data", "/data", false, 30),
        ];
        assert_eq!(starts(&run_with_all(&WRITABLE_HOST_MOUNT, &w)), [30]);
        assert_eq!(starts(&run(&WRITABLE_HOST_MOUNT, &w)), [10, 20, 30]);
    }
}
