//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the fail-on severity
  1  at least one finding at or above the fail-on severity
  2  usage error, unreadable configuration or output, or an internal error";

/// Container-security scanner: Dockerfiles today; Compose, Kubernetes, images and live hosts as
/// front ends land. Each finding names the defence layer, the attack it stops, and the line.
#[derive(Debug, Parser)]
#[command(name = "shipshape", version, about, after_help = EXIT_CODES, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan files and directories (recursively, honouring .gitignore); `-` reads standard input.
    #[command(after_help = EXIT_CODES)]
    Scan(Box<ScanArgs>),
    /// Apply the safe fixes of the findings (`scan --fix`): deterministic rewrites that keep every
    /// other byte; `--diff` previews them, `--unsafe-fixes` adds the ones that need review.
    #[command(after_help = EXIT_CODES)]
    Fix(Box<ScanArgs>),
    /// List every rule.
    Rules(RulesArgs),
    /// Print a rule's documentation (by code, name or alias such as DL3002).
    Rule {
        /// Code (PRV001), name (root-user) or alias (DL3002, CKV_DOCKER_8).
        code: String,
    },
    /// Kubernetes Pod Security Standards: the highest level each pod meets, and every failing
    /// control with its line, exactly as the Pod Security admission controller judges it.
    #[command(after_help = PSS_EXIT_CODES)]
    Pss(PssArgs),
    /// Audit a live Docker host through the Engine API: every running container (`--all`: stopped
    /// too), local images (`--images`), with the rules that judge Compose files and `docker inspect`
    /// output. `shipshape docker watch` follows the daemon's events instead.
    #[command(after_help = EXIT_CODES)]
    Docker(Box<DockerArgs>),
    /// Audit container images: `docker save` archives (legacy and OCI) and OCI layouts
    /// (directories or tars) read in place, images pulled from a registry, or images of the local
    /// Docker daemon. The configuration gets the image rules; every file of every layer, deleted
    /// ones included, is read for credentials.
    #[command(after_help = EXIT_CODES)]
    Image(Box<ImageArgs>),
    /// Answer a Kubernetes AdmissionReview (v1) the way the Pod Security admission webhook would:
    /// prints the AdmissionReview response JSON.
    #[command(after_help = ADMISSION_EXIT_CODES)]
    Admission(AdmissionArgs),
    /// The local vulnerability database (OSV records) that `scan` matches lockfiles against and
    /// `image` matches installed packages against.
    Db(DbArgs),
}

/// The ecosystems `shipshape db update` downloads when none is named.
pub(crate) const DEFAULT_ECOSYSTEMS: [&str; 11] = [
    "Debian",
    "Ubuntu",
    "Alpine",
    "PyPI",
    "npm",
    "crates.io",
    "Go",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
];

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    #[command(subcommand)]
    pub(crate) command: DbCommand,

    /// The database directory [default: $SHIPSHAPE_DB_DIR, else $XDG_CACHE_HOME/shipshape/db,
    /// else ~/.cache/shipshape/db].
    #[arg(long, value_name = "DIR", global = true)]
    pub(crate) db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Download each ecosystem's OSV export (`all.zip`) and rebuild the database; ecosystems
    /// that did not change since the last update are not downloaded again. Default ecosystems:
    /// Debian, Ubuntu, Alpine, PyPI, npm, crates.io, Go, Maven, RubyGems, Packagist, NuGet.
    Update(DbUpdateArgs),
    /// Build the database from OSV `all.zip` exports, OSV JSON files or directories of them.
    Import {
        /// Zip exports, JSON files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Show what the database holds: ecosystems, record counts, when each was fetched.
    Status {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = PssFormat::Human)]
        format: PssFormat,
    },
}

#[derive(Debug, Args)]
pub(crate) struct DbUpdateArgs {
    /// Only these ecosystems (repeatable, OSV spelling: `PyPI`, `crates.io`, `Debian`).
    #[arg(long, value_name = "NAME")]
    pub(crate) ecosystem: Vec<String>,

    /// Where the exports are: `<URL>/<ecosystem>/all.zip` [default: the OSV bucket,
    /// https://osv-vulnerabilities.storage.googleapis.com].
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// Mirrors tried in order when the base URL fails (repeatable).
    #[arg(long, value_name = "URL")]
    pub(crate) mirror: Vec<String>,
}

/// Vulnerability matching of lockfiles (`scan`) and installed packages (`image`).
#[derive(Debug, Args)]
pub(crate) struct VulnArgs {
    /// The vulnerability database directory (see `shipshape db`) [default: the db default].
    #[arg(long, value_name = "DIR")]
    pub(crate) db: Option<PathBuf>,

    /// Also report Debian `unimportant` and Ubuntu `negligible` vulnerabilities.
    #[arg(long)]
    pub(crate) show_negligible: bool,

    /// Do not report vulnerabilities without a fixed version.
    #[arg(long)]
    pub(crate) ignore_unfixed: bool,

    /// OpenVEX documents (repeatable): vulnerabilities they declare `not_affected` or `fixed`
    /// for a package are not reported.
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,
}

const PSS_EXIT_CODES: &str = "\
Exit codes:
  0  every pod meets the --require level (or no --require given)
  1  a pod does not meet the --require level
  2  usage error, or a manifest that cannot be read or parsed";

const ADMISSION_EXIT_CODES: &str = "\
Exit codes:
  0  the request is allowed (possibly with warnings)
  1  the request is denied
  2  usage error, or a review that cannot be read or parsed";

/// A Pod Security level, optionally at a policy version: `restricted`, `baseline:v1.30`.
fn parse_policy(text: &str) -> Result<shipshape_kube::pod_security::Policy, String> {
    shipshape_kube::pod_security::Policy::parse(text)
}

fn parse_policy_version(text: &str) -> Result<shipshape_kube::pod_security::PolicyVersion, String> {
    shipshape_kube::pod_security::PolicyVersion::parse(text)
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct DockerArgs {
    #[command(subcommand)]
    pub(crate) command: Option<DockerCommand>,

    /// Daemon address, overriding DOCKER_HOST and the current Docker context:
    /// `unix:///var/run/docker.sock`, `tcp://host:2376` (TLS from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH).
    #[arg(long, short = 'H', value_name = "URL", global = true)]
    pub(crate) host: Option<String>,

    /// Stopped containers too.
    #[arg(long, short = 'a')]
    pub(crate) all: bool,

    /// Audit local images too (their configured user, healthcheck, exposed ports, environment).
    #[arg(long)]
    pub(crate) images: bool,

    /// Concurrent inspect calls.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub(crate) workers: usize,

    /// Skip the audit of the daemon's own configuration (CIS Docker Benchmark section 2).
    #[arg(long)]
    pub(crate) no_daemon: bool,

    /// The daemon.json of a local daemon [default: /etc/docker/daemon.json].
    #[arg(long, value_name = "FILE")]
    pub(crate) daemon_json: Option<PathBuf>,

    /// Only containers matching this filter, as `docker ps --filter` (repeatable): `name=web`,
    /// `label=com.docker.compose.project=shop`, `status=running`, `id=...`, `ancestor=image`.
    #[arg(long, value_name = "KEY=VALUE", global = true)]
    pub(crate) filter: Vec<String>,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    /// Images: an archive or OCI layout path; a reference (`alpine:3.20`,
    /// `127.0.0.1:5000/team/app:1.0`, `ghcr.io/org/app@sha256:…`) looked up as `--image-src`
    /// says; `docker://NAME` for the local Docker daemon only; `registry://REF` for a registry
    /// only. An existing path wins over a reference of the same name.
    #[arg(required = true, value_name = "IMAGE")]
    pub(crate) images: Vec<PathBuf>,

    /// The platform to pick from a multi-platform image: `linux/arm64`, `linux/arm/v7`.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub(crate) platform: Option<String>,

    /// Where to look for an image named by reference, in order: the local Docker daemon (through
    /// the Engine API, as `docker save` would export it), then the registry.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "SOURCE,...",
        default_value = "daemon,registry"
    )]
    pub(crate) image_src: Vec<ImageSource>,

    /// Allow a registry without a valid TLS certificate, or without TLS at all (plain HTTP), as
    /// Docker's `insecure-registries` does: HTTPS without verification first, then HTTP.
    #[arg(long)]
    pub(crate) insecure: bool,

    /// Keep no pulled blobs: download into a temporary directory removed after the scan. By
    /// default blobs are cached (content-addressed, verified) in $SHIPSHAPE_IMAGE_CACHE, else
    /// $XDG_CACHE_HOME/shipshape/images, else ~/.cache/shipshape/images, so scanning an image
    /// again downloads only its manifest.
    #[arg(long)]
    pub(crate) no_cache: bool,

    #[command(flatten)]
    pub(crate) vuln: VulnArgs,

    #[command(flatten)]
    pub(crate) yara: YaraArgs,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

/// Where `shipshape image` looks for an image named by reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ImageSource {
    /// The local Docker daemon (DOCKER_HOST, the current context, else the default socket).
    #[value(alias = "docker")]
    Daemon,
    /// The image's registry (Docker Hub for `alpine:3.20`), with Docker's credentials.
    #[value(alias = "remote")]
    Registry,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DockerCommand {
    /// Follow the daemon's events: check each container as it is created or started and each
    /// `docker exec`, and print findings as they happen. Reconnects with backoff when the daemon
    /// restarts; stop with Ctrl-C.
    Watch(WatchArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WatchFormat {
    /// One line per finding.
    Human,
    /// One JSON object per finding and line (for a log pipeline).
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = WatchFormat::Human)]
    pub(crate) format: WatchFormat,

    /// Replay events since this time (unix seconds, or a duration like `10m`, as `docker events --since`).
    #[arg(long, value_name = "TIME")]
    pub(crate) since: Option<String>,

    /// Stop after this many launches were checked (for scripts and tests).
    #[arg(long, value_name = "N")]
    pub(crate) max_launches: Option<usize>,

    /// Report only findings at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) severity: Option<SeverityArg>,

    /// Use this configuration file instead of the nearest shipshape.toml.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Enable only these rules (comma-separated codes, prefixes, names or aliases).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) select: Vec<String>,

    /// Disable these rules (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) ignore: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PssFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct PssArgs {
    /// Manifests or directories (default: the current directory). `-` reads standard input.
    pub(crate) paths: Vec<PathBuf>,

    /// Policy version to evaluate: `latest` or `v1.25` through `v1.37`.
    #[arg(long = "policy-version", value_name = "VERSION", value_parser = parse_policy_version, default_value = "latest")]
    pub(crate) policy_version: shipshape_kube::pod_security::PolicyVersion,

    /// Exit 1 unless every pod meets this level.
    #[arg(long, value_name = "LEVEL", value_parser = parse_policy)]
    pub(crate) require: Option<shipshape_kube::pod_security::Policy>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PssFormat::Human)]
    pub(crate) format: PssFormat,

    /// Refuse files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 8 * 1024 * 1024)]
    pub(crate) max_file_size: u64,
}

#[derive(Debug, Args)]
pub(crate) struct AdmissionArgs {
    /// The AdmissionReview JSON (or YAML) file; `-` or nothing reads standard input.
    pub(crate) review: Option<PathBuf>,

    /// The level (and version) to enforce: `restricted`, `baseline:v1.30`.
    #[arg(long, value_name = "LEVEL[:VERSION]", value_parser = parse_policy)]
    pub(crate) pss: shipshape_kube::pod_security::Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    Checkstyle,
    /// CycloneDX 1.6 JSON: the packages found (images, lockfiles) and their vulnerabilities.
    Cyclonedx,
    /// SPDX 2.3 JSON: the packages found (images, lockfiles).
    Spdx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<SeverityArg> for shipshape_model::Severity {
    fn from(value: SeverityArg) -> Self {
        use shipshape_model::Severity;
        match value {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

/// How findings are selected, filtered and reported (shared by `scan` and `docker`).
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Exit 1 when a finding at or above this severity remains [default: low, or `fail-on` in shipshape.toml].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<SeverityArg>,

    /// Report only findings at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) severity: Option<SeverityArg>,

    /// Use this configuration file for every target instead of the nearest shipshape.toml.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Enable only these rules (codes, prefixes, names or aliases; comma-separated). Overrides the configuration's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) select: Vec<String>,

    /// Disable these rules (codes, prefixes, names or aliases; comma-separated), on top of the configuration.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) ignore: Vec<String>,

    /// Report only findings not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    /// Write every current finding to this baseline file (and report as usual).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub(crate) write_baseline: Option<PathBuf>,

    /// Print nothing for a clean human report, and no summary otherwise.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,

    /// Disable colours (also: the NO_COLOR environment variable, or output that is not a terminal).
    #[arg(long)]
    pub(crate) no_color: bool,

    /// Require every image to be pinned by digest: a tag without a digest becomes a high-severity finding (IMG014). Also `[registries] require-digest = true`.
    #[arg(long)]
    pub(crate) require_digest: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Files or directories to scan (default: the current directory). `-` reads standard input.
    pub(crate) paths: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) report: ReportArgs,

    /// Set a build argument for Dockerfile ARG resolution (repeatable), like `docker build --build-arg`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) build_arg: Vec<String>,

    /// Compose: read variables from this file instead of the project's `.env` (repeatable), like
    /// `docker compose --env-file`.
    #[arg(long, value_name = "FILE")]
    pub(crate) env_file: Vec<PathBuf>,

    /// Path to report for standard input (`-`), used to pick its kind and configuration.
    #[arg(long, value_name = "PATH")]
    pub(crate) stdin_path: Option<PathBuf>,

    /// Refuse files larger than this many bytes (reported as GEN004).
    #[arg(long, value_name = "BYTES", default_value_t = 8 * 1024 * 1024)]
    pub(crate) max_file_size: u64,

    /// Hold Kubernetes pods to this Pod Security level (`baseline`, `restricted`, optionally with
    /// a policy version: `restricted:v1.30`); violations become findings of the PSS rules.
    /// Default: the `[kubernetes] pod-security` setting, else the level a scanned Namespace
    /// enforces through its `pod-security.kubernetes.io/enforce` label.
    #[arg(long, value_name = "LEVEL[:VERSION]", value_parser = parse_policy)]
    pub(crate) pss: Option<shipshape_kube::pod_security::Policy>,

    #[command(flatten)]
    pub(crate) vuln: VulnArgs,

    /// Apply the safe fixes of the findings to the files (every other byte kept), then report
    /// what is left.
    #[arg(long)]
    pub(crate) fix: bool,

    /// With --fix or --diff: apply unsafe fixes too (they may change behaviour: review them).
    #[arg(long)]
    pub(crate) unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of applying them; exit 1 when there are any.
    #[arg(long, conflicts_with = "fix")]
    pub(crate) diff: bool,

    #[command(flatten)]
    pub(crate) yara: YaraArgs,
}

#[derive(Debug, Args)]
pub(crate) struct YaraArgs {
    /// Compile the YARA rules (`*.yar`, `*.yara`) of DIR once and run them over every file read
    /// and every image layer file; matches are SUP115 findings. Needs a build with the `yara`
    /// feature.
    #[arg(long, value_name = "DIR")]
    pub(crate) yara_rules: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RulesFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Human)]
    pub(crate) format: RulesFormat,
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
