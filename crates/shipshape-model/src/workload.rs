//! `Workload`: one container as it will run, whatever described it.
//!
//! A Compose service, a `docker inspect` object, a Kubernetes pod's container, a live engine's
//! container and an admission request all lower to this struct, so one rule serves every
//! platform. Every field that a file set carries the [`Origin`] that set it; a field that nothing
//! set is `None` (or empty) and means the platform's default, which rules must know.

use crate::image_spec::{ImageRef, ImageSpec};
use crate::span::Origin;
use serde::Serialize;
use std::sync::Arc;

/// A value and the place that set it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Self { value, origin }
    }
}

/// Which platform described the workload (decides defaults, e.g. Kubernetes drops no
/// capabilities but Docker's default set is the same; Compose `ports` bind 0.0.0.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    Compose,
    DockerInspect,
    DockerHost,
    Kubernetes,
}

/// How a namespace is shared with something outside the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", content = "target", rename_all = "kebab-case")]
pub enum NamespaceMode {
    /// The host's namespace (`pid: host`, `network_mode: host`, `hostPID: true`).
    Host,
    /// Another container's or service's namespace (`container:x`, `service:x`).
    Container(String),
    /// Explicitly private (`private`, `none`, `shareable`, ...), as written.
    Private(String),
}

/// The namespaces a workload may share with the host. `None`: the platform default (private).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Namespaces {
    pub pid: Option<Setting<NamespaceMode>>,
    pub ipc: Option<Setting<NamespaceMode>>,
    pub network: Option<Setting<NamespaceMode>>,
    pub uts: Option<Setting<NamespaceMode>>,
    pub user: Option<Setting<NamespaceMode>>,
    pub cgroup: Option<Setting<NamespaceMode>>,
}

/// What kind of mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MountKind {
    /// A host path.
    Bind,
    /// A named or anonymous volume.
    Volume,
    Tmpfs,
    /// A named pipe (Windows).
    Npipe,
    /// Compose `image` volumes, Kubernetes projected/configMap/secret volumes and the like.
    Other,
}

/// One mount into the container.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path for binds (as written, after interpolation; relative paths resolved against the
    /// project directory where the platform does), volume name for volumes.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// `rshared`, `shared`, `slave`, ... as written.
    pub propagation: Option<String>,
    /// SELinux relabel option `z`/`Z` when set.
    pub selinux_label: Option<String>,
    pub origin: Origin,
}

/// A host device made available (`devices:`, `--device`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    pub host_path: String,
    pub container_path: Option<String>,
    /// `rwm` subset as written.
    pub permissions: Option<String>,
    pub origin: Origin,
}

/// Security options: LSM profiles and related switches.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SecurityOptions {
    /// Seccomp profile: `unconfined`, `runtime/default`, a path or `Localhost/...`.
    pub seccomp: Option<Setting<String>>,
    /// AppArmor profile: `unconfined`, `runtime/default`, `docker-default`, a name.
    pub apparmor: Option<Setting<String>>,
    /// SELinux options (`label=disable`, `label=type:...`, Kubernetes seLinuxOptions).
    pub selinux: Vec<Setting<String>>,
    /// `no-new-privileges` / `allowPrivilegeEscalation: false` (stored as "no new privileges").
    pub no_new_privileges: Option<Setting<bool>>,
    /// `systempaths=unconfined` / `procMount: Unmasked`.
    pub unmasked_paths: Option<Setting<bool>>,
}

/// Resource limits. `None`: unlimited.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resources {
    /// Memory limit in bytes.
    pub memory: Option<Setting<u64>>,
    /// CPU limit in cores (`cpus`, `NanoCpus / 1e9`, Kubernetes `cpu` limit).
    pub cpus: Option<Setting<f64>>,
    /// Relative CPU weight (`cpu_shares`).
    pub cpu_shares: Option<Setting<u64>>,
    /// PID limit; values <= 0 mean unlimited on Docker.
    pub pids: Option<Setting<i64>>,
}

/// A port published on the host.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortMapping {
    /// Host address; `None` means every interface.
    pub host_ip: Option<String>,
    /// First host port; `None` means an ephemeral port chosen by the engine.
    pub host_port: Option<u16>,
    pub host_port_end: Option<u16>,
    pub container_port: u16,
    pub container_port_end: Option<u16>,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    pub origin: Origin,
}

impl PortMapping {
    /// Whether the port listens on every interface (no host IP, `0.0.0.0` or `::`).
    pub fn on_all_interfaces(&self) -> bool {
        match self.host_ip.as_deref().map(str::trim) {
            None | Some("") | Some("0.0.0.0") | Some("::") | Some("[::]") => true,
            Some(_) => false,
        }
    }
}

/// One environment variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvVariable {
    pub name: String,
    /// `None`: passed through from the caller's environment (`environment: [NAME]`).
    pub value: Option<String>,
    /// The entry that set it: in the compose file, the `env_file`, or the inspect JSON.
    pub origin: Origin,
    /// The value alone, when the front end can tell exactly where it is written (so a secret's
    /// finding, and its redaction, cover the value and not the variable's name).
    pub value_origin: Option<Origin>,
}

/// A healthcheck as configured for the running container.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadHealthcheck {
    /// `disable: true`, `test: ["NONE"]`.
    pub disabled: bool,
    /// The test command as written (`CMD`, `CMD-SHELL` forms joined by spaces).
    pub test: Option<String>,
    pub origin: Origin,
}

/// Where a workload's image is built from (`build:` in Compose).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildLink {
    /// The build context directory, resolved against the project directory.
    pub context: String,
    /// The Dockerfile path, resolved against the context.
    pub dockerfile: String,
    /// `target:` stage, if set.
    pub target: Option<String>,
    pub origin: Origin,
}

/// One container as it will run.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    /// Service name, container name, or `pod/container`.
    pub name: String,
    pub platform: Platform,
    /// The definition as a whole (the service's key, the inspect object, the container entry).
    pub origin: Origin,
    pub image: Option<Setting<String>>,
    /// `image` parsed, when it is a valid reference.
    pub image_ref: Option<ImageRef>,
    pub build: Option<BuildLink>,
    /// The image as built from `build`, when shipshape could read its Dockerfile: the effective
    /// user, ports and healthcheck come from it unless the workload overrides them.
    #[serde(skip)]
    pub image_spec: Option<Arc<ImageSpec>>,
    pub user: Option<Setting<String>>,
    pub privileged: Option<Setting<bool>>,
    /// Capabilities added, upper-case without the `CAP_` prefix (`ALL` kept as `ALL`).
    pub cap_add: Vec<Setting<String>>,
    pub cap_drop: Vec<Setting<String>>,
    pub namespaces: Namespaces,
    pub mounts: Vec<Mount>,
    pub devices: Vec<Device>,
    pub device_cgroup_rules: Vec<Setting<String>>,
    pub security: SecurityOptions,
    pub read_only_rootfs: Option<Setting<bool>>,
    pub resources: Resources,
    pub ports: Vec<PortMapping>,
    /// Container ports exposed without publishing (`expose:`, `ExposedPorts`).
    pub exposed: Vec<Setting<String>>,
    pub env: Vec<EnvVariable>,
    /// Secrets mounted by the platform (names).
    pub secrets: Vec<Setting<String>>,
    pub sysctls: Vec<Setting<(String, String)>>,
    pub healthcheck: Option<WorkloadHealthcheck>,
    /// `no`, `always`, `on-failure[:n]`, `unless-stopped`.
    pub restart: Option<Setting<String>>,
    /// Networks joined (Compose network keys, or names from inspect).
    pub networks: Vec<Setting<String>>,
    /// Logging driver (`none` disables logs).
    pub logging_driver: Option<Setting<String>>,
    /// Compose `use_api_socket: true` (the engine's socket mounted for the container).
    pub use_api_socket: Option<Setting<bool>>,
    /// `oom_kill_disable: true`.
    pub oom_kill_disable: Option<Setting<bool>>,
}

impl Workload {
    /// An empty workload: every setting at the platform default.
    pub fn new(name: impl Into<String>, platform: Platform, origin: Origin) -> Self {
        Self {
            name: name.into(),
            platform,
            origin,
            image: None,
            image_ref: None,
            build: None,
            image_spec: None,
            user: None,
            privileged: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            namespaces: Namespaces::default(),
            mounts: Vec::new(),
            devices: Vec::new(),
            device_cgroup_rules: Vec::new(),
            security: SecurityOptions::default(),
            read_only_rootfs: None,
            resources: Resources::default(),
            ports: Vec::new(),
            exposed: Vec::new(),
            env: Vec::new(),
            secrets: Vec::new(),
            sysctls: Vec::new(),
            healthcheck: None,
            restart: None,
            networks: Vec::new(),
            logging_driver: None,
            use_api_socket: None,
            oom_kill_disable: None,
        }
    }

    pub fn is_privileged(&self) -> bool {
        self.privileged.as_ref().is_some_and(|p| p.value)
    }

    /// Whether capability `name` (upper-case, no `CAP_` prefix) is added, directly or via `ALL`.
    pub fn adds_capability(&self, name: &str) -> Option<&Setting<String>> {
        self.cap_add.iter().find(|c| c.value == name || c.value == "ALL")
    }

    /// Whether every capability is dropped (`cap_drop: [ALL]`).
    pub fn drops_all_capabilities(&self) -> bool {
        self.cap_drop.iter().any(|c| c.value == "ALL")
    }

    /// The user the container runs as, and who decided it.
    pub fn effective_user(&self) -> EffectiveUser<'_> {
        if let Some(user) = &self.user {
            return EffectiveUser::Workload(user);
        }
        if let Some(stage) = self.image_spec.as_deref().and_then(ImageSpec::final_stage) {
            return match &stage.user {
                Some(value) => EffectiveUser::Image(value),
                None => EffectiveUser::ImageDefault,
            };
        }
        EffectiveUser::Unknown
    }
}

/// Who decides a workload's user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EffectiveUser<'a> {
    /// The workload sets it (`user:`, `runAsUser`, `Config.User`).
    Workload(&'a Setting<String>),
    /// The linked Dockerfile's final `USER`.
    Image(&'a crate::image_spec::Value),
    /// The linked Dockerfile sets no `USER`: the base image's default, root for most images.
    ImageDefault,
    /// Nothing shipshape can read says: the image's own config decides.
    Unknown,
}

/// A network of a deployment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkDef {
    pub name: String,
    /// `internal: true` (no route outside).
    pub internal: bool,
    /// Declared `external: true` (created outside the project).
    pub external: bool,
    pub driver: Option<String>,
    pub origin: Option<Origin>,
}

/// Workloads deployed together (a Compose project, a set of Kubernetes manifests), for rules that
/// reason across containers: who can reach whom, and what each one could do to the host.
#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    pub name: String,
    pub platform: Platform,
    pub workloads: Vec<Workload>,
    pub networks: Vec<NetworkDef>,
    /// The file that defines the deployment (the first Compose file).
    pub origin: Origin,
}
