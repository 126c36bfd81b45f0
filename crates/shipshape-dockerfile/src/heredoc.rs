//! Finding heredoc markers (`<<EOF`, `<<-"EOF"`, `3<<EOF`) in an instruction line, the way
//! BuildKit does: split the line into shell words (quotes and escapes kept, variables left
//! as written), then read each word of the form `[fd]<<[-]delimiter`.

use crate::words::is_space;

/// BuildKit always lexes heredoc words with `\`, whatever `# escape=` says.
const ESCAPE: char = '\\';

/// Nesting limit for `${...}` inside `${...}`; BuildKit has none, we refuse to recurse deeper.
const MAX_NESTING: u32 = 64;

/// A heredoc marker found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    /// The delimiter with quotes removed.
    pub(crate) name: String,
    pub(crate) fd: Option<u32>,
    pub(crate) chomp: bool,
    pub(crate) expand: bool,
    /// Byte range of the marker word in the line.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// At most this many heredocs are read for one instruction (each needs its own terminator
/// line); the limit bounds memory on hostile input.
pub(crate) const MAX_HEREDOCS: usize = 4096;

/// Every heredoc marker of `line`, in order. `Err` carries BuildKit's message for a delimiter it
/// cannot read (BuildKit rejects the file).
pub(crate) fn markers(line: &str) -> Result<Vec<Marker>, String> {
    let mut found = Vec::new();
    let mut failure = None;
    let mut sink = |word: LexWord| {
        if failure.is_some() || found.len() >= MAX_HEREDOCS || !could_be_marker(&word.text) {
            return;
        }
        match parse_marker(&word.text) {
            Ok(Some(marker)) => found.push(Marker { start: word.start, end: word.end, ..marker }),
            Ok(None) => {}
            Err(message) => failure = Some(message),
        }
    };
    // BuildKit ignores lexing errors of the whole line: such a line has no heredocs.
    if Lexer::new(line, true).process_stop_on(None, true, 0, &mut sink).is_err() {
        return Ok(Vec::new());
    }
    match failure {
        Some(message) => Err(message),
        None => Ok(found),
    }
}

/// A cheap test before [`parse_marker`]: digits then `<<`.
fn could_be_marker(word: &str) -> bool {
    word.trim_start_matches(|c: char| c.is_ascii_digit()).starts_with("<<")
}

/// The words of `text` (at most two are kept: enough to tell one word from several).
fn words(text: &str, raw_quotes: bool) -> Result<Vec<LexWord>, ()> {
    let mut words = Vec::new();
    Lexer::new(text, raw_quotes).process_stop_on(None, false, 0, &mut |word| {
        if words.len() < 2 {
            words.push(word);
        }
    })?;
    Ok(words)
}

/// BuildKit's `ParseHeredoc`: `^(\d*)<<(-?)([^<]*)$`, then the delimiter read as one shell word.
pub(crate) fn parse_marker(word: &str) -> Result<Option<Marker>, String> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let Some((fd_text, after_fd)) = word.split_at_checked(digits) else { return Ok(None) };
    let Some(after) = after_fd.strip_prefix("<<") else { return Ok(None) };
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after),
    };
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let fail = |_| format!("failed to process {rest:?}");
    let cooked = words(rest, false).map_err(fail)?;
    let [name] = cooked.as_slice() else { return Ok(None) };
    let raw_words = words(rest, true).map_err(fail)?;
    let [raw_name] = raw_words.as_slice() else {
        return Err(format!("internal lexing of heredoc produced inconsistent results: {rest}"));
    };
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    Ok(Some(Marker {
        name: name.text.clone(),
        fd: (!fd_text.is_empty()).then(|| fd_text.parse().unwrap_or(0)),
        chomp,
        expand: quotes(&name.text) == quotes(&raw_name.text),
        start: 0,
        end: word.len(),
    }))
}

/// A shell word with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexWord {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Builds words and hands each finished one to a sink.
struct WordAcc<'s> {
    word: String,
    sink: &'s mut dyn FnMut(LexWord),
    in_word: bool,
    start: usize,
    end: usize,
}

impl<'s> WordAcc<'s> {
    fn new(sink: &'s mut dyn FnMut(LexWord)) -> Self {
        Self { word: String::new(), sink, in_word: false, start: 0, end: 0 }
    }

    fn add_char(&mut self, ch: char, start: usize, end: usize) {
        if is_space(ch) {
            if self.in_word && !self.word.is_empty() {
                self.flush();
            }
        } else {
            self.add_raw_char(ch, start, end);
        }
    }

    fn add_raw_char(&mut self, ch: char, start: usize, end: usize) {
        self.begin(start, end);
        self.word.push(ch);
    }

    fn add_raw_string(&mut self, text: &str, start: usize, end: usize) {
        self.begin(start, end);
        self.word.push_str(text);
    }

    fn add_string(&mut self, text: &str, start: usize, end: usize) {
        for ch in text.chars() {
            self.add_char(ch, start, end);
        }
    }

    fn begin(&mut self, start: usize, end: usize) {
        if !self.in_word {
            self.start = start;
            self.in_word = true;
        }
        self.end = end;
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.word);
        (self.sink)(LexWord { text, start: self.start, end: self.end });
        self.in_word = false;
    }

    fn finish(mut self) {
        if !self.word.is_empty() {
            self.flush();
        }
    }
}

/// BuildKit's shell lexer with an empty environment and `SkipUnsetEnv`: variables stay as
/// written, quotes are kept when `raw_quotes` is set.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    raw_quotes: bool,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str, raw_quotes: bool) -> Self {
        Self { text, pos: 0, raw_quotes }
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    /// BuildKit's `processStopOn`: the text up to `stop` (or the end), with each top-level word
    /// handed to `sink`.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
        depth: u32,
        sink: &mut dyn FnMut(LexWord),
    ) -> Result<String, ()> {
        if depth > MAX_NESTING {
            return Err(());
        }
        let mut result = String::new();
        let mut words = WordAcc::new(sink);
        while let Some(ch) = self.peek() {
            let start = self.pos;
            if Some(ch) == stop {
                self.bump();
                words.finish();
                return Ok(result);
            }
            match ch {
                '$' => {
                    let value = self.process_dollar(depth)?;
                    result.push_str(&value);
                    words.add_string(&value, start, self.pos);
                }
                '\'' => {
                    let value = self.single_quote()?;
                    result.push_str(&value);
                    words.add_raw_string(&value, start, self.pos);
                }
                '"' => {
                    let value = self.double_quote(raw_escapes, depth)?;
                    result.push_str(&value);
                    words.add_raw_string(&value, start, self.pos);
                }
                _ => {
                    self.bump();
                    let mut ch = ch;
                    if ch == ESCAPE {
                        if raw_escapes {
                            words.add_raw_char(ch, start, self.pos);
                            result.push(ch);
                        }
                        let Some(escaped) = self.bump() else { break };
                        ch = escaped;
                        words.add_raw_char(ch, start, self.pos);
                    } else {
                        words.add_char(ch, start, self.pos);
                    }
                    result.push(ch);
                }
            }
        }
        if stop.is_some() {
            return Err(());
        }
        words.finish();
        Ok(result)
    }

    /// A nested word (`${name:-word}`), whose words are not needed.
    fn nested(&mut self, stop: char, raw_escapes: bool, depth: u32) -> Result<String, ()> {
        self.process_stop_on(Some(stop), raw_escapes, depth + 1, &mut |_| {})
    }

    fn single_quote(&mut self) -> Result<String, ()> {
        let mut result = String::new();
        let open = self.bump().ok_or(())?;
        if self.raw_quotes {
            result.push(open);
        }
        loop {
            match self.bump() {
                None => return Err(()),
                Some('\'') => {
                    if self.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(ch) => result.push(ch),
            }
        }
    }

    fn double_quote(&mut self, raw_escapes: bool, depth: u32) -> Result<String, ()> {
        let mut result = String::new();
        let open = self.bump().ok_or(())?;
        if self.raw_quotes {
            result.push(open);
        }
        loop {
            match self.peek() {
                None => return Err(()),
                Some('"') => {
                    self.bump();
                    if self.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar(depth)?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let mut ch = self.bump().ok_or(())?;
                    if ch == ESCAPE {
                        if raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some('"' | '$' | ESCAPE) => ch = self.bump().ok_or(())?,
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    /// `$name`, `${name}`, `${name:-word}`, `${name/pattern/replacement}`: with no variable set,
    /// each comes back as written (nested words processed).
    fn process_dollar(&mut self, depth: u32) -> Result<String, ()> {
        self.bump();
        if self.peek() != Some('{') {
            let name = self.process_name();
            return Ok(format!("${name}"));
        }
        self.bump();
        match self.peek() {
            None | Some('{' | '}' | ':') => return Err(()),
            Some(_) => {}
        }
        let name = self.process_name();
        let modifier = self.bump();
        match modifier {
            Some('}') => Ok(format!("${{{name}}}")),
            Some(':') => {
                let second = self.bump().ok_or(())?;
                let raw_escapes = second == '#' || second == '%';
                let word = self.nested('}', raw_escapes, depth)?;
                Ok(format!("${{{name}:{second}{word}}}"))
            }
            Some(op @ ('+' | '-' | '?' | '#' | '%')) => {
                let raw_escapes = op == '#' || op == '%';
                let word = self.nested('}', raw_escapes, depth)?;
                Ok(format!("${{{name}{op}{word}}}"))
            }
            Some('/') => {
                if self.peek() == Some('/') {
                    self.bump();
                }
                let pattern = self.nested('/', true, depth)?;
                let replacement = self.nested('}', true, depth)?;
                Ok(format!("${{{name}/{pattern}/{replacement}}}"))
            }
            _ => Err(()),
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                while let Some(digit) = self.peek().filter(|c| c.is_numeric()) {
                    self.bump();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.bump();
                name.push(ch);
                return name;
            }
            if !ch.is_alphabetic() && !ch.is_numeric() && ch != '_' {
                break;
            }
            self.bump();
            name.push(ch);
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, bool, bool, Option<u32>)> {
        markers(line).unwrap_or_default().into_iter().map(|m| (m.name, m.chomp, m.expand, m.fd)).collect()
    }

    #[test]
    fn finds_markers_like_buildkit() {
        assert_eq!(names("RUN cat <<EOF"), [("EOF".into(), false, true, None)]);
        assert_eq!(names("RUN <<-\"EOF\" cat"), [("EOF".into(), true, false, None)]);
        assert_eq!(names("RUN <<'EOF'"), [("EOF".into(), false, false, None)]);
        assert_eq!(
            names("COPY <<A 3<<B /dst"),
            [("A".into(), false, true, None), ("B".into(), false, true, Some(3))]
        );
        assert_eq!(names("RUN E\"O\"F <<E\"O\"F"), [("EOF".into(), false, false, None)]);
        // Not markers: glued to a word, empty, or containing `<`.
        assert!(names("RUN cat<<EOF").is_empty());
        assert!(names("RUN echo << x").is_empty());
        assert!(names("RUN <<EOF<<X").is_empty());
        assert!(names("RUN <<''").is_empty());
        // A line BuildKit cannot lex has no heredocs.
        assert!(names("RUN echo \"unterminated <<EOF").is_empty());
        assert!(names("RUN echo ${} <<EOF").is_empty());
    }

    #[test]
    fn marker_ranges() {
        let found = markers("RUN a <<-EOF b").unwrap_or_default();
        assert_eq!((found[0].start, found[0].end), (6, 12));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("RUN {}x{} <<EOF", "${a:-".repeat(10_000), "}".repeat(10_000));
        assert!(names(&deep).is_empty());
    }
}
