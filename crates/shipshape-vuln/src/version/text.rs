//! Small, panic-free text helpers shared by the comparators.

use std::cmp::Ordering;

/// Compares two runs of ASCII digits by numeric value, whatever their length.
///
/// Leading zeros are ignored and an empty run counts as zero. Non-digit input is compared as
/// text after the same trimming, so the result stays deterministic.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// True when `s` is non-empty and only ASCII digits.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// True when a run of digits has the value zero (an empty run counts as zero).
pub(crate) fn is_zero(digits: &str) -> bool {
    digits.bytes().all(|b| b == b'0')
}

/// Splits `s` at byte `index`, or returns `(s, "")` when the index is not a boundary.
pub(crate) fn split_at(s: &str, index: usize) -> (&str, &str) {
    s.split_at_checked(index).unwrap_or((s, ""))
}

/// The byte length of the leading run of bytes in `s` that satisfy `keep`.
pub(crate) fn run_len(s: &str, keep: impl Fn(u8) -> bool) -> usize {
    s.bytes().take_while(|&b| keep(b)).count()
}

/// Splits off the leading run of bytes satisfying `keep`: `(run, rest)`.
pub(crate) fn take_run(s: &str, keep: impl Fn(u8) -> bool) -> (&str, &str) {
    split_at(s, run_len(s, keep))
}

/// Compares two strings byte-wise after ASCII lower-casing.
pub(crate) fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    a.bytes().map(|b| b.to_ascii_lowercase()).cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// Strips an ASCII prefix case-insensitively.
pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let (head, tail) = s.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(tail)
}
