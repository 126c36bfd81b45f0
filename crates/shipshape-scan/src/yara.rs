//! YARA rules (`--yara-rules DIR`), run over the raw bytes of every file a scan reads and every
//! regular file of every image layer; each match becomes a `SUP115` finding.
//!
//! The pipeline sees rules through [`Scanner`], so it does not depend on the engine; the
//! engine, [`YaraRules`] on yara-x, is compiled in with the `yara` feature only (yara-x
//! compiles rules to WebAssembly run by wasmtime: a long cold build).

use shipshape_model::{Finding, Origin, RuleMeta, Severity, Span};
use shipshape_rules::{RuleSettings, YaraMatch};
use std::ops::Range;
use std::sync::Arc;

/// Finds which rules match some bytes. Compiled once, shared by every job of a scan.
pub trait Scanner: Send + Sync + std::fmt::Debug {
    /// The rules matching `bytes`, in rule order.
    fn scan(&self, bytes: &[u8]) -> Vec<RuleMatch>;
}

/// One rule matching one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// The first match of the rule's strings (empty at 0 when the condition matched without
    /// strings).
    pub span: Range<usize>,
    /// The rule's identifier.
    pub rule: String,
    /// Its namespace: the rule file it came from.
    pub namespace: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its `description` meta.
    pub description: Option<String>,
    /// Its `severity` meta, when that names a severity.
    pub severity: Option<Severity>,
}

/// A severity named by a rule's `severity` meta (`critical`, `high`, `medium`, `low`, `info`,
/// any case).
pub fn severity_named(name: &str) -> Option<Severity> {
    match name.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "medium" | "moderate" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        "info" | "informational" => Some(Severity::Info),
        _ => None,
    }
}

/// `SUP115` findings for the rules matching `bytes`, the content of the document `path` (whose
/// text has the same byte offsets).
pub fn findings(
    scanner: &dyn Scanner,
    path: &Arc<str>,
    bytes: &[u8],
    settings: &RuleSettings,
    is_enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Finding> {
    if !shipshape_rules::checkers::yara_rules().any(is_enabled) {
        return Vec::new();
    }
    findings_of(scanner.scan(bytes), path, settings, is_enabled)
}

/// `SUP115` findings for rule matches in the document `path`.
pub fn findings_of(
    matches: Vec<RuleMatch>,
    path: &Arc<str>,
    settings: &RuleSettings,
    is_enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Finding> {
    let mut checker = shipshape_rules::Checker::new(settings, is_enabled);
    let matches: Vec<YaraMatch> = matches
        .into_iter()
        .map(|m| YaraMatch {
            origin: Origin::new(path.clone(), Span::from_range(m.span)),
            rule: m.rule,
            namespace: m.namespace,
            tags: m.tags,
            description: m.description,
            severity: m.severity,
        })
        .collect();
    shipshape_rules::checkers::check_yara(&matches, &mut checker);
    checker.into_findings()
}

#[cfg(feature = "yara")]
pub use engine::{YaraError, YaraRules};

#[cfg(feature = "yara")]
mod engine {
    use super::{RuleMatch, Scanner, severity_named};
    use std::path::{Path, PathBuf};

    /// Why rules could not be compiled.
    #[derive(Debug, thiserror::Error)]
    pub enum YaraError {
        #[error("cannot read {path}: {message}")]
        Io { path: PathBuf, message: String },
        #[error("no YARA rule files (`*.yar`, `*.yara`) in {dir}")]
        Empty { dir: PathBuf },
        #[error("{path}: {message}")]
        Compile { path: PathBuf, message: String },
    }

    /// YARA rules compiled by yara-x.
    pub struct YaraRules {
        rules: yara_x::Rules,
        files: usize,
    }

    impl std::fmt::Debug for YaraRules {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("YaraRules").field("files", &self.files).finish_non_exhaustive()
        }
    }

    impl YaraRules {
        /// Compiles every `*.yar` and `*.yara` file of `dir` (not recursing), each in a
        /// namespace named after its file, so rules of different files may share names. The
        /// first file that does not compile is the error, with yara-x's report (line and
        /// column included).
        pub fn compile_dir(dir: &Path) -> Result<YaraRules, YaraError> {
            let io = |path: &Path, e: std::io::Error| YaraError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            };
            let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| io(dir, e))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|x| x.eq_ignore_ascii_case("yar") || x.eq_ignore_ascii_case("yara"))
                })
                .collect();
            paths.sort();
            if paths.is_empty() {
                return Err(YaraError::Empty { dir: dir.to_path_buf() });
            }
            let mut compiler = yara_x::Compiler::new();
            for path in &paths {
                let source = std::fs::read(path).map_err(|e| io(path, e))?;
                let namespace =
                    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                compiler.new_namespace(&namespace);
                let code =
                    yara_x::SourceCode::from(source.as_slice()).with_origin(path.display().to_string());
                compiler
                    .add_source(code)
                    .map_err(|e| YaraError::Compile { path: path.clone(), message: e.to_string() })?;
            }
            Ok(YaraRules { rules: compiler.build(), files: paths.len() })
        }

        /// How many rule files were compiled.
        pub fn files(&self) -> usize {
            self.files
        }
    }

    impl Scanner for YaraRules {
        fn scan(&self, bytes: &[u8]) -> Vec<RuleMatch> {
            let mut scanner = yara_x::Scanner::new(&self.rules);
            // A scan fails only on a timeout or a module error; the file then has no matches.
            let Ok(results) = scanner.scan(bytes) else { return Vec::new() };
            results
                .matching_rules()
                .map(|rule| {
                    let span = rule
                        .patterns()
                        .flat_map(|p| p.matches().map(|m| m.range()).collect::<Vec<_>>())
                        .min_by_key(|r| (r.start, r.end))
                        .unwrap_or(0..0);
                    let mut description = None;
                    let mut severity = None;
                    for (key, value) in rule.metadata() {
                        if let yara_x::MetaValue::String(text) = value {
                            match key {
                                "description" => description = Some(text.to_owned()),
                                "severity" => severity = severity_named(text),
                                _ => {}
                            }
                        }
                    }
                    RuleMatch {
                        span,
                        rule: rule.identifier().to_owned(),
                        namespace: rule.namespace().to_owned(),
                        tags: rule.tags().map(|t| t.identifier().to_owned()).collect(),
                        description,
                        severity,
                    }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Fixed(Vec<RuleMatch>);

    impl Scanner for Fixed {
        fn scan(&self, _: &[u8]) -> Vec<RuleMatch> {
            self.0.clone()
        }
    }

    #[test]
    fn matches_become_findings_at_their_bytes_when_enabled() {
        let scanner = Fixed(vec![RuleMatch {
            span: 4..9,
            rule: "r".into(),
            namespace: "a.yar".into(),
            tags: Vec::new(),
            description: None,
            severity: severity_named("CRITICAL"),
        }]);
        let path: Arc<str> = Arc::from("img!/layer-0/bin/x");
        let settings = RuleSettings::default();
        let found = findings(&scanner, &path, b"....match", &settings, &|_| true);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule.code, "SUP115");
        assert_eq!(found[0].severity, Severity::Critical);
        assert_eq!(found[0].location.span, Span::new(4, 9));
        assert!(findings(&scanner, &path, b"", &settings, &|r| r.code != "SUP115").is_empty());
        assert_eq!(severity_named("bogus"), None);
    }
}
