//! Debian and Ubuntu package versions, ordered as `dpkg --compare-versions` orders them.
//!
//! A version is `[epoch:]upstream[-revision]`. The epoch is the text before the first colon, the
//! revision the text after the last hyphen. Upstream and revision are compared with dpkg's
//! `verrevcmp`: alternating non-digit runs (compared character by character, `~` before the end
//! of the string, the end before letters, letters before everything else) and digit runs
//! (compared numerically).

use std::cmp::Ordering;

/// A parsed dpkg version; borrows the text it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DpkgVersion<'a> {
    epoch: &'a str,
    upstream: &'a str,
    revision: &'a str,
}

impl<'a> DpkgVersion<'a> {
    /// Parses any text; surrounding whitespace is ignored. A missing epoch is 0 and a missing
    /// revision is empty (which dpkg orders equal to `0`).
    pub fn parse(text: &'a str) -> Self {
        let text = text.trim();
        let (epoch, rest) = text.split_once(':').unwrap_or(("", text));
        let (upstream, revision) = rest.rsplit_once('-').unwrap_or((rest, ""));
        DpkgVersion { epoch, upstream, revision }
    }

    /// Orders two versions as dpkg does.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        verrevcmp(self.epoch, other.epoch)
            .then_with(|| verrevcmp(self.upstream, other.upstream))
            .then_with(|| verrevcmp(self.revision, other.revision))
    }
}

/// dpkg's weight of one character of a non-digit run; `None` is the end of the string.
fn weight(byte: Option<u8>) -> i32 {
    match byte {
        None => 0,
        Some(b'~') => -1,
        Some(b) if b.is_ascii_digit() => 0,
        Some(b) if b.is_ascii_alphabetic() => i32::from(b),
        Some(b) => i32::from(b) + 256,
    }
}

/// dpkg's `verrevcmp` over bytes.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let at = |k: usize| a.get(k).copied();
    let bt = |k: usize| b.get(k).copied();
    let is_digit = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_digit());
    while i < a.len() || j < b.len() {
        while at(i).is_some_and(|c| !c.is_ascii_digit()) || bt(j).is_some_and(|c| !c.is_ascii_digit()) {
            let (wa, wb) = (weight(at(i)), weight(bt(j)));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        while at(i) == Some(b'0') {
            i += 1;
        }
        while bt(j) == Some(b'0') {
            j += 1;
        }
        let mut first_difference = Ordering::Equal;
        while is_digit(at(i)) && is_digit(bt(j)) {
            if first_difference == Ordering::Equal {
                first_difference = at(i).cmp(&bt(j));
            }
            i += 1;
            j += 1;
        }
        if is_digit(at(i)) {
            return Ordering::Greater;
        }
        if is_digit(bt(j)) {
            return Ordering::Less;
        }
        if first_difference != Ordering::Equal {
            return first_difference;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a).cmp_version(&DpkgVersion::parse(b))
    }

    #[test]
    fn tilde_sorts_before_everything_even_the_end() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0a"), Ordering::Less);
        assert_eq!(cmp("1.0a", "1.0+"), Ordering::Less);
    }

    #[test]
    fn epoch_and_revision() {
        assert_eq!(cmp("1:0.1", "9.9"), Ordering::Greater);
        assert_eq!(cmp("1.2-1", "1.2-1ubuntu1"), Ordering::Less);
        assert_eq!(cmp("1.2", "1.2-0"), Ordering::Equal);
        assert_eq!(cmp("1.2-3-4", "1.2-3-5"), Ordering::Less);
    }
}
