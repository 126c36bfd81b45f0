//! Packagist (Composer) versions, ordered like PHP's `version_compare` after Composer-style
//! normalisation.
//!
//! A leading `v`/`V` is dropped; `-`, `_` and `+` become `.`; a `.` is inserted at every switch
//! between digits and other characters; the result is split at `.`. Parts compare pairwise:
//! numbers numerically; otherwise by PHP's special forms, `dev` < `alpha`/`a` < `beta`/`b` <
//! `RC`/`rc` < `#` (any number) < `pl`/`p`, matched by prefix, with unknown words before `dev`.
//! When one version has more parts, a following number makes it newer; a following word is
//! compared with `#`.

use std::cmp::Ordering;

use super::text::{cmp_digits, is_digits};

/// A parsed Packagist version; borrows the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagistVersion<'a> {
    parts: Vec<&'a str>,
}

impl<'a> PackagistVersion<'a> {
    /// Parses any text.
    pub fn parse(text: &'a str) -> Self {
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = text.strip_prefix('V').unwrap_or(text);
        let mut parts = Vec::new();
        for piece in text.split(['.', '-', '_', '+']) {
            let mut start = 0;
            let mut previous_digit: Option<bool> = None;
            for (index, character) in piece.char_indices() {
                let digit = character.is_ascii_digit();
                if previous_digit.is_some_and(|previous| previous != digit) {
                    parts.push(piece.get(start..index).unwrap_or(""));
                    start = index;
                }
                previous_digit = Some(digit);
            }
            parts.push(piece.get(start..).unwrap_or(""));
        }
        PackagistVersion { parts }
    }

    /// Orders two versions.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
    }
}

/// PHP's order of special version forms, matched by prefix; -1 for words it does not know.
fn special_form_order(part: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS.iter().find(|(form, _)| part.starts_with(form)).map_or(-1, |(_, order)| *order)
}

fn cmp_part(a: &str, b: &str) -> Ordering {
    match (is_digits(a), is_digits(b)) {
        (true, true) => cmp_digits(a, b),
        (true, false) => special_form_order("#").cmp(&special_form_order(b)),
        (false, true) => special_form_order(a).cmp(&special_form_order("#")),
        (false, false) => special_form_order(a).cmp(&special_form_order(b)),
    }
}

fn cmp_parts(a: &[&str], b: &[&str]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let ordering = cmp_part(x, y);
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    let shared = a.len().min(b.len());
    match (a.get(shared..).unwrap_or(&[]), b.get(shared..).unwrap_or(&[])) {
        ([next, ..], []) if is_digits(next) => Ordering::Greater,
        ([], [next, ..]) if is_digits(next) => Ordering::Less,
        (rest @ [_, ..], []) => cmp_parts(rest, &["#"]),
        ([], rest @ [_, ..]) => cmp_parts(&["#"], rest),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        PackagistVersion::parse(a).cmp_version(&PackagistVersion::parse(b))
    }

    #[test]
    fn special_forms() {
        let ordered = ["1.0-dev", "1.0alpha1", "1.0b2", "1.0RC1", "1.0", "1.0.0", "1.0pl1"];
        for pair in ordered.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp("v2.1.0", "2.1.0"), Ordering::Equal);
    }
}
