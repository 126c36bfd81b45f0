//! The shipshape rule set.
//!
//! Each rule is one file under a folder named for its defence layer (`privilege/prv001_root_user.rs`):
//! its metadata and documentation (a [`declare_rule!`](shipshape_model::declare_rule) static) and a pure
//! `check` over one model type. [`codes`] is the one registry of every code; the [`checkers`] walk
//! each model value once and call the enabled rules; [`checkers::image_ref`] holds the rules for
//! every place an image is named, whatever the platform. [`typosquat`] and [`eol`] hold the
//! bundled data those rules read (`resources/known-images.txt`, `resources/eol.txt`, see
//! `resources/PROVENANCE.md`), parsed once; Dockerfile rules about how the file is
//! written (casing, order, legacy forms, stage references) read its syntax tree through
//! [`checkers::check_dockerfile`]; the others read the lowered `ImageSpec`, so built images'
//! configurations get them too.

pub mod checkers;
pub mod codes;
pub mod context;
mod describe;
pub mod docs;
pub mod eol;
mod image;
mod isolation;
mod monitoring;
mod network;
pub mod pod_security;
mod privilege;
mod secrets;
mod shell;
mod supply_chain;
pub mod typosquat;

pub use codes::{ALL_RULES, rule_by_code};
pub use context::{Checker, RuleSettings};
pub use supply_chain::sup100_vulnerable_package::{VULNERABLE_PACKAGE, VulnerablePackage};
pub use supply_chain::sup101_malicious_package::is_malicious_id;
pub use supply_chain::sup115_yara_rule_match::YaraMatch;
