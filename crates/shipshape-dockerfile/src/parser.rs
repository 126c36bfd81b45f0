//! The line-level parser: physical lines, parser directives, comments, line continuations and
//! heredoc bodies, then each logical line split into keyword, flags and typed arguments.
//!
//! It follows BuildKit's `frontend/dockerfile/parser` line by line (see the notes on each
//! function) but never stops at an error: every problem becomes a [`Diagnostic`] and parsing
//! resumes with the next line. Everything runs in time linear in the input, without recursion
//! deeper than [`MAX_ONBUILD_DEPTH`].

use crate::ast::*;
use crate::heredoc;
use crate::json::{JsonArray, parse_json_array};
use crate::validate;
use crate::words::{
    MAX_WORDS, RawWord, extract_flags, is_space, is_token_space, parse_words, split_token_space,
    token_space_len,
};
use shipshape_model::Span;

/// BuildKit reads lines with a 64 KiB buffer: a longer line is an error.
const MAX_LINE_LEN: usize = 65_535;

/// How deep `ONBUILD ONBUILD ...` is parsed before the rest is kept as text. BuildKit rejects
/// any chaining; the limit only bounds recursion on hostile input.
pub(crate) const MAX_ONBUILD_DEPTH: u32 = 8;

const BOM: &str = "\u{feff}";

/// Parses a Dockerfile. Never fails and never panics: see [`Dockerfile::diagnostics`].
pub fn parse(text: &str) -> Dockerfile {
    let mut parser = Parser {
        text,
        pos: 0,
        line_no: 0,
        escape: '\\',
        directives_done: false,
        df: Dockerfile { source: std::sync::Arc::from(text), escape: '\\', ..Dockerfile::default() },
        seen_from: false,
        scratch: Logical::default(),
    };
    parser.run();
    parser.finish()
}

/// One physical line.
#[derive(Clone, Copy)]
struct Line {
    /// First byte (after a BOM on the first line).
    start: usize,
    /// End of the content: before `\n` and any `\r` preceding it.
    end: usize,
}

/// A logical line: the pieces of one or more physical lines joined as BuildKit joins them, and
/// where each piece came from.
#[derive(Default)]
pub(crate) struct Logical {
    pub(crate) text: String,
    /// `(offset in text, offset in source)` of each piece, in order.
    segments: Vec<(usize, usize)>,
    /// Source offset used when the line is empty.
    origin: usize,
}

impl Logical {
    #[cfg(test)]
    fn new(origin: usize) -> Self {
        Self { text: String::new(), segments: Vec::new(), origin }
    }

    /// Empties the line for reuse (keeping its buffers).
    fn reset(&mut self, origin: usize) {
        self.text.clear();
        self.segments.clear();
        self.origin = origin;
    }

    fn push(&mut self, source_start: usize, piece: &str) {
        if piece.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), source_start));
        self.text.push_str(piece);
    }

    /// The source offset of logical offset `at`: the start of the piece beginning there, or (for
    /// `end`) the end of the piece finishing there.
    fn source_offset(&self, at: usize, end: bool) -> usize {
        let after = if end {
            self.segments.partition_point(|&(logical, _)| logical < at)
        } else {
            self.segments.partition_point(|&(logical, _)| logical <= at)
        };
        match after.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(logical, source)) => source + (at.saturating_sub(logical)),
            None => self.origin,
        }
    }

    /// The source span of the logical range `start..end`. An empty range between two pieces
    /// sits at the end of the first, so it stays inside what precedes it.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.source_offset(start, true);
            return Span::from_range(at..at);
        }
        let from = self.source_offset(start, false);
        Span::from_range(from..self.source_offset(end, true).max(from))
    }

    fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    fn word(&self, start: usize, end: usize) -> Word {
        Word::new(self.slice(start, end), self.span(start, end))
    }

    fn raw_word(&self, raw: RawWord) -> Word {
        let span = self.span(raw.start, raw.end);
        Word::new(raw.text, span)
    }
}

/// `start..end` of `text[start..end]` with Unicode whitespace trimmed on both sides.
fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let slice = text.get(start..end).unwrap_or("");
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead == slice.len() {
        return (end, end);
    }
    (start + lead, end - trail)
}

/// Whether `line` ends with a line continuation (BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`), and
/// where the escape character is.
fn continuation_at(line: &str, escape: char) -> Option<usize> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    match before.chars().next_back() {
        Some(c) if c == escape => None,
        _ => Some(before.len()),
    }
}

/// Comment test of BuildKit's `isComment`: the first non-whitespace character is `#`.
fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

struct Parser<'t> {
    text: &'t str,
    /// Start of the next physical line.
    pos: usize,
    /// Physical lines read so far (BuildKit's `currentLine`).
    line_no: u32,
    escape: char,
    directives_done: bool,
    df: Dockerfile,
    seen_from: bool,
    /// The logical line buffer, reused from one instruction to the next.
    scratch: Logical,
}

/// What a line at the top of the file turned out to be.
enum DirectiveLine {
    NotDirective,
    Directive,
}

impl<'t> Parser<'t> {
    fn finish(mut self) -> Dockerfile {
        if self.df.instructions.is_empty() {
            let end = Span::from_range(self.text.len()..self.text.len());
            self.df.diagnostics.push(Diagnostic::error(
                DiagnosticKind::NoInstructions,
                "file with no instructions",
                end,
            ));
        }
        self.df.escape = self.escape;
        self.df.diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        self.df
    }

    fn span(start: usize, end: usize) -> Span {
        Span::from_range(start..end)
    }

    fn error(&mut self, kind: DiagnosticKind, message: impl Into<String>, span: Span) {
        self.df.diagnostics.push(Diagnostic::error(kind, message, span));
    }

    fn next_line(&mut self) -> Option<Line> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = self.text.get(self.pos..).unwrap_or("");
        let (raw_end, next) = match rest.find('\n') {
            Some(i) => (self.pos + i, self.pos + i + 1),
            None => (self.text.len(), self.text.len()),
        };
        let mut start = self.pos;
        if self.line_no == 0 && rest.starts_with(BOM) {
            start += BOM.len();
        }
        let raw = self.text.get(self.pos..raw_end).unwrap_or("");
        let end = self.pos + raw.trim_end_matches('\r').len();
        if raw_end - self.pos > MAX_LINE_LEN {
            let span = Self::span(start, end.max(start));
            self.error(
                DiagnosticKind::LineTooLong,
                format!("dockerfile line greater than max allowed size of {MAX_LINE_LEN}"),
                span,
            );
        }
        self.pos = next;
        self.line_no = self.line_no.saturating_add(1);
        Some(Line { start, end: end.max(start) })
    }

    fn line_text(&self, line: Line) -> &'t str {
        self.text.get(line.start..line.end).unwrap_or("")
    }

    fn push_comment(&mut self, start: usize, end: usize) {
        let text = self.text.get(start..end).unwrap_or("").to_string();
        self.df.comments.push(Comment { text, span: Self::span(start, end) });
    }

    fn run(&mut self) {
        while let Some(line) = self.next_line() {
            let text = self.line_text(line);
            let token_start = line.start + (text.len() - text.trim_start().len());
            let token = self.text.get(token_start..line.end).unwrap_or("");
            if !self.directives_done
                && let DirectiveLine::Directive = self.directive(token, token_start, line.end)
            {
                continue;
            }
            if token.starts_with('#') {
                self.push_comment(token_start, line.end);
                continue;
            }
            if token.is_empty() {
                continue;
            }
            self.instruction(line, token_start);
        }
    }

    /// BuildKit's `DirectiveParser.ParseLine` for a line at the top of the file (leading
    /// whitespace already removed): `#` then `name = value`.
    fn directive(&mut self, token: &str, token_start: usize, end: usize) -> DirectiveLine {
        let Some(after_hash) = token.strip_prefix('#') else {
            self.directives_done = true;
            return DirectiveLine::NotDirective;
        };
        let body = after_hash.trim_start();
        let body_start = token_start + 1 + (after_hash.len() - body.len());
        let Some(parsed) = parse_directive(body) else {
            self.directives_done = true;
            return DirectiveLine::NotDirective;
        };
        let name = parsed.name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return DirectiveLine::NotDirective;
        }
        let span = Self::span(token_start, end);
        if self.df.directives.iter().any(|d| d.name == name) {
            self.error(
                DiagnosticKind::InvalidDirective,
                format!("only one {name} parser directive can be used"),
                span,
            );
            self.push_comment(token_start, end);
            return DirectiveLine::Directive;
        }
        let value_start = body_start + parsed.value_start;
        let value_span = Self::span(value_start, value_start + parsed.value.len());
        if name == "escape" {
            match parsed.value {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                other => {
                    let message = format!("invalid escape token '{other}' does not match ` or \\");
                    self.error(DiagnosticKind::InvalidDirective, message, value_span);
                }
            }
        }
        self.df.directives.push(Directive {
            name,
            value: parsed.value.to_string(),
            span,
            name_span: Self::span(body_start, body_start + parsed.name.len()),
            value_span,
        });
        DirectiveLine::Directive
    }

    /// One instruction starting on `first` at `token_start`: continuation lines, then heredocs.
    fn instruction(&mut self, first: Line, token_start: usize) {
        let start_line = self.line_no;
        let token = self.text.get(token_start..first.end).unwrap_or("");
        let mut logical = std::mem::take(&mut self.scratch);
        logical.reset(token_start);
        let mut continued = match continuation_at(token, self.escape) {
            Some(at) => {
                logical.push(token_start, token.get(..at).unwrap_or(""));
                true
            }
            None => {
                logical.push(token_start, token);
                false
            }
        };
        let mut empty_line: Option<Span> = None;
        while continued {
            let Some(line) = self.next_line() else { break };
            let text = self.line_text(line);
            if is_comment(text) {
                let hash = line.start + (text.len() - text.trim_start().len());
                self.push_comment(hash, line.end);
                continue;
            }
            if text.trim_start().is_empty() {
                empty_line.get_or_insert(Self::span(line.start, line.end));
                continue;
            }
            match continuation_at(text, self.escape) {
                Some(at) => logical.push(line.start, text.get(..at).unwrap_or("")),
                None => {
                    logical.push(line.start, text);
                    continued = false;
                }
            }
        }
        if let Some(span) = empty_line {
            self.df.diagnostics.push(Diagnostic::warning(
                DiagnosticKind::EmptyContinuationLine,
                "empty continuation line: empty continuation lines will become errors in a future release",
                span,
            ));
        }

        let mut instruction = self.build(&logical, 0, logical.text.len(), 0);
        instruction.start_line = start_line;
        if can_contain_heredoc(&instruction) && logical.text.contains("<<") {
            self.heredocs(&logical, &mut instruction);
        }
        instruction.end_line = self.line_no;
        set_lines(&mut instruction, start_line, self.line_no);
        validate::instruction(&instruction, &mut self.df.diagnostics);
        self.check_stage_context(&instruction);
        self.df.instructions.push(instruction);
        self.scratch = logical;
    }

    fn check_stage_context(&mut self, instruction: &Instruction) {
        match instruction.keyword {
            Keyword::From => self.seen_from = true,
            Keyword::Arg | Keyword::Unknown(_) => {}
            _ if !self.seen_from => {
                let message = format!(
                    "{} before the first FROM: only ARG may come before FROM (no build stage in current context)",
                    instruction.keyword
                );
                self.error(DiagnosticKind::NoBuildStage, message, instruction.keyword_span);
            }
            _ => {}
        }
    }

    /// Reads the bodies of the heredocs the instruction line announces.
    fn heredocs(&mut self, logical: &Logical, instruction: &mut Instruction) {
        let markers = match heredoc::markers(&logical.text) {
            Ok(markers) => markers,
            Err(message) => {
                self.error(DiagnosticKind::Syntax, message, instruction.span);
                return;
            }
        };
        for marker in markers {
            let marker_span = logical.span(marker.start, marker.end);
            let content_start = self.pos;
            let mut content_end = self.text.len();
            let mut terminator_span = None;
            while let Some(line) = self.next_line() {
                let text = self.line_text(line);
                let candidate = if marker.chomp { text.trim_start_matches('\t') } else { text };
                if candidate == marker.name {
                    content_end = line.start;
                    terminator_span = Some(Self::span(line.start, line.end));
                    break;
                }
            }
            let terminated = terminator_span.is_some();
            let content_start = content_start.min(content_end);
            // The instruction ends with the terminator, or with the file when there is none.
            let end = terminator_span.map_or(content_end, |s| s.end as usize);
            instruction.span = instruction.span.cover(Self::span(end, end));
            instruction.heredocs.push(HeredocBody {
                name: marker.name,
                marker_span,
                fd: marker.fd,
                chomp: marker.chomp,
                expand: marker.expand,
                content: self.text.get(content_start..content_end).unwrap_or("").to_string(),
                content_span: Self::span(content_start, content_end),
                terminator_span,
            });
            if !terminated {
                self.error(DiagnosticKind::UnterminatedHeredoc, "unterminated heredoc", marker_span);
                break;
            }
        }
    }

    /// BuildKit's `newNodeFromLine` over `logical.text[start..end]`: keyword, flags, arguments.
    fn build(&mut self, logical: &Logical, start: usize, end: usize, depth: u32) -> Instruction {
        let (start, end) = trim_range(&logical.text, start, end);
        let line = logical.slice(start, end);
        let keyword_end = start + line.find(is_token_space).unwrap_or(line.len());
        let keyword_text = logical.slice(start, keyword_end);
        let keyword = Keyword::from_text(keyword_text);
        let keyword_span = logical.span(start, keyword_end);
        let (flag_words, args_start, too_many_flags) = if keyword_end < end {
            let rest_start = keyword_end + token_space_len(logical.slice(keyword_end, end));
            match extract_flags(logical.slice(rest_start, end), rest_start) {
                Some((flags, args_start)) => (flags, args_start, false),
                None => (Vec::new(), rest_start, true),
            }
        } else {
            (Vec::new(), end, false)
        };
        let flags = flag_words
            .into_iter()
            .map(|f| {
                let text = f.text.strip_prefix("--").unwrap_or(&f.text);
                let (name, value) = match text.split_once('=') {
                    Some((name, value)) => (name.to_string(), Some(value.to_string())),
                    None => (text.to_string(), None),
                };
                let name_end = f.eq_at.unwrap_or(f.end).max(f.start + 2);
                Flag {
                    name,
                    value,
                    span: logical.span(f.start, f.end),
                    name_span: logical.span(f.start + 2, name_end),
                    value_span: f.eq_at.map(|eq| logical.span(eq + 1, f.end)),
                }
            })
            .collect();
        let (args_start, args_end) = trim_range(&logical.text, args_start.min(end), end);
        let args = if too_many_flags {
            self.too_many_words(logical, args_start, args_end)
        } else {
            self.args(&keyword, logical, args_start, args_end, depth)
        };
        Instruction {
            keyword,
            keyword_span,
            span: logical.span(start, end),
            flags,
            args,
            args_span: logical.span(args_start, args_end),
            heredocs: Vec::new(),
            start_line: 0,
            end_line: 0,
        }
    }

    fn args(&mut self, keyword: &Keyword, logical: &Logical, start: usize, end: usize, depth: u32) -> Args {
        let rest = logical.slice(start, end);
        match keyword {
            Keyword::Env | Keyword::Label => self.name_values(keyword, logical, start, end),
            Keyword::Arg => match parse_words(rest, start, self.escape) {
                None => self.too_many_words(logical, start, end),
                Some(words) if words.is_empty() => Args::Empty,
                Some(words) => Args::ArgDecls(words.into_iter().map(|w| arg_word(logical, w)).collect()),
            },
            Keyword::From => match whitespace_words(logical, start, end) {
                Ok(Some(words)) => Args::From(FromArgs { words }),
                Ok(None) => Args::Empty,
                Err(()) => self.too_many_words(logical, start, end),
            },
            Keyword::Expose => match whitespace_words(logical, start, end) {
                Ok(Some(words)) => Args::Words(words),
                Ok(None) => Args::Empty,
                Err(()) => self.too_many_words(logical, start, end),
            },
            Keyword::Maintainer | Keyword::User | Keyword::Workdir | Keyword::Stopsignal => {
                if rest.is_empty() { Args::Empty } else { Args::Text(logical.word(start, end)) }
            }
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
                match self.maybe_json(logical, start, end) {
                    Ok(Some(command)) => Args::Command(command),
                    Ok(None) => Args::Empty,
                    Err(()) => Args::Invalid(logical.word(start, end)),
                }
            }
            Keyword::Add | Keyword::Copy | Keyword::Volume => match parse_json_array(rest) {
                JsonArray::Strings(elements) => {
                    Args::Paths(PathList { json: true, paths: json_words(logical, start, elements) })
                }
                JsonArray::NotStrings => {
                    self.not_strings(logical.span(start, end));
                    Args::Invalid(logical.word(start, end))
                }
                JsonArray::TooLong => self.too_many_words(logical, start, end),
                JsonArray::NotJson => match whitespace_words(logical, start, end) {
                    Ok(Some(paths)) => Args::Paths(PathList { json: false, paths }),
                    Ok(None) => Args::Empty,
                    Err(()) => self.too_many_words(logical, start, end),
                },
            },
            Keyword::Healthcheck => self.healthcheck(logical, start, end),
            Keyword::Onbuild => {
                if rest.is_empty() {
                    Args::Empty
                } else if depth >= MAX_ONBUILD_DEPTH {
                    let span = logical.span(start, end);
                    self.error(DiagnosticKind::InvalidArguments, "ONBUILD nested too deeply", span);
                    Args::Invalid(logical.word(start, end))
                } else {
                    Args::Onbuild(Box::new(self.build(logical, start, end, depth + 1)))
                }
            }
            Keyword::Unknown(_) => Args::Raw(logical.word(start, end)),
        }
    }

    /// Gives up on arguments with more than [`MAX_WORDS`] words.
    fn too_many_words(&mut self, logical: &Logical, start: usize, end: usize) -> Args {
        let span = logical.span(start, end);
        let message =
            format!("more than {MAX_WORDS} arguments or flags: the instruction is not read further");
        self.error(DiagnosticKind::InvalidArguments, message, span);
        Args::Invalid(logical.word(start, end))
    }

    fn not_strings(&mut self, span: Span) {
        self.error(
            DiagnosticKind::Syntax,
            "when using JSON array syntax, arrays must be comprised of strings only",
            span,
        );
    }

    /// BuildKit's `parseMaybeJSON`: exec form, or shell form when the text is not a JSON array.
    fn maybe_json(&mut self, logical: &Logical, start: usize, end: usize) -> Result<Option<CommandArgs>, ()> {
        let rest = logical.slice(start, end);
        if rest.is_empty() {
            return Ok(None);
        }
        match parse_json_array(rest) {
            JsonArray::Strings(elements) => Ok(Some(CommandArgs::Exec(json_words(logical, start, elements)))),
            JsonArray::NotStrings => {
                self.not_strings(logical.span(start, end));
                Err(())
            }
            JsonArray::TooLong => {
                self.too_many_words(logical, start, end);
                Err(())
            }
            JsonArray::NotJson => Ok(Some(CommandArgs::Shell(logical.word(start, end)))),
        }
    }

    /// BuildKit's `parseHealthConfig`: a type word, then a command like `CMD`'s.
    fn healthcheck(&mut self, logical: &Logical, start: usize, end: usize) -> Args {
        let rest = logical.slice(start, end);
        let kind_end = start + rest.find(is_space).unwrap_or(rest.len());
        if kind_end == start {
            return Args::Empty;
        }
        let after = logical.slice(kind_end, end);
        let command_start = kind_end + (after.len() - after.trim_start().len());
        match self.maybe_json(logical, command_start, end) {
            Ok(command) => {
                Args::Healthcheck(HealthcheckArgs { kind: logical.word(start, kind_end), command })
            }
            Err(()) => Args::Invalid(logical.word(start, end)),
        }
    }

    /// BuildKit's `parseNameVal` for `ENV` and `LABEL`.
    fn name_values(&mut self, keyword: &Keyword, logical: &Logical, start: usize, end: usize) -> Args {
        let rest = logical.slice(start, end);
        let Some(words) = parse_words(rest, start, self.escape) else {
            return self.too_many_words(logical, start, end);
        };
        let Some(first) = words.first() else { return Args::Empty };
        if !first.text.contains('=') {
            // Legacy `ENV name value`: split once on whitespace, the value keeps everything.
            let Some(sep) = rest.find(is_token_space) else {
                let message = format!("{keyword} must have two arguments");
                self.error(DiagnosticKind::Syntax, message, logical.span(start, end));
                return Args::Invalid(logical.word(start, end));
            };
            let value_start = start + sep + token_space_len(rest.get(sep..).unwrap_or(""));
            return Args::KeyValues(vec![KeyValue {
                key: logical.word(start, start + sep),
                value: logical.word(value_start, end),
                span: logical.span(start, end),
                legacy: true,
            }]);
        }
        let mut pairs = Vec::with_capacity(words.len());
        for word in words {
            let Some(eq) = word.text.find('=') else {
                let message = format!(
                    "Syntax error - can't find = in {}. Must be of the form: name=value",
                    crate::dump::go_quote(&word.text)
                );
                self.error(DiagnosticKind::Syntax, message, logical.span(word.start, word.end));
                return Args::Invalid(logical.word(start, end));
            };
            let key_end = word.start + eq;
            pairs.push(KeyValue {
                key: Word::new(word.text.get(..eq).unwrap_or(""), logical.span(word.start, key_end)),
                value: Word::new(word.text.get(eq + 1..).unwrap_or(""), logical.span(key_end + 1, word.end)),
                span: logical.span(word.start, word.end),
                legacy: false,
            });
        }
        Args::KeyValues(pairs)
    }
}

/// The parts of `name = value` after `#` (BuildKit's `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`).
struct ParsedDirective<'a> {
    name: &'a str,
    value: &'a str,
    /// Offset of the value in the text given to [`parse_directive`].
    value_start: usize,
}

fn parse_directive(body: &str) -> Option<ParsedDirective<'_>> {
    // Go's `\s` is `[\t\n\f\r ]`.
    let is_re_space = |c: char| matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ');
    let mut chars = body.char_indices();
    if !chars.next().is_some_and(|(_, c)| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_len = body.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(body.len());
    let name = body.get(..name_len)?;
    let after_name = body.get(name_len..)?.trim_start_matches(is_re_space);
    let after_eq = after_name.strip_prefix('=')?;
    let eq_end = body.len() - after_eq.len();
    let value_part = after_eq.trim_start_matches(is_re_space);
    let (value_start, value) = if value_part.is_empty() {
        // `(.+?)` still needs one character: the regex gives back the last whitespace.
        let last = after_eq.chars().next_back()?;
        (body.len() - last.len_utf8(), body.get(body.len() - last.len_utf8()..)?)
    } else {
        (body.len() - value_part.len(), value_part.trim_end_matches(is_re_space))
    };
    debug_assert!(value_start >= eq_end);
    Some(ParsedDirective { name, value, value_start })
}

fn arg_word(logical: &Logical, raw: RawWord) -> ArgWord {
    let (name, default) = match raw.text.find('=') {
        Some(eq) => {
            let name = Word::new(raw.text.get(..eq).unwrap_or(""), logical.span(raw.start, raw.start + eq));
            let default =
                Word::new(raw.text.get(eq + 1..).unwrap_or(""), logical.span(raw.start + eq + 1, raw.end));
            (name, Some(default))
        }
        None => (Word::new(raw.text.clone(), logical.span(raw.start, raw.end)), None),
    };
    ArgWord { word: logical.raw_word(raw), name, default }
}

/// BuildKit's `parseStringsWhitespaceDelimited`; `None` for empty text, `Err` past
/// [`MAX_WORDS`] words.
fn whitespace_words(logical: &Logical, start: usize, end: usize) -> Result<Option<Vec<Word>>, ()> {
    let rest = logical.slice(start, end);
    if rest.is_empty() {
        return Ok(None);
    }
    let words = split_token_space(rest, start).ok_or(())?;
    Ok(Some(words.into_iter().map(|w| logical.raw_word(w)).collect()))
}

fn json_words(logical: &Logical, start: usize, elements: Vec<(String, usize, usize)>) -> Vec<Word> {
    elements.into_iter().map(|(text, s, e)| Word::new(text, logical.span(start + s, start + e))).collect()
}

/// BuildKit's `canContainHeredoc`: `RUN`, `COPY`, `ADD` (also as an `ONBUILD` trigger), not in
/// JSON form.
fn can_contain_heredoc(instruction: &Instruction) -> bool {
    let target = instruction.onbuild_trigger().unwrap_or(instruction);
    match (&target.keyword, &target.args) {
        (Keyword::Run, Args::Command(command)) => !command.is_exec(),
        (Keyword::Add | Keyword::Copy, Args::Paths(paths)) => !paths.json,
        (Keyword::Run | Keyword::Add | Keyword::Copy, _) => true,
        _ => false,
    }
}

/// Sets the line numbers of an instruction and of its `ONBUILD` triggers.
fn set_lines(instruction: &mut Instruction, start: u32, end: u32) {
    let mut current = Some(instruction);
    while let Some(instruction) = current {
        instruction.start_line = start;
        instruction.end_line = end;
        current = match &mut instruction.args {
            Args::Onbuild(trigger) => Some(trigger.as_mut()),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_detection() {
        assert_eq!(continuation_at("RUN a \\", '\\'), Some(6));
        assert_eq!(continuation_at("RUN a \\  \t", '\\'), Some(6));
        assert_eq!(continuation_at("\\", '\\'), Some(0));
        assert_eq!(continuation_at("RUN a \\\\", '\\'), None);
        assert_eq!(continuation_at("RUN a `", '`'), Some(6));
        assert_eq!(continuation_at("RUN a \\", '`'), None);
        assert_eq!(continuation_at("", '\\'), None);
    }

    #[test]
    fn directive_syntax() {
        let d = parse_directive("escape = `").map(|d| (d.name, d.value, d.value_start));
        assert_eq!(d, Some(("escape", "`", 9)));
        let d = parse_directive("syntax=docker/dockerfile:1  ").map(|d| (d.name, d.value));
        assert_eq!(d, Some(("syntax", "docker/dockerfile:1")));
        assert!(parse_directive("escape").is_none());
        assert!(parse_directive("1x=y").is_none());
        assert!(parse_directive("x=").is_none());
        assert_eq!(parse_directive("x=  ").map(|d| d.value), Some(" "));
    }

    #[test]
    fn logical_line_maps_back_to_source() {
        let source = "RUN a \\\n  b";
        let mut logical = Logical::new(0);
        logical.push(0, "RUN a ");
        logical.push(8, "  b");
        assert_eq!(logical.text, "RUN a   b");
        assert_eq!(logical.span(4, 9).slice(source), "a \\\n  b");
        assert_eq!(logical.span(6, 9).slice(source), "  b");
        assert_eq!(logical.span(0, 6).slice(source), "RUN a ");
        assert_eq!(logical.span(9, 9), Span::new(11, 11));
        // Empty at a joint: the end of the first piece, not the start of the second.
        assert_eq!(logical.span(6, 6), Span::new(6, 6));
        assert_eq!(logical.span(0, 0), Span::new(0, 0));
    }
}
