//! Source files and line lookup.

use crate::span::Span;
use std::sync::Arc;

/// One text a front end read: its display path and its contents.
///
/// Text is always valid UTF-8; front ends replace each invalid byte with `?` before building a
/// `SourceFile` so that byte offsets stay those of the file on disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: Arc<str>,
    pub text: Arc<str>,
    line_index: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        let line_index = LineIndex::new(&text);
        Self { path: path.into(), text, line_index }
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        self.line_index.line_col(&self.text, offset)
    }

    /// The text of 1-based line `line`, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        self.line_index.line_text(&self.text, line)
    }

    pub fn slice(&self, span: Span) -> &str {
        span.slice(&self.text)
    }
}

/// Start offsets of every line of a text, for offset → line/column conversion.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        Self { line_starts }
    }

    pub fn line_count(&self) -> u32 {
        u32::try_from(self.line_starts.len()).unwrap_or(u32::MAX)
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: u32) -> u32 {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        u32::try_from(idx).unwrap_or(u32::MAX)
    }

    /// Byte offset where 0-based line `line` starts.
    pub fn line_start(&self, line: u32) -> u32 {
        self.line_starts
            .get(line as usize)
            .copied()
            .unwrap_or_else(|| self.line_starts.last().copied().unwrap_or(0))
    }

    /// 1-based line and 1-based character column of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(u32::try_from(text.len()).unwrap_or(u32::MAX));
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        let end = offset as usize;
        let col = text.get(start..end).map_or(end - start, |s| s.chars().count());
        (line + 1, u32::try_from(col).unwrap_or(u32::MAX) + 1)
    }

    /// The text of 1-based `line`, without `\n` or `\r\n`.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let Some(zero_based) = line.checked_sub(1) else { return "" };
        let Some(&start) = self.line_starts.get(zero_based as usize) else { return "" };
        let end = self.line_starts.get(zero_based as usize + 1).map_or(text.len(), |&e| e as usize);
        let raw = text.get(start as usize..end).unwrap_or("");
        raw.strip_suffix('\n').map_or(raw, |r| r.strip_suffix('\r').unwrap_or(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let file = SourceFile::new("f", "FROM a\nRUN é x\r\nUSER b");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(7), (2, 1));
        // "x" after a two-byte character is column 7, not 8.
        let x = u32::try_from(file.text.find('x').unwrap()).unwrap();
        assert_eq!(file.line_col(x), (2, 7));
        assert_eq!(file.line_text(2), "RUN é x");
        assert_eq!(file.line_text(3), "USER b");
        assert_eq!(file.line_text(4), "");
    }

    #[test]
    fn offset_past_end_is_clamped() {
        let file = SourceFile::new("f", "ab");
        assert_eq!(file.line_col(99), (1, 3));
    }
}
