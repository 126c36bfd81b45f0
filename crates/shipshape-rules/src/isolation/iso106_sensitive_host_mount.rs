use shipshape_model::{Mount, MountKind, Severity, Workload, declare_rule};

use crate::context::Checker;
use Scope::{Children, Exact, Subtree, Weakened};
use Severity::{Critical, High, Low, Medium};

declare_rule! {
    /// ## What it does
    /// Flags a bind mount of a sensitive host path: `/`, `/etc`, `/proc`, `/sys`, `/dev`,
    /// `/boot`, `/lib/modules`, `/usr`, `/bin`, `/sbin`, `/lib`, `/lib64`, `/root`, home
    /// directories (`/home`, `/home/<user>`), container-runtime and cluster state
    /// (`/var/lib/docker`, `/var/lib/containerd`, `/var/lib/containers`, `/var/lib/kubelet`,
    /// `/var/lib/etcd`, `/var/lib/rancher`), `/var/log`, and credential directories anywhere
    /// (`.ssh`, `.aws`, `.kube`, `.docker`, `.gnupg`, ...).
    ///
    /// Paths are compared component by component after normalisation (`//`, `.`, `..`, a
    /// trailing `/`): `/etc/` and `/etc/shadow` are sensitive, `/etcetera` and `/data/etc` are
    /// not. A parent of a sensitive path is as sensitive as what it contains (`/var` holds
    /// `/var/lib/docker`). Below a home directory only credential directories count, so a
    /// project checked out under `/home/<user>` is not flagged (see `writable-host-mount`).
    ///
    /// The severity depends on the path and on whether the mount is writable: a writable `/`,
    /// `/etc`, `/proc`, `/sys`, `/boot`, `/usr` or `/var/lib/docker` is critical (host takeover);
    /// a read-only one is high where it exposes secrets (`/etc`, `/root`, runtime state,
    /// credentials), medium or low otherwise. Read-only mounts of files that are harmless to
    /// read (`/etc/localtime`, `/etc/timezone`, `/usr/share/zoneinfo`, `/etc/hosts`,
    /// `/etc/resolv.conf`, `/etc/machine-id`, `/etc/os-release`, `/etc/passwd`, `/etc/group`,
    /// CA certificate directories) and the syslog socket `/dev/log` are not flagged.
    /// Runtime sockets and `/run` are the business of `runtime-socket-mount`.
    ///
    /// ## Why is this bad?
    /// A writable host path under the container's control is a way out: write `/etc/cron.d`,
    /// `/root/.ssh/authorized_keys`, a binary in `/usr/bin` or a kernel module and the host runs
    /// your code as root. A read-only mount still hands over what it contains: password
    /// hashes, SSH host keys, service-account tokens, every other container's files.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: example/agent:1.4
    ///     volumes:
    ///       - /etc:/host/etc
    ///       - /var/lib/docker:/var/lib/docker:ro
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: example/agent:1.4
    ///     volumes:
    ///       - /etc/localtime:/etc/localtime:ro
    ///       - agent-data:/var/lib/agent
    /// volumes:
    ///   agent-data:
    /// ```
    ///
    /// ## Fix
    /// Mount only the specific file or directory the container needs, read-only (`:ro`), or
    /// use a named volume. Monitoring agents that need `/proc` or `/sys` should mount them
    /// read-only; review and suppress the finding with a reason.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.5 "Ensure sensitive host system directories are not mounted on containers"
    /// - Kubernetes Pod Security Standards, baseline: HostPath Volumes
    pub static SENSITIVE_HOST_MOUNT = {
        code: "ISO106",
        name: "sensitive-host-mount",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "a sensitive host path is mounted into the container",
        aliases: [
            (CisDocker, "5.5"),
            (Kics, "1c1325ff-831d-43a1-973e-839ae57dfcc0"),
            (Pss, "baseline/hostpath-volumes"),
        ],
    }
}

/// Normalises an absolute host path: collapses `//`, `.` and `..` and drops a trailing `/`.
/// `~` and `~user` (left unexpanded by a loader) stand for a home directory under `/home`.
/// Returns `None` for relative and Windows paths.
pub(crate) fn normalize_host_path(path: &str) -> Option<String> {
    let path = path.trim();
    let expanded;
    let path = match path.strip_prefix('~') {
        Some(rest) => {
            let (user, tail) = rest.split_once('/').map_or((rest, ""), |(u, t)| (u, t));
            let user = if user.is_empty() { "~" } else { user };
            expanded = format!("/home/{user}/{tail}");
            expanded.as_str()
        }
        None => path,
    };
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether normalised `path` is `base` or lies below it (component-wise: `/etcetera` is not
/// within `/etc`).
pub(crate) fn is_within(path: &str, base: &str) -> bool {
    if base == "/" {
        return path.starts_with('/');
    }
    path.strip_prefix(base).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// Only the path itself (and its parents).
    Exact,
    /// The path and everything below it, equally.
    Subtree,
    /// The path, and below it at most high (writable) / medium (read-only).
    Weakened,
    /// The path and its direct children (`/home/<user>`).
    Children,
}

struct Entry {
    path: &'static str,
    writable: Severity,
    read_only: Severity,
    scope: Scope,
    what: &'static str,
}

const fn entry(
    path: &'static str,
    writable: Severity,
    read_only: Severity,
    scope: Scope,
    what: &'static str,
) -> Entry {
    Entry { path, writable, read_only, scope, what }
}

const SENSITIVE: &[Entry] = &[
    entry("/", Critical, High, Exact, "the host's whole file system"),
    entry("/etc", Critical, High, Weakened, "the host's configuration"),
    entry("/etc/shadow", Critical, High, Subtree, "password hashes"),
    entry("/etc/gshadow", Critical, High, Subtree, "group password hashes"),
    entry("/etc/passwd", Critical, Low, Subtree, "the host's user accounts"),
    entry("/etc/sudoers", Critical, Medium, Subtree, "sudo rules"),
    entry("/etc/sudoers.d", Critical, Medium, Subtree, "sudo rules"),
    entry("/etc/cron.d", Critical, Low, Subtree, "cron jobs the host runs as root"),
    entry("/etc/crontab", Critical, Low, Subtree, "cron jobs the host runs as root"),
    entry("/etc/systemd", Critical, Low, Subtree, "systemd units the host runs as root"),
    entry("/etc/ssh", Critical, High, Subtree, "SSH host keys and server configuration"),
    entry("/etc/kubernetes", Critical, High, Subtree, "Kubernetes admin credentials and PKI"),
    entry("/etc/docker", Critical, High, Subtree, "Docker daemon configuration and TLS keys"),
    entry("/etc/containerd", Critical, Medium, Subtree, "containerd configuration"),
    entry("/etc/ssl/private", High, High, Subtree, "TLS private keys"),
    entry("/etc/letsencrypt", High, High, Subtree, "TLS certificates and their private keys"),
    entry("/root", Critical, High, Exact, "root's home directory"),
    entry("/home", High, Medium, Children, "users' home directories"),
    entry("/proc", Critical, Medium, Subtree, "the host's processes and kernel settings"),
    entry("/sys", Critical, Medium, Subtree, "kernel, cgroup and device settings"),
    entry("/dev", Critical, Medium, Weakened, "the host's devices"),
    entry("/boot", Critical, Medium, Subtree, "the host's kernel and boot loader"),
    entry("/lib/modules", Critical, Medium, Subtree, "kernel modules"),
    entry("/usr", Critical, Low, Weakened, "the host's programs and libraries"),
    entry("/bin", Critical, Low, Weakened, "the host's programs"),
    entry("/sbin", Critical, Low, Weakened, "the host's system programs"),
    entry("/lib", Critical, Low, Weakened, "the host's libraries"),
    entry("/lib64", Critical, Low, Weakened, "the host's libraries"),
    entry("/var/lib/docker", Critical, High, Subtree, "every container's files, volumes and configuration"),
    entry(
        "/var/lib/containerd",
        Critical,
        High,
        Subtree,
        "containerd's images, snapshots and container state",
    ),
    entry("/var/lib/containers", Critical, High, Subtree, "Podman and CRI-O storage"),
    entry("/var/lib/kubelet", Critical, High, Subtree, "pod volumes and service-account tokens"),
    entry("/var/lib/etcd", Critical, High, Subtree, "the cluster datastore with every Secret"),
    entry("/var/lib/rancher", Critical, High, Subtree, "k3s/RKE2 state and join tokens"),
    entry("/var/spool/cron", Critical, Low, Subtree, "crontabs the host runs"),
    entry("/var/log", Medium, Low, Subtree, "the host's logs"),
];

/// Read-only mounts of these (and below them) are harmless: public or non-secret data that
/// containers commonly need.
const HARMLESS_READ_ONLY: &[&str] = &[
    "/etc/localtime",
    "/etc/timezone",
    "/usr/share/zoneinfo",
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/machine-id",
    "/var/lib/dbus/machine-id",
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/passwd",
    "/etc/group",
    "/etc/ssl/certs",
    "/etc/ca-certificates",
    "/etc/pki/ca-trust",
    "/etc/pki/tls/certs",
    "/usr/share/ca-certificates",
    "/usr/local/share/ca-certificates",
];

/// Mounts of these are harmless in either mode.
const HARMLESS: &[&str] = &["/dev/log", "/dev/null", "/dev/zero", "/dev/random", "/dev/urandom"];

/// Path components that hold credentials wherever they are.
const CREDENTIAL_NAMES: &[&str] = &[
    ".ssh",
    ".aws",
    ".kube",
    ".docker",
    ".gnupg",
    ".azure",
    ".netrc",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".pgpass",
    ".vault-token",
    ".password-store",
];

/// Why a host path is sensitive and how much.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sensitivity {
    pub(crate) severity: Severity,
    /// What the path is or holds, e.g. "password hashes".
    pub(crate) what: String,
    /// The normalised path.
    pub(crate) path: String,
}

/// The first credential directory or file named in `components`.
fn credential_component<'a>(components: &[&'a str]) -> Option<&'a str> {
    components.iter().enumerate().find_map(|(i, c)| {
        if CREDENTIAL_NAMES.contains(c) {
            Some(*c)
        } else if *c == "gcloud" && i > 0 && components.get(i - 1) == Some(&".config") {
            Some(".config/gcloud")
        } else {
            None
        }
    })
}

/// Severity of a mount of credentials: a writable `.ssh` takes `authorized_keys`, a login.
fn credential_severity(name: &str, read_only: bool) -> Severity {
    if name == ".ssh" && !read_only { Critical } else { High }
}

/// Classifies a bind-mount source. `None`: not sensitive. Relative and Windows paths are only
/// checked for credential directories.
pub(crate) fn classify_host_path(source: &str, read_only: bool) -> Option<Sensitivity> {
    let Some(path) = normalize_host_path(source) else {
        let components: Vec<&str> = source.trim().split(['/', '\\']).collect();
        let name = credential_component(&components)?;
        return Some(Sensitivity {
            severity: credential_severity(name, read_only),
            what: format!("`{name}` holds credentials"),
            path: source.trim().to_string(),
        });
    };
    if HARMLESS.iter().any(|h| is_within(&path, h)) {
        return None;
    }
    if read_only && HARMLESS_READ_ONLY.iter().any(|h| is_within(&path, h)) {
        return None;
    }
    let pick = |e: &Entry| if read_only { e.read_only } else { e.writable };
    let mut best: Option<(Severity, usize, String)> = None;
    let mut consider = |severity: Severity, specificity: usize, what: String| {
        let better = match &best {
            None => true,
            Some((s, spec, _)) => severity > *s || (severity == *s && specificity > *spec),
        };
        if better {
            best = Some((severity, specificity, what));
        }
    };
    for e in SENSITIVE {
        if path == e.path {
            consider(pick(e), e.path.len() + 1, e.what.to_string());
        } else if e.path != "/" && is_within(&path, e.path) {
            let severity = match e.scope {
                Exact => continue,
                Subtree => pick(e),
                Weakened if read_only => e.read_only.min(Medium),
                Weakened => e.writable.min(High),
                Children => {
                    let below = path.get(e.path.len() + 1..).unwrap_or_default();
                    if below.contains('/') {
                        continue;
                    }
                    pick(e)
                }
            };
            consider(severity, e.path.len(), format!("it is inside `{}` ({})", e.path, e.what));
        } else if is_within(e.path, &path) {
            consider(pick(e), 0, format!("it contains `{}` ({})", e.path, e.what));
        }
    }
    let components: Vec<&str> = path.split('/').collect();
    if let Some(name) = credential_component(&components) {
        consider(credential_severity(name, read_only), usize::MAX, format!("`{name}` holds credentials"));
    }
    let (severity, _, what) = best?;
    Some(Sensitivity { severity, what, path })
}

/// Whether `mount` brings a host path into the container.
pub(crate) fn is_host_mount(mount: &Mount) -> bool {
    matches!(mount.kind, MountKind::Bind)
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for mount in workload.mounts.iter().filter(|m| is_host_mount(m)) {
        let Some(source) = mount.source.as_deref() else { continue };
        let Some(found) = classify_host_path(source, mount.read_only) else { continue };
        let mode = if mount.read_only { "read-only" } else { "writable" };
        let what = if found.what.starts_with("it ") || found.what.starts_with('`') {
            found.what.clone()
        } else {
            format!("it holds {}", found.what)
        };
        let finding = checker.report(
            &SENSITIVE_HOST_MOUNT,
            &mount.origin,
            format!("host path `{}` is mounted {mode} at `{}`: {what}", found.path, mount.target),
        );
        finding.severity = found.severity;
        finding.help = Some(if mount.read_only {
            "mount only the specific file the container needs, or use a named volume".to_string()
        } else {
            "mount only what the container needs, read-only (`:ro`), or use a named volume".to_string()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{bind, run, service, starts};

    fn severity(source: &str, read_only: bool) -> Option<Severity> {
        classify_host_path(source, read_only).map(|s| s.severity)
    }

    #[test]
    fn normalises_paths() {
        assert_eq!(normalize_host_path("/etc/").as_deref(), Some("/etc"));
        assert_eq!(normalize_host_path("//etc//ssh/./").as_deref(), Some("/etc/ssh"));
        assert_eq!(normalize_host_path("/srv/../etc").as_deref(), Some("/etc"));
        assert_eq!(normalize_host_path("/../../").as_deref(), Some("/"));
        assert_eq!(normalize_host_path(" / ").as_deref(), Some("/"));
        assert_eq!(normalize_host_path("~/.ssh").as_deref(), Some("/home/~/.ssh"));
        assert_eq!(normalize_host_path("~alice").as_deref(), Some("/home/alice"));
        assert_eq!(normalize_host_path("./data"), None);
        assert_eq!(normalize_host_path("C:\\data"), None);
        assert_eq!(normalize_host_path(""), None);
    }

    #[test]
    fn within_is_component_wise() {
        assert!(is_within("/etc", "/etc"));
        assert!(is_within("/etc/shadow", "/etc"));
        assert!(!is_within("/etcetera", "/etc"));
        assert!(!is_within("/data/etc", "/etc"));
        assert!(is_within("/anything", "/"));
    }

    #[test]
    fn exact_path_semantics() {
        assert_eq!(severity("/etc", false), Some(Critical));
        assert_eq!(severity("/etc/", false), Some(Critical));
        assert_eq!(severity("/etc/shadow", true), Some(High));
        assert_eq!(severity("/etc/nginx", true), Some(Medium));
        assert_eq!(severity("/etc/nginx", false), Some(High));
        assert_eq!(severity("/etcetera", false), None);
        assert_eq!(severity("/data/etc", false), None);
        assert_eq!(severity("/srv/app/../../etc", false), Some(Critical));
        assert_eq!(severity("/usrlocal", false), None);
        assert_eq!(severity("/procfs", false), None);
    }

    #[test]
    fn writable_is_worse_than_read_only() {
        for path in ["/", "/etc", "/proc", "/sys", "/var/lib/docker", "/usr", "/boot", "/root"] {
            let rw = severity(path, false).unwrap_or_else(|| panic!("{path}"));
            let ro = severity(path, true).unwrap_or_else(|| panic!("{path}"));
            assert_eq!(rw, Critical, "{path}");
            assert!(ro < rw, "{path}");
        }
        assert_eq!(severity("/var/log", false), Some(Medium));
        assert_eq!(severity("/var/log", true), Some(Low));
    }

    #[test]
    fn parents_of_sensitive_paths_are_sensitive() {
        assert_eq!(severity("/var", false), Some(Critical));
        assert_eq!(severity("/var/lib", true), Some(High));
        let var = classify_host_path("/var/", false).map(|s| s.what).unwrap_or_default();
        assert!(var.contains("/var/lib/"), "{var}");
    }

    #[test]
    fn home_directories_but_not_projects_below_them() {
        assert_eq!(severity("/home", false), Some(High));
        assert_eq!(severity("/home/alice", true), Some(Medium));
        assert_eq!(severity("/home/alice/project/data", false), None);
        assert_eq!(severity("/home/alice/.ssh", true), Some(High));
        assert_eq!(severity("~/.aws", true), Some(High));
        assert_eq!(severity("/home/alice/.config/gcloud", true), Some(High));
        assert_eq!(severity("/root", true), Some(High));
        assert_eq!(severity("/root/app/data", false), None);
        assert_eq!(severity("/root/.ssh/", false), Some(Critical));
        assert_eq!(severity("/srv/deploy/.docker", true), Some(High));
        assert_eq!(severity("project/~/.ssh", false), Some(Critical));
        assert_eq!(severity("./secrets/.aws", true), Some(High));
        assert_eq!(severity("./data", false), None);
    }

    #[test]
    fn harmless_read_only_files() {
        for path in
            ["/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo/UTC", "/etc/ssl/certs", "/etc/passwd"]
        {
            assert_eq!(severity(path, true), None, "{path}");
        }
        assert_eq!(severity("/etc/localtime", false), Some(High));
        assert_eq!(severity("/etc/passwd", false), Some(Critical));
        assert_eq!(severity("/dev/log", false), None);
        assert_eq!(severity("/etc/ssl/private", true), Some(High));
    }

    #[test]
    fn sockets_and_ordinary_paths_are_left_to_other_rules() {
        for path in ["/run", "/var/run/docker.sock", "/srv/data", "/opt/app", "/tmp", "/mnt/nfs"] {
            assert_eq!(severity(path, false), None, "{path}");
        }
    }

    #[test]
    fn reports_bind_mounts_with_their_severity() {
        let mut w = service();
        w.mounts = vec![
            bind("/etc/", "/host/etc", false, 10),
            bind("/var/lib/docker", "/docker", true, 20),
            bind("/etcetera", "/x", false, 30),
            bind("/srv/app", "/app", false, 40),
        ];
        let mut volume = bind("etc", "/etc", false, 50);
        volume.kind = MountKind::Volume;
        w.mounts.push(volume);
        let findings = run(&SENSITIVE_HOST_MOUNT, &w);
        assert_eq!(starts(&findings), [10, 20]);
        assert_eq!(findings[0].severity, Critical);
        assert_eq!(findings[1].severity, High);
        assert!(
            findings[0].message.contains("`/etc` is mounted writable at `/host/etc`"),
            "{}",
            findings[0].message
        );
    }
}
