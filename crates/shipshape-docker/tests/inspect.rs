//! Lowering real `docker inspect` output (recorded from Docker 20.10 with `docker create`/`run`,
//! see tests/data/README.md) to the Workload model.

use shipshape_docker::inspect::{self, looks_like_container_inspect};
use shipshape_model::{MountKind, NamespaceMode, SourceFile, Workload};
use std::sync::Arc;

fn load(name: &str) -> (SourceFile, Vec<Workload>) {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let source = SourceFile::new(name, text);
    let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let document = stream.documents.first().expect("one document");
    let output = inspect::lower(&document.root, &Arc::from(name));
    assert!(output.diagnostics.is_empty(), "{:?}", output.diagnostics);
    (source, output.workloads)
}

fn line_of(source: &SourceFile, origin: &shipshape_model::Origin) -> (u32, String) {
    let (line, _) = source.line_col(origin.span.start);
    (line, source.line_text(line).trim().to_string())
}

#[test]
fn insecure_container_settings_point_at_their_lines() {
    let (source, workloads) = load("insecure.json");
    assert_eq!(workloads.len(), 2);
    let agent = &workloads[0];
    assert_eq!(agent.name, "insecure-agent");
    assert!(agent.is_privileged());
    let privileged = agent.privileged.as_ref().expect("privileged set");
    assert_eq!(line_of(&source, &privileged.origin).1, "\"Privileged\": true,");
    let caps: Vec<&str> = agent.cap_add.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(caps, ["NET_ADMIN", "SYS_ADMIN"]);
    assert_eq!(agent.namespaces.pid.as_ref().map(|p| &p.value), Some(&NamespaceMode::Host));
    assert_eq!(agent.namespaces.ipc.as_ref().map(|p| &p.value), Some(&NamespaceMode::Host));
    assert_eq!(agent.namespaces.uts.as_ref().map(|p| &p.value), Some(&NamespaceMode::Host));
    assert!(agent.namespaces.network.is_none(), "the default bridge is not a namespace mode");

    let socket = agent.mounts.iter().find(|m| m.target == "/var/run/docker.sock").expect("socket mount");
    assert_eq!(socket.kind, MountKind::Bind);
    assert!(!socket.read_only);
    assert!(line_of(&source, &socket.origin).1.starts_with('{'), "points at the mount object");
    let shared = agent.mounts.iter().find(|m| m.target == "/data").expect("data mount");
    assert_eq!(shared.propagation.as_deref(), Some("rshared"));
    assert_eq!(agent.mounts.len(), 3, "Binds duplicate Mounts and must not be counted twice");

    assert_eq!(agent.devices.first().map(|d| d.host_path.as_str()), Some("/dev/fuse"));
    assert_eq!(agent.device_cgroup_rules.first().map(|r| r.value.as_str()), Some("c *:* rwm"));
    assert_eq!(agent.security.seccomp.as_ref().map(|s| s.value.as_str()), Some("unconfined"));
    assert_eq!(agent.security.apparmor.as_ref().map(|s| s.value.as_str()), Some("unconfined"));
    assert_eq!(agent.security.selinux.first().map(|s| s.value.as_str()), Some("disable"));
    assert_eq!(agent.security.unmasked_paths.as_ref().map(|s| s.value), Some(true));
    assert!(agent.security.no_new_privileges.is_none());
    assert!(agent.resources.memory.is_none() && agent.resources.cpus.is_none());
    assert!(agent.resources.pids.is_none(), "PidsLimit null means unlimited");

    let mut ports: Vec<(Option<&str>, Option<u16>, u16)> =
        agent.ports.iter().map(|p| (p.host_ip.as_deref(), p.host_port, p.container_port)).collect();
    ports.sort();
    assert_eq!(ports, [(None, Some(2375), 2375), (Some("0.0.0.0"), Some(2222), 22)]);
    assert!(agent.ports.iter().all(|p| p.on_all_interfaces()));

    let password = agent.env.iter().find(|e| e.name == "DB_PASSWORD").expect("env");
    assert_eq!(password.value.as_deref(), Some("hunter2-prod"));
    assert_eq!(line_of(&source, &password.origin).1, "\"DB_PASSWORD=hunter2-prod\",");
    assert_eq!(agent.restart.as_ref().map(|r| r.value.as_str()), Some("always"));
    assert_eq!(agent.logging_driver.as_ref().map(|r| r.value.as_str()), Some("none"));
    assert_eq!(agent.user.as_ref().map(|u| u.value.as_str()), Some("root"));
    assert_eq!(agent.sysctls.first().map(|s| s.value.0.as_str()), Some("kernel.msgmax"));
    assert_eq!(agent.image_ref.as_ref().map(|r| r.familiar_name()), Some("shipshape-test/busybox".into()));

    let host_net = &workloads[1];
    assert_eq!(host_net.namespaces.network.as_ref().map(|n| &n.value), Some(&NamespaceMode::Host));
    assert_eq!(host_net.namespaces.user.as_ref().map(|n| &n.value), Some(&NamespaceMode::Host));
    assert_eq!(host_net.oom_kill_disable.as_ref().map(|o| o.value), Some(true));
    assert!(host_net.security.unmasked_paths.is_none(), "default masked paths are present");
}

#[test]
fn hardened_containers_lower_their_limits() {
    let (_, workloads) = load("hardened.json");
    let web = &workloads[0];
    assert_eq!(web.name, "hardened-web");
    assert_eq!(web.user.as_ref().map(|u| u.value.as_str()), Some("10001:10001"));
    assert!(web.drops_all_capabilities());
    assert_eq!(web.security.no_new_privileges.as_ref().map(|n| n.value), Some(true));
    assert_eq!(web.read_only_rootfs.as_ref().map(|r| r.value), Some(true));
    assert_eq!(web.resources.memory.as_ref().map(|m| m.value), Some(256 * 1024 * 1024));
    assert_eq!(web.resources.cpus.as_ref().map(|c| c.value), Some(0.5));
    assert_eq!(web.resources.pids.as_ref().map(|p| p.value), Some(100));
    assert_eq!(
        web.ports.first().map(|p| (p.host_ip.as_deref(), p.on_all_interfaces())),
        Some((Some("127.0.0.1"), false))
    );
    let check = web.healthcheck.as_ref().expect("healthcheck");
    assert!(!check.disabled);
    assert_eq!(check.test.as_deref(), Some("wget -q -O- http://127.0.0.1:8080/ || exit 1"));

    let running = &workloads[1];
    assert_eq!(
        running.namespaces.network.as_ref().map(|n| &n.value),
        Some(&NamespaceMode::Private("none".into()))
    );
    let data = running.mounts.iter().find(|m| m.target == "/data").expect("data mount");
    assert!(data.read_only);
}

#[test]
fn sniffing_and_non_container_objects() {
    assert!(looks_like_container_inspect("[\n    {\n        \"Id\": \"x\",\n        \"HostConfig\": {}"));
    assert!(!looks_like_container_inspect("{\"name\": \"package\", \"version\": \"1.0.0\"}"));
    let text = r#"[{"Id": "sha256:1", "RepoTags": ["a:1"], "RootFS": {}}, {"Name": "net", "Driver": "bridge", "IPAM": {}}]"#;
    let stream = shipshape_yaml::parse(text, &shipshape_yaml::Limits::default());
    let output = inspect::lower(&stream.documents[0].root, &Arc::from("x.json"));
    assert!(output.workloads.is_empty());
    let kinds: Vec<&str> = output.skipped.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["image", "network"]);
    assert!(looks_like_container_inspect(text));
    let stream = shipshape_yaml::parse("\"just a string\"", &shipshape_yaml::Limits::default());
    let output = inspect::lower(&stream.documents[0].root, &Arc::from("x.json"));
    assert_eq!(output.diagnostics.len(), 1);
}

#[test]
fn compose_labels_name_the_project_service_and_file() {
    let text = r#"[{"Id": "abc", "Name": "/shop-web-1", "Config": {"Image": "nginx:1.27", "Labels": {
        "com.docker.compose.project": "shop", "com.docker.compose.service": "web",
        "com.docker.compose.project.config_files": "/srv/shop/compose.yaml"}}, "HostConfig": {}}]"#;
    let stream = shipshape_yaml::parse(text, &shipshape_yaml::Limits::default());
    let output = inspect::lower(&stream.documents[0].root, &Arc::from("x.json"));
    assert_eq!(
        output.workloads[0].name,
        "shop-web-1 (compose project shop, service web, /srv/shop/compose.yaml)"
    );
}

#[test]
fn api_versions_the_live_daemon_cannot_show() {
    let (source, old) = load("api-1.24-docker-1.12.json");
    let legacy = &old[0];
    assert_eq!(legacy.name, "legacy-web");
    assert!(!legacy.is_privileged());
    assert!(legacy.cap_add.is_empty() && legacy.cap_drop.is_empty(), "null capability lists");
    let socket = legacy.mounts.iter().find(|m| m.target == "/var/run/docker.sock").expect("socket bind");
    assert!(!socket.read_only);
    assert_eq!(line_of(&source, &socket.origin).0, 67, "the effective mount, from `Mounts`");
    let published = legacy.ports.iter().find(|p| p.container_port == 80).expect("port 80");
    assert_eq!(published.host_port, Some(80));
    assert!(legacy.resources.memory.is_none(), "Memory 0 is no limit");

    let (_, new) = load("api-1.47-docker-27.json");
    let modern = &new[0];
    assert_eq!(modern.name, "modern-api (compose project modern, service api, /srv/modern/compose.yaml)");
    assert_eq!(modern.cap_drop.iter().map(|c| c.value.as_str()).collect::<Vec<_>>(), ["ALL"]);
    assert_eq!(modern.resources.memory.as_ref().map(|m| m.value), Some(536_870_912));
    assert!(modern.read_only_rootfs.as_ref().is_some_and(|r| r.value));
    assert!(modern.security.no_new_privileges.as_ref().is_some_and(|n| n.value));
    assert!(modern.mounts.iter().any(|m| m.target == "/var/lib/app" && m.kind == MountKind::Volume));
    assert!(modern.healthcheck.as_ref().is_some_and(|h| !h.disabled));
}
