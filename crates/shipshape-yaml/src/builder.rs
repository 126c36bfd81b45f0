//! Builds the node tree from saphyr's events, iteratively (an explicit stack of open
//! collections), enforcing the limits, expanding aliases and merge keys, and recovering from
//! errors at the next `---` line.

use crate::comments::find_comments;
use crate::offsets::OffsetMap;
use crate::{Document, Limits, Node, NodeValue, Scalar, ScalarStyle, Stream, YamlError};
use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Tag};
use shipshape_model::span::Span;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The core-schema tag prefix (`!!`).
const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// How many times the input is patched and parsed again before giving up (see `parse_stream`).
const MAX_RETRIES: usize = 64;

/// Most errors recorded for one stream; past it parsing stops (a stream of thousands of broken
/// documents, or a mapping with a million duplicate keys, must not grow the error list without end).
const MAX_ERRORS: usize = 1000;

/// saphyr's message for a tab between `:` and a plain scalar or `-` (valid YAML 1.2).
const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

/// saphyr's message for a `\u` escape that is not a Unicode scalar value (a UTF-16 surrogate).
const BAD_ESCAPE: &str = "while parsing a quoted scalar, found invalid Unicode character escape code";

/// Parses a whole stream.
///
/// Two kinds of valid input that saphyr rejects are handled by patching what saphyr reads and
/// parsing again (up to [`MAX_RETRIES`] times), while spans, comments and every other text look-up
/// keep using the original text. Each patch keeps the length in bytes and in characters of the
/// text outside the patched double-quoted string, so all offsets stay valid:
///
/// * `key:<TAB>value` (a tab, and no space, between `:` and a plain scalar or `-`), which YAML 1.2
///   and go-yaml accept: the tabs are read as spaces (the separator is never part of a scalar).
/// * JSON surrogate pairs in double-quoted strings (`"\ud83d\ude00"`, as Python's `json.dumps`
///   writes them): each pair becomes the equivalent `\U0001F600` escape and the two bytes saved
///   become blanks after the string's closing quote.
pub(crate) fn parse_stream(text: &str, limits: &Limits) -> Stream {
    let mut patched: Option<String> = None;
    for _ in 0..MAX_RETRIES {
        let input = patched.as_deref().unwrap_or(text);
        match parse_once(text, input, limits, true) {
            Ok(stream) => return stream,
            Err(patches) => {
                let mut next = input.to_owned();
                for (at, replacement) in patches {
                    if next.get(at..at + replacement.len()).is_some() {
                        next.replace_range(at..at + replacement.len(), &replacement);
                    }
                }
                patched = Some(next);
            }
        }
    }
    let input = patched.as_deref().unwrap_or(text);
    parse_once(text, input, limits, false).unwrap_or_default()
}

/// One parse of the stream: saphyr reads `input` (the text, possibly patched), everything else
/// uses `text`. `Err` holds patches to apply to `input` before trying again (only when `patch`).
fn parse_once(text: &str, input: &str, limits: &Limits, patch: bool) -> Result<Stream, Vec<(usize, String)>> {
    let mut builder = Builder {
        text,
        input,
        bytes: text.as_bytes(),
        limits,
        map: OffsetMap::new(text),
        alias_names: alias_names(text),
        nodes_used: 0,
        tree_nodes: 0,
        alias_nodes: 0,
        documents: Vec::new(),
        errors: Vec::new(),
        scalar_ranges: Vec::new(),
        patch,
    };
    let mut start = 0;
    loop {
        match builder.run(start) {
            RunEnd::Done | RunEnd::Stop => break,
            RunEnd::Failed { at, doc_start } => match resync_point(text, at, start.max(doc_start)) {
                Some(next) => start = next,
                None => break,
            },
            RunEnd::Patch(patches) => return Err(patches),
        }
    }
    let comments = find_comments(text, &mut builder.scalar_ranges);
    Ok(Stream { documents: builder.documents, comments, errors: builder.errors })
}

/// Rewrites the double-quoted string opening at `open` in `input` so that its UTF-16 surrogate
/// pair escapes become `\U` escapes, padded with blanks after the closing quote. `None` when the
/// string has no valid pair or is not terminated.
fn surrogate_patch(input: &str, open: usize) -> Option<(usize, String)> {
    let body = input.get(open..)?.strip_prefix('"')?;
    let hex4 = |s: &str| -> Option<u32> {
        let digits = s.get(..4)?;
        if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(digits, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(body.len() + 1);
    out.push('"');
    let mut pairs = 0;
    let mut rest = body;
    loop {
        let mut chars = rest.chars();
        match chars.next()? {
            '"' => break,
            '\\' => {
                let high = rest.strip_prefix("\\u").and_then(hex4);
                let low = rest.get(6..).and_then(|r| r.strip_prefix("\\u")).and_then(hex4);
                match (high, low) {
                    (Some(h @ 0xd800..=0xdbff), Some(l @ 0xdc00..=0xdfff)) => {
                        let code = 0x10000 + ((h - 0xd800) << 10) + (l - 0xdc00);
                        out.push_str(&format!("\\U{code:08X}"));
                        pairs += 1;
                        rest = rest.get(12..)?;
                    }
                    _ => {
                        // Any other escape: copy the backslash and the escaped character.
                        let escaped = chars.next()?;
                        out.push('\\');
                        out.push(escaped);
                        rest = chars.as_str();
                    }
                }
            }
            c => {
                out.push(c);
                rest = chars.as_str();
            }
        }
    }
    if pairs == 0 {
        return None;
    }
    out.push('"');
    out.push_str(&" ".repeat(2 * pairs));
    Some((open, out))
}

/// How one parser run ended.
enum RunEnd {
    /// The stream ended normally.
    Done,
    /// An error at byte `at`, in the document starting at `doc_start`, ended the run; parsing may
    /// resume at a later document.
    Failed { at: usize, doc_start: usize },
    /// A stream-wide limit was hit: stop parsing.
    Stop,
    /// saphyr rejected valid input: apply these patches (offset, same-length replacement) to
    /// what it reads and parse again.
    Patch(Vec<(usize, String)>),
}

/// A fatal error inside a run.
enum Fatal {
    /// Ends the document; parsing may resume at the next `---`.
    Resync(YamlError, usize),
    /// Ends the stream.
    Stop(YamlError),
}

/// The first line at or after the line of `error_at`, and after `not_before` (the start of the
/// run or of the failed document), that starts a document (`---` followed by a blank, a line
/// break or the end of the text).
fn resync_point(text: &str, error_at: usize, not_before: usize) -> Option<usize> {
    let error_at = error_at.min(text.len());
    let line_start = text.get(..error_at)?.rfind('\n').map_or(0, |i| i + 1);
    let next_line = |from: usize| text.get(from..)?.find('\n').map(|i| from + i + 1);
    let mut candidate = if line_start > not_before { line_start } else { next_line(not_before)? };
    loop {
        let rest = text.get(candidate..)?;
        if let Some(after) = rest.strip_prefix("---")
            && matches!(after.as_bytes().first(), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
        {
            return Some(candidate);
        }
        candidate = next_line(candidate)?;
    }
}

/// Names that follow a `*` anywhere in the text (sorted, deduplicated): a superset of the aliases
/// used. Anchored nodes whose name is not among them are never copied for later expansion.
fn alias_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('*') {
        let after = rest.get(i + 1..).unwrap_or("");
        let len = after.find(|c: char| !is_anchor_char(c)).unwrap_or(after.len());
        if len > 0 {
            names.push(after.get(..len).unwrap_or(""));
        }
        rest = after.get(len..).unwrap_or("");
    }
    names.sort_unstable();
    names.dedup();
    names
}

fn is_anchor_char(c: char) -> bool {
    !matches!(c, ' ' | '\t' | '\r' | '\n' | '\0' | '\u{feff}' | ',' | '[' | ']' | '{' | '}')
}

fn is_blank_or_break(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// An anchored node kept for later aliases.
struct Anchored {
    node: Node,
    /// Nodes in the subtree.
    count: usize,
    /// Collection levels in the subtree (0 for a scalar).
    height: usize,
}

/// An open collection.
struct Frame {
    body: Body,
    start: usize,
    flow: bool,
    tag: Option<String>,
    anchor: Option<String>,
    anchor_id: usize,
    count: usize,
    height: usize,
}

enum Body {
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>, Option<Node>),
}

/// The document being built.
struct DocState {
    /// Where the document starts (its `---`, or the start of its first token).
    start: usize,
    /// End of its `---` marker, when explicit.
    marker_end: Option<usize>,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Anchored, BuildHasherDefault<IdHasher>>,
}

/// Hashes saphyr's sequential anchor ids (Fibonacci hashing; no need for SipHash's resistance:
/// the ids are not chosen by the input).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

struct Builder<'t> {
    /// The text: spans, comments and every look-up use it.
    text: &'t str,
    /// What saphyr reads: the text, or a patched copy of the same length (see `parse_stream`).
    input: &'t str,
    bytes: &'t [u8],
    limits: &'t Limits,
    map: OffsetMap,
    alias_names: Vec<&'t str>,
    /// Every node built, anchor copies included (checked against `max_nodes`).
    nodes_used: usize,
    /// Nodes of the trees: one per node event plus every node an alias expansion cloned.
    tree_nodes: usize,
    /// Nodes cloned by alias expansion.
    alias_nodes: usize,
    documents: Vec<Document>,
    errors: Vec<YamlError>,
    scalar_ranges: Vec<(usize, usize)>,
    /// Whether to ask for a patched re-parse when saphyr rejects valid input (see `parse_stream`).
    patch: bool,
}

/// A finished node and its size, ready to be attached to its parent.
struct Built {
    node: Node,
    count: usize,
    height: usize,
    anchor_id: usize,
}

impl<'t> Builder<'t> {
    /// Parses the text from byte `start` (a line start) with a fresh saphyr parser.
    fn run(&mut self, start: usize) -> RunEnd {
        let sub = self.input.get(start..).unwrap_or("");
        let base_char = self.map.char_of_byte(self.text, start);
        let mut parser = Parser::new_from_str(sub);
        let mut doc: Option<DocState> = None;
        // End (byte) of the previous event, where a block scalar's header search begins.
        let mut last_end = start;
        loop {
            let next = catch_unwind(AssertUnwindSafe(|| parser.next_event()));
            let (event, span) = match next {
                Ok(None) => return RunEnd::Done,
                Ok(Some(Ok(pair))) => pair,
                Ok(Some(Err(err))) => {
                    let at = self.map.byte_of_char(self.text, base_char + err.marker().index());
                    let (message, span) = self.describe_scan_error(err.info(), at);
                    if self.patch {
                        let patches = match err.info() {
                            TAB_AFTER_COLON => self.tabs_before(at),
                            BAD_ESCAPE => surrogate_patch(self.input, at).into_iter().collect(),
                            _ => Vec::new(),
                        };
                        if !patches.is_empty() {
                            return RunEnd::Patch(patches);
                        }
                    }
                    return self.fail(doc, Fatal::Resync(YamlError::new(message, span), at));
                }
                Err(_) => {
                    let err =
                        YamlError::new("internal YAML parser error", Span::from_range(last_end..last_end));
                    return self.fail(doc, Fatal::Resync(err, last_end));
                }
            };
            let s = self.map.byte_of_char(self.text, base_char + span.start.index());
            let e = self.map.byte_of_char(self.text, base_char + span.end.index()).max(s);
            let outcome = match event {
                Event::Nothing | Event::StreamStart => Ok(()),
                Event::StreamEnd => return RunEnd::Done,
                Event::DocumentStart(explicit) => {
                    if self.documents.len() >= self.limits.max_documents {
                        let err = YamlError::new(
                            format!("too many documents (the limit is {})", self.limits.max_documents),
                            Span::from_range(s..e),
                        );
                        return self.fail(doc, Fatal::Stop(err));
                    }
                    doc = Some(DocState {
                        start: s,
                        marker_end: explicit.then_some(e),
                        stack: Vec::new(),
                        root: None,
                        anchors: HashMap::default(),
                    });
                    Ok(())
                }
                Event::DocumentEnd => {
                    if let Some(state) = doc.take() {
                        self.finish_document(state, true);
                    }
                    Ok(())
                }
                Event::Alias(id) => match doc.as_mut() {
                    Some(state) => self.alias(state, id, s, e),
                    None => Ok(()),
                },
                Event::Scalar(value, style, anchor_id, tag) => match doc.as_mut() {
                    Some(state) => {
                        self.scalar(state, value, style, anchor_id, tag.as_deref(), s, e, last_end)
                    }
                    None => Ok(()),
                },
                Event::SequenceStart(anchor_id, tag) => match doc.as_mut() {
                    Some(state) => self.open(state, Body::Seq(Vec::new()), anchor_id, tag.as_deref(), s),
                    None => Ok(()),
                },
                Event::MappingStart(anchor_id, tag) => match doc.as_mut() {
                    Some(state) => {
                        self.open(state, Body::Map(Vec::new(), None), anchor_id, tag.as_deref(), s)
                    }
                    None => Ok(()),
                },
                Event::SequenceEnd | Event::MappingEnd => match doc.as_mut() {
                    Some(state) => self.close(state, s, true),
                    None => Ok(()),
                },
            };
            if let Err(fatal) = outcome {
                return self.fail(doc, fatal);
            }
            last_end = e;
        }
    }

    /// A clearer message and span for some of saphyr's errors.
    fn describe_scan_error(&self, info: &str, at: usize) -> (String, Span) {
        match info {
            "recursion limit exceeded" => (
                "flow collections nested deeper than 255 levels".to_owned(),
                Span::from_range(at..(at + 1).min(self.text.len())),
            ),
            "while parsing node, found unknown anchor" => {
                let rest = self.text.get(at..).unwrap_or("");
                let len = rest
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| !is_anchor_char(c))
                    .map_or(rest.len(), |(i, _)| i);
                let name = rest.get(..len).unwrap_or("");
                (
                    format!("alias `{name}` refers to an anchor that is not defined"),
                    Span::from_range(at..at + len),
                )
            }
            _ => (info.to_owned(), Span::from_range(at..at)),
        }
    }

    /// Patches turning the tabs between a `:` and `at` (in what saphyr reads) into spaces.
    fn tabs_before(&self, at: usize) -> Vec<(usize, String)> {
        let bytes = self.input.as_bytes();
        let mut p = at.min(bytes.len());
        let mut tabs = Vec::new();
        while p > 0 && matches!(bytes.get(p - 1), Some(b' ' | b'\t')) {
            p -= 1;
            if bytes.get(p) == Some(&b'\t') {
                tabs.push((p, " ".to_owned()));
            }
        }
        if p > 0 && bytes.get(p - 1) == Some(&b':') { tabs } else { Vec::new() }
    }

    /// Records a fatal error, keeps the part of the document built so far, and says how to go on.
    fn fail(&mut self, doc: Option<DocState>, fatal: Fatal) -> RunEnd {
        let doc_start = doc.as_ref().map_or(0, |d| d.start);
        if let Some(mut state) = doc {
            // Close every open collection (no anchor registration, no limit checks).
            while !state.stack.is_empty() {
                let at = state.stack.last().map_or(0, |f| f.start);
                if self.close(&mut state, at, false).is_err() {
                    break;
                }
            }
            if state.root.is_some() {
                self.finish_document(state, false);
            }
        }
        match fatal {
            Fatal::Resync(err, at) => {
                if self.push_error(err) {
                    RunEnd::Failed { at, doc_start }
                } else {
                    RunEnd::Stop
                }
            }
            Fatal::Stop(err) => {
                self.push_error(err);
                RunEnd::Stop
            }
        }
    }

    /// Records an error unless [`MAX_ERRORS`] were recorded already; the last slot says so.
    /// Returns whether parsing may go on.
    fn push_error(&mut self, err: YamlError) -> bool {
        match self.errors.len() {
            n if n + 1 < MAX_ERRORS => {
                self.errors.push(err);
                true
            }
            n if n + 1 == MAX_ERRORS => {
                let span = err.span;
                self.errors.push(YamlError::new(
                    format!(
                        "too many errors ({MAX_ERRORS}); parsing stopped and later errors are not reported"
                    ),
                    span,
                ));
                false
            }
            _ => false,
        }
    }

    fn finish_document(&mut self, state: DocState, complete: bool) {
        let root = state.root.unwrap_or_else(|| {
            let at = state.marker_end.unwrap_or(state.start);
            Node::new(NodeValue::Null, Span::from_range(at..at))
        });
        let root_span = root.source_span();
        let start = if state.marker_end.is_some() {
            state.start
        } else {
            (root_span.start as usize).min(state.start)
        };
        let end = (root_span.end as usize).max(state.marker_end.unwrap_or(0)).max(start);
        self.documents.push(Document { root, span: Span::from_range(start..end), complete });
    }

    /// Counts `n` new nodes against the stream-wide budget.
    fn charge(&mut self, n: usize, at: Span) -> Result<(), Fatal> {
        match self.nodes_used.checked_add(n) {
            Some(total) if total <= self.limits.max_nodes => {
                self.nodes_used = total;
                Ok(())
            }
            _ => Err(Fatal::Stop(YamlError::new(
                format!(
                    "too many nodes (the limit is {}, aliases included): is this an alias bomb?",
                    self.limits.max_nodes
                ),
                at,
            ))),
        }
    }

    /// Skips a node's properties (`&anchor`, `!tag`, at most `count` of them) starting at `pos`.
    /// Returns the end of the last property, the start of the content after it (blanks, line
    /// breaks and comments skipped), and the anchor name.
    fn skip_props(&self, pos: usize, count: usize) -> (usize, usize, Option<String>) {
        let bytes = self.bytes;
        let mut p = pos;
        let mut props_end = pos;
        let mut anchor = None;
        for _ in 0..count {
            p = self.skip_separation(p);
            match bytes.get(p) {
                Some(b'&') => {
                    let name_start = p + 1;
                    let rest = self.text.get(name_start..).unwrap_or("");
                    let len = rest.find(|c: char| !is_anchor_char(c)).unwrap_or(rest.len());
                    anchor = rest.get(..len).map(str::to_owned);
                    p = name_start + len;
                }
                Some(b'!') => {
                    let rest = self.text.get(p..).unwrap_or("");
                    let len = if rest.starts_with("!<") {
                        rest.find('>').map_or(rest.len(), |i| i + 1)
                    } else {
                        rest.find(|c: char| !is_anchor_char(c)).unwrap_or(rest.len())
                    };
                    p += len;
                }
                _ => break,
            }
            props_end = p;
        }
        (props_end, self.skip_separation(props_end), anchor)
    }

    /// Skips blanks, line breaks and comments.
    fn skip_separation(&self, mut p: usize) -> usize {
        let bytes = self.bytes;
        loop {
            match bytes.get(p) {
                Some(b) if is_blank_or_break(*b) => p += 1,
                Some(b'#') if p == 0 || bytes.get(p - 1).copied().is_some_and(is_blank_or_break) => {
                    p = self.text.get(p..).and_then(|r| r.find('\n')).map_or(self.text.len(), |i| p + i);
                }
                _ => return p,
            }
        }
    }

    /// The anchor name for `anchor_id` as written at `s`, when the event carries properties.
    fn props(&self, s: usize, anchor_id: usize, tag: Option<&Tag>) -> (usize, usize, Option<String>) {
        let count = usize::from(anchor_id > 0) + usize::from(tag.is_some());
        if count == 0 {
            return (s, s, None);
        }
        let (props_end, content, anchor) = self.skip_props(s, count);
        (props_end, content, if anchor_id > 0 { anchor } else { None })
    }

    #[allow(clippy::too_many_arguments)]
    fn scalar(
        &mut self,
        state: &mut DocState,
        value: Cow<'_, str>,
        style: SaphyrStyle,
        anchor_id: usize,
        tag: Option<&Tag>,
        s: usize,
        e: usize,
        last_end: usize,
    ) -> Result<(), Fatal> {
        let (props_end, content, anchor) = self.props(s, anchor_id, tag);
        let has_props = props_end > s;
        let style = match style {
            SaphyrStyle::Plain => ScalarStyle::Plain,
            SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            SaphyrStyle::Literal => ScalarStyle::Literal,
            SaphyrStyle::Folded => ScalarStyle::Folded,
        };
        let implicit_empty = style == ScalarStyle::Plain && value.is_empty();
        let (start, end) = if implicit_empty {
            let at = if has_props {
                props_end
            } else if state.stack.is_empty() {
                state.marker_end.unwrap_or(s)
            } else if self.bytes.get(s) == Some(&b':') {
                s + 1
            } else {
                s
            };
            (at, at)
        } else if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            let (start, end, content_from) = self.block_scalar_bounds(content, e, has_props, last_end);
            if content_from < end {
                self.scalar_ranges.push((content_from, end));
            }
            (start, end)
        } else if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
            // saphyr's span runs on over blanks and a comment after the closing quote.
            let end = self.closing_quote_end(content, e, style == ScalarStyle::SingleQuoted);
            self.scalar_ranges.push((content, end));
            (content, end)
        } else {
            self.scalar_ranges.push((content, e));
            (content, e.max(content))
        };
        let span = Span::from_range(start..end);
        if value.len() > self.limits.max_scalar_len {
            let err = YamlError::new(
                format!(
                    "scalar of {} bytes is longer than the limit of {} bytes",
                    value.len(),
                    self.limits.max_scalar_len
                ),
                span,
            );
            return Err(Fatal::Resync(err, start));
        }
        self.charge(1, span)?;
        self.tree_nodes += 1;
        let tag = tag.map(short_tag);
        let plain = style == ScalarStyle::Plain;
        let is_null = match tag.as_deref() {
            None => plain && matches!(&*value, "" | "~" | "null" | "Null" | "NULL"),
            Some("!!null") => true,
            Some(t) if t.starts_with("!!") => false,
            Some(_) => plain && value.is_empty(),
        };
        let node_value = if is_null {
            NodeValue::Null
        } else {
            NodeValue::Scalar(Scalar { text: value.into_owned(), style })
        };
        let node = Node { value: node_value, span, tag, anchor, alias_span: None };
        self.attach(state, Built { node, count: 1, height: 0, anchor_id })
    }

    /// The end of a quoted scalar opening at `open`: just past its closing quote (at most `limit`).
    fn closing_quote_end(&self, open: usize, limit: usize, single: bool) -> usize {
        let bytes = self.bytes;
        let mut p = open + 1;
        while p < limit {
            match bytes.get(p) {
                Some(b'\\') if !single => p += 2,
                Some(b'\'') if single => {
                    if bytes.get(p + 1) == Some(&b'\'') {
                        p += 2;
                    } else {
                        return p + 1;
                    }
                }
                Some(b'"') if !single => return p + 1,
                Some(_) => p += 1,
                None => break,
            }
        }
        limit.max(open)
    }

    /// Span of a block scalar: from its `|`/`>` header to its last non-blank character; and where
    /// its content lines start (after the header line), for comment exclusion.
    fn block_scalar_bounds(
        &self,
        content: usize,
        e: usize,
        has_props: bool,
        last_end: usize,
    ) -> (usize, usize, usize) {
        let bytes = self.bytes;
        let is_indicator = |p: usize| matches!(bytes.get(p), Some(b'|' | b'>'));
        // With properties, the header follows them directly. Without, saphyr's span starts at the
        // first content line, so the header is the first `|`/`>` after the previous event.
        let header = if has_props && is_indicator(content) {
            Some(content)
        } else {
            self.find_header(last_end.min(content), content)
                .or_else(|| is_indicator(content).then_some(content))
        };
        let Some(header) = header else {
            return (content, e.max(content), content);
        };
        let mut header_end = header + 1;
        while matches!(bytes.get(header_end), Some(b'+' | b'-' | b'0'..=b'9')) {
            header_end += 1;
        }
        let mut end = e;
        while end > header_end && bytes.get(end - 1).copied().is_some_and(is_blank_or_break) {
            end -= 1;
        }
        let end = end.max(header_end);
        let content_from =
            self.text.get(header_end..).and_then(|r| r.find('\n')).map_or(end, |i| header_end + i + 1);
        (header, end, content_from)
    }

    /// The first `|` or `>` in `from..to` outside comments.
    fn find_header(&self, from: usize, to: usize) -> Option<usize> {
        let bytes = self.bytes;
        let mut p = from;
        while p < to {
            match bytes.get(p)? {
                b'|' | b'>' => return Some(p),
                b'#' if p > 0 && bytes.get(p - 1).copied().is_some_and(is_blank_or_break) => {
                    p = self.text.get(p..).and_then(|r| r.find('\n')).map_or(to, |i| p + i);
                }
                _ => p += 1,
            }
        }
        None
    }

    fn alias(&mut self, state: &mut DocState, id: usize, s: usize, e: usize) -> Result<(), Fatal> {
        let alias_span = Span::from_range(s..e);
        let name = self.text.get(s + 1..e).unwrap_or("");
        let Some(anchored) = state.anchors.get(&id) else {
            let err = YamlError::new(
                format!(
                    "alias `*{name}` refers to an anchor that is not defined in this document (or is still being defined)"
                ),
                alias_span,
            );
            return Err(Fatal::Resync(err, s));
        };
        let (count, height) = (anchored.count, anchored.height);
        if state.stack.len() + height > self.limits.max_depth {
            let err = YamlError::new(
                format!("expanding alias `*{name}` nests deeper than {} levels", self.limits.max_depth),
                alias_span,
            );
            return Err(Fatal::Resync(err, s));
        }
        self.charge(count, alias_span)?;
        self.tree_nodes = self.tree_nodes.saturating_add(count);
        self.alias_nodes = self.alias_nodes.saturating_add(count);
        // go-yaml's rule (which Compose and Kubernetes apply): once past 1000 nodes, nodes that
        // came from aliases may not make up more than 99% of them. Alias bombs trip it after a
        // few thousand nodes instead of filling the whole node budget.
        if self.alias_nodes > 100
            && self.tree_nodes > 1000
            && (self.alias_nodes as u128) * 100 > (self.tree_nodes as u128) * 99
        {
            let err = YamlError::new(
                format!(
                    "excessive aliasing: expanding `*{name}` brings alias-expanded nodes to {} of {} (is this an alias bomb?)",
                    self.alias_nodes, self.tree_nodes
                ),
                alias_span,
            );
            return Err(Fatal::Stop(err));
        }
        let mut node = match state.anchors.get(&id) {
            Some(anchored) => anchored.node.clone(),
            None => return Ok(()),
        };
        node.alias_span = Some(alias_span);
        self.attach(state, Built { node, count, height, anchor_id: 0 })
    }

    fn open(
        &mut self,
        state: &mut DocState,
        body: Body,
        anchor_id: usize,
        tag: Option<&Tag>,
        s: usize,
    ) -> Result<(), Fatal> {
        let (_, content, anchor) = self.props(s, anchor_id, tag);
        if state.stack.len() >= self.limits.max_depth {
            let err = YamlError::new(
                format!("collections nested deeper than {} levels", self.limits.max_depth),
                Span::from_range(
                    content
                        ..content
                            + self
                                .text
                                .get(content..)
                                .and_then(|r| r.chars().next())
                                .map_or(0, char::len_utf8),
                ),
            );
            return Err(Fatal::Resync(err, content));
        }
        self.charge(1, Span::from_range(content..content))?;
        self.tree_nodes += 1;
        let flow = matches!(self.bytes.get(content), Some(b'[' | b'{'));
        state.stack.push(Frame {
            body,
            start: content,
            flow,
            tag: tag.map(short_tag),
            anchor,
            anchor_id,
            count: 1,
            height: 1,
        });
        Ok(())
    }

    /// Closes the innermost collection (its end event starts at `s`). `complete` is false when
    /// closing after an error: then anchors are not registered.
    fn close(&mut self, state: &mut DocState, s: usize, complete: bool) -> Result<(), Fatal> {
        let Some(frame) = state.stack.pop() else { return Ok(()) };
        let bytes = self.bytes;
        let mut start = frame.start;
        let mut end = start;
        let mut cover = |node: &Node| {
            let span = node.source_span();
            start = start.min(span.start as usize);
            end = end.max(span.end as usize);
        };
        match &frame.body {
            Body::Seq(items) => items.iter().for_each(&mut cover),
            Body::Map(entries, pending) => {
                for (k, v) in entries {
                    cover(k);
                    cover(v);
                }
                if let Some(k) = pending {
                    cover(k);
                }
            }
        }
        if frame.flow {
            // The closing bracket (saphyr's span runs on over blanks and a comment after it);
            // after an error, at least the opening one.
            let closing = if matches!(bytes.get(s), Some(b']' | b'}')) { s + 1 } else { start + 1 };
            end = end.max(closing);
        }
        // A block sequence starts at its first `-` (saphyr may point past it).
        if matches!(frame.body, Body::Seq(_)) && !frame.flow && bytes.get(start) != Some(&b'-') {
            let mut p = start;
            while p > 0 && matches!(bytes.get(p - 1), Some(b' ' | b'\t')) {
                p -= 1;
            }
            if p > 0 && bytes.get(p - 1) == Some(&b'-') {
                start = p - 1;
            }
        }
        let span = Span::from_range(start..end);
        let value = match frame.body {
            Body::Seq(items) => NodeValue::Sequence(items),
            Body::Map(entries, _) => {
                self.check_duplicates(&entries);
                if self.limits.expand_merge_keys && entries.iter().any(|(k, _)| is_merge_key(k)) {
                    NodeValue::Mapping(self.merge(entries))
                } else {
                    NodeValue::Mapping(entries)
                }
            }
        };
        let node = Node { value, span, tag: frame.tag, anchor: frame.anchor, alias_span: None };
        let anchor_id = if complete { frame.anchor_id } else { 0 };
        self.attach(state, Built { node, count: frame.count, height: frame.height, anchor_id })
    }

    /// Records duplicate scalar keys (merge keys excepted).
    fn check_duplicates(&mut self, entries: &[(Node, Node)]) {
        if entries.len() < 2 {
            return;
        }
        let mut seen = KeySet::default();
        for entry in entries {
            if let Some(text) = key_text(entry)
                && !seen.insert(text)
            {
                self.push_error(duplicate_error(text, &entry.0));
            }
        }
    }

    /// Expands merge keys: keys written in the mapping win, then earlier sources over later ones.
    fn merge(&mut self, entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        // First pass, borrowing: which merged entries survive, in order.
        let keep: Vec<bool> = {
            let mut seen = KeySet::default();
            for text in entries.iter().filter_map(key_text) {
                seen.insert(text);
            }
            let mut keep = Vec::new();
            for (_, value) in entries.iter().filter(|(k, _)| is_merge_key(k)) {
                let sources: &[Node] = match &value.value {
                    NodeValue::Mapping(_) => std::slice::from_ref(value),
                    NodeValue::Sequence(items) => items,
                    _ => &[],
                };
                for source in sources {
                    for (k, _) in source.as_mapping().unwrap_or(&[]) {
                        keep.push(k.as_str().is_none_or(|text| seen.insert(text)));
                    }
                }
            }
            keep
        };
        // Second pass: move the entries.
        let mut keep = keep.into_iter();
        let mut out = Vec::with_capacity(entries.len() + keep.len());
        for (key, value) in entries {
            if !is_merge_key(&key) {
                out.push((key, value));
                continue;
            }
            let outer_alias = value.alias_span;
            let value_span = value.source_span();
            let sources = match value.value {
                NodeValue::Mapping(_) => vec![value],
                NodeValue::Sequence(items) => items,
                _ => {
                    self.push_error(YamlError::new(
                        "the value of a merge key `<<` must be a mapping or a sequence of mappings",
                        value_span,
                    ));
                    continue;
                }
            };
            for source in sources {
                let via = source.alias_span.or(outer_alias);
                let source_span = source.source_span();
                let NodeValue::Mapping(merged) = source.value else {
                    self.push_error(YamlError::new(
                        "a merge key `<<` sequence may only contain mappings",
                        source_span,
                    ));
                    continue;
                };
                for (mut k, v) in merged {
                    if !keep.next().unwrap_or(false) {
                        continue;
                    }
                    if k.alias_span.is_none() {
                        k.alias_span = via;
                    }
                    out.push((k, v));
                }
            }
        }
        out
    }

    /// Attaches a finished node to its parent (or makes it the document root), registering its
    /// anchor when some alias may refer to it.
    fn attach(&mut self, state: &mut DocState, built: Built) -> Result<(), Fatal> {
        let Built { node, count, height, anchor_id } = built;
        if anchor_id > 0 {
            let wanted =
                node.anchor.as_deref().is_none_or(|name| self.alias_names.binary_search(&name).is_ok());
            if wanted {
                self.charge(count, node.span)?;
                state.anchors.insert(anchor_id, Anchored { node: node.clone(), count, height });
            } else {
                state.anchors.remove(&anchor_id);
            }
        }
        match state.stack.last_mut() {
            None => state.root = Some(node),
            Some(parent) => {
                parent.count = parent.count.saturating_add(count);
                parent.height = parent.height.max(height + 1);
                match &mut parent.body {
                    Body::Seq(items) => items.push(node),
                    Body::Map(entries, pending) => match pending.take() {
                        None => *pending = Some(node),
                        Some(key) => entries.push((key, node)),
                    },
                }
            }
        }
        Ok(())
    }
}

/// A set of key texts: a vector while small (most mappings), hashed past 32 keys.
#[derive(Default)]
struct KeySet<'a> {
    small: Vec<&'a str>,
    large: Option<HashSet<&'a str>>,
}

impl<'a> KeySet<'a> {
    /// Adds `key`; returns whether it was new.
    fn insert(&mut self, key: &'a str) -> bool {
        if let Some(large) = &mut self.large {
            return large.insert(key);
        }
        if self.small.contains(&key) {
            return false;
        }
        self.small.push(key);
        if self.small.len() > 32 {
            self.large = Some(self.small.drain(..).collect());
        }
        true
    }
}

/// The text of a scalar key other than the merge key.
fn key_text(entry: &(Node, Node)) -> Option<&str> {
    if is_merge_key(&entry.0) { None } else { entry.0.as_str() }
}

fn duplicate_error(text: &str, node: &Node) -> YamlError {
    YamlError::new(format!("duplicate mapping key `{text}`"), node.source_span())
}

/// Whether a key is the merge key: plain `<<` (or tagged `!!merge`).
fn is_merge_key(key: &Node) -> bool {
    match &key.value {
        NodeValue::Scalar(s) => {
            s.text == "<<"
                && match key.tag.as_deref() {
                    None => s.style == ScalarStyle::Plain,
                    Some(t) => t == "!!merge",
                }
        }
        _ => false,
    }
}

/// A tag in the short form it is usually written in: `!!str` for core tags (however written),
/// `!local`, and prefix + suffix for `%TAG` handles and other verbatim tags.
fn short_tag(tag: &Tag) -> String {
    let full =
        if tag.handle == "!" { format!("!{}", tag.suffix) } else { format!("{}{}", tag.handle, tag.suffix) };
    match full.strip_prefix(CORE_PREFIX) {
        Some(core) => format!("!!{core}"),
        None => full,
    }
}
