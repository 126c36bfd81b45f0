//! Detector configuration.

use std::fmt;

use crate::rule::Severity;

/// Configuration of a [`Detector`](crate::Detector).
#[derive(Debug, Clone, Default)]
pub struct DetectorConfig {
    /// Ids of built-in (or custom) rules not to run.
    pub disabled_rules: Vec<String>,
    /// Extra rules.
    pub custom_rules: Vec<CustomRule>,
    /// Findings to drop.
    pub allowlist: Vec<Allow>,
}

/// A user-defined rule.
#[derive(Debug, Clone)]
pub struct CustomRule {
    /// Kebab-case id, unique among all rules (`[a-z0-9]+(-[a-z0-9]+)*`).
    pub id: String,
    /// Human title (the id is used when empty).
    pub title: String,
    /// Regex (regex-automata syntax: byte-oriented, ASCII classes, no look-around or
    /// back-references, so matching stays linear).
    pub regex: String,
    /// Case-insensitive ASCII keywords; the regex runs only on the lines holding one. With no
    /// keyword the regex runs over the whole input (slower, still linear).
    pub keywords: Vec<String>,
    /// Severity of findings.
    pub severity: Severity,
    /// Capture group of the secret (0 = the whole match).
    pub secret_group: usize,
    /// Minimum Shannon entropy of the secret, in bits per byte.
    pub min_entropy: Option<f64>,
}

impl Default for CustomRule {
    fn default() -> Self {
        CustomRule {
            id: String::new(),
            title: String::new(),
            regex: String::new(),
            keywords: Vec::new(),
            severity: Severity::High,
            secret_group: 0,
            min_entropy: None,
        }
    }
}

/// An allowlist entry: a finding is dropped when every condition given matches. At least one of
/// `path` and `value` must be set.
#[derive(Debug, Clone, Default)]
pub struct Allow {
    /// Glob over the scanned path (`*`, `**`, `?`; a pattern without `/` matches the file
    /// name), checked by [`Detector::scan_path`](crate::Detector::scan_path).
    pub path: Option<String>,
    /// Regex searched in the secret.
    pub value: Option<String>,
    /// Rule ids this entry is limited to (empty = all rules).
    pub rules: Vec<String>,
    /// Why the entry exists (kept for reports; not interpreted).
    pub reason: String,
}

/// A configuration error, naming the rule or allowlist entry at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A rule's regex does not compile.
    InvalidRegex {
        /// The rule.
        rule_id: String,
        /// The regex compiler's message.
        message: String,
    },
    /// A rule names a secret capture group its regex does not have.
    MissingSecretGroup {
        /// The rule.
        rule_id: String,
        /// The group asked for.
        group: usize,
        /// The number of groups the regex has (including group 0).
        groups: usize,
    },
    /// A rule id is not kebab-case.
    InvalidRuleId {
        /// The id.
        rule_id: String,
    },
    /// Two rules share an id.
    DuplicateRuleId {
        /// The id.
        rule_id: String,
    },
    /// A keyword is empty, not ASCII, or contains a line break.
    InvalidKeyword {
        /// The rule.
        rule_id: String,
        /// The keyword.
        keyword: String,
    },
    /// `disabled_rules` or an allowlist entry names a rule that does not exist.
    UnknownRule {
        /// The id.
        rule_id: String,
    },
    /// An allowlist entry is invalid.
    InvalidAllow {
        /// Index in `allowlist`.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// Building the keyword automaton failed.
    Keywords {
        /// The builder's message.
        message: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidRegex { rule_id, message } => {
                write!(f, "rule `{rule_id}`: invalid regex: {message}")
            }
            ConfigError::MissingSecretGroup { rule_id, group, groups } => write!(
                f,
                "rule `{rule_id}`: secret group {group} does not exist (the regex has {} capture groups)",
                groups.saturating_sub(1)
            ),
            ConfigError::InvalidRuleId { rule_id } => {
                write!(
                    f,
                    "rule `{rule_id}`: ids are kebab-case: lower-case letters, digits and single dashes"
                )
            }
            ConfigError::DuplicateRuleId { rule_id } => write!(f, "rule `{rule_id}`: id used twice"),
            ConfigError::InvalidKeyword { rule_id, keyword } => {
                write!(f, "rule `{rule_id}`: keyword {keyword:?} must be non-empty single-line ASCII")
            }
            ConfigError::UnknownRule { rule_id } => write!(f, "rule `{rule_id}`: no such rule"),
            ConfigError::InvalidAllow { index, message } => write!(f, "allowlist entry {index}: {message}"),
            ConfigError::Keywords { message } => write!(f, "keyword automaton: {message}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Whether `id` is kebab-case.
pub(crate) fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}
