//! SemVer-style versions: npm, crates.io, Go modules (leading `v`), Hex, and the NuGet and Pub
//! variants.
//!
//! Parsing is lenient so that any text has a place: an optional leading `v`, then dot-separated
//! numeric components (any count, any size; missing ones are 0), then a tail. The tail up to
//! the first `+` is the pre-release (one leading `-` dropped); everything after `+` is build
//! metadata. A version without a pre-release is newer than one with; pre-release identifiers
//! compare numerically when both are digits, as ASCII text otherwise, a numeric identifier
//! being older than text, and more identifiers newer when all shared ones are equal.
//!
//! * [`SemverFlavor::SemVer`] ignores build metadata (`1.0.0+a` = `1.0.0+b`).
//! * [`SemverFlavor::NuGet`] compares pre-release labels case-insensitively and ignores metadata.
//! * [`SemverFlavor::Pub`] orders equal versions by their build metadata as text
//!   (`1.0.0` < `1.0.0+1` < `1.0.0+2`).

use std::cmp::Ordering;

use super::text::{cmp_digits, cmp_ignore_ascii_case, is_digits, split_at};

/// Which SemVer dialect to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SemverFlavor {
    /// Semantic Versioning 2.0 (npm, crates.io, Go, Hex and others).
    SemVer,
    /// NuGet: case-insensitive pre-release labels, build metadata ignored.
    NuGet,
    /// Dart's Pub: build metadata orders otherwise equal versions.
    Pub,
}

/// A parsed SemVer-style version; borrows the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemverVersion<'a> {
    components: Vec<&'a str>,
    prerelease: &'a str,
    build: &'a str,
}

impl<'a> SemverVersion<'a> {
    /// Parses any text.
    pub fn parse(text: &'a str) -> Self {
        let body = text.strip_prefix('v').unwrap_or(text);
        let mut components = Vec::with_capacity(3);
        let mut tail = "";
        let mut run_start: Option<usize> = None;
        for (index, byte) in body.bytes().enumerate() {
            if byte.is_ascii_digit() {
                run_start.get_or_insert(index);
                continue;
            }
            if let Some(start) = run_start.take() {
                components.push(body.get(start..index).unwrap_or(""));
            }
            if byte != b'.' {
                tail = split_at(body, index).1;
                break;
            }
        }
        if tail.is_empty()
            && let Some(start) = run_start
        {
            components.push(split_at(body, start).1);
        }
        let (prerelease, build) = tail.split_once('+').unwrap_or((tail, ""));
        let prerelease = prerelease.strip_prefix('-').unwrap_or(prerelease);
        SemverVersion { components, prerelease, build }
    }

    /// The pre-release label, without its leading `-`.
    pub fn prerelease(&self) -> &'a str {
        self.prerelease
    }

    /// Orders two versions in the given dialect.
    pub fn cmp_version(&self, other: &Self, flavor: SemverFlavor) -> Ordering {
        cmp_components(&self.components, &other.components)
            .then_with(|| cmp_prerelease(self.prerelease, other.prerelease, flavor == SemverFlavor::NuGet))
            .then_with(|| match flavor {
                SemverFlavor::Pub => self.build.cmp(other.build),
                SemverFlavor::SemVer | SemverFlavor::NuGet => Ordering::Equal,
            })
    }
}

/// Numeric components, the shorter list padded with zeros.
pub(crate) fn cmp_components(a: &[&str], b: &[&str]) -> Ordering {
    for index in 0..a.len().max(b.len()) {
        let ordering = cmp_digits(a.get(index).copied().unwrap_or(""), b.get(index).copied().unwrap_or(""));
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

fn cmp_prerelease(a: &str, b: &str, ignore_case: bool) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        let (x, y) = match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => (x, y),
        };
        let ordering = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) if ignore_case => cmp_ignore_ascii_case(x, y),
            (false, false) => x.cmp(y),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str, flavor: SemverFlavor) -> Ordering {
        SemverVersion::parse(a).cmp_version(&SemverVersion::parse(b), flavor)
    }

    #[test]
    fn precedence_example_from_the_spec() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(cmp(pair[0], pair[1], SemverFlavor::SemVer), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn go_pseudo_versions_and_leading_v() {
        assert_eq!(
            cmp(
                "v0.0.0-20200101000000-abcdef123456",
                "v0.0.0-20210101000000-abcdef123456",
                SemverFlavor::SemVer
            ),
            Ordering::Less
        );
        assert_eq!(cmp("v1.2.3", "1.2.3", SemverFlavor::SemVer), Ordering::Equal);
        assert_eq!(cmp("1.2.3+a", "1.2.3+b", SemverFlavor::SemVer), Ordering::Equal);
        assert_eq!(cmp("1.2.3+a", "1.2.3+b", SemverFlavor::Pub), Ordering::Less);
        assert_eq!(cmp("1.0.0-RC1", "1.0.0-rc1", SemverFlavor::NuGet), Ordering::Equal);
        assert_eq!(cmp("1.0", "1.0.0.0", SemverFlavor::NuGet), Ordering::Equal);
    }
}
