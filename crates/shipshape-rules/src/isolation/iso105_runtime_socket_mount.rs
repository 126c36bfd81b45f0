use shipshape_model::{Mount, MountKind, Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso106_sensitive_host_mount::{is_within, normalize_host_path};

declare_rule! {
    /// ## What it does
    /// Flags a container that can reach a container runtime's API:
    /// - a bind mount of a runtime socket, recognised by its file name wherever it lives:
    ///   `docker.sock` (including rootless `/run/user/<uid>/docker.sock` and Docker Desktop's
    ///   `~/.docker/run/docker.sock`), `containerd.sock`, `crio.sock`, `podman.sock`,
    ///   `cri-dockerd.sock`, `dockershim.sock`, `buildkitd.sock`, `balena-engine.sock`, and the
    ///   Windows named pipe `\\.\pipe\docker_engine`;
    /// - a bind mount of a directory that holds one: `/`, `/run`, `/var/run`,
    ///   `/run/containerd`, `/run/podman`, `/run/crio`, `/run/docker`, `/run/k3s`,
    ///   `/run/buildkit`, `/run/user` and `/run/user/<uid>` (each also under `/var/run`);
    /// - Compose `use_api_socket: true`, which mounts the engine's socket for the container.
    ///
    /// A read-only mount (`:ro`) is flagged the same: it stops writes to the socket file, not
    /// requests through it.
    ///
    /// ## Why is this bad?
    /// The runtime's API is root on the host: anyone who can talk to it starts a privileged
    /// container with the host's `/` mounted and is done. Mounting the socket makes every bug in
    /// the container (or in anything the container runs) a full host compromise.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   ci-runner:
    ///     image: example/runner:5
    ///     volumes:
    ///       - /var/run/docker.sock:/var/run/docker.sock:ro
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   ci-runner:
    ///     image: example/runner:5
    ///     environment:
    ///       DOCKER_HOST: tcp://socket-proxy:2375
    ///   socket-proxy:
    ///     image: example/docker-socket-proxy:0.3
    ///     environment:
    ///       CONTAINERS: 1
    ///       POST: 0
    ///     volumes:
    ///       - /var/run/docker.sock:/var/run/docker.sock:ro  # reviewed: read-only API subset
    /// ```
    ///
    /// ## Fix
    /// Do not give workloads the runtime's API. Build images with a rootless builder, run CI
    /// jobs in their own VM, or put a filtering proxy in front of the socket and suppress the
    /// finding on the proxy alone with a reason.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.31 "Ensure that the Docker socket is not mounted inside any containers"
    /// - Kubernetes Pod Security Standards, baseline: HostPath Volumes
    pub static RUNTIME_SOCKET_MOUNT = {
        code: "ISO105",
        name: "runtime-socket-mount",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "the container can reach a container runtime's API socket",
        aliases: [
            (CisDocker, "5.31"),
            (Kics, "d6355c88-1e8d-49e9-b2f2-f8a1ca12c75b"),
            (Checkov, "CKV_K8S_27"),
            (Pss, "baseline/hostpath-volumes"),
        ],
    }
}

/// Socket (or pipe) file names and the runtime that listens on them.
const SOCKET_NAMES: &[(&str, &str)] = &[
    ("docker.sock", "Docker Engine"),
    ("containerd.sock", "containerd"),
    ("crio.sock", "CRI-O"),
    ("podman.sock", "Podman"),
    ("cri-dockerd.sock", "cri-dockerd"),
    ("dockershim.sock", "dockershim"),
    ("buildkitd.sock", "BuildKit"),
    ("balena-engine.sock", "balenaEngine"),
    ("docker_engine", "Docker Engine"),
];

/// Host directories (relative to `/run`, which `/var/run` links to) that hold a runtime socket.
const SOCKET_DIRS: &[(&str, &str)] = &[
    ("", "the Docker, containerd and Podman sockets"),
    ("containerd", "the containerd socket"),
    ("podman", "the Podman socket"),
    ("crio", "the CRI-O socket"),
    ("docker", "the socket of Docker's containerd"),
    ("k3s", "the k3s containerd socket"),
    ("k3s/containerd", "the k3s containerd socket"),
    ("buildkit", "the BuildKit socket"),
    ("user", "rootless Docker and Podman sockets"),
];

/// Why a host path exposes a runtime API, if it does.
pub(crate) fn exposed_socket(source: &str) -> Option<String> {
    let name = source.trim().trim_end_matches(['/', '\\']).rsplit(['/', '\\']).next().unwrap_or_default();
    if let Some((file, runtime)) = SOCKET_NAMES.iter().find(|(n, _)| name.eq_ignore_ascii_case(n)) {
        return Some(format!("`{file}` is the {runtime} API socket"));
    }
    let path = normalize_host_path(source)?;
    if path == "/" {
        return Some("it contains `/run` and with it the runtime sockets".to_string());
    }
    if path == "/var/snap/microk8s/common/run" {
        return Some("it holds the MicroK8s containerd socket".to_string());
    }
    let run = ["/run", "/var/run"].into_iter().find(|base| is_within(&path, base))?;
    let below = path.get(run.len()..).unwrap_or_default().trim_start_matches('/');
    if let Some((_, what)) = SOCKET_DIRS.iter().find(|(dir, _)| *dir == below) {
        return Some(format!("it holds {what}"));
    }
    // `/run/user/<uid>` and `/run/user/<uid>/podman`: rootless runtimes.
    let mut parts = below.split('/');
    if parts.next() == Some("user")
        && parts.next().is_some_and(|uid| !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit()))
        && matches!(parts.next(), None | Some("podman" | "docker"))
        && parts.next().is_none()
    {
        return Some("it holds rootless Docker or Podman sockets".to_string());
    }
    None
}

fn mount_exposes(mount: &Mount) -> Option<String> {
    if !matches!(mount.kind, MountKind::Bind | MountKind::Npipe) {
        return None;
    }
    exposed_socket(mount.source.as_deref()?)
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for mount in &workload.mounts {
        let Some(why) = mount_exposes(mount) else { continue };
        let source = mount.source.as_deref().unwrap_or_default();
        let ro = if mount.read_only { " (read-only does not help: requests still go through)" } else { "" };
        checker
            .report(
                &RUNTIME_SOCKET_MOUNT,
                &mount.origin,
                format!(
                    "host path `{source}` is mounted at `{}`: {why}, which is root on the host{ro}",
                    mount.target
                ),
            )
            .help =
            Some("do not mount runtime sockets; use a filtering socket proxy or a rootless builder".into());
    }
    if let Some(setting) = &workload.use_api_socket
        && setting.value
    {
        checker
            .report(
                &RUNTIME_SOCKET_MOUNT,
                &setting.origin,
                "`use_api_socket: true` mounts the engine's API socket into the container, which is root on the host",
            )
            .help = Some("remove `use_api_socket`".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{bind, run, service, set, starts};

    #[test]
    fn recognises_sockets_by_name() {
        for path in [
            "/var/run/docker.sock",
            "/run/docker.sock",
            "//var/run//docker.sock",
            "/home/alice/.docker/run/docker.sock",
            "/run/user/1000/docker.sock",
            "/run/containerd/containerd.sock",
            "/run/podman/podman.sock",
            "/run/user/1000/podman/podman.sock",
            "/var/run/crio/crio.sock",
            "/var/run/cri-dockerd.sock",
            "./docker.sock",
            "\\\\.\\pipe\\docker_engine",
        ] {
            assert!(exposed_socket(path).is_some(), "{path}");
        }
    }

    #[test]
    fn recognises_directories_holding_sockets() {
        for path in [
            "/",
            "/run",
            "/var/run/",
            "/run/containerd",
            "/var/run/podman",
            "/run/user/1000",
            "/run/user",
            "/run/k3s/containerd",
        ] {
            assert!(exposed_socket(path).is_some(), "{path}");
        }
        for path in [
            "/run/secrets",
            "/var/run/postgresql",
            "/running",
            "/srv/run",
            "/var",
            "/run/user/alice",
            "/run/user/1000/bus",
            "/var/lib/docker",
            "/tmp/dockersock",
        ] {
            assert!(exposed_socket(path).is_none(), "{path}");
        }
    }

    #[test]
    fn reports_mounts_and_api_socket_option() {
        let mut w = service();
        w.mounts = vec![
            bind("/var/run/docker.sock", "/var/run/docker.sock", true, 10),
            bind("/srv/data", "/data", false, 20),
            bind("/run/", "/host-run", false, 30),
        ];
        let mut pipe = bind("\\\\.\\pipe\\docker_engine", "\\\\.\\pipe\\docker_engine", false, 40);
        pipe.kind = MountKind::Npipe;
        w.mounts.push(pipe);
        let mut volume = bind("docker.sock", "/x", false, 50);
        volume.kind = MountKind::Volume;
        w.mounts.push(volume);
        w.use_api_socket = Some(set(true, 60));
        let findings = run(&RUNTIME_SOCKET_MOUNT, &w);
        assert_eq!(starts(&findings), [10, 30, 40, 60]);
        assert!(findings[0].message.contains("read-only does not help"));

        w.mounts.clear();
        w.use_api_socket = Some(set(false, 60));
        assert!(run(&RUNTIME_SOCKET_MOUNT, &w).is_empty());
    }
}
