//! Kubernetes manifests lowered to the [`Workload`] model.
//!
//! Every document of a YAML stream (or a JSON manifest) is read; `kind: List` (and any `*List`
//! with `items`) is unpacked. The pod template of a Pod, Deployment, StatefulSet, DaemonSet,
//! ReplicaSet, ReplicationController, Job, CronJob and PodTemplate, and of any object with
//! `spec.template.spec.containers`, yields one [`Workload`] per container, init container and
//! ephemeral container, named `<kind>/<name>/<container>`. Every field keeps the [`Origin`] of the
//! node that set it; values inherited from the pod's `securityContext` point there.
//!
//! Kubernetes-only facts the model has no field for (`runAsNonRoot`, the service account, hostPath
//! types) are kept in [`KubeOutput::extras`], parallel to [`KubeOutput::workloads`].

#![warn(missing_docs)]

pub mod cluster;
pub mod pod_security;

use shipshape_model::general::PARSE_ERROR;
use shipshape_model::{
    EnvVariable, Finding, ImageRef, Mount, MountKind, NamespaceMode, Origin, Platform, PortMapping, Setting,
    Workload, WorkloadHealthcheck,
};
use shipshape_yaml::{Node, Stream};
use std::sync::Arc;

/// Deepest nesting of `List` objects unpacked.
const MAX_LIST_DEPTH: usize = 8;

/// One Kubernetes object found in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectInfo<'n> {
    /// `apiVersion`, when set.
    pub api_version: Option<String>,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (or `metadata.generateName`), when set.
    pub name: Option<String>,
    /// `metadata.namespace`, when set (for the object of an `AdmissionReview`, the request's
    /// namespace when the object has none).
    pub namespace: Option<String>,
    /// The object's mapping.
    pub origin: Origin,
    /// The object's node.
    pub node: &'n Node,
    /// Set when the object came from an `AdmissionReview` request.
    pub admission: Option<AdmissionRequest>,
}

impl<'n> ObjectInfo<'n> {
    /// `metadata.labels`.
    pub fn labels(&self) -> Option<&'n Node> {
        self.node.get_path(&["metadata", "labels"])
    }

    /// `metadata.annotations`.
    pub fn annotations(&self) -> Option<&'n Node> {
        self.node.get_path(&["metadata", "annotations"])
    }
}

/// What an `AdmissionReview` v1 says about the request its object came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionRequest {
    /// `request.uid`, echoed in the response.
    pub uid: String,
    /// `request.operation` (`CREATE`, `UPDATE`, ...).
    pub operation: Option<String>,
    /// `apiVersion` of the review.
    pub api_version: String,
}

/// A pod as the Pod Security admission controller sees it: the metadata and spec of a Pod, or of
/// the pod template of a workload controller.
#[derive(Debug, Clone, Copy)]
pub struct PodSite<'n> {
    /// Index of the object (in [`KubeOutput::objects`]) the pod belongs to.
    pub object: usize,
    /// The pod's (or template's) `metadata`.
    pub metadata: Option<&'n Node>,
    /// The pod spec mapping.
    pub spec: &'n Node,
    /// The node the pod came from: the object for a Pod, else the template.
    pub node: &'n Node,
}

/// Which list of the pod spec a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// `containers`.
    Regular,
    /// `initContainers`.
    Init,
    /// `ephemeralContainers`.
    Ephemeral,
}

/// Kubernetes-only facts about one workload that the [`Workload`] model has no field for.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadExtras {
    /// Index of the object (in [`KubeOutput::objects`]) the workload belongs to.
    pub object: usize,
    /// Which container list the container is in.
    pub container_kind: ContainerKind,
    /// Effective `runAsNonRoot` (container over pod).
    pub run_as_non_root: Option<Setting<bool>>,
    /// Effective `runAsGroup` (container over pod).
    pub run_as_group: Option<Setting<String>>,
    /// Pod `automountServiceAccountToken`.
    pub automount_service_account_token: Option<Setting<bool>>,
    /// Pod `serviceAccountName` (or the deprecated `serviceAccount`).
    pub service_account_name: Option<Setting<String>>,
    /// `hostPath.type` of each hostPath volume the container mounts: (mount target, type).
    pub host_path_types: Vec<(String, Setting<String>)>,
}

/// What lowering a manifest stream produced.
#[derive(Debug, Default)]
pub struct KubeOutput<'n> {
    /// One per container.
    pub workloads: Vec<Workload>,
    /// Parallel to `workloads`: what the model cannot hold.
    pub extras: Vec<WorkloadExtras>,
    /// Every object (not `List`s or `AdmissionReview`s themselves), workload-bearing or not.
    pub objects: Vec<ObjectInfo<'n>>,
    /// Every pod and pod template, in input order.
    pub pods: Vec<PodSite<'n>>,
    /// Structural problems (`GEN001`).
    pub diagnostics: Vec<Finding>,
}

/// Whether the start of a `.yaml`/`.yml`/`.json` file looks like a Kubernetes manifest: top-level
/// `apiVersion:` and `kind:` lines (YAML) or `"apiVersion"` and `"kind"` keys (JSON).
///
/// Helm and other Go-template sources (a line that starts with `{{`, or a value that does) are not
/// manifests until rendered: read as YAML they fail to parse, and the values the templates fill in
/// (often the whole `securityContext`) would be reported missing.
pub fn looks_like_manifest(file_name: &str, head: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        return head.contains("\"apiVersion\"") && head.contains("\"kind\"");
    }
    (lower.ends_with(".yaml") || lower.ends_with(".yml"))
        && head.lines().any(|l| l.starts_with("apiVersion:"))
        && head.lines().any(|l| l.starts_with("kind:"))
        && !is_go_template(head)
}

fn is_go_template(head: &str) -> bool {
    head.lines().any(|line| {
        let line = line.trim_start().trim_start_matches("- ");
        line.starts_with("{{")
            || line.split_once(": ").is_some_and(|(_, value)| value.trim_start().starts_with("{{"))
    })
}

/// Lowers every document of `stream`, read from `path`. Parse errors of the stream itself are not
/// repeated here (they are in [`Stream::errors`]), nor are structural problems of a document that
/// a syntax error cut short.
pub fn lower<'n>(stream: &'n Stream, path: &Arc<str>) -> KubeOutput<'n> {
    let mut lowerer = Lowerer { path, output: KubeOutput::default() };
    for document in &stream.documents {
        if document.root.is_null() {
            continue;
        }
        let before = lowerer.output.diagnostics.len();
        lowerer.object(&document.root, 0, None);
        // A document cut short by a syntax error is reported by that error; what it lacks as a
        // result (`kind`, `containers`) is not a second problem.
        if !document.complete {
            lowerer.output.diagnostics.truncate(before);
        }
    }
    lowerer.output
}

struct Lowerer<'p, 'n> {
    path: &'p Arc<str>,
    output: KubeOutput<'n>,
}

/// The pod-level context a container is lowered in.
struct Pod<'n> {
    spec: &'n Node,
    security: Option<&'n Node>,
    annotations: Option<&'n Node>,
    object: usize,
    prefix: String,
}

fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str).filter(|s| !s.trim().is_empty())
}

fn sequence(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_sequence).unwrap_or_default()
}

/// `cap_sys_admin`, `CAP_SYS_ADMIN`, `sys_admin` → `SYS_ADMIN`.
pub fn normalise_capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").map_or(upper.clone(), str::to_string)
}

/// A Kubernetes quantity (`512Mi`, `1G`, `1e9`, `500m`, `1.5`) as a number of base units.
pub fn parse_quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split =
        text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() || number == "." {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let multiplier = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0f64.powi(2),
        "Gi" => 1024.0f64.powi(3),
        "Ti" => 1024.0f64.powi(4),
        "Pi" => 1024.0f64.powi(5),
        "Ei" => 1024.0f64.powi(6),
        other => {
            let exponent: i32 = other.strip_prefix(['e', 'E'])?.parse().ok()?;
            10f64.powi(exponent)
        }
    };
    let result = value * multiplier;
    result.is_finite().then_some(result)
}

/// A scalar node's text, for quantities and ports written as numbers or strings.
fn scalar_text(node: &Node) -> Option<&str> {
    node.as_str().map(str::trim).filter(|s| !s.is_empty())
}

fn port_number(node: Option<&Node>) -> Option<u16> {
    let node = node?;
    node.int().or_else(|| scalar_text(node)?.parse().ok()).and_then(|n| u16::try_from(n).ok())
}

impl<'n> Lowerer<'_, 'n> {
    fn origin(&self, node: &Node) -> Origin {
        Origin::new(self.path.clone(), node.span)
    }

    fn setting<T>(&self, node: &Node, value: T) -> Setting<T> {
        Setting::new(value, self.origin(node))
    }

    fn diagnostic(&mut self, node: &Node, message: impl Into<String>) {
        let finding = Finding::new(&PARSE_ERROR, &self.origin(node), message);
        self.output.diagnostics.push(finding);
    }

    fn object(&mut self, node: &'n Node, depth: usize, admission: Option<(&AdmissionRequest, Option<&str>)>) {
        if node.as_mapping().is_none() {
            self.diagnostic(node, "expected a Kubernetes object (a mapping with `apiVersion` and `kind`)");
            return;
        }
        let Some(kind) = text(node.get("kind")) else {
            self.diagnostic(node, "this Kubernetes object has no `kind`");
            return;
        };
        if kind.ends_with("List")
            && let Some(items) = node.get("items")
        {
            match items.as_sequence() {
                Some(items) if depth < MAX_LIST_DEPTH => {
                    for item in items {
                        self.object(item, depth + 1, admission);
                    }
                }
                Some(_) => self.diagnostic(node, "`List` objects are nested too deeply"),
                None if items.is_null() => {}
                None => self.diagnostic(items, "`items` must be a list of objects"),
            }
            return;
        }
        if kind == "AdmissionReview" && admission.is_none() {
            self.admission_review(node, depth);
            return;
        }
        let metadata = node.get("metadata");
        let name = text(metadata.and_then(|m| m.get("name")))
            .or_else(|| text(metadata.and_then(|m| m.get("generateName"))))
            .map(str::to_string);
        let index = self.output.objects.len();
        self.output.objects.push(ObjectInfo {
            api_version: text(node.get("apiVersion")).map(str::to_string),
            kind: kind.to_string(),
            name: name.clone(),
            namespace: text(metadata.and_then(|m| m.get("namespace")))
                .or(admission.and_then(|(_, namespace)| namespace))
                .map(str::to_string),
            origin: self.origin(node),
            node,
            admission: admission.map(|(request, _)| request.clone()),
        });
        let prefix = format!("{kind}/{}", name.as_deref().unwrap_or("-"));
        let spec = node.get("spec");
        let template = match kind {
            "Pod" => Some(node),
            "PodTemplate" => node.get("template"),
            "CronJob" => spec.and_then(|s| s.get_path(&["jobTemplate", "spec", "template"])),
            _ => spec.and_then(|s| s.get("template")),
        };
        let pod_metadata = template.and_then(|t| t.get("metadata"));
        let pod_spec = template.and_then(|t| t.get("spec"));
        let annotations = pod_metadata.and_then(|m| m.get("annotations"));
        let bears_pods = matches!(
            kind,
            "Pod"
                | "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "ReplicationController"
                | "Job"
                | "CronJob"
        );
        let Some(pod_spec) = pod_spec else {
            if bears_pods {
                self.diagnostic(spec.unwrap_or(node), format!("this {kind} has no pod spec"));
            }
            return;
        };
        if !bears_pods && pod_spec.get("containers").is_none() {
            return;
        }
        if pod_spec.as_mapping().is_none() {
            self.diagnostic(pod_spec, "the pod spec must be a mapping");
            return;
        }
        self.output.pods.push(PodSite {
            object: index,
            metadata: pod_metadata,
            spec: pod_spec,
            node: template.unwrap_or(node),
        });
        let pod = Pod {
            spec: pod_spec,
            security: pod_spec.get("securityContext"),
            annotations,
            object: index,
            prefix,
        };
        match pod_spec.get("containers").map(|c| (c, c.as_sequence())) {
            Some((_, Some(_))) => {}
            Some((containers, None)) => self.diagnostic(containers, "`containers` must be a list"),
            None => self.diagnostic(pod_spec, "the pod spec has no `containers`"),
        }
        for (key, container_kind) in [
            ("initContainers", ContainerKind::Init),
            ("containers", ContainerKind::Regular),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ] {
            for (i, container) in sequence(pod_spec.get(key)).iter().enumerate() {
                if container.as_mapping().is_none() {
                    self.diagnostic(container, format!("`{key}` entries must be mappings"));
                    continue;
                }
                self.container(&pod, container, container_kind, i);
            }
        }
    }

    /// An `AdmissionReview`: its `request.object` is lowered as if it had been written alone.
    fn admission_review(&mut self, review: &'n Node, depth: usize) {
        let Some(request) = review.get("request") else {
            self.diagnostic(review, "this AdmissionReview has no `request`");
            return;
        };
        let Some(object) = request.get("object").filter(|o| !o.is_null()) else {
            // A DELETE carries only `oldObject`: nothing is admitted, so nothing is checked.
            if text(request.get("operation")) != Some("DELETE") {
                self.diagnostic(request, "this AdmissionReview request has no `object`");
            }
            return;
        };
        let admission = AdmissionRequest {
            uid: text(request.get("uid")).unwrap_or_default().to_string(),
            operation: text(request.get("operation")).map(str::to_string),
            api_version: text(review.get("apiVersion")).unwrap_or("admission.k8s.io/v1").to_string(),
        };
        let namespace = text(request.get("namespace"));
        self.object(object, depth + 1, Some((&admission, namespace)));
    }

    fn container(&mut self, pod: &Pod<'_>, container: &Node, container_kind: ContainerKind, index: usize) {
        let name = match text(container.get("name")) {
            Some(name) => name.to_string(),
            None => {
                self.diagnostic(container, "this container has no `name`");
                format!("#{index}")
            }
        };
        let mut workload =
            Workload::new(format!("{}/{name}", pod.prefix), Platform::Kubernetes, self.origin(container));
        let mut extras = WorkloadExtras {
            object: pod.object,
            container_kind,
            run_as_non_root: None,
            run_as_group: None,
            automount_service_account_token: None,
            service_account_name: None,
            host_path_types: Vec::new(),
        };
        if let Some(image) = container.get("image").filter(|n| text(Some(n)).is_some()) {
            let value = image.as_str().unwrap_or_default().trim().to_string();
            workload.image_ref = ImageRef::parse(&value);
            workload.image = Some(self.setting(image, value));
        }
        self.pod_fields(pod, &mut workload, &mut extras);
        self.security(pod, container, &name, &mut workload, &mut extras);
        self.mounts(pod, container, &mut workload, &mut extras);
        self.ports(container, &mut workload);
        self.env(container, &mut workload);
        self.resources(container, &mut workload);
        let probe = container.get("livenessProbe").or_else(|| container.get("readinessProbe"));
        if let Some(probe) = probe {
            let handler =
                ["exec", "httpGet", "tcpSocket", "grpc"].into_iter().find(|h| probe.get(h).is_some());
            workload.healthcheck = Some(WorkloadHealthcheck {
                disabled: false,
                test: handler.map(str::to_string),
                origin: self.origin(probe),
            });
        }
        self.output.workloads.push(workload);
        self.output.extras.push(extras);
    }

    fn pod_fields(&self, pod: &Pod<'_>, workload: &mut Workload, extras: &mut WorkloadExtras) {
        let spec = pod.spec;
        let host = |key: &str| -> Option<Setting<NamespaceMode>> {
            let node = spec.get(key)?;
            node.bool_yaml11()?.then(|| self.setting(node, NamespaceMode::Host))
        };
        workload.namespaces.pid = host("hostPID");
        workload.namespaces.ipc = host("hostIPC");
        workload.namespaces.network = host("hostNetwork");
        if let Some(node) = spec.get("hostUsers")
            && let Some(value) = node.bool_yaml11()
        {
            let mode =
                if value { NamespaceMode::Host } else { NamespaceMode::Private("hostUsers: false".into()) };
            workload.namespaces.user = Some(self.setting(node, mode));
        }
        if let Some(node) = spec.get("automountServiceAccountToken")
            && let Some(value) = node.bool_yaml11()
        {
            extras.automount_service_account_token = Some(self.setting(node, value));
        }
        if let Some(node) = spec.get("serviceAccountName").or_else(|| spec.get("serviceAccount"))
            && let Some(value) = text(Some(node))
        {
            extras.service_account_name = Some(self.setting(node, value.to_string()));
        }
        for sysctl in sequence(pod.security.and_then(|s| s.get("sysctls"))) {
            if let Some(name) = text(sysctl.get("name")) {
                let value = sysctl.get("value").and_then(scalar_text).unwrap_or_default();
                workload.sysctls.push(self.setting(sysctl, (name.to_string(), value.to_string())));
            }
        }
    }

    fn security(
        &self,
        pod: &Pod<'_>,
        container: &Node,
        name: &str,
        workload: &mut Workload,
        extras: &mut WorkloadExtras,
    ) {
        let own = container.get("securityContext");
        // The kubelet's merge: a field the container sets replaces the pod's as a whole.
        let merged =
            |key: &str| own.and_then(|s| s.get(key)).or_else(|| pod.security.and_then(|s| s.get(key)));
        let own_field = |key: &str| own.and_then(|s| s.get(key));

        if let Some(node) = merged("runAsUser")
            && let Some(uid) = node.int()
        {
            workload.user = Some(self.setting(node, uid.to_string()));
        }
        if let Some(node) = merged("runAsGroup")
            && let Some(gid) = node.int()
        {
            extras.run_as_group = Some(self.setting(node, gid.to_string()));
        }
        if let Some(node) = merged("runAsNonRoot")
            && let Some(value) = node.bool_yaml11()
        {
            extras.run_as_non_root = Some(self.setting(node, value));
        }
        if let Some(node) = own_field("privileged")
            && let Some(value) = node.bool_yaml11()
        {
            workload.privileged = Some(self.setting(node, value));
        }
        // A Windows HostProcess container is a process on the node: privileged in all but name.
        let host_process = own
            .and_then(|s| s.get_path(&["windowsOptions", "hostProcess"]))
            .or_else(|| pod.security.and_then(|s| s.get_path(&["windowsOptions", "hostProcess"])));
        if !workload.is_privileged()
            && let Some(node) = host_process
            && node.bool_yaml11() == Some(true)
        {
            workload.privileged = Some(self.setting(node, true));
        }
        let capabilities = own_field("capabilities");
        for cap in sequence(capabilities.and_then(|c| c.get("add"))) {
            if let Some(value) = text(Some(cap)) {
                workload.cap_add.push(self.setting(cap, normalise_capability(value)));
            }
        }
        for cap in sequence(capabilities.and_then(|c| c.get("drop"))) {
            if let Some(value) = text(Some(cap)) {
                workload.cap_drop.push(self.setting(cap, normalise_capability(value)));
            }
        }
        if let Some(node) = own_field("allowPrivilegeEscalation")
            && let Some(allowed) = node.bool_yaml11()
        {
            // `privileged` and CAP_SYS_ADMIN allow escalation whatever this says.
            let forced = workload.is_privileged() || workload.adds_capability("SYS_ADMIN").is_some();
            workload.security.no_new_privileges = Some(self.setting(node, !allowed && !forced));
        }
        if let Some(node) = own_field("readOnlyRootFilesystem")
            && let Some(value) = node.bool_yaml11()
        {
            workload.read_only_rootfs = Some(self.setting(node, value));
        }
        if let Some(node) = own_field("procMount")
            && let Some(value) = text(Some(node))
        {
            workload.security.unmasked_paths = Some(self.setting(node, value == "Unmasked"));
        }
        // Seccomp: the fields win over the deprecated annotations.
        let annotation =
            |key: &str| pod.annotations.and_then(|a| a.get(key)).filter(|n| text(Some(n)).is_some());
        let seccomp_field = merged("seccompProfile").and_then(|p| self.profile(p, "seccomp"));
        workload.security.seccomp = seccomp_field.or_else(|| {
            let node = annotation(&format!("container.seccomp.security.alpha.kubernetes.io/{name}"))
                .or_else(|| annotation("seccomp.security.alpha.kubernetes.io/pod"))?;
            Some(self.setting(node, text(Some(node))?.trim().to_string()))
        });
        let apparmor_field = merged("appArmorProfile").and_then(|p| self.profile(p, "apparmor"));
        workload.security.apparmor = apparmor_field.or_else(|| {
            let node = annotation(&format!("container.apparmor.security.beta.kubernetes.io/{name}"))?;
            Some(self.setting(node, text(Some(node))?.trim().to_string()))
        });
        if let Some(options) = merged("seLinuxOptions").and_then(Node::as_mapping) {
            for (key, node) in options {
                if let (Some(key), Some(value)) = (key.as_str(), text(Some(node))) {
                    workload.security.selinux.push(self.setting(node, format!("label={key}:{value}")));
                }
            }
        }
    }

    /// A `seccompProfile`/`appArmorProfile` mapping as the model's profile string.
    fn profile(&self, profile: &Node, what: &str) -> Option<Setting<String>> {
        let kind = profile.get("type")?;
        let value = match text(Some(kind))? {
            "Unconfined" => "unconfined".to_string(),
            "RuntimeDefault" => "runtime/default".to_string(),
            "Localhost" => {
                let local = text(profile.get("localhostProfile")).unwrap_or_default();
                format!("localhost/{local}")
            }
            other => format!("{what}:{other}"),
        };
        Some(self.setting(kind, value))
    }

    fn mounts(&self, pod: &Pod<'_>, container: &Node, workload: &mut Workload, extras: &mut WorkloadExtras) {
        let volumes = sequence(pod.spec.get("volumes"));
        for mount in sequence(container.get("volumeMounts")) {
            let (Some(volume_name), Some(target)) = (text(mount.get("name")), text(mount.get("mountPath")))
            else {
                continue;
            };
            let volume = volumes.iter().find(|v| text(v.get("name")) == Some(volume_name));
            let (kind, source) = match volume {
                Some(v) if v.get("hostPath").is_some() => {
                    let host_path = v.get("hostPath");
                    if let Some(kind) =
                        host_path.and_then(|h| h.get("type")).filter(|n| text(Some(n)).is_some())
                    {
                        let value = text(Some(kind)).unwrap_or_default().to_string();
                        extras.host_path_types.push((target.to_string(), self.setting(kind, value)));
                    }
                    // `subPath` mounts a path below the volume's root: that is the host path.
                    let source = text(host_path.and_then(|h| h.get("path"))).map(|root| {
                        match text(mount.get("subPath")) {
                            Some(sub) => {
                                format!("{}/{}", root.trim_end_matches('/'), sub.trim_start_matches('/'))
                            }
                            None => root.to_string(),
                        }
                    });
                    (MountKind::Bind, source)
                }
                Some(v) if v.get("emptyDir").is_some() => {
                    let memory = text(v.get_path(&["emptyDir", "medium"])) == Some("Memory");
                    (if memory { MountKind::Tmpfs } else { MountKind::Volume }, Some(volume_name.to_string()))
                }
                Some(v) if v.get("persistentVolumeClaim").is_some() => (
                    MountKind::Volume,
                    text(v.get_path(&["persistentVolumeClaim", "claimName"])).map(str::to_string),
                ),
                Some(v) => {
                    if let Some(secret) =
                        v.get_path(&["secret", "secretName"]).filter(|n| text(Some(n)).is_some())
                    {
                        let value = text(Some(secret)).unwrap_or_default().to_string();
                        workload.secrets.push(self.setting(secret, value));
                    }
                    (MountKind::Other, Some(volume_name.to_string()))
                }
                None => (MountKind::Other, Some(volume_name.to_string())),
            };
            let propagation = match text(mount.get("mountPropagation")) {
                Some("Bidirectional") => Some("rshared".to_string()),
                Some("HostToContainer") => Some("rslave".to_string()),
                _ => None,
            };
            workload.mounts.push(Mount {
                kind,
                source,
                target: target.to_string(),
                read_only: mount.get("readOnly").and_then(Node::bool_yaml11).unwrap_or(false),
                propagation,
                selinux_label: None,
                origin: self.origin(mount),
            });
        }
    }

    fn ports(&self, container: &Node, workload: &mut Workload) {
        for port in sequence(container.get("ports")) {
            let Some(container_port) = port_number(port.get("containerPort")) else { continue };
            let protocol = text(port.get("protocol")).unwrap_or("TCP").to_ascii_lowercase();
            match port_number(port.get("hostPort")).filter(|p| *p != 0) {
                Some(host_port) => workload.ports.push(PortMapping {
                    host_ip: text(port.get("hostIP")).map(str::to_string),
                    host_port: Some(host_port),
                    host_port_end: None,
                    container_port,
                    container_port_end: None,
                    protocol,
                    origin: self.origin(port),
                }),
                None => workload.exposed.push(self.setting(port, format!("{container_port}/{protocol}"))),
            }
        }
    }

    fn env(&self, container: &Node, workload: &mut Workload) {
        for entry in sequence(container.get("env")) {
            let Some(name) = text(entry.get("name")) else { continue };
            let value_node = entry.get("value").filter(|v| v.as_str().is_some());
            workload.env.push(EnvVariable {
                name: name.to_string(),
                value: value_node.and_then(Node::as_str).map(str::to_string),
                origin: self.origin(entry),
                value_origin: value_node.map(|v| self.origin(v)),
            });
        }
    }

    fn resources(&self, container: &Node, workload: &mut Workload) {
        let limits = container.get_path(&["resources", "limits"]);
        if let Some(node) = limits.and_then(|l| l.get("memory"))
            && let Some(bytes) = scalar_text(node).and_then(parse_quantity)
            && bytes >= 0.0
        {
            // Saturating float-to-int conversion: a limit beyond u64 is unlimited in practice.
            workload.resources.memory = Some(self.setting(node, bytes.ceil() as u64));
        }
        if let Some(node) = limits.and_then(|l| l.get("cpu"))
            && let Some(cores) = scalar_text(node).and_then(parse_quantity)
            && cores >= 0.0
        {
            workload.resources.cpus = Some(self.setting(node, cores));
        }
    }
}
