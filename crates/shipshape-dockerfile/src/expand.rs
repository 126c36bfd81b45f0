//! Dockerfile variable expansion, following BuildKit's shell lexer
//! (`frontend/dockerfile/shell/lex.go` in moby/buildkit) on Unix.
//!
//! Supported, with BuildKit's semantics:
//!
//! * `$name`, `${name}`; names are letters, digits and `_`; a name starting with a digit
//!   is a run of digits (positional parameters, normally unset and so empty); the special
//!   parameters `@ * # ? - $ !` are one-character names (also normally unset). A `$` not
//!   followed by a name (`$.`, `$/`, trailing `$`) is literal.
//! * `${v-w}` / `${v:-w}`, `${v+w}` / `${v:+w}`, `${v?w}` / `${v:?w}` (the colon forms treat an
//!   empty value like an unset one; `?` fails the expansion).
//! * `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}` and `${v/p/r}`, `${v//p/r}` with glob patterns
//!   made of `*`, `?` and literal characters. As in BuildKit, there are no bracket
//!   expressions (`[` is literal), `*` and `?` never match a newline, `\` escapes `*`, `?`
//!   and `\` in a pattern (any other escaped character is an error) and `\}` / `\/` stand for
//!   `}` / `/`. `${v:#p}` and `${v:%p}` are rejected. In `${v//p/r}` the replacement may use
//!   `$0` / `${0}` (the matched text) and `$$`, as Go's `ReplaceAllString` does.
//! * Single quotes (everything literal), double quotes (only `$` is expanded; the escape
//!   character escapes `"`, `$` and itself and is otherwise kept), and the configurable
//!   escape character (`\` or `` ` ``) outside quotes; a trailing escape character is dropped.
//!
//! Anything else after `${name` (`${v:=w}`, `${#v}`, `${v:1}` ...) is an error, as are
//! unterminated quotes and braces. Unlike BuildKit, `${` nesting deeper than
//! [`MAX_NESTING`] levels is an error, so hostile input cannot exhaust the stack.
//!
//! Everything runs in time linear in the input, except glob matching, which is
//! `O(pattern length × value length)` like any regular-expression engine without
//! backtracking.

use std::fmt;

/// How deeply `${...}` expansions may nest (`${a:-${b:-${c}}}` has depth 3) before
/// expansion fails with an error instead of recursing further.
pub const MAX_NESTING: usize = 64;

/// The result of [`expand_word`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expanded {
    /// The word with variables expanded and quotes and escapes removed.
    pub value: String,
    /// Variables that were referenced while unset and whose absence shaped `value`, in
    /// order of first reference, without duplicates.
    ///
    /// `$v` and `${v}` count when `v` is unset, as do `${v#p}`, `${v%p}` and `${v/p/r}`.
    /// `${v-w}`/`${v:-w}` never count `v` (the default supplies the value) and
    /// `${v+w}`/`${v:+w}` never count `v` either (an unset `v` simply yields `""`).
    /// Variables inside a default, alternative, pattern or replacement count only when
    /// that part was used to build the value. Positional and special parameters (`$1`,
    /// `$@`, ...) count like any other name; the empty name (as in `${+x}`) never counts.
    pub unset: Vec<String>,
}

/// A failed expansion: a syntax error, an unsupported modifier, an invalid pattern or a
/// `${v?message}` / `${v:?message}` whose variable was unset (or empty, for `:?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    /// What went wrong, in BuildKit's words where BuildKit has them (for example
    /// `syntax error: bad substitution` or `FOO: is not allowed to be unset`).
    pub message: String,
    /// Byte offset in the input where it went wrong: the opening quote of an
    /// unterminated string, the `$` of a faulty `${...}`, or the modifier character of an
    /// unsupported modifier.
    pub offset: usize,
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpandError {}

/// Expands one word (as BuildKit's `ProcessWord` does): variables are substituted and
/// quotes and escapes removed; whitespace is kept as it is.
///
/// `lookup` returns a variable's value, or `None` when it is unset; `escape` is the
/// Dockerfile escape character (`\` or `` ` ``).
///
/// # Errors
///
/// Returns an [`ExpandError`] for malformed input (unterminated quotes or `${`, bad or
/// unsupported substitutions, invalid patterns), for `${v?msg}` / `${v:?msg}` with `v`
/// unset (or empty), and when `${` expansions nest deeper than [`MAX_NESTING`].
pub fn expand_word(
    word: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    escape: char,
) -> Result<Expanded, ExpandError> {
    if is_plain(word, escape) {
        return Ok(Expanded { value: word.to_owned(), unset: Vec::new() });
    }
    let mut lexer = Lexer::new(word, lookup, escape);
    let mut unset = Vec::new();
    let value = lexer.word(None, false, &mut unset, None)?;
    dedup_in_order(&mut unset);
    Ok(Expanded { value, unset })
}

/// Expands `text` and splits it into words (as BuildKit's `ProcessWords` does): splitting
/// happens after expansion, on whitespace that is neither quoted nor escaped; whitespace
/// coming from a variable's value splits too unless the variable was inside double
/// quotes. Empty words are dropped (so `""` alone yields no word).
///
/// # Errors
///
/// The same as [`expand_word`].
pub fn expand_words(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    escape: char,
) -> Result<Vec<String>, ExpandError> {
    if is_plain(text, escape) {
        return Ok(text.split_whitespace().map(str::to_owned).collect());
    }
    let mut lexer = Lexer::new(text, lookup, escape);
    let mut unset = Vec::new();
    let mut words = Words::default();
    lexer.word(None, false, &mut unset, Some(&mut words))?;
    Ok(words.finish())
}

/// True when expansion cannot change `text`: no `$`, quote or escape character, and no
/// leading byte-order mark (BuildKit's scanner skips one).
fn is_plain(text: &str, escape: char) -> bool {
    if text.starts_with('\u{feff}') {
        return false;
    }
    if escape.is_ascii() {
        let esc = escape as u8;
        !text.bytes().any(|b| b == b'$' || b == b'\'' || b == b'"' || b == esc)
    } else {
        !text.chars().any(|c| c == '$' || c == '\'' || c == '"' || c == escape)
    }
}

/// Removes repeated names, keeping the first occurrence of each.
fn dedup_in_order(names: &mut Vec<String>) {
    if names.len() < 2 {
        return;
    }
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    names.retain(|name| seen.insert(name.clone()));
}

fn error(offset: usize, message: impl Into<String>) -> ExpandError {
    ExpandError { message: message.into(), offset }
}

fn missing_brace(offset: usize) -> ExpandError {
    error(offset, "syntax error: missing '}'")
}

/// Word splitting for [`expand_words`].
#[derive(Default)]
struct Words {
    current: String,
    words: Vec<String>,
}

impl Words {
    /// A character that splits on whitespace.
    fn push_char(&mut self, c: char) {
        if c.is_whitespace() {
            if !self.current.is_empty() {
                self.words.push(std::mem::take(&mut self.current));
            }
        } else {
            self.current.push(c);
        }
    }

    /// Text that splits on whitespace (an unquoted expansion).
    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            self.push_char(c);
        }
    }

    /// A quoted or escaped character.
    fn push_raw_char(&mut self, c: char) {
        self.current.push(c);
    }

    /// Quoted text.
    fn push_raw_str(&mut self, s: &str) {
        self.current.push_str(s);
    }

    fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.words.push(self.current);
        }
        self.words
    }
}

/// Go's `unicode.IsLetter`, approximated with Rust's `Alphabetic` property (which also
/// contains letter numbers and some combining marks) minus numeric characters.
fn is_letter(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphabetic() } else { c.is_alphabetic() && !c.is_numeric() }
}

/// Go's `unicode.IsDigit` (general category Nd), approximated for non-ASCII characters
/// with Rust's numeric characters that are not alphabetic.
fn is_digit(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_digit() } else { c.is_numeric() && !c.is_alphabetic() }
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

struct Lexer<'a> {
    src: &'a str,
    /// Byte offset of the next character; always on a character boundary.
    pos: usize,
    escape: char,
    /// Keep escape characters in the output (pattern and replacement words).
    raw_escapes: bool,
    depth: usize,
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, lookup: &'a dyn Fn(&str) -> Option<String>, escape: char) -> Self {
        // Go's text/scanner skips a byte-order mark at the very start.
        let pos = if src.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        Lexer { src, pos, escape, raw_escapes: false, depth: 0, lookup }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self, c: char) {
        self.pos += c.len_utf8();
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.bump(c);
        Some(c)
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.src.len()
    }

    /// Processes characters up to `stop` (consumed) or, for `None`, the end of input
    /// (BuildKit's `processStopOn`). References to unset variables are appended to `unset`;
    /// `words`, at the top level of [`expand_words`], receives the word-splitting view.
    fn word(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
        unset: &mut Vec<String>,
        words: Option<&mut Words>,
    ) -> Result<String, ExpandError> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.word_inner(stop, unset, words);
        self.raw_escapes = saved;
        result
    }

    fn word_inner(
        &mut self,
        stop: Option<char>,
        unset: &mut Vec<String>,
        mut words: Option<&mut Words>,
    ) -> Result<String, ExpandError> {
        let mut out = String::with_capacity(self.rest().len().min(64));
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.bump(ch);
                return Ok(out);
            }
            match ch {
                '$' => {
                    let value = self.dollar(unset)?;
                    if let Some(words) = words.as_deref_mut() {
                        words.push_str(&value);
                    }
                    out.push_str(&value);
                }
                '\'' => {
                    let value = self.single_quoted()?;
                    if let Some(words) = words.as_deref_mut() {
                        words.push_raw_str(value);
                    }
                    out.push_str(value);
                }
                '"' => {
                    let value = self.double_quoted(unset)?;
                    if let Some(words) = words.as_deref_mut() {
                        words.push_raw_str(&value);
                    }
                    out.push_str(&value);
                }
                _ if ch == self.escape => {
                    self.bump(ch);
                    if self.raw_escapes {
                        if let Some(words) = words.as_deref_mut() {
                            words.push_raw_char(ch);
                        }
                        out.push(ch);
                    }
                    // A trailing escape character is dropped.
                    let Some(escaped) = self.next_char() else { break };
                    if let Some(words) = words.as_deref_mut() {
                        words.push_raw_char(escaped);
                    }
                    out.push(escaped);
                }
                _ => match words.as_deref_mut() {
                    Some(words) => {
                        self.bump(ch);
                        words.push_char(ch);
                        out.push(ch);
                    }
                    None => {
                        // Copy the run of ordinary characters in one go.
                        let rest = self.rest();
                        let escape = self.escape;
                        let end = rest
                            .find(|c: char| {
                                c == '$' || c == '\'' || c == '"' || c == escape || Some(c) == stop
                            })
                            .unwrap_or(rest.len());
                        let (run, _) = rest.split_at_checked(end).unwrap_or((rest, ""));
                        out.push_str(run);
                        self.pos += run.len();
                    }
                },
            }
        }
        match stop {
            Some(stop) => {
                Err(error(self.pos, format!("unexpected end of statement while looking for matching {stop}")))
            }
            None => Ok(out),
        }
    }

    /// `'...'`: everything up to the next single quote is literal.
    fn single_quoted(&mut self) -> Result<&'a str, ExpandError> {
        let start = self.pos;
        self.bump('\'');
        let rest = self.rest();
        let Some(end) = rest.find('\'') else {
            return Err(error(start, "unexpected end of statement while looking for matching single-quote"));
        };
        let (content, _) = rest.split_at_checked(end).unwrap_or((rest, ""));
        self.pos += content.len() + 1;
        Ok(content)
    }

    /// `"..."`: only `$` is special; the escape character escapes `"`, `$` and itself and
    /// is kept literally before anything else.
    fn double_quoted(&mut self, unset: &mut Vec<String>) -> Result<String, ExpandError> {
        let start = self.pos;
        self.bump('"');
        let mut out = String::new();
        loop {
            let Some(ch) = self.peek() else {
                return Err(error(
                    start,
                    "unexpected end of statement while looking for matching double-quote",
                ));
            };
            match ch {
                '"' => {
                    self.bump(ch);
                    return Ok(out);
                }
                '$' => {
                    let value = self.dollar(unset)?;
                    out.push_str(&value);
                }
                _ if ch == self.escape => {
                    self.bump(ch);
                    if self.raw_escapes {
                        out.push(ch);
                    }
                    match self.peek() {
                        // Reported as an unterminated string on the next iteration.
                        None => {}
                        Some(next) if next == '"' || next == '$' || next == self.escape => {
                            self.bump(next);
                            out.push(next);
                        }
                        Some(_) => out.push(ch),
                    }
                }
                _ => {
                    let rest = self.rest();
                    let escape = self.escape;
                    let end = rest.find(['"', '$', escape]).unwrap_or(rest.len());
                    let (run, _) = rest.split_at_checked(end).unwrap_or((rest, ""));
                    out.push_str(run);
                    self.pos += run.len();
                }
            }
        }
    }

    /// Reads a name after `$` or `${` (BuildKit's `processName`).
    fn name(&mut self) -> &'a str {
        let rest = self.rest();
        let mut chars = rest.char_indices();
        let end = match chars.next() {
            None => 0,
            Some((_, c)) if is_digit(c) => chars.find(|&(_, c)| !is_digit(c)).map_or(rest.len(), |(i, _)| i),
            Some((_, c)) if is_special_param(c) => c.len_utf8(),
            Some((_, c)) if is_letter(c) || c == '_' => chars
                .find(|&(_, c)| !(is_letter(c) || is_digit(c) || c == '_'))
                .map_or(rest.len(), |(i, _)| i),
            Some(_) => 0,
        };
        let (name, _) = rest.split_at_checked(end).unwrap_or(("", rest));
        self.pos += name.len();
        name
    }

    fn lookup(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    /// A `$` expansion (BuildKit's `processDollar`); the scanner is on the `$`.
    fn dollar(&mut self, unset: &mut Vec<String>) -> Result<String, ExpandError> {
        let start = self.pos;
        self.bump('$');
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(self.lookup(name).unwrap_or_else(|| {
                record(unset, name);
                String::new()
            }));
        }
        self.bump('{');
        if self.depth >= MAX_NESTING {
            return Err(error(start, format!("expansions nested deeper than {MAX_NESTING} levels")));
        }
        self.depth += 1;
        let result = self.braced(start, unset);
        self.depth -= 1;
        result
    }

    /// The part of `${...}` after the brace; `start` is the offset of the `$`.
    fn braced(&mut self, start: usize, unset: &mut Vec<String>) -> Result<String, ExpandError> {
        match self.peek() {
            None => return Err(missing_brace(start)),
            Some('{' | '}' | ':') => return Err(error(start, "syntax error: bad substitution")),
            Some(_) => {}
        }
        let name = self.name();
        let op_pos = self.pos;
        let Some(ch) = self.next_char() else { return Err(missing_brace(start)) };
        let (op, colon) = match ch {
            '}' => {
                return Ok(self.lookup(name).unwrap_or_else(|| {
                    record(unset, name);
                    String::new()
                }));
            }
            '/' => return self.substitution(start, name, unset),
            ':' => match self.next_char() {
                None => return Err(missing_brace(start)),
                Some(op) => (op, true),
            },
            _ => (ch, false),
        };
        let supported = matches!(op, '-' | '+' | '?') || (!colon && matches!(op, '#' | '%'));
        if !supported {
            let modifier = if colon { format!(":{op}") } else { op.to_string() };
            return Err(error(op_pos, format!("unsupported modifier ({modifier}) in substitution")));
        }

        let mut word_unset = Vec::new();
        let word = match self.word(Some('}'), matches!(op, '#' | '%'), &mut word_unset, None) {
            Ok(word) => word,
            Err(_) if self.at_eof() => return Err(missing_brace(start)),
            Err(err) => return Err(err),
        };
        let value = self.lookup(name);
        let is_null = |v: &str| colon && v.is_empty();
        match op {
            '-' => Ok(match value {
                Some(v) if !is_null(&v) => v,
                _ => {
                    unset.append(&mut word_unset);
                    word
                }
            }),
            '+' => Ok(match value {
                Some(v) if !is_null(&v) => {
                    unset.append(&mut word_unset);
                    word
                }
                _ => String::new(),
            }),
            '?' => match value {
                Some(v) if !is_null(&v) => Ok(v),
                Some(_) | None => {
                    let message = if !word.is_empty() {
                        word.as_str()
                    } else if value.is_none() {
                        "is not allowed to be unset"
                    } else {
                        "is not allowed to be empty"
                    };
                    Err(error(start, format!("{name}: {message}")))
                }
            },
            _ => {
                // `#` or `%`; a doubled operator (`##`, `%%`) asks for the longest match.
                let (greedy, pattern) = match word.strip_prefix(op) {
                    Some(pattern) => (true, pattern),
                    None => (false, word.as_str()),
                };
                let subject = value.as_deref().unwrap_or("");
                let trimmed = if op == '%' {
                    trim_suffix(pattern, subject, greedy)
                } else {
                    trim_prefix(pattern, subject, greedy)
                }
                .map_err(|m| error(start, format!("invalid pattern ({pattern}) in substitution: {m}")))?;
                match value {
                    Some(_) => unset.append(&mut word_unset),
                    None => record(unset, name),
                }
                Ok(trimmed)
            }
        }
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`; the scanner is
    /// after the first `/`.
    fn substitution(
        &mut self,
        start: usize,
        name: &str,
        unset: &mut Vec<String>,
    ) -> Result<String, ExpandError> {
        let replace_all = self.peek() == Some('/');
        if replace_all {
            self.bump('/');
        }
        let mut pattern_unset = Vec::new();
        let pattern = match self.word(Some('/'), true, &mut pattern_unset, None) {
            Ok(pattern) => pattern,
            Err(_) if self.at_eof() => return Err(error(start, "syntax error: missing '/' in ${}")),
            Err(err) => return Err(err),
        };
        let mut replacement_unset = Vec::new();
        let replacement = match self.word(Some('}'), true, &mut replacement_unset, None) {
            Ok(replacement) => replacement,
            Err(_) if self.at_eof() => return Err(missing_brace(start)),
            Err(err) => return Err(err),
        };
        let value = self.lookup(name);
        let glob = Glob::compile(&pattern, true)
            .map_err(|m| error(start, format!("invalid pattern ({pattern}) in substitution: {m}")))?;
        let subject = value.as_deref().unwrap_or("");
        let (result, replaced) = if replace_all {
            glob.replace_all(subject, &replacement)
        } else {
            glob.replace_first(subject, &replacement)
        };
        match value {
            Some(_) => unset.append(&mut pattern_unset),
            None => record(unset, name),
        }
        if replaced {
            unset.append(&mut replacement_unset);
        }
        Ok(result)
    }
}

fn record(unset: &mut Vec<String>, name: &str) {
    if !name.is_empty() {
        unset.push(name.to_owned());
    }
}

/// One element of a compiled glob pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `?`: any character but a newline.
    Any,
    /// `*`: any run of characters without a newline.
    Star,
}

/// A glob pattern compiled the way BuildKit's `convertShellPatternToRegex` turns it into a
/// Go regular expression, matched with Go's leftmost-first semantics by a small Pike VM.
struct Glob {
    toks: Vec<Tok>,
    /// `*` prefers longer (`.*`) rather than shorter (`.*?`) matches.
    greedy: bool,
}

/// A thread of the Pike VM: (state, start offset). State `toks.len()` means "matched".
type Thread = (usize, usize);

impl Glob {
    fn compile(pattern: &str, greedy: bool) -> Result<Glob, String> {
        // Go's text/scanner skips a byte-order mark at the very start.
        let pattern = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);
        let mut toks = Vec::with_capacity(pattern.len());
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            let tok = match c {
                // Consecutive stars match exactly what one star matches.
                '*' if toks.last() == Some(&Tok::Star) => continue,
                '*' => Tok::Star,
                '?' => Tok::Any,
                '\\' => match chars.peek().copied() {
                    // Escapes needed inside `${}` only; the character itself is literal.
                    Some('}' | '/') => continue,
                    Some(e @ ('*' | '?' | '\\')) => {
                        chars.next();
                        Tok::Lit(e)
                    }
                    Some(e) => return Err(format!("invalid escape '\\{e}'")),
                    None => return Err("invalid escape '\\' at end of pattern".to_owned()),
                },
                c => Tok::Lit(c),
            };
            toks.push(tok);
        }
        Ok(Glob { toks, greedy })
    }

    /// Adds the thread for `state` and everything reachable from it without consuming a
    /// character to `list`, in priority order (skipping states already in `list`).
    fn add(&self, list: &mut Vec<Thread>, seen: &mut [usize], generation: usize, state: usize, start: usize) {
        let mut state = state;
        loop {
            let Some(slot) = seen.get_mut(state) else { return };
            if *slot == generation {
                return;
            }
            *slot = generation;
            if self.toks.get(state) != Some(&Tok::Star) {
                list.push((state, start));
                return;
            }
            if self.greedy {
                // Prefer consuming another character over leaving the star.
                list.push((state, start));
                state += 1;
                continue;
            }
            // Lazy: prefer leaving the star. The next state is not a star (runs of stars
            // are collapsed), so it needs no further closure.
            let next = state + 1;
            if let Some(slot) = seen.get_mut(next)
                && *slot != generation
            {
                *slot = generation;
                list.push((next, start));
            }
            list.push((state, start));
            return;
        }
    }

    /// The leftmost-first match in `text` starting at or after byte `from` (exactly at
    /// `from` when `anchored`), as Go's regexp would report it.
    fn find_at(&self, text: &str, from: usize, anchored: bool) -> Option<(usize, usize)> {
        let tail = text.get(from..)?;
        let accept = self.toks.len();
        let mut seen = vec![0usize; accept + 1];
        let mut generation = 1;
        let mut current: Vec<Thread> = Vec::new();
        let mut next: Vec<Thread> = Vec::new();
        let mut matched = None;
        let mut chars = tail.chars();
        let mut pos = from;
        loop {
            if matched.is_none() && (!anchored || pos == from) {
                self.add(&mut current, &mut seen, generation, 0, pos);
            }
            if current.is_empty() {
                break;
            }
            let c = chars.next();
            generation += 1;
            next.clear();
            for &(state, start) in &current {
                if state == accept {
                    // Threads after this one have lower priority.
                    matched = Some((start, pos));
                    break;
                }
                let Some(c) = c else { continue };
                match self.toks.get(state) {
                    Some(Tok::Lit(l)) if *l == c => {
                        self.add(&mut next, &mut seen, generation, state + 1, start)
                    }
                    Some(Tok::Any) if c != '\n' => {
                        self.add(&mut next, &mut seen, generation, state + 1, start)
                    }
                    Some(Tok::Star) if c != '\n' => self.add(&mut next, &mut seen, generation, state, start),
                    _ => {}
                }
            }
            let Some(c) = c else { break };
            pos += c.len_utf8();
            std::mem::swap(&mut current, &mut next);
        }
        matched
    }

    /// `${v/p/r}`: replaces the first match. Returns the result and whether a match was
    /// replaced.
    fn replace_first(&self, value: &str, replacement: &str) -> (String, bool) {
        match self.find_at(value, 0, false) {
            Some((a, b)) => {
                let before = value.get(..a).unwrap_or("");
                let after = value.get(b..).unwrap_or("");
                (format!("{before}{replacement}{after}"), true)
            }
            None => (value.to_owned(), false),
        }
    }

    /// `${v//p/r}`: Go's `Regexp.ReplaceAllString`, including its handling of empty matches
    /// and of `$` in the replacement template.
    fn replace_all(&self, value: &str, template: &str) -> (String, bool) {
        let mut out = String::with_capacity(value.len());
        let mut replaced = false;
        let mut last_end = 0;
        let mut search = 0;
        while search <= value.len() {
            let Some((a, b)) = self.find_at(value, search, false) else { break };
            out.push_str(value.get(last_end..a).unwrap_or(""));
            // No replacement for an empty match right after the previous match.
            if b > last_end || a == 0 {
                expand_template(&mut out, template, value.get(a..b).unwrap_or(""));
                replaced = true;
            }
            last_end = b;
            let width = value.get(search..).and_then(|s| s.chars().next()).map_or(0, char::len_utf8);
            search = if search + width > b {
                search + width
            } else if search + 1 > b {
                search + 1
            } else {
                b
            };
        }
        out.push_str(value.get(last_end..).unwrap_or(""));
        (out, replaced)
    }
}

/// Go's `Regexp.expand` for a pattern without capture groups: `$$` is `$`, `$0` / `${0}` is
/// the match, any other well-formed `$name` / `${name}` is empty and a malformed one is
/// literal.
fn expand_template(out: &mut String, template: &str, matched: &str) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        let (before, after) = rest.split_at_checked(i).unwrap_or((rest, ""));
        out.push_str(before);
        let after = after.get(1..).unwrap_or("");
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        match template_name(after) {
            Some((name, tail)) => {
                if name == "0" {
                    out.push_str(matched);
                }
                rest = tail;
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Go's regexp `extract`: the name of a leading `name` or `{name}` and the text after it.
fn template_name(s: &str) -> Option<(&str, &str)> {
    let (brace, body) = match s.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, s),
    };
    let end = body.find(|c: char| !(is_letter(c) || is_digit(c) || c == '_')).unwrap_or(body.len());
    if end == 0 {
        return None;
    }
    let (name, tail) = body.split_at_checked(end)?;
    if brace { Some((name, tail.strip_prefix('}')?)) } else { Some((name, tail)) }
}

/// `${v#p}` / `${v##p}`: removes the shortest (longest when `greedy`) prefix matching
/// `pattern`.
fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let glob = Glob::compile(pattern, greedy)?;
    Ok(match glob.find_at(value, 0, true) {
        Some((_, end)) => value.get(end..).unwrap_or("").to_owned(),
        None => value.to_owned(),
    })
}

/// `${v%p}` / `${v%%p}`: like BuildKit, reverses the pattern (keeping `\x` pairs
/// together) and the value, trims a prefix and reverses the result.
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let mut units: Vec<(char, Option<char>)> = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let escaped = if c == '\\' { chars.next() } else { None };
        units.push((c, escaped));
    }
    let mut reversed_pattern = String::with_capacity(pattern.len());
    for &(c, escaped) in units.iter().rev() {
        reversed_pattern.push(c);
        if let Some(e) = escaped {
            reversed_pattern.push(e);
        }
    }
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed_pattern, &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name: &str| map.get(name).cloned()
    }

    fn expand(word: &str, vars: &[(&str, &str)]) -> Result<Expanded, ExpandError> {
        expand_word(word, &env(vars), '\\')
    }

    fn value(word: &str, vars: &[(&str, &str)]) -> String {
        match expand(word, vars) {
            Ok(e) => e.value,
            Err(e) => panic!("{word:?}: unexpected error {e:?}"),
        }
    }

    fn unset(word: &str, vars: &[(&str, &str)]) -> Vec<String> {
        match expand(word, vars) {
            Ok(e) => e.unset,
            Err(e) => panic!("{word:?}: unexpected error {e:?}"),
        }
    }

    fn err(word: &str, vars: &[(&str, &str)]) -> ExpandError {
        match expand(word, vars) {
            Ok(e) => panic!("{word:?}: expected an error, got {e:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn unset_tracking() {
        assert_eq!(unset("$A ${B} $A", &[]), ["A", "B"]);
        assert_eq!(unset("${A:-x} ${A-x}", &[]), Vec::<String>::new());
        assert_eq!(unset("${A:-$B}", &[]), ["B"]);
        assert_eq!(unset("${A:-$B}", &[("A", "a")]), Vec::<String>::new());
        assert_eq!(unset("${A:-$B}", &[("A", "")]), ["B"]);
        assert_eq!(unset("${A-$B}", &[("A", "")]), Vec::<String>::new());
        assert_eq!(unset("${A:+$B}", &[]), Vec::<String>::new());
        assert_eq!(unset("${A:+$B}", &[("A", "a")]), ["B"]);
        assert_eq!(unset("${A+$B}", &[("A", "")]), ["B"]);
        assert_eq!(unset("${A:?$B}", &[("A", "a")]), Vec::<String>::new());
        assert_eq!(unset("${A#$B}", &[]), ["A"]);
        assert_eq!(unset("${A#$B}", &[("A", "a")]), ["B"]);
        assert_eq!(unset("${A/$B/$C}", &[("A", "a")]), ["B", "C"]);
        assert_eq!(unset("${A/x$B/$C}", &[("A", "a")]), ["B"]);
        assert_eq!(unset("${A//$B/$C}", &[]), ["A", "C"]);
        assert_eq!(unset("\"$A\" '$B' \\$C $1 ${@}", &[]), ["A", "1", "@"]);
        assert_eq!(unset("$A", &[("A", "")]), Vec::<String>::new());
        assert_eq!(unset("${X:-${Y:-${Z}}}", &[]), ["Z"]);
    }

    #[test]
    fn error_offsets() {
        let e = err("ab'cd", &[]);
        assert_eq!((e.offset, e.message.contains("single-quote")), (2, true));
        let e = err("a\"b$X", &[]);
        assert_eq!((e.offset, e.message.contains("double-quote")), (1, true));
        assert_eq!(err("x${}", &[]).offset, 1);
        assert_eq!(err("x${}", &[]).message, "syntax error: bad substitution");
        assert_eq!(err("xy${A", &[]).offset, 2);
        assert_eq!(err("xy${A", &[]).message, "syntax error: missing '}'");
        assert_eq!(err("${A:-${B:-x}", &[]).offset, 0);
        assert_eq!(err("ab${A:=x}", &[]).offset, 5);
        assert_eq!(err("ab${A:=x}", &[]).message, "unsupported modifier (:=) in substitution");
        assert_eq!(err("ab${A=x}", &[]).offset, 5);
        assert_eq!(err("${A:#x}", &[("A", "x")]).offset, 3);
        let e = err("é${A:?need A}", &[]);
        assert_eq!((e.offset, e.message.as_str()), (2, "A: need A"));
        assert_eq!(err("${A:?}", &[("A", "")]).message, "A: is not allowed to be empty");
        assert_eq!(err("${A?}", &[]).message, "A: is not allowed to be unset");
        assert_eq!(err("-${A:-${B?}}", &[]).offset, 6);
        assert_eq!(err("${A/x}", &[]).message, "syntax error: missing '/' in ${}");
        let e = err("${A#\\x}", &[("A", "x")]);
        assert_eq!(
            (e.offset, e.message.as_str()),
            (0, "invalid pattern (\\x) in substitution: invalid escape '\\x'")
        );
    }

    #[test]
    fn nesting_is_capped() {
        let depth = 100_000;
        let word = format!("{}x{}", "${a:-".repeat(depth), "}".repeat(depth));
        let e = match expand(&word, &[]) {
            Ok(_) => panic!("deep nesting must fail"),
            Err(e) => e,
        };
        assert_eq!(e.offset, MAX_NESTING * "${a:-".len());
        let word = format!("{}x{}", "\"${a:-".repeat(depth), "}\"".repeat(depth));
        assert!(expand(&word, &[]).is_err());
        let ok = format!("{}x{}", "${a:-".repeat(MAX_NESTING), "}".repeat(MAX_NESTING));
        assert_eq!(value(&ok, &[]), "x");
    }

    #[test]
    fn fast_path_and_bom() {
        assert_eq!(value("plain/text with spaces", &[]), "plain/text with spaces");
        assert_eq!(value("\u{feff}a$B", &[("B", "b")]), "ab");
        assert_eq!(value("\u{feff}a", &[]), "a");
        let words = expand_words("  a  b\tc ", &|_: &str| None, '\\');
        assert_eq!(words, Ok(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]));
        assert_eq!(expand_words("", &|_: &str| None, '\\'), Ok(vec![]));
        assert_eq!(expand_words("a \"\" b", &|_: &str| None, '\\'), Ok(vec!["a".to_owned(), "b".to_owned()]));
    }

    #[test]
    fn backtick_escape() {
        let lookup = env(&[("A", "x")]);
        let e = |w: &str| expand_word(w, &lookup, '`').map(|e| e.value);
        assert_eq!(e("a`$A"), Ok("a$A".to_owned()));
        assert_eq!(e("C:\\dir\\$A"), Ok("C:\\dir\\x".to_owned()));
        assert_eq!(e("\"`\"`$`x\""), Ok("\"$`x".to_owned()));
        assert_eq!(e("a``"), Ok("a`".to_owned()));
    }

    #[test]
    fn trimming() {
        let v = [("F", "xxyy"), ("P", "/usr/local/lib.tar.gz"), ("E", ""), ("N", "a\nb")];
        assert_eq!(value("${F#x}|${F##*x}|${F#*}|${F##*}|${F#}", &v), "xyy|yy|xxyy||xxyy");
        assert_eq!(
            value("${P%.*}|${P%%.*}|${P##*/}|${P#*/}", &v),
            "/usr/local/lib.tar|/usr/local/lib|lib.tar.gz|usr/local/lib.tar.gz"
        );
        assert_eq!(value("${F%y}|${F%%y*}|${F%?}|${F%\\*}", &v), "xxy|xx|xxy|xxyy");
        assert_eq!(value("${F#[x]}|${E#x}|${U#x}", &v), "xxyy||");
        assert_eq!(value("${N#*b}|${N#a?}|${N%%*}", &v), "a\nb|a\nb|a\n");
        // From BuildKit's lex_test.go.
        let v = [("FOO", "()[]{}^$.*?|\\x")];
        assert_eq!(value("${FOO#()[]{\\}^$.\\*\\?|\\\\}", &v), "x");
        assert_eq!(value("${FOO%%\\**}", &[("FOO", "xx**")]), "xx");
        assert_eq!(value("${FOO#*x*y}", &[("FOO", "xxyy")]), "y");
        assert_eq!(value("${FOO#?\\?}", &[("FOO", "???y")]), "?y");
        assert_eq!(value("${FOO%%\\**\\*}", &[("FOO", "a***yy*")]), "a");
        assert_eq!(value("${ABC:-.}${FOO%x}${ABC:-.}", &[("FOO", "xxyy")]), ".xxyy.");
        assert_eq!(value("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "x")]), "xyy");
        assert_eq!(value("${FOO%%$BAR}", &[("FOO", "xxyy"), ("BAR", "")]), "xxyy");
        assert_eq!(value("${FOO#\\}}", &[("FOO", "}a")]), "a");
        assert!(expand("${FOO:#x}", &[("FOO", "x")]).is_err());
        assert!(expand("${FOO:%x}", &[("FOO", "x")]).is_err());
        assert!(expand("${FOO#\\a}", &[]).is_err());
    }

    #[test]
    fn substitution() {
        let v = [("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")];
        assert_eq!(value("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", &v), "/foo.*/*.txt - /foo..*.txt");
        let v = [("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")];
        assert_eq!(value("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", &v), "/tmp/bar.txt - /bar.txt");
        let v = [("FOO", "/a/foo/b/c.txt"), ("NEEDLE", "/?/"), ("REPLACEMENT", "/")];
        assert_eq!(
            value("${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}", &v),
            "/foo/b/c.txt - /foo/c.txt"
        );
        assert_eq!(value("${FOO//\\//\\/}", &[("FOO", "/tmp/foo.txt")]), "\\/tmp\\/foo.txt");
        assert_eq!(value("${FOO/$BAR/ww}", &[("FOO", "xxyy"), ("BAR", "")]), "wwxxyy");
        assert!(expand("${FOO//ww}", &[("FOO", "xxyy")]).is_err());
        assert!(expand("${FOO//}", &[("FOO", "xxyy")]).is_err());
        assert_eq!(value("${FOO///}", &[("FOO", "xxyy")]), "xxyy");
        assert_eq!(value("${FOO///}", &[]), "");
        assert_eq!(value("${A//arm64/aarch64}", &[("A", "x-arm64-arm64")]), "x-aarch64-aarch64");
        assert_eq!(value("${A/*/z}|${A//?/z}|${A//a*/z}", &[("A", "abca")]), "z|zzzz|z");
        // Go's ReplaceAllString: empty matches and the replacement template.
        assert_eq!(value("${A//$E/-}", &[("A", "abc"), ("E", "")]), "-a-b-c-");
        assert_eq!(value("${A//b*/-}", &[("A", "abc")]), "a-");
        assert_eq!(value("${A//b/<'$0'>}|${A/b/<'$0'>}", &[("A", "abc")]), "a<b>c|a<$0>c");
        assert_eq!(value("${A//b/'$$'$'{x'}", &[("A", "abc")]), "a$${xc");
        assert_eq!(value("${U/*/x}", &[]), "x");
    }

    #[test]
    fn release_file_name() {
        // From BuildKit's lex_test.go.
        let word = "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
        let base = [("VERSION", "v1.2.3"), ("TARGETOS", "linux")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let vars: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
            value(word, &vars)
        };
        assert_eq!(
            with(&[("TARGETARCH", "arm"), ("TARGETVARIANT", "v7")]),
            "something-v1.2.3.linux-arm-v7.tar.gz"
        );
        assert_eq!(
            with(&[("TARGETARCH", "arm64"), ("TARGETVARIANT", "")]),
            "something-v1.2.3.linux-arm64.tar.gz"
        );
        assert_eq!(with(&[("TARGETARCH", "arm64")]), "something-v1.2.3.linux-arm64.tar.gz");
        assert_eq!(unset(word, &[("TARGETARCH", "arm64")]), ["VERSION", "TARGETOS"]);
    }

    #[test]
    fn words() {
        let lookup = env(&[("V", " a  b "), ("E", "")]);
        let w = |t: &str| expand_words(t, &lookup, '\\');
        let s = |v: &[&str]| Ok(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(w("x${V}y"), s(&["x", "a", "b", "y"]));
        assert_eq!(w("x\"${V}\"y"), s(&["x a  b y"]));
        assert_eq!(w("a\\ b 'c d' $E \"\""), s(&["a b", "c d"]));
        assert!(w("'x").is_err());
    }

    #[test]
    fn special_and_positional() {
        assert_eq!(value("$1x$@y$$z$0w${#}v", &[]), "xyzwv");
        assert_eq!(value("$0", &[("0", "zero")]), "zero");
        assert_eq!(value("$a.b-$", &[("a", "A")]), "A.b-$");
        assert!(expand("${#A}", &[]).is_err());
        assert_eq!(value("$한국어!", &[("한국어", "k")]), "k!");
    }

    /// Every string over the interesting characters up to length 5, and many longer
    /// pseudo-random ones, expand without panicking, agree between the two entry points,
    /// and report error offsets inside the input.
    #[test]
    fn no_input_panics() {
        const ALPHABET: [char; 16] =
            ['$', '{', '}', ':', '-', '+', '#', '%', '\'', '"', '\\', '/', '?', '*', 'a', ' '];
        let lookup = env(&[("a", "a*b c"), ("b", "")]);
        let check = |word: &str| {
            for escape in ['\\', '`'] {
                let single = expand_word(word, &lookup, escape);
                let split = expand_words(word, &lookup, escape);
                match (&single, &split) {
                    (Ok(_), Ok(_)) => {}
                    (Err(a), Err(b)) => {
                        assert_eq!(a, b, "{word:?}");
                        assert!(a.offset <= word.len() && word.is_char_boundary(a.offset), "{word:?}: {a:?}");
                    }
                    _ => panic!("{word:?}: {single:?} vs {split:?}"),
                }
            }
        };
        let mut word = String::new();
        let mut indices = Vec::new();
        for len in 0..=5usize {
            indices.clear();
            indices.resize(len, 0usize);
            loop {
                word.clear();
                word.extend(indices.iter().filter_map(|&i| ALPHABET.get(i)));
                check(&word);
                // Next combination, odometer style.
                let mut k = 0;
                while let Some(slot) = indices.get_mut(k) {
                    *slot += 1;
                    if *slot < ALPHABET.len() {
                        break;
                    }
                    *slot = 0;
                    k += 1;
                }
                if k == len {
                    break;
                }
            }
        }
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let extended = ['é', '한', '\n', 'b', '0', '1', '@', '`', '.', '\u{feff}'];
        for _ in 0..50_000 {
            let len = (rand() % 40) as usize;
            word.clear();
            for _ in 0..len {
                let r = rand() as usize;
                let c = if r.is_multiple_of(5) {
                    extended.get(r / 5 % extended.len())
                } else {
                    ALPHABET.get(r / 5 % ALPHABET.len())
                };
                word.extend(c);
            }
            check(&word);
        }
    }

    #[test]
    fn long_inputs_are_fast() {
        let lookup = env(&[("A", "value")]);
        let n = 200_000;
        let inputs = [
            "$A".repeat(n),
            "${A}".repeat(n),
            "${A:-x}".repeat(n),
            "$".repeat(n),
            "\\".repeat(n),
            "'x'".repeat(n),
            format!("\"{}\"", "$A ".repeat(n)),
            format!("${{A//?/{}}}", "x".repeat(n)),
        ];
        for input in &inputs {
            assert!(expand_word(input, &lookup, '\\').is_ok());
            assert!(expand_words(input, &lookup, '\\').is_ok());
        }
        let b = "ab".repeat(20_000);
        let big = [("B", b.as_str())];
        assert_eq!(value("${B//b/}", &big), "a".repeat(20_000));
        assert_eq!(value("${B%%b*}", &big), "a");
        assert_eq!(value("${B%b*}", &big).len(), 39_999);
    }
}
