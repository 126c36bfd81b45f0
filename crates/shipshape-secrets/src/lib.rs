//! Secret detection for shipshape: finds credentials (cloud keys, tokens, private keys,
//! passwords in URLs and assignments) in files, image layers, environment variables and
//! Kubernetes Secrets.
//!
//! # How it works
//!
//! 1. **Keyword prefilter.** Every rule declares lower-case keywords (`ghp_`, `akia`,
//!    `password`, …). One Aho-Corasick automaton, compiled to a dense DFA, finds all keyword
//!    hits (overlapping ones included) in a single pass over the input, lower-cased 64 KiB at a
//!    time into a bounded buffer, so the match is ASCII case-insensitive. The DFA scans four
//!    segments of each block in lockstep, which hides the latency of its table lookups. Text
//!    without any keyword is rejected at that speed, and no regex runs.
//! 2. **Windows.** Around each hit, a rule's regex runs only on a window: the hit's line (cut to
//!    [`MAX_LINE_WINDOW`] bytes on either side, so a 100 MB single-line file costs no more per
//!    hit than a short one) or a byte range for multi-line formats (PEM blocks, a secret near a
//!    context word). Overlapping windows of one rule are merged, so each byte is searched at
//!    most once per rule and the total work stays linear in the input.
//! 3. **Linear-time regexes.** Rules use regex-automata's meta engine: a lazy DFA finds matches,
//!    the one-pass DFA or the PikeVM extracts capture groups; no backtracking engine is compiled
//!    in. Rules whose secret is the whole match, and the generic assignment rules (split by
//!    hand), need no capture engine at all. Patterns are byte-oriented with ASCII classes;
//!    look-around assertions (`\b`, `^`, `$`) see the bytes outside the window.
//! 4. **Checks.** A candidate must pass the rule's entropy minimum and validator (JWT
//!    structure, base64 `user:password`, placeholder rejection, …). The generic
//!    `password = …` rules use [`entropy`] per charset and reject placeholders
//!    ([`is_placeholder`]).
//! 5. **Resolution.** Duplicates are removed; a vendor-specific finding hides overlapping
//!    family findings (URL credentials, private keys, JWTs), which hide overlapping generic
//!    ones. Allowlist entries drop findings. Documentation examples (`AKIAIOSFODNN7EXAMPLE`,
//!    `XXXXXXXX`, …) are kept with [`SecretMatch::is_example`] set ([`is_example`]).
//!
//! Binary content (a NUL byte or mostly invalid UTF-8 in the first [`SNIFF_LEN`] bytes) is
//! scanned only by the rules that target binaries: private keys and long prefixed tokens,
//! which survive compilation into executables; entropy-based rules would only produce noise.
//!
//! # Example
//!
//! ```
//! use shipshape_secrets::{Detector, DetectorConfig};
//!
//! let detector = Detector::new(DetectorConfig::default()).unwrap();
//! let text = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
//! let found = detector.scan(text.as_bytes());
//! assert_eq!(found[0].rule.id(), "aws-access-key-id");
//! assert!(found[0].is_example);
//! assert_eq!((found[0].line, found[0].column), (1, 21));
//!
//! let env = detector.scan_value(Some("DB_PASSWORD"), "hunter2xyz!");
//! assert_eq!(env[0].rule.id(), "generic-password");
//! assert!(!format!("{:?}", env[0]).contains("hunter2xyz!"));
//! ```
#![warn(missing_docs)]

mod base64;
mod builtin;
mod config;
mod engine;
pub mod entropy;
mod finding;
mod glob;
mod heuristics;
mod keywords;
mod rule;
mod validators;
pub mod vectors;

pub use base64::{Base64Error, decode as decode_base64, encode as encode_base64};
pub use builtin::BUILTIN_RULES;
pub use config::{Allow, ConfigError, CustomRule, DetectorConfig};
pub use engine::{
    Detector, LineTracker, MAX_LINE_WINDOW, READ_CHUNK, READ_OVERLAP, SNIFF_LEN, fill_buffer, is_binary,
};
pub use finding::{CustomRuleInfo, RuleRef, SecretMatch, fingerprint, redact};
pub use heuristics::{is_example, is_placeholder, is_template_or_marker};
pub use keywords::{KeywordHit, KeywordSet};
pub use rule::{Candidate, Extract, RuleKind, Scope, SecretRule, Severity, Validator};
