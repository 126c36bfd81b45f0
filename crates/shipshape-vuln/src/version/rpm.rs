//! RPM package versions (Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE, Mageia, openEuler,
//! Photon OS, Azure Linux), ordered with `rpmvercmp`.
//!
//! A version is `[epoch:]version[-release]`. The epoch is the text before the first colon when
//! that text is all digits (`a:1` has no epoch), and the release is the text after the first
//! hyphen. Epoch, version and release are compared in turn with `rpmvercmp`: runs of digits
//! compare numerically, runs of letters as text, a digit run is newer than a letter run,
//! `~` sorts before everything (even the end) and `^` after the end but before anything else.
//! A version with a release is newer than the same version without one.

use std::cmp::Ordering;

use super::text::{is_digits, take_run};

/// A parsed RPM version; borrows the text it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpmVersion<'a> {
    epoch: &'a str,
    version: &'a str,
    release: Option<&'a str>,
}

impl<'a> RpmVersion<'a> {
    /// Parses any text.
    pub fn parse(text: &'a str) -> Self {
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch, rest)) if epoch.is_empty() || is_digits(epoch) => (epoch, rest),
            _ => ("", text),
        };
        let epoch = if epoch.is_empty() { "0" } else { epoch };
        let (version, release) = match rest.split_once('-') {
            Some((version, release)) => (version, Some(release)),
            None => (rest, None),
        };
        RpmVersion { epoch, version, release }
    }

    /// Orders two versions as `rpm` does.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        cmp_part(self.epoch, other.epoch).then_with(|| cmp_part(self.version, other.version)).then_with(
            || match (self.release, other.release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => rpmvercmp(a, b),
            },
        )
    }
}

/// An empty part is older than any non-empty one; otherwise `rpmvercmp`.
fn cmp_part(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => rpmvercmp(a, b),
    }
}

fn is_separator(byte: u8) -> bool {
    !byte.is_ascii_alphanumeric() && byte != b'~' && byte != b'^'
}

/// `rpmvercmp` over bytes (non-ASCII bytes are separators).
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        a = a.trim_start_matches(|c: char| !c.is_ascii() || is_separator(c as u8));
        b = b.trim_start_matches(|c: char| !c.is_ascii() || is_separator(c as u8));

        match (a.strip_prefix('~'), b.strip_prefix('~')) {
            (Some(rest_a), Some(rest_b)) => {
                a = rest_a;
                b = rest_b;
                continue;
            }
            (Some(_), None) => return Ordering::Less,
            (None, Some(_)) => return Ordering::Greater,
            (None, None) => {}
        }
        match (a.strip_prefix('^'), b.strip_prefix('^')) {
            (Some(rest_a), Some(rest_b)) => {
                a = rest_a;
                b = rest_b;
                continue;
            }
            (Some(_), None) => return if b.is_empty() { Ordering::Greater } else { Ordering::Less },
            (None, Some(_)) => return if a.is_empty() { Ordering::Less } else { Ordering::Greater },
            (None, None) => {}
        }
        if a.is_empty() || b.is_empty() {
            break;
        }

        let numeric = a.bytes().next().is_some_and(|c| c.is_ascii_digit());
        let class = |c: u8| if numeric { c.is_ascii_digit() } else { c.is_ascii_alphabetic() };
        let (segment_a, rest_a) = take_run(a, class);
        let (segment_b, rest_b) = take_run(b, class);
        a = rest_a;
        b = rest_b;
        if segment_b.is_empty() {
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let ordering = if numeric {
            let (sa, sb) = (segment_a.trim_start_matches('0'), segment_b.trim_start_matches('0'));
            sa.len().cmp(&sb.len()).then_with(|| sa.cmp(sb))
        } else {
            segment_a.cmp(segment_b)
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        RpmVersion::parse(a).cmp_version(&RpmVersion::parse(b))
    }

    #[test]
    fn tilde_and_caret() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.0^git1", "1.0.1"), Ordering::Less);
    }

    #[test]
    fn epoch_release() {
        assert_eq!(cmp("1:1.0-1", "2.0-1"), Ordering::Greater);
        assert_eq!(cmp("1.0-1.el9", "1.0-1.el9_2"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0-1"), Ordering::Less);
    }
}
