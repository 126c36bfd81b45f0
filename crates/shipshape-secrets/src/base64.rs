//! A small base64 decoder (RFC 4648): the standard and URL-safe alphabets, with or without
//! padding. Used for Kubernetes Secret `data`, Docker `auth` entries, basic-auth headers and JWT
//! parts. And its encoder (standard alphabet, padded), for the basic-auth headers the registry
//! client sends.

use std::fmt;

/// Why a base64 text could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base64Error {
    /// A byte outside the alphabet (and not ASCII whitespace) at this byte offset.
    InvalidByte {
        /// Byte offset in the encoded text.
        offset: usize,
    },
    /// The number of significant characters leaves a lone 6-bit group (length ≡ 1 mod 4).
    InvalidLength,
    /// Padding (`=`) in the middle of the text, or more than two padding characters.
    InvalidPadding,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base64Error::InvalidByte { offset } => write!(f, "invalid base64 byte at offset {offset}"),
            Base64Error::InvalidLength => f.write_str("invalid base64 length"),
            Base64Error::InvalidPadding => f.write_str("misplaced base64 padding"),
        }
    }
}

impl std::error::Error for Base64Error {}

fn value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decoded bytes plus, for every 4-character group, the byte offset in the encoded text of each
/// significant (non-whitespace, non-padding) character, so decoded spans map back.
pub(crate) struct Decoded {
    pub(crate) bytes: Vec<u8>,
    /// `positions[i]` is the offset in the encoded text of the i-th significant character.
    pub(crate) positions: Vec<usize>,
}

impl Decoded {
    /// The span in the encoded text that covers decoded bytes `start..end`.
    pub(crate) fn encoded_span(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        // Decoded byte i comes from significant characters floor(i*4/3) ..= floor(i*4/3)+1.
        let first = start * 4 / 3;
        let last =
            if end == 0 { 0 } else { ((end - 1) * 4 / 3 + 1).min(self.positions.len().saturating_sub(1)) };
        let s = self.positions.get(first).copied().unwrap_or(0);
        let e = self.positions.get(last).map_or(s, |p| p + 1);
        s..e.max(s)
    }
}

/// Decodes standard or URL-safe base64, ignoring ASCII whitespace, padding optional.
pub(crate) fn decode_with_positions(text: &[u8]) -> Result<Decoded, Base64Error> {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let mut positions = Vec::with_capacity(text.len());
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0usize;
    for (offset, &b) in text.iter().enumerate() {
        if b.is_ascii_whitespace() {
            continue;
        }
        if b == b'=' {
            padding += 1;
            if padding > 2 {
                return Err(Base64Error::InvalidPadding);
            }
            continue;
        }
        if padding > 0 {
            return Err(Base64Error::InvalidPadding);
        }
        let v = value(b).ok_or(Base64Error::InvalidByte { offset })?;
        positions.push(offset);
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if positions.len() % 4 == 1 {
        return Err(Base64Error::InvalidLength);
    }
    if padding > 0 && !(positions.len() + padding).is_multiple_of(4) {
        return Err(Base64Error::InvalidPadding);
    }
    Ok(Decoded { bytes, positions })
}

/// Decodes standard or URL-safe base64 (whitespace ignored, padding optional).
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Base64Error> {
    decode_with_positions(text).map(|d| d.bytes)
}

/// Encodes `bytes` in standard, padded base64.
pub fn encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let [a, b, c] = [0, 1, 2].map(|i| group.get(i).copied().unwrap_or(0));
        let bits = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= group.len() {
                out.push(char::from(ALPHABET[((bits >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(decode(enc.as_bytes()).unwrap(), plain.as_bytes(), "{enc}");
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.trim_end_matches('=').as_bytes()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn url_safe_and_whitespace() {
        assert_eq!(decode(b"-_-_").unwrap(), vec![0xfb, 0xff, 0xbf]);
        assert_eq!(decode(b"Zm9v\nYmFy\n").unwrap(), b"foobar");
    }

    #[test]
    fn errors() {
        assert_eq!(decode(b"Zm9v!"), Err(Base64Error::InvalidByte { offset: 4 }));
        assert_eq!(decode(b"Z"), Err(Base64Error::InvalidLength));
        assert_eq!(decode(b"Zg=a"), Err(Base64Error::InvalidPadding));
        assert_eq!(decode(b"Zg==="), Err(Base64Error::InvalidPadding));
        assert_eq!(decode(b"Zm8=="), Err(Base64Error::InvalidPadding));
    }

    #[test]
    fn spans_map_back() {
        let enc = b"Zm9v YmFy";
        let d = decode_with_positions(enc).unwrap();
        assert_eq!(d.bytes, b"foobar");
        // "bar" is decoded bytes 3..6, encoded "YmFy" at 5..9.
        assert_eq!(d.encoded_span(3, 6), 5..9);
        assert_eq!(d.encoded_span(0, 3), 0..4);
    }
}
