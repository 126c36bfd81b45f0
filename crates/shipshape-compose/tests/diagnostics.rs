//! Errors become findings with spans in the right file, and never stop the rest of the
//! project from loading. Also: hostile input stays within the limits.
#![allow(clippy::unwrap_used)] // helpers of integration tests, not library code

use shipshape_compose::{LoadLimits, LoadOptions, LoadedProject, MemFs, load_file_text, load_project};
use shipshape_model::Workload;
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn text(yaml: &str) -> LoadedProject {
    load_file_text("proj/compose.yaml", yaml, &HashMap::new())
}

fn mem(fs: &MemFs, dir: &str) -> LoadedProject {
    load_project(&LoadOptions::for_dir(dir).with_fs(fs))
}

fn workload<'p>(p: &'p LoadedProject, name: &str) -> Option<&'p Workload> {
    p.deployment.as_ref()?.workloads.iter().find(|w| w.name == name)
}

/// The diagnostics as `CODE path:line:col message`.
fn diags(p: &LoadedProject) -> Vec<String> {
    let mut p = p.clone();
    p.locate_diagnostics();
    p.diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{} {}",
                d.rule.code,
                d.location.path,
                d.location.region.start_line,
                d.location.region.start_column,
                d.message
            )
        })
        .collect()
}

#[track_caller]
fn has(p: &LoadedProject, needle: &str) {
    let all = diags(p);
    assert!(all.iter().any(|d| d.contains(needle)), "no diagnostic containing {needle:?} in {all:#?}");
}

/// The text a diagnostic's span covers.
fn spanned<'p>(p: &'p LoadedProject, needle: &str) -> &'p str {
    let d = p.diagnostics.iter().find(|d| d.message.contains(needle)).expect("diagnostic");
    p.source(&d.location.path).expect("source").slice(d.location.span)
}

#[test]
fn booleans_follow_compose() {
    // Checked with docker compose v2.40.3: `yes`, "true", `on` are true (with a warning for
    // the YAML 1.1 spellings); `1` and "nope" are errors.
    let p = text(
        "services:\n  a:\n    image: x\n    privileged: yes\n    read_only: \"true\"\n    init: on\n  b:\n    image: x\n    privileged: 1\n    read_only: nope\n",
    );
    let a = workload(&p, "a").unwrap();
    assert_eq!(a.privileged.as_ref().map(|s| s.value), Some(true));
    assert_eq!(a.read_only_rootfs.as_ref().map(|s| s.value), Some(true));
    assert_eq!(p.service("a").unwrap().init.as_ref().map(|s| s.value), Some(true));
    let b = workload(&p, "b").unwrap();
    assert!(b.privileged.is_none() && b.read_only_rootfs.is_none());
    has(&p, "GEN001 proj/compose.yaml:9:17 services.b.privileged must be a boolean or string");
    has(&p, "proj/compose.yaml:10:16 services.b.read_only: invalid boolean \"nope\"");
    assert_eq!(p.diagnostics.len(), 2, "{:#?}", diags(&p));
}

#[test]
fn string_fields_given_numbers_are_reported_but_kept() {
    let p = text("services:\n  a:\n    image: x\n    user: 1000\n");
    has(&p, "services.a.user must be a string, found an integer");
    assert_eq!(workload(&p, "a").unwrap().user.as_ref().unwrap().value, "1000");
}

#[test]
fn interpolation_errors_point_at_the_expression() {
    let p = text("services:\n  a:\n    image: \"x:${TAG:?set TAG}\"\n    user: ${}\n  b:\n    image: y\n");
    has(&p, "proj/compose.yaml:3:15 services.a.image: required variable TAG is missing a value: set TAG");
    assert_eq!(spanned(&p, "required variable"), "${TAG:?set TAG}");
    has(&p, "proj/compose.yaml:4:11 services.a.user: invalid interpolation format");
    assert!(workload(&p, "b").is_some());
}

#[test]
fn yaml_that_is_not_compose_is_said_so() {
    let p = text("apiVersion: v1\nkind: Pod\n");
    has(&p, "not a Compose file: no top-level `services` key");
    let p = text("- a\n- b\n");
    has(&p, "top-level object must be a mapping, found a list");
    let p = text("");
    has(&p, "empty compose file");
}

#[test]
fn a_bad_service_does_not_stop_the_others() {
    let p =
        text("services:\n  bad: just a string\n  good:\n    image: x\n    ports: [\"http\", \"80:80\"]\n");
    has(&p, "services.bad must be a mapping, found a string");
    has(&p, "services.good.ports: invalid container port");
    let good = workload(&p, "good").unwrap();
    assert_eq!(good.ports.len(), 1);
}

#[test]
fn yaml_syntax_errors_are_reported_with_their_span() {
    let p = text("services:\n  a:\n    image: x\n    environment: [A=1\n");
    assert!(
        diags(&p).iter().any(|d| d.starts_with("GEN001 proj/compose.yaml") && d.contains("YAML")),
        "{:#?}",
        diags(&p)
    );
}

#[test]
fn non_string_keys_are_reported() {
    // docker compose: "non-string key in services.nohealth.environment: true".
    let p =
        text("services:\n  a:\n    image: x\n    environment:\n      TRUE: 1\n      80: x\n      ok: y\n");
    has(&p, "proj/compose.yaml:5:7 non-string key \"TRUE\"");
    has(&p, "proj/compose.yaml:6:7 non-string key \"80\"");
    assert_eq!(workload(&p, "a").unwrap().env.len(), 3);
}

#[test]
fn missing_files_are_unreadable_targets() {
    let fs = MemFs::new().with(
        "p/compose.yaml",
        "services:\n  a:\n    extends:\n      file: nope.yaml\n      service: x\n    image: a\n    env_file: missing.env\n  b:\n    extends: ghost\n    image: b\n",
    );
    let p = mem(&fs, "p");
    has(&p, "GEN004 p/compose.yaml:4:13 p/nope.yaml not found");
    has(&p, "GEN004 p/compose.yaml:7:15 p/missing.env not found");
    has(&p, "GEN001 p/compose.yaml:9:14 cannot extend service \"b\": service \"ghost\" not found");
    assert_eq!(workload(&p, "a").unwrap().image.as_ref().unwrap().value, "a");
}

#[test]
fn optional_env_files_may_be_missing() {
    let fs = MemFs::new().with(
        "p/compose.yaml",
        "services:\n  a:\n    image: a\n    env_file:\n      - path: opt.env\n        required: false\n",
    );
    let p = mem(&fs, "p");
    assert!(p.diagnostics.is_empty(), "{:#?}", diags(&p));
}

#[test]
fn no_compose_file() {
    let p = mem(&MemFs::new().with("p/readme.md", "x"), "p");
    has(&p, "GEN004 p:");
    has(&p, "no Compose file found in p");
    assert!(p.deployment.is_none());
}

#[test]
fn include_cycles_are_reported() {
    let fs = MemFs::new()
        .with("p/compose.yaml", "include: [sub/compose.yaml]\nservices:\n  a:\n    image: a\n")
        .with("p/sub/compose.yaml", "include: [../compose.yaml]\nservices:\n  b:\n    image: b\n");
    let p = mem(&fs, "p");
    has(&p, "p/sub/compose.yaml:1:11 include cycle detected");
    assert!(workload(&p, "a").is_some() && workload(&p, "b").is_some());
}

#[test]
fn extends_depth_is_capped() {
    let mut yaml = String::from("services:\n  s0:\n    image: base\n    privileged: true\n");
    for i in 1..40 {
        yaml.push_str(&format!("  s{i}:\n    extends: s{}\n", i - 1));
    }
    let p = text(&yaml);
    has(&p, "extends chain deeper than 32 services");
    assert!(workload(&p, "s20").unwrap().privileged.as_ref().unwrap().value);
}

#[test]
fn total_files_are_capped() {
    let mut fs = MemFs::new();
    let mut main = String::from("include:\n");
    for i in 0..20 {
        main.push_str(&format!("  - s{i}.yaml\n"));
        fs.insert(format!("p/s{i}.yaml"), format!("services:\n  s{i}:\n    image: x\n"));
    }
    main.push_str("services:\n  main:\n    image: m\n");
    fs.insert("p/compose.yaml", main);
    let options = LoadOptions {
        project_dir: Some("p".into()),
        fs: &fs,
        limits: LoadLimits { max_files: 5, ..LoadLimits::default() },
        ..LoadOptions::default()
    };
    let p = load_project(&options);
    has(&p, "a project may read at most 5 files");
    assert!(p.sources.len() <= 5);
    assert!(workload(&p, "main").is_some());
}

#[test]
fn invalid_utf8_is_read_with_question_marks() {
    let fs = MemFs::new().with("p/compose.yaml", b"services:\n  a:\n    image: caf\xe9\n".to_vec());
    let p = mem(&fs, "p");
    has(&p, "GEN008 p/compose.yaml:3:15");
    assert_eq!(workload(&p, "a").unwrap().image.as_ref().unwrap().value, "caf?");
}

#[test]
fn mapping_replaced_by_a_list_is_a_conflict() {
    let fs = MemFs::new()
        .with("p/compose.yaml", "services:\n  a:\n    image: a\n    deploy:\n      replicas: 1\n")
        .with("p/compose.override.yaml", "services:\n  a:\n    deploy: [1]\n");
    let p = mem(&fs, "p");
    has(&p, "p/compose.override.yaml:3:13 cannot override services.a.deploy");
}

#[test]
fn version_is_ignored() {
    let p = text("version: '3.8'\nservices:\n  a:\n    image: a\n");
    assert!(p.diagnostics.is_empty());
    let p = text("version: '2.4'\nservices:\n  a:\n    image: a\n    mem_limit: 1g\n");
    assert_eq!(workload(&p, "a").unwrap().resources.memory.as_ref().unwrap().value, 1 << 30);
}

#[test]
fn inconsistent_limits_are_reported() {
    // docker compose: "can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'".
    let p = text(
        "services:\n  a:\n    image: a\n    mem_limit: 1g\n    deploy:\n      resources:\n        limits:\n          memory: 2g\n",
    );
    has(&p, "can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'");
}

#[test]
fn undefined_networks_are_reported() {
    let p = text("services:\n  a:\n    image: a\n    networks: [front]\n");
    has(&p, "service \"a\" refers to undefined network front");
}

#[test]
fn relative_paths_of_text_input_resolve_against_its_directory() {
    let p = text("services:\n  a:\n    build: ./app\n    volumes: [./data:/data, ../up:/up]\n");
    let a = workload(&p, "a").unwrap();
    let build = a.build.as_ref().unwrap();
    assert_eq!((build.context.as_str(), build.dockerfile.as_str()), ("proj/app", "proj/app/Dockerfile"));
    assert_eq!(a.mounts[0].source.as_deref(), Some("proj/data"));
    assert_eq!(a.mounts[1].source.as_deref(), Some("up"));
}

#[test]
fn billion_laughs_is_bounded() {
    let mut yaml = String::from(
        "x-a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let mut prev = 'a';
    for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        yaml.push_str(&format!("x-{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        prev = name;
    }
    yaml.push_str("services:\n  a:\n    image: a\n    command: *i\n");
    let start = Instant::now();
    let p = text(&yaml);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(!p.diagnostics.is_empty());
}

#[test]
fn deep_nesting_is_bounded() {
    let yaml =
        format!("services:\n  a:\n    image: a\n    labels: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let p = text(&yaml);
    assert!(!p.diagnostics.is_empty());
}

#[test]
fn huge_interpolation_nesting_is_bounded() {
    let yaml = format!("services:\n  a:\n    image: \"{}x{}\"\n", "${A:-".repeat(2_000), "}".repeat(2_000));
    let p = text(&yaml);
    has(&p, "nested deeper");
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "services: [",
        "services:\n  a: {extends: {file: [x]}}",
        "services:\n  a:\n    extends: {service: a}",
        "services:\n  a:\n    ports: [{target: x}, {published: 1}, 99999, \"1-2:3-5\"]\n    volumes: [{}, {type: bind}, 3, \"::\"]",
        "services:\n  a:\n    healthcheck: [1]\n    devices: [{}, \"\", \"a:b:c:d\"]\n    environment: 5",
        "include: 5\nservices: {}",
        "include: [{}, {path: []}, 3]\nservices: {}",
        "services:\n  a:\n    build: [1]\n    security_opt: [\"no-new-privileges:maybe\"]\n    cpus: lots\n    mem_limit: much",
        "services: !reset\n",
        "services:\n  a: !override\n    image: a\n  b: !reset {}\n",
        "\u{feff}services:\n  a:\n    image: a",
        "services:\n  a:\n    image: ${A:-${B:-${C:-$}}}\n    user: $$$$\n    tmpfs: {a: b}",
    ];
    for sample in samples {
        let _ = text(sample);
    }
}

#[test]
fn self_extends_is_a_cycle() {
    let p = text("services:\n  a:\n    image: a\n    extends: a\n");
    has(&p, "circular reference in extends");
}

#[test]
fn misspelt_keys_are_reported() {
    // docker compose: "services.a additional properties 'privilegd' not allowed".
    let p =
        text("services:\n  a:\n    image: x\n    privilegd: true\n    x-note: fine\nservics: {}\nx-top: 1\n");
    has(&p, "proj/compose.yaml:4:5 services.a additional properties 'privilegd' not allowed");
    has(&p, "proj/compose.yaml:6:1 additional properties 'servics' not allowed at the top level");
    assert_eq!(p.diagnostics.len(), 2, "{:#?}", diags(&p));
}
