//! What a rule gets to see besides the model: settings, and where to put its findings.

use shipshape_model::date::Date;
use shipshape_model::{Finding, Origin, RuleMeta};

/// User settings that rules read (typed, from `shipshape.toml`), and the facts of the scan
/// itself (today's date).
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    /// Registries, repository prefixes or patterns whose images are trusted (`ghcr.io/acme`,
    /// `*.example.com`, `ghcr.io/acme/*`; see `shipshape_model::ImageRef::matches_pattern`),
    /// from `[registries] trusted` and `.hadolint.yaml` `trustedRegistries`. Empty: no allowlist,
    /// every registry is acceptable.
    pub trusted_registries: Vec<String>,
    /// Every image must be pinned by digest (`--require-digest`, `[registries] require-digest`).
    pub require_digest: bool,
    /// Registries known to be reached over plain HTTP (a daemon's `insecure-registries`), as
    /// hosts with optional port.
    pub insecure_registries: Vec<String>,
    /// The day end-of-life dates are judged against; `None`: unknown, so no end-of-life
    /// finding. The scanner sets it from the clock (or `SHIPSHAPE_TODAY`).
    pub today: Option<Date>,
    /// The Pod Security level (and version) Kubernetes pods are held to; `None`: the level their
    /// namespace enforces, when a scanned Namespace says.
    pub pod_security: Option<shipshape_kube::pod_security::Policy>,
}

/// Collects findings from rules, skipping rules the user disabled.
pub struct Checker<'a> {
    pub settings: &'a RuleSettings,
    is_enabled: &'a dyn Fn(&RuleMeta) -> bool,
    findings: Vec<Finding>,
}

impl<'a> Checker<'a> {
    pub fn new(settings: &'a RuleSettings, is_enabled: &'a dyn Fn(&RuleMeta) -> bool) -> Self {
        Self { settings, is_enabled, findings: Vec::new() }
    }

    /// Whether `rule` runs; checkers ask before doing a rule's work.
    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        (self.is_enabled)(rule)
    }

    /// Records a finding of `rule` at `origin` and returns it for decoration (help, fix, related).
    pub fn report(
        &mut self,
        rule: &'static RuleMeta,
        origin: &Origin,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding::new(rule, origin, message));
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// How many findings have been reported so far.
    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings reported since the checker held `start` of them.
    pub fn findings_since(&mut self, start: usize) -> &mut [Finding] {
        let start = start.min(self.findings.len());
        &mut self.findings[start..]
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
