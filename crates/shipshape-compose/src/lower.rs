//! Typing a merged Compose model into [`Workload`]s and a [`Deployment`].
//!
//! Booleans follow `docker compose` v2 (compose-go with YAML 1.2): plain `true`/`false` (any
//! case YAML 1.2 allows) are booleans; strings (quoted, or plain words such as `yes`, or the
//! result of interpolation) are cast case-insensitively from `true`/`false`, `yes`/`no`,
//! `y`/`n`, `on`/`off`; numbers (`read_only: 1`) and other strings are errors, reported as
//! GEN001, and the field is left unset. String fields given a number or boolean
//! (`user: 1000`) are errors in Compose too; the value's text is still used so rules see it.

use crate::load::{Env, Loader};
use crate::merge::dedup;
use crate::syntax::{self, SecurityOpt};
use crate::tree::{Kind, ScalarType, Val};
use crate::{ServiceInfo, ServiceSecret};
use shipshape_model::{
    BuildLink, Deployment, Device, EnvVariable, ImageRef, Mount, MountKind, NamespaceMode, NetworkDef,
    Origin, Platform, PortMapping, Setting, Workload, WorkloadHealthcheck,
};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) struct Lowerer<'l, 'a> {
    pub(crate) loader: &'l mut Loader<'a>,
    pub(crate) project_dir: String,
    pub(crate) env: &'l Env,
    pub(crate) profiles: &'l [String],
}

/// A service being typed: its model and its dotted path for messages.
struct Svc<'v> {
    name: String,
    val: &'v Val,
}

impl Svc<'_> {
    fn path(&self, field: &str) -> String {
        format!("services.{}.{field}", self.name)
    }
}

impl Lowerer<'_, '_> {
    fn error(&mut self, origin: &Origin, message: impl Into<String>) {
        self.loader.error(origin, message);
    }

    /// Directory that relative paths written at `origin` resolve against.
    fn base_dir(&self, origin: &Origin) -> String {
        self.loader.base_dirs.get(&origin.path).cloned().unwrap_or_else(|| self.project_dir.clone())
    }

    /// A host path as Compose resolves it: `~` against `HOME`, relative against the directory
    /// of the file (or project) that wrote it.
    fn host_path(&self, path: &str, origin: &Origin) -> String {
        if path == "~" || path.starts_with("~/") {
            if let Some(home) = self.env.get("HOME") {
                let rest = path.get(1..).unwrap_or("");
                return syntax::clean_path(&format!("{}{rest}", home.trim_end_matches('/')));
            }
            return path.to_string();
        }
        if syntax::is_absolute_path(path) {
            return path.to_string();
        }
        join_base(&self.base_dir(origin), path)
    }

    pub(crate) fn lower(
        &mut self,
        model: &Val,
        name: String,
        deployment_origin: Origin,
    ) -> (Deployment, Vec<ServiceInfo>) {
        let mut networks = self.networks(model);
        let mut workloads = Vec::new();
        let mut infos = Vec::new();
        let mut uses_default = false;
        if let Some(services) = model.get("services") {
            match services.as_map() {
                Some(entries) => {
                    for entry in entries {
                        let svc = Svc { name: entry.key.clone(), val: &entry.value };
                        if entry.value.as_map().is_none() {
                            let message = format!(
                                "services.{} must be a mapping, found {}",
                                entry.key,
                                entry.value.type_name()
                            );
                            self.error(&entry.value.origin, message);
                            continue;
                        }
                        let (workload, info) = self.service(&svc, &entry.key_origin);
                        if workload.networks.is_empty() && workload.namespaces.network.is_none() {
                            uses_default = true;
                        }
                        self.check_references(model, &workload, &info);
                        for network in &workload.networks {
                            if !networks.iter().any(|n| n.name == network.value) && network.value != "default"
                            {
                                let message = format!(
                                    "service {:?} refers to undefined network {}",
                                    workload.name, network.value
                                );
                                self.error(&network.origin, message);
                            }
                        }
                        if workload.networks.iter().any(|n| n.value == "default") {
                            uses_default = true;
                        }
                        workloads.push(workload);
                        infos.push(info);
                    }
                }
                None if services.is_null() => {}
                None => {
                    let message = format!("services must be a mapping, found {}", services.type_name());
                    self.error(&services.origin, message);
                }
            }
        }
        if uses_default && !networks.iter().any(|n| n.name == "default") {
            networks.push(NetworkDef {
                name: "default".into(),
                internal: false,
                external: false,
                driver: None,
                origin: None,
            });
        }
        let deployment =
            Deployment { name, platform: Platform::Compose, workloads, networks, origin: deployment_origin };
        (deployment, infos)
    }

    /// Named volumes and secrets must be declared at the top level.
    fn check_references(&mut self, model: &Val, w: &Workload, info: &ServiceInfo) {
        let declared = |kind: &str, name: &str| model.get(kind).and_then(|v| v.get(name)).is_some();
        for mount in &w.mounts {
            if let (MountKind::Volume, Some(name)) = (mount.kind, &mount.source)
                && !declared("volumes", name)
            {
                let message = format!("service {:?} refers to undefined volume {name}", w.name);
                self.error(&mount.origin, message);
            }
        }
        for secret in &info.secrets {
            if !declared("secrets", &secret.source) {
                let message = format!("service {:?} refers to undefined secret {}", w.name, secret.source);
                self.error(&secret.origin, message);
            }
        }
    }

    fn networks(&mut self, model: &Val) -> Vec<NetworkDef> {
        let Some(entries) = model.get("networks").and_then(Val::as_map) else { return Vec::new() };
        let mut out = Vec::new();
        for entry in entries {
            let v = &entry.value;
            let path = format!("networks.{}", entry.key);
            let internal =
                v.get("internal").and_then(|b| self.boolean(b, &format!("{path}.internal"))).unwrap_or(false);
            let external = match v.get("external") {
                Some(e) if e.as_map().is_some() => true,
                Some(e) => self.boolean(e, &format!("{path}.external")).unwrap_or(false),
                None => false,
            };
            let driver = v.get("driver").and_then(Val::scalar_text);
            out.push(NetworkDef {
                name: entry.key.clone(),
                internal,
                external,
                driver,
                origin: Some(entry.key_origin.clone()),
            });
        }
        out
    }

    /// A Compose boolean (see the module documentation).
    fn boolean(&mut self, v: &Val, path: &str) -> Option<bool> {
        match &v.kind {
            Kind::Null => None,
            Kind::Scalar(s) => match s.ty {
                ScalarType::Bool(b) => Some(b),
                ScalarType::Str => match s.text.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "y" | "on" => Some(true),
                    "false" | "no" | "n" | "off" => Some(false),
                    _ => {
                        self.error(&v.origin, format!("{path}: invalid boolean {:?}", s.text));
                        None
                    }
                },
                _ => {
                    self.error(
                        &v.origin,
                        format!("{path} must be a boolean or string, found {}", v.type_name()),
                    );
                    None
                }
            },
            _ => {
                self.error(&v.origin, format!("{path} must be a boolean or string, found {}", v.type_name()));
                None
            }
        }
    }

    fn bool_setting(&mut self, svc: &Svc<'_>, field: &str) -> Option<Setting<bool>> {
        let v = svc.val.get(field)?;
        let b = self.boolean(v, &svc.path(field))?;
        Some(Setting::new(b, v.origin.clone()))
    }

    /// A string field; numbers and booleans are reported (Compose rejects them) but kept.
    fn string(&mut self, v: &Val, path: &str) -> Option<String> {
        match &v.kind {
            Kind::Null => None,
            Kind::Scalar(s) => {
                if s.ty != ScalarType::Str {
                    self.error(&v.origin, format!("{path} must be a string, found {}", v.type_name()));
                }
                v.scalar_text()
            }
            _ => {
                self.error(&v.origin, format!("{path} must be a string, found {}", v.type_name()));
                None
            }
        }
    }

    fn string_setting(&mut self, svc: &Svc<'_>, field: &str) -> Option<Setting<String>> {
        let v = svc.val.get(field)?;
        let s = self.string(v, &svc.path(field))?;
        Some(Setting::new(s, v.origin.clone()))
    }

    /// A list of strings, or a single string (`tmpfs: /run`), each with its origin.
    fn string_list(&mut self, v: &Val, path: &str) -> Vec<Setting<String>> {
        match &v.kind {
            Kind::Null => Vec::new(),
            Kind::Scalar(_) => {
                v.scalar_text().map(|s| Setting::new(s, v.origin.clone())).into_iter().collect()
            }
            Kind::Seq(items) => items
                .iter()
                .filter_map(|item| match item.scalar_text() {
                    Some(s) => Some(Setting::new(s, item.origin.clone())),
                    None => {
                        self.error(
                            &item.origin,
                            format!("{path}: items must be strings, found {}", item.type_name()),
                        );
                        None
                    }
                })
                .collect(),
            Kind::Map(_) => {
                self.error(&v.origin, format!("{path} must be a list, found a mapping"));
                Vec::new()
            }
        }
    }

    fn integer(&mut self, v: &Val, path: &str) -> Option<i64> {
        let parsed = match v.as_scalar().map(|s| s.ty) {
            Some(ScalarType::Int(i)) => Some(i),
            Some(ScalarType::Str) => v.as_str().and_then(|s| s.trim().parse().ok()),
            _ => None,
        };
        if parsed.is_none() && !v.is_null() {
            self.error(&v.origin, format!("{path} must be an integer, found {}", describe(v)));
        }
        parsed
    }

    fn number(&mut self, v: &Val, path: &str) -> Option<f64> {
        let parsed = match v.as_scalar().map(|s| s.ty) {
            Some(ScalarType::Int(i)) => Some(i as f64),
            Some(ScalarType::Float(f)) => Some(f),
            Some(ScalarType::Str) => {
                v.as_str().and_then(|s| s.trim().parse::<f64>().ok()).filter(|f| f.is_finite())
            }
            _ => None,
        };
        if parsed.is_none() && !v.is_null() {
            self.error(&v.origin, format!("{path} must be a number, found {}", describe(v)));
        }
        parsed
    }

    fn bytes(&mut self, v: &Val, path: &str) -> Option<u64> {
        let parsed = match v.as_scalar().map(|s| s.ty) {
            Some(ScalarType::Int(i)) => u64::try_from(i).ok(),
            Some(ScalarType::Float(f)) if f >= 0.0 && f.is_finite() => Some(f as u64),
            Some(ScalarType::Str) => v.as_str().and_then(syntax::parse_bytes),
            _ => None,
        };
        if parsed.is_none() && !v.is_null() {
            self.error(&v.origin, format!("{path}: invalid size {}", describe(v)));
        }
        parsed
    }

    fn service(&mut self, svc: &Svc<'_>, key_origin: &Origin) -> (Workload, ServiceInfo) {
        let mut w = Workload::new(svc.name.clone(), Platform::Compose, key_origin.clone());
        let mut info = ServiceInfo::new(svc.name.clone(), key_origin.clone());
        for entry in svc.val.as_map().unwrap_or(&[]) {
            if !entry.key.starts_with("x-") && SERVICE_KEYS.binary_search(&entry.key.as_str()).is_err() {
                // A misspelt key (`privilegd: true`) does nothing: Compose rejects the file.
                let message =
                    format!("services.{} additional properties '{}' not allowed", svc.name, entry.key);
                self.error(&entry.key_origin, message);
            }
        }

        if let Some(image) = self.string_setting(svc, "image") {
            w.image_ref = ImageRef::parse(&image.value);
            w.image = Some(image);
        }
        if let Some(build) = svc.val.get("build") {
            w.build = self.build(svc, build, &mut info);
        }
        w.user = self.string_setting(svc, "user");
        w.privileged = self.bool_setting(svc, "privileged");
        w.read_only_rootfs = self.bool_setting(svc, "read_only");
        w.use_api_socket = self.bool_setting(svc, "use_api_socket");
        w.oom_kill_disable = self.bool_setting(svc, "oom_kill_disable");
        info.init = self.bool_setting(svc, "init");
        for (field, out) in [("cap_add", &mut w.cap_add), ("cap_drop", &mut w.cap_drop)] {
            if let Some(v) = svc.val.get(field) {
                let items = dedup_settings(self.string_list(v, &svc.path(field)));
                *out = items
                    .into_iter()
                    .map(|s| Setting::new(syntax::normalize_capability(&s.value), s.origin))
                    .collect();
            }
        }
        self.namespaces(svc, &mut w);
        self.mounts(svc, &mut w);
        self.devices(svc, &mut w);
        if let Some(v) = svc.val.get("device_cgroup_rules") {
            w.device_cgroup_rules = self.string_list(v, &svc.path("device_cgroup_rules"));
        }
        self.security_opts(svc, &mut w);
        self.resources(svc, &mut w, &mut info);
        self.ports(svc, &mut w);
        if let Some(v) = svc.val.get("expose") {
            let items = v.as_seq().map(|items| dedup("expose", items));
            w.exposed = match items {
                Some(items) => {
                    let seq = Val::new(Kind::Seq(items), v.origin.clone());
                    self.string_list(&seq, &svc.path("expose"))
                }
                None => self.string_list(v, &svc.path("expose")),
            };
        }
        self.environment(svc, &mut w, &mut info);
        self.secrets(svc, &mut w, &mut info);
        if let Some(v) = svc.val.get("sysctls") {
            w.sysctls = self.key_values(v, "sysctls", &svc.path("sysctls"));
        }
        if let Some(v) = svc.val.get("labels") {
            info.labels = self.key_values(v, "labels", &svc.path("labels"));
        }
        if let Some(v) = svc.val.get("extra_hosts") {
            info.extra_hosts = match &v.kind {
                Kind::Map(_) => self
                    .key_values(v, "extra_hosts", &svc.path("extra_hosts"))
                    .into_iter()
                    .map(|s| Setting::new(format!("{}={}", s.value.0, s.value.1), s.origin))
                    .collect(),
                _ => self.string_list(v, &svc.path("extra_hosts")),
            };
        }
        if let Some(v) = svc.val.get("volumes_from") {
            info.volumes_from = self.string_list(v, &svc.path("volumes_from"));
        }
        if let Some(v) = svc.val.get("group_add") {
            info.group_add = self.string_list(v, &svc.path("group_add"));
        }
        w.healthcheck = self.healthcheck(svc);
        w.restart = self.string_setting(svc, "restart");
        if let Some(v) = svc.val.get("networks") {
            w.networks = match &v.kind {
                Kind::Map(entries) => {
                    entries.iter().map(|e| Setting::new(e.key.clone(), e.key_origin.clone())).collect()
                }
                _ => dedup_settings(self.string_list(v, &svc.path("networks"))),
            };
        }
        if let Some(v) = svc.val.get("logging") {
            w.logging_driver = v.get("driver").and_then(|d| {
                let text = self.string(d, &svc.path("logging.driver"))?;
                Some(Setting::new(text, d.origin.clone()))
            });
        }
        info.runtime = self.string_setting(svc, "runtime");
        info.cgroup_parent = self.string_setting(svc, "cgroup_parent");
        info.container_name = self.string_setting(svc, "container_name");
        if let Some(v) = svc.val.get("profiles") {
            info.profiles = dedup_settings(self.string_list(v, &svc.path("profiles")));
        }
        info.active = info.profiles.is_empty()
            || info.profiles.iter().any(|p| self.profiles.iter().any(|e| e == "*" || *e == p.value));
        (w, info)
    }

    fn build(&mut self, svc: &Svc<'_>, build: &Val, info: &mut ServiceInfo) -> Option<BuildLink> {
        let (context_val, mapping) = match &build.kind {
            Kind::Scalar(_) => (Some(build), None),
            Kind::Map(_) => (build.get("context"), Some(build)),
            Kind::Null => return None,
            Kind::Seq(_) => {
                self.error(&build.origin, format!("{} must be a string or a mapping", svc.path("build")));
                return None;
            }
        };
        let context_text = match context_val {
            Some(c) => self.string(c, &svc.path("build.context"))?,
            None => ".".to_string(),
        };
        let context_origin = context_val.map_or_else(|| build.origin.clone(), |c| c.origin.clone());
        let remote = is_remote_context(&context_text);
        let context = if remote { context_text } else { self.host_path(&context_text, &context_origin) };
        if let Some(inline) = mapping.and_then(|m| m.get("dockerfile_inline")) {
            if let Some(text) = self.string(inline, &svc.path("build.dockerfile_inline")) {
                info.dockerfile_inline = Some(Setting::new(text, inline.origin.clone()));
            }
            return None;
        }
        let dockerfile_val = mapping.and_then(|m| m.get("dockerfile"));
        let dockerfile_text = match dockerfile_val {
            Some(d) => self.string(d, &svc.path("build.dockerfile")).unwrap_or_else(|| "Dockerfile".into()),
            None => "Dockerfile".to_string(),
        };
        let dockerfile = if remote || syntax::is_absolute_path(&dockerfile_text) {
            dockerfile_text
        } else {
            join_base(&context, &dockerfile_text)
        };
        let target =
            mapping.and_then(|m| m.get("target")).and_then(|t| self.string(t, &svc.path("build.target")));
        Some(BuildLink { context, dockerfile, target, origin: build.origin.clone() })
    }

    fn namespace(&mut self, svc: &Svc<'_>, field: &str) -> Option<Setting<NamespaceMode>> {
        let setting = self.string_setting(svc, field)?;
        let text = setting.value.trim();
        if text.is_empty() {
            // Compose treats an empty mode as unset.
            return None;
        }
        let mode = if text == "host" {
            NamespaceMode::Host
        } else if let Some(target) = text.strip_prefix("service:").or_else(|| text.strip_prefix("container:"))
        {
            NamespaceMode::Container(target.to_string())
        } else {
            NamespaceMode::Private(text.to_string())
        };
        Some(Setting::new(mode, setting.origin))
    }

    fn namespaces(&mut self, svc: &Svc<'_>, w: &mut Workload) {
        w.namespaces.pid = self.namespace(svc, "pid");
        w.namespaces.ipc = self.namespace(svc, "ipc");
        w.namespaces.network = self.namespace(svc, "network_mode");
        w.namespaces.uts = self.namespace(svc, "uts");
        w.namespaces.user = self.namespace(svc, "userns_mode");
        w.namespaces.cgroup = self.namespace(svc, "cgroup");
    }

    fn mounts(&mut self, svc: &Svc<'_>, w: &mut Workload) {
        if let Some(v) = svc.val.get("volumes") {
            match v.as_seq() {
                Some(items) => {
                    for item in dedup("volumes", items) {
                        if let Some(mount) = self.volume(svc, &item) {
                            w.mounts.push(mount);
                        }
                    }
                }
                None if v.is_null() => {}
                None => self.error(&v.origin, format!("{} must be a list", svc.path("volumes"))),
            }
        }
        if let Some(v) = svc.val.get("tmpfs") {
            let items = match v.as_seq() {
                Some(items) => dedup("tmpfs", items),
                None => vec![v.clone()],
            };
            let seq = Val::new(Kind::Seq(items), v.origin.clone());
            for entry in self.string_list(&seq, &svc.path("tmpfs")) {
                let target = entry.value.split(':').next().unwrap_or("").to_string();
                w.mounts.push(Mount {
                    kind: MountKind::Tmpfs,
                    source: None,
                    target,
                    read_only: false,
                    propagation: None,
                    selinux_label: None,
                    origin: entry.origin,
                });
            }
        }
    }

    fn volume(&mut self, svc: &Svc<'_>, item: &Val) -> Option<Mount> {
        let path = svc.path("volumes");
        match &item.kind {
            Kind::Scalar(_) => {
                let text = self.string(item, &path)?;
                let spec = match syntax::parse_volume(&text) {
                    Ok(spec) => spec,
                    Err(message) => {
                        self.error(&item.origin, format!("{path}: {message}"));
                        return None;
                    }
                };
                let kind = if spec.bind { MountKind::Bind } else { MountKind::Volume };
                let source = match (&spec.source, spec.bind) {
                    (Some(s), true) => Some(self.host_path(s, &item.origin)),
                    (s, _) => s.clone(),
                };
                Some(Mount {
                    kind,
                    source,
                    target: spec.target,
                    read_only: spec.read_only,
                    propagation: spec.propagation,
                    selinux_label: spec.selinux,
                    origin: item.origin.clone(),
                })
            }
            Kind::Map(_) => {
                let kind_text = match item.get("type").and_then(Val::as_str) {
                    Some(t) => t.to_string(),
                    None => {
                        self.error(&item.origin, format!("{path}: a volume in long syntax needs a `type`"));
                        "volume".to_string()
                    }
                };
                let kind = match kind_text.as_str() {
                    "bind" => MountKind::Bind,
                    "volume" => MountKind::Volume,
                    "tmpfs" => MountKind::Tmpfs,
                    "npipe" => MountKind::Npipe,
                    "image" | "cluster" => MountKind::Other,
                    other => {
                        self.error(&item.origin, format!("{path}: unknown volume type {other:?}"));
                        MountKind::Other
                    }
                };
                let Some(target_val) = item.get("target") else {
                    self.error(&item.origin, format!("{path}: volume is missing a mount target"));
                    return None;
                };
                let mut target = self.string(target_val, &format!("{path}.target"))?;
                if target.starts_with('/') {
                    target = syntax::clean_path(&target);
                }
                let source_val = item.get("source");
                let source = match source_val {
                    Some(s) => {
                        let text = self.string(s, &format!("{path}.source"));
                        match (text, kind) {
                            (Some(t), MountKind::Bind) => Some(self.host_path(&t, &s.origin)),
                            (t, _) => t,
                        }
                    }
                    None => None,
                };
                let read_only = item
                    .get("read_only")
                    .and_then(|r| self.boolean(r, &format!("{path}.read_only")))
                    .unwrap_or(false);
                let bind = item.get("bind");
                let propagation = bind.and_then(|b| b.get("propagation")).and_then(Val::scalar_text);
                let selinux_label = bind.and_then(|b| b.get("selinux")).and_then(Val::scalar_text);
                Some(Mount {
                    kind,
                    source,
                    target,
                    read_only,
                    propagation,
                    selinux_label,
                    origin: item.origin.clone(),
                })
            }
            _ => {
                self.error(&item.origin, format!("{path}: entries must be strings or mappings"));
                None
            }
        }
    }

    fn devices(&mut self, svc: &Svc<'_>, w: &mut Workload) {
        let Some(v) = svc.val.get("devices") else { return };
        let path = svc.path("devices");
        let Some(items) = v.as_seq() else {
            if !v.is_null() {
                self.error(&v.origin, format!("{path} must be a list"));
            }
            return;
        };
        for item in dedup("devices", items) {
            match &item.kind {
                Kind::Scalar(_) => {
                    let Some(text) = self.string(&item, &path) else { continue };
                    match syntax::parse_device(&text) {
                        Ok(spec) => w.devices.push(Device {
                            container_path: spec.container_path.or_else(|| Some(spec.host_path.clone())),
                            host_path: spec.host_path,
                            permissions: spec.permissions,
                            origin: item.origin.clone(),
                        }),
                        Err(message) => self.error(&item.origin, format!("{path}: {message}")),
                    }
                }
                Kind::Map(_) => {
                    let Some(source) = item.get("source").and_then(Val::scalar_text) else {
                        self.error(&item.origin, format!("{path}: device is missing a source"));
                        continue;
                    };
                    let target =
                        item.get("target").and_then(Val::scalar_text).or_else(|| Some(source.clone()));
                    let permissions = item.get("permissions").and_then(Val::scalar_text);
                    w.devices.push(Device {
                        host_path: source,
                        container_path: target,
                        permissions,
                        origin: item.origin.clone(),
                    });
                }
                _ => self.error(&item.origin, format!("{path}: entries must be strings or mappings")),
            }
        }
    }

    fn security_opts(&mut self, svc: &Svc<'_>, w: &mut Workload) {
        let Some(v) = svc.val.get("security_opt") else { return };
        for opt in self.string_list(v, &svc.path("security_opt")) {
            match syntax::parse_security_opt(&opt.value) {
                Ok(SecurityOpt::Seccomp(p)) => w.security.seccomp = Some(Setting::new(p, opt.origin)),
                Ok(SecurityOpt::Apparmor(p)) => w.security.apparmor = Some(Setting::new(p, opt.origin)),
                Ok(SecurityOpt::Label(l)) => w.security.selinux.push(Setting::new(l, opt.origin)),
                Ok(SecurityOpt::NoNewPrivileges(b)) => {
                    w.security.no_new_privileges = Some(Setting::new(b, opt.origin))
                }
                Ok(SecurityOpt::UnmaskedPaths) => {
                    w.security.unmasked_paths = Some(Setting::new(true, opt.origin))
                }
                Ok(SecurityOpt::Other(_)) => {}
                Err(message) => self.error(&opt.origin, format!("{}: {message}", svc.path("security_opt"))),
            }
        }
    }

    fn resources(&mut self, svc: &Svc<'_>, w: &mut Workload, info: &mut ServiceInfo) {
        let limits = svc.val.get("deploy").and_then(|d| d.get("resources")).and_then(|r| r.get("limits"));
        let deploy_path = svc.path("deploy.resources.limits");
        // Memory.
        let service_mem = svc.val.get("mem_limit").and_then(|v| {
            let b = self.bytes(v, &svc.path("mem_limit"))?;
            Some(Setting::new(b, v.origin.clone()))
        });
        let deploy_mem = limits.and_then(|l| l.get("memory")).and_then(|v| {
            let b = self.bytes(v, &format!("{deploy_path}.memory"))?;
            Some(Setting::new(b, v.origin.clone()))
        });
        w.resources.memory =
            self.consistent(svc, "mem_limit", "deploy.resources.limits.memory", service_mem, deploy_mem);
        // CPUs.
        let service_cpus = svc.val.get("cpus").and_then(|v| {
            let n = self.number(v, &svc.path("cpus"))?;
            Some(Setting::new(n, v.origin.clone()))
        });
        let deploy_cpus = limits.and_then(|l| l.get("cpus")).and_then(|v| {
            let n = self.number(v, &format!("{deploy_path}.cpus"))?;
            Some(Setting::new(n, v.origin.clone()))
        });
        w.resources.cpus =
            self.consistent(svc, "cpus", "deploy.resources.limits.cpus", service_cpus, deploy_cpus);
        // PIDs.
        let service_pids = svc.val.get("pids_limit").and_then(|v| {
            let n = self.integer(v, &svc.path("pids_limit"))?;
            Some(Setting::new(n, v.origin.clone()))
        });
        let deploy_pids = limits.and_then(|l| l.get("pids")).and_then(|v| {
            let n = self.integer(v, &format!("{deploy_path}.pids"))?;
            Some(Setting::new(n, v.origin.clone()))
        });
        w.resources.pids =
            self.consistent(svc, "pids_limit", "deploy.resources.limits.pids", service_pids, deploy_pids);
        w.resources.cpu_shares = svc.val.get("cpu_shares").and_then(|v| {
            let n = self.integer(v, &svc.path("cpu_shares"))?;
            match u64::try_from(n) {
                Ok(n) => Some(Setting::new(n, v.origin.clone())),
                Err(_) => {
                    self.error(&v.origin, format!("{} must not be negative", svc.path("cpu_shares")));
                    None
                }
            }
        });
        info.memswap_limit = svc.val.get("memswap_limit").and_then(|v| {
            // `-1`: unlimited swap.
            if let Some(ScalarType::Int(-1)) = v.as_scalar().map(|s| s.ty) {
                return Some(Setting::new(u64::MAX, v.origin.clone()));
            }
            let b = self.bytes(v, &svc.path("memswap_limit"))?;
            Some(Setting::new(b, v.origin.clone()))
        });
    }

    /// Compose rejects a service-level limit and a `deploy` limit that differ; the
    /// service-level one is kept.
    fn consistent<T: PartialEq>(
        &mut self,
        svc: &Svc<'_>,
        service_field: &str,
        deploy_field: &str,
        service: Option<Setting<T>>,
        deploy: Option<Setting<T>>,
    ) -> Option<Setting<T>> {
        match (service, deploy) {
            (Some(s), Some(d)) => {
                if s.value != d.value {
                    let message = format!(
                        "services.{}: can't set distinct values on '{service_field}' and '{deploy_field}'",
                        svc.name
                    );
                    self.error(&s.origin, message);
                }
                Some(s)
            }
            (s, d) => s.or(d),
        }
    }

    fn ports(&mut self, svc: &Svc<'_>, w: &mut Workload) {
        let Some(v) = svc.val.get("ports") else { return };
        let path = svc.path("ports");
        let Some(items) = v.as_seq() else {
            if !v.is_null() {
                self.error(&v.origin, format!("{path} must be a list"));
            }
            return;
        };
        for item in dedup("ports", items) {
            match &item.kind {
                Kind::Scalar(s) => {
                    if let ScalarType::Float(_) | ScalarType::Bool(_) = s.ty {
                        self.error(&item.origin, format!("{path}: invalid port {:?}", s.text));
                        continue;
                    }
                    let Some(text) = item.scalar_text() else { continue };
                    match syntax::parse_port(&text) {
                        Ok(spec) => w.ports.push(PortMapping {
                            host_ip: spec.host_ip,
                            host_port: spec.host_port.map(|h| h.0),
                            host_port_end: spec.host_port.and_then(|(a, b)| (a != b).then_some(b)),
                            container_port: spec.container.0,
                            container_port_end: (spec.container.0 != spec.container.1)
                                .then_some(spec.container.1),
                            protocol: spec.protocol,
                            origin: item.origin.clone(),
                        }),
                        Err(message) => self.error(&item.origin, format!("{path}: {message}")),
                    }
                }
                Kind::Map(_) => {
                    let Some(target) = item.get("target") else {
                        self.error(&item.origin, format!("{path}: port is missing a target"));
                        continue;
                    };
                    let target_range = target.scalar_text().and_then(|t| syntax::parse_port_range(&t));
                    let Some(container) = target_range.filter(|(a, _)| *a != 0) else {
                        self.error(
                            &target.origin,
                            format!("{path}: invalid target port {}", describe(target)),
                        );
                        continue;
                    };
                    let published = match item.get("published") {
                        Some(p) => match p.scalar_text().filter(|t| !t.is_empty()) {
                            Some(t) => match syntax::parse_port_range(&t) {
                                Some(range) => Some(range),
                                None => {
                                    self.error(&p.origin, format!("{path}: invalid published port {t:?}"));
                                    continue;
                                }
                            },
                            None => None,
                        },
                        None => None,
                    };
                    let host_ip = item.get("host_ip").and_then(Val::scalar_text).filter(|s| !s.is_empty());
                    let protocol = item
                        .get("protocol")
                        .and_then(Val::scalar_text)
                        .map_or_else(|| "tcp".to_string(), |p| p.to_ascii_lowercase());
                    w.ports.push(PortMapping {
                        host_ip,
                        host_port: published.map(|p| p.0),
                        host_port_end: published.and_then(|(a, b)| (a != b).then_some(b)),
                        container_port: container.0,
                        container_port_end: (container.0 != container.1).then_some(container.1),
                        protocol,
                        origin: item.origin.clone(),
                    });
                }
                _ => {
                    self.error(&item.origin, format!("{path}: entries must be strings, numbers or mappings"))
                }
            }
        }
    }

    /// `KEY=value` lists and `KEY: value` mappings, de-duplicated (last value, first position).
    fn key_values(&mut self, v: &Val, field: &str, path: &str) -> Vec<Setting<(String, String)>> {
        let items = match &v.kind {
            Kind::Map(_) => crate::merge::to_sequence(v.clone()),
            Kind::Seq(items) => items.clone(),
            Kind::Null => return Vec::new(),
            Kind::Scalar(_) => {
                self.error(&v.origin, format!("{path} must be a list or a mapping"));
                return Vec::new();
            }
        };
        dedup(field, &items)
            .into_iter()
            .filter_map(|item| {
                let text = item.scalar_text()?;
                let (k, val) = text.split_once('=').map_or((text.as_str(), ""), |(k, v)| (k, v));
                Some(Setting::new((k.to_string(), val.to_string()), item.origin.clone()))
            })
            .collect()
    }

    fn environment(&mut self, svc: &Svc<'_>, w: &mut Workload, info: &mut ServiceInfo) {
        let mut vars: Vec<EnvVariable> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut set = |vars: &mut Vec<EnvVariable>, var: EnvVariable| match index.get(&var.name) {
            Some(&i) => {
                if let Some(slot) = vars.get_mut(i) {
                    *slot = var;
                }
            }
            None => {
                index.insert(var.name.clone(), vars.len());
                vars.push(var);
            }
        };
        // `env_file` first: `environment` wins over it.
        if let Some(v) = svc.val.get("env_file") {
            let items: Vec<Val> = match &v.kind {
                Kind::Seq(items) => dedup("env_file", items),
                Kind::Null => Vec::new(),
                _ => vec![v.clone()],
            };
            for item in items {
                let (path_val, required) = match &item.kind {
                    Kind::Map(_) => {
                        let required = item
                            .get("required")
                            .and_then(|r| self.boolean(r, &svc.path("env_file.required")))
                            .unwrap_or(true);
                        (item.get("path").cloned(), required)
                    }
                    _ => (Some(item.clone()), true),
                };
                let Some(path_val) = path_val else {
                    self.error(&item.origin, format!("{}: entry without a path", svc.path("env_file")));
                    continue;
                };
                let Some(text) = self.string(&path_val, &svc.path("env_file")) else { continue };
                let file = self.host_path(&text, &path_val.origin);
                info.env_files.push(Setting::new(file.clone(), path_val.origin.clone()));
                if !required && !self.loader.fs.is_file(std::path::Path::new(&file)) {
                    continue;
                }
                let env = self.env;
                let entries =
                    self.loader.env_file_entries(&file, Some(&path_val.origin), &|name| env.get(name));
                for (name, value, origin) in entries {
                    // A bare `KEY` the environment does not define is dropped, as Compose does.
                    if let Some(value) = value {
                        set(&mut vars, EnvVariable { name, value: Some(value), origin, value_origin: None });
                    }
                }
            }
        }
        if let Some(v) = svc.val.get("environment") {
            let path = svc.path("environment");
            // Map syntax keeps each value's own span, for findings that point at the value.
            let mut value_origins: Vec<(String, Origin)> = Vec::new();
            if let Kind::Map(entries) = &v.kind {
                for entry in entries {
                    if matches!(entry.value.kind, Kind::Scalar(_)) {
                        value_origins.push((entry.key.clone(), entry.value.origin.clone()));
                    }
                }
            }
            let items = match &v.kind {
                Kind::Map(_) => crate::merge::to_sequence(v.clone()),
                Kind::Seq(items) => items.clone(),
                Kind::Null => Vec::new(),
                Kind::Scalar(_) => {
                    self.error(&v.origin, format!("{path} must be a list or a mapping"));
                    Vec::new()
                }
            };
            for item in dedup("environment", &items) {
                let Some(text) = item.scalar_text() else {
                    self.error(&item.origin, format!("{path}: entries must be strings"));
                    continue;
                };
                let (name, value) = match text.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (text, None),
                };
                let value_origin = value_origins.iter().find(|(key, _)| *key == name).map(|(_, o)| o.clone());
                set(&mut vars, EnvVariable { name, value, origin: item.origin.clone(), value_origin });
            }
        }
        w.env = vars;
    }

    fn secrets(&mut self, svc: &Svc<'_>, w: &mut Workload, info: &mut ServiceInfo) {
        let Some(v) = svc.val.get("secrets") else { return };
        let Some(items) = v.as_seq() else {
            if !v.is_null() {
                self.error(&v.origin, format!("{} must be a list", svc.path("secrets")));
            }
            return;
        };
        for item in dedup("secrets", items) {
            let (source, target) = match &item.kind {
                Kind::Map(_) => (
                    item.get("source").and_then(Val::scalar_text),
                    item.get("target").and_then(Val::scalar_text),
                ),
                _ => (item.scalar_text(), None),
            };
            let Some(source) = source else {
                self.error(&item.origin, format!("{}: secret without a source", svc.path("secrets")));
                continue;
            };
            let target = match target {
                Some(t) if t.starts_with('/') => t,
                Some(t) => format!("/run/secrets/{t}"),
                None => format!("/run/secrets/{source}"),
            };
            info.secrets.push(ServiceSecret { source: source.clone(), target, origin: item.origin.clone() });
            w.secrets.push(Setting::new(source, item.origin.clone()));
        }
    }

    fn healthcheck(&mut self, svc: &Svc<'_>) -> Option<WorkloadHealthcheck> {
        let hc = svc.val.get("healthcheck")?;
        if hc.is_null() {
            return None;
        }
        let path = svc.path("healthcheck");
        let disabled_flag = match hc.get("disable") {
            Some(d) => self.boolean(d, &format!("{path}.disable")).unwrap_or(false),
            None => false,
        };
        let test_val = hc.get("test");
        let test_words: Option<Vec<String>> = test_val.and_then(|t| match &t.kind {
            Kind::Scalar(_) => t.scalar_text().map(|s| vec!["CMD-SHELL".to_string(), s]),
            Kind::Seq(items) => Some(items.iter().filter_map(Val::scalar_text).collect()),
            _ => None,
        });
        let disabled =
            disabled_flag || test_words.as_ref().is_some_and(|w| w.first().is_some_and(|f| f == "NONE"));
        let origin = match (hc.get("disable"), test_val) {
            (Some(d), _) if disabled_flag => d.origin.clone(),
            (_, Some(t)) => t.origin.clone(),
            _ => hc.origin.clone(),
        };
        Some(WorkloadHealthcheck { disabled, test: test_words.map(|w| w.join(" ")), origin })
    }
}

/// Every key a service may have (compose-spec schema, checked against `docker compose`
/// v2.40.3), besides `x-*` extensions. Sorted, for binary search.
const SERVICE_KEYS: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "label_file",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "provider",
    "pull_policy",
    "pull_refresh_after",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
];

/// Every top-level key of a Compose file, besides `x-*` extensions.
pub(crate) const TOP_LEVEL_KEYS: &[&str] =
    &["version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"];

/// Joins a relative path onto a base directory.
fn join_base(base: &str, path: &str) -> String {
    syntax::join_path(base, path)
}

fn is_remote_context(text: &str) -> bool {
    text.contains("://") || text.starts_with("git@") || text.starts_with("github.com/")
}

fn describe(v: &Val) -> String {
    match v.as_str() {
        Some(text) => format!("{text:?}"),
        None => v.type_name().to_string(),
    }
}

/// Removes repeated values, keeping the first position.
fn dedup_settings(items: Vec<Setting<String>>) -> Vec<Setting<String>> {
    let mut out: Vec<Setting<String>> = Vec::with_capacity(items.len());
    for item in items {
        match out.iter_mut().find(|o| o.value == item.value) {
            Some(slot) => *slot = item,
            None => out.push(item),
        }
    }
    out
}

/// The project name as Compose derives it: lower case, only `a-z0-9_-`, starting with a letter
/// or digit.
pub(crate) fn normalize_project_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let kept: String =
        lower.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')).collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

/// The last component of a directory path, for the default project name.
pub(crate) fn dir_name(dir: &str) -> String {
    let trimmed = dir.trim_end_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        if let Ok(cwd) = std::env::current_dir() {
            return cwd.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        }
        return String::new();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Used by `load_project` to pick the deployment's origin.
pub(crate) fn deployment_origin(model: &Val, first_file: &Arc<str>) -> Origin {
    match model.entry("services") {
        Some(e) if e.key_origin.path == *first_file => e.key_origin.clone(),
        _ => Origin::new(first_file.clone(), shipshape_model::Span::default()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn service_keys_are_sorted() {
        assert!(super::SERVICE_KEYS.windows(2).all(|w| w[0] < w[1]));
    }
}
