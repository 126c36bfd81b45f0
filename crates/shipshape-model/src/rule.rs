//! Rule metadata: what every rule declares about itself, and the vocabulary it uses
//! (severity, defence layer, threat, asset, peer-tool aliases).
//!
//! Metadata lives here rather than in `shipshape-rules` so renderers can show rule documentation
//! without depending on the rules themselves.

use serde::Serialize;
use std::fmt;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses `critical|high|medium|low|info` (case-insensitive); also hadolint's
    /// `error|warning|info|style` levels, mapped to high/medium/low/info.
    pub fn parse(text: &str) -> Option<Severity> {
        Some(match text.to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "error" => Severity::High,
            "medium" | "warning" => Severity::Medium,
            "low" | "style" => Severity::Low,
            "info" => Severity::Info,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The layer of a container's defence in depth that a rule checks. Each layer owns a code prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// `IMG`: a trusted, pinned, minimal, current image; build hygiene.
    Image,
    /// `SUP`: where images and packages come from and whether that can be trusted.
    SupplyChain,
    /// `ISO`: namespaces, sockets, host mounts, devices, cgroup limits.
    Isolation,
    /// `PRV`: user, capabilities, privileged mode, LSMs, read-only rootfs.
    #[serde(rename = "least-privilege")]
    Privilege,
    /// `NET`: published ports, host network, plaintext endpoints.
    Network,
    /// `SEC`: credentials in configuration and images.
    Secrets,
    /// `MON`: healthchecks, logging, audit.
    Monitoring,
    /// `GEN`: the scan itself: unreadable or unparsable input, configuration and suppressions.
    General,
}

impl Layer {
    pub const ALL: [Layer; 8] = [
        Layer::Image,
        Layer::SupplyChain,
        Layer::Isolation,
        Layer::Privilege,
        Layer::Network,
        Layer::Secrets,
        Layer::Monitoring,
        Layer::General,
    ];

    pub const fn prefix(self) -> &'static str {
        match self {
            Layer::Image => "IMG",
            Layer::SupplyChain => "SUP",
            Layer::Isolation => "ISO",
            Layer::Privilege => "PRV",
            Layer::Network => "NET",
            Layer::Secrets => "SEC",
            Layer::Monitoring => "MON",
            Layer::General => "GEN",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Layer::Image => "image",
            Layer::SupplyChain => "supply-chain",
            Layer::Isolation => "isolation",
            Layer::Privilege => "least-privilege",
            Layer::Network => "network",
            Layer::Secrets => "secrets",
            Layer::Monitoring => "monitoring",
            Layer::General => "general",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The attack a rule's finding helps stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threat {
    /// A compromised, impersonated or tampered image or package.
    MaliciousImage,
    /// A known-vulnerable package or base image.
    VulnerableDependency,
    /// A process breaking out of its container onto the host.
    ContainerEscape,
    /// A credential readable by someone who should not have it.
    SecretExposure,
    /// More privilege than the workload needs, turning a bug into a takeover.
    ExcessPrivilege,
    /// Reaching a service that should not be reachable, or sniffing its traffic.
    NetworkAttack,
    /// One container starving the host or its neighbours.
    ResourceExhaustion,
    /// A compromise or failure that goes unnoticed.
    UndetectedCompromise,
    /// Configuration shipshape could not check, so any of the above may hide in it.
    UncheckedInput,
}

impl Threat {
    pub const fn as_str(self) -> &'static str {
        match self {
            Threat::MaliciousImage => "malicious-image",
            Threat::VulnerableDependency => "vulnerable-dependency",
            Threat::ContainerEscape => "container-escape",
            Threat::SecretExposure => "secret-exposure",
            Threat::ExcessPrivilege => "excess-privilege",
            Threat::NetworkAttack => "network-attack",
            Threat::ResourceExhaustion => "resource-exhaustion",
            Threat::UndetectedCompromise => "undetected-compromise",
            Threat::UncheckedInput => "unchecked-input",
        }
    }
}

impl fmt::Display for Threat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Asset {
    Host,
    OtherContainers,
    Data,
    Application,
    SupplyChain,
}

impl Asset {
    pub const fn as_str(self) -> &'static str {
        match self {
            Asset::Host => "host",
            Asset::OtherContainers => "other-containers",
            Asset::Data => "data",
            Asset::Application => "application",
            Asset::SupplyChain => "supply-chain",
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Another tool or standard whose identifier an alias refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    Hadolint,
    #[serde(rename = "buildkit")]
    BuildKit,
    Checkov,
    Trivy,
    Kics,
    Dockle,
    CisDocker,
    Pss,
}

impl Tool {
    pub const fn as_str(self) -> &'static str {
        match self {
            Tool::Hadolint => "hadolint",
            Tool::BuildKit => "buildkit",
            Tool::Checkov => "checkov",
            Tool::Trivy => "trivy",
            Tool::Kics => "kics",
            Tool::Dockle => "dockle",
            Tool::CisDocker => "cis-docker",
            Tool::Pss => "pss",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id another tool or standard uses for the same check, e.g. hadolint `DL3002`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Alias {
    pub tool: Tool,
    pub id: &'static str,
}

impl Alias {
    pub const fn new(tool: Tool, id: &'static str) -> Self {
        Self { tool, id }
    }
}

/// Whether a rule can offer an automatic fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// Everything a rule declares about itself. One `static` per rule, built by [`declare_rule!`].
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable code, e.g. `PRV001`; its prefix names the layer.
    pub code: &'static str,
    /// Kebab-case name describing the problem, e.g. `root-user`.
    pub name: &'static str,
    pub layer: Layer,
    pub threat: Threat,
    pub asset: Asset,
    pub severity: Severity,
    /// One line: what is wrong when this rule fires.
    pub summary: &'static str,
    /// Markdown documentation: `## What it does`, `## Why is this bad?`, `## Example`, `## Fix`, ...
    pub doc: &'static str,
    pub aliases: &'static [Alias],
    pub fix: FixAvailability,
    /// Off unless selected by its code, name or alias (`select = ["IMG020"]`): a selection by
    /// prefix or `ALL` does not turn it on. For checks most users do not want, such as
    /// hadolint's rules that are off by default.
    #[serde(skip)]
    pub opt_in: bool,
}

impl RuleMeta {
    /// The alias this rule has for `tool`, if any.
    pub fn alias_for(&self, tool: Tool) -> Option<&'static str> {
        self.aliases.iter().find(|a| a.tool == tool).map(|a| a.id)
    }

    /// Whether `id` (a code or any alias, case-insensitive) names this rule.
    pub fn is_named(&self, id: &str) -> bool {
        self.code.eq_ignore_ascii_case(id)
            || self.name.eq_ignore_ascii_case(id)
            || self.aliases.iter().any(|a| a.id.eq_ignore_ascii_case(id))
    }
}

impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for RuleMeta {}

/// Declares a rule's metadata as a `pub static` [`RuleMeta`]; the doc comment becomes `doc`.
///
/// ```text
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub static ROOT_USER = {
///         code: "PRV001", name: "root-user", layer: Privilege, threat: ExcessPrivilege,
///         asset: Host, severity: High, fix: None,
///         summary: "the final stage runs as root",
///         aliases: [(Hadolint, "DL3002"), (Checkov, "CKV_DOCKER_8")],
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            layer: $layer:ident,
            threat: $threat:ident,
            asset: $asset:ident,
            severity: $severity:ident,
            fix: $fix:ident,
            $(opt_in: $opt_in:literal,)?
            summary: $summary:literal,
            aliases: [$(($tool:ident, $alias:literal)),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis static $ident: $crate::RuleMeta = $crate::RuleMeta {
            code: $code,
            name: $name,
            layer: $crate::Layer::$layer,
            threat: $crate::Threat::$threat,
            asset: $crate::Asset::$asset,
            severity: $crate::Severity::$severity,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
            aliases: &[$($crate::Alias::new($crate::Tool::$tool, $alias)),*],
            fix: $crate::rule::FixAvailability::$fix,
            opt_in: false $(|| $opt_in)?,
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::declare_rule! {
        /// ## What it does
        /// Checks a thing.
        static EXAMPLE = {
            code: "PRV999",
            name: "example-rule",
            layer: Privilege,
            threat: ExcessPrivilege,
            asset: Host,
            severity: High,
            fix: None,
            summary: "an example",
            aliases: [(Hadolint, "DL9999"), (CisDocker, "4.1")],
        }
    }

    #[test]
    fn macro_keeps_doc_and_aliases() {
        assert_eq!(EXAMPLE.doc, " ## What it does\n Checks a thing.\n");
        assert_eq!(EXAMPLE.alias_for(Tool::Hadolint), Some("DL9999"));
        assert!(EXAMPLE.is_named("dl9999"));
        assert!(EXAMPLE.is_named("example-rule"));
        assert!(!EXAMPLE.is_named("PRV001"));
    }

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::parse("Warning"), Some(Severity::Medium));
        assert_eq!(Severity::parse("bogus"), None);
    }
}
