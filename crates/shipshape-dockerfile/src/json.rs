//! The exec form of commands: a JSON array of strings, read the way Go's `encoding/json` reads
//! it into `[]any` (which is what BuildKit does), without recursion.

use crate::words::MAX_WORDS;

/// What an argument text is, seen as a JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonArray {
    /// Not a JSON array, or not valid JSON: BuildKit falls back to shell form.
    NotJson,
    /// A valid JSON array with an element that is not a string: BuildKit rejects it.
    NotStrings,
    /// A valid JSON array of strings with more than [`MAX_WORDS`] elements (not decoded).
    TooLong,
    /// Decoded elements with the byte range of each JSON string literal (quotes included),
    /// relative to the text given to [`parse_json_array`].
    Strings(Vec<(String, usize, usize)>),
}

/// Go's `encoding/json` nesting limit.
const MAX_DEPTH: usize = 10_000;

/// Reads `text` (leading whitespace allowed) as a JSON array of strings.
pub(crate) fn parse_json_array(text: &str) -> JsonArray {
    let start = text.len() - text.trim_start().len();
    if !text.get(start..).is_some_and(|rest| rest.starts_with('[')) {
        return JsonArray::NotJson;
    }
    let mut reader = Reader { bytes: text.as_bytes(), pos: start };
    match reader.document() {
        Ok((_, all_strings, true)) if all_strings => JsonArray::TooLong,
        Ok((elements, all_strings, _)) if all_strings => JsonArray::Strings(elements),
        Ok(_) => JsonArray::NotStrings,
        Err(()) => JsonArray::NotJson,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Array,
    Object,
}

type Elements = Vec<(String, usize, usize)>;

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Result<(), ()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    /// The whole text: one value (an array, checked by the caller) then only whitespace.
    /// Returns the top-level elements that are strings (at most [`MAX_WORDS`]), whether all of
    /// them were strings, and whether there were more.
    fn document(&mut self) -> Result<(Elements, bool, bool), ()> {
        let mut stack: Vec<Container> = Vec::new();
        let mut elements = Vec::new();
        let mut all_strings = true;
        let mut too_long = false;
        // Whether the next token is a value (true) or what follows one (false).
        let mut want_value = true;
        loop {
            self.skip_whitespace();
            if want_value {
                let depth = stack.len();
                let start = self.pos;
                match self.peek().ok_or(())? {
                    b'[' | b'{' => {
                        let container =
                            if self.peek() == Some(b'[') { Container::Array } else { Container::Object };
                        self.pos += 1;
                        if depth == 1 {
                            all_strings = false;
                        }
                        stack.push(container);
                        if stack.len() > MAX_DEPTH {
                            return Err(());
                        }
                        self.skip_whitespace();
                        let close = if container == Container::Array { b']' } else { b'}' };
                        if self.peek() == Some(close) {
                            self.pos += 1;
                            stack.pop();
                            want_value = false;
                        } else if container == Container::Object {
                            self.object_key()?;
                        }
                        // Arrays: the next value follows.
                        if stack.is_empty() {
                            break;
                        }
                        continue;
                    }
                    b'"' => {
                        let top_level = depth == 1;
                        if top_level && elements.len() >= MAX_WORDS {
                            too_long = true;
                        }
                        let decoded = self.string(top_level && !too_long)?;
                        if let Some(decoded) = decoded {
                            elements.push((decoded, start, self.pos));
                        }
                    }
                    b't' => self.literal(b"true")?,
                    b'f' => self.literal(b"false")?,
                    b'n' => self.literal(b"null")?,
                    b'-' | b'0'..=b'9' => self.number()?,
                    _ => return Err(()),
                }
                if depth == 1 && self.bytes.get(start) != Some(&b'"') {
                    all_strings = false;
                }
                want_value = false;
                continue;
            }
            // After a value.
            let Some(&top) = stack.last() else { break };
            match (top, self.peek().ok_or(())?) {
                (_, b',') => {
                    self.pos += 1;
                    if top == Container::Object {
                        self.skip_whitespace();
                        self.object_key()?;
                    }
                    want_value = true;
                }
                (Container::Array, b']') | (Container::Object, b'}') => {
                    self.pos += 1;
                    stack.pop();
                    if stack.is_empty() {
                        break;
                    }
                }
                _ => return Err(()),
            }
        }
        self.skip_whitespace();
        if self.pos != self.bytes.len() {
            return Err(());
        }
        Ok((elements, all_strings, too_long))
    }

    /// `"key" :` inside an object; the value follows.
    fn object_key(&mut self) -> Result<(), ()> {
        if self.peek() != Some(b'"') {
            return Err(());
        }
        self.string(false)?;
        self.skip_whitespace();
        self.eat(b':')
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(())
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<(), ()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(()),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(());
            }
        }
        Ok(())
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4)?;
        let mut value = 0u32;
        for &d in digits {
            value = value * 16 + char::from(d).to_digit(16)?;
        }
        Some(value)
    }

    /// A string literal starting at `"`. Decodes it when `decode` is set, as Go does: invalid
    /// surrogates become U+FFFD.
    fn string(&mut self, decode: bool) -> Result<Option<String>, ()> {
        self.eat(b'"')?;
        let mut out = decode.then(String::new);
        let mut run_start = self.pos;
        loop {
            let byte = self.peek().ok_or(())?;
            match byte {
                b'"' => {
                    if let Some(out) = out.as_mut() {
                        out.push_str(self.text(run_start, self.pos)?);
                    }
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    if let Some(out) = out.as_mut() {
                        out.push_str(self.text(run_start, self.pos)?);
                    }
                    let escaped = self.bytes.get(self.pos + 1).copied().ok_or(())?;
                    self.pos += 2;
                    let simple = match escaped {
                        b'"' => Some('"'),
                        b'\\' => Some('\\'),
                        b'/' => Some('/'),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        b'u' => None,
                        _ => return Err(()),
                    };
                    let ch = match simple {
                        Some(ch) => ch,
                        None => {
                            let unit = self.hex4(self.pos).ok_or(())?;
                            self.pos += 4;
                            self.decode_unit(unit)
                        }
                    };
                    if let Some(out) = out.as_mut() {
                        out.push(ch);
                    }
                    run_start = self.pos;
                }
                0..=0x1f => return Err(()),
                _ => self.pos += 1,
            }
        }
    }

    /// A `\uXXXX` unit already consumed; pairs a high surrogate with a following `\uDC00`-`\uDFFF`.
    fn decode_unit(&mut self, unit: u32) -> char {
        if (0xD800..0xDC00).contains(&unit)
            && self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u")
            && let Some(low) = self.hex4(self.pos + 2)
            && (0xDC00..0xE000).contains(&low)
        {
            self.pos += 6;
            let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(combined).unwrap_or('\u{FFFD}');
        }
        char::from_u32(unit).unwrap_or('\u{FFFD}')
    }

    fn text(&self, start: usize, end: usize) -> Result<&str, ()> {
        self.bytes.get(start..end).and_then(|b| std::str::from_utf8(b).ok()).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        match parse_json_array(text) {
            JsonArray::Strings(v) => v.into_iter().map(|(s, _, _)| s).collect(),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn decodes_like_go() {
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(strings(r#"[ "a", "b" ]"#), ["a", "b"]);
        assert_eq!(strings(r#"["\" \\ \/ \b \f \n \r \t \u0000"]"#), ["\" \\ / \u{8} \u{c} \n \r \t \0"]);
        assert_eq!(strings(r#"["\ud83d\ude00", "\ud800x", "\udc00"]"#), ["😀", "\u{FFFD}x", "\u{FFFD}"]);
        assert_eq!(strings("\t[\"a\"]\t"), ["a"]);
    }

    #[test]
    fn non_strings_and_invalid_json() {
        assert_eq!(parse_json_array(r#"[ "echo", [ "nested json" ] ]"#), JsonArray::NotStrings);
        assert_eq!(parse_json_array(r#"["a", 1, {"k": [true, null]}]"#), JsonArray::NotStrings);
        for bad in [
            "['a']",
            r#"["a""#,
            r#"["a",]"#,
            r#"["a"] x"#,
            "[\"a\tb\"]",
            "[01]",
            "[1.]",
            r#"["\x"]"#,
            "x[]",
            "[",
            r#"{"a": 1}"#,
        ] {
            assert_eq!(parse_json_array(bad), JsonArray::NotJson, "{bad}");
        }
    }

    #[test]
    fn reports_element_ranges() {
        let JsonArray::Strings(v) = parse_json_array(r#"[ "a", "b c" ]"#) else { panic!() };
        assert_eq!((v[1].1, v[1].2), (7, 12));
    }

    #[test]
    fn element_count_is_bounded() {
        let long = format!("[{}\"x\"]", "\"a\",".repeat(MAX_WORDS));
        assert_eq!(parse_json_array(&long), JsonArray::TooLong);
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = format!("[{}{}]", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(parse_json_array(&deep), JsonArray::NotJson);
        let ok = format!("[{}{}]", "[".repeat(50), "]".repeat(50));
        assert_eq!(parse_json_array(&ok), JsonArray::NotStrings);
    }
}
