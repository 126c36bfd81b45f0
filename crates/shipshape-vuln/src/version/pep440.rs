//! Python package versions (PyPI), ordered per PEP 440 the way `packaging.version` orders them.
//!
//! Accepted syntax is PEP 440's permissive form (its appendix B regular expression): optional
//! leading `v`, `N!` epoch, release `N(.N)*`, pre-release (`a`/`alpha`, `b`/`beta`,
//! `rc`/`c`/`pre`/`preview`), post-release (`.postN`, `-N`, `rev`, `r`), development release
//! (`.devN`) and `+local` label, case-insensitive, with `.`, `-` or `_` separators. Text that
//! is not PEP 440 is a *legacy* version (the setuptools ordering), sorting before every PEP 440
//! version, so that any input has a place.

use std::cmp::Ordering;

use super::text::{
    cmp_digits, cmp_ignore_ascii_case, is_digits, is_zero, split_at, strip_prefix_ignore_case, take_run,
};

/// Pre-release phases in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Alpha,
    Beta,
    ReleaseCandidate,
}

/// The PEP 440 parts of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Modern<'a> {
    epoch: &'a str,
    release: Vec<&'a str>,
    pre: Option<(Phase, &'a str)>,
    post: Option<&'a str>,
    dev: Option<&'a str>,
    local: Vec<&'a str>,
}

/// A parsed Python version; borrows the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440Version<'a>(Kind<'a>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind<'a> {
    Legacy(Vec<String>),
    Modern(Modern<'a>),
}

impl<'a> Pep440Version<'a> {
    /// Parses any text.
    pub fn parse(text: &'a str) -> Self {
        match parse_modern(text) {
            Some(modern) => Pep440Version(Kind::Modern(modern)),
            None => Pep440Version(Kind::Legacy(legacy_parts(text))),
        }
    }

    /// True when the text was valid PEP 440 (not a legacy version).
    pub fn is_pep440(&self) -> bool {
        matches!(self.0, Kind::Modern(_))
    }

    /// Orders two versions.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Kind::Legacy(a), Kind::Legacy(b)) => a.cmp(b),
            (Kind::Legacy(_), Kind::Modern(_)) => Ordering::Less,
            (Kind::Modern(_), Kind::Legacy(_)) => Ordering::Greater,
            (Kind::Modern(a), Kind::Modern(b)) => cmp_modern(a, b),
        }
    }
}

fn is_separator(byte: u8) -> bool {
    matches!(byte, b'.' | b'-' | b'_')
}

/// Strips one optional separator followed by one of `words` (longest listed first).
fn take_word<'a>(text: &'a str, words: &[&'static str]) -> Option<(&'static str, &'a str)> {
    let unseparated = text.strip_prefix(|c: char| c.is_ascii() && is_separator(c as u8)).unwrap_or(text);
    [unseparated, text].into_iter().find_map(|candidate| {
        words.iter().find_map(|word| strip_prefix_ignore_case(candidate, word).map(|rest| (*word, rest)))
    })
}

/// Strips an optional separator plus digits, or bare digits; leaves the text alone otherwise.
fn take_number(text: &str) -> (Option<&str>, &str) {
    let unseparated = text.strip_prefix(|c: char| c.is_ascii() && is_separator(c as u8)).unwrap_or(text);
    let (digits, rest) = take_run(unseparated, |b| b.is_ascii_digit());
    if digits.is_empty() { (None, text) } else { (Some(digits), rest) }
}

fn parse_modern(text: &str) -> Option<Modern<'_>> {
    let mut rest = text.trim_matches(|c: char| c.is_ascii_whitespace());
    rest = rest.strip_prefix(['v', 'V']).unwrap_or(rest);

    let (mut digits, mut after) = take_run(rest, |b| b.is_ascii_digit());
    let mut epoch = "0";
    if !digits.is_empty()
        && let Some(after_bang) = after.strip_prefix('!')
    {
        epoch = digits;
        (digits, after) = take_run(after_bang, |b| b.is_ascii_digit());
    }
    if digits.is_empty() {
        return None;
    }
    let mut release = vec![digits];
    rest = after;
    while let Some(after_dot) = rest.strip_prefix('.') {
        let (digits, after) = take_run(after_dot, |b| b.is_ascii_digit());
        if digits.is_empty() {
            break;
        }
        release.push(digits);
        rest = after;
    }

    let mut pre = None;
    if let Some((word, after)) = take_word(rest, &["preview", "alpha", "beta", "pre", "rc", "a", "b", "c"]) {
        let phase = match word {
            "alpha" | "a" => Phase::Alpha,
            "beta" | "b" => Phase::Beta,
            _ => Phase::ReleaseCandidate,
        };
        let (number, after) = take_number(after);
        pre = Some((phase, number.unwrap_or("0")));
        rest = after;
    }

    let mut post = None;
    let implicit_post = rest.strip_prefix('-').map(|after| take_run(after, |b| b.is_ascii_digit()));
    if let Some((digits, after)) = implicit_post.filter(|(digits, _)| !digits.is_empty()) {
        post = Some(digits);
        rest = after;
    } else if let Some((_, after)) = take_word(rest, &["post", "rev", "r"]) {
        let (number, after) = take_number(after);
        post = Some(number.unwrap_or("0"));
        rest = after;
    }

    let mut dev = None;
    if let Some((_, after)) = take_word(rest, &["dev"]) {
        let (number, after) = take_number(after);
        dev = Some(number.unwrap_or("0"));
        rest = after;
    }

    let mut local = Vec::new();
    if let Some(label) = rest.strip_prefix('+') {
        let label = label.trim_end_matches(|c: char| c.is_ascii_whitespace());
        for segment in label.split(['.', '-', '_']) {
            if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            local.push(segment);
        }
        rest = "";
    }
    rest.trim_start_matches(|c: char| c.is_ascii_whitespace()).is_empty().then_some(Modern {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

fn cmp_release(a: &[&str], b: &[&str]) -> Ordering {
    for index in 0..a.len().max(b.len()) {
        let ordering = cmp_digits(a.get(index).copied().unwrap_or(""), b.get(index).copied().unwrap_or(""));
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// The pre-release sort key: a development release of a final version (`1.0.dev1`) sorts before
/// its pre-releases, and a final version after them.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    DevOfFinal,
    Pre(Phase, Number<'a>),
    Final,
}

/// A number that orders by value.
#[derive(PartialEq, Eq)]
struct Number<'a>(&'a str);

impl PartialOrd for Number<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.0, other.0)
    }
}

fn pre_key<'a>(version: &Modern<'a>) -> PreKey<'a> {
    match version.pre {
        Some((phase, number)) => PreKey::Pre(phase, Number(number)),
        None if version.post.is_none() && version.dev.is_some() => PreKey::DevOfFinal,
        None => PreKey::Final,
    }
}

fn cmp_local(a: &[&str], b: &[&str]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let ordering = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => cmp_ignore_ascii_case(x, y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_modern(a: &Modern<'_>, b: &Modern<'_>) -> Ordering {
    cmp_digits(a.epoch, b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| pre_key(a).cmp(&pre_key(b)))
        // no post-release sorts before any post-release
        .then_with(|| a.post.map(Number).cmp(&b.post.map(Number)))
        // no development release sorts after any development release
        .then_with(|| match (a.dev, b.dev) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => cmp_digits(x, y),
        })
        .then_with(|| cmp_local(&a.local, &b.local))
}

/// The setuptools "legacy" ordering key for text that is not PEP 440.
fn legacy_parts(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut tokens = Vec::new();
    let mut rest = lower.as_str();
    while let Some(first) = rest.bytes().next() {
        let (token, after) = if first.is_ascii_digit() {
            take_run(rest, |b| b.is_ascii_digit())
        } else if first.is_ascii_lowercase() {
            take_run(rest, |b| b.is_ascii_lowercase())
        } else if first == b'-' {
            ("-", split_at(rest, 1).1)
        } else {
            let skip = rest.chars().next().map_or(1, char::len_utf8);
            ("", rest.get(skip..).unwrap_or(""))
        };
        if !token.is_empty() {
            tokens.push(token);
        }
        rest = after;
    }
    tokens.push("final");

    let mut parts: Vec<String> = Vec::new();
    for token in tokens {
        let part = match token {
            "pre" | "preview" | "rc" => "*c".to_owned(),
            "-" => "*final-".to_owned(),
            "dev" => "*@".to_owned(),
            digits if is_digits(digits) => format!("{digits:0>8}"),
            word => format!("*{word}"),
        };
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|last| last == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|last| is_digits(last) && last.len() == 8 && is_zero(last)) {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        Pep440Version::parse(a).cmp_version(&Pep440Version::parse(b))
    }

    #[test]
    fn full_ordering_example_from_pep_440() {
        let ordered = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(cmp("1.0ALPHA1", "1.0a1"), Ordering::Equal);
        assert_eq!(cmp("v1.0-preview_2", "1.0rc2"), Ordering::Equal);
        assert_eq!(cmp("1.0-1", "1.0.post1"), Ordering::Equal);
        assert_eq!(cmp("1.0.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1!0.1", "2.0"), Ordering::Greater);
        assert_eq!(cmp(" 1.0 ", "1.0"), Ordering::Equal);
        assert!(Pep440Version::parse("1.0a.post1").is_pep440());
        assert!(!Pep440Version::parse("1.0+").is_pep440());
    }
}
