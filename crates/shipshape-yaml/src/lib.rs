//! YAML front end with byte spans for shipshape: Compose files, Kubernetes manifests and
//! `docker inspect` JSON (JSON is YAML 1.2 flow syntax, so it goes through the same [`parse`]).
//!
//! [`parse`] turns a text into a [`Stream`] of [`Document`]s whose [`Node`]s carry UTF-8 byte
//! [`Span`]s into the text, plus the comments of the text (for inline suppressions) and every
//! error met. It never panics and never fails as a whole: what parsed before an error is kept.
//!
//! # What the tree looks like
//!
//! * **Spans** cover a node's own text: a scalar's token including its quotes (a block scalar from
//!   its `|`/`>` indicator to its last non-blank character), a flow collection from its bracket
//!   to its closing bracket, a block collection from its first character (the first key, or the
//!   first `-`) to the last character of its last entry. Node properties (`&anchor`, `!tag`) are
//!   not part of the span. An implicit null (`key:` with nothing after it) has an empty span
//!   right after the `:`.
//! * **Aliases** (`*a`) are expanded: the node is a clone of the anchored node, with the span of
//!   the anchored original, its `anchor` name, and `alias_span` set to the `*a` token. Every
//!   expanded node counts against [`Limits::max_nodes`], so alias bombs fail fast.
//! * **Merge keys** (`<<: *base`, `<<: [*a, *b]`, `<<: {inline}`) are expanded when
//!   [`Limits::expand_merge_keys`] is set (the default), as Compose and go-yaml do: keys written
//!   in the mapping win over merged ones, and earlier sources win over later ones. Merged entries
//!   keep the spans of the lines that defined them; their key nodes get `alias_span` set to the
//!   `*a` token of the `<<` entry they came through (when the source was an alias).
//! * **Duplicate keys** are reported in [`Stream::errors`] (Compose and Kubernetes both reject
//!   them); the mapping keeps every entry and [`Node::get`] returns the last one, as go-yaml v2 and
//!   `encoding/json` would.
//! * **Scalars**: plain `~`, `null`, `Null`, `NULL` and empty plain scalars are [`NodeValue::Null`]
//!   (unless tagged with a core tag other than `!!null`); everything else stays text with its
//!   [`ScalarStyle`]. Typed views ([`Node::bool_yaml11`], [`Node::int`], ...) resolve on demand.
//! * **Tags** are kept as written in short form: `!!str` for the core schema, `!Ref` for local
//!   tags, the resolved prefix + suffix for `%TAG` handles, the URI for verbatim `!<...>` tags.
//!
//! # Errors and recovery
//!
//! A syntax error or a limit ends the document it occurs in; the part of it built so far is
//! kept (with [`Document::complete`] = `false`) when it had any node. saphyr reads ahead while a
//! simple key is possible, so an error late in a one-line flow collection (compact JSON) can
//! surface before any of that collection's nodes, and then nothing of it is kept. saphyr cannot
//! resume after an error, so parsing restarts at the next line that begins with `---` after the
//! error position and after the start of the failed document (document markers cannot occur
//! inside any scalar, so this is a safe resync point); without one, parsing stops. Exceeding
//! [`Limits::max_nodes`] or [`Limits::max_documents`], excessive aliasing, or 1000 errors stop
//! parsing altogether.
//!
//! Two kinds of valid input that saphyr rejects are accepted by patching the copy saphyr reads
//! (same length, so offsets do not move) and parsing again: a tab right after `:`
//! (`key:<TAB>value`), and JSON surrogate-pair escapes (`"\ud83d\ude00"`).
//!
//! # Comments
//!
//! saphyr drops comments, so [`Stream::comments`] are found in the text: a `#` at the start of
//! the text or after a blank or line break starts a comment unless it lies inside a scalar the
//! parser reported (quoted scalars, plain scalars, the content lines of block scalars; a block
//! scalar's header line can carry a comment). In text that was not parsed (after an error with
//! no later `---`), a `#` inside a quoted string there may be reported as a comment.
//!
//! # Limits and timings
//!
//! The classic nine-level "billion laughs" alias bomb stops after a few thousand nodes (go-yaml's
//! alias ratio rule) in well under a millisecond; collections nested deeper than
//! [`Limits::max_depth`] (flow collections deeper than 255, saphyr's own limit) stop the document
//! without recursion; scalars over [`Limits::max_scalar_len`] are rejected after a linear scan.

#![warn(missing_docs)]

mod builder;
mod comments;
mod offsets;

use shipshape_model::span::Span;
use std::fmt;

/// Resource limits for [`parse`], so hostile input fails fast with bounded memory and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Deepest allowed nesting of collections, counted after alias expansion (default 256).
    pub max_depth: usize,
    /// Most nodes built for the whole stream, counting every node an alias expansion clones and
    /// the copy kept of each anchored node that some `*alias` may refer to (default 1,000,000).
    /// Independently, as in go-yaml, once a stream has more than 1000 nodes, nodes cloned by
    /// aliases may not make up more than 99% of them ("excessive aliasing").
    pub max_nodes: usize,
    /// Longest allowed scalar value, in bytes after unescaping (default 16 MiB).
    pub max_scalar_len: usize,
    /// Most documents in one stream (default 10,000).
    pub max_documents: usize,
    /// Expand merge keys `<<` (default `true`); when `false`, `<<` stays an ordinary key.
    pub expand_merge_keys: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 256,
            max_nodes: 1_000_000,
            max_scalar_len: 16 * 1024 * 1024,
            max_documents: 10_000,
            expand_merge_keys: true,
        }
    }
}

/// An error met while parsing, with the span it points at (line and column follow from the
/// span with `shipshape_model::source::LineIndex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What went wrong, without location (the span carries it).
    pub message: String,
    /// Where: the offending token, or an empty span at the position a syntax error was found.
    pub span: Span,
}

impl YamlError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Self {
        Self { message: message.into(), span }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

/// One comment: from its `#` to the end of its line (without the line break).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The comment text, `#` included.
    pub text: String,
    /// Where the comment is; `span.slice(text) == self.text`.
    pub span: Span,
}

/// One YAML document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's root node ([`NodeValue::Null`] for an empty document).
    pub root: Node,
    /// From the `---` marker (or the root's first character) to the root's last character.
    pub span: Span,
    /// `false` when an error cut the document short: `root` then holds what was built before it.
    pub complete: bool,
}

/// The result of [`parse`]: every document, every comment and every error, in text order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    /// The documents, complete ones and the parts of broken ones.
    pub documents: Vec<Document>,
    /// Every comment of the text, in order.
    pub comments: Vec<Comment>,
    /// Syntax errors, limit errors and semantic errors (duplicate keys, bad merge values).
    pub errors: Vec<YamlError>,
}

impl Stream {
    /// Whether the text parsed without any error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The comments whose span starts within `span` (for example the comments on the lines of a
    /// node), in order.
    pub fn comments_in(&self, span: Span) -> impl Iterator<Item = &Comment> {
        let first = self.comments.partition_point(|c| c.span.start < span.start);
        self.comments.get(first..).unwrap_or(&[]).iter().take_while(move |c| c.span.start < span.end)
    }
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: NodeValue,
    /// The node's own text (see the crate documentation); for an alias, the anchored original.
    pub span: Span,
    /// The node's tag in short form (`!!str`, `!Ref`), when it had one.
    pub tag: Option<String>,
    /// The anchor name (without `&`) the node defined, or, for an alias, the name it referred to.
    pub anchor: Option<String>,
    /// When this node came from an alias `*a`: the span of that `*a` token. Key nodes of
    /// entries merged through `<<: *a` carry the `*a` token too.
    pub alias_span: Option<Span>,
}

/// The content of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// `~`, `null`, `Null`, `NULL` (plain) or nothing at all.
    Null,
    /// Any other scalar.
    Scalar(Scalar),
    /// A sequence, in order.
    Sequence(Vec<Node>),
    /// A mapping's entries in order (after merge-key expansion; duplicates kept).
    Mapping(Vec<(Node, Node)>),
}

/// A scalar's value (after unescaping and folding) and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value, as the YAML processor sees it.
    pub text: String,
    /// How the scalar was written.
    pub style: ScalarStyle,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    /// Unquoted.
    Plain,
    /// `'single quoted'`.
    SingleQuoted,
    /// `"double quoted"`.
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
}

/// Parses a YAML (or JSON) stream. Never panics; see the crate documentation for what the tree
/// holds and how errors are recovered from.
pub fn parse(text: &str, limits: &Limits) -> Stream {
    builder::parse_stream(text, limits)
}

impl Node {
    /// A node built by hand (tests, synthesized defaults): no tag, anchor or alias.
    pub fn new(value: NodeValue, span: Span) -> Self {
        Self { value, span, tag: None, anchor: None, alias_span: None }
    }

    /// Where this node appears in the text at its position in the tree: the `*a` token for an
    /// alias, otherwise [`Node::span`].
    pub fn source_span(&self) -> Span {
        self.alias_span.unwrap_or(self.span)
    }

    /// The value of key `key` in a mapping, matched against the text of scalar keys (any style).
    /// With duplicate keys (an error recorded in [`Stream::errors`]) the last one wins.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of key `key` (last one wins, as for [`Node::get`]). Findings
    /// about "this key is set" point at the key node's span.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_mapping()?.iter().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
    }

    /// Follows a path of mapping keys: `node.get_path(&["services", "web", "image"])`.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The scalar text (any style); `None` for nulls and collections.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The scalar, when this node is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            NodeValue::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping.
    pub fn as_mapping(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            NodeValue::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence.
    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// Whether the node is null (`~`, `null`, or nothing).
    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }

    /// The text of a scalar that may be read as core type `core` (`"bool"`, `"int"`, `"float"`):
    /// tagged `!!core` (any style), or plain and not tagged with another core tag nor with the
    /// non-specific tag `!`. Local tags (`!Ref`, Compose's `!override`) do not change how a
    /// plain scalar resolves.
    fn typed_text(&self, core: &str) -> Option<&str> {
        let NodeValue::Scalar(s) = &self.value else { return None };
        match self.tag.as_deref() {
            // The non-specific tag `!` makes a scalar a string.
            Some("!") => None,
            Some(tag) => match tag.strip_prefix("!!") {
                Some(t) => (t == core).then_some(s.text.as_str()),
                None => (s.style == ScalarStyle::Plain).then_some(s.text.as_str()),
            },
            None => (s.style == ScalarStyle::Plain).then_some(s.text.as_str()),
        }
    }

    /// YAML 1.1 booleans as Kubernetes (go-yaml v2) and Compose read them: `y|Y|yes|Yes|YES|
    /// n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`, for plain scalars
    /// (or any style tagged `!!bool`). Quoted `"yes"` is a string: `None`.
    pub fn bool_yaml11(&self) -> Option<bool> {
        match self.typed_text("bool")? {
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
            "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
                Some(false)
            }
            _ => None,
        }
    }

    /// YAML 1.2 core-schema booleans: `true|True|TRUE|false|False|FALSE`, plain (or `!!bool`).
    pub fn bool_yaml12(&self) -> Option<bool> {
        match self.typed_text("bool")? {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// Integers of plain scalars (or any style tagged `!!int`), as go-yaml resolves them:
    /// optional sign, then decimal, `0x` hex, `0o` octal, `0b` binary, or a leading `0` for
    /// YAML 1.1 octal (`0644` is 420, as Kubernetes reads file modes), with `_` separators
    /// allowed after the first digit. Quoted scalars, overflow and sexagesimal (`1:30`) → `None`.
    pub fn int(&self) -> Option<i64> {
        parse_int(self.typed_text("int")?)
    }

    /// Floats of plain scalars (or any style tagged `!!float`): every value [`Node::int`]
    /// accepts, decimals with optional exponent (`1.5`, `.5`, `1e3`, `_` separators allowed),
    /// and `.inf`, `-.inf`, `.nan` (in the YAML spellings only).
    pub fn float(&self) -> Option<f64> {
        let NodeValue::Scalar(_) = &self.value else { return None };
        if let Some(text) = self.typed_text("float") {
            return parse_float(text);
        }
        // An `!!int` is also a number.
        self.typed_text("int").and_then(parse_int).map(|i| i as f64)
    }
}

/// go-yaml style integer resolution (see [`Node::int`]).
fn parse_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    if !body.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    let lower = |i: usize| body.as_bytes().get(i).map(u8::to_ascii_lowercase);
    let (radix, digits) = match (lower(0), lower(1)) {
        (Some(b'0'), Some(b'x')) => (16, body.get(2..)?),
        (Some(b'0'), Some(b'o')) => (8, body.get(2..)?),
        (Some(b'0'), Some(b'b')) => (2, body.get(2..)?),
        (Some(b'0'), Some(_)) => (8, body.get(1..)?),
        _ => (10, body),
    };
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(&cleaned, radix).ok()?;
    if negative {
        if magnitude == 1u64 << 63 { Some(i64::MIN) } else { i64::try_from(magnitude).ok().map(|m| -m) }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// YAML float resolution (see [`Node::float`]).
fn parse_float(text: &str) -> Option<f64> {
    if let Some(i) = parse_int(text) {
        return Some(i as f64);
    }
    let (sign, body) = match text.as_bytes().first()? {
        b'-' => (-1.0, text.get(1..)?),
        b'+' => (1.0, text.get(1..)?),
        _ => (1.0, text),
    };
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(sign * f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" if text == body => return Some(f64::NAN),
        _ => {}
    }
    // [0-9][0-9_]*(\.[0-9_]*)? | \.[0-9][0-9_]*  then  ([eE][-+]?[0-9]+)?
    let bytes = body.as_bytes();
    let mut i = 0;
    let int_digits = bytes.iter().take_while(|b| b.is_ascii_digit() || **b == b'_').count();
    if int_digits > 0 && bytes.first() == Some(&b'_') {
        return None;
    }
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = bytes.get(i..)?.iter().take_while(|b| b.is_ascii_digit() || **b == b'_').count();
        if int_digits == 0 && bytes.get(i) == Some(&b'_') {
            return None;
        }
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp_digits = bytes.get(i..)?.iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != bytes.len() {
        return None;
    }
    let cleaned: String = body.chars().filter(|&c| c != '_').collect();
    cleaned.parse::<f64>().ok().map(|v| sign * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_forms() {
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("-17"), Some(-17));
        assert_eq!(parse_int("+1_000"), Some(1000));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("0o17"), Some(15));
        assert_eq!(parse_int("0644"), Some(420));
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int("9223372036854775808"), None);
        for bad in ["", "-", "0x", "08", "_1", "1.0", "1:30", "8080:80", "12a", "0x_"] {
            assert_eq!(parse_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn float_forms() {
        assert_eq!(parse_float("1.5"), Some(1.5));
        assert_eq!(parse_float("-.5"), Some(-0.5));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("1."), Some(1.0));
        assert_eq!(parse_float("1_000.5"), Some(1000.5));
        assert_eq!(parse_float("2"), Some(2.0));
        assert_eq!(parse_float("08"), Some(8.0));
        assert_eq!(parse_float("-.inf"), Some(f64::NEG_INFINITY));
        assert!(parse_float(".NaN").is_some_and(f64::is_nan));
        for bad in ["", ".", "inf", "nan", "infinity", "1e", "e3", "1.5.2", "-.nan", "0.5s"] {
            assert_eq!(parse_float(bad), None, "{bad}");
        }
    }
}
