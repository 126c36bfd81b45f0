//! Conversion between character indices (what saphyr's markers count) and UTF-8 byte offsets.

/// Every how many characters a checkpoint is stored.
const STRIDE: usize = 64;

/// Maps character indices of one text to byte offsets and back in O(log n + STRIDE).
///
/// ASCII texts (the common case) need no table: both indices are equal.
#[derive(Debug)]
pub(crate) struct OffsetMap {
    /// `checkpoints[k]` is the byte offset of character `k * STRIDE`; empty for ASCII texts.
    checkpoints: Vec<usize>,
    ascii: bool,
}

impl OffsetMap {
    pub(crate) fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self { checkpoints: Vec::new(), ascii: true };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        for (i, (byte, _)) in text.char_indices().enumerate() {
            if i % STRIDE == 0 {
                checkpoints.push(byte);
            }
        }
        Self { checkpoints, ascii: false }
    }

    /// Byte offset of character index `index`; indices past the end give `text.len()`.
    pub(crate) fn byte_of_char(&self, text: &str, index: usize) -> usize {
        if self.ascii {
            return index.min(text.len());
        }
        let Some(&base) = self.checkpoints.get(index / STRIDE) else {
            return text.len();
        };
        let rest = index % STRIDE;
        let tail = text.get(base..).unwrap_or("");
        tail.char_indices().nth(rest).map_or(text.len(), |(b, _)| base + b)
    }

    /// Character index of byte offset `byte` (which should be a char boundary; otherwise the
    /// index of the character containing it).
    pub(crate) fn char_of_byte(&self, text: &str, byte: usize) -> usize {
        let byte = byte.min(text.len());
        if self.ascii {
            return byte;
        }
        let k = match self.checkpoints.binary_search(&byte) {
            Ok(k) => return k * STRIDE,
            Err(k) => k.saturating_sub(1),
        };
        let base = self.checkpoints.get(k).copied().unwrap_or(0);
        let counted =
            text.get(base..).unwrap_or("").char_indices().take_while(|(b, _)| base + b < byte).count();
        k * STRIDE + counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_on_mixed_text() {
        let text: String = (0..500)
            .map(|i| {
                if i % 7 == 0 {
                    'é'
                } else if i % 11 == 0 {
                    '你'
                } else {
                    'a'
                }
            })
            .collect();
        let map = OffsetMap::new(&text);
        for (ci, (b, _)) in text.char_indices().enumerate() {
            assert_eq!(map.byte_of_char(&text, ci), b);
            assert_eq!(map.char_of_byte(&text, b), ci);
        }
        let n = text.chars().count();
        assert_eq!(map.byte_of_char(&text, n), text.len());
        assert_eq!(map.byte_of_char(&text, n + 100), text.len());
        assert_eq!(map.char_of_byte(&text, text.len()), n);
    }

    #[test]
    fn ascii_is_identity() {
        let map = OffsetMap::new("abc");
        assert_eq!(map.byte_of_char("abc", 2), 2);
        assert_eq!(map.byte_of_char("abc", 9), 3);
        assert_eq!(map.char_of_byte("abc", 1), 1);
    }
}
