//! The shared, realistic findings every renderer is snapshotted on.

#![allow(dead_code, unreachable_pub)]

use shipshape_model::general::{PARSE_ERROR, UNKNOWN_FLAG, UNREADABLE_TARGET};
use shipshape_model::{
    Edit, Finding, Fix, Origin, RuleMeta, ScanTarget, Severity, SourceFile, Span, TargetStatus, declare_rule,
};
use shipshape_report::Report;
use std::collections::HashMap;
use std::sync::Arc;

declare_rule! {
    /// ## What it does
    /// Checks that the final stage of a Dockerfile switches to a non-root user.
    ///
    /// ## Why is this bad?
    /// A process running as root inside the container is root on the host once it escapes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu:22.04
    /// USER root
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ubuntu:22.04
    /// USER app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the image may need files owned by `app`.
    pub static ROOT_USER = {
        code: "PRV001",
        name: "root-user",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: High,
        fix: Sometimes,
        summary: "the final stage runs as root",
        aliases: [(Hadolint, "DL3002"), (Checkov, "CKV_DOCKER_8"), (CisDocker, "4.1")],
    }
}

declare_rule! {
    /// ## What it does
    /// Finds a script downloaded and piped straight into a shell, e.g. `curl ... | sh`.
    ///
    /// ## Why is this bad?
    /// Whoever controls the server, or the network path to it, runs code in your build.
    ///
    /// ## Fix
    /// Download the script, verify its checksum, then run it.
    pub static CURL_PIPE_SHELL = {
        code: "SUP002",
        name: "curl-pipe-shell",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Critical,
        fix: None,
        summary: "remote script piped into a shell",
        aliases: [(Dockle, "DKL-DI-0005")],
    }
}

declare_rule! {
    /// ## What it does
    /// Finds credentials written into `ENV` or `ARG`, where `docker history` shows them.
    ///
    /// ## Why is this bad?
    /// Everyone who can pull the image can read the credential.
    ///
    /// ## Fix
    /// Use a BuildKit secret mount (`RUN --mount=type=secret`).
    pub static SECRET_IN_ENV = {
        code: "SEC001",
        name: "secret-in-env",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: Critical,
        fix: None,
        summary: "credential in ENV or ARG",
        aliases: [(Trivy, "AVD-DS-0031"), (Kics, "efbf148a-67e9-42d2-ac47-02fa1c0d0b22")],
    }
}

declare_rule! {
    /// ## What it does
    /// Checks that `apt-get install` passes `--no-install-recommends`.
    ///
    /// ## Why is this bad?
    /// Recommended packages enlarge the image and its attack surface.
    ///
    /// ## Fix
    /// Add `--no-install-recommends`; the fix is safe.
    pub static APT_RECOMMENDS = {
        code: "IMG002",
        name: "apt-install-recommends",
        layer: Image,
        threat: VulnerableDependency,
        asset: Application,
        severity: Low,
        fix: Always,
        summary: "apt-get install without --no-install-recommends",
        aliases: [(Hadolint, "DL3015")],
    }
}

/// The secret in the fixture Dockerfile; no output may contain it.
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

pub const DOCKERFILE: &str = concat!(
    "# syntax=docker/dockerfile:1\n",
    "FROM ubuntu:22.04 AS build\n",
    "LABEL maintainer=\"José <jose@example.invalid>\"\n",
    "RUN apt-get update && \\\n",
    "\tapt-get install -y curl ca-certificates && \\\n",
    "\tcurl -fsSL https://example.invalid/install.sh | sh\n",
    "ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    "COPY --chmown=app:app src /app\n",
    "RUN [\"echo\", \"unterminated\"\n",
    "USER root\n",
    "CMD [\"/app/server\"]\n",
);

/// Byte span of the `n`-th occurrence (0-based) of `needle` in `text`.
pub fn span_of(text: &str, needle: &str, n: usize) -> Span {
    let start = text.match_indices(needle).nth(n).map(|(i, _)| i).expect("needle in fixture");
    Span::from_range(start..start + needle.len())
}

/// Findings, targets and sources of one scan.
pub struct Fixture {
    pub findings: Vec<Finding>,
    pub targets: Vec<ScanTarget>,
    pub sources: HashMap<Arc<str>, SourceFile>,
}

impl Fixture {
    pub fn report(&self) -> Report<'_> {
        Report::new("0.1.0", &self.findings, &self.targets, &self.sources)
    }

    /// Locates every finding in the sources and sorts them as the scan does.
    pub fn finish(&mut self) {
        for finding in &mut self.findings {
            for source in self.sources.values() {
                finding.locate(source);
            }
        }
        self.findings.sort_by(|a, b| {
            (&a.location.path, a.location.span.start, a.rule.code).cmp(&(
                &b.location.path,
                b.location.span.start,
                b.rule.code,
            ))
        });
    }
}

/// The shared fixture: a Dockerfile with six findings (a multi-line span with tabs, a related
/// location, safe and unsafe fixes, a secret, a parse error, an unknown flag), a clean compose
/// file and an unreadable target.
pub fn fixture() -> Fixture {
    let path: Arc<str> = Arc::from("Dockerfile");
    let text = DOCKERFILE;
    let at = |span: Span| Origin::new(path.clone(), span);

    let run = span_of(text, "RUN apt-get", 0);
    let run_end = span_of(text, "| sh", 0);
    let curl = Finding::new(
        &CURL_PIPE_SHELL,
        &at(Span::new(run.start, run_end.end)),
        "`curl … | sh` runs a remote script unverified",
    )
    .with_help("download the script, check its sha256, then run it");

    let install = span_of(text, "apt-get install", 0);
    let mut apt =
        Finding::new(&APT_RECOMMENDS, &at(install), "`apt-get install` without `--no-install-recommends`")
            .with_fix(Fix::safe(vec![Edit::insert(install.end, " --no-install-recommends")]));
    // Configured down from the rule's `low`, so `severity` and `default_severity` differ.
    apt.severity = Severity::Info;

    let secret = span_of(text, SECRET, 0);
    let leaked = Finding::new(
        &SECRET_IN_ENV,
        &at(secret),
        format!("AWS secret access key `{SECRET}` in ENV AWS_SECRET_ACCESS_KEY"),
    )
    .with_help("mount it at build time: RUN --mount=type=secret,id=aws ...");

    let flag = span_of(text, "--chmown=app:app", 0);
    let unknown_flag = Finding::new(&UNKNOWN_FLAG, &at(flag), "unknown flag `--chmown` for COPY")
        .with_help("did you mean `--chown`?")
        .with_fix(Fix::display_only(vec![Edit::replace(Span::new(flag.start, flag.start + 8), "--chown")]));

    let bracket = span_of(text, "\"unterminated\"", 0);
    let parse =
        Finding::new(&PARSE_ERROR, &at(Span::empty_at(bracket.end)), "unterminated JSON array: expected `]`");

    let user = span_of(text, "USER root", 0);
    let from = span_of(text, "FROM ubuntu:22.04", 0);
    let root = Finding::new(&ROOT_USER, &at(user), "the final stage runs as root")
        .with_related(&at(from), "ubuntu:22.04 runs as root unless told otherwise")
        .with_help("create a user and switch to it: `USER app`")
        .with_fix(Fix::unsafe_edits(vec![Edit::replace(Span::new(user.start + 5, user.end), "app")]));

    let env_path: Arc<str> = Arc::from("secrets/.env");
    let unreadable = Finding::new(
        &UNREADABLE_TARGET,
        &Origin::new(env_path.clone(), Span::empty_at(0)),
        "could not read secrets/.env: permission denied (os error 13)",
    );

    let mut findings = vec![root, curl, apt, leaked, unknown_flag, parse, unreadable];
    for (i, finding) in findings.iter_mut().enumerate() {
        finding.fingerprint = format!("{:016x}", 0x5eed_0000_u64 + i as u64 * 0x1111);
    }

    let targets = vec![
        ScanTarget {
            path: path.clone(),
            kind: "dockerfile",
            status: TargetStatus::PartiallyParsed { errors: 1 },
        },
        ScanTarget { path: Arc::from("compose.yaml"), kind: "compose", status: TargetStatus::Parsed },
        ScanTarget {
            path: env_path,
            kind: "env-file",
            status: TargetStatus::Unreadable { reason: "permission denied (os error 13)".into() },
        },
    ];
    let mut sources = HashMap::new();
    sources.insert(path.clone(), SourceFile::new(path, text));
    sources.insert(
        Arc::from("compose.yaml"),
        SourceFile::new("compose.yaml", "services:\n  app:\n    build: .\n"),
    );
    let mut fixture = Fixture { findings, targets, sources };
    fixture.finish();
    fixture
}

/// Rules that were enabled in the fixture scan (for SARIF's rule list): the four test rules and
/// the GEN rules the fixture uses.
pub fn enabled_rules() -> Vec<&'static RuleMeta> {
    vec![
        &ROOT_USER,
        &CURL_PIPE_SHELL,
        &SECRET_IN_ENV,
        &APT_RECOMMENDS,
        &PARSE_ERROR,
        &UNKNOWN_FLAG,
        &UNREADABLE_TARGET,
    ]
}

/// `n` findings spread over a generated Dockerfile of `n` lines, for benchmarks.
pub fn many(n: usize) -> Fixture {
    let path: Arc<str> = Arc::from("deploy/app/Dockerfile");
    let mut text = String::with_capacity(n * 24);
    let mut spans = Vec::with_capacity(n);
    for i in 0..n {
        let start = text.len();
        text.push_str("USER root # line ");
        text.push_str(&i.to_string());
        spans.push(Span::from_range(start..start + 9));
        text.push('\n');
    }
    let source = SourceFile::new(path.clone(), text);
    let findings = spans
        .into_iter()
        .enumerate()
        .map(|(i, span)| {
            let mut finding =
                Finding::new(&ROOT_USER, &Origin::new(path.clone(), span), "the final stage runs as root")
                    .with_help("switch to a non-root user");
            if i % 4 == 0 {
                finding = finding.with_fix(Fix::unsafe_edits(vec![Edit::replace(
                    Span::new(span.start + 5, span.end),
                    "app",
                )]));
            }
            finding.fingerprint = format!("{i:016x}");
            finding.locate(&source);
            finding
        })
        .collect();
    let targets = vec![ScanTarget { path: path.clone(), kind: "dockerfile", status: TargetStatus::Parsed }];
    let mut sources = HashMap::new();
    sources.insert(path, source);
    Fixture { findings, targets, sources }
}
