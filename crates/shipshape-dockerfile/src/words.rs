//! Word splitting as BuildKit's parser does it, with the byte range of every word.
//!
//! Offsets are into the logical line (continuation lines joined); [`crate::parser`] maps them
//! back to the source.

/// Go's `unicode.IsSpace`: the Unicode `White_Space` property, which is what `char::is_whitespace`
/// implements.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `[\t\v\f\r ]`, used to split the keyword and whitespace-delimited arguments.
pub(crate) fn is_token_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// At most this many words (arguments, flags or JSON elements) are read from one instruction;
/// past it the instruction's arguments are kept as text. It bounds memory on hostile input
/// (BuildKit's own 64 KiB line limit allows about 32 000 words per line).
pub(crate) const MAX_WORDS: usize = 1 << 16;

/// A word with its byte range `start..end` in the logical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawWord {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A builder flag word (`--name=value`), quotes and backslash escapes already removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlagWord {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Where the first `=` of the flag was read.
    pub(crate) eq_at: Option<usize>,
}

/// BuildKit's `extractBuilderFlags`: leading `--flag` words of `line` (which starts at `base`).
/// Returns the flags and the offset where the arguments begin; `None` when there are more than
/// [`MAX_WORDS`] flags.
///
/// BuildKit reads this text byte by byte (so a multi-byte character in a flag is mangled); we
/// read characters and keep the text intact.
pub(crate) fn extract_flags(line: &str, base: usize) -> Option<(Vec<FlagWord>, usize)> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with("--") {
        return Some((Vec::new(), base + line.len() - trimmed.len()));
    }
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word_start = 0;
    let mut eq_at = None;
    let mut chars = line.char_indices().peekable();
    loop {
        let (pos, ch) = match chars.next() {
            Some((pos, ch)) => (pos, Some(ch)),
            None => (line.len(), None),
        };
        if phase == Phase::Spaces {
            let Some(ch) = ch else { break };
            if is_space(ch) {
                continue;
            }
            let next_is_dash = chars.peek().is_some_and(|&(_, c)| c == '-');
            if ch != '-' || !next_is_dash {
                return Some((flags, base + pos));
            }
            if flags.len() >= MAX_WORDS {
                return None;
            }
            phase = Phase::Word;
            word_start = pos;
        }
        let Some(mut ch) = ch else {
            if word != "--" && (blank_ok || !word.is_empty()) {
                flags.push(FlagWord { text: word, start: base + word_start, end: base + pos, eq_at });
            }
            break;
        };
        let mut at = pos;
        match phase {
            Phase::Word => {
                if is_space(ch) {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return Some((flags, base + pos));
                    }
                    if blank_ok || !word.is_empty() {
                        let text = std::mem::take(&mut word);
                        flags.push(FlagWord { text, start: base + word_start, end: base + pos, eq_at });
                    }
                    word.clear();
                    eq_at = None;
                    blank_ok = false;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = ch;
                    blank_ok = true;
                    phase = Phase::Quote;
                    continue;
                }
                if ch == '\\' {
                    match chars.next() {
                        Some((p, c)) => {
                            at = p;
                            ch = c;
                        }
                        None => continue,
                    }
                }
            }
            Phase::Quote => {
                if ch == quote {
                    phase = Phase::Word;
                    continue;
                }
                if ch == '\\' {
                    match chars.next() {
                        Some((p, c)) => {
                            at = p;
                            ch = c;
                        }
                        None => {
                            phase = Phase::Word;
                            continue;
                        }
                    }
                }
            }
            Phase::Spaces => {}
        }
        if ch == '=' && eq_at.is_none() {
            eq_at = Some(base + at);
        }
        word.push(ch);
    }
    Some((flags, base + line.len()))
}

/// BuildKit's `parseWords`: words separated by whitespace, quotes and escapes kept in the text
/// (only an escape character ending the line is dropped). `None` past [`MAX_WORDS`] words.
///
/// Since only a final escape character is ever dropped, and it is never part of a word's range,
/// each word's text is exactly `rest[start..end]`.
pub(crate) fn parse_words(rest: &str, base: usize, escape: char) -> Option<Vec<RawWord>> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word_start = 0;
    let mut word_end = 0;
    let push = |words: &mut Vec<RawWord>, start: usize, end: usize| {
        words.push(RawWord {
            text: rest.get(start..end).unwrap_or("").to_string(),
            start: base + start,
            end: base + end,
        });
    };
    let mut chars = rest.char_indices();
    loop {
        let (pos, ch) = match chars.next() {
            Some((pos, ch)) => (pos, Some(ch)),
            None => (rest.len(), None),
        };
        if phase == Phase::Spaces {
            let Some(ch) = ch else { break };
            if is_space(ch) {
                continue;
            }
            if words.len() >= MAX_WORDS {
                return None;
            }
            phase = Phase::Word;
            word_start = pos;
            word_end = pos;
        }
        let Some(ch) = ch else {
            if blank_ok || word_end > word_start {
                push(&mut words, word_start, word_end);
            }
            break;
        };
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || word_end > word_start {
                    push(&mut words, word_start, word_end);
                }
                blank_ok = false;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
        } else {
            if ch == quote {
                phase = Phase::Word;
            }
            if ch == escape && quote == '\'' {
                word_end = pos + ch.len_utf8();
                continue;
            }
        }
        if ch == escape {
            if pos + ch.len_utf8() == rest.len() {
                phase = Phase::Word;
                continue;
            }
            // The escaped character belongs to the word whatever it is.
            if let Some((p, next)) = chars.next() {
                word_end = p + next.len_utf8();
            }
            continue;
        }
        word_end = pos + ch.len_utf8();
    }
    Some(words)
}

/// Splits `text` on runs of `[\t\v\f\r ]` like Go's `regexp.Split(text, -1)`: leading or trailing
/// separators give empty words. `None` past [`MAX_WORDS`] words.
pub(crate) fn split_token_space(text: &str, base: usize) -> Option<Vec<RawWord>> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((pos, ch)) = chars.next() {
        if is_token_space(ch) {
            let mut end = pos + ch.len_utf8();
            while let Some(&(p, c)) = chars.peek() {
                if !is_token_space(c) {
                    break;
                }
                end = p + c.len_utf8();
                chars.next();
            }
            if words.len() >= MAX_WORDS {
                return None;
            }
            words.push(raw(text, base, start, pos));
            start = end;
        }
    }
    words.push(raw(text, base, start, text.len()));
    Some(words)
}

fn raw(text: &str, base: usize, start: usize, end: usize) -> RawWord {
    RawWord { text: text.get(start..end).unwrap_or("").to_string(), start: base + start, end: base + end }
}

/// The byte length of the leading run of `[\t\v\f\r ]` in `text`.
pub(crate) fn token_space_len(text: &str) -> usize {
    text.len() - text.trim_start_matches(is_token_space).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(words: &[RawWord]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn parse_words_like_buildkit() {
        // BuildKit's TestParseWords cases.
        for (input, expect) in [
            ("foo", vec!["foo"]),
            ("foo bar", vec!["foo", "bar"]),
            ("foo\\ bar", vec!["foo\\ bar"]),
            ("foo=bar", vec!["foo=bar"]),
            ("foo bar 'abc xyz'", vec!["foo", "bar", "'abc xyz'"]),
            ("foo bar \"abc xyz\"", vec!["foo", "bar", "\"abc xyz\""]),
            ("àöû", vec!["àöû"]),
            ("föo bàr \"âbc xÿz\"", vec!["föo", "bàr", "\"âbc xÿz\""]),
        ] {
            assert_eq!(texts(&parse_words(input, 0, '\\').unwrap_or_default()), expect, "{input}");
        }
        let words = parse_words("a=\"x y\"  b", 10, '\\').unwrap_or_default();
        assert_eq!((words[0].start, words[0].end, words[1].start), (10, 17, 19));
        // An escape ending the text is dropped; one inside single quotes is kept.
        assert_eq!(texts(&parse_words("abc\\", 0, '\\').unwrap_or_default()), ["abc"]);
        assert_eq!(texts(&parse_words("'a\\'b'", 0, '\\').unwrap_or_default()), ["'a\\'b'"]);
    }

    #[test]
    fn flags_like_buildkit() {
        let (flags, rest) = extract_flags("--from=build --chown=\"a b\" src dst", 0).unwrap_or_default();
        assert_eq!(
            flags.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(),
            ["--from=build", "--chown=a b"]
        );
        assert_eq!(rest, 27);
        assert_eq!(flags[0].eq_at, Some(6));
        let (flags, rest) = extract_flags("--doit=true -- foo", 0).unwrap_or_default();
        assert_eq!(flags.len(), 1);
        assert_eq!(rest, 14);
        let (flags, rest) = extract_flags("--link", 3).unwrap_or_default();
        assert_eq!((flags[0].text.as_str(), flags[0].start, flags[0].end, rest), ("--link", 3, 9, 9));
        let (flags, rest) = extract_flags("-x --a", 0).unwrap_or_default();
        assert!(flags.is_empty());
        assert_eq!(rest, 0);
    }

    #[test]
    fn word_counts_are_bounded() {
        let many = "a ".repeat(MAX_WORDS + 1);
        assert!(parse_words(&many, 0, '\\').is_none());
        assert!(split_token_space(&many, 0).is_none());
        assert!(extract_flags(&"--a ".repeat(MAX_WORDS + 1), 0).is_none());
        assert_eq!(parse_words(&"a ".repeat(MAX_WORDS), 0, '\\').map(|w| w.len()), Some(MAX_WORDS));
    }

    #[test]
    fn token_space_split() {
        assert_eq!(texts(&split_token_space("a  b\tc", 0).unwrap_or_default()), ["a", "b", "c"]);
        assert_eq!(texts(&split_token_space("a\u{a0}b", 0).unwrap_or_default()), ["a\u{a0}b"]);
    }
}
