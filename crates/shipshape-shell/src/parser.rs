//! A recursive-descent parser for POSIX sh with the bash extensions found in Dockerfiles.
//!
//! It reads a text once, left to right: every loop consumes input or stops, so time is linear
//! in the input (times the bounded nesting of `sh -c` strings and backticks, which are parsed
//! again as text of their own). Recursion is bounded by [`MAX_DEPTH`]; past it the rest of the
//! construct is skipped and an error recorded. A syntax error never stops the parse: it is
//! recorded with its span and parsing resumes at the next token, so the rest of the script is
//! still read.

use crate::command::{self, ShellCall};
use crate::map::OffsetMap;
use crate::model::*;
use shipshape_model::Span;

/// Nesting limit for compound commands, substitutions and nested shells together.
pub(crate) const MAX_DEPTH: u32 = 100;
/// Nesting limit for shells in shells (`sh -c "sh -c '...'"`, backticks in backticks).
pub(crate) const MAX_NESTED_SHELLS: u32 = 8;

/// Keywords and reserved words, recognised only where a command starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    If,
    Then,
    Elif,
    Else,
    Fi,
    Do,
    Done,
    Case,
    Esac,
    While,
    Until,
    For,
    Select,
    LBrace,
    RBrace,
    Bang,
    DLBracket,
    Function,
}

impl Kw {
    fn from_word(word: &[u8]) -> Option<Kw> {
        Some(match word {
            b"if" => Kw::If,
            b"then" => Kw::Then,
            b"elif" => Kw::Elif,
            b"else" => Kw::Else,
            b"fi" => Kw::Fi,
            b"do" => Kw::Do,
            b"done" => Kw::Done,
            b"case" => Kw::Case,
            b"esac" => Kw::Esac,
            b"while" => Kw::While,
            b"until" => Kw::Until,
            b"for" => Kw::For,
            b"select" => Kw::Select,
            b"{" => Kw::LBrace,
            b"}" => Kw::RBrace,
            b"!" => Kw::Bang,
            b"[[" => Kw::DLBracket,
            b"function" => Kw::Function,
            _ => return None,
        })
    }

    /// The slot of a closing keyword in [`Parser::closers`].
    fn closer_slot(self) -> Option<usize> {
        Some(match self {
            Kw::Then => 0,
            Kw::Elif => 1,
            Kw::Else => 2,
            Kw::Fi => 3,
            Kw::Do => 4,
            Kw::Done => 5,
            Kw::Esac => 6,
            Kw::RBrace => 7,
            _ => return None,
        })
    }

    fn text(self) -> &'static str {
        match self {
            Kw::If => "if",
            Kw::Then => "then",
            Kw::Elif => "elif",
            Kw::Else => "else",
            Kw::Fi => "fi",
            Kw::Do => "do",
            Kw::Done => "done",
            Kw::Case => "case",
            Kw::Esac => "esac",
            Kw::While => "while",
            Kw::Until => "until",
            Kw::For => "for",
            Kw::Select => "select",
            Kw::LBrace => "{",
            Kw::RBrace => "}",
            Kw::Bang => "!",
            Kw::DLBracket => "[[",
            Kw::Function => "function",
        }
    }
}

/// Slot in [`Parser::closers`] for `;;` (the end of a case item).
const CASE_ITEM: usize = 8;

/// Bytes that end a run of plain word characters.
const fn special_table() -> [bool; 256] {
    let mut t = [false; 256];
    let specials = b" \t\n;&|()<>\\'\"$`*?[";
    let mut i = 0;
    while i < specials.len() {
        t[specials[i] as usize] = true;
        i += 1;
    }
    t
}
static SPECIAL: [bool; 256] = special_table();

fn is_special(b: u8) -> bool {
    SPECIAL[b as usize]
}

/// Bytes that end a word (metacharacters and blanks).
fn is_meta(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>')
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn span(start: usize, end: usize) -> Span {
    Span::from_range(start..end.max(start))
}

/// A heredoc whose body is still to be read (after the next newline).
#[derive(Debug)]
struct PendingHeredoc {
    id: u32,
    delimiter: String,
    strip_tabs: bool,
    expand: bool,
}

/// A heredoc or here-string to parse as a shell script once its body is known.
#[derive(Debug)]
struct DeferredShell {
    heredoc: u32,
    ctx: Context,
    pipefail: bool,
    errexit: bool,
}

/// Everything the parsers of one input (and of the texts nested in it) produce.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub(crate) commands: Vec<SimpleCommand>,
    pub(crate) bare: Vec<BareCommand>,
    pub(crate) pipelines: Vec<Pipeline>,
    pub(crate) compounds: Vec<Compound>,
    pub(crate) errors: Vec<ParseError>,
    /// Heredoc bodies read, by heredoc id.
    pub(crate) bodies: Vec<(u32, HeredocBody)>,
    /// Heredoc redirections whose body the text did not contain (a Dockerfile `RUN <<EOF`
    /// gives it separately), in source order.
    pub(crate) unresolved: Vec<u32>,
    /// Which redirect carries which heredoc id: (owner, redirect index, id).
    pub(crate) heredoc_ids: Vec<(Owner, usize, u32)>,
    next_heredoc: u32,
    /// Position in `bodies` of each heredoc id's body (`usize::MAX`: none).
    body_index: Vec<usize>,
}

/// What a redirection belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Command(usize),
    Bare(usize),
    Compound(usize),
}

/// Where each output list stood when a nested parse began.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    commands: usize,
    bare: usize,
    pipelines: usize,
    compounds: usize,
    errors: usize,
    bodies: usize,
}

impl Out {
    fn marks(&self) -> Marks {
        Marks {
            commands: self.commands.len(),
            bare: self.bare.len(),
            pipelines: self.pipelines.len(),
            compounds: self.compounds.len(),
            errors: self.errors.len(),
            bodies: self.bodies.len(),
        }
    }

    /// Maps every span produced since `marks` through `map`.
    pub(crate) fn remap_since(&mut self, marks: Marks, map: &OffsetMap) {
        fn word(w: &mut Word, map: &OffsetMap) {
            w.span = map.span(w.span);
            w.map.map_through(map);
        }
        fn redirect(r: &mut Redirect, map: &OffsetMap) {
            r.span = map.span(r.span);
            word(&mut r.target, map);
            if let Some(body) = &mut r.heredoc {
                body.span = map.span(body.span);
            }
        }
        fn assignment(a: &mut Assignment, map: &OffsetMap) {
            a.span = map.span(a.span);
            word(&mut a.value, map);
        }
        for c in self.commands.iter_mut().skip(marks.commands) {
            c.span = map.span(c.span);
            word(&mut c.name, map);
            c.args.iter_mut().for_each(|w| word(w, map));
            c.assignments.iter_mut().for_each(|a| assignment(a, map));
            c.redirects.iter_mut().for_each(|r| redirect(r, map));
        }
        for b in self.bare.iter_mut().skip(marks.bare) {
            b.span = map.span(b.span);
            b.assignments.iter_mut().for_each(|a| assignment(a, map));
            b.redirects.iter_mut().for_each(|r| redirect(r, map));
        }
        for p in self.pipelines.iter_mut().skip(marks.pipelines) {
            p.span = map.span(p.span);
            p.stages.iter_mut().for_each(|s| *s = map.span(*s));
        }
        for k in self.compounds.iter_mut().skip(marks.compounds) {
            k.span = map.span(k.span);
            k.redirects.iter_mut().for_each(|r| redirect(r, map));
            match &mut k.kind {
                CompoundKind::For { words: Some(words), .. } => words.iter_mut().for_each(|w| word(w, map)),
                CompoundKind::Case { word: w } => word(w, map),
                _ => {}
            }
        }
        for e in self.errors.iter_mut().skip(marks.errors) {
            e.span = map.span(e.span);
        }
        for (_, b) in self.bodies.iter_mut().skip(marks.bodies) {
            b.span = map.span(b.span);
        }
    }

    fn all_marks_zero() -> Marks {
        Marks { commands: 0, bare: 0, pipelines: 0, compounds: 0, errors: 0, bodies: 0 }
    }

    /// Maps every span through `map` (the last step: logical line to file).
    pub(crate) fn remap_all(&mut self, map: &OffsetMap) {
        self.remap_since(Self::all_marks_zero(), map);
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors.push(ParseError { message: message.into(), span });
    }

    fn new_heredoc_id(&mut self) -> u32 {
        self.next_heredoc += 1;
        self.next_heredoc
    }

    /// Records the body of heredoc `id`.
    pub(crate) fn add_body(&mut self, id: u32, body: HeredocBody) {
        let slot = id as usize;
        if self.body_index.len() <= slot {
            self.body_index.resize(slot + 1, usize::MAX);
        }
        if let Some(entry) = self.body_index.get_mut(slot) {
            *entry = self.bodies.len();
        }
        self.bodies.push((id, body));
    }

    /// The body of heredoc `id`, if read.
    pub(crate) fn body(&self, id: u32) -> Option<&HeredocBody> {
        let at = *self.body_index.get(id as usize)?;
        self.bodies.get(at).map(|(_, b)| b)
    }

    /// Which redirect carries heredoc `id`: ids are handed out in order, one entry each.
    pub(crate) fn heredoc_owner(&self, id: u32) -> Option<(Owner, usize)> {
        let &(owner, index, found) = self.heredoc_ids.get((id as usize).checked_sub(1)?)?;
        (found == id).then_some((owner, index))
    }
}

/// Parser state for one text.
pub(crate) struct Parser<'a, 'o> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// End of the last token consumed (spans stop there, not after trailing blanks).
    last_end: usize,
    out: &'o mut Out,
    ctx: Context,
    pipefail: bool,
    errexit: bool,
    depth: u32,
    /// How many enclosing constructs wait for each closing keyword (slots of
    /// [`Kw::closer_slot`], then [`CASE_ITEM`]).
    closers: [u32; 9],
    /// How many enclosing constructs wait for `)`.
    parens: u32,
    pipeline: usize,
    pending: Vec<PendingHeredoc>,
    deferred: Vec<DeferredShell>,
}

/// Initial state of a parse.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Start {
    pub(crate) ctx: Context,
    pub(crate) pipefail: bool,
    pub(crate) errexit: bool,
    pub(crate) depth: u32,
}

impl<'a, 'o> Parser<'a, 'o> {
    pub(crate) fn new(src: &'a str, out: &'o mut Out, start: Start) -> Self {
        Parser {
            src,
            b: src.as_bytes(),
            pos: 0,
            last_end: 0,
            out,
            ctx: start.ctx,
            pipefail: start.pipefail,
            errexit: start.errexit,
            depth: start.depth,
            closers: [0; 9],
            parens: 0,
            pipeline: 0,
            pending: Vec::new(),
            deferred: Vec::new(),
        }
    }

    /// Parses the whole text. Heredocs still waiting for a body are left in
    /// [`Out::unresolved`] when `allow_unresolved`, an error otherwise.
    pub(crate) fn run(mut self, allow_unresolved: bool) -> (bool, bool) {
        self.parse_list(&[], false);
        for p in std::mem::take(&mut self.pending) {
            if allow_unresolved {
                self.out.unresolved.push(p.id);
            } else {
                let at = self.b.len();
                self.out.error(format!("heredoc `{}` has no body", p.delimiter), span(at, at));
            }
        }
        self.run_deferred();
        (self.pipefail, self.errexit)
    }

    /// Parses heredoc bodies and here-strings that feed a shell.
    fn run_deferred(&mut self) {
        for d in std::mem::take(&mut self.deferred) {
            let Some(body) = self.out.body(d.heredoc).cloned() else { continue };
            let mut map = OffsetMap::new(body.span.start as usize);
            map.push_verbatim(0, body.span.start as usize, body.text.len());
            let mut ctx = d.ctx;
            ctx.nested += 1;
            self.parse_nested(&body.text, &map, ctx, d.pipefail, d.errexit);
        }
    }

    // ----- low-level helpers -----

    fn cur(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn byte_at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn at(&self, s: &str) -> bool {
        self.b.get(self.pos..).is_some_and(|rest| rest.starts_with(s.as_bytes()))
    }

    fn eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }

    /// The end of the character starting at `at`.
    fn char_end(&self, at: usize) -> usize {
        (at + self.byte_at(at).map_or(0, utf8_len)).min(self.b.len())
    }

    fn advance_char(&mut self) {
        let len = self.cur().map_or(1, utf8_len);
        self.pos = (self.pos + len).min(self.b.len());
    }

    fn error(&mut self, message: impl Into<String>, start: usize, end: usize) {
        self.out.error(message, span(start, end));
    }

    /// Skips blanks and a comment (up to, not including, the newline).
    fn skip_blanks(&mut self) {
        while let Some(c) = self.cur() {
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.byte_at(self.pos + 1) == Some(b'\n') => self.pos += 2,
                b'#' => {
                    while let Some(c) = self.cur() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// Skips blanks, comments and newlines, reading heredoc bodies after each newline.
    fn skip_space(&mut self) {
        loop {
            self.skip_blanks();
            if self.cur() == Some(b'\n') {
                self.pos += 1;
                if !self.pending.is_empty() {
                    self.read_heredoc_bodies();
                }
            } else {
                break;
            }
        }
    }

    /// Consumes a newline-or-`;` separator if there is one.
    fn skip_separator(&mut self) {
        self.skip_blanks();
        if self.cur() == Some(b';') && !self.at(";;") && !self.at(";&") {
            self.pos += 1;
        }
        self.skip_space();
    }

    fn read_heredoc_bodies(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            let start = self.pos;
            let mut line_start = self.pos;
            let mut found = None;
            while line_start < self.b.len() {
                let line_end = self
                    .b
                    .get(line_start..)
                    .and_then(|r| r.iter().position(|&c| c == b'\n'))
                    .map_or(self.b.len(), |i| line_start + i);
                let mut line = self.slice(line_start, line_end);
                if p.strip_tabs {
                    line = line.trim_start_matches('\t');
                }
                if line == p.delimiter || line.strip_suffix('\r') == Some(p.delimiter.as_str()) {
                    found = Some((line_start, (line_end + 1).min(self.b.len())));
                    break;
                }
                line_start = line_end + 1;
            }
            let (body_end, next) = match found {
                Some(f) => f,
                None => {
                    self.error(format!("heredoc `{}` is not terminated", p.delimiter), start, start);
                    (self.b.len(), self.b.len())
                }
            };
            let body = HeredocBody {
                text: self.slice(start, body_end).to_string(),
                span: span(start, body_end),
                expand: p.expand,
            };
            self.out.add_body(p.id, body);
            self.pos = next;
            self.last_end = body_end;
        }
    }

    /// The reserved word at the current position, if the word there is one.
    fn peek_kw(&self) -> Option<Kw> {
        let rest = self.b.get(self.pos..)?;
        let first = *rest.first()?;
        let len = match first {
            b'{' | b'}' | b'!' => 1,
            _ => rest.iter().take(9).position(|&c| is_meta(c)).unwrap_or(rest.len().min(9)),
        };
        if len == 0 || len > 8 {
            return None;
        }
        let after = rest.get(len).copied();
        let delimited = match after {
            None => true,
            Some(c) => is_meta(c) || (first == b'!' && c == b'\r'),
        };
        if !delimited {
            return None;
        }
        Kw::from_word(rest.get(..len)?)
    }

    fn consume_kw(&mut self, kw: Kw) -> usize {
        let start = self.pos;
        self.pos += kw.text().len();
        self.last_end = self.pos;
        start
    }

    /// Consumes `kw` after optional separators, or records that it is missing.
    fn expect_kw(&mut self, kw: Kw, opener: &str, opener_at: usize) -> bool {
        self.skip_space();
        if self.peek_kw() == Some(kw) {
            self.consume_kw(kw);
            true
        } else {
            let at = self.pos.min(self.b.len());
            self.error(
                format!("expected `{}` to close `{opener}`", kw.text()),
                opener_at,
                at.max(opener_at + 1),
            );
            false
        }
    }

    fn closer_waited(&self, kw: Kw) -> bool {
        kw.closer_slot().and_then(|s| self.closers.get(s)).is_some_and(|&n| n > 0)
    }

    fn with_closers<T>(&mut self, kws: &[Kw], f: impl FnOnce(&mut Self) -> T) -> T {
        for kw in kws {
            if let Some(slot) = kw.closer_slot().and_then(|s| self.closers.get_mut(s)) {
                *slot += 1;
            }
        }
        let result = f(self);
        for kw in kws {
            if let Some(slot) = kw.closer_slot().and_then(|s| self.closers.get_mut(s)) {
                *slot = slot.saturating_sub(1);
            }
        }
        result
    }

    // ----- lists, and-or lists, pipelines -----

    /// A list of and-or lists, up to one of `stops`, a `)` (when `paren`), a `;;` in a case
    /// item, a closing keyword an enclosing construct waits for, or the end.
    fn parse_list(&mut self, stops: &[Kw], paren: bool) {
        loop {
            self.skip_space();
            let Some(c) = self.cur() else { return };
            let before = self.pos;
            match c {
                b')' => {
                    if paren || self.parens > 0 {
                        return;
                    }
                    self.error("unexpected `)`", self.pos, self.pos + 1);
                    self.pos += 1;
                    continue;
                }
                b';' => {
                    if self.at(";;") || self.at(";&") {
                        if self.closers[CASE_ITEM] > 0 {
                            return;
                        }
                        let len = if self.at(";;&") { 3 } else { 2 };
                        self.error("unexpected `;;` outside `case`", self.pos, self.pos + len);
                        self.pos += len;
                    } else {
                        self.error("unexpected `;`", self.pos, self.pos + 1);
                        self.pos += 1;
                    }
                    continue;
                }
                b'&' | b'|' => {
                    let len = if self.at("&&") || self.at("||") || self.at("|&") { 2 } else { 1 };
                    let op = self.slice(self.pos, self.pos + len).to_string();
                    self.error(
                        format!("unexpected `{op}` without a command before it"),
                        self.pos,
                        self.pos + len,
                    );
                    self.pos += len;
                    continue;
                }
                _ => {}
            }
            if let Some(kw) = self.peek_kw()
                && kw.closer_slot().is_some()
            {
                if stops.contains(&kw) || self.closer_waited(kw) {
                    return;
                }
                let start = self.consume_kw(kw);
                self.error(format!("unexpected `{}`", kw.text()), start, self.pos);
                continue;
            }
            let marks = self.out.marks();
            self.parse_and_or();
            self.skip_blanks();
            match self.cur() {
                Some(b';') if !self.at(";;") && !self.at(";&") => self.pos += 1,
                Some(b'&') if !self.at("&&") => {
                    self.pos += 1;
                    self.mark_background(marks);
                }
                Some(b'\n' | b')') | None => {}
                Some(b';') => {}
                Some(_) => {
                    if self.peek_kw().is_none_or(|k| k.closer_slot().is_none()) {
                        let end = self.char_end(self.pos);
                        self.error("expected `;`, `&` or a newline", self.pos, end);
                    }
                }
            }
            if self.pos == before {
                // Nothing could be read here: skip one character so the loop always advances.
                let start = self.pos;
                self.advance_char();
                self.error("unexpected character", start, self.pos);
            }
        }
    }

    fn mark_background(&mut self, marks: Marks) {
        for c in self.out.commands.iter_mut().skip(marks.commands) {
            c.context.background = true;
        }
        for c in self.out.bare.iter_mut().skip(marks.bare) {
            c.context.background = true;
        }
        for c in self.out.compounds.iter_mut().skip(marks.compounds) {
            c.context.background = true;
        }
    }

    fn parse_and_or(&mut self) {
        let mut preceded = None;
        loop {
            let marks = self.out.marks();
            let saved_after = self.ctx.after;
            if preceded.is_some() {
                self.ctx.after = preceded;
            }
            let id = self.parse_pipeline(preceded);
            self.ctx.after = saved_after;
            self.skip_blanks();
            let connector = if self.at("&&") {
                Connector::And
            } else if self.at("||") {
                Connector::Or
            } else {
                return;
            };
            let op_start = self.pos;
            self.pos += 2;
            if let Some(p) = self.out.pipelines.get_mut(id) {
                p.followed_by = Some(connector);
            }
            for c in self.out.commands.iter_mut().skip(marks.commands) {
                c.context.before.get_or_insert(connector);
            }
            for c in self.out.bare.iter_mut().skip(marks.bare) {
                c.context.before.get_or_insert(connector);
            }
            for c in self.out.compounds.iter_mut().skip(marks.compounds) {
                c.context.before.get_or_insert(connector);
            }
            self.skip_space();
            if self.command_cannot_start() {
                self.error("expected a command after `&&` or `||`", op_start, op_start + 2);
                return;
            }
            preceded = Some(connector);
        }
    }

    /// Whether no command can start here (end, `)`, separator, closing keyword).
    fn command_cannot_start(&self) -> bool {
        match self.cur() {
            None | Some(b')' | b';' | b'&' | b'|') => true,
            _ => self.peek_kw().is_some_and(|k| k.closer_slot().is_some()),
        }
    }

    fn parse_pipeline(&mut self, preceded: Option<Connector>) -> usize {
        self.skip_blanks();
        let id = self.out.pipelines.len();
        let start = self.pos;
        self.out.pipelines.push(Pipeline {
            span: span(start, start),
            stages: Vec::new(),
            negated: false,
            pipefail: self.pipefail,
            preceded_by: preceded,
            followed_by: None,
            nested: self.ctx.nested,
        });
        let mut negated = false;
        while self.peek_kw() == Some(Kw::Bang) {
            self.consume_kw(Kw::Bang);
            negated = !negated;
            self.skip_blanks();
        }
        let saved_ctx = self.ctx;
        let saved_pipeline = self.pipeline;
        if negated {
            self.ctx.negated = true;
        }
        let mut stages: Vec<(Span, Marks)> = Vec::new();
        loop {
            self.skip_blanks();
            let stage_start = self.pos;
            let marks = self.out.marks();
            self.pipeline = id;
            if self.command_cannot_start() {
                let at = self.pos.min(self.b.len());
                self.error("expected a command", at, (at + 1).min(self.b.len()).max(at));
                break;
            }
            self.parse_command();
            stages.push((span(stage_start, self.last_end), marks));
            self.skip_blanks();
            if self.cur() == Some(b'|') && !self.at("||") {
                self.pos += if self.at("|&") { 2 } else { 1 };
                self.skip_space();
                continue;
            }
            break;
        }
        self.ctx = saved_ctx;
        self.pipeline = saved_pipeline;
        let count = stages.len();
        if count > 1 {
            let total = self.out.commands.len();
            for (stage, (_, marks)) in stages.iter().enumerate() {
                let end = stages.get(stage + 1).map_or(total, |(_, next)| next.commands);
                let range = marks.commands.min(end)..end;
                for c in self.out.commands.get_mut(range).into_iter().flatten() {
                    c.context.pipe.get_or_insert(PipePosition { pipeline: id, stage, stages: count });
                }
            }
        }
        let end = self.last_end.max(start);
        if let Some(p) = self.out.pipelines.get_mut(id) {
            p.span = span(start, end);
            p.negated = negated;
            p.stages = stages.into_iter().map(|(s, _)| s).collect();
        }
        id
    }

    // ----- commands -----

    fn parse_command(&mut self) {
        self.skip_blanks();
        if self.eof() {
            return;
        }
        if self.depth >= MAX_DEPTH {
            let at = self.pos;
            self.error("nesting too deep: the rest of the script is not read", at, self.b.len());
            self.pos = self.b.len();
            return;
        }
        self.depth += 1;
        if self.at("((") {
            self.parse_arith_command();
        } else if self.cur() == Some(b'(') {
            self.parse_subshell();
        } else {
            match self.peek_kw() {
                Some(Kw::If) => self.parse_if(),
                Some(kw @ (Kw::While | Kw::Until)) => self.parse_while(kw),
                Some(kw @ (Kw::For | Kw::Select)) => self.parse_for(kw),
                Some(Kw::Case) => self.parse_case(),
                Some(Kw::LBrace) => self.parse_group(),
                Some(Kw::Function) => self.parse_function_keyword(),
                Some(Kw::DLBracket) => self.parse_dbracket(),
                _ => self.parse_simple(),
            }
        }
        self.depth -= 1;
    }

    fn begin_compound(&mut self, kind: CompoundKind) -> usize {
        let index = self.out.compounds.len();
        self.out.compounds.push(Compound {
            kind,
            span: span(self.pos, self.pos),
            redirects: Vec::new(),
            context: self.command_context(),
        });
        index
    }

    /// Finishes a compound command: its span, then redirections written after it.
    fn end_compound(&mut self, index: usize, start: usize) {
        let end = self.last_end.max(start);
        if let Some(k) = self.out.compounds.get_mut(index) {
            k.span = span(start, end);
        }
        let mut redirects = Vec::new();
        loop {
            self.skip_blanks();
            match self.parse_redirect(Owner::Compound(index), redirects.len()) {
                Some(r) => redirects.push(r),
                None => break,
            }
        }
        if let Some(k) = self.out.compounds.get_mut(index) {
            k.redirects = redirects;
        }
    }

    fn command_context(&self) -> Context {
        let pipefail = self.out.pipelines.get(self.pipeline).is_some_and(|p| p.pipefail);
        Context { pipefail, errexit: self.errexit, ..self.ctx }
    }

    fn parse_subshell(&mut self) {
        let start = self.pos;
        let index = self.begin_compound(CompoundKind::Subshell);
        self.pos += 1;
        self.last_end = self.pos;
        let saved = (self.ctx, self.pipefail, self.errexit);
        self.ctx.subshell += 1;
        self.parens += 1;
        self.parse_list(&[], true);
        self.parens -= 1;
        (self.ctx, self.pipefail, self.errexit) = saved;
        if self.cur() == Some(b')') {
            self.pos += 1;
            self.last_end = self.pos;
        } else {
            self.error("expected `)` to close `(`", start, start + 1);
        }
        self.end_compound(index, start);
    }

    fn parse_arith_command(&mut self) {
        let start = self.pos;
        let index = self.begin_compound(CompoundKind::Arith);
        self.pos += 2;
        self.scan_arith(start, 2);
        self.end_compound(index, start);
    }

    /// Skips arithmetic text up to the `)` that brings the paren depth from `depth` to 0.
    fn scan_arith(&mut self, start: usize, mut depth: u32) {
        while let Some(c) = self.cur() {
            self.pos += 1;
            match c {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.last_end = self.pos;
                        return;
                    }
                }
                b'\\' => self.pos = (self.pos + 1).min(self.b.len()),
                _ => {}
            }
        }
        self.error("unterminated arithmetic `((`", start, start + 2);
        self.last_end = self.b.len();
    }

    fn parse_group(&mut self) {
        let start = self.consume_kw(Kw::LBrace);
        let index = self.begin_compound(CompoundKind::Group);
        self.with_closers(&[Kw::RBrace], |p| p.parse_list(&[Kw::RBrace], false));
        self.expect_kw(Kw::RBrace, "{", start);
        self.end_compound(index, start);
    }

    fn parse_if(&mut self) {
        let start = self.pos;
        let index = self.begin_compound(CompoundKind::If);
        self.consume_kw(Kw::If);
        let mut opener = "if";
        let mut opener_at = start;
        loop {
            let saved = self.ctx;
            self.ctx.condition = true;
            self.with_closers(&[Kw::Then], |p| p.parse_list(&[Kw::Then], false));
            self.ctx = saved;
            if !self.expect_kw(Kw::Then, opener, opener_at) {
                break;
            }
            self.with_closers(&[Kw::Elif, Kw::Else, Kw::Fi], |p| {
                p.parse_list(&[Kw::Elif, Kw::Else, Kw::Fi], false)
            });
            self.skip_space();
            match self.peek_kw() {
                Some(Kw::Elif) => {
                    opener_at = self.consume_kw(Kw::Elif);
                    opener = "elif";
                }
                Some(Kw::Else) => {
                    let at = self.consume_kw(Kw::Else);
                    self.with_closers(&[Kw::Fi], |p| p.parse_list(&[Kw::Fi], false));
                    self.expect_kw(Kw::Fi, "else", at);
                    break;
                }
                Some(Kw::Fi) => {
                    self.consume_kw(Kw::Fi);
                    break;
                }
                _ => {
                    self.expect_kw(Kw::Fi, "if", start);
                    break;
                }
            }
        }
        self.end_compound(index, start);
    }

    fn parse_while(&mut self, kw: Kw) {
        let start = self.consume_kw(kw);
        let index =
            self.begin_compound(if kw == Kw::While { CompoundKind::While } else { CompoundKind::Until });
        let saved = self.ctx;
        self.ctx.condition = true;
        self.ctx.in_loop = true;
        self.with_closers(&[Kw::Do], |p| p.parse_list(&[Kw::Do], false));
        self.ctx.condition = saved.condition;
        if self.expect_kw(Kw::Do, kw.text(), start) {
            self.parse_do_body();
        }
        self.ctx = saved;
        self.end_compound(index, start);
    }

    /// After `do`: the loop body up to `done`.
    fn parse_do_body(&mut self) {
        let do_at = self.last_end.saturating_sub(2);
        let saved = self.ctx;
        self.ctx.in_loop = true;
        self.with_closers(&[Kw::Done], |p| p.parse_list(&[Kw::Done], false));
        self.ctx = saved;
        self.expect_kw(Kw::Done, "do", do_at);
    }

    fn parse_for(&mut self, kw: Kw) {
        let start = self.consume_kw(kw);
        self.skip_blanks();
        if self.at("((") {
            let index = self.begin_compound(CompoundKind::ArithFor);
            let at = self.pos;
            self.pos += 2;
            self.scan_arith(at, 2);
            self.skip_separator();
            if self.expect_kw(Kw::Do, kw.text(), start) {
                self.parse_do_body();
            } else if self.peek_kw() == Some(Kw::LBrace) {
                self.parse_group();
            }
            self.end_compound(index, start);
            return;
        }
        let index = self.begin_compound(CompoundKind::For { var: String::new(), words: None });
        let var = if self.cur().is_some_and(|c| !is_meta(c)) {
            self.lex_word(WordMode::Normal).value
        } else {
            self.error(format!("expected a variable name after `{}`", kw.text()), start, self.pos);
            String::new()
        };
        self.skip_blanks();
        let mut words = None;
        if self.cur() == Some(b';') {
            self.pos += 1;
        } else {
            self.skip_space();
            if self.at_plain_word("in") {
                self.pos += 2;
                self.last_end = self.pos;
                let mut list = Vec::new();
                loop {
                    self.skip_blanks();
                    match self.cur() {
                        None | Some(b';' | b'\n') => break,
                        Some(c) if is_meta(c) => break,
                        Some(_) => list.push(self.lex_word(WordMode::Normal)),
                    }
                }
                words = Some(list);
            }
        }
        if let Some(k) = self.out.compounds.get_mut(index) {
            k.kind = CompoundKind::For { var, words };
        }
        self.skip_separator();
        if self.peek_kw() == Some(Kw::LBrace) {
            let saved = self.ctx;
            self.ctx.in_loop = true;
            self.parse_group();
            self.ctx = saved;
        } else if self.expect_kw(Kw::Do, kw.text(), start) {
            self.parse_do_body();
        }
        self.end_compound(index, start);
    }

    /// Whether the plain word `word` (followed by a delimiter) is next.
    fn at_plain_word(&self, word: &str) -> bool {
        self.at(word) && self.byte_at(self.pos + word.len()).is_none_or(is_meta)
    }

    fn parse_case(&mut self) {
        let start = self.consume_kw(Kw::Case);
        self.skip_blanks();
        let word = if self.cur().is_some_and(|c| !is_meta(c)) {
            self.lex_word(WordMode::Normal)
        } else {
            self.error("expected a word after `case`", start, self.pos);
            self.empty_word()
        };
        let index = self.begin_compound(CompoundKind::Case { word });
        self.skip_space();
        if self.at_plain_word("in") {
            self.pos += 2;
            self.last_end = self.pos;
        } else {
            self.error("expected `in` after `case WORD`", start, self.pos.max(start + 4));
        }
        let saved = self.ctx;
        self.with_closers(&[Kw::Esac], |p| {
            loop {
                p.skip_space();
                if p.peek_kw() == Some(Kw::Esac) {
                    p.consume_kw(Kw::Esac);
                    break;
                }
                if p.eof() || p.cur() == Some(b')') && p.parens > 0 || p.closer_waited_other(Kw::Esac) {
                    p.error("expected `esac` to close `case`", start, start + 4);
                    break;
                }
                let before = p.pos;
                // Patterns: `[(] pattern [| pattern]... )`
                if p.cur() == Some(b'(') {
                    p.pos += 1;
                }
                loop {
                    p.skip_blanks();
                    match p.cur() {
                        Some(b')') => {
                            p.pos += 1;
                            break;
                        }
                        Some(b'|') => p.pos += 1,
                        Some(c) if !is_meta(c) => {
                            p.lex_word(WordMode::Normal);
                        }
                        _ => {
                            let at = p.pos;
                            p.error("expected `)` after a case pattern", at, (at + 1).min(p.b.len()));
                            break;
                        }
                    }
                }
                p.ctx.in_case = true;
                p.closers[CASE_ITEM] += 1;
                p.parse_list(&[Kw::Esac], false);
                p.closers[CASE_ITEM] -= 1;
                p.ctx.in_case = saved.in_case;
                p.skip_space();
                if p.at(";;&") {
                    p.pos += 3;
                } else if p.at(";;") || p.at(";&") {
                    p.pos += 2;
                }
                p.last_end = p.pos.max(p.last_end);
                if p.pos == before {
                    p.advance_char();
                }
            }
        });
        self.ctx = saved;
        self.end_compound(index, start);
    }

    /// Whether a closing keyword other than `kw` that an enclosing construct waits for is next.
    fn closer_waited_other(&self, kw: Kw) -> bool {
        self.peek_kw().is_some_and(|k| k != kw && k.closer_slot().is_some() && self.closer_waited(k))
    }

    fn parse_function_keyword(&mut self) {
        let start = self.consume_kw(Kw::Function);
        self.skip_blanks();
        let name = if self.cur().is_some_and(|c| !is_meta(c)) {
            self.lex_word(WordMode::Normal).value
        } else {
            self.error("expected a function name", start, self.pos);
            String::new()
        };
        self.skip_blanks();
        if self.at("()") {
            self.pos += 2;
        } else if self.cur() == Some(b'(') {
            self.pos += 1;
            self.skip_blanks();
            if self.cur() == Some(b')') {
                self.pos += 1;
            }
        }
        self.parse_function_body(name, start);
    }

    fn parse_function_body(&mut self, name: String, start: usize) {
        let index = self.begin_compound(CompoundKind::Function { name });
        self.skip_space();
        let saved = self.ctx;
        self.ctx.in_function = true;
        if self.command_cannot_start() {
            self.error("expected a function body", start, self.pos.max(start + 1));
        } else {
            self.parse_command();
        }
        self.ctx = saved;
        if let Some(k) = self.out.compounds.get_mut(index) {
            k.span = span(start, self.last_end);
        }
    }

    /// `[[ ... ]]`, kept as a simple command named `[[` whose arguments end with `]]`.
    fn parse_dbracket(&mut self) {
        let start = self.consume_kw(Kw::DLBracket);
        let name = self.plain_word(start, self.pos);
        let mut args = Vec::new();
        let mut regex_next = false;
        loop {
            self.skip_blanks();
            if self.cur() == Some(b'\n') {
                self.skip_space();
            }
            let at = self.pos;
            let Some(c) = self.cur() else {
                self.error("expected `]]` to close `[[`", start, start + 2);
                break;
            };
            if self.at("]]") && self.byte_at(self.pos + 2).is_none_or(is_meta) {
                self.pos += 2;
                self.last_end = self.pos;
                args.push(self.plain_word(at, self.pos));
                break;
            }
            let len = if self.at("&&") || self.at("||") {
                2
            } else if matches!(c, b'(' | b')' | b'<' | b'>' | b'!') && !regex_next {
                1
            } else {
                0
            };
            if len > 0 {
                self.pos += len;
                self.last_end = self.pos;
                args.push(self.plain_word(at, self.pos));
                continue;
            }
            if c == b';' || c == b'&' || c == b'|' {
                self.error("unexpected operator in `[[ ... ]]`", at, at + 1);
                break;
            }
            let mode = if regex_next { WordMode::Regex } else { WordMode::Normal };
            let word = self.lex_word(mode);
            regex_next = word.is("=~");
            args.push(word);
        }
        let redirects = self.trailing_redirects();
        self.push_command(name, args, Vec::new(), redirects, start);
    }

    fn trailing_redirects(&mut self) -> Vec<Redirect> {
        let owner = Owner::Command(self.out.commands.len());
        let mut redirects = Vec::new();
        loop {
            self.skip_blanks();
            match self.parse_redirect(owner, redirects.len()) {
                Some(r) => redirects.push(r),
                None => return redirects,
            }
        }
    }

    fn parse_simple(&mut self) {
        let start = self.pos;
        let mut assignments: Vec<Assignment> = Vec::new();
        let mut name: Option<Word> = None;
        let mut args: Vec<Word> = Vec::new();
        let mut redirects: Vec<Redirect> = Vec::new();
        // The owner index is only known when the command is pushed; heredoc ids are fixed up
        // by `push_command`/`push_bare` through `pending_owner`.
        let first_heredoc_slot = self.out.heredoc_ids.len();
        loop {
            self.skip_blanks();
            let Some(c) = self.cur() else { break };
            if let Some(r) = self.parse_redirect(Owner::Command(usize::MAX), redirects.len()) {
                redirects.push(r);
                continue;
            }
            match c {
                b'\n' | b';' | b'&' | b'|' | b')' => break,
                b'(' if !self.at_process_substitution() => {
                    if name.is_some() && args.is_empty() && assignments.is_empty() && redirects.is_empty() {
                        let open = self.pos;
                        self.pos += 1;
                        self.skip_blanks();
                        if self.cur() == Some(b')') {
                            self.pos += 1;
                            self.last_end = self.pos;
                            let fname = name.map(|n| n.value).unwrap_or_default();
                            self.parse_function_body(fname, start);
                            return;
                        }
                        self.error("unexpected `(` after a command name", open, open + 1);
                        self.pos = open;
                    } else {
                        self.error("unexpected `(`", self.pos, self.pos + 1);
                    }
                    break;
                }
                _ => {}
            }
            let word = self.lex_word(WordMode::Normal);
            if name.is_none()
                && let Some(assignment) = as_assignment(&word)
            {
                assignments.push(assignment);
                continue;
            }
            match name {
                None => name = Some(word),
                Some(_) => args.push(word),
            }
        }
        let owner_slot_end = self.out.heredoc_ids.len();
        match name {
            Some(name) => {
                let index = self.out.commands.len();
                for slot in self.out.heredoc_ids.iter_mut().take(owner_slot_end).skip(first_heredoc_slot) {
                    if slot.0 == Owner::Command(usize::MAX) {
                        slot.0 = Owner::Command(index);
                    }
                }
                self.push_command(name, args, assignments, redirects, start);
            }
            None => {
                let index = self.out.bare.len();
                for slot in self.out.heredoc_ids.iter_mut().take(owner_slot_end).skip(first_heredoc_slot) {
                    if slot.0 == Owner::Command(usize::MAX) {
                        slot.0 = Owner::Bare(index);
                    }
                }
                let context = self.command_context();
                self.out.bare.push(BareCommand {
                    assignments,
                    redirects,
                    span: span(start, self.last_end),
                    context,
                });
            }
        }
    }

    fn push_command(
        &mut self,
        name: Word,
        args: Vec<Word>,
        assignments: Vec<Assignment>,
        redirects: Vec<Redirect>,
        start: usize,
    ) {
        let context = self.command_context();
        let (effective, wrappers) = command::unwrap(&name, &args);
        let mut cmd = SimpleCommand {
            name,
            args,
            assignments,
            redirects,
            span: span(start, self.last_end),
            context,
            pipeline: self.pipeline,
            wrappers,
            effective,
        };
        cmd.span = span(start, self.last_end.max(start));
        let call = command::shell_call(&cmd);
        if cmd.is("set") {
            self.apply_set(cmd.command_args());
        }
        let ctx = self.ctx;
        self.out.commands.push(cmd);
        match call {
            Some(ShellCall::String { text, map, fresh, pipefail, errexit }) => {
                if self.ctx.nested >= MAX_NESTED_SHELLS || self.depth >= MAX_DEPTH {
                    return;
                }
                let mut inner = ctx;
                inner.nested += 1;
                let (pf, ee) = if fresh { (pipefail, errexit) } else { (self.pipefail, self.errexit) };
                self.parse_nested(&text, &map, inner, pf, ee);
            }
            Some(ShellCall::Stdin { redirect, pipefail, errexit }) => {
                let owner = Owner::Command(self.out.commands.len().saturating_sub(1));
                let id = self
                    .out
                    .heredoc_ids
                    .iter()
                    .rev()
                    .take(64)
                    .find(|(o, r, _)| *o == owner && *r == redirect);
                if let Some(&(_, _, heredoc)) = id {
                    self.deferred.push(DeferredShell { heredoc, ctx, pipefail, errexit });
                }
            }
            None => {}
        }
    }

    /// Parses `text` (whose offsets map to this parser's text through `map`) as a script of
    /// its own, then moves everything it produced into this text's coordinates.
    fn parse_nested(&mut self, text: &str, map: &OffsetMap, ctx: Context, pipefail: bool, errexit: bool) {
        if ctx.nested > MAX_NESTED_SHELLS || self.depth >= MAX_DEPTH {
            return;
        }
        let start = Start { ctx, pipefail, errexit, depth: self.depth + 1 };
        parse_into(self.out, text, map, start);
    }

    /// `set -e`, `set -o pipefail`, `set -euxo pipefail`, `set +o pipefail`.
    fn apply_set(&mut self, args: &[Word]) {
        let mut i = 0;
        while let Some(word) = args.get(i) {
            let Some(text) = word.text.as_deref() else { break };
            let on = text.starts_with('-');
            if text == "--" || text == "-" || !(on || text.starts_with('+')) {
                break;
            }
            let mut consumed_next = false;
            for flag in text.chars().skip(1) {
                match flag {
                    'e' => self.errexit = on,
                    'o' if !consumed_next => {
                        consumed_next = true;
                        match args.get(i + 1).and_then(|w| w.text.as_deref()) {
                            Some("pipefail") => self.pipefail = on,
                            Some("errexit") => self.errexit = on,
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            i += if consumed_next { 2 } else { 1 };
        }
    }

    fn at_process_substitution(&self) -> bool {
        self.at("<(") || self.at(">(")
    }

    /// A redirection at the current position, if there is one.
    fn parse_redirect(&mut self, owner: Owner, index: usize) -> Option<Redirect> {
        let start = self.pos;
        let rest = self.b.get(self.pos..)?;
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let after = rest.get(digits..)?;
        let (op, len) = if after.starts_with(b"&>>") && digits == 0 {
            (RedirectOp::AppendOutErr, 3)
        } else if after.starts_with(b"&>") && digits == 0 {
            (RedirectOp::OutErr, 2)
        } else if after.starts_with(b"<<<") {
            (RedirectOp::HereString, 3)
        } else if after.starts_with(b"<<-") {
            (RedirectOp::HereDoc { strip_tabs: true }, 3)
        } else if after.starts_with(b"<<") {
            (RedirectOp::HereDoc { strip_tabs: false }, 2)
        } else if after.starts_with(b"<>") {
            (RedirectOp::ReadWrite, 2)
        } else if after.starts_with(b"<&") {
            (RedirectOp::DupIn, 2)
        } else if after.starts_with(b"<(") || after.starts_with(b">(") {
            return None;
        } else if after.starts_with(b"<") {
            (RedirectOp::In, 1)
        } else if after.starts_with(b">>") {
            (RedirectOp::Append, 2)
        } else if after.starts_with(b">|") {
            (RedirectOp::Clobber, 2)
        } else if after.starts_with(b">&") {
            (RedirectOp::DupOut, 2)
        } else if after.starts_with(b">") {
            (RedirectOp::Out, 1)
        } else {
            return None;
        };
        let fd = if digits > 0 { self.slice(start, start + digits).parse().ok() } else { None };
        self.pos = start + digits + len;
        self.last_end = self.pos;
        self.skip_blanks();
        let target = match self.cur() {
            Some(c) if !is_meta(c) || self.at_process_substitution() => self.lex_word(WordMode::Normal),
            _ => {
                self.error("expected a word after the redirection", start, self.pos.max(start + 1));
                self.plain_word(self.last_end, self.last_end)
            }
        };
        let mut redirect = Redirect { fd, op, target, heredoc: None, span: span(start, self.last_end) };
        match op {
            RedirectOp::HereDoc { strip_tabs } => {
                let id = self.out.new_heredoc_id();
                self.out.heredoc_ids.push((owner, index, id));
                let delimiter = redirect.target.value.clone();
                let quoted = redirect.target.quoted;
                // The delimiter is its text after quote removal, expansions kept as written.
                self.pending.push(PendingHeredoc { id, delimiter, strip_tabs, expand: !quoted });
                redirect.heredoc = None;
            }
            RedirectOp::HereString => {}
            _ => {}
        }
        Some(redirect)
    }

    // ----- words -----

    fn plain_word(&self, start: usize, end: usize) -> Word {
        let text = self.slice(start, end).to_string();
        let mut map = OffsetMap::new(start);
        map.push_verbatim(0, start, text.len());
        Word {
            text: Some(text.clone()),
            value: text.clone(),
            raw: text,
            span: span(start, end),
            has_expansion: false,
            has_substitution: false,
            quoted: false,
            glob: false,
            map,
        }
    }

    fn empty_word(&self) -> Word {
        self.plain_word(self.pos, self.pos)
    }

    /// Reads one word at the current position (which is not a blank or metacharacter, or is
    /// a process substitution).
    fn lex_word(&mut self, mode: WordMode) -> Word {
        let start = self.pos;
        let mut w = WordAcc { value: String::new(), map: OffsetMap::new(start), ..WordAcc::default() };
        if self.cur() == Some(b'~') {
            w.has_expansion = true;
        }
        while let Some(c) = self.cur() {
            if !is_special(c) {
                let run_start = self.pos;
                let rest = self.b.get(self.pos..).unwrap_or(&[]);
                let len = rest.iter().position(|&b| is_special(b)).unwrap_or(rest.len());
                self.pos += len;
                w.verbatim(self.slice(run_start, self.pos), run_start);
                continue;
            }
            match c {
                b'\\' => self.lex_escape(&mut w),
                b'\'' => self.lex_single_quote(&mut w),
                b'"' => self.lex_double_quote(&mut w),
                b'$' => self.lex_dollar(&mut w, false),
                b'`' => self.lex_backtick(&mut w, false),
                b'*' | b'?' | b'[' => {
                    w.glob = true;
                    w.verbatim(self.slice(self.pos, self.pos + 1), self.pos);
                    self.pos += 1;
                }
                b'<' | b'>' if self.at_process_substitution() => {
                    let at = self.pos;
                    self.pos += 2;
                    self.parse_substitution(at);
                    w.expansion(self.slice(at, self.pos), at);
                    w.has_substitution = true;
                }
                b'(' if w.is_assignment_prefix() && w.map_len_matches(self.pos - start) => {
                    let at = self.pos;
                    self.scan_array_literal();
                    w.expansion(self.slice(at, self.pos), at);
                }
                b'(' | b')' | b'|' | b'<' | b'>' if mode == WordMode::Regex => {
                    w.verbatim(self.slice(self.pos, self.pos + 1), self.pos);
                    self.pos += 1;
                }
                _ => break,
            }
        }
        if self.pos == start && !self.eof() {
            // Callers only ask for a word where one starts; make progress whatever comes.
            self.advance_char();
            w.verbatim(self.slice(start, self.pos), start);
            self.error("unexpected character", start, self.pos);
        }
        self.last_end = self.pos;
        let raw = self.slice(start, self.pos).to_string();
        w.finish(raw, span(start, self.pos))
    }

    fn lex_escape(&mut self, w: &mut WordAcc) {
        let at = self.pos;
        match self.byte_at(at + 1) {
            Some(b'\n') => self.pos += 2,
            Some(next) => {
                let len = utf8_len(next).min(self.b.len() - (at + 1));
                w.special(self.slice(at + 1, at + 1 + len), at, at + 1 + len);
                w.quoted = true;
                self.pos = at + 1 + len;
            }
            None => {
                w.verbatim("\\", at);
                self.pos += 1;
            }
        }
    }

    fn lex_single_quote(&mut self, w: &mut WordAcc) {
        let open = self.pos;
        w.quoted = true;
        let content = open + 1;
        let close =
            self.b.get(content..).and_then(|r| r.iter().position(|&c| c == b'\'')).map(|i| content + i);
        match close {
            Some(close) => {
                w.verbatim(self.slice(content, close), content);
                self.pos = close + 1;
            }
            None => {
                self.error("unterminated single quote", open, open + 1);
                w.verbatim(self.slice(content, self.b.len()), content);
                self.pos = self.b.len();
            }
        }
    }

    fn lex_double_quote(&mut self, w: &mut WordAcc) {
        let open = self.pos;
        w.quoted = true;
        self.pos += 1;
        loop {
            let Some(c) = self.cur() else {
                self.error("unterminated double quote", open, open + 1);
                return;
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.byte_at(self.pos + 1) {
                    Some(b'\n') => self.pos += 2,
                    Some(b'$' | b'`' | b'"' | b'\\') => {
                        w.special(self.slice(self.pos + 1, self.pos + 2), self.pos, self.pos + 2);
                        self.pos += 2;
                    }
                    _ => {
                        w.verbatim("\\", self.pos);
                        self.pos += 1;
                    }
                },
                b'$' => self.lex_dollar(w, true),
                b'`' => self.lex_backtick(w, true),
                _ => {
                    let run_start = self.pos;
                    let rest = self.b.get(self.pos..).unwrap_or(&[]);
                    let len = rest
                        .iter()
                        .position(|&b| matches!(b, b'"' | b'\\' | b'$' | b'`'))
                        .unwrap_or(rest.len());
                    self.pos += len;
                    w.verbatim(self.slice(run_start, self.pos), run_start);
                }
            }
        }
    }

    fn lex_dollar(&mut self, w: &mut WordAcc, in_dq: bool) {
        let at = self.pos;
        match self.byte_at(at + 1) {
            Some(b'\'') if !in_dq => self.lex_ansi_c(w),
            Some(b'"') if !in_dq => {
                self.pos += 1;
                self.lex_double_quote(w);
            }
            Some(b'(') if self.byte_at(at + 2) == Some(b'(') => {
                self.pos += 3;
                self.scan_arith(at, 2);
                w.expansion(self.slice(at, self.pos), at);
            }
            Some(b'(') => {
                self.pos += 2;
                self.parse_substitution(at);
                w.expansion(self.slice(at, self.pos), at);
                w.has_substitution = true;
            }
            Some(b'{') => {
                self.scan_braced_parameter(w);
                w.expansion(self.slice(at, self.pos), at);
            }
            Some(c) if is_name_start(c) => {
                let rest = self.b.get(at + 1..).unwrap_or(&[]);
                let len = rest.iter().position(|&b| !is_name_char(b)).unwrap_or(rest.len());
                self.pos = at + 1 + len;
                w.expansion(self.slice(at, self.pos), at);
            }
            Some(c) if c.is_ascii_digit() || matches!(c, b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') => {
                self.pos = at + 2;
                w.expansion(self.slice(at, self.pos), at);
            }
            _ => {
                w.verbatim("$", at);
                self.pos = at + 1;
            }
        }
    }

    /// `$'...'` with bash's escapes.
    fn lex_ansi_c(&mut self, w: &mut WordAcc) {
        let open = self.pos;
        w.quoted = true;
        self.pos += 2;
        loop {
            let Some(c) = self.cur() else {
                self.error("unterminated `$'` string", open, open + 2);
                return;
            };
            match c {
                b'\'' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    let esc = self.pos;
                    let (ch, len) = decode_ansi_escape(self.b.get(esc + 1..).unwrap_or(&[]));
                    let end = (esc + 1 + len).min(self.b.len());
                    let mut buf = [0u8; 4];
                    w.special(ch.map_or("", |c| c.encode_utf8(&mut buf)), esc, end);
                    self.pos = end;
                }
                _ => {
                    let run_start = self.pos;
                    let rest = self.b.get(self.pos..).unwrap_or(&[]);
                    let len = rest.iter().position(|&b| b == b'\'' || b == b'\\').unwrap_or(rest.len());
                    self.pos += len;
                    w.verbatim(self.slice(run_start, self.pos), run_start);
                }
            }
        }
    }

    /// `${...}`: skipped to its closing brace; command substitutions inside are parsed.
    fn scan_braced_parameter(&mut self, w: &mut WordAcc) {
        let open = self.pos;
        self.pos += 2;
        let mut depth = 1u32;
        while let Some(c) = self.cur() {
            match c {
                b'\\' => self.pos = (self.pos + 2).min(self.b.len()),
                b'\'' => {
                    let from = self.pos + 1;
                    self.pos = self
                        .b
                        .get(from..)
                        .and_then(|r| r.iter().position(|&b| b == b'\''))
                        .map_or(self.b.len(), |i| from + i + 1);
                }
                b'"' => {
                    let mut scratch = WordAcc::default();
                    self.lex_double_quote(&mut scratch);
                    w.has_substitution |= scratch.has_substitution;
                }
                b'`' => {
                    let mut scratch = WordAcc::default();
                    self.lex_backtick(&mut scratch, false);
                    w.has_substitution = true;
                }
                b'$' if self.byte_at(self.pos + 1) == Some(b'(')
                    && self.byte_at(self.pos + 2) != Some(b'(') =>
                {
                    let at = self.pos;
                    self.pos += 2;
                    self.parse_substitution(at);
                    w.has_substitution = true;
                }
                b'$' if self.byte_at(self.pos + 1) == Some(b'{') => {
                    depth += 1;
                    self.pos += 2;
                }
                b'}' => {
                    depth -= 1;
                    self.pos += 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.error("unterminated `${`", open, open + 2);
    }

    /// `NAME=(a b c)`: skipped to the closing parenthesis.
    fn scan_array_literal(&mut self) {
        let open = self.pos;
        self.pos += 1;
        while let Some(c) = self.cur() {
            match c {
                b')' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => self.pos = (self.pos + 2).min(self.b.len()),
                b'\'' | b'"' | b'$' | b'`' => {
                    let mut scratch = WordAcc::default();
                    match c {
                        b'\'' => self.lex_single_quote(&mut scratch),
                        b'"' => self.lex_double_quote(&mut scratch),
                        b'$' => self.lex_dollar(&mut scratch, false),
                        _ => self.lex_backtick(&mut scratch, false),
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.error("unterminated array `(`", open, open + 1);
    }

    /// After `$(` or `<(`: the commands up to the matching `)`.
    fn parse_substitution(&mut self, open: usize) {
        if self.depth >= MAX_DEPTH {
            self.error("nesting too deep: substitution not read", open, open + 2);
            self.skip_balanced_parens();
            return;
        }
        let saved_ctx = self.ctx;
        let saved_state = (self.pipefail, self.errexit, self.closers, self.parens, self.pipeline);
        self.ctx.substitution += 1;
        self.ctx.subshell += 1;
        self.closers = [0; 9];
        self.parens = 1;
        self.depth += 1;
        self.parse_list(&[], true);
        self.depth -= 1;
        self.ctx = saved_ctx;
        (self.pipefail, self.errexit, self.closers, self.parens, self.pipeline) = saved_state;
        if self.cur() == Some(b')') {
            self.pos += 1;
        } else {
            self.error("unterminated command substitution", open, open + 2);
        }
        self.last_end = self.pos;
    }

    /// Skips to the `)` closing an already-open parenthesis, counting nested ones.
    fn skip_balanced_parens(&mut self) {
        let mut depth = 1u32;
        while let Some(c) = self.cur() {
            self.pos += 1;
            match c {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                b'\\' => self.pos = (self.pos + 1).min(self.b.len()),
                _ => {}
            }
        }
    }

    /// `` `...` ``: the text between the backticks, with `\$`, `` \` ``, `\\` (and `\"` inside
    /// double quotes) unescaped, parsed as a script of its own.
    fn lex_backtick(&mut self, w: &mut WordAcc, in_dq: bool) {
        let open = self.pos;
        self.pos += 1;
        let mut inner = String::new();
        let mut map = OffsetMap::new(self.pos);
        let mut closed = false;
        while let Some(c) = self.cur() {
            match c {
                b'`' => {
                    self.pos += 1;
                    closed = true;
                    break;
                }
                b'\\' => {
                    let next = self.byte_at(self.pos + 1);
                    let unescape = matches!(next, Some(b'$' | b'`' | b'\\')) || (in_dq && next == Some(b'"'));
                    if unescape {
                        map.push_special(inner.len(), 1, self.pos, self.pos + 2);
                        inner.push_str(self.slice(self.pos + 1, self.pos + 2));
                        self.pos += 2;
                    } else {
                        map.push_verbatim(inner.len(), self.pos, 1);
                        inner.push('\\');
                        self.pos += 1;
                    }
                }
                _ => {
                    let run_start = self.pos;
                    let rest = self.b.get(self.pos..).unwrap_or(&[]);
                    let len = rest.iter().position(|&b| b == b'`' || b == b'\\').unwrap_or(rest.len());
                    self.pos += len;
                    map.push_verbatim(inner.len(), run_start, len);
                    inner.push_str(self.slice(run_start, self.pos));
                }
            }
        }
        if !closed {
            self.error("unterminated backquote", open, open + 1);
        }
        let mut ctx = self.ctx;
        ctx.substitution += 1;
        ctx.subshell += 1;
        let (pipefail, errexit) = (self.pipefail, self.errexit);
        if self.depth < MAX_DEPTH {
            self.depth += 1;
            let saved_pipeline = self.pipeline;
            self.parse_nested(&inner, &map, ctx, pipefail, errexit);
            self.pipeline = saved_pipeline;
            self.depth -= 1;
        } else {
            self.error("nesting too deep: backquote not read", open, open + 1);
        }
        w.expansion(self.slice(open, self.pos), open);
        w.has_substitution = true;
        self.last_end = self.pos;
    }
}

/// Parses `text` as a script of its own into `out`, then maps what it produced through `map`
/// (from `text`'s offsets to those of the text it came from).
pub(crate) fn parse_into(out: &mut Out, text: &str, map: &OffsetMap, start: Start) {
    let marks = out.marks();
    Parser::new(text, out, start).run(false);
    out.remap_since(marks, map);
}

/// How [`Parser::lex_word`] treats `(`, `)`, `|`, `<`, `>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordMode {
    Normal,
    /// The right side of `=~` in `[[ ]]`: a regular expression, where they are plain.
    Regex,
}

/// A word being built.
#[derive(Debug, Default)]
struct WordAcc {
    value: String,
    map: OffsetMap,
    has_expansion: bool,
    has_substitution: bool,
    quoted: bool,
    glob: bool,
}

impl WordAcc {
    fn verbatim(&mut self, text: &str, source: usize) {
        self.map.push_verbatim(self.value.len(), source, text.len());
        self.value.push_str(text);
    }

    fn special(&mut self, text: &str, source: usize, source_end: usize) {
        self.map.push_special(self.value.len(), text.len(), source, source_end);
        self.value.push_str(text);
    }

    fn expansion(&mut self, raw: &str, source: usize) {
        self.has_expansion = true;
        self.verbatim(raw, source);
    }

    /// `NAME=` or `NAME+=` written plainly.
    fn is_assignment_prefix(&self) -> bool {
        !self.quoted
            && !self.has_expansion
            && assignment_name_len(&self.value).is_some_and(|n| {
                let rest = self.value.get(n..).unwrap_or("");
                rest == "=" || rest == "+="
            })
    }

    /// Whether the value so far has the same length as the raw text (nothing was unquoted).
    fn map_len_matches(&self, raw_len: usize) -> bool {
        self.value.len() == raw_len
    }

    fn finish(self, raw: String, span: Span) -> Word {
        Word {
            text: (!self.has_expansion).then(|| self.value.clone()),
            value: self.value,
            raw,
            span,
            has_expansion: self.has_expansion,
            has_substitution: self.has_substitution,
            quoted: self.quoted,
            glob: self.glob,
            map: self.map,
        }
    }
}

/// The length of a variable name (with an optional `[subscript]`) at the start of `text`
/// that is followed by `=` or `+=`.
fn assignment_name_len(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    if !b.first().copied().is_some_and(is_name_start) {
        return None;
    }
    let mut n = b.iter().position(|&c| !is_name_char(c)).unwrap_or(b.len());
    if b.get(n) == Some(&b'[') {
        n += b.get(n..)?.iter().position(|&c| c == b']')? + 1;
    }
    match b.get(n..)? {
        [b'=', ..] | [b'+', b'=', ..] => Some(n),
        _ => None,
    }
}

/// `NAME=value` when the word is one: the name written plainly (the raw text starts with it).
fn as_assignment(word: &Word) -> Option<Assignment> {
    let n = assignment_name_len(&word.value)?;
    let name = word.value.get(..n)?;
    if !word.raw.starts_with(name) {
        return None;
    }
    let append = word.value.as_bytes().get(n) == Some(&b'+');
    let value_start = n + if append { 2 } else { 1 };
    let raw_prefix = word.raw.get(..value_start)?;
    if raw_prefix != word.value.get(..value_start)? {
        return None;
    }
    let value = word.suffix(value_start);
    let name = name.split('[').next().unwrap_or(name).to_string();
    Some(Assignment { name, value, append, span: word.span })
}

/// Decodes one `$'...'` escape (the bytes after the backslash): the character (if any) and how
/// many bytes it used.
fn decode_ansi_escape(rest: &[u8]) -> (Option<char>, usize) {
    let Some(&c) = rest.first() else { return (Some('\\'), 0) };
    let simple = |ch: char| (Some(ch), 1);
    match c {
        b'n' => simple('\n'),
        b't' => simple('\t'),
        b'r' => simple('\r'),
        b'a' => simple('\u{7}'),
        b'b' => simple('\u{8}'),
        b'e' | b'E' => simple('\u{1b}'),
        b'f' => simple('\u{c}'),
        b'v' => simple('\u{b}'),
        b'\\' => simple('\\'),
        b'\'' => simple('\''),
        b'"' => simple('"'),
        b'?' => simple('?'),
        b'x' | b'u' | b'U' => {
            let max = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let digits: usize = rest.iter().skip(1).take(max).take_while(|d| d.is_ascii_hexdigit()).count();
            if digits == 0 {
                return (Some('\\'), 0);
            }
            let text = std::str::from_utf8(rest.get(1..1 + digits).unwrap_or(&[])).unwrap_or("0");
            let value = u32::from_str_radix(text, 16).unwrap_or(0);
            (char::from_u32(value).or(Some('\u{fffd}')), 1 + digits)
        }
        b'0'..=b'7' => {
            let digits = rest.iter().take(3).take_while(|d| (b'0'..=b'7').contains(d)).count();
            let text = std::str::from_utf8(rest.get(..digits).unwrap_or(&[])).unwrap_or("0");
            let value = u32::from_str_radix(text, 8).unwrap_or(0);
            (char::from_u32(value), digits)
        }
        b'c' => match rest.get(1) {
            Some(&x) => (char::from_u32(u32::from(x & 0x1f)), 2),
            None => (Some('\\'), 0),
        },
        _ => {
            // Unknown escape: kept with its backslash; the next character is read normally.
            (Some('\\'), 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_names() {
        assert_eq!(assignment_name_len("A=1"), Some(1));
        assert_eq!(assignment_name_len("_x9+=1"), Some(3));
        assert_eq!(assignment_name_len("a[1]=x"), Some(4));
        assert_eq!(assignment_name_len("9a=1"), None);
        assert_eq!(assignment_name_len("--opt=1"), None);
    }

    #[test]
    fn ansi_escapes() {
        assert_eq!(decode_ansi_escape(b"n"), (Some('\n'), 1));
        assert_eq!(decode_ansi_escape(b"x41z"), (Some('A'), 3));
        assert_eq!(decode_ansi_escape(b"101"), (Some('A'), 3));
        assert_eq!(decode_ansi_escape(b"u00e9"), (Some('é'), 5));
        assert_eq!(decode_ansi_escape(b"q"), (Some('\\'), 0));
    }
}
