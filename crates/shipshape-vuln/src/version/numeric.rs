//! Plain dotted-number versions: Hackage (Haskell's `Data.Version`) and CRAN (R's
//! `package_version`, where `-` separates like `.`).
//!
//! Components compare numerically; when one version runs out, the longer one is newer
//! (`1.0` < `1.0.0`). Components that are not numbers (invalid for both ecosystems) sort after
//! numbers and compare as text, so any input has a place.

use std::cmp::Ordering;

use super::text::{cmp_digits, is_digits};

/// A parsed dotted-number version; borrows the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumericVersion<'a> {
    components: Vec<&'a str>,
}

impl<'a> NumericVersion<'a> {
    /// Parses a Hackage version: components separated by `.`.
    pub fn parse_hackage(text: &'a str) -> Self {
        NumericVersion { components: text.trim().split('.').collect() }
    }

    /// Parses a CRAN version: components separated by `.` or `-`.
    pub fn parse_cran(text: &'a str) -> Self {
        NumericVersion { components: text.trim().split(['.', '-']).collect() }
    }

    /// Orders two versions.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        for (a, b) in self.components.iter().zip(&other.components) {
            let ordering = match (is_digits(a), is_digits(b)) {
                (true, true) => cmp_digits(a, b),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => a.cmp(b),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        self.components.len().cmp(&other.components.len())
    }
}
