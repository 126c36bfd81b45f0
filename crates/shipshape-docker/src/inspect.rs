//! `docker inspect` output (containers) lowered to [`Workload`]s.
//!
//! The input is what `docker inspect CONTAINER...` prints: a JSON array of objects (a single
//! object is accepted too). It is read through the YAML layer so every value keeps its span and a
//! finding points at the exact line of the JSON file. Image, network and volume objects in the
//! same array are skipped and counted; they are not containers.

use shipshape_model::{
    Device, EnvVariable, Finding, ImageRef, Mount, MountKind, NamespaceMode, Origin, Platform, PortMapping,
    Setting, Workload, WorkloadHealthcheck,
};
use shipshape_yaml::{Node, NodeValue};
use std::sync::Arc;

/// What lowering one inspect document produced.
#[derive(Debug, Default)]
pub struct InspectOutput {
    pub workloads: Vec<Workload>,
    /// Objects that are not containers (images, networks, volumes), by kind.
    pub skipped: Vec<(String, Origin)>,
    /// Structural problems (`GEN001`), with spans.
    pub diagnostics: Vec<Finding>,
}

/// Whether `head` (the start of a JSON file) looks like `docker inspect` output of containers or
/// images.
pub fn looks_like_container_inspect(head: &str) -> bool {
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    (trimmed.starts_with('[') || trimmed.starts_with('{'))
        && (head.contains("\"HostConfig\"") || (head.contains("\"RepoTags\"") && head.contains("\"RootFS\"")))
}

/// Lowers a parsed inspect document (array or single object) read from `path`.
pub fn lower(root: &Node, path: &Arc<str>) -> InspectOutput {
    let mut output = lower_objects(root, path);
    name_namespace_targets(root, &mut output.workloads);
    output
}

/// The engine records `--network container:web` as `container:<64-hex id>`; when that container
/// is in the same file, name it, so rules can follow the shared namespace.
fn name_namespace_targets(root: &Node, workloads: &mut [Workload]) {
    let objects: Vec<&Node> = match &root.value {
        NodeValue::Sequence(items) => items.iter().collect(),
        _ => vec![root],
    };
    let names: Vec<(String, String)> = objects
        .iter()
        .filter_map(|o| {
            let id = text(o.get("Id"))?;
            let name = text(o.get("Name"))?.trim_start_matches('/');
            Some((id.to_string(), name.to_string()))
        })
        .collect();
    for workload in workloads {
        let namespaces = &mut workload.namespaces;
        for mode in [&mut namespaces.network, &mut namespaces.pid, &mut namespaces.ipc].into_iter().flatten()
        {
            if let NamespaceMode::Container(target) = &mut mode.value
                && let Some((_, name)) =
                    names.iter().find(|(id, _)| id == target || id.starts_with(target.as_str()))
            {
                *target = name.clone();
            }
        }
    }
}

fn lower_objects(root: &Node, path: &Arc<str>) -> InspectOutput {
    let mut output = InspectOutput::default();
    match &root.value {
        NodeValue::Sequence(items) => {
            for item in items {
                lower_object(item, path, &mut output);
            }
        }
        NodeValue::Mapping(_) => lower_object(root, path, &mut output),
        _ => output.diagnostics.push(Finding::new(
            &shipshape_model::general::PARSE_ERROR,
            &Origin::new(path.clone(), root.span),
            "expected the JSON array `docker inspect` prints, or one object of it",
        )),
    }
    output
}

fn origin(path: &Arc<str>, node: &Node) -> Origin {
    Origin::new(path.clone(), node.span)
}

fn setting<T>(path: &Arc<str>, node: &Node, value: T) -> Setting<T> {
    Setting::new(value, origin(path, node))
}

fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str).filter(|s| !s.is_empty())
}

fn strings(node: Option<&Node>) -> Vec<(&str, &Node)> {
    node.and_then(Node::as_sequence)
        .map(|items| items.iter().filter_map(|n| n.as_str().map(|s| (s, n))).collect())
        .unwrap_or_default()
}

/// `compose project shop, service web, compose.yaml`, from the labels Compose puts on the
/// containers it creates; maps a running container back to where it is defined.
pub fn compose_service(config: Option<&Node>) -> Option<String> {
    let labels = config?.get("Labels")?;
    let label = |key: &str| text(labels.get(key));
    let project = label("com.docker.compose.project")?;
    let service = label("com.docker.compose.service")?;
    let mut text = format!("compose project {project}, service {service}");
    if let Some(files) = label("com.docker.compose.project.config_files") {
        text.push_str(&format!(", {files}"));
    }
    Some(text)
}

fn lower_object(object: &Node, path: &Arc<str>, output: &mut InspectOutput) {
    let Some(host) = object.get("HostConfig") else {
        let kind = if crate::image::is_image_object(object) {
            "image"
        } else if object.get("Driver").is_some() && object.get("IPAM").is_some() {
            "network"
        } else if object.get("Mountpoint").is_some() {
            "volume"
        } else {
            "unknown object"
        };
        output.skipped.push((kind.to_string(), origin(path, object)));
        return;
    };
    let config = object.get("Config");
    let name = text(object.get("Name"))
        .map(|n| n.trim_start_matches('/').to_string())
        .or_else(|| text(object.get("Id")).map(|id| id.chars().take(12).collect()))
        .unwrap_or_else(|| "container".to_string());
    let name = match compose_service(config) {
        Some(service) => format!("{name} ({service})"),
        None => name,
    };
    let mut workload = Workload::new(name, Platform::DockerInspect, origin(path, object));

    if let Some(image) = config.and_then(|c| c.get("Image")).filter(|n| text(Some(n)).is_some()) {
        let value = image.as_str().unwrap_or_default().to_string();
        workload.image_ref = ImageRef::parse(&value);
        workload.image = Some(setting(path, image, value));
    }
    // `Config.User` is the effective user: the engine copies the image's USER into it at create
    // time, so an empty value means the engine default, root.
    if let Some(user) = config.and_then(|c| c.get("User")).filter(|n| n.as_str().is_some()) {
        workload.user = Some(setting(path, user, user.as_str().unwrap_or_default().to_string()));
    }
    if let Some(privileged) = host.get("Privileged")
        && let Some(value) = privileged.bool_yaml12()
    {
        workload.privileged = Some(setting(path, privileged, value));
    }
    for (cap, node) in strings(host.get("CapAdd")) {
        workload.cap_add.push(setting(path, node, normalise_capability(cap)));
    }
    for (cap, node) in strings(host.get("CapDrop")) {
        workload.cap_drop.push(setting(path, node, normalise_capability(cap)));
    }
    lower_namespaces(host, path, &mut workload);
    lower_mounts(object, host, path, &mut workload);
    for device in host.get("Devices").and_then(Node::as_sequence).unwrap_or_default() {
        let Some(host_path) = text(device.get("PathOnHost")) else { continue };
        workload.devices.push(Device {
            host_path: host_path.to_string(),
            container_path: text(device.get("PathInContainer")).map(str::to_string),
            permissions: text(device.get("CgroupPermissions")).map(str::to_string),
            origin: origin(path, device),
        });
    }
    for (rule, node) in strings(host.get("DeviceCgroupRules")) {
        workload.device_cgroup_rules.push(setting(path, node, rule.to_string()));
    }
    lower_security(object, host, path, &mut workload);
    if let Some(read_only) = host.get("ReadonlyRootfs")
        && let Some(value) = read_only.bool_yaml12()
    {
        workload.read_only_rootfs = Some(setting(path, read_only, value));
    }
    lower_resources(host, path, &mut workload);
    lower_ports(object, host, config, path, &mut workload);
    for (entry, node) in strings(config.and_then(|c| c.get("Env"))) {
        let (name, value) = match entry.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (entry.to_string(), None),
        };
        // `"KEY=value"`: when the JSON string has no escapes, the value's bytes are known exactly.
        let span = node.span;
        let value_origin = (span.len() as usize == entry.len() + 2 && value.is_some()).then(|| {
            let start = span.start + 1 + u32::try_from(name.len() + 1).unwrap_or(0);
            Origin::new(path.clone(), shipshape_model::Span::new(start.min(span.end - 1), span.end - 1))
        });
        workload.env.push(EnvVariable { name, value, origin: origin(path, node), value_origin });
    }
    if let Some(sysctls) = host.get("Sysctls").and_then(Node::as_mapping) {
        for (key, value) in sysctls {
            if let (Some(k), Some(v)) = (key.as_str(), value.as_str()) {
                workload.sysctls.push(setting(path, key, (k.to_string(), v.to_string())));
            }
        }
    }
    if let Some(check) = config.and_then(|c| c.get("Healthcheck")) {
        let test = strings(check.get("Test"));
        let disabled = test.first().is_some_and(|(t, _)| t.eq_ignore_ascii_case("NONE"));
        let command = test.iter().skip(1).map(|(t, _)| *t).collect::<Vec<_>>().join(" ");
        if !test.is_empty() {
            workload.healthcheck = Some(WorkloadHealthcheck {
                disabled,
                test: (!command.is_empty()).then_some(command),
                origin: origin(path, check),
            });
        }
    }
    if let Some(policy) = host.get("RestartPolicy").and_then(|p| p.get("Name"))
        && let Some(name) = text(Some(policy))
    {
        workload.restart = Some(setting(path, policy, name.to_string()));
    }
    if let Some(networks) =
        object.get("NetworkSettings").and_then(|n| n.get("Networks")).and_then(Node::as_mapping)
    {
        for (key, _) in networks {
            if let Some(name) = key.as_str() {
                workload.networks.push(setting(path, key, name.to_string()));
            }
        }
    }
    if let Some(driver) = host.get("LogConfig").and_then(|l| l.get("Type"))
        && let Some(name) = text(Some(driver))
    {
        workload.logging_driver = Some(setting(path, driver, name.to_string()));
    }
    if let Some(oom) = host.get("OomKillDisable")
        && let Some(value) = oom.bool_yaml12()
    {
        workload.oom_kill_disable = Some(setting(path, oom, value));
    }
    output.workloads.push(workload);
}

/// `cap_sys_admin`, `CAP_SYS_ADMIN`, `sys_admin` → `SYS_ADMIN`.
pub fn normalise_capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").map_or(upper.clone(), str::to_string)
}

fn namespace_mode(text: &str) -> Option<NamespaceMode> {
    let text = text.trim();
    if text.is_empty() || text == "default" || text == "bridge" {
        return None;
    }
    if text == "host" {
        return Some(NamespaceMode::Host);
    }
    if let Some(target) = text.strip_prefix("container:") {
        return Some(NamespaceMode::Container(target.to_string()));
    }
    Some(NamespaceMode::Private(text.to_string()))
}

fn lower_namespaces(host: &Node, path: &Arc<str>, workload: &mut Workload) {
    let field = |key: &str| -> Option<Setting<NamespaceMode>> {
        let node = host.get(key)?;
        namespace_mode(node.as_str()?).map(|mode| setting(path, node, mode))
    };
    workload.namespaces.pid = field("PidMode");
    workload.namespaces.ipc = field("IpcMode");
    workload.namespaces.uts = field("UTSMode");
    workload.namespaces.user = field("UsernsMode");
    workload.namespaces.cgroup = field("CgroupnsMode");
    // User-defined network names are memberships, not namespace modes.
    workload.namespaces.network = field("NetworkMode").filter(|mode| match &mode.value {
        NamespaceMode::Private(name) => name == "none",
        _ => true,
    });
}

fn lower_mounts(object: &Node, host: &Node, path: &Arc<str>, workload: &mut Workload) {
    // `Mounts` (top level) is what the engine actually mounted; `HostConfig.Binds` and
    // `HostConfig.Mounts` are what was asked for (present in `docker create` output too).
    let actual = object.get("Mounts").and_then(Node::as_sequence).unwrap_or_default();
    for mount in actual {
        let Some(target) = text(mount.get("Destination")) else { continue };
        let kind = mount_kind(text(mount.get("Type")).unwrap_or("bind"));
        let source = text(mount.get("Source")).or_else(|| text(mount.get("Name"))).map(str::to_string);
        let read_only = mount.get("RW").and_then(Node::bool_yaml12).is_some_and(|rw| !rw);
        workload.mounts.push(Mount {
            kind,
            source,
            target: target.to_string(),
            read_only,
            propagation: text(mount.get("Propagation")).map(str::to_string),
            selinux_label: text(mount.get("Mode")).and_then(selinux_label),
            origin: origin(path, mount),
        });
    }
    let known = |target: &str, workload: &Workload| workload.mounts.iter().any(|m| m.target == target);
    for (bind, node) in strings(host.get("Binds")) {
        let Some(mount) = parse_bind(bind, origin(path, node)) else { continue };
        if !known(&mount.target, workload) {
            workload.mounts.push(mount);
        }
    }
    for mount in host.get("Mounts").and_then(Node::as_sequence).unwrap_or_default() {
        let Some(target) = text(mount.get("Target")) else { continue };
        if known(target, workload) {
            continue;
        }
        workload.mounts.push(Mount {
            kind: mount_kind(text(mount.get("Type")).unwrap_or("volume")),
            source: text(mount.get("Source")).map(str::to_string),
            target: target.to_string(),
            read_only: mount.get("ReadOnly").and_then(Node::bool_yaml12).unwrap_or(false),
            propagation: text(mount.get("BindOptions").and_then(|b| b.get("Propagation")))
                .map(str::to_string),
            selinux_label: None,
            origin: origin(path, mount),
        });
    }
}

fn mount_kind(text: &str) -> MountKind {
    match text {
        "bind" => MountKind::Bind,
        "volume" => MountKind::Volume,
        "tmpfs" => MountKind::Tmpfs,
        "npipe" => MountKind::Npipe,
        _ => MountKind::Other,
    }
}

fn selinux_label(mode: &str) -> Option<String> {
    mode.split(',').find(|o| *o == "z" || *o == "Z").map(str::to_string)
}

/// `HostConfig.Binds` entry: `source:target[:options]`; a source without `/` is a volume name.
pub fn parse_bind(text: &str, origin: Origin) -> Option<Mount> {
    let mut parts = text.splitn(3, ':');
    let source = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let options = parts.next().unwrap_or("");
    let kind =
        if source.starts_with('/') || source.starts_with('.') { MountKind::Bind } else { MountKind::Volume };
    let option = |names: &[&str]| options.split(',').find(|o| names.contains(o)).map(str::to_string);
    Some(Mount {
        kind,
        source: Some(source),
        target,
        read_only: options.split(',').any(|o| o == "ro"),
        propagation: option(&["shared", "rshared", "slave", "rslave", "private", "rprivate"]),
        selinux_label: option(&["z", "Z"]),
        origin,
    })
}

fn lower_security(object: &Node, host: &Node, path: &Arc<str>, workload: &mut Workload) {
    for (option, node) in strings(host.get("SecurityOpt")) {
        let (key, value) = match option.split_once(['=', ':']) {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (option.trim(), ""),
        };
        let security = &mut workload.security;
        match key {
            "seccomp" => security.seccomp = Some(setting(path, node, value.to_string())),
            "apparmor" => security.apparmor = Some(setting(path, node, value.to_string())),
            "label" => security.selinux.push(setting(path, node, value.to_string())),
            "no-new-privileges" => {
                let enabled = value.is_empty() || value.eq_ignore_ascii_case("true");
                security.no_new_privileges = Some(setting(path, node, enabled));
            }
            "systempaths" if value == "unconfined" => {
                security.unmasked_paths = Some(setting(path, node, true))
            }
            _ => {}
        }
    }
    // `systempaths=unconfined` is not kept in SecurityOpt; the engine records it as an empty
    // `MaskedPaths` list (privileged containers record `null` instead).
    if workload.security.unmasked_paths.is_none()
        && let Some(masked) = host.get("MaskedPaths")
        && masked.as_sequence().is_some_and(<[Node]>::is_empty)
    {
        workload.security.unmasked_paths = Some(setting(path, masked, true));
    }
    if workload.security.apparmor.is_none()
        && let Some(profile) = object.get("AppArmorProfile")
        && text(Some(profile)) == Some("unconfined")
    {
        workload.security.apparmor = Some(setting(path, profile, "unconfined".to_string()));
    }
}

fn lower_resources(host: &Node, path: &Arc<str>, workload: &mut Workload) {
    let positive = |key: &str| host.get(key).and_then(|n| n.int().filter(|v| *v > 0).map(|v| (n, v)));
    if let Some((node, bytes)) = positive("Memory") {
        workload.resources.memory = Some(setting(path, node, u64::try_from(bytes).unwrap_or(u64::MAX)));
    }
    if let Some((node, nanos)) = positive("NanoCpus") {
        workload.resources.cpus = Some(setting(path, node, nanos as f64 / 1e9));
    } else if let (Some((node, quota)), Some((_, period))) = (positive("CpuQuota"), positive("CpuPeriod")) {
        workload.resources.cpus = Some(setting(path, node, quota as f64 / period as f64));
    }
    if let Some((node, shares)) = positive("CpuShares") {
        workload.resources.cpu_shares = Some(setting(path, node, u64::try_from(shares).unwrap_or(u64::MAX)));
    }
    if let Some(node) = host.get("PidsLimit")
        && let Some(limit) = node.int()
    {
        workload.resources.pids = Some(setting(path, node, limit));
    }
}

fn lower_ports(object: &Node, host: &Node, config: Option<&Node>, path: &Arc<str>, workload: &mut Workload) {
    // Running containers report what is bound in NetworkSettings.Ports; created ones only have
    // HostConfig.PortBindings. Prefer the configuration: it is what will be bound on every start.
    let bindings =
        host.get("PortBindings").and_then(Node::as_mapping).filter(|m| !m.is_empty()).or_else(|| {
            object.get("NetworkSettings").and_then(|n| n.get("Ports")).and_then(Node::as_mapping)
        });
    for (key, value) in bindings.unwrap_or_default() {
        let Some((container_port, protocol)) = key.as_str().and_then(parse_port_key) else { continue };
        for binding in value.as_sequence().unwrap_or_default() {
            let host_port = text(binding.get("HostPort")).and_then(|p| p.split('-').next()?.parse().ok());
            workload.ports.push(PortMapping {
                host_ip: text(binding.get("HostIp")).map(str::to_string),
                host_port,
                host_port_end: None,
                container_port,
                container_port_end: None,
                protocol: protocol.clone(),
                origin: origin(path, binding),
            });
        }
    }
    if let Some(exposed) = config.and_then(|c| c.get("ExposedPorts")).and_then(Node::as_mapping) {
        for (key, _) in exposed {
            if let Some(port) = key.as_str() {
                workload.exposed.push(setting(path, key, port.to_string()));
            }
        }
    }
}

/// `80/tcp` → (80, "tcp").
fn parse_port_key(key: &str) -> Option<(u16, String)> {
    let (port, protocol) = key.split_once('/').unwrap_or((key, "tcp"));
    Some((port.trim().parse().ok()?, protocol.trim().to_ascii_lowercase()))
}
