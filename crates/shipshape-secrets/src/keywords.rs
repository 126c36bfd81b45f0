//! The keyword prefilter: an Aho-Corasick automaton compiled to a dense DFA over lower-cased
//! input, with a search loop reduced to one table load and one comparison per byte.
//!
//! Scanning for keywords is most of the work on ordinary text (a keyword hit is rare), so the
//! loop matters. The table holds, for every state and byte, the next state; states are numbered
//! so that every state where a keyword ends comes after all others, and the loop only leaves its
//! fast path on those.
//!
//! [`KeywordSet`] is the public face: ASCII case-insensitive search of any input, used by the
//! secret detector and by other detectors built on the same prefilter (malware signatures).

use std::collections::VecDeque;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Bytes lower-cased at a time for the keyword search.
const KEYWORD_BLOCK: usize = 64 << 10;

/// A set of keywords searched for at once, ASCII case-insensitively, with every occurrence
/// (overlapping ones included) reported in one pass over the input.
///
/// The input is lower-cased block by block into a bounded buffer and run through a dense
/// Aho-Corasick DFA (the `aho-corasick` crate's DFA when there are too many keywords for it):
/// a case-sensitive DFA over lower-case keywords is smaller and faster than an ASCII
/// case-insensitive one.
///
/// ```
/// use shipshape_secrets::KeywordSet;
///
/// let set = KeywordSet::new(["stratum+tcp://", "XMRig"]).unwrap();
/// let mut hits = Vec::new();
/// set.for_each_hit(b"xmrig -o STRATUM+TCP://pool:3333", |h| hits.push((h.keyword, h.start)));
/// assert_eq!(hits, [(1, 0), (0, 9)]);
/// ```
#[derive(Debug, Clone)]
pub struct KeywordSet {
    automaton: Automaton,
    max_len: usize,
}

#[derive(Debug, Clone)]
enum Automaton {
    Dense(KeywordDfa),
    Crate(AhoCorasick),
}

impl KeywordSet {
    /// Builds the set; keyword `i` is reported as [`KeywordHit::keyword`] `i`. Fails on an empty
    /// or non-ASCII keyword.
    pub fn new<I, S>(keywords: I) -> Result<KeywordSet, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keywords: Vec<String> = keywords.into_iter().map(|k| k.as_ref().to_ascii_lowercase()).collect();
        if let Some(bad) = keywords.iter().find(|k| k.is_empty() || !k.is_ascii()) {
            return Err(format!("keyword `{bad}` is empty or not ASCII"));
        }
        let max_len = keywords.iter().map(String::len).max().unwrap_or(0);
        let automaton = match KeywordDfa::new(&keywords) {
            Some(dfa) => Automaton::Dense(dfa),
            None => Automaton::Crate(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&keywords)
                    .map_err(|e| e.to_string())?,
            ),
        };
        Ok(KeywordSet { automaton, max_len })
    }

    /// The length of the longest keyword.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Calls `f` for every keyword occurrence in `hay`, ASCII case-insensitively, with offsets
    /// into `hay`, in order of end offset.
    pub fn for_each_hit(&self, hay: &[u8], mut f: impl FnMut(KeywordHit)) {
        // Consecutive blocks overlap by the longest keyword minus one byte; a hit lying wholly
        // in that overlap was already reported by the previous block.
        let overlap = self.max_len.saturating_sub(1);
        let mut block = Vec::with_capacity(KEYWORD_BLOCK.min(hay.len()) + overlap);
        let mut hits = Vec::new();
        let mut pos = 0usize;
        while pos < hay.len() {
            let start = pos.saturating_sub(overlap);
            let end = pos.saturating_add(KEYWORD_BLOCK).min(hay.len());
            let prefix = pos - start;
            block.clear();
            block.extend_from_slice(hay.get(start..end).unwrap_or_default());
            block.make_ascii_lowercase();
            hits.clear();
            match &self.automaton {
                Automaton::Dense(dfa) => dfa.for_each_hit(&block, |h| hits.push(h)),
                Automaton::Crate(ac) => hits.extend(ac.find_overlapping_iter(&block).map(|m| KeywordHit {
                    keyword: m.pattern().as_usize(),
                    start: m.start(),
                    end: m.end(),
                })),
            }
            for hit in &hits {
                if hit.end > prefix {
                    f(KeywordHit { keyword: hit.keyword, start: start + hit.start, end: start + hit.end });
                }
            }
            pos = end;
        }
    }
}

/// Most states the dense table may have (512 bytes per state, so 8 MiB at most; more keywords
/// than that fall back to the `aho-corasick` crate).
const MAX_STATES: usize = 1 << 14;

/// A keyword hit: which keyword, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeywordHit {
    /// The keyword's index in the list the set was built from.
    pub keyword: usize,
    /// Offset of the hit's first byte.
    pub start: usize,
    /// Offset just after the hit.
    pub end: usize,
}

/// Dense Aho-Corasick DFA over lower-case keywords.
#[derive(Debug, Clone)]
pub(crate) struct KeywordDfa {
    /// `table[(state << 8) | byte]` is the next state.
    table: Vec<u16>,
    /// States at or above this index are states where at least one keyword ends.
    first_match: u16,
    /// For each match state (index minus `first_match`), the keywords ending there.
    outputs: Vec<Vec<u32>>,
    /// Keyword lengths.
    lengths: Vec<usize>,
}

impl KeywordDfa {
    /// Builds the automaton; `None` if the keywords need more than [`MAX_STATES`] states (the
    /// caller falls back to the `aho-corasick` crate) or a keyword is empty.
    pub(crate) fn new(keywords: &[String]) -> Option<KeywordDfa> {
        // 1. Trie (goto function) with per-node outputs.
        let mut goto: Vec<[u32; 256]> = vec![[u32::MAX; 256]];
        let mut out: Vec<Vec<u32>> = vec![Vec::new()];
        for (k, kw) in keywords.iter().enumerate() {
            if kw.is_empty() {
                return None;
            }
            let mut s = 0usize;
            for &b in kw.as_bytes() {
                let next = goto.get(s)?[usize::from(b)];
                s = if next == u32::MAX {
                    let id = goto.len();
                    if id >= MAX_STATES {
                        return None;
                    }
                    goto.push([u32::MAX; 256]);
                    out.push(Vec::new());
                    goto.get_mut(s)?[usize::from(b)] = id as u32;
                    id
                } else {
                    next as usize
                };
            }
            out.get_mut(s)?.push(k as u32);
        }
        // 2. Failure links in breadth-first order, completing the transitions (the DFA) and
        //    merging outputs along the failure chain.
        let n = goto.len();
        let mut fail = vec![0u32; n];
        let mut delta = vec![[0u32; 256]; n];
        let mut queue = VecDeque::new();
        for b in 0..256 {
            let t = goto.first()?[b];
            if t == u32::MAX {
                delta.first_mut()?[b] = 0;
            } else {
                delta.first_mut()?[b] = t;
                queue.push_back(t as usize);
            }
        }
        while let Some(s) = queue.pop_front() {
            let f = *fail.get(s)? as usize;
            let inherited = out.get(f)?.clone();
            out.get_mut(s)?.extend(inherited);
            for b in 0..256 {
                let t = goto.get(s)?[b];
                if t == u32::MAX {
                    delta.get_mut(s)?[b] = delta.get(f)?[b];
                } else {
                    // The failure of a child is where the parent's failure goes on `b`.
                    *fail.get_mut(t as usize)? = if s == 0 { 0 } else { delta.get(f)?[b] };
                    delta.get_mut(s)?[b] = t;
                    queue.push_back(t as usize);
                }
            }
        }
        // 3. Renumber: non-matching states first (the start state stays 0), matching after.
        let mut order: Vec<usize> = (0..n).filter(|&s| out[s].is_empty()).collect();
        let first_match = order.len();
        order.extend((0..n).filter(|&s| !out[s].is_empty()));
        let mut new_id = vec![0u16; n];
        for (i, &s) in order.iter().enumerate() {
            new_id[s] = i as u16;
        }
        let mut table = vec![0u16; n << 8];
        let mut outputs = Vec::with_capacity(n - first_match);
        for (i, &s) in order.iter().enumerate() {
            for b in 0..256 {
                table[(i << 8) | b] = new_id[delta[s][b] as usize];
            }
            if i >= first_match {
                outputs.push(std::mem::take(&mut out[s]));
            }
        }
        let lengths = keywords.iter().map(String::len).collect();
        Some(KeywordDfa { table, first_match: first_match as u16, outputs, lengths })
    }

    /// Calls `f` for every keyword occurrence in `hay` (lower-case), in order of end offset.
    ///
    /// A DFA step waits on the previous one (load, then index, then load), so one stream runs at
    /// memory latency, not throughput. Long inputs are therefore cut into [`LANES`] segments
    /// scanned in lockstep, each starting early by the longest keyword minus one byte so that
    /// no occurrence straddling a cut is lost; a lane reports only hits ending inside its own
    /// segment, and the lanes' hits are delivered in segment order.
    pub(crate) fn for_each_hit(&self, hay: &[u8], mut f: impl FnMut(KeywordHit)) {
        let overlap = self.lengths.iter().copied().max().unwrap_or(1).saturating_sub(1);
        let seg = hay.len() / LANES;
        if seg < 4 * overlap.max(64) {
            self.scan(hay, 0, 0, &mut f);
            return;
        }
        // Lane j owns ends in (bounds[j], bounds[j+1]] and starts scanning `overlap` earlier.
        let bounds: [usize; LANES + 1] =
            std::array::from_fn(|j| if j == LANES { hay.len() } else { j * seg });
        let starts: [usize; LANES] =
            std::array::from_fn(|j| bounds[j].saturating_sub(if j == 0 { 0 } else { overlap }));
        let table = self.table.as_slice();
        let first_match = self.first_match;
        let mut states = [0u16; LANES];
        let mut lane_hits: [Vec<KeywordHit>; LANES] = std::array::from_fn(|_| Vec::new());
        // The common length all lanes can run in lockstep.
        let common = (0..LANES).map(|j| bounds[j + 1] - starts[j]).min().unwrap_or(0);
        let lanes: [&[u8]; LANES] =
            std::array::from_fn(|j| hay.get(starts[j]..bounds[j + 1]).unwrap_or_default());
        let step = |s: u16, b: u8| table.get((usize::from(s) << 8) | usize::from(b)).copied().unwrap_or(0);
        let [l0, l1, l2, l3] = lanes.map(|l| l.get(..common).unwrap_or_default());
        for (i, (((&b0, &b1), &b2), &b3)) in l0.iter().zip(l1).zip(l2).zip(l3).enumerate() {
            states = [step(states[0], b0), step(states[1], b1), step(states[2], b2), step(states[3], b3)];
            if states.iter().any(|&s| s >= first_match) {
                for j in 0..LANES {
                    let end = starts[j] + i + 1;
                    if states[j] >= first_match && (j == 0 || end > bounds[j]) {
                        self.report(states[j], end, &mut |h| lane_hits[j].push(h));
                    }
                }
            }
        }
        for j in 0..LANES {
            let mut s = states[j];
            for (i, &b) in lanes[j].iter().enumerate().skip(common) {
                s = table.get((usize::from(s) << 8) | usize::from(b)).copied().unwrap_or(0);
                let end = starts[j] + i + 1;
                if s >= first_match && (j == 0 || end > bounds[j]) {
                    self.report(s, end, &mut |h| lane_hits[j].push(h));
                }
            }
        }
        for hits in lane_hits {
            hits.into_iter().for_each(&mut f);
        }
    }

    /// Single-stream scan of `hay`, reporting hits at offsets shifted by `base`.
    fn scan(&self, hay: &[u8], base: usize, mut s: u16, f: &mut impl FnMut(KeywordHit)) {
        let table = self.table.as_slice();
        for (i, &b) in hay.iter().enumerate() {
            s = table.get((usize::from(s) << 8) | usize::from(b)).copied().unwrap_or(0);
            if s >= self.first_match {
                self.report(s, base + i + 1, f);
            }
        }
    }

    /// Reports the keywords ending in match state `s` at `end`.
    fn report(&self, s: u16, end: usize, f: &mut impl FnMut(KeywordHit)) {
        let Some(keywords) = self.outputs.get(usize::from(s.saturating_sub(self.first_match))) else {
            return;
        };
        for &k in keywords {
            let len = self.lengths.get(k as usize).copied().unwrap_or(0);
            f(KeywordHit { keyword: k as usize, start: end - len, end });
        }
    }
}

/// Number of segments scanned in lockstep.
const LANES: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(kws: &[&str], hay: &str) -> Vec<(usize, usize, usize)> {
        let kws: Vec<String> = kws.iter().map(|s| s.to_string()).collect();
        let dfa = KeywordDfa::new(&kws).unwrap();
        let mut v = Vec::new();
        dfa.for_each_hit(hay.as_bytes(), |h| v.push((h.keyword, h.start, h.end)));
        v
    }

    #[test]
    fn overlapping_hits() {
        assert_eq!(hits(&["he", "she", "his", "hers"], "ushers"), vec![(1, 1, 4), (0, 2, 4), (3, 2, 6)]);
        assert_eq!(hits(&["token", "_authtoken"], "x_authtoken"), vec![(1, 1, 11), (0, 6, 11)]);
        assert_eq!(hits(&["aa"], "aaaa"), vec![(0, 0, 2), (0, 1, 3), (0, 2, 4)]);
        assert!(hits(&["abc"], "ababab").is_empty());
    }

    #[test]
    fn lanes_agree_with_aho_corasick_on_long_inputs() {
        let kws = ["password", "pass", "aws", "secret_", "token", "://", "ghp_", "aa"];
        let kwv: Vec<String> = kws.iter().map(|s| s.to_string()).collect();
        let ac = aho_corasick::AhoCorasick::new(kws).unwrap();
        let dfa = KeywordDfa::new(&kwv).unwrap();
        let mut rng = crate::vectors::Rng::new(3);
        for len in [0usize, 10, 255, 256, 1000, 4099, 10_007, 65_536] {
            let words = ["password", "aws", "x", " ", "secret_", "token", "://", "ghp_", "aaa", "pa", "ss"];
            let mut hay = String::new();
            while hay.len() < len {
                hay.push_str(words[rng.below(words.len())]);
            }
            let want: Vec<(usize, usize, usize)> = ac
                .find_overlapping_iter(&hay)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            let mut got = Vec::new();
            dfa.for_each_hit(hay.as_bytes(), |h| got.push((h.keyword, h.start, h.end)));
            let mut w = want.clone();
            w.sort_by_key(|x| (x.2, x.1, x.0));
            let mut g = got.clone();
            g.sort_by_key(|x| (x.2, x.1, x.0));
            assert_eq!(g, w, "len {len}");
            assert!(got.windows(2).all(|p| p[0].2 <= p[1].2), "hits not in end order");
        }
    }

    #[test]
    fn agrees_with_aho_corasick() {
        let kws = ["password", "pass", "sword", "word", "ord", "aws", "secret_", "secret", "://", "a"];
        let hay = "my password: swordfish aws_secret_access_key https://x a secret_key passwords";
        let kwv: Vec<String> = kws.iter().map(|s| s.to_string()).collect();
        let ac = aho_corasick::AhoCorasick::new(kws).unwrap();
        let mut want: Vec<(usize, usize, usize)> =
            ac.find_overlapping_iter(hay).map(|m| (m.pattern().as_usize(), m.start(), m.end())).collect();
        let dfa = KeywordDfa::new(&kwv).unwrap();
        let mut got = Vec::new();
        dfa.for_each_hit(hay.as_bytes(), |h| got.push((h.keyword, h.start, h.end)));
        want.sort_by_key(|x| (x.2, x.0));
        got.sort_by_key(|x| (x.2, x.0));
        assert_eq!(got, want);
    }
}
