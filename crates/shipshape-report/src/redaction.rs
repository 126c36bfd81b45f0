//! Secret redaction shared by every renderer.
//!
//! For a finding of a [`Layer::Secrets`](shipshape_model::Layer::Secrets) rule, the text of its
//! primary span is the secret. Frames replace that span with [`redact()`]; free text written by
//! rules (message, help, labels, fix contents) is scrubbed of the secret in case a rule echoed it.

use crate::{SourceLookup, is_secret_rule};
use shipshape_model::{Finding, Span, redact};
use std::borrow::Cow;

/// Secrets shorter than this are only redacted in frames, not searched for in free text: a
/// two-letter "secret" would mangle every message that happens to contain those letters.
const MIN_SCRUB_LEN: usize = 4;

/// The secret of one finding: where it is, what it says, and what to show instead.
#[derive(Debug)]
pub(crate) struct Secret<'s> {
    /// Byte span in the source file, clamped to the text.
    pub(crate) span: Span,
    text: &'s str,
    /// What frames show where the secret starts.
    pub(crate) redacted: String,
}

/// What frames show for the part of a multi-line secret after its first line.
pub(crate) const CONTINUATION: &str = "********";

/// The secret of `finding`, if its rule is a secrets rule and its source is available.
pub(crate) fn secret_of<'s>(finding: &Finding, sources: &'s dyn SourceLookup) -> Option<Secret<'s>> {
    if !is_secret_rule(finding.rule) {
        return None;
    }
    let source = sources.source(&finding.location.path)?;
    let len = u32::try_from(source.text.len()).unwrap_or(u32::MAX);
    let start = finding.location.span.start.min(len);
    let end = finding.location.span.end.clamp(start, len);
    let span = Span::new(start, end);
    let text = source.slice(span);
    if text.is_empty() {
        return None;
    }
    Some(Secret { span, text, redacted: redact(text) })
}

impl Secret<'_> {
    /// `s` with every occurrence of the secret (and of each long line of a multi-line secret)
    /// replaced by its redaction.
    pub(crate) fn scrub<'t>(&self, s: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(s);
        if self.text.len() >= MIN_SCRUB_LEN && out.contains(self.text) {
            out = Cow::Owned(out.replace(self.text, &self.redacted));
        }
        if self.text.contains('\n') {
            for line in self.text.lines().map(str::trim) {
                if line.len() >= 2 * MIN_SCRUB_LEN && out.contains(line) {
                    out = Cow::Owned(out.replace(line, &redact(line)));
                }
            }
        }
        out
    }
}

/// [`Secret::scrub`] when there is a secret, `s` unchanged otherwise.
pub(crate) fn scrub<'t>(secret: Option<&Secret<'_>>, s: &'t str) -> Cow<'t, str> {
    match secret {
        Some(secret) => secret.scrub(s),
        None => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoSources;
    use shipshape_model::{Origin, SourceFile};

    shipshape_model::declare_rule! {
        /// ## What it does
        /// Test secret rule.
        static SECRET_RULE = {
            code: "SEC999", name: "test-secret", layer: Secrets, threat: SecretExposure,
            asset: Data, severity: High, fix: None, summary: "a secret", aliases: [],
        }
    }

    #[test]
    fn scrubs_messages_and_needs_the_source() {
        let text = "ENV TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n";
        let file = SourceFile::new("Dockerfile", text);
        let start = u32::try_from(text.find("ghp_").expect("token")).expect("small");
        let origin = Origin::new(file.path.clone(), Span::new(start, start + 40));
        let finding = Finding::new(&SECRET_RULE, &origin, "x");
        let sources = vec![file];
        let secret = secret_of(&finding, &sources).expect("a secret");
        let msg = "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked";
        let scrubbed = secret.scrub(msg);
        assert!(!scrubbed.contains("abcdefghijklmnop"), "{scrubbed}");
        assert!(scrubbed.contains("ghp_"), "{scrubbed}");
        assert!(secret_of(&finding, &NoSources).is_none());
    }
}
