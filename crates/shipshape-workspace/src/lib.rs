//! Configuration, suppressions, baselines and the findings sink.
//!
//! Everything between "a rule reported something" and "the report shows it":
//!
//! - [`config`]: `shipshape.toml`, validated with spans, every problem a `CONFIG_ERROR` finding;
//! - [`resolve`]: which `shipshape.toml` covers which target;
//! - [`hadolint`]: `trustedRegistries` of a `.hadolint.yaml` beside a `shipshape.toml`;
//! - [`selection`]: `select`/`ignore` lists with ruff's precedence;
//! - [`suppress`]: inline pragmas (`# shipshape: ignore=...`, hadolint, Checkov);
//! - [`fingerprint`]: identities that survive unrelated edits;
//! - [`baseline`]: accept today's findings, report only new ones;
//! - [`sink`]: applies all of the above to each file's findings;
//! - [`Date`] (from `shipshape-model`): the calendar day, for `expires`.
//!
//! # Example
//!
//! ```no_run
//! use shipshape_model::{Finding, SourceFile};
//! use shipshape_workspace::{ConfigResolver, Date, FileInput, Sink, sort_findings};
//! use std::path::Path;
//!
//! # fn rules() -> Vec<&'static shipshape_model::RuleMeta> { Vec::new() }
//! # fn check(_: &SourceFile) -> (Vec<Finding>, Vec<shipshape_workspace::ScopedPragma>) { (Vec::new(), Vec::new()) }
//! let rules = rules(); // every registered rule, GEN rules included
//! let resolver = ConfigResolver::discover(&rules, std::env::current_dir()?);
//! let sink = Sink::new(&rules, Date::today());
//! let mut findings = Vec::new();
//! for path in ["Dockerfile", "svc/Dockerfile"] {
//!     let source = SourceFile::new(path, std::fs::read_to_string(path)?);
//!     let config = resolver.for_file(Path::new(path));
//!     let (raw, pragmas) = check(&source); // front end + rules
//!     let outcome = sink.process(FileInput {
//!         source: &source,
//!         fs_path: Some(Path::new(path)),
//!         config: &config,
//!         findings: raw,
//!         pragmas,
//!     });
//!     findings.extend(outcome.findings);
//! }
//! let end = sink.finish();
//! findings.extend(end.findings);
//! sort_findings(&mut findings);
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod baseline;
pub mod config;
mod distance;
pub mod fingerprint;
pub mod hadolint;
pub mod resolve;
pub mod selection;
pub mod sink;
pub mod suppress;

pub use baseline::{Baseline, BaselineEntry, BaselineError, write_baseline};
pub use config::{Config, ConfigError, PathIgnore, SeverityOverride};
pub use distance::nearest;
pub use resolve::ConfigResolver;
pub use selection::{RuleSelection, Selector, UnknownSelector};
pub use shipshape_model::date::{Date, DateError};
pub use sink::{Counts, FileInput, FileOutcome, ScanOutcome, Sink, sort_findings};
pub use suppress::{Pragma, PragmaCode, PragmaError, PragmaScope, PragmaTool, ScopedPragma, parse_pragma};

use shipshape_model::RuleMeta;
use shipshape_model::general::{CONFIG_ERROR, EXPIRED_IGNORE};

/// Whether findings of `rule` pass every filter: `config-error` and `expired-ignore` cannot be
/// disabled, suppressed inline, ignored by path or hidden by a baseline, so nothing can hide that
/// the configuration is broken or that an accepted risk needs a new decision.
pub fn is_unsuppressible(rule: &RuleMeta) -> bool {
    *rule == CONFIG_ERROR || *rule == EXPIRED_IGNORE
}
