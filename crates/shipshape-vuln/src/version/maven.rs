//! Maven versions, ordered with the semantics of Maven's `ComparableVersion`.
//!
//! The version is split into items at `.` and `-` and at every switch between digits and
//! other characters. Runs of digits are integers (any size); other runs are qualifiers,
//! lower-cased, with the aliases `ga`/`final`/`release` = "" and `cr` = `rc`, and `a`/`b`/`m`
//! meaning `alpha`/`beta`/`milestone` when directly followed by a digit. A `-` (and a switch
//! between digits and letters) opens a nested list. Trailing "null" items (`0`, "", empty
//! lists) are dropped from every list. Qualifiers order as
//! `alpha` < `beta` < `milestone` < `rc` < `snapshot` < "" < `sp` < any other (alphabetically);
//! an integer is newer than a list, which is newer than a qualifier.
//!
//! One deliberate refinement over Maven 3's `ComparableVersion`: a hyphenated list whose own
//! items are all null (`ga` in `1-ga-1`, `0` in `1-0-1`) stands for the list it contains, so
//! `1-ga-1` = `1-1` as the conformance vectors require; plain
//! `ComparableVersion` would nest it one level deeper and order it before `1-1`.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::text::{cmp_digits, is_zero};

/// One item of a Maven version.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item<'a> {
    Integer(&'a str),
    Qualifier(Cow<'a, str>),
    List(Vec<Item<'a>>),
}

/// A parsed Maven version; borrows the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion<'a> {
    items: Vec<Item<'a>>,
}

const KNOWN_QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_RANK: (usize, &str) = (5, "");

/// The sort key of a qualifier: its rank among the known ones, or after them by name.
fn qualifier_rank(qualifier: &str) -> (usize, &str) {
    match KNOWN_QUALIFIERS.iter().position(|known| *known == qualifier) {
        Some(rank) => (rank, ""),
        None => (KNOWN_QUALIFIERS.len(), qualifier),
    }
}

fn qualifier(text: &str, followed_by_digit: bool) -> Item<'_> {
    let lowered: Cow<'_, str> = if text.chars().any(char::is_uppercase) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    };
    let aliased: Cow<'_, str> = match lowered.as_ref() {
        "a" if followed_by_digit => Cow::Borrowed("alpha"),
        "b" if followed_by_digit => Cow::Borrowed("beta"),
        "m" if followed_by_digit => Cow::Borrowed("milestone"),
        "ga" | "final" | "release" => Cow::Borrowed(""),
        "cr" => Cow::Borrowed("rc"),
        _ => lowered,
    };
    Item::Qualifier(aliased)
}

fn parse_item(text: &str, digits: bool) -> Item<'_> {
    if digits { Item::Integer(text.trim_start_matches('0')) } else { qualifier(text, false) }
}

impl Item<'_> {
    fn is_null(&self) -> bool {
        match self {
            Item::Integer(digits) => is_zero(digits),
            Item::Qualifier(text) => qualifier_rank(text) == RELEASE_RANK,
            Item::List(items) => items.is_empty(),
        }
    }

    /// `self` compared with `other`, where `None` is the padding of a shorter list.
    fn cmp_item(&self, other: Option<&Item<'_>>) -> Ordering {
        match (self, other) {
            (Item::Integer(digits), None) => {
                if is_zero(digits) {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Integer(a), Some(Item::Integer(b))) => cmp_digits(a, b),
            (Item::Integer(_), Some(_)) => Ordering::Greater,
            (Item::Qualifier(text), None) => qualifier_rank(text).cmp(&RELEASE_RANK),
            (Item::Qualifier(a), Some(Item::Qualifier(b))) => qualifier_rank(a).cmp(&qualifier_rank(b)),
            (Item::Qualifier(_), Some(_)) => Ordering::Less,
            (Item::List(items), None) => {
                items.iter().map(|item| item.cmp_item(None)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
            }
            (Item::List(_), Some(Item::Integer(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Qualifier(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item<'_>], b: &[Item<'_>]) -> Ordering {
    for index in 0..a.len().max(b.len()) {
        let ordering = match (a.get(index), b.get(index)) {
            (Some(left), right) => left.cmp_item(right),
            (None, Some(right)) => right.cmp_item(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// Drops trailing null items, looking through (but keeping) non-null nested lists.
fn normalize(items: &mut Vec<Item<'_>>) {
    let mut index = items.len();
    while index > 0 {
        index -= 1;
        match items.get(index) {
            Some(item) if item.is_null() => {
                items.remove(index);
            }
            Some(Item::List(_)) => {}
            _ => break,
        }
    }
}

/// Appends to the innermost list of the chain.
fn push<'a>(chain: &mut Vec<Vec<Item<'a>>>, item: Item<'a>) {
    match chain.last_mut() {
        Some(list) => list.push(item),
        None => chain.push(vec![item]),
    }
}

impl<'a> MavenVersion<'a> {
    /// Parses any text.
    pub fn parse(text: &'a str) -> Self {
        // Each nested list is the last element of its parent, so the lists form a chain that is
        // kept flat here and folded up at the end.
        let mut chain: Vec<Vec<Item<'a>>> = vec![Vec::new()];
        let mut digits = false;
        let mut start = 0usize;
        for (index, character) in text.char_indices() {
            let token = text.get(start..index).unwrap_or("");
            if character == '.' || character == '-' {
                push(
                    &mut chain,
                    if token.is_empty() { Item::Integer("") } else { parse_item(token, digits) },
                );
                start = index + 1;
                if character == '-' {
                    chain.push(Vec::new());
                }
            } else if character.is_ascii_digit() {
                if !digits && index > start {
                    push(&mut chain, qualifier(token, true));
                    start = index;
                    chain.push(Vec::new());
                }
                digits = true;
            } else {
                if digits && index > start {
                    push(&mut chain, parse_item(token, true));
                    start = index;
                    chain.push(Vec::new());
                }
                digits = false;
            }
        }
        let token = text.get(start..).unwrap_or("");
        if !token.is_empty() {
            push(&mut chain, parse_item(token, digits));
        }

        let mut folded: Option<Vec<Item<'a>>> = None;
        while let Some(mut list) = chain.pop() {
            if let Some(mut child) = folded.take() {
                // A hyphenated list whose own items were all null (`1-ga-1`, `1-0-1`) holds just
                // the next list; it stands for that list, so `1-ga-1` = `1-1`.
                if let [Item::List(grandchild)] = child.as_mut_slice() {
                    child = std::mem::take(grandchild);
                }
                list.push(Item::List(child));
            }
            normalize(&mut list);
            folded = Some(list);
        }
        MavenVersion { items: folded.unwrap_or_default() }
    }

    /// Orders two versions as Maven does.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        MavenVersion::parse(a).cmp_version(&MavenVersion::parse(b))
    }

    #[test]
    fn qualifier_order() {
        let ordered =
            ["1-alpha-1", "1-beta-1", "1-milestone-1", "1-rc-1", "1-SNAPSHOT", "1", "1-sp-1", "1-abc", "1-1"];
        for pair in ordered.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn trailing_nulls_and_aliases() {
        assert_eq!(cmp("1.0.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1.0-final", "1"), Ordering::Equal);
        assert_eq!(cmp("1.0.RELEASE", "1"), Ordering::Equal);
        assert_eq!(cmp("1cr1", "1-rc-1"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-2021-05-17", "20.0.0"), Ordering::Less);
    }
}
