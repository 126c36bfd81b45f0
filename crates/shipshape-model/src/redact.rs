//! Redaction: secrets are never printed in full, in any output format.

/// Keeps a short prefix of a secret (at most 4 characters, and never more than a quarter of it)
/// and replaces the rest with `*`, capped at 8 stars so the length does not leak either.
pub fn redact(secret: &str) -> String {
    let chars = secret.chars().count();
    let keep = (chars / 4).min(4);
    let mut out: String = secret.chars().take(keep).collect();
    out.push_str(&"*".repeat((chars - keep).clamp(3, 8)));
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn keeps_at_most_a_quarter() {
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA********");
        assert_eq!(redact("abc"), "***");
        assert_eq!(redact(""), "***");
        assert!(!redact("hunter22").contains("hunter"));
    }
}
