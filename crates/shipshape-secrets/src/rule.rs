//! The shape of a detection rule.

use std::fmt;

/// How bad a leaked secret of this kind is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Grants broad control (cloud root keys, private keys, payment secrets).
    Critical,
    /// Grants access to code, data or services.
    High,
    /// Limited scope, or needs a second piece to be used.
    Medium,
    /// Little direct risk (public-ish identifiers, hashes, test-mode keys).
    Low,
}

impl Severity {
    /// Lower-case name: `critical`, `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the input around a keyword hit a rule's regex runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The line holding the hit, cut to [`MAX_LINE_WINDOW`](crate::MAX_LINE_WINDOW) bytes on
    /// either side of the hit when the line is longer. The regex of a line-scoped rule must not
    /// match across a line break (`[ \t]` rather than `\s`): windows of consecutive lines are
    /// searched in one go.
    Line,
    /// A byte window around the hit, across lines: `before` bytes before its start and `after`
    /// bytes after its end (for multi-line secrets such as PEM blocks, or a secret that must sit
    /// near a context word).
    Around {
        /// Bytes before the keyword.
        before: u32,
        /// Bytes after the keyword.
        after: u32,
    },
}

/// How specific a rule is. When findings of several rules overlap, only those of the most
/// specific kind are kept (a GitHub token inside a URL is reported as a GitHub token, not also
/// as URL credentials or a generic `token =` assignment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKind {
    /// Entropy-based `password = …` style assignments.
    Generic,
    /// A family of formats shared by many vendors: private keys, JWTs, URL credentials, auth
    /// headers.
    Family,
    /// One vendor's documented token format.
    Vendor,
}

/// How the engine gets the secret out of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extract {
    /// From the capture group [`SecretRule::secret_group`] (and the group named `name`).
    Groups,
    /// The match is an assignment `name <op> value` (optionally quoted), as written by the
    /// generic rules: the engine splits it itself instead of running a capture engine, which
    /// keeps keyword-dense text cheap.
    Assignment,
}

/// What a validator sees of a candidate match. All slices are bytes of the scanned input.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The secret (the rule's secret capture group), trimmed of surrounding whitespace.
    pub secret: &'a [u8],
    /// The whole regex match.
    pub matched: &'a [u8],
    /// The capture group named `name`, when the rule has one (the variable name of an
    /// assignment), or the name given to [`Detector::scan_value`](crate::Detector::scan_value).
    pub name: Option<&'a [u8]>,
    /// The window the regex ran on.
    pub window: &'a [u8],
}

/// A validator: returns `false` to reject a regex match (wrong checksum, placeholder, …).
pub type Validator = fn(&Candidate<'_>) -> bool;

/// A built-in detection rule, declared as data in [`BUILTIN_RULES`](crate::BUILTIN_RULES).
///
/// Test vectors (`must_match`, `must_not_match`) are templates: `{A:36}` stands for 36
/// pseudo-random characters of class `A` (see [`vectors::expand`](crate::vectors::expand)), so
/// that this source holds no string that looks like a live token; `«` and `»` mark the expected
/// secret span in a `must_match` vector.
#[derive(Clone, Copy)]
pub struct SecretRule {
    /// Stable kebab-case identifier, e.g. `aws-access-key-id`.
    pub id: &'static str,
    /// Human title.
    pub title: &'static str,
    /// Severity of a live (non-example) finding.
    pub severity: Severity,
    /// Lower-case ASCII keywords; the regex only runs near a case-insensitive hit of one of them.
    pub keywords: &'static [&'static str],
    /// The regex (regex-automata syntax, byte-oriented, ASCII classes, no look-around). Its
    /// capture group [`secret_group`](Self::secret_group) is the secret.
    pub regex: &'static str,
    /// Index of the capture group holding the secret. If that group did not take part in the
    /// match, the first later group that did is used (for alternations of quoted forms).
    pub secret_group: usize,
    /// Where the regex runs around a keyword hit.
    pub scope: Scope,
    /// Minimum Shannon entropy (bits per byte) of the secret, when checked.
    pub min_entropy: Option<f64>,
    /// Extra check of a match.
    pub validator: Option<Validator>,
    /// Whether the rule also runs on binary content (private keys and long prefixed tokens
    /// survive in binaries; entropy-based rules would only produce noise there).
    pub binary: bool,
    /// Specificity, for overlap resolution.
    pub kind: RuleKind,
    /// How the secret is taken out of a match.
    pub extract: Extract,
    /// Vectors that must produce a finding of this rule (templates, see above).
    pub must_match: &'static [&'static str],
    /// Vectors that must not produce a non-example finding of this rule.
    pub must_not_match: &'static [&'static str],
}

impl fmt::Debug for SecretRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretRule")
            .field("id", &self.id)
            .field("severity", &self.severity)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Defaults for the optional fields of the built-in table.
pub(crate) const BASE: SecretRule = SecretRule {
    id: "",
    title: "",
    severity: Severity::High,
    keywords: &[],
    regex: "",
    secret_group: 1,
    scope: Scope::Line,
    min_entropy: None,
    validator: None,
    binary: false,
    kind: RuleKind::Vendor,
    extract: Extract::Groups,
    must_match: &[],
    must_not_match: &[],
};
