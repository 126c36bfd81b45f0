//! Reading a target's bytes into a [`SourceFile`], with bounded memory and clear refusals.

use shipshape_model::{SourceFile, Span};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Bytes inspected for NUL to tell a binary file from a text file.
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Why a target could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Io(String),
    TooLarge { size: u64, limit: u64 },
    Binary { offset: usize },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(message) => f.write_str(message),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "file is {} bytes, over the {limit}-byte limit (raise it with --max-file-size)",
                size
            ),
            ReadError::Binary { offset } => {
                write!(f, "binary file (NUL byte at offset {offset}), not a text configuration file")
            }
        }
    }
}

/// Text read from a target, plus the positions of bytes that were not valid UTF-8.
#[derive(Debug)]
pub struct Decoded {
    pub source: SourceFile,
    /// Spans (one byte each, replaced by `?`) of invalid UTF-8, at most [`MAX_REPORTED_INVALID`].
    pub invalid_bytes: Vec<Span>,
    pub invalid_total: usize,
}

/// Invalid bytes beyond this many are counted, not listed.
pub const MAX_REPORTED_INVALID: usize = 16;

/// Reads `path`, refusing files over `limit` bytes before reading them.
pub fn read_path(path: &Path, display: Arc<str>, limit: u64) -> Result<Decoded, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::Io(format!("cannot open: {e}")))?;
    let metadata = file.metadata().map_err(|e| ReadError::Io(format!("cannot stat: {e}")))?;
    if metadata.is_dir() {
        return Err(ReadError::Io("is a directory".into()));
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { size: metadata.len(), limit });
    }
    read_bounded(file, display, limit)
}

/// Reads at most `limit` bytes from `reader` (a pipe, stdin, a file whose size changed).
pub fn read_bounded(reader: impl Read, display: Arc<str>, limit: u64) -> Result<Decoded, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(format!("cannot read: {e}")))?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    decode(bytes, display)
}

/// Turns bytes into a `SourceFile`, replacing each invalid UTF-8 byte with `?` so byte offsets
/// stay those of the file.
pub fn decode(bytes: Vec<u8>, display: Arc<str>) -> Result<Decoded, ReadError> {
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    if let Some(offset) = sniff.iter().position(|&b| b == 0) {
        return Err(ReadError::Binary { offset });
    }
    let (text, invalid_bytes, invalid_total) = text_in_place(bytes);
    Ok(Decoded { source: SourceFile::new(display, text), invalid_bytes, invalid_total })
}

/// `bytes` as text with each byte that is not valid UTF-8 replaced by `?`, so byte offsets stay
/// those of the bytes; with the spans of the first [`MAX_REPORTED_INVALID`] replaced bytes and
/// their total.
pub fn text_in_place(bytes: Vec<u8>) -> (String, Vec<Span>, usize) {
    let mut bytes = match String::from_utf8(bytes) {
        Ok(text) => return (text, Vec::new(), 0),
        Err(error) => error.into_bytes(),
    };
    let mut invalid_bytes = Vec::new();
    let mut invalid_total = 0;
    let mut at = 0;
    while at < bytes.len() {
        match std::str::from_utf8(&bytes[at..]) {
            Ok(_) => break,
            Err(e) => {
                let bad_start = at + e.valid_up_to();
                let bad_len = e.error_len().unwrap_or(bytes.len() - bad_start);
                let end = (bad_start + bad_len).min(bytes.len());
                for (offset, byte) in bytes.iter_mut().enumerate().take(end).skip(bad_start) {
                    *byte = b'?';
                    invalid_total += 1;
                    if invalid_bytes.len() < MAX_REPORTED_INVALID {
                        invalid_bytes.push(Span::from_range(offset..offset + 1));
                    }
                }
                at = bad_start + bad_len;
            }
        }
    }
    // Every invalid byte is now `?`, so this cannot fail; fall back to a lossy copy if it did.
    let text =
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (text, invalid_bytes, invalid_total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_become_question_marks_in_place() {
        let decoded = decode(b"LABEL a=\"Jos\xe9\"\nUSER app\n".to_vec(), "f".into()).expect("decodes");
        assert_eq!(&*decoded.source.text, "LABEL a=\"Jos?\"\nUSER app\n");
        assert_eq!(decoded.invalid_bytes, vec![Span::new(12, 13)]);
        assert_eq!(decoded.invalid_total, 1);
    }

    #[test]
    fn truncated_sequence_at_end_is_replaced() {
        let decoded = decode(b"FROM a\xe2\x82".to_vec(), "f".into()).expect("decodes");
        assert_eq!(&*decoded.source.text, "FROM a??");
        assert_eq!(decoded.invalid_total, 2);
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(
            decode(b"\x7fELF\x02\x01\x00\x00".to_vec(), "f".into()).err(),
            Some(ReadError::Binary { offset: 6 })
        );
    }

    #[test]
    fn over_limit_is_refused_without_reading_everything() {
        let reader = std::io::repeat(b'a');
        match read_bounded(reader, "-".into(), 1024) {
            Err(ReadError::TooLarge { size, limit }) => assert_eq!((size, limit), (1025, 1024)),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }
}
