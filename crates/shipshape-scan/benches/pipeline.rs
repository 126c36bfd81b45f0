//! Whole-pipeline throughput on one core: read-from-memory → parse → lower → every rule → sink
//! (locate, fingerprint, suppressions). Inputs: the BuildKit conformance Dockerfiles and the
//! examples, i.e. typical real-world files. Run: `cargo bench -p shipshape-scan`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_model::{RuleMeta, SourceFile};
use shipshape_rules::{ALL_RULES, RuleSettings};
use shipshape_scan::frontend::{
    ComposeFrontend, DockerfileFrontend, Frontend, FrontendContext, InspectFrontend, KubeFrontend,
};
use shipshape_workspace::{Config, Date, FileInput, Sink};
use std::path::{Path, PathBuf};

fn corpus() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths: Vec<PathBuf> = Vec::new();
    let conformance = root.join("../shared/buildkit-dockerfile-conformance/testfiles");
    if let Ok(entries) = std::fs::read_dir(&conformance) {
        paths.extend(entries.filter_map(Result::ok).map(|e| e.path().join("Dockerfile")));
    }
    paths.push(root.join("examples/insecure-app/Dockerfile"));
    paths.push(root.join("examples/hardened-app/Dockerfile"));
    paths.sort();
    let files: Vec<SourceFile> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok().map(|t| SourceFile::new(p.display().to_string(), t)))
        .collect();
    assert!(files.len() > 20, "conformance corpus missing: {}", conformance.display());
    files
}

fn bench_pipeline(c: &mut Criterion) {
    bench_frontend(c, "dockerfile_parse_lint_sink", &DockerfileFrontend, &corpus());
}

/// Every rule fixture of one kind (`.compose.yaml`, `.inspect.json`): realistic files with several
/// services each, read through the real loader (from disk, as a scan does).
fn fixture_files(suffix: &str) -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shipshape-rules/resources/fixtures");
    let root = root.canonicalize().unwrap_or(root);
    let mut paths = Vec::new();
    for layer in std::fs::read_dir(&root).into_iter().flatten().filter_map(Result::ok) {
        for file in std::fs::read_dir(layer.path()).into_iter().flatten().filter_map(Result::ok) {
            if file.path().to_string_lossy().ends_with(suffix) {
                paths.push(file.path());
            }
        }
    }
    paths.sort();
    let files: Vec<SourceFile> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok().map(|t| SourceFile::new(p.display().to_string(), t)))
        .collect();
    assert!(files.len() > 30, "fixtures missing under {}", root.display());
    files
}

fn bench_frontend(c: &mut Criterion, name: &str, frontend: &dyn Frontend, files: &[SourceFile]) {
    bench_frontend_with(c, name, frontend, files, &RuleSettings::default());
}

fn bench_frontend_with(
    c: &mut Criterion,
    name: &str,
    frontend: &dyn Frontend,
    files: &[SourceFile],
    settings: &RuleSettings,
) {
    let config = Config::default();
    let enabled = |rule: &RuleMeta| config.selection.is_enabled(rule);
    let context = FrontendContext {
        settings,
        is_enabled: &enabled,
        build_args: &[],
        env_files: &[],
        cluster: &Default::default(),
        secrets: None,
        vuln: None,
        os_packages: None,
    };
    let today = Date::today();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            let sink = Sink::new(ALL_RULES, today);
            let mut total = 0;
            for source in files {
                let output = frontend.check(source, &context);
                let outcome = sink.process(FileInput {
                    source,
                    fs_path: None,
                    config: &config,
                    findings: output.findings,
                    pragmas: output.pragmas,
                });
                total += outcome.findings.len();
            }
            std::hint::black_box(total)
        });
    });
    group.finish();
}

fn bench_compose(c: &mut Criterion) {
    bench_frontend(c, "compose_load_lint_sink", &ComposeFrontend, &fixture_files(".compose.yaml"));
}

fn bench_inspect(c: &mut Criterion) {
    bench_frontend(c, "inspect_lower_lint_sink", &InspectFrontend, &fixture_files(".inspect.json"));
}

/// Kubernetes: the rule fixtures and the real-world manifests, held to the restricted Pod
/// Security level (every check runs).
fn bench_kube(c: &mut Criterion) {
    let mut files = fixture_files(".k8s.yaml");
    let real_world = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shipshape-kube/tests/data/real-world");
    for project in std::fs::read_dir(&real_world).into_iter().flatten().filter_map(Result::ok) {
        for file in std::fs::read_dir(project.path()).into_iter().flatten().filter_map(Result::ok) {
            let path = file.path();
            let manifest = path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
            if manifest && let Ok(text) = std::fs::read_to_string(&path) {
                files.push(SourceFile::new(path.display().to_string(), text));
            }
        }
    }
    let settings = RuleSettings {
        pod_security: shipshape_kube::pod_security::Policy::parse("restricted").ok(),
        ..RuleSettings::default()
    };
    bench_frontend_with(c, "kube_lower_pss_lint_sink", &KubeFrontend, &files, &settings);
}

criterion_group!(benches, bench_pipeline, bench_compose, bench_inspect, bench_kube);
criterion_main!(benches);
