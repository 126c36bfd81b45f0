//! Front ends: one per kind of input. Each claims files by name, turns a [`SourceFile`] into model
//! values, runs the rules for them, and hands back findings and the inline pragmas it found.
//!
//! Adding a kind of input (Compose, Kubernetes, `docker inspect` JSON) means adding a front end to
//! [`FRONTENDS`]; discovery, reading, the sink and the renderers need no change.

mod compose;
mod dockerfile;
mod engine;
mod image_config;
mod image_files;
mod inspect;
mod kube;
mod lockfile;
mod os_release;
mod text;
pub mod yaml_pragmas;

use shipshape_model::{Finding, RuleMeta, SourceFile};
use shipshape_rules::RuleSettings;
use shipshape_workspace::ScopedPragma;

pub use compose::ComposeFrontend;
pub use dockerfile::DockerfileFrontend;
pub use engine::EngineFrontend;
pub use image_config::ImageConfigFrontend;
pub use image_files::ImageFilesFrontend;
pub use inspect::InspectFrontend;
pub use kube::KubeFrontend;
pub use lockfile::{LockfileFrontend, OsPackage, OsPackages};
pub use os_release::OsReleaseFrontend;
pub use text::{TextFrontend, may_be_text};

/// What a front end may consult besides the file.
pub struct FrontendContext<'a> {
    pub settings: &'a RuleSettings,
    pub is_enabled: &'a dyn Fn(&RuleMeta) -> bool,
    /// `--build-arg` values.
    pub build_args: &'a [(String, String)],
    /// Compose `--env-file`s (empty: each project's `.env`).
    pub env_files: &'a [std::path::PathBuf],
    /// What every Kubernetes manifest of the scan says about the cluster.
    pub cluster: &'a shipshape_kube::cluster::ClusterIndex,
    /// The credential detector configured by `[secrets]`, else the built-in one.
    pub secrets: Option<&'a shipshape_secrets::Detector>,
    /// The scan's vulnerability database (opened when a lockfile first needs it).
    pub vuln: Option<&'a crate::vuln::SharedDatabase>,
    /// The packages of an image's package database, when the document is one.
    pub os_packages: Option<&'a OsPackages>,
}

/// One file's raw results.
#[derive(Debug, Default)]
pub struct FrontendOutput {
    pub findings: Vec<Finding>,
    pub pragmas: Vec<ScopedPragma>,
    /// Errors the parser recovered from (the target is then "partially parsed").
    pub parse_errors: usize,
    /// Other files the front end read and findings may point into: Compose override, `extends`
    /// and `include` files, `.env` and `env_file`s, Dockerfiles linked by `build:`.
    pub related_sources: Vec<SourceFile>,
    /// The file is checked as part of another target (a Compose override file with its main
    /// file), so it has no findings of its own.
    pub covered: bool,
    /// The packages the file lists (lockfiles, package databases), for SBOM output.
    pub components: Vec<shipshape_model::Component>,
}

/// A kind of input shipshape understands.
pub trait Frontend: Sync {
    /// Short kind name shown in reports: `dockerfile`, `compose`, ...
    fn kind(&self) -> &'static str;
    /// Whether a file of this name is this front end's by convention.
    fn claims(&self, file_name: &str) -> bool;
    /// Whether a `.json`/`.yaml` file no front end claims by name is this front end's, judged by
    /// its first bytes (`head`, at most [`crate::discover::SNIFF_LEN`]).
    fn claims_content(&self, _file_name: &str, _head: &str) -> bool {
        false
    }
    /// Parses, lowers and checks one file. Never fails: problems are findings.
    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput;
}

/// Every front end, in claim order. Kubernetes comes after Compose (whose `claims_content`
/// rejects files with top-level `apiVersion:`/`kind:`) and after `docker inspect` (whose JSON has
/// no `apiVersion`). The Docker daemon front end claims `daemon.json` by name and `docker info`
/// JSON by content; it comes after `docker inspect`, whose containers' `"HostConfig"` it rejects
/// anyway.
pub static FRONTENDS: &[&dyn Frontend] = &[
    &DockerfileFrontend,
    &ComposeFrontend,
    &InspectFrontend,
    &EngineFrontend,
    &KubeFrontend,
    &ImageConfigFrontend,
    &ImageFilesFrontend,
    &LockfileFrontend,
    &OsReleaseFrontend,
    &TextFrontend,
];

/// The front end used for files named explicitly whose name no front end claims, and for stdin.
pub const FALLBACK_FRONTEND: usize = 0;

/// Whether a file's first bytes read like a Dockerfile: its first instruction (after comments,
/// parser directives and blank lines) is `FROM` or `ARG`.
pub fn looks_like_dockerfile(head: &str) -> bool {
    head.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .and_then(|line| line.split_whitespace().next())
        .is_some_and(|word| word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("ARG"))
}

/// The front end of the other text files of a walked directory (read for secrets).
pub fn text_frontend() -> Option<usize> {
    FRONTENDS.iter().position(|f| f.kind() == "text")
}

/// The credential detector with its built-in rules, built once.
pub(crate) fn detector() -> Option<&'static shipshape_secrets::Detector> {
    static DETECTOR: std::sync::OnceLock<Option<shipshape_secrets::Detector>> = std::sync::OnceLock::new();
    DETECTOR
        .get_or_init(|| shipshape_secrets::Detector::new(shipshape_secrets::DetectorConfig::default()).ok())
        .as_ref()
}

/// The malware detector with its built-in signatures, built once.
pub(crate) fn malware_detector() -> Option<&'static shipshape_malware::Detector> {
    static DETECTOR: std::sync::OnceLock<Option<shipshape_malware::Detector>> = std::sync::OnceLock::new();
    DETECTOR.get_or_init(|| shipshape_malware::Detector::new().ok()).as_ref()
}

/// Credentials and malware in a file another front end read (a Dockerfile, a Compose or `.env`
/// file, a manifest, an image config), except where a more specific finding already points: a
/// secrets finding of the front end hides the generic one; the front end's own malware finding
/// (an image config's command, decoded) hides the same rule's finding in the raw text; `SUP001`
/// and `SUP008`, which judge `RUN` downloads, hide `SUP112`.
pub(crate) fn check_file_text(
    source: &SourceFile,
    context: &FrontendContext<'_>,
    output: &mut FrontendOutput,
) {
    let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
    if let Some(detector) = detector() {
        shipshape_rules::checkers::check_text(source, detector, &mut checker);
    }
    if let Some(detector) = malware_detector() {
        shipshape_rules::checkers::check_malware_text(source, detector, &mut checker);
    }
    let here: Vec<&Finding> = output.findings.iter().filter(|f| f.location.path == source.path).collect();
    let overlaps = |a: shipshape_model::Span, b: shipshape_model::Span| {
        a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
    };
    let hidden = |found: &Finding| {
        here.iter().any(|f| {
            let hides = if found.rule.layer == shipshape_model::Layer::Secrets {
                f.rule.layer == shipshape_model::Layer::Secrets
            } else {
                f.rule.code == found.rule.code
                    || (found.rule.code == "SUP112" && matches!(f.rule.code, "SUP001" | "SUP008"))
            };
            hides && overlaps(f.location.span, found.location.span)
        })
    };
    let kept: Vec<Finding> = checker.into_findings().into_iter().filter(|f| !hidden(f)).collect();
    output.findings.extend(kept);
}

/// The index of the front end claiming `file_name`.
pub fn claim(file_name: &str) -> Option<usize> {
    FRONTENDS.iter().position(|f| f.claims(file_name))
}

/// The index of the front end claiming a file by its first bytes.
pub fn claim_content(file_name: &str, head: &str) -> Option<usize> {
    FRONTENDS.iter().position(|f| f.claims_content(file_name, head))
}

/// Parses a YAML or JSON source; syntax errors become `parse-error` findings and comments become
/// scoped pragmas in `output`.
pub(crate) fn parse_yaml(source: &SourceFile, output: &mut FrontendOutput) -> shipshape_yaml::Stream {
    let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
    for error in &stream.errors {
        output.parse_errors += 1;
        let origin = shipshape_model::Origin::new(source.path.clone(), error.span);
        output.findings.push(Finding::new(
            &shipshape_model::general::PARSE_ERROR,
            &origin,
            error.message.clone(),
        ));
    }
    let (pragmas, errors) = yaml_pragmas::scope_pragmas(source, &stream.comments);
    output.pragmas.extend(pragmas);
    output.findings.extend(errors);
    stream
}

/// Runs the workload rules on each workload and the deployment rules on all of them together.
pub(crate) fn check_workloads(
    deployment: &shipshape_model::Deployment,
    context: &FrontendContext<'_>,
    output: &mut FrontendOutput,
) {
    let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
    for workload in &deployment.workloads {
        shipshape_rules::checkers::check_workload(workload, &mut checker);
    }
    shipshape_rules::checkers::check_deployment(deployment, &mut checker);
    output.findings.extend(checker.into_findings());
}

/// The workloads of one file as a deployment (no declared networks).
pub(crate) fn file_deployment(
    source: &SourceFile,
    platform: shipshape_model::Platform,
    workloads: Vec<shipshape_model::Workload>,
) -> shipshape_model::Deployment {
    shipshape_model::Deployment {
        name: source.path.to_string(),
        platform,
        workloads,
        networks: Vec::new(),
        origin: shipshape_model::Origin::new(
            source.path.clone(),
            shipshape_model::Span::from_range(0..source.text.len()),
        ),
    }
}
