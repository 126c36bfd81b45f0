//! RubyGems versions, ordered like `Gem::Version#<=>`.
//!
//! The version is split into runs of digits and runs of ASCII letters (anything else separates;
//! a `-` counts as `.pre.`). The canonical segments drop trailing zeros from the leading numeric
//! part and from the rest. Segments then compare pairwise, a missing segment being 0: numbers
//! numerically, letters as text, and a letter segment (a pre-release) older than a number.

use std::cmp::Ordering;

use super::text::{cmp_digits, is_zero, take_run};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Number(&'a str),
    Word(&'a str),
}

impl Segment<'_> {
    fn is_zero(self) -> bool {
        matches!(self, Segment::Number(digits) if is_zero(digits))
    }
}

/// A parsed RubyGems version; borrows the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemVersion<'a> {
    segments: Vec<Segment<'a>>,
}

impl<'a> GemVersion<'a> {
    /// Parses any text.
    pub fn parse(text: &'a str) -> Self {
        let mut segments = Vec::new();
        let mut rest = text.trim();
        while let Some(first) = rest.chars().next() {
            if first.is_ascii_digit() {
                let (digits, after) = take_run(rest, |b| b.is_ascii_digit());
                segments.push(Segment::Number(digits));
                rest = after;
            } else if first.is_ascii_alphabetic() {
                let (word, after) = take_run(rest, |b| b.is_ascii_alphabetic());
                segments.push(Segment::Word(word));
                rest = after;
            } else {
                if first == '-' {
                    segments.push(Segment::Word("pre"));
                }
                rest = rest.get(first.len_utf8()..).unwrap_or("");
            }
        }
        let first_word =
            segments.iter().position(|s| matches!(s, Segment::Word(_))).unwrap_or(segments.len());
        let mut words = segments.split_off(first_word);
        while segments.last().is_some_and(|s| s.is_zero()) {
            segments.pop();
        }
        while words.last().is_some_and(|s| s.is_zero()) {
            words.pop();
        }
        segments.append(&mut words);
        GemVersion { segments }
    }

    /// True when the version has a letter segment (a pre-release).
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Word(_)))
    }

    /// Orders two versions as RubyGems does.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        const ZERO: Segment<'static> = Segment::Number("0");
        for index in 0..self.segments.len().max(other.segments.len()) {
            let left = self.segments.get(index).copied().unwrap_or(ZERO);
            let right = other.segments.get(index).copied().unwrap_or(ZERO);
            let ordering = match (left, right) {
                (Segment::Number(a), Segment::Number(b)) => cmp_digits(a, b),
                (Segment::Word(a), Segment::Word(b)) => a.cmp(b),
                (Segment::Word(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Word(_)) => Ordering::Greater,
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        GemVersion::parse(a).cmp_version(&GemVersion::parse(b))
    }

    #[test]
    fn prerelease_and_zeros() {
        assert_eq!(cmp("1.0.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1.0.a", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0-1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0.b1", "1.0.a2"), Ordering::Greater);
        assert!(GemVersion::parse("2.0.0.rc1").is_prerelease());
    }
}
