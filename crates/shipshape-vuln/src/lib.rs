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
//!
//! ```
//! use std::cmp::Ordering;
//! use shipshape_vuln::version::{EcosystemFamily, ParsedEcosystem, compare};
//!
//! let debian = ParsedEcosystem::parse("Debian:12");
//! assert_eq!(debian.family(), Some(EcosystemFamily::Dpkg));
//! assert_eq!(compare(EcosystemFamily::Dpkg, "1.2.3-1~deb12u1", "1.2.3-1"), Ordering::Less);
//!
//! let scored = shipshape_vuln::cvss::score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
//! assert_eq!((scored.score, scored.severity().as_str()), (9.8, "CRITICAL"));
//! ```

#![warn(missing_docs)]

pub mod affected;
pub mod cvss;
pub mod osv;
pub mod version;

pub use affected::{AffectedMatch, MatchedBy, is_affected, record_affects};
pub use version::{Ecosystem, EcosystemFamily, ParsedEcosystem, Version, compare};
