//! Fingerprints: a finding's identity across unrelated edits of its file.
//!
//! A fingerprint is the FNV-1a 64-bit hash, as 16 hex digits, of
//!
//! 1. a format version (`v1`),
//! 2. the rule code,
//! 3. the path (with `/` separators and no leading `./`),
//! 4. the text of the finding's primary span with every run of whitespace collapsed to one space
//!    and the ends trimmed, or the text of its line when the span is empty (for a finding about
//!    another file than the one it was reported with, the message stands in for the text),
//! 5. an occurrence counter: 0 for the first finding with the same (code, path, text) in the file
//!    in position order, 1 for the second, ...
//!
//! each length-prefixed so fields cannot run into each other. Lines added or removed elsewhere,
//! other instructions edited, and re-indentation leave it unchanged; a different rule, file or
//! flagged text changes it. Messages are not hashed, so rewording a message keeps baselines valid.
//!
//! The hash is written here rather than taken from `std`, whose hasher is randomly seeded and
//! whose algorithm may change between releases.

use shipshape_model::{Finding, SourceFile};
use std::collections::HashMap;

const FORMAT_VERSION: &[u8] = b"v1";

/// FNV-1a, 64-bit: a small, stable, non-cryptographic hash.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a64(u64);

impl Fnv1a64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// A hasher with no input yet.
    pub const fn new() -> Self {
        Self(Self::OFFSET_BASIS)
    }

    /// Feeds raw bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// Feeds one field, prefixed by its length so that `("ab", "c")` and `("a", "bc")` differ.
    pub fn write_field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }

    /// The hash so far.
    pub const fn finish(self) -> u64 {
        self.0
    }
}

impl Default for Fnv1a64 {
    fn default() -> Self {
        Self::new()
    }
}

/// Collapses each run of whitespace to one space and trims both ends.
pub fn normalize_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The path as it enters the fingerprint: `/` separators, no leading `./`.
fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_owned()
}

/// The normalised text a finding is identified by (item 4 of the module documentation).
pub fn fingerprint_text(finding: &Finding, source: &SourceFile) -> String {
    let location = &finding.location;
    if location.path != source.path {
        return normalize_whitespace(&finding.message);
    }
    let text = if location.span.is_empty() {
        let line = source.line_index().line_of(location.span.start);
        source.line_text(line + 1)
    } else {
        source.slice(location.span)
    };
    normalize_whitespace(text)
}

/// Hashes the parts of a fingerprint into 16 lower-case hex digits.
pub fn fingerprint(code: &str, path: &str, text: &str, occurrence: u32) -> String {
    let mut hasher = Fnv1a64::new();
    hasher.write_field(FORMAT_VERSION);
    hasher.write_field(code.as_bytes());
    hasher.write_field(normalize_path(path).as_bytes());
    hasher.write_field(text.as_bytes());
    hasher.write_field(&occurrence.to_le_bytes());
    format!("{:016x}", hasher.finish())
}

/// Sets `fingerprint` on every finding reported with `source`, numbering identical keys in
/// position order. Pass all findings of the file together, before any are filtered out, so that
/// suppressing one does not renumber the others.
pub fn assign_fingerprints(findings: &mut [Finding], source: &SourceFile) {
    let texts: Vec<String> = findings.iter().map(|f| fingerprint_text(f, source)).collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&findings[a].location, &findings[b].location);
        (fa.span.start, fa.span.end).cmp(&(fb.span.start, fb.span.end)).then(a.cmp(&b))
    });
    let mut seen: HashMap<(&'static str, &str, &str), u32> = HashMap::new();
    let mut fingerprints = vec![String::new(); findings.len()];
    for index in order {
        let finding = &findings[index];
        let key = (finding.rule.code, &*finding.location.path, texts[index].as_str());
        let occurrence = seen.entry(key).or_insert(0);
        fingerprints[index] =
            fingerprint(finding.rule.code, &finding.location.path, &texts[index], *occurrence);
        *occurrence += 1;
    }
    for (finding, fingerprint) in findings.iter_mut().zip(fingerprints) {
        finding.fingerprint = fingerprint;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::tests::{LATEST_TAG, ROOT_USER};
    use shipshape_model::{Origin, RuleMeta, Span};

    /// Findings of `rule` at each occurrence of `needle` in `text`, fingerprinted.
    fn fingerprints_of(path: &str, text: &str, marks: &[(&'static RuleMeta, &str)]) -> Vec<String> {
        let source = SourceFile::new(path, text);
        let mut findings: Vec<Finding> = marks
            .iter()
            .map(|(rule, needle)| {
                let start = text.find(needle).unwrap();
                let span = Span::from_range(start..start + needle.len());
                Finding::new(rule, &Origin::new(source.path.clone(), span), "msg")
            })
            .collect();
        assign_fingerprints(&mut findings, &source);
        findings.into_iter().map(|f| f.fingerprint).collect()
    }

    #[test]
    fn fnv1a_matches_reference_vectors() {
        let hash = |s: &str| {
            let mut h = Fnv1a64::new();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fields_do_not_run_together() {
        assert_ne!(fingerprint("PRV001", "ab", "c", 0), fingerprint("PRV001", "a", "bc", 0));
    }

    #[test]
    fn fingerprint_is_sixteen_hex_digits_and_pinned() {
        let fp = fingerprint("PRV001", "Dockerfile", "USER root", 0);
        assert_eq!(fp.len(), 16);
        assert!(fp.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        // Pinned: changing the algorithm invalidates every stored baseline.
        assert_eq!(fp, fingerprint("PRV001", "./Dockerfile", "USER root", 0));
        assert_eq!(fp, "8e7c5c324a724193");
    }

    const BEFORE: &str = "FROM debian:12\nRUN apt-get update\nUSER root\n";

    #[test]
    fn stable_when_lines_are_added_above() {
        let before = fingerprints_of("Dockerfile", BEFORE, &[(&ROOT_USER, "USER root")]);
        let after = fingerprints_of(
            "Dockerfile",
            "# syntax=docker/dockerfile:1\nFROM debian:12\n\n# refresh\nRUN apt-get update\nUSER root\n",
            &[(&ROOT_USER, "USER root")],
        );
        assert_eq!(before, after);
    }

    #[test]
    fn stable_when_other_instructions_change() {
        let before = fingerprints_of("Dockerfile", BEFORE, &[(&ROOT_USER, "USER root")]);
        let after = fingerprints_of(
            "Dockerfile",
            "FROM debian:12.5\nRUN apt-get update && apt-get install -y curl\nUSER root\n",
            &[(&ROOT_USER, "USER root")],
        );
        assert_eq!(before, after);
    }

    #[test]
    fn stable_when_whitespace_of_the_line_changes() {
        let before = fingerprints_of("Dockerfile", BEFORE, &[(&ROOT_USER, "USER root")]);
        let after = fingerprints_of(
            "Dockerfile",
            "FROM debian:12\nRUN apt-get update\n\t  USER   root  \n",
            &[(&ROOT_USER, "USER   root")],
        );
        assert_eq!(before, after);
    }

    #[test]
    fn differs_for_content_rule_and_file() {
        let base = fingerprints_of("Dockerfile", BEFORE, &[(&ROOT_USER, "USER root")]);
        let content = fingerprints_of("Dockerfile", "FROM debian:12\nUSER 0\n", &[(&ROOT_USER, "USER 0")]);
        let rule = fingerprints_of("Dockerfile", BEFORE, &[(&LATEST_TAG, "USER root")]);
        let file = fingerprints_of("svc/Dockerfile", BEFORE, &[(&ROOT_USER, "USER root")]);
        assert_ne!(base, content);
        assert_ne!(base, rule);
        assert_ne!(base, file);
    }

    #[test]
    fn identical_findings_are_numbered_in_position_order() {
        let text = "FROM a\nUSER root\nFROM b\nUSER root\n";
        let source = SourceFile::new("Dockerfile", text);
        let second = text.rfind("USER root").unwrap();
        let make = |start: usize| {
            let span = Span::from_range(start..start + 9);
            Finding::new(&ROOT_USER, &Origin::new(source.path.clone(), span), "m")
        };
        // Given out of order, they are still numbered by position.
        let mut findings = vec![make(second), make(7)];
        assign_fingerprints(&mut findings, &source);
        assert_ne!(findings[0].fingerprint, findings[1].fingerprint);
        assert_eq!(findings[1].fingerprint, fingerprint("PRV001", "Dockerfile", "USER root", 0));
        assert_eq!(findings[0].fingerprint, fingerprint("PRV001", "Dockerfile", "USER root", 1));
    }

    #[test]
    fn empty_span_uses_its_line_and_foreign_paths_use_the_message() {
        let source = SourceFile::new("Dockerfile", "FROM a\n  USER root\n");
        let mut findings = vec![
            Finding::new(&ROOT_USER, &Origin::new(source.path.clone(), Span::empty_at(9)), "m"),
            Finding::new(&ROOT_USER, &Origin::new("compose.yaml".into(), Span::new(0, 3)), "runs  as\nroot"),
        ];
        assert_eq!(fingerprint_text(&findings[0], &source), "USER root");
        assert_eq!(fingerprint_text(&findings[1], &source), "runs as root");
        assign_fingerprints(&mut findings, &source);
        assert_eq!(findings[0].fingerprint, fingerprint("PRV001", "Dockerfile", "USER root", 0));
        assert_eq!(findings[1].fingerprint, fingerprint("PRV001", "compose.yaml", "runs as root", 0));
    }
}
