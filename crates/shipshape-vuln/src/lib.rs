//! Vulnerability matching for shipshape.
//!
//! * [`version`]: exact version ordering for every OSV ecosystem family (dpkg, apk, rpm, PEP 440,
//!   SemVer, Maven, RubyGems, NuGet, Packagist, Pub, Hackage, CRAN), total on any input.
//! * [`osv`]: the OSV record model (schema 1.x) and its structural validation.
//! * [`affected`]: the OSV evaluation algorithm: is this package version affected by a record,
//!   and by which range, and what fixes it.
//! * [`cvss`]: CVSS v2, v3.0, v3.1 and v4.0 base scores from vector strings, and severity ratings.
//!
//! Nothing here does I/O or panics on input data.

#![warn(missing_docs)]

pub mod affected;
pub mod cvss;
pub mod osv;
pub mod version;

pub use affected::{AffectedMatch, MatchedBy, is_affected, record_affects};
pub use version::{Ecosystem, EcosystemFamily, ParsedEcosystem, Version, compare};
