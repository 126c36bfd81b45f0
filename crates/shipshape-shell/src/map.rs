//! Offset maps: where each byte of a derived text (a logical line without its continuations,
//! a word after quote removal, the string of `sh -c '...'`) came from in the text it was
//! derived from.

use shipshape_model::Span;

/// One run of a derived text and the source range it came from. When both have the same
/// length the run was copied verbatim and maps byte for byte; otherwise (an escape, `$'\x41'`)
/// every byte of the run maps to the whole source range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seg {
    from: u32,
    from_end: u32,
    to: u32,
    to_end: u32,
}

impl Seg {
    fn verbatim(self) -> bool {
        self.from_end - self.from == self.to_end - self.to
    }
}

/// Segments, stored inline while there is one (most words are a single run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Segs {
    #[default]
    Empty,
    One(Seg),
    Many(Vec<Seg>),
}

impl Segs {
    fn push(&mut self, seg: Seg) {
        match self {
            Segs::Empty => *self = Segs::One(seg),
            Segs::One(first) => *self = Segs::Many(vec![*first, seg]),
            Segs::Many(v) => v.push(seg),
        }
    }

    fn last_mut(&mut self) -> Option<&mut Seg> {
        match self {
            Segs::Empty => None,
            Segs::One(s) => Some(s),
            Segs::Many(v) => v.last_mut(),
        }
    }
}

impl std::ops::Deref for Segs {
    type Target = [Seg];

    fn deref(&self) -> &[Seg] {
        match self {
            Segs::Empty => &[],
            Segs::One(s) => std::slice::from_ref(s),
            Segs::Many(v) => v,
        }
    }
}

impl std::ops::DerefMut for Segs {
    fn deref_mut(&mut self) -> &mut [Seg] {
        match self {
            Segs::Empty => &mut [],
            Segs::One(s) => std::slice::from_mut(s),
            Segs::Many(v) => v,
        }
    }
}

/// Maps offsets of a derived text to offsets of its source. Monotone; built in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OffsetMap {
    segs: Segs,
    /// Where an empty derived text sits in the source.
    origin: u32,
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl OffsetMap {
    /// An empty map whose empty text sits at `origin`.
    pub(crate) fn new(origin: usize) -> Self {
        Self { segs: Segs::default(), origin: to_u32(origin) }
    }

    /// `len` bytes at `from` were copied from `to`.
    pub(crate) fn push_verbatim(&mut self, from: usize, to: usize, len: usize) {
        if len == 0 {
            return;
        }
        let (from, to, len) = (to_u32(from), to_u32(to), to_u32(len));
        if let Some(last) = self.segs.last_mut()
            && last.verbatim()
            && last.from_end == from
            && last.to_end == to
        {
            last.from_end = from.saturating_add(len);
            last.to_end = to.saturating_add(len);
            return;
        }
        self.segs.push(Seg { from, from_end: from.saturating_add(len), to, to_end: to.saturating_add(len) });
    }

    /// `len` bytes at `from` stand for the source range `to..to_end` as a whole.
    pub(crate) fn push_special(&mut self, from: usize, len: usize, to: usize, to_end: usize) {
        if len == 0 {
            return;
        }
        let from = to_u32(from);
        self.segs.push(Seg {
            from,
            from_end: from.saturating_add(to_u32(len)),
            to: to_u32(to),
            to_end: to_u32(to_end),
        });
    }

    fn seg_containing(&self, at: u32) -> Option<&Seg> {
        let i = self.segs.partition_point(|s| s.from_end <= at);
        self.segs.get(i)
    }

    /// The source offset where derived byte `at` starts (the end of the source for `at` past
    /// the text).
    pub(crate) fn start(&self, at: u32) -> u32 {
        match self.seg_containing(at) {
            Some(s) if s.verbatim() => s.to + (at.saturating_sub(s.from)),
            Some(s) => s.to,
            None => self.segs.last().map_or(self.origin, |s| s.to_end),
        }
    }

    /// The source offset where a derived range ending (exclusively) at `at` ends.
    pub(crate) fn end(&self, at: u32) -> u32 {
        if at == 0 {
            return self.start(0);
        }
        match self.seg_containing(at - 1) {
            Some(s) if s.verbatim() => s.to + (at.saturating_sub(s.from)),
            Some(s) => s.to_end,
            None => self.segs.last().map_or(self.origin, |s| s.to_end),
        }
    }

    /// The source span of the derived span.
    pub(crate) fn span(&self, span: Span) -> Span {
        if span.end <= span.start {
            let at = self.start(span.start);
            return Span::new(at, at);
        }
        let start = self.start(span.start);
        Span::new(start, self.end(span.end).max(start))
    }

    /// This map followed by `outer`: derived offsets of `self` to the source of `outer`.
    pub(crate) fn then(&self, outer: &OffsetMap) -> OffsetMap {
        let mut out = OffsetMap { segs: Segs::default(), origin: outer.start(self.origin) };
        for s in self.segs.iter() {
            if !s.verbatim() {
                let to = outer.start(s.to);
                let to_end = outer.end(s.to_end).max(to);
                out.segs.push(Seg { to, to_end, ..*s });
                continue;
            }
            // Split the verbatim run where the outer map's segments change.
            let mut at = s.to;
            while at < s.to_end {
                let piece_end = match outer.seg_containing(at) {
                    Some(o) => o.from_end.min(s.to_end),
                    None => s.to_end,
                };
                let piece_end = piece_end.max(at + 1);
                let from = s.from + (at - s.to);
                let from_end = s.from + (piece_end - s.to);
                let to = outer.start(at);
                let to_end = outer.end(piece_end).max(to);
                let seg = Seg { from, from_end, to, to_end };
                match out.segs.last_mut() {
                    Some(last)
                        if seg.verbatim()
                            && last.verbatim()
                            && last.from_end == seg.from
                            && last.to_end == seg.to =>
                    {
                        last.from_end = seg.from_end;
                        last.to_end = seg.to_end;
                    }
                    _ => out.segs.push(seg),
                }
                at = piece_end;
            }
        }
        out
    }

    /// Maps this map's source offsets through `outer` in place when no run needs splitting,
    /// else as [`OffsetMap::then`].
    pub(crate) fn map_through(&mut self, outer: &OffsetMap) {
        let fits = self.segs.iter().all(|s| {
            !s.verbatim() || s.to == s.to_end || {
                let a = outer.seg_containing(s.to);
                a.is_some_and(|a| a.verbatim() && s.to_end <= a.from_end)
            }
        });
        if !fits {
            *self = self.then(outer);
            return;
        }
        self.origin = outer.start(self.origin);
        for s in self.segs.iter_mut() {
            if s.verbatim() {
                let to = outer.start(s.to);
                s.to_end = to + (s.to_end - s.to);
                s.to = to;
            } else {
                let to = outer.start(s.to);
                s.to_end = outer.end(s.to_end).max(to);
                s.to = to;
            }
        }
    }

    /// The map of the derived sub-range `start..` (offsets shifted so `start` becomes 0).
    pub(crate) fn suffix(&self, start: u32) -> OffsetMap {
        let origin = self.start(start);
        let mut out = OffsetMap { segs: Segs::default(), origin };
        for s in self.segs.iter() {
            if s.from_end <= start {
                continue;
            }
            if s.from >= start {
                out.segs.push(Seg { from: s.from - start, from_end: s.from_end - start, ..*s });
            } else if s.verbatim() {
                let cut = start - s.from;
                out.segs.push(Seg {
                    from: 0,
                    from_end: s.from_end - start,
                    to: s.to + cut,
                    to_end: s.to_end,
                });
            } else {
                out.segs.push(Seg { from: 0, from_end: s.from_end - start, ..*s });
            }
        }
        out
    }

    /// Appends the segments of `other`, its derived offsets moved by `offset`.
    pub(crate) fn append_shifted(&mut self, other: &OffsetMap, offset: usize) {
        let offset = to_u32(offset);
        for s in other.segs.iter() {
            self.segs.push(Seg {
                from: s.from.saturating_add(offset),
                from_end: s.from_end.saturating_add(offset),
                ..*s
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_and_special_runs() {
        // derived "ab" + "X" (from `\x58`, 4 bytes) + "cd"
        let mut m = OffsetMap::new(10);
        m.push_verbatim(0, 10, 2);
        m.push_special(2, 1, 12, 16);
        m.push_verbatim(3, 16, 2);
        assert_eq!(m.span(Span::new(0, 2)), Span::new(10, 12));
        assert_eq!(m.span(Span::new(2, 3)), Span::new(12, 16));
        assert_eq!(m.span(Span::new(1, 4)), Span::new(11, 17));
        assert_eq!(m.span(Span::new(5, 5)), Span::new(18, 18));
    }

    #[test]
    fn merges_adjacent_runs_and_composes() {
        let mut inner = OffsetMap::new(0);
        inner.push_verbatim(0, 1, 3); // "abc" from offset 1 of the middle text
        let mut outer = OffsetMap::new(0);
        outer.push_verbatim(0, 100, 2);
        outer.push_verbatim(2, 105, 10); // a continuation removed between 102 and 105
        let c = inner.then(&outer);
        assert_eq!(c.span(Span::new(0, 3)), Span::new(101, 107));
        assert_eq!(c.span(Span::new(1, 2)), Span::new(105, 106));
        let s = c.suffix(1);
        assert_eq!(s.span(Span::new(0, 1)), Span::new(105, 106));
    }
}
