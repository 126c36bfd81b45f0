//! Synthetic test vectors.
//!
//! Rule test vectors are written as templates so that no literal in this repository looks like a
//! live credential (push-protection scanners would flag them, and rightly so). A template is
//! plain text in which `{C:n}` stands for `n` pseudo-random characters of class `C`, and `«` /
//! `»` mark the expected secret:
//!
//! | class | characters |
//! |---|---|
//! | `A` | `A-Za-z0-9` |
//! | `a` | `a-z0-9` |
//! | `U` | `A-Z0-9` |
//! | `B` | `A-Z2-7` (base32) |
//! | `h` | `0-9a-f` |
//! | `H` | `0-9A-F` |
//! | `d` | `0-9` |
//! | `l` | `a-z` |
//! | `L` | `A-Za-z` |
//! | `b` | `A-Za-z0-9+/` (base64) |
//! | `w` | `A-Za-z0-9_-` (base64url) |
//! | `E` | bech32, upper-case (`QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L`) |
//!
//! The generator is deterministic (SplitMix64 seeded by the caller), so a failing vector is
//! reproducible.

use std::ops::Range;

/// An expanded template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The text, markers removed.
    pub text: String,
    /// The byte span between `«` and `»`, when the template had them.
    pub secret: Option<Range<usize>>,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn class(c: char) -> Option<&'static [u8]> {
    Some(match c {
        'A' => ALNUM,
        'a' => b"abcdefghijklmnopqrstuvwxyz0123456789",
        'U' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        'B' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        'h' => b"0123456789abcdef",
        'H' => b"0123456789ABCDEF",
        'd' => b"0123456789",
        'l' => b"abcdefghijklmnopqrstuvwxyz",
        'L' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        'b' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        'w' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
        'E' => b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
        _ => return None,
    })
}

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A random index below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }

    /// `n` random characters drawn from `chars`.
    pub fn string(&mut self, chars: &[u8], n: usize) -> String {
        (0..n).filter_map(|_| chars.get(self.below(chars.len())).map(|&b| char::from(b))).collect()
    }
}

/// Expands a template (see the module docs) with a generator seeded by `seed`.
pub fn expand(template: &str, seed: u64) -> Expanded {
    let mut rng = Rng::new(seed);
    let mut text = String::with_capacity(template.len() * 2);
    let mut start = None;
    let mut secret = None;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '«' {
            start = Some(text.len());
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '»' {
            secret = start.map(|s| s..text.len());
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '{'
            && let Some((chars, n, used)) = placeholder(rest)
        {
            text.push_str(&rng.string(chars, n));
            rest = &rest[used..];
            continue;
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Expanded { text, secret }
}

/// Parses `{C:n}` at the start of `s`: the class, the count and the bytes used.
fn placeholder(s: &str) -> Option<(&'static [u8], usize, usize)> {
    let b = s.as_bytes();
    let chars = class(char::from(*b.get(1)?))?;
    if *b.get(2)? != b':' {
        return None;
    }
    let digits = b.get(3..)?.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || *b.get(3 + digits)? != b'}' {
        return None;
    }
    let n = s.get(3..3 + digits)?.parse().ok()?;
    Some((chars, n, 4 + digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_classes_and_markers() {
        let e = expand("k=«ghp_{A:36}» {\"a\":1} {h:4}", 7);
        assert_eq!(e.secret, Some(2..42));
        assert!(e.text[2..6].starts_with("ghp_"));
        assert!(e.text[6..42].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(e.text.contains("{\"a\":1}"));
        assert!(e.text[e.text.len() - 4..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(expand("x{A:3}", 1), expand("x{A:3}", 1));
    }
}
