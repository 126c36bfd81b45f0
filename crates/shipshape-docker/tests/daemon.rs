//! Lowering real daemon output (recorded from Docker 20.10, Engine API 1.41; see
//! tests/data/README.md) and a daemon.json to the EngineConfig model.

use shipshape_docker::daemon::{self, Lowered, looks_like_docker_info};
use shipshape_model::{ApiListener, ApiTls, EngineConfig, Origin, SeccompDefault, SourceFile};
use std::sync::Arc;

fn load(name: &str, lower: fn(&shipshape_yaml::Node, &Arc<str>) -> Lowered) -> (SourceFile, EngineConfig) {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let source = SourceFile::new(name, text);
    let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let document = stream.documents.first().expect("one document");
    let lowered = lower(&document.root, &Arc::from(name));
    assert!(lowered.diagnostics.is_empty(), "{:?}", lowered.diagnostics);
    (source, lowered.config)
}

fn line(source: &SourceFile, origin: &Origin) -> String {
    let (line, _) = source.line_col(origin.span.start);
    source.line_text(line).trim().to_string()
}

fn names(list: &Option<shipshape_model::SettingList<String>>) -> Option<Vec<&str>> {
    list.as_ref().map(|l| l.value.iter().map(|s| s.value.as_str()).collect())
}

/// What both recordings of the default daemon (`dockerd --bridge=none --iptables=false`, no
/// daemon.json) must say.
fn assert_default_daemon(source: &SourceFile, c: &EngineConfig) {
    assert_eq!(c.server_version.as_ref().map(|v| v.value.as_str()), Some("20.10.24+dfsg1"));
    assert_eq!(c.os_type.as_ref().map(|v| v.value.as_str()), Some("linux"));
    let seccomp = c.seccomp.as_ref().expect("seccomp reported");
    assert_eq!(seccomp.value, SeccompDefault::Builtin);
    assert_eq!(line(source, &seccomp.origin), "\"name=seccomp,profile=default\"");
    assert_eq!(c.userns_remap.as_ref().map(|s| s.value), Some(false));
    assert_eq!(c.rootless.as_ref().map(|s| s.value), Some(false));
    let live_restore = c.live_restore.as_ref().expect("live restore reported");
    assert!(!live_restore.value);
    assert_eq!(line(source, &live_restore.origin), "\"LiveRestoreEnabled\": false,");
    assert_eq!(c.experimental.as_ref().map(|s| s.value), Some(false));
    assert_eq!(c.debug.as_ref().map(|s| s.value), Some(false));
    assert_eq!(c.logging_driver.as_ref().map(|s| s.value.as_str()), Some("json-file"));
    assert_eq!(c.storage_driver.as_ref().map(|s| s.value.as_str()), Some("overlay2"));
    assert_eq!(c.swarm_active.as_ref().map(|s| s.value), Some(false));
    let authz = c.authorization_plugins.as_ref().expect("authorization plugins reported");
    assert!(authz.value.is_empty());
    assert_eq!(line(source, &authz.origin), "\"Authorization\": null,");
    assert_eq!(names(&c.insecure_registries), Some(vec![]), "127.0.0.0/8 is built in");
    assert_eq!(c.api_listeners.as_ref().map(|l| l.value.len()), Some(0), "no API warning");
    // `docker info` does not report these: they stay unknown.
    assert!(c.iptables.is_none(), "iptables is not in docker info");
    assert!(c.icc.is_none() && c.userland_proxy.is_none() && c.no_new_privileges.is_none());
    assert!(c.default_ulimits.is_none() && c.log_level.is_none() && c.api_version.is_none());
    assert!(c.defaults_from.is_none());
}

#[test]
fn docker_info_of_the_default_daemon() {
    let (source, config) = load("docker-info-20.10.json", daemon::lower_info);
    assert!(looks_like_docker_info(&source.text));
    assert_default_daemon(&source, &config);
}

#[test]
fn engine_api_info_of_the_default_daemon() {
    let (source, config) = load("engine-api-info-1.41.json", daemon::lower_info);
    assert!(looks_like_docker_info(&source.text));
    assert_default_daemon(&source, &config);
}

#[test]
fn engine_api_version() {
    let (_, config) = load("engine-api-version-1.41.json", daemon::lower_version);
    assert_eq!(config.api_version.map(|v| v.value).as_deref(), Some("1.41"));
    assert_eq!(config.server_version.map(|v| v.value).as_deref(), Some("20.10.24+dfsg1"));
    assert_eq!(config.experimental.map(|v| v.value), Some(false));
    let (source, config) = load("engine-api-version-1.41-experimental.json", daemon::lower_version);
    let experimental = config.experimental.expect("experimental");
    assert!(experimental.value);
    assert_eq!(line(&source, &experimental.origin), "\"Experimental\": \"true\",");
}

/// The daemon started with tests/data/daemon-configured.json: its own report of what the file
/// asked for.
fn assert_configured_daemon(source: &SourceFile, c: &EngineConfig) {
    assert_eq!(c.live_restore.as_ref().map(|s| s.value), Some(true));
    assert_eq!(c.experimental.as_ref().map(|s| s.value), Some(true));
    assert_eq!(c.debug.as_ref().map(|s| s.value), Some(true));
    assert_eq!(c.logging_driver.as_ref().map(|s| s.value.as_str()), Some("local"));
    assert_eq!(c.seccomp.as_ref().map(|s| s.value.clone()), Some(SeccompDefault::Builtin));
    assert_eq!(names(&c.insecure_registries), Some(vec!["10.10.0.0/16", "registry.internal.example:5000"]));
    let registries = &c.insecure_registries.as_ref().expect("registries").value;
    assert_eq!(line(source, &registries[1].origin), "\"registry.internal.example:5000\": {");
    let listeners = &c.api_listeners.as_ref().expect("listeners").value;
    assert_eq!(listeners.len(), 1);
    assert_eq!(listeners[0].value, ApiListener { address: "127.0.0.1:23750".into(), tls: ApiTls::None });
    assert!(
        line(source, &listeners[0].origin)
            .starts_with("\"WARNING: API is accessible on http://127.0.0.1:23750")
    );
}

#[test]
fn docker_info_of_a_configured_daemon() {
    let (source, config) = load("docker-info-20.10-configured.json", daemon::lower_info);
    assert_configured_daemon(&source, &config);
    let (source, config) = load("engine-api-info-1.41-configured.json", daemon::lower_info);
    assert_configured_daemon(&source, &config);
}

#[test]
fn daemon_json_and_its_daemon_merged() {
    let (json, configured) = load("daemon-configured.json", daemon::lower_daemon_json);
    assert!(!looks_like_docker_info(&json.text));
    assert_eq!(configured.iptables.as_ref().map(|s| s.value), Some(false));
    assert_eq!(configured.no_new_privileges.as_ref().map(|s| s.value), Some(true));
    assert_eq!(configured.userland_proxy.as_ref().map(|s| s.value), Some(false));
    assert_eq!(configured.log_level.as_ref().map(|s| s.value.as_str()), Some("debug"));
    assert_eq!(configured.default_bridge.as_ref().map(|s| s.value), Some(false));
    let ulimits = configured.default_ulimits.as_ref().expect("ulimits");
    assert_eq!(ulimits.value.len(), 1);
    assert_eq!(ulimits.value[0].value.soft, Some(1024));
    let listeners = &configured.api_listeners.as_ref().expect("hosts").value;
    assert_eq!(listeners.len(), 1, "the unix socket is not a TCP listener");
    assert_eq!(
        line(&json, &listeners[0].origin),
        "\"hosts\": [\"unix:///tmp/d2/docker.sock\", \"tcp://127.0.0.1:23750\"],"
    );

    let (_, reported) = load("engine-api-info-1.41-configured.json", daemon::lower_info);
    let merged = daemon::merge(reported, configured);
    // The daemon's own report wins where it has one...
    assert_eq!(
        &*merged.live_restore.as_ref().expect("live restore").origin.path,
        "engine-api-info-1.41-configured.json"
    );
    assert_eq!(
        &*merged.api_listeners.as_ref().expect("listeners").origin.path,
        "engine-api-info-1.41-configured.json"
    );
    // ...and the file fills what the daemon does not report.
    let iptables = merged.iptables.as_ref().expect("iptables from daemon.json");
    assert_eq!((iptables.value, &*iptables.origin.path), (false, "daemon-configured.json"));
    assert_eq!(merged.no_new_privileges.as_ref().map(|s| s.value), Some(true));
}

#[test]
fn a_daemon_json_that_says_nothing_gets_dockerd_defaults() {
    let root = shipshape_yaml::parse("{}\n", &shipshape_yaml::Limits::default());
    let root = &root.documents[0].root;
    let path: Arc<str> = Arc::from("daemon.json");
    let mut config = daemon::lower_daemon_json(root, &path).config;
    assert_eq!(config, EngineConfig::default());
    daemon::assume_defaults(&mut config, root, &path);
    let icc = config.icc.as_ref().expect("icc");
    assert!(icc.value && config.is_default(icc));
    assert_eq!(config.logging_driver.as_ref().map(|s| s.value.as_str()), Some("json-file"));
}

#[test]
fn hand_written_rootless_docker_27() {
    let (source, c) = load("docker-info-27-rootless.handwritten.json", daemon::lower_info);
    assert!(looks_like_docker_info(&source.text));
    let rootless = c.rootless.as_ref().expect("rootless");
    assert!(rootless.value);
    assert_eq!(line(&source, &rootless.origin), "\"name=rootless\",");
    assert_eq!(c.seccomp.as_ref().map(|s| s.value.clone()), Some(SeccompDefault::Builtin));
    assert_eq!(c.userns_remap.as_ref().map(|s| s.value), Some(false));
    assert_eq!(names(&c.insecure_registries), Some(vec![]), "::1/128 is built in too");
    assert_eq!(
        c.api_listeners.as_ref().map(|l| l.value.len()),
        Some(0),
        "bridge-nf warnings are not listeners"
    );
    assert!(c.userland_proxy.is_none(), "no FirewallBackend before Docker 28");
}

#[test]
fn hand_written_docker_28_with_tcp_listeners() {
    let (source, c) = load("docker-info-28-tcp.handwritten.json", daemon::lower_info);
    assert!(looks_like_docker_info(&source.text));
    assert_eq!(c.seccomp.as_ref().map(|s| s.value.clone()), Some(SeccompDefault::Unconfined));
    assert_eq!(c.rootless.as_ref().map(|s| s.value), Some(false));
    assert_eq!(c.debug.as_ref().map(|s| s.value), Some(true));
    assert_eq!(c.storage_driver.as_ref().map(|s| s.value.as_str()), Some("overlayfs"));
    assert_eq!(names(&c.insecure_registries), Some(vec!["10.20.0.0/16", "harbor.build.lan"]));
    let listeners: Vec<&ApiListener> =
        c.api_listeners.as_ref().expect("listeners").value.iter().map(|l| &l.value).collect();
    assert_eq!(
        listeners,
        [
            &ApiListener { address: "0.0.0.0:2375".into(), tls: ApiTls::None },
            &ApiListener { address: "10.0.0.7:2376".into(), tls: ApiTls::NoVerify },
        ]
    );
    assert!(c.userland_proxy.is_none(), "Docker 28.3 does not report the userland proxy");
}
