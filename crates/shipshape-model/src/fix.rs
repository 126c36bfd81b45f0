//! Fixes: byte edits with an applicability, in the manner of ruff's `Fix`.

use crate::span::Span;
use serde::Serialize;

/// How confident a fix is that applying it preserves what the file means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown to the user, never applied (e.g. a digest the tool cannot know).
    DisplayOnly,
    /// Behaviour may change; applied only when the user asks for unsafe fixes.
    Unsafe,
    /// Provably behaviour-preserving; `--fix` applies it.
    Safe,
}

/// Replace the bytes of `span` with `content` (an empty span inserts, empty content deletes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Self {
        Self { span, content: content.into() }
    }

    pub fn insert(offset: u32, content: impl Into<String>) -> Self {
        Self { span: Span::empty_at(offset), content: content.into() }
    }

    pub fn delete(span: Span) -> Self {
        Self { span, content: String::new() }
    }
}

/// A set of non-overlapping edits that together fix one finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// Sorted by start offset, non-overlapping.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(applicability: Applicability, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Self { applicability, edits }
    }

    pub fn safe(edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Safe, edits)
    }

    pub fn unsafe_edits(edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Unsafe, edits)
    }

    pub fn display_only(edits: Vec<Edit>) -> Self {
        Self::new(Applicability::DisplayOnly, edits)
    }

    /// The span covering every edit.
    pub fn span(&self) -> Option<Span> {
        self.edits.iter().map(|e| e.span).reduce(Span::cover)
    }
}

/// Applies every fix at or above `min` to `text`, skipping a fix whose edits overlap one already
/// taken. Returns the new text and how many fixes were applied.
pub fn apply_fixes<'f>(
    text: &str,
    fixes: impl IntoIterator<Item = &'f Fix>,
    min: Applicability,
) -> (String, usize) {
    let mut chosen: Vec<&Fix> = fixes.into_iter().filter(|f| f.applicability >= min).collect();
    chosen.sort_by_key(|f| f.span().map(|s| (s.start, s.end)));
    let mut edits: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut last_end: Option<u32> = None;
    for fix in chosen {
        let Some(span) = fix.span() else { continue };
        let overlaps = last_end.is_some_and(|end| span.start < end);
        let in_bounds = fix.edits.iter().all(|e| text.get(e.span.range()).is_some());
        if overlaps || !in_bounds {
            continue;
        }
        last_end = Some(span.end.max(last_end.unwrap_or(0)));
        edits.extend(fix.edits.iter());
        applied += 1;
    }
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0usize;
    for edit in edits {
        let range = edit.span.range();
        out.push_str(text.get(cursor..range.start).unwrap_or(""));
        out.push_str(&edit.content);
        cursor = range.end;
    }
    out.push_str(text.get(cursor..).unwrap_or(""));
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_safe_and_skips_overlaps_and_unsafe() {
        let text = "ADD a /b\nUSER root\n";
        let safe = Fix::safe(vec![Edit::replace(Span::new(0, 3), "COPY")]);
        let overlapping = Fix::safe(vec![Edit::replace(Span::new(1, 2), "X")]);
        let unsafe_fix = Fix::unsafe_edits(vec![Edit::replace(Span::new(14, 18), "app")]);
        let (out, n) = apply_fixes(text, [&safe, &overlapping, &unsafe_fix], Applicability::Safe);
        assert_eq!(out, "COPY a /b\nUSER root\n");
        assert_eq!(n, 1);
        let (out, n) = apply_fixes(text, [&safe, &unsafe_fix], Applicability::Unsafe);
        assert_eq!(out, "COPY a /b\nUSER app\n");
        assert_eq!(n, 2);
    }
}
