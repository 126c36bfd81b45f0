//! Alpine, Wolfi, Chainguard and other apk-based package versions.
//!
//! The apk grammar is `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`, with the
//! suffixes `alpha` < `beta` < `pre` < `rc` < (none) < `cvs` < `svn` < `git` < `hg` < `p`.
//!
//! Versions that leave text the grammar does not cover are *invalid*. Their ordering follows
//! the osv-scalibr reference the conformance vectors were written against: two invalid
//! versions compare as plain text; otherwise the parsed parts are compared in order (numbers,
//! letter, suffixes, revision) and, when all of those are equal, a version with unparsed
//! trailing text sorts before one without. Number parts after the first that start with `0`
//! compare as text (apk's "leading zero" rule). Commit hashes are ignored.

use std::cmp::Ordering;

use super::text::{cmp_digits, run_len, split_at, take_run};

/// Suffix names in the order the reference matches them (`pre` before `p`), with their weights;
/// the missing suffix weighs 5, like the reference implementation.
const SUFFIXES: [(&str, u8); 9] = [
    ("alpha", 0),
    ("beta", 1),
    ("pre", 2),
    ("rc", 3),
    ("cvs", 5),
    ("svn", 6),
    ("git", 7),
    ("hg", 8),
    ("p", 9),
];
const NO_SUFFIX: (u8, &str) = (5, "0");

/// A parsed apk version; borrows the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkVersion<'a> {
    original: &'a str,
    invalid: bool,
    numbers: Vec<&'a str>,
    letter: Option<u8>,
    suffixes: Vec<(u8, &'a str)>,
    revision: &'a str,
    fully_parsed: bool,
}

impl<'a> ApkVersion<'a> {
    /// Parses any text.
    pub fn parse(original: &'a str) -> Self {
        let mut rest = original;
        let mut numbers = Vec::new();
        loop {
            let (digits, after) = take_run(rest, |b| b.is_ascii_digit());
            if digits.is_empty() {
                break;
            }
            numbers.push(digits);
            rest = after.strip_prefix('.').unwrap_or(after);
        }

        let letter = rest.bytes().next().filter(u8::is_ascii_lowercase);
        if letter.is_some() {
            rest = split_at(rest, 1).1;
        }

        let (suffixes, consumed) = scan_suffixes(rest);
        rest = split_at(rest, consumed).1;

        if let Some(after_tilde) = rest.strip_prefix('~') {
            let hash_len = run_len(after_tilde, |b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if hash_len > 0 {
                rest = split_at(after_tilde, hash_len).1;
            }
        }

        let (invalid, revision, fully_parsed) = if rest.is_empty() {
            (false, "", true)
        } else if let Some(after) = rest.strip_prefix("-r") {
            let (digits, tail) = take_run(after, |b| b.is_ascii_digit());
            (false, digits, tail.is_empty())
        } else {
            (true, "", false)
        };
        ApkVersion { original, invalid, numbers, letter, suffixes, revision, fully_parsed }
    }

    /// Orders two versions.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        if self.invalid && other.invalid {
            return self.original.cmp(other.original);
        }
        self.cmp_numbers(other)
            .then_with(|| match (self.letter, other.letter) {
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (a, b) => a.cmp(&b),
            })
            .then_with(|| self.cmp_suffixes(other))
            .then_with(|| cmp_digits(self.revision, other.revision))
            .then_with(|| self.fully_parsed.cmp(&other.fully_parsed))
    }

    fn cmp_numbers(&self, other: &Self) -> Ordering {
        for index in 0..self.numbers.len().max(other.numbers.len()) {
            let ordering = match (self.numbers.get(index), other.numbers.get(index)) {
                (Some(a), Some(b)) if index > 0 && (a.starts_with('0') || b.starts_with('0')) => a.cmp(b),
                (a, b) => cmp_digits(a.copied().unwrap_or("0"), b.copied().unwrap_or("0")),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }

    fn cmp_suffixes(&self, other: &Self) -> Ordering {
        for index in 0..self.suffixes.len().max(other.suffixes.len()) {
            let (wa, na) = self.suffixes.get(index).copied().unwrap_or(NO_SUFFIX);
            let (wb, nb) = other.suffixes.get(index).copied().unwrap_or(NO_SUFFIX);
            let ordering = wa.cmp(&wb).then_with(|| cmp_digits(na, nb));
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

/// Finds every `_suffix{number}` in `text` (anywhere, like an unanchored regex search) and
/// returns them with the byte length of the run of suffixes that starts `text`.
fn scan_suffixes(text: &str) -> (Vec<(u8, &str)>, usize) {
    let mut found = Vec::new();
    let mut consumed = 0;
    let mut index = 0;
    while index < text.len() {
        let (_, tail) = split_at(text, index);
        if let Some(after_underscore) = tail.strip_prefix('_')
            && let Some((name, weight)) = SUFFIXES.iter().find(|(name, _)| after_underscore.starts_with(name))
        {
            let after_name = split_at(after_underscore, name.len()).1;
            let (digits, _) = take_run(after_name, |b| b.is_ascii_digit());
            let end = index + 1 + name.len() + digits.len();
            found.push((*weight, if digits.is_empty() { "0" } else { digits }));
            if index == consumed {
                consumed = end;
            }
            index = end;
        } else {
            index += 1;
        }
    }
    (found, consumed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        ApkVersion::parse(a).cmp_version(&ApkVersion::parse(b))
    }

    #[test]
    fn suffix_order() {
        assert_eq!(cmp("1.2_alpha1", "1.2_beta"), Ordering::Less);
        assert_eq!(cmp("1.2_rc9", "1.2"), Ordering::Less);
        assert_eq!(cmp("1.2_p1", "1.2"), Ordering::Greater);
        assert_eq!(cmp("1.2_pre1", "1.2_p1"), Ordering::Less);
    }

    #[test]
    fn revision_and_letter() {
        assert_eq!(cmp("1.2-r10", "1.2-r9"), Ordering::Greater);
        assert_eq!(cmp("1.2a", "1.2"), Ordering::Greater);
        assert_eq!(cmp("1.2~abc-r1", "1.2-r1"), Ordering::Equal);
    }

    #[test]
    fn garbage_is_deterministic() {
        assert_eq!(cmp("!!", "??"), "!!".cmp("??"));
        assert_eq!(cmp("", ""), Ordering::Equal);
        assert_eq!(cmp("é_p1", "é"), Ordering::Greater);
    }
}
