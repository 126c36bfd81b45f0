//! Findings.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::rule::{RuleKind, SecretRule, Severity};
use sha2::{Digest, Sha256};

/// A custom rule's identity, as carried by its findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRuleInfo {
    /// The rule id.
    pub id: String,
    /// The rule title.
    pub title: String,
    /// The rule severity.
    pub severity: Severity,
}

/// The rule behind a finding: a built-in rule, or a custom one from the configuration.
#[derive(Clone)]
pub enum RuleRef {
    /// A rule of [`BUILTIN_RULES`](crate::BUILTIN_RULES).
    Builtin(&'static SecretRule),
    /// A [`CustomRule`](crate::CustomRule).
    Custom(Arc<CustomRuleInfo>),
}

impl RuleRef {
    /// The rule id.
    pub fn id(&self) -> &str {
        match self {
            RuleRef::Builtin(r) => r.id,
            RuleRef::Custom(c) => &c.id,
        }
    }

    /// The rule title.
    pub fn title(&self) -> &str {
        match self {
            RuleRef::Builtin(r) => r.title,
            RuleRef::Custom(c) if c.title.is_empty() => &c.id,
            RuleRef::Custom(c) => &c.title,
        }
    }

    /// The rule severity.
    pub fn severity(&self) -> Severity {
        match self {
            RuleRef::Builtin(r) => r.severity,
            RuleRef::Custom(c) => c.severity,
        }
    }

    /// The rule kind (custom rules count as vendor-specific).
    pub fn kind(&self) -> RuleKind {
        match self {
            RuleRef::Builtin(r) => r.kind,
            RuleRef::Custom(_) => RuleKind::Vendor,
        }
    }

    /// The built-in rule, if this is one.
    pub fn builtin(&self) -> Option<&'static SecretRule> {
        match self {
            RuleRef::Builtin(r) => Some(r),
            RuleRef::Custom(_) => None,
        }
    }
}

impl fmt::Debug for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id())
    }
}

impl PartialEq for RuleRef {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for RuleRef {}

/// A detected secret. It holds no copy of the secret: only its location, a redacted form and a
/// fingerprint, so `Debug`, `Display` and any serialisation a caller derives from it are safe
/// to log.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretMatch {
    /// The rule that matched.
    pub rule: RuleRef,
    /// Byte span of the secret itself in the scanned input.
    pub span: Range<usize>,
    /// Byte span of the whole rule match (keyword, assignment, …), which contains `span`.
    pub match_span: Range<usize>,
    /// 1-based line of the secret's first byte.
    pub line: usize,
    /// 1-based column of the secret's first byte, counted in **bytes** from the line start.
    pub column: usize,
    /// Shannon entropy of the secret (bits per byte), for rules that check entropy (the generic
    /// and context rules); `None` otherwise.
    pub entropy: Option<f64>,
    /// The secret looks like a documentation example or a filler (`AKIAIOSFODNN7EXAMPLE`,
    /// `EXAMPLE`, `XXXXXXXX`, `1234567890abcdef`, …). Callers usually drop such findings or
    /// lower their severity.
    pub is_example: bool,
    /// The secret with at most its first 4 characters (and at most a quarter of it) visible,
    /// the rest replaced by a fixed-length mask that does not reveal its length.
    pub redacted: String,
    /// First 16 hex digits of SHA-256(rule id, NUL, secret): stable across runs and inputs, and
    /// does not let anyone brute-force a short secret from a report.
    pub fingerprint: String,
}

impl SecretMatch {
    /// The secret's bytes in `input` (the input this match was found in).
    pub fn secret<'a>(&self, input: &'a [u8]) -> Option<&'a [u8]> {
        input.get(self.span.clone())
    }
}

impl fmt::Display for SecretMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} ({}) {} [{}]{}",
            self.line,
            self.column,
            self.rule.id(),
            self.rule.severity(),
            self.redacted,
            self.fingerprint,
            if self.is_example { " (example)" } else { "" }
        )
    }
}

/// The mask that replaces the hidden part of a secret.
const MASK: &str = "********";

/// Redacts `secret`: a visible prefix of at most 4 characters and at most a quarter of the
/// secret (none if it is not printable ASCII), then a fixed mask.
pub fn redact(secret: &[u8]) -> String {
    let visible = (secret.len() / 4).min(4);
    let prefix: String =
        secret.iter().take(visible).take_while(|b| b.is_ascii_graphic()).map(|&b| char::from(b)).collect();
    format!("{prefix}{MASK}")
}

/// The fingerprint of a secret found by rule `rule_id` (see [`SecretMatch::fingerprint`]).
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule_id.as_bytes());
    hasher.update([0]);
    hasher.update(secret);
    hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_bounds() {
        assert_eq!(
            redact(concat!("ghp", "_abcdefghijklmnopqrstuvwxyz0123456789").as_bytes()),
            "ghp_********"
        );
        assert_eq!(redact(b"hunter2xyz!"), "hu********");
        assert_eq!(redact(b"abc"), "********");
        assert_eq!(redact(b""), "********");
        assert_eq!(redact(b"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"), "********");
    }

    #[test]
    fn fingerprints_are_stable_and_rule_scoped() {
        assert_eq!(fingerprint("a", b"x"), fingerprint("a", b"x"));
        assert_ne!(fingerprint("a", b"x"), fingerprint("b", b"x"));
        assert_eq!(fingerprint("a", b"x").len(), 16);
        // SHA-256("a\0x").
        // SHA-256("a\0x"), first 8 bytes.
        assert_eq!(fingerprint("a", b"x"), "8b86bced10290476");
    }
}
