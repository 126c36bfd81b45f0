//! Every finding-relevant field must point at the file and line that set it, after overrides,
//! `extends`, `include`, anchors and `env_file`.
#![allow(clippy::unwrap_used)] // helpers of integration tests, not library code

use shipshape_compose::{LoadOptions, LoadedProject, load_project};
use shipshape_model::{Origin, Workload};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn load(name: &str, env: &[(&str, &str)]) -> LoadedProject {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let project = load_project(&LoadOptions::for_dir(fixture(name)).with_env(env));
    let diagnostics: Vec<&str> = project.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    project
}

fn workload<'p>(project: &'p LoadedProject, name: &str) -> &'p Workload {
    project.deployment.as_ref().unwrap().workloads.iter().find(|w| w.name == name).unwrap()
}

/// Asserts that `origin` lies in the file ending with `file`, on the line containing `needle`
/// (the first such line), and that the origin's text contains `needle`'s value part.
#[track_caller]
fn assert_at(project: &LoadedProject, origin: &Origin, file: &str, needle: &str) {
    assert!(origin.path.ends_with(file), "origin in {} instead of {file}", origin.path);
    let source = project.source(&origin.path).expect("origin file is a source");
    let (line, _) = source.line_col(origin.span.start);
    let expected = source
        .text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"));
    assert_eq!(line as usize, expected + 1, "{needle:?}: origin text {:?}", source.slice(origin.span));
}

#[test]
fn override_values_point_at_the_override_file() {
    let p = load("override_merge", &[]);
    let app = workload(&p, "app");
    let port = |n: u16| app.ports.iter().find(|x| x.container_port == n).unwrap();
    assert_at(&p, &port(80).origin, "/compose.yaml", "\"8080:80\"");
    assert_at(&p, &port(5005).origin, "compose.override.yaml", "127.0.0.1:5005:5005");
    // A port written in both files keeps the first position, with the override's origin.
    assert_at(&p, &port(9000).origin, "compose.override.yaml", "\"9000:9000\"");
    let env = |n: &str| app.env.iter().find(|e| e.name == n).unwrap();
    assert_at(&p, &env("LOG_LEVEL").origin, "compose.override.yaml", "LOG_LEVEL=debug");
    assert_at(&p, &env("KEEP").origin, "/compose.yaml", "KEEP: base");
    assert_at(&p, &env("NEW").origin, "compose.override.yaml", "NEW=1");
    let mount = |t: &str| app.mounts.iter().find(|m| m.target == t).unwrap();
    assert_at(&p, &mount("/etc/app").origin, "compose.override.yaml", "./config-dev:/etc/app");
    assert!(!mount("/etc/app").read_only, "the override replaced the read-only mount");
    assert_at(&p, &mount("/var/lib/app").origin, "/compose.yaml", "data:/var/lib/app");
    assert_at(&p, &app.healthcheck.as_ref().unwrap().origin, "compose.override.yaml", "CMD-SHELL");
    assert!(app.security.no_new_privileges.is_none(), "!reset [] removed security_opt");
    let caps: Vec<&str> = app.cap_add.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(caps, ["NET_ADMIN", "SYS_PTRACE"]);
    assert_at(&p, &app.cap_add[0].origin, "compose.override.yaml", "cap_add: [NET_ADMIN, SYS_PTRACE]");
    assert_at(&p, &app.origin, "/compose.yaml", "  app:");

    let worker = workload(&p, "worker");
    assert!(worker.privileged.is_none(), "!reset removed privileged");
    assert_eq!(worker.cap_add.len(), 1);
    assert_at(&p, &worker.cap_add[0].origin, "compose.override.yaml", "!override [CHOWN]");
    assert_eq!(worker.ports.len(), 1);
    assert_at(&p, &worker.ports[0].origin, "compose.override.yaml", "127.0.0.1:7001:7000");
    assert_eq!(worker.env.len(), 1);
    assert_at(&p, &worker.env[0].origin, "compose.override.yaml", "B: \"2\"");
}

#[test]
fn extends_values_point_at_the_base_file() {
    let p = load("extends_other_file", &[]);
    let api = workload(&p, "api");
    assert_at(&p, &api.read_only_rootfs.as_ref().unwrap().origin, "common/base.yaml", "read_only: true");
    assert_at(&p, &api.image.as_ref().unwrap().origin, "/compose.yaml", "image: api:2");
    let certs = api.mounts.iter().find(|m| m.target == "/certs").unwrap();
    assert_at(&p, &certs.origin, "common/base.yaml", "./certs:/certs:ro");
    // Relative paths of the base file resolve against its own directory.
    assert!(
        certs.source.as_deref().unwrap().ends_with("extends_other_file/common/certs"),
        "{:?}",
        certs.source
    );
    let var = api.env.iter().find(|e| e.name == "FROM_BASE_ENV").unwrap();
    assert_at(&p, &var.origin, "common/base.env", "FROM_BASE_ENV=1");
    let build = api.build.as_ref().unwrap();
    assert!(build.context.ends_with("extends_other_file/common/ctx"), "{}", build.context);
    assert!(build.dockerfile.ends_with("common/ctx/Dockerfile.hardened"), "{}", build.dockerfile);
    assert_at(&p, &build.origin, "common/base.yaml", "context: ./ctx");
    let chained = workload(&p, "chained");
    assert_at(&p, &chained.privileged.as_ref().unwrap().origin, "common/base.yaml", "privileged: true");
    assert_at(&p, &chained.namespaces.pid.as_ref().unwrap().origin, "common/base.yaml", "pid: host");
    assert!(chained.read_only_rootfs.is_some(), "chained extends inherits from hardened");
    // Every file read is a source.
    for file in ["compose.yaml", "common/base.yaml", "common/base.env"] {
        assert!(p.sources.iter().any(|s| s.path.ends_with(file)), "{file} not in sources");
    }
}

#[test]
fn extends_in_the_same_file() {
    let p = load("extends_same_file", &[]);
    let leaf = workload(&p, "leaf");
    assert_eq!(leaf.user.as_ref().unwrap().value, "root");
    assert_at(&p, &leaf.user.as_ref().unwrap().origin, "compose.yaml", "user: root");
    let read_only = leaf.read_only_rootfs.as_ref().unwrap();
    assert!(!read_only.value, "!override false");
    assert_at(&p, &read_only.origin, "compose.yaml", "read_only: !override false");
    assert!(leaf.cap_drop.is_empty(), "!reset [] removed the inherited cap_drop");
    let middle = workload(&p, "middle");
    assert_at(&p, &middle.read_only_rootfs.as_ref().unwrap().origin, "compose.yaml", "read_only: true");
    assert_at(&p, &middle.cap_drop[0].origin, "compose.yaml", "cap_drop: [ALL]");
    let level = leaf.env.iter().find(|e| e.name == "LEVEL").unwrap();
    assert_eq!(level.value.as_deref(), Some("leaf"));
    assert_at(&p, &level.origin, "compose.yaml", "LEVEL=leaf");
    assert_at(&p, &leaf.ports[0].origin, "compose.yaml", "8000:8000");
    assert_eq!(leaf.mounts.len(), 2);
}

#[test]
fn included_services_point_at_the_included_file() {
    let p = load("include", &[]);
    let db = workload(&p, "db");
    assert_at(&p, &db.origin, "db/compose.yaml", "  db:");
    assert_eq!(db.image.as_ref().unwrap().value, "postgres:15", "the included project's .env");
    let password = db.env.iter().find(|e| e.name == "POSTGRES_PASSWORD").unwrap();
    assert_eq!(password.value.as_deref(), Some("from-db-dotenv"));
    assert_at(&p, &password.origin, "db/compose.yaml", "POSTGRES_PASSWORD");
    let data = &db.mounts[0];
    assert!(data.source.as_deref().unwrap().ends_with("include/db/data"), "{:?}", data.source);
    let cache = workload(&p, "cache");
    assert_eq!(cache.image.as_ref().unwrap().value, "redis:7-alpine");
    assert_at(&p, &cache.privileged.as_ref().unwrap().origin, "cache/compose.yaml", "privileged: true");
}

#[test]
fn env_file_variables_point_at_their_line() {
    let p = load("env_file", &[]);
    let app = workload(&p, "app");
    let var = |n: &str| app.env.iter().find(|e| e.name == n).unwrap();
    assert_eq!(var("API_KEY").value.as_deref(), Some("overridden"));
    assert_at(&p, &var("API_KEY").origin, "override.env", "API_KEY=overridden");
    assert_eq!(var("WINNER").value.as_deref(), Some("environment"));
    assert_at(&p, &var("WINNER").origin, "/compose.yaml", "WINNER: environment");
    assert_at(&p, &var("REF").origin, "common.env", "REF=");
    assert_eq!(var("REF").value.as_deref(), Some("abc123-ref"));
    assert_eq!(var("QUOTED").value.as_deref(), Some("line1\nline2"));
    let info = p.service("app").unwrap();
    assert_eq!(info.env_files.len(), 3);
    assert!(p.sources.iter().any(|s| s.path.ends_with("common.env")));
}

#[test]
fn anchors_point_at_the_anchored_text() {
    let p = load("anchors", &[]);
    let web = workload(&p, "web");
    assert_at(&p, &web.read_only_rootfs.as_ref().unwrap().origin, "compose.yaml", "  read_only: true");
    assert_eq!(web.env.iter().find(|e| e.name == "MODE").unwrap().value.as_deref(), Some("web"));
    let worker = workload(&p, "worker");
    assert!(!worker.read_only_rootfs.as_ref().unwrap().value);
    assert_at(&p, &worker.read_only_rootfs.as_ref().unwrap().origin, "compose.yaml", "read_only: false");
}

#[test]
fn profiles_are_kept_and_marked_by_default() {
    let p = load("profiles_default", &[]);
    let names: Vec<&str> = p.deployment.as_ref().unwrap().workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["app", "debug", "admin", "metrics"]);
    let active: Vec<bool> = p.services.iter().map(|s| s.active).collect();
    assert_eq!(active, [true, false, false, false]);
    assert_eq!(p.service("admin").unwrap().profiles.len(), 2);

    let env = [("COMPOSE_PROFILES", "monitoring,ops")];
    let p = load("profiles_default", &env);
    let active: Vec<bool> = p.services.iter().map(|s| s.active).collect();
    assert_eq!(active, [true, false, true, true]);
}

#[test]
fn interpolation_tracks_missing_variables() {
    let env = [("SHARED", "from-process")];
    let p = load("interpolation", &env);
    let missing: Vec<&str> = p.missing_variables.iter().map(|m| m.name.as_str()).collect();
    assert!(missing.contains(&"NOT_SET_ANYWHERE"), "{missing:?}");
    let m = p.missing_variables.iter().find(|m| m.name == "NOT_SET_ANYWHERE").unwrap();
    assert_at(&p, &m.origin, "compose.yaml", "NOT_SET_ANYWHERE");
    let web = workload(&p, "web");
    assert_eq!(web.ports[0].host_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(web.ports[0].host_port, Some(8080));
    // The .env file is a source too.
    assert!(p.sources.iter().any(|s| s.path.ends_with("interpolation/.env")));
}

#[test]
fn comments_are_collected_with_their_file() {
    let p = load("extends_other_file", &[]);
    assert!(p.comments.is_empty());
    let p = load("interpolation", &[]);
    // Comments of .env are not YAML comments; the compose file has none.
    assert!(p.comments.iter().all(|(path, _)| path.ends_with("compose.yaml")));
}
