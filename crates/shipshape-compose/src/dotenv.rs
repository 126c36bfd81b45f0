//! `.env` and `env_file` parsing with Compose's dotenv rules.
//!
//! - blank lines and lines starting with `#` are skipped; `export ` before a key is ignored;
//! - `KEY=value`, `KEY = value` and `KEY: value` all assign;
//! - unquoted values are trimmed, and an inline comment starts at a `#` preceded by whitespace
//!   (`a#b` keeps its `#`);
//! - `'single'` quotes are literal and may span lines;
//! - `"double"` quotes may span lines and understand `\n`, `\r`, `\t`, `\\`, `\"` and `\$`
//!   (other backslashes are kept);
//! - unquoted and double-quoted values are interpolated (`${A}`, `${A:-x}`, ...), looking up the
//!   caller's environment first and then the keys defined earlier in the same file;
//! - a bare `KEY` takes its value from the caller's environment and is dropped when unset.
//!
//! Each behaviour above was checked against `docker compose` v2.40.3.

use crate::interpolate::{InterpolationError, interpolate};
use shipshape_model::Span;

/// One variable defined by an env file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvEntry {
    /// The variable's name.
    pub key: String,
    /// The value after quotes, escapes and interpolation. `None`: a bare `KEY` whose value the
    /// caller's environment does not define (Compose drops such keys).
    pub value: Option<String>,
    /// The whole assignment, from the key to the end of its value.
    pub span: Span,
    /// The key alone.
    pub key_span: Span,
    /// Variables the value referenced that were unset (substituted by `""`).
    pub missing: Vec<String>,
}

/// A syntax error in an env file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvError {
    /// What is wrong.
    pub message: String,
    /// Where, in the env file.
    pub span: Span,
}

/// Parses `text`; `lookup` is the caller's environment. Errors skip the rest of their line.
pub fn parse_dotenv(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (Vec<DotenvEntry>, Vec<DotenvError>) {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, entries: Vec::new(), errors: Vec::new() };
    parser.run(lookup);
    (parser.entries, parser.errors)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    entries: Vec<DotenvEntry>,
    errors: Vec<DotenvError>,
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']' | b'/' | b'@' | b'%')
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_line(&mut self) {
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'\n' {
                break;
            }
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn error(&mut self, message: String, start: usize, end: usize) {
        self.errors.push(DotenvError { message, span: Span::from_range(start..end.max(start)) });
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.bytes.len(), |i| from + i)
    }

    fn run(&mut self, lookup: &dyn Fn(&str) -> Option<String>) {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                self.pos += 1;
            }
            let Some(first) = self.peek() else { break };
            if first == b'#' {
                self.skip_line();
                continue;
            }
            if self.text.get(self.pos..).is_some_and(|rest| {
                rest.starts_with("export")
                    && rest.as_bytes().get(6).is_some_and(|b| matches!(b, b' ' | b'\t'))
            }) {
                self.pos += 6;
                self.skip_blanks();
            }
            let key_start = self.pos;
            while self.peek().is_some_and(is_key_byte) {
                self.pos += 1;
            }
            let key_end = self.pos;
            let key = self.text.get(key_start..key_end).unwrap_or("").to_string();
            self.skip_blanks();
            let next = self.peek();
            if key.is_empty() || !matches!(next, None | Some(b'=' | b':' | b'\n' | b'\r' | b'#')) {
                let end = self.line_end(key_start);
                let bad = self.text.get(key_start..end).unwrap_or("").trim_end().to_string();
                self.error(format!("unexpected character in variable name {bad:?}"), key_start, end);
                self.skip_line();
                continue;
            }
            let key_span = Span::from_range(key_start..key_end);
            if !matches!(next, Some(b'=' | b':')) {
                // A bare `KEY`: inherited from the caller's environment.
                let value = lookup(&key).or_else(|| self.earlier(&key));
                self.entries.push(DotenvEntry { key, value, span: key_span, key_span, missing: Vec::new() });
                self.skip_line();
                continue;
            }
            self.pos += 1;
            self.skip_blanks();
            let value_start = self.pos;
            let parsed = match self.peek() {
                Some(b'\'') => self.single_quoted(),
                Some(b'"') => self.double_quoted(),
                _ => Ok(self.unquoted()),
            };
            let value_end = self.pos;
            let raw = match parsed {
                Ok(raw) => raw,
                Err(message) => {
                    self.error(message, value_start, value_end);
                    continue;
                }
            };
            let value = match raw {
                Raw::Literal(text) => Ok((text, Vec::new())),
                Raw::Interpolate(text) => {
                    let entries = &self.entries;
                    let env = |name: &str| {
                        lookup(name).or_else(|| {
                            entries.iter().rev().find(|e| e.key == name).and_then(|e| e.value.clone())
                        })
                    };
                    interpolate(&text, &env).map(|out| (out.value, out.missing))
                }
            };
            // Anything after a closing quote up to the end of the line is ignored.
            if self.peek().is_some_and(|b| b != b'\n') {
                self.skip_line();
            }
            match value {
                Ok((value, missing)) => self.entries.push(DotenvEntry {
                    key,
                    value: Some(value),
                    span: Span::from_range(key_start..value_end),
                    key_span,
                    missing,
                }),
                Err(InterpolationError { message, .. }) => {
                    self.error(format!("{message} (in the value of {key})"), value_start, value_end);
                }
            }
        }
    }

    fn earlier(&self, key: &str) -> Option<String> {
        self.entries.iter().rev().find(|e| e.key == key).and_then(|e| e.value.clone())
    }

    fn single_quoted(&mut self) -> Result<Raw, String> {
        let start = self.pos + 1;
        match self.bytes.get(start..).and_then(|rest| rest.iter().position(|&b| b == b'\'')) {
            Some(len) => {
                self.pos = start + len + 1;
                Ok(Raw::Literal(self.text.get(start..start + len).unwrap_or("").to_string()))
            }
            None => {
                self.pos = self.bytes.len();
                Err("unterminated single-quoted value".to_string())
            }
        }
    }

    fn double_quoted(&mut self) -> Result<Raw, String> {
        let start = self.pos + 1;
        let mut i = start;
        let mut out = String::new();
        let mut literal_from = start;
        while let Some(&b) = self.bytes.get(i) {
            match b {
                b'"' => {
                    out.push_str(self.text.get(literal_from..i).unwrap_or(""));
                    self.pos = i + 1;
                    return Ok(Raw::Interpolate(out));
                }
                b'\\' => {
                    out.push_str(self.text.get(literal_from..i).unwrap_or(""));
                    match self.bytes.get(i + 1).copied() {
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'"') => out.push('"'),
                        // An escaped `$` must survive interpolation.
                        Some(b'$') => out.push_str("$$"),
                        _ => {
                            out.push('\\');
                            i += 1;
                            literal_from = i;
                            continue;
                        }
                    }
                    i += 2;
                    literal_from = i;
                }
                _ => i += 1,
            }
        }
        self.pos = self.bytes.len();
        Err("unterminated double-quoted value".to_string())
    }

    fn unquoted(&mut self) -> Raw {
        let start = self.pos;
        let end = self.line_end(start);
        let line = self.text.get(start..end).unwrap_or("");
        // An inline comment starts at `#` preceded by whitespace.
        let mut cut = line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'#' && i > 0 && bytes.get(i - 1).is_some_and(|p| matches!(p, b' ' | b'\t')) {
                cut = i;
                break;
            }
        }
        let value = line.get(..cut).unwrap_or("").trim_end_matches([' ', '\t', '\r']);
        self.pos = start + value.len();
        Raw::Interpolate(value.to_string())
    }
}

enum Raw {
    Literal(String),
    Interpolate(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(text: &str, env: &[(&str, &str)]) -> (HashMap<String, Option<String>>, Vec<DotenvError>) {
        let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let (entries, errors) = parse_dotenv(text, &|n| env.get(n).cloned());
        (entries.into_iter().map(|e| (e.key, e.value)).collect(), errors)
    }

    // Expectations recorded from `docker compose config` v2.40.3 (see tests/fixtures/dotenv_rules).
    #[test]
    fn compose_rules() {
        let text = "# comment\nexport EXP=exported\nA=plain value   # trailing comment\nB=\"double ${A} \\n esc \\\" q\"\nC='single ${A} \\n'\nD=${A}-suffix\nE=\"multi\nline\"\nF\nG=\nH=  spaced  \nJ=${PROC}\nK=val#nocomment\nL=\"quoted\" # comment\nM = spaced_eq\nN=${UNDEFINED:-dflt}\nO='multi\nsingle'\nP=`backtick ${A}`\nQ=a\\nb\nR=\"a\\tb\\\\c\"\nYAMLSTYLE: colon\nDQ=\"a\\$b \\x c \\r d\"\n  INDENTED=yes\nTAIL=abc # \nBARE2\n";
        let (vars, errors) = parse(text, &[("PROC", "proc"), ("F", "fproc")]);
        assert!(errors.is_empty(), "{errors:?}");
        let get = |k: &str| vars.get(k).cloned().flatten();
        assert_eq!(get("EXP").as_deref(), Some("exported"));
        assert_eq!(get("A").as_deref(), Some("plain value"));
        assert_eq!(get("B").as_deref(), Some("double plain value \n esc \" q"));
        assert_eq!(get("C").as_deref(), Some("single ${A} \\n"));
        assert_eq!(get("D").as_deref(), Some("plain value-suffix"));
        assert_eq!(get("E").as_deref(), Some("multi\nline"));
        assert_eq!(get("F").as_deref(), Some("fproc"));
        assert_eq!(get("G").as_deref(), Some(""));
        assert_eq!(get("H").as_deref(), Some("spaced"));
        assert_eq!(get("J").as_deref(), Some("proc"));
        assert_eq!(get("K").as_deref(), Some("val#nocomment"));
        assert_eq!(get("L").as_deref(), Some("quoted"));
        assert_eq!(get("M").as_deref(), Some("spaced_eq"));
        assert_eq!(get("N").as_deref(), Some("dflt"));
        assert_eq!(get("O").as_deref(), Some("multi\nsingle"));
        assert_eq!(get("P").as_deref(), Some("`backtick plain value`"));
        assert_eq!(get("Q").as_deref(), Some("a\\nb"));
        assert_eq!(get("R").as_deref(), Some("a\tb\\c"));
        assert_eq!(get("YAMLSTYLE").as_deref(), Some("colon"));
        assert_eq!(get("DQ").as_deref(), Some("a$b \\x c \r d"));
        assert_eq!(get("INDENTED").as_deref(), Some("yes"));
        assert_eq!(get("TAIL").as_deref(), Some("abc"));
        assert_eq!(vars.get("BARE2"), Some(&None));
    }

    #[test]
    fn process_environment_wins_inside_values() {
        let (vars, _) = parse("I=from_file\nZ=${I}\n", &[("I", "from_process")]);
        assert_eq!(vars["Z"].as_deref(), Some("from_process"));
    }

    #[test]
    fn spans_cover_assignments() {
        let text = "A=1\n\nexport  BB=\"x\ny\" # c\n";
        let (entries, _) = parse_dotenv(text, &|_| None);
        assert_eq!(entries[0].span.slice(text), "A=1");
        assert_eq!(entries[1].key_span.slice(text), "BB");
        assert_eq!(entries[1].span.slice(text), "BB=\"x\ny\"");
    }

    #[test]
    fn errors_are_reported_and_parsing_resumes() {
        let (vars, errors) = parse("'s'=1\nOK=1\nX=\"open\n", &[]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(vars["OK"].as_deref(), Some("1"));
        let (_, errors) = parse("X=${A:?need A}\n", &[]);
        assert!(errors[0].message.contains("need A"));
    }

    #[test]
    fn crlf_lines() {
        let (vars, errors) = parse("A=1\r\nB='2'\r\n", &[]);
        assert!(errors.is_empty());
        assert_eq!(vars["A"].as_deref(), Some("1"));
        assert_eq!(vars["B"].as_deref(), Some("2"));
    }
}
