//! Baselines: accept today's findings, report only new ones.
//!
//! # Format (version 1)
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {
//!       "fingerprint": "5d0f1c3e8a7b6c21",
//!       "code": "PRV001",
//!       "path": "Dockerfile",
//!       "message": "the final stage runs as root"
//!     }
//!   ]
//! }
//! ```
//!
//! Only `fingerprint` decides whether a finding is known (see [`crate::fingerprint`]); `code`,
//! `path` and `message` are there for people reviewing the file. Entries are sorted by path,
//! code and fingerprint, and no line numbers are stored, so re-writing a baseline after
//! unrelated edits changes nothing. Unknown fields are ignored.
//!
//! `config-error` and `expired-ignore` findings are never written to nor filtered by a baseline:
//! a baseline must not hide that the configuration itself is broken or that an exception ran out.

use serde::{Deserialize, Serialize};
use shipshape_model::Finding;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The baseline format this version reads and writes.
pub const BASELINE_VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Its rule code, for people.
    pub code: String,
    /// Its path, for people.
    pub path: String,
    /// Its message, for people.
    pub message: String,
}

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    #[serde(default)]
    findings: Vec<BaselineEntry>,
}

#[derive(Deserialize)]
struct VersionOnly {
    version: Option<serde_json::Value>,
}

/// Loading a baseline failed.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read baseline {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid baseline.
    #[error("{}:{line}:{column}: invalid baseline: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file was written by an incompatible version of shipshape.
    #[error("{}: baseline version {found} is not supported (expected {BASELINE_VERSION}); write it again with this version of shipshape", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version it declares.
        found: String,
    },
}

/// A loaded baseline: the fingerprints of accepted findings.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    entries: Vec<BaselineEntry>,
    fingerprints: HashSet<String>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| BaselineError::Read { path: path.to_path_buf(), source })?;
        Baseline::parse(&text, path)
    }

    /// Parses baseline JSON; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
        let invalid = |err: serde_json::Error| BaselineError::Invalid {
            path: path.to_path_buf(),
            line: err.line(),
            column: err.column(),
            message: strip_position(&err.to_string()),
        };
        // Check the version before the shape, so a newer format gets a version error rather
        // than a confusing field error.
        let version: VersionOnly = serde_json::from_str(text).map_err(invalid)?;
        match version.version {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(BASELINE_VERSION)) => {}
            Some(other) => {
                return Err(BaselineError::Version { path: path.to_path_buf(), found: other.to_string() });
            }
            None => {
                return Err(BaselineError::Invalid {
                    path: path.to_path_buf(),
                    line: 1,
                    column: 1,
                    message: "missing field `version`".into(),
                });
            }
        }
        let file: BaselineFile = serde_json::from_str(text).map_err(invalid)?;
        let fingerprints = file.findings.iter().map(|e| e.fingerprint.clone()).collect();
        Ok(Baseline { entries: file.findings, fingerprints })
    }

    /// Whether a finding with this fingerprint was accepted.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// The entries as stored.
    pub fn entries(&self) -> &[BaselineEntry] {
        &self.entries
    }

    /// How many distinct fingerprints it holds.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

/// serde_json appends " at line L column C", which the error already shows in front.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Writes `findings` (fingerprinted, e.g. as returned by the sink without a baseline) as a
/// baseline: pretty JSON ending in a newline, one entry per distinct fingerprint, sorted by path,
/// code and fingerprint. `config-error` and `expired-ignore` findings are left out.
pub fn write_baseline<'f>(
    findings: impl IntoIterator<Item = &'f Finding>,
    mut writer: impl Write,
) -> std::io::Result<()> {
    let mut entries: Vec<BaselineEntry> = findings
        .into_iter()
        .filter(|f| !crate::is_unsuppressible(f.rule) && !f.fingerprint.is_empty())
        .map(|f| BaselineEntry {
            fingerprint: f.fingerprint.clone(),
            code: f.rule.code.to_owned(),
            path: f.location.path.to_string(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.code, &a.fingerprint, &a.message).cmp(&(&b.path, &b.code, &b.fingerprint, &b.message))
    });
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let file = BaselineFile { version: BASELINE_VERSION, findings: entries };
    serde_json::to_writer_pretty(&mut writer, &file)?;
    writer.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::tests::{LATEST_TAG, ROOT_USER};
    use shipshape_model::general::{CONFIG_ERROR, EXPIRED_IGNORE};
    use shipshape_model::{Origin, RuleMeta, Span};

    fn finding(rule: &'static RuleMeta, path: &str, fingerprint: &str) -> Finding {
        let mut f =
            Finding::new(rule, &Origin::new(path.into(), Span::new(0, 1)), format!("{} here", rule.name));
        f.fingerprint = fingerprint.into();
        f
    }

    fn written(findings: &[Finding]) -> String {
        let mut out = Vec::new();
        write_baseline(findings, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_sorted_deduplicated_entries() {
        let findings = [
            finding(&ROOT_USER, "svc/Dockerfile", "00000000000000bb"),
            finding(&LATEST_TAG, "Dockerfile", "00000000000000cc"),
            finding(&ROOT_USER, "Dockerfile", "00000000000000aa"),
            finding(&ROOT_USER, "Dockerfile", "00000000000000aa"),
            finding(&CONFIG_ERROR, "shipshape.toml", "00000000000000dd"),
            finding(&EXPIRED_IGNORE, "shipshape.toml", "00000000000000ee"),
        ];
        let json = written(&findings);
        assert_eq!(
            json,
            r#"{
  "version": 1,
  "findings": [
    {
      "fingerprint": "00000000000000cc",
      "code": "IMG001",
      "path": "Dockerfile",
      "message": "latest-tag here"
    },
    {
      "fingerprint": "00000000000000aa",
      "code": "PRV001",
      "path": "Dockerfile",
      "message": "root-user here"
    },
    {
      "fingerprint": "00000000000000bb",
      "code": "PRV001",
      "path": "svc/Dockerfile",
      "message": "root-user here"
    }
  ]
}
"#
        );
        // Input order does not matter.
        let mut reversed = findings.clone();
        reversed.reverse();
        assert_eq!(written(&reversed), json);
    }

    #[test]
    fn round_trips() {
        let findings =
            [finding(&ROOT_USER, "Dockerfile", "1111"), finding(&LATEST_TAG, "a/Dockerfile", "2222")];
        let baseline = Baseline::parse(&written(&findings), Path::new("b.json")).unwrap();
        assert_eq!(baseline.len(), 2);
        assert!(baseline.contains("1111") && baseline.contains("2222"));
        assert!(!baseline.contains("3333"));
        assert_eq!(baseline.entries()[0].code, "PRV001");
        assert!(Baseline::parse(&written(&[]), Path::new("b.json")).unwrap().is_empty());
    }

    #[test]
    fn load_reads_a_file_and_names_it_on_failure() {
        let dir = std::env::temp_dir().join(format!("shipshape-baseline-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("baseline.json");
        std::fs::write(&path, written(&[finding(&ROOT_USER, "Dockerfile", "abcd")])).unwrap();
        assert!(Baseline::load(&path).unwrap().contains("abcd"));
        let missing = dir.join("missing.json");
        let err = Baseline::load(&missing).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!("cannot read baseline {}: ", missing.display())),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_carry_path_line_and_column() {
        let path = Path::new("ci/baseline.json");
        let err = Baseline::parse(
            "{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\": 7}\n  ]\n}",
            path,
        )
        .unwrap_err();
        match &err {
            BaselineError::Invalid { line, column, .. } => assert_eq!((*line, *column), (4, 21)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "ci/baseline.json:4:21: invalid baseline: invalid type: integer `7`, expected a string"
        );

        let err = Baseline::parse("{\"version\": 1, \"findings\": [}", path).unwrap_err();
        assert!(matches!(err, BaselineError::Invalid { line: 1, .. }), "{err:?}");

        let err = Baseline::parse("{\"findings\": []}", path).unwrap_err();
        assert_eq!(err.to_string(), "ci/baseline.json:1:1: invalid baseline: missing field `version`");

        let err = Baseline::parse("{\"version\": 2, \"results\": {}}", path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ci/baseline.json: baseline version 2 is not supported (expected 1); write it again with this version of shipshape"
        );
    }

    #[test]
    fn ignores_unknown_fields() {
        let text = r#"{"version": 1, "generator": "x", "findings": [{"fingerprint": "f", "code": "PRV001", "path": "D", "message": "m", "note": "ok"}]}"#;
        assert!(Baseline::parse(text, Path::new("b.json")).unwrap().contains("f"));
    }
}
