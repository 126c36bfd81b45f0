//! The scan pipeline: discover targets, read them (bounded), run each through its front end and
//! the rules in parallel, and pass the findings through the sink (configuration, suppressions,
//! baseline). Renderers and the binary sit on top; nothing here prints.
//!
//! Images are read by [`image_audit`] in one walk: the config, every layer file holding a
//! credential, the package databases, and the filesystem documents of [`image_files`] that the
//! `image-files` front end checks with the filesystem rules.

pub mod discover;
pub mod docker_host;
pub mod fix;
pub mod frontend;
pub mod image_audit;
pub mod image_files;
pub mod pod_security;
pub mod read;
pub mod vex;
pub mod vuln;
pub mod yara;

use frontend::{FALLBACK_FRONTEND, FRONTENDS, FrontendContext};
use rayon::prelude::*;
use read::{Decoded, ReadError};
use shipshape_kube::cluster::ClusterIndex;
use shipshape_model::general::{INVALID_ENCODING, UNREADABLE_TARGET};
use shipshape_model::{
    Component, Finding, Origin, RuleMeta, ScanTarget, Severity, SourceFile, Span, TargetStatus,
};
use shipshape_rules::{ALL_RULES, RuleSettings};
use shipshape_workspace::{
    Baseline, Config, ConfigResolver, Counts, Date, FileInput, RuleSelection, ScopedPragma, Selector, Sink,
    sort_findings,
};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The severity at or above which a finding fails the scan when neither the command line nor the
/// configuration says otherwise.
pub const DEFAULT_FAIL_ON: Severity = Severity::Low;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files and directories; `-` is standard input. Empty means the current directory.
    pub paths: Vec<PathBuf>,
    /// The path standard input stands for (kind and configuration lookup).
    pub stdin_path: Option<PathBuf>,
    /// One configuration file for every target instead of discovery.
    pub config: Option<PathBuf>,
    /// `--select`: replaces the configuration's `select`.
    pub select: Vec<String>,
    /// `--ignore`: added to the configuration's `ignore`.
    pub ignore: Vec<String>,
    pub baseline: Option<PathBuf>,
    pub build_args: Vec<(String, String)>,
    /// Compose `--env-file`s, replacing each project's `.env`.
    pub env_files: Vec<PathBuf>,
    pub max_file_size: u64,
    /// `--fail-on`: overrides the configuration's `fail-on`.
    pub fail_on: Option<Severity>,
    /// Drop findings below this severity.
    pub min_severity: Option<Severity>,
    /// The working directory (for configuration discovery).
    pub cwd: PathBuf,
    /// The date used for `expires` and end-of-life dates; today (UTC, from the clock) when
    /// `None`.
    pub today: Option<Date>,
    /// `--require-digest`: every image must be pinned by digest (over the configuration's
    /// `[registries] require-digest`).
    pub require_digest: bool,
    /// Registries the engine reaches without TLS (a daemon's `insecure-registries`), for
    /// images pulled from them.
    pub insecure_registries: Vec<String>,
    /// `--pss`: the Pod Security level Kubernetes pods are held to, over the configuration's.
    pub pod_security: Option<shipshape_kube::pod_security::Policy>,
    /// The vulnerability database directory for lockfiles and image packages (`--db`); `None`:
    /// the default directory.
    pub vuln_db: Option<PathBuf>,
    /// Filters of vulnerability findings (`--show-negligible`, `--ignore-unfixed`, `--vex`).
    pub vuln_filters: vuln::VulnFilters,
    /// YARA rules run over the bytes of every file read (`--yara-rules`).
    pub yara: Option<Arc<dyn yara::Scanner>>,
}

impl ScanOptions {
    pub fn new(paths: Vec<PathBuf>, cwd: PathBuf) -> Self {
        Self {
            paths,
            stdin_path: None,
            config: None,
            select: Vec::new(),
            ignore: Vec::new(),
            baseline: None,
            build_args: Vec::new(),
            env_files: Vec::new(),
            max_file_size: 8 * 1024 * 1024,
            fail_on: None,
            min_severity: None,
            cwd,
            today: None,
            require_digest: false,
            insecure_registries: Vec::new(),
            pod_security: None,
            vuln_db: None,
            vuln_filters: vuln::VulnFilters::default(),
            yara: None,
        }
    }
}

/// A scan could not start (bad arguments or an unreadable configuration or baseline).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Config(#[from] shipshape_workspace::ConfigError),
    #[error(transparent)]
    Baseline(#[from] shipshape_workspace::BaselineError),
    #[error("unknown rule selector `{text}`{suggestion}")]
    Selector { text: String, suggestion: String },
    #[error("{0}")]
    Usage(String),
}

/// Everything a scan found.
#[derive(Debug)]
pub struct ScanResult {
    /// Reported findings, located, fingerprinted and sorted by (path, offset, code).
    pub findings: Vec<Finding>,
    /// Every target looked at, in discovery order.
    pub targets: Vec<ScanTarget>,
    /// Sources of files with findings (for frames); other sources are dropped to bound memory.
    pub sources: HashMap<Arc<str>, SourceFile>,
    pub counts: Counts,
    /// Number of reported findings at or above the fail threshold that applies to them.
    pub failing: usize,
    pub stale_baseline_entries: usize,
    /// Things the user should know that are not findings (no vulnerability database), to print
    /// once on stderr.
    pub notices: Vec<String>,
    /// The packages lockfiles and package databases list, sorted, for SBOM output.
    pub components: Vec<Component>,
    /// What the scan describes, when the caller knows better than the paths (an image).
    pub subject: Option<shipshape_model::Subject>,
}

/// Runs a scan of the files and directories of `options.paths` (and standard input for `-`).
pub fn scan(options: &ScanOptions) -> Result<ScanResult, ScanError> {
    run_jobs(options, discover_jobs(options))
}

/// Checks documents that were fetched rather than read from files (a live daemon's containers,
/// its `/info`): each with the front end of kind `kind` (`docker-inspect`, ...), through the same
/// configuration, suppressions, baseline and sink as files.
pub fn scan_documents(
    options: &ScanOptions,
    documents: Vec<(SourceFile, &str)>,
) -> Result<ScanResult, ScanError> {
    let mut jobs = Vec::with_capacity(documents.len());
    for (source, kind) in documents {
        let frontend = FRONTENDS
            .iter()
            .position(|f| f.kind() == kind)
            .ok_or_else(|| ScanError::Usage(format!("no front end reads `{kind}` documents")))?;
        jobs.push(Job::Memory { source, frontend, os_packages: None, findings: Vec::new() });
    }
    run_jobs(options, jobs)
}

/// [`scan_documents`], plus package databases of an image, each with its packages, matched
/// against the vulnerability database.
pub fn scan_documents_with_packages(
    options: &ScanOptions,
    documents: Vec<(SourceFile, &str)>,
    packages: Vec<(SourceFile, frontend::OsPackages)>,
) -> Result<ScanResult, ScanError> {
    scan_documents_with_findings(options, documents, packages, Vec::new())
}

/// [`scan_documents_with_packages`], plus findings made from the documents' raw bytes before
/// they became text (YARA matches in image layer files): each goes through the sink with the
/// document its location names.
pub fn scan_documents_with_findings(
    options: &ScanOptions,
    documents: Vec<(SourceFile, &str)>,
    packages: Vec<(SourceFile, frontend::OsPackages)>,
    findings: Vec<Finding>,
) -> Result<ScanResult, ScanError> {
    run_jobs(options, memory_jobs(documents, packages, findings)?)
}

/// Jobs for fetched documents (each with the front end of its kind, and the findings already
/// made from its raw bytes) and package databases.
fn memory_jobs(
    documents: Vec<(SourceFile, &str)>,
    packages: Vec<(SourceFile, frontend::OsPackages)>,
    mut findings: Vec<Finding>,
) -> Result<Vec<Job>, ScanError> {
    let mut jobs = Vec::with_capacity(documents.len() + packages.len());
    for (source, kind) in documents {
        let frontend = FRONTENDS
            .iter()
            .position(|f| f.kind() == kind)
            .ok_or_else(|| ScanError::Usage(format!("no front end reads `{kind}` documents")))?;
        let (own, rest): (Vec<Finding>, Vec<Finding>) =
            findings.into_iter().partition(|f| f.location.path == source.path);
        findings = rest;
        jobs.push(Job::Memory { source, frontend, os_packages: None, findings: own });
    }
    let lockfile = FRONTENDS.iter().position(|f| f.kind() == "lockfile").unwrap_or(FALLBACK_FRONTEND);
    for (source, os) in packages {
        jobs.push(Job::Memory {
            source,
            frontend: lockfile,
            os_packages: Some(Box::new(os)),
            findings: Vec::new(),
        });
    }
    Ok(jobs)
}

fn discover_jobs(options: &ScanOptions) -> Vec<Job> {
    let mut roots = Vec::new();
    let mut stdin = false;
    for path in &options.paths {
        if path.as_os_str() == "-" {
            stdin = true;
        } else {
            roots.push(path.clone());
        }
    }
    if options.paths.is_empty() {
        roots.push(PathBuf::from("."));
    }
    let text = frontend::text_frontend();
    let unclaimed = |name: &str| text.filter(|_| frontend::may_be_text(name));
    let claims = discover::Claims {
        by_name: &frontend::claim,
        by_content: &frontend::claim_content,
        unclaimed: &unclaimed,
        images: true,
    };
    // A file named on the command line that nothing claims: a Dockerfile if it reads like one,
    // else a text file read for secrets.
    let explicit = |path: &Path| {
        let dockerfile = discover::read_head(path).is_some_and(|head| frontend::looks_like_dockerfile(&head));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        match text {
            Some(text) if !dockerfile && frontend::may_be_text(name) => text,
            _ => FALLBACK_FRONTEND,
        }
    };
    let (discovered, walk_errors) = discover::discover_with(&roots, &claims, &explicit);

    let mut jobs: Vec<Job> = walk_errors
        .into_iter()
        .map(|e| Job::Unreadable { path: e.path, message: format!("cannot open: {}", e.message) })
        .collect();
    if stdin {
        jobs.push(Job::Stdin);
    }
    let (images, files): (Vec<_>, Vec<_>) = discovered.into_iter().partition(|d| d.image);
    jobs.extend(files.into_iter().map(|d| Job::File { path: d.path, frontend: d.frontend }));
    jobs.extend(
        images.par_iter().flat_map_iter(|d| image_jobs(&d.path, options.yara.as_deref())).collect::<Vec<_>>(),
    );
    jobs
}

/// The documents of an image found among the targets (its config, the layer files holding
/// credentials, its package databases), checked as `shipshape image` checks them.
fn image_jobs(path: &Path, yara: Option<&dyn yara::Scanner>) -> Vec<Job> {
    let label = display_path(path);
    let options = shipshape_image::OpenOptions::default();
    let read = image_audit::read_image(path, &label, &options, yara, &mut |_| {}).map_err(|e| e.to_string());
    match read
        .and_then(|read| memory_jobs(read.documents, read.packages, read.findings).map_err(|e| e.to_string()))
    {
        Ok(jobs) => jobs,
        Err(message) => vec![Job::Unreadable { path: path.to_path_buf(), message }],
    }
}

fn run_jobs(options: &ScanOptions, jobs: Vec<Job>) -> Result<ScanResult, ScanError> {
    let rules: &[&'static RuleMeta] = ALL_RULES;
    let resolver = match &options.config {
        Some(file) => ConfigResolver::explicit(rules, options.cwd.clone(), file)?,
        None => ConfigResolver::discover(rules, options.cwd.clone()),
    };
    let cli_select = parse_selectors(&options.select, rules)?;
    let cli_ignore = parse_selectors(&options.ignore, rules)?;
    let today = options.today.unwrap_or_else(Date::today);
    let mut sink = Sink::new(rules, today);
    if let Some(path) = &options.baseline {
        sink = sink.with_baseline(Baseline::load(path)?);
    }
    let configs = EffectiveConfigs { resolver, cli_select, cli_ignore, cache: Mutex::default() };

    let cluster = index_cluster(&jobs, options);
    let vuln = vuln::SharedDatabase::new(options.vuln_db.clone(), options.vuln_filters.clone());
    let results: Vec<FileResult> = jobs
        .into_par_iter()
        .map(|job| run_job(job, options, today, &configs, &sink, &cluster, &vuln))
        .collect();

    let mut findings = Vec::new();
    let mut components = Vec::new();
    let mut targets = Vec::with_capacity(results.len());
    let mut sources = HashMap::new();
    let mut failing = 0;
    // A file can be read by two targets (a Compose file `include`d by another and also scanned on
    // its own); the same finding is reported once.
    let mut seen: HashSet<(&'static str, Arc<str>, Span, String)> = HashSet::new();
    for result in results {
        let kept: Vec<Finding> = result
            .findings
            .into_iter()
            .filter(|f| options.min_severity.is_none_or(|min| f.severity >= min))
            .filter(|f| {
                seen.insert((f.rule.code, f.location.path.clone(), f.location.span, f.message.clone()))
            })
            .collect();
        failing += kept.iter().filter(|f| f.severity >= result.fail_on).count();
        for source in result.sources {
            if kept.iter().any(|f| {
                f.location.path == source.path || f.related.iter().any(|r| r.location.path == source.path)
            }) {
                sources.insert(source.path.clone(), source);
            }
        }
        findings.extend(kept);
        targets.extend(result.target);
        components.extend(result.components);
    }
    components.sort();
    components.dedup();
    let end = sink.finish();
    let scan_fail_on = options.fail_on.unwrap_or(DEFAULT_FAIL_ON);
    for finding in end.findings {
        if options.min_severity.is_some_and(|min| finding.severity < min) {
            continue;
        }
        if finding.severity >= scan_fail_on {
            failing += 1;
        }
        findings.push(finding);
    }
    for config in configs.all() {
        if let (Some(path), Some(source)) = (&config.path, &config.source)
            && findings.iter().any(|f| &f.location.path == path)
        {
            sources.insert(path.clone(), source.clone());
        }
    }
    sort_findings(&mut findings);
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ScanResult {
        findings,
        targets,
        sources,
        counts: end.counts,
        failing,
        stale_baseline_entries: end.stale_baseline_entries,
        notices: vuln.notices(),
        components,
        subject: None,
    })
}

fn parse_selectors(texts: &[String], rules: &[&'static RuleMeta]) -> Result<Vec<Selector>, ScanError> {
    texts
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            Selector::parse(t.trim(), rules)
                .map_err(|e| ScanError::Selector { text: e.text, suggestion: e.suggestion })
        })
        .collect()
}

/// Configurations with the command line's `--select`/`--ignore` merged in, one per config file.
struct EffectiveConfigs {
    resolver: ConfigResolver,
    cli_select: Vec<Selector>,
    cli_ignore: Vec<Selector>,
    cache: Mutex<HashMap<usize, Arc<Config>>>,
}

impl EffectiveConfigs {
    fn for_file(&self, path: &Path) -> Arc<Config> {
        let base = self.resolver.for_file(path);
        if self.cli_select.is_empty() && self.cli_ignore.is_empty() {
            return base;
        }
        let key = Arc::as_ptr(&base) as usize;
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .entry(key)
            .or_insert_with(|| {
                let mut merged = (*base).clone();
                let select = if self.cli_select.is_empty() {
                    base.selection.select().map(<[Selector]>::to_vec)
                } else {
                    Some(self.cli_select.clone())
                };
                let mut ignore = base.selection.ignore().to_vec();
                ignore.extend(self.cli_ignore.iter().cloned());
                merged.selection = RuleSelection::new(select, ignore);
                Arc::new(merged)
            })
            .clone()
    }

    fn all(&self) -> Vec<Arc<Config>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
    }
}

enum Job {
    File {
        path: PathBuf,
        frontend: usize,
    },
    Stdin,
    Unreadable {
        path: PathBuf,
        message: String,
    },
    /// A document fetched rather than read (a live daemon's containers), checked like a file.
    Memory {
        source: SourceFile,
        frontend: usize,
        /// The packages, when the document is an image's package database.
        os_packages: Option<Box<frontend::OsPackages>>,
        /// Findings already made from the document's bytes (YARA matches).
        findings: Vec<Finding>,
    },
}

struct FileResult {
    /// `None` when the file was checked as part of another target.
    target: Option<ScanTarget>,
    findings: Vec<Finding>,
    /// The target's file first, then the related files its front end read.
    sources: Vec<SourceFile>,
    fail_on: Severity,
    /// Packages the file lists (lockfiles, package databases).
    components: Vec<Component>,
}

/// The front end for unnamed standard input, judged by content: inspect JSON and Compose YAML
/// are recognised as if their file had a typical name; anything else is a Dockerfile.
fn sniff_stdin(text: &str) -> Option<usize> {
    let head = text.get(..text.len().min(discover::SNIFF_LEN)).unwrap_or(text);
    frontend::claim_content("stdin.json", head).or_else(|| frontend::claim_content("stdin.yaml", head))
}

fn display_path(path: &Path) -> Arc<str> {
    let text = path.to_string_lossy();
    let text = text.strip_prefix("./").unwrap_or(&text);
    Arc::from(text.replace('\\', "/"))
}

/// Reads every Kubernetes manifest once up front for what checks across files need
/// (NetworkPolicies, ServiceAccounts, Namespace Pod Security labels). Only files that mention one
/// of those kinds are parsed.
fn index_cluster(jobs: &[Job], options: &ScanOptions) -> ClusterIndex {
    let kube = FRONTENDS.iter().position(|f| f.kind() == "kubernetes");
    jobs.par_iter()
        .filter_map(|job| match job {
            Job::File { path, frontend } if Some(*frontend) == kube => Some(path),
            _ => None,
        })
        .map(|path| {
            let mut index = ClusterIndex::default();
            let display = display_path(path);
            index.cover(display.clone());
            if let Ok(decoded) = read::read_path(path, display.clone(), options.max_file_size) {
                let text = &decoded.source.text;
                if ["NetworkPolicy", "ServiceAccount", "Namespace"].iter().any(|kind| text.contains(kind)) {
                    let stream = shipshape_yaml::parse(text, &shipshape_yaml::Limits::default());
                    index.add(&shipshape_kube::lower(&stream, &display));
                }
            }
            index
        })
        .reduce(ClusterIndex::default, |mut a, b| {
            a.merge(b);
            a
        })
}

fn run_job(
    job: Job,
    options: &ScanOptions,
    today: Date,
    configs: &EffectiveConfigs,
    sink: &Sink<'_>,
    cluster: &ClusterIndex,
    vuln: &vuln::SharedDatabase,
) -> FileResult {
    let mut os_packages = None;
    // Findings made from the raw bytes; `None`: YARA rules (if any) still to run on the text.
    let mut precomputed: Option<Vec<Finding>> = None;
    let (fs_path, display, frontend_index, read) = match job {
        Job::File { path, frontend } => {
            let display = display_path(&path);
            let read = read::read_path(&path, display.clone(), options.max_file_size);
            (path, display, frontend, read)
        }
        Job::Stdin => {
            let named = options.stdin_path.clone();
            let display: Arc<str> = named.as_deref().map_or_else(|| Arc::from("-"), display_path);
            let frontend = named
                .as_deref()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .and_then(frontend::claim)
                .unwrap_or(FALLBACK_FRONTEND);
            let read = read::read_bounded(std::io::stdin().lock(), display.clone(), options.max_file_size);
            let frontend = match (&named, &read) {
                (None, Ok(decoded)) => sniff_stdin(&decoded.source.text).unwrap_or(frontend),
                _ => frontend,
            };
            (named.unwrap_or_else(|| options.cwd.join("-")), display, frontend, read)
        }
        Job::Unreadable { path, message } => {
            let display = display_path(&path);
            (path, display, FALLBACK_FRONTEND, Err(ReadError::Io(message)))
        }
        Job::Memory { source, frontend, os_packages: packages, findings } => {
            os_packages = packages;
            precomputed = Some(findings);
            let display = source.path.clone();
            let decoded = Decoded { source, invalid_bytes: Vec::new(), invalid_total: 0 };
            (options.cwd.join(&*display), display, frontend, Ok(decoded))
        }
    };
    let frontend = FRONTENDS.get(frontend_index).copied().unwrap_or(FRONTENDS[FALLBACK_FRONTEND]);
    let config = configs.for_file(&fs_path);
    let settings = RuleSettings {
        trusted_registries: config.trusted_registries.clone(),
        require_digest: options.require_digest || config.require_digest,
        insecure_registries: options.insecure_registries.clone(),
        today: Some(today),
        pod_security: options.pod_security.or(config.pod_security),
    };
    let is_enabled = |rule: &RuleMeta| config.selection.is_enabled(rule);
    let read = match read {
        Err(ReadError::Binary { offset }) if frontend.kind() == "text" => {
            match binary_malware(&fs_path, display.clone(), options, &settings, &is_enabled) {
                Some((decoded, yara_findings)) => {
                    precomputed = Some(yara_findings);
                    Ok(decoded)
                }
                None => Err(ReadError::Binary { offset }),
            }
        }
        other => other,
    };
    let fail_on = options.fail_on.or(config.fail_on).unwrap_or(DEFAULT_FAIL_ON);
    match read {
        Err(ReadError::Binary { .. } | ReadError::TooLarge { .. }) if frontend.kind() == "text" => {
            FileResult {
                target: None,
                findings: Vec::new(),
                sources: Vec::new(),
                fail_on,
                components: Vec::new(),
            }
        }
        Err(error) => unreadable(display, frontend.kind(), &error, &fs_path, &config, sink, fail_on),
        Ok(decoded) => {
            let context = FrontendContext {
                settings: &settings,
                is_enabled: &is_enabled,
                build_args: &options.build_args,
                env_files: &options.env_files,
                cluster,
                secrets: config.secrets.as_deref(),
                vuln: Some(vuln),
                os_packages: os_packages.as_deref(),
            };
            let Decoded { source, invalid_bytes, invalid_total } = decoded;
            let mut output = frontend.check(&source, &context);
            // The filesystem view of an image is written by shipshape (paths, modes, notes), not
            // read from the image: the layer files themselves are scanned for content.
            if !matches!(frontend.kind(), "text" | "image-files") {
                frontend::check_file_text(&source, &context, &mut output);
                for related in &output.related_sources.clone() {
                    frontend::check_file_text(related, &context, &mut output);
                }
            }
            if output.covered {
                return FileResult {
                    target: None,
                    findings: Vec::new(),
                    sources: Vec::new(),
                    fail_on,
                    components: Vec::new(),
                };
            }
            match (precomputed, &options.yara) {
                (Some(found), _) => output.findings.extend(found),
                (None, Some(rules)) => output.findings.extend(yara::findings(
                    rules.as_ref(),
                    &source.path,
                    source.text.as_bytes(),
                    &settings,
                    &is_enabled,
                )),
                (None, None) => {}
            }
            output.findings.extend(encoding_findings(&source, &invalid_bytes, invalid_total));
            let status = if output.parse_errors == 0 {
                TargetStatus::Parsed
            } else {
                TargetStatus::PartiallyParsed { errors: output.parse_errors }
            };
            let target = ScanTarget { path: display, kind: frontend.kind(), status };
            merge_shared_findings(&mut output.findings);
            let mut sources = vec![source];
            sources.extend(output.related_sources);
            let findings = sink_per_file(sink, &config, &fs_path, &sources, output.findings, output.pragmas);
            FileResult { target: Some(target), findings, sources, fail_on, components: output.components }
        }
    }
}

/// A binary file of a scanned directory, as text (invalid UTF-8 read as `?` in place), when a
/// malware signature for binaries or a YARA rule matches it, with the YARA findings (made from
/// the raw bytes): binaries are not configuration, but a miner in a build context ships with
/// the image built from it.
fn binary_malware(
    path: &Path,
    display: Arc<str>,
    options: &ScanOptions,
    settings: &RuleSettings,
    is_enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Option<(Decoded, Vec<Finding>)> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(options.max_file_size).read_to_end(&mut bytes).ok()?;
    let logical = shipshape_rules::checkers::malware::file_path_of(&display);
    let malware = frontend::malware_detector()
        .is_some_and(|d| d.scan_path(Some(logical), &bytes).iter().any(|m| !m.is_example));
    let yara_findings = match &options.yara {
        Some(rules) => yara::findings(rules.as_ref(), &display, &bytes, settings, is_enabled),
        None => Vec::new(),
    };
    if !malware && yara_findings.is_empty() {
        return None;
    }
    let (text, _, _) = read::text_in_place(bytes);
    let decoded =
        Decoded { source: SourceFile::new(display, text), invalid_bytes: Vec::new(), invalid_total: 0 };
    Some((decoded, yara_findings))
}

/// Merges findings that are the same problem at the same place (one YAML anchor merged into
/// several services): one finding, with every workload it applies to as a related location.
fn merge_shared_findings(findings: &mut Vec<Finding>) {
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut index: HashMap<(&'static str, Arc<str>, Span, String), usize> = HashMap::new();
    for finding in findings.drain(..) {
        let key = (
            finding.rule.code,
            finding.location.path.clone(),
            finding.location.span,
            finding.message.clone(),
        );
        match index.get(&key).and_then(|&i| merged.get_mut(i)) {
            Some(first) => {
                for related in finding.related {
                    if !first.related.contains(&related) {
                        first.related.push(related);
                    }
                }
            }
            None => {
                index.insert(key, merged.len());
                merged.push(finding);
            }
        }
    }
    *findings = merged;
}

/// Passes a target's findings through the sink file by file: the target's own file and each
/// related file (override, env file, linked Dockerfile) with the pragmas found in it. A finding
/// whose file the front end did not return is kept with the target's file.
fn sink_per_file(
    sink: &Sink<'_>,
    config: &Config,
    fs_path: &Path,
    sources: &[SourceFile],
    findings: Vec<Finding>,
    pragmas: Vec<ScopedPragma>,
) -> Vec<Finding> {
    // The configuration's own problems are reported even when its files have no findings.
    sink.register_config(config);
    let index_of = |path: &str| sources.iter().position(|s| &*s.path == path).unwrap_or(0);
    let mut findings_by_file: Vec<Vec<Finding>> = vec![Vec::new(); sources.len().max(1)];
    for finding in findings {
        let index = index_of(&finding.location.path);
        if let Some(group) = findings_by_file.get_mut(index) {
            group.push(finding);
        }
    }
    let mut pragmas_by_file: Vec<Vec<ScopedPragma>> = vec![Vec::new(); sources.len().max(1)];
    for pragma in pragmas {
        let index = index_of(&pragma.comment.path);
        if let Some(group) = pragmas_by_file.get_mut(index) {
            group.push(pragma);
        }
    }
    let mut reported = Vec::new();
    for ((source, findings), pragmas) in sources.iter().zip(findings_by_file).zip(pragmas_by_file) {
        if findings.is_empty() && pragmas.is_empty() {
            continue;
        }
        let own_path;
        let file_path = if &*source.path == sources.first().map_or("", |s| &*s.path) {
            fs_path
        } else {
            own_path = PathBuf::from(&*source.path);
            &own_path
        };
        let outcome = sink.process(FileInput { source, fs_path: Some(file_path), config, findings, pragmas });
        reported.extend(outcome.findings);
    }
    // Related locations may lie in another file of the target (the service that uses a
    // Dockerfile): locate them too.
    if sources.len() > 1 {
        for finding in &mut reported {
            for source in sources {
                finding.locate(source);
            }
        }
    }
    reported
}

fn unreadable(
    display: Arc<str>,
    kind: &'static str,
    error: &ReadError,
    fs_path: &Path,
    config: &Config,
    sink: &Sink<'_>,
    fail_on: Severity,
) -> FileResult {
    let reason = error.to_string();
    let source = SourceFile::new(display.clone(), "");
    let origin = Origin::new(display.clone(), Span::empty_at(0));
    let finding = Finding::new(&UNREADABLE_TARGET, &origin, format!("not scanned: {reason}"));
    let outcome = sink.process(FileInput {
        source: &source,
        fs_path: Some(fs_path),
        config,
        findings: vec![finding],
        pragmas: Vec::new(),
    });
    FileResult {
        target: Some(ScanTarget { path: display, kind, status: TargetStatus::Unreadable { reason } }),
        findings: outcome.findings,
        sources: Vec::new(),
        fail_on,
        components: Vec::new(),
    }
}

fn encoding_findings(source: &SourceFile, invalid: &[Span], total: usize) -> Vec<Finding> {
    let Some(first) = invalid.first() else { return Vec::new() };
    let origin = Origin::new(source.path.clone(), *first);
    let more =
        if total > 1 { format!(" ({total} invalid bytes in all; each read as `?`)") } else { String::new() };
    vec![
        Finding::new(&INVALID_ENCODING, &origin, format!("byte is not valid UTF-8{more}"))
            .with_help("save the file as UTF-8"),
    ]
}
