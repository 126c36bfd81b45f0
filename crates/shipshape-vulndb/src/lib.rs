//! shipshape's vulnerability database.
//!
//! * [`store`]: a compact on-disk database of OSV records in a directory (by default
//!   `$XDG_CACHE_HOME/shipshape/db`), opened in milliseconds, looked up by
//!   `(ecosystem, package)`, record id or alias, and replaced atomically: a process killed at
//!   any moment of an import or update leaves the previous database usable.
//! * [`import`]: builds a database from OSV `all.zip` exports or directories of OSV JSON files,
//!   skipping (and counting) invalid and withdrawn records. Zip archives are read one record at
//!   a time by the bounded reader in [`zip`].
//! * [`update`] (feature `update`, on by default with `https`): downloads each ecosystem's
//!   `all.zip` from the OSV bucket or mirrors, with retries, `Retry-After`, and conditional
//!   requests so unchanged ecosystems are not downloaded again.
//! * [`lockfiles`]: parsers for the lockfiles and manifests of Rust, npm, Yarn, pnpm, Python,
//!   Go, Ruby and PHP projects, each package with the line that declares it.
//! * [`matching`]: packages matched against the database with exact version semantics
//!   ([`shipshape_vuln::record_affects`]), records that alias each other merged into one match.
//!
//! ```
//! use shipshape_vulndb::lockfiles::{self, LockfileKind};
//!
//! let lock = lockfiles::parse_kind(LockfileKind::RequirementsTxt, "requests==2.19.0\nflask>=2\n")?;
//! assert_eq!(lock.packages[0].name, "requests");
//! assert_eq!(lock.packages[0].line, 1);
//! assert_eq!(lock.unpinned[0].name, "flask");
//! # Ok::<(), shipshape_vulndb::lockfiles::LockfileError>(())
//! ```

#![warn(missing_docs)]

mod error;
pub mod import;
mod keys;
pub mod lockfiles;
pub mod matching;
pub mod progress;
pub mod store;
#[cfg(feature = "update")]
pub mod update;
pub mod zip;

pub use error::Error;
pub use import::{ImportOptions, import};
pub use keys::{normalize_ecosystem, normalize_name};
pub use lockfiles::{LockedPackage, Lockfile, LockfileKind};
pub use matching::{Match, MatchSeverity, match_packages};
pub use progress::{NoProgress, Progress, ProgressEvent};
pub use store::{Database, EcosystemStatus, FORMAT_VERSION, Status, Store, default_dir};
#[cfg(feature = "update")]
pub use update::{EcosystemOutcome, RetryPolicy, UpdateConfig, UpdateReport, update};
