//! Shannon entropy of candidate secrets, per character set.

/// The character set a candidate value is drawn from; thresholds depend on it because a random
/// hex string carries at most 4 bits per character and a random base64 string 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `0-9a-f` (either case, not mixed).
    Hex,
    /// `A-Za-z0-9`.
    Alnum,
    /// `A-Za-z0-9+/=_-`.
    Base64,
    /// Anything else (passwords with punctuation and so on).
    Other,
}

impl Charset {
    /// Classifies `s`.
    pub fn of(s: &[u8]) -> Charset {
        let hex_lower = s.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let hex_upper = s.iter().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'));
        if hex_lower || hex_upper {
            Charset::Hex
        } else if s.iter().all(u8::is_ascii_alphanumeric) {
            Charset::Alnum
        } else if s.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
        {
            Charset::Base64
        } else {
            Charset::Other
        }
    }

    /// Entropy (bits per character) above which a value of this charset looks random, for a
    /// value long enough (see [`entropy_threshold`] for short values).
    pub fn threshold(self) -> f64 {
        match self {
            Charset::Hex => 3.0,
            Charset::Alnum => 3.5,
            Charset::Base64 => 4.0,
            Charset::Other => 3.5,
        }
    }
}

/// Shannon entropy of `s` in bits per byte (0 for an empty slice).
pub fn shannon(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

/// The entropy a value of this length and charset must reach to count as random: the charset
/// threshold, lowered for short values (a string of n distinct characters has at most
/// log2(n) bits per character).
pub fn entropy_threshold(s: &[u8]) -> f64 {
    let cs = Charset::of(s);
    let len = s.len().max(2) as f64;
    cs.threshold().min(len.log2() - 0.7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_values() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaa"), 0.0);
        assert!((shannon(b"ab") - 1.0).abs() < 1e-9);
        assert!((shannon(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn charsets() {
        assert_eq!(Charset::of(b"deadbeef01"), Charset::Hex);
        assert_eq!(Charset::of(b"DEADBEEF01"), Charset::Hex);
        assert_eq!(Charset::of(b"DeadBeef01"), Charset::Alnum);
        assert_eq!(Charset::of(b"ab+/cd=="), Charset::Base64);
        assert_eq!(Charset::of(b"hunter2!"), Charset::Other);
    }

    #[test]
    fn short_values_get_lower_thresholds() {
        assert!(entropy_threshold(b"hunter2xyz!") < 3.0);
        assert_eq!(entropy_threshold(&[b'g'; 64]), 3.5);
        assert_eq!(entropy_threshold(&[b'a'; 64]), 3.0);
    }
}
