//! Variable interpolation as Compose applies it to every scalar value of a Compose file.
//!
//! Supported forms (compose-spec "Interpolation"):
//!
//! | form | result |
//! | --- | --- |
//! | `$VAR`, `${VAR}` | the value, or `""` when unset (the variable is reported as missing) |
//! | `${VAR:-default}` | `default` when `VAR` is unset **or empty** |
//! | `${VAR-default}` | `default` when `VAR` is unset |
//! | `${VAR:?error}` | an error when `VAR` is unset or empty |
//! | `${VAR?error}` | an error when `VAR` is unset |
//! | `${VAR:+alt}` | `alt` when `VAR` is set and non-empty, else `""` |
//! | `${VAR+alt}` | `alt` when `VAR` is set, else `""` |
//! | `$$` | a literal `$` |
//!
//! Defaults and alternatives are themselves interpolated, so `${A:-${B:-x}}` nests. Braces inside
//! a default are balanced (`${A:-{x}}` gives `{x}`). A `$` not followed by a name, `{` or `$` is
//! kept literally, as `docker compose` does (`"a $1"` stays `a $1`). A malformed braced
//! expression (`${}`, `${9A}`, `${A:x}`, an unterminated `${A`) is an error.

use std::ops::Range;

/// The outcome of interpolating one text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interpolated {
    /// The text with every expression replaced.
    pub value: String,
    /// Variables that were unset and had no default: Compose warns and substitutes `""`.
    /// Each name appears once, in order of first use.
    pub missing: Vec<String>,
    /// Whether the text contained any `$` (so the value may differ from the input).
    pub changed: bool,
}

/// Why a text could not be interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpolationError {
    /// What is wrong, worded as `docker compose` words it.
    pub message: String,
    /// Byte range in the interpolated text of the offending expression.
    pub range: Range<usize>,
}

/// Interpolates `text`, looking variables up with `lookup`.
///
/// ```
/// use shipshape_compose::interpolate::interpolate;
/// let env = |name: &str| (name == "TAG").then(|| "1.2".to_string());
/// let out = interpolate("nginx:${TAG:-latest}-$$x", &env).unwrap();
/// assert_eq!(out.value, "nginx:1.2-$x");
/// ```
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Interpolated, InterpolationError> {
    if !text.contains('$') {
        return Ok(Interpolated { value: text.to_string(), missing: Vec::new(), changed: false });
    }
    let mut state = State { text, lookup, missing: Vec::new(), depth: 0 };
    let mut out = String::with_capacity(text.len());
    state.run(0, text.len(), &mut out)?;
    Ok(Interpolated { value: out, missing: state.missing, changed: true })
}

/// Whether `name` is a valid variable name for interpolation (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Nesting limit for defaults inside defaults; deeper input is rejected rather than recursed.
const MAX_NESTING: usize = 64;

struct State<'a> {
    text: &'a str,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    missing: Vec<String>,
    depth: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `-` (`colon`: also when empty).
    Default,
    /// `?`
    Required,
    /// `+`
    Alternative,
}

impl State<'_> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// Interpolates `text[start..end]` into `out`.
    fn run(&mut self, start: usize, end: usize, out: &mut String) -> Result<(), InterpolationError> {
        let mut i = start;
        let mut literal_start = start;
        while i < end {
            if self.bytes().get(i) != Some(&b'$') {
                i += 1;
                continue;
            }
            out.push_str(self.text.get(literal_start..i).unwrap_or(""));
            match self.bytes().get(i + 1).copied() {
                Some(b'$') if i + 1 < end => {
                    out.push('$');
                    i += 2;
                }
                Some(b'{') if i + 1 < end => {
                    i = self.braced(i, end, out)?;
                }
                Some(c) if i + 1 < end && (c.is_ascii_alphabetic() || c == b'_') => {
                    let name_end = self.name_end(i + 1, end);
                    let name = self.text.get(i + 1..name_end).unwrap_or("");
                    self.substitute_plain(name, out);
                    i = name_end;
                }
                _ => {
                    // A lone `$` (end of text, `$1`, `$ `, `$-`): kept as written.
                    out.push('$');
                    i += 1;
                }
            }
            literal_start = i;
        }
        out.push_str(self.text.get(literal_start..end).unwrap_or(""));
        Ok(())
    }

    fn name_end(&self, from: usize, end: usize) -> usize {
        let mut j = from;
        while j < end && self.bytes().get(j).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            j += 1;
        }
        j
    }

    fn substitute_plain(&mut self, name: &str, out: &mut String) {
        match (self.lookup)(name) {
            Some(value) => out.push_str(&value),
            None => self.note_missing(name),
        }
    }

    fn note_missing(&mut self, name: &str) {
        if !self.missing.iter().any(|m| m == name) {
            self.missing.push(name.to_string());
        }
    }

    /// Handles `${...}` starting at `dollar`; returns the index after the closing brace.
    fn braced(&mut self, dollar: usize, end: usize, out: &mut String) -> Result<usize, InterpolationError> {
        let invalid = |this: &Self, upto: usize| {
            let upto = upto.clamp(dollar, end);
            InterpolationError {
                message: format!(
                    "invalid interpolation format: `{}`; you may need to escape any $ with another $",
                    this.text.get(dollar..upto).unwrap_or("")
                ),
                range: dollar..upto,
            }
        };
        let name_start = dollar + 2;
        let name_end = self.name_end(name_start, end);
        let name = self.text.get(name_start..name_end).unwrap_or("");
        if !is_variable_name(name) {
            let close = self.find_close(name_start, end).map_or(end, |c| c + 1);
            return Err(invalid(self, close));
        }
        let (op, colon, arg_start) = match self.bytes().get(name_end).copied() {
            Some(b'}') if name_end < end => {
                self.substitute_plain(name, out);
                return Ok(name_end + 1);
            }
            Some(b':') if name_end + 1 < end => match self.bytes().get(name_end + 1).copied() {
                Some(b'-') => (Op::Default, true, name_end + 2),
                Some(b'?') => (Op::Required, true, name_end + 2),
                Some(b'+') => (Op::Alternative, true, name_end + 2),
                _ => {
                    let close = self.find_close(name_end, end).map_or(end, |c| c + 1);
                    return Err(invalid(self, close));
                }
            },
            Some(b'-') if name_end < end => (Op::Default, false, name_end + 1),
            Some(b'?') if name_end < end => (Op::Required, false, name_end + 1),
            Some(b'+') if name_end < end => (Op::Alternative, false, name_end + 1),
            _ => {
                let close = self.find_close(name_end, end).map_or(end, |c| c + 1);
                return Err(invalid(self, close));
            }
        };
        let Some(close) = self.find_close(arg_start, end) else {
            return Err(invalid(self, end));
        };
        let value = (self.lookup)(name);
        let set = value.is_some();
        let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
        let present = if colon { non_empty } else { set };
        match op {
            Op::Default => {
                if present {
                    out.push_str(value.as_deref().unwrap_or(""));
                } else {
                    self.nested(arg_start, close, out)?;
                }
            }
            Op::Alternative => {
                if present {
                    self.nested(arg_start, close, out)?;
                }
            }
            Op::Required => {
                if present {
                    out.push_str(value.as_deref().unwrap_or(""));
                } else {
                    let mut message = String::new();
                    self.nested(arg_start, close, &mut message)?;
                    let message = if message.is_empty() {
                        format!("required variable {name} is missing a value")
                    } else {
                        format!("required variable {name} is missing a value: {message}")
                    };
                    return Err(InterpolationError { message, range: dollar..close + 1 });
                }
            }
        }
        Ok(close + 1)
    }

    fn nested(&mut self, start: usize, end: usize, out: &mut String) -> Result<(), InterpolationError> {
        if self.depth >= MAX_NESTING {
            return Err(InterpolationError {
                message: format!("interpolation nested deeper than {MAX_NESTING} levels"),
                range: start..end,
            });
        }
        self.depth += 1;
        let result = self.run(start, end, out);
        self.depth -= 1;
        result
    }

    /// The index of the `}` closing an expression whose argument starts at `from`, counting
    /// nested braces and skipping `$$`.
    fn find_close(&self, from: usize, end: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = from;
        while i < end {
            match self.bytes().get(i).copied() {
                Some(b'$') if self.bytes().get(i + 1) == Some(&b'$') => i += 1,
                Some(b'{') => depth += 1,
                Some(b'}') => {
                    if depth == 0 {
                        return Some(i);
                    }
                    depth -= 1;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<String, String> {
        [("SET", "sv"), ("EMPTY", "")].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn run(text: &str) -> Result<Interpolated, InterpolationError> {
        let env = env();
        interpolate(text, &|n| env.get(n).cloned())
    }

    fn ok(text: &str) -> String {
        run(text).unwrap().value
    }

    // Every expectation below was checked against `docker compose config` v2.40.3.
    #[test]
    fn operators() {
        assert_eq!(ok("$$HOME"), "$HOME");
        assert_eq!(ok("${SET:-d1}"), "sv");
        assert_eq!(ok("${EMPTY:-d2}"), "d2");
        assert_eq!(ok("${EMPTY-d3}"), "");
        assert_eq!(ok("${UNSET-d4}"), "d4");
        assert_eq!(ok("${SET:+alt}"), "alt");
        assert_eq!(ok("${EMPTY:+alt}"), "");
        assert_eq!(ok("${EMPTY+alt}"), "alt");
        assert_eq!(ok("${UNSET+alt}"), "");
        assert_eq!(ok("${UNSET:-${SET}x}"), "svx");
        assert_eq!(ok("${UNSET:-${UNSET3:-deep}}"), "deep");
        assert_eq!(ok("pre${SET}post"), "presvpost");
        assert_eq!(ok("${SET:?x}"), "sv");
        assert_eq!(ok("${EMPTY?ok}"), "");
        assert_eq!(ok("${A-B}"), "B");
        assert_eq!(ok("$$$SET"), "$sv");
    }

    #[test]
    fn literal_dollars() {
        assert_eq!(ok("a $1 b"), "a $1 b");
        assert_eq!(ok("a $ b"), "a $ b");
        assert_eq!(ok("x$"), "x$");
        assert_eq!(ok("$-"), "$-");
        assert_eq!(ok("$é"), "$é");
        assert_eq!(ok("${UNSET:-$$}"), "$");
    }

    #[test]
    fn braces_in_defaults() {
        assert_eq!(ok("${SET:-a}b}"), "svb}");
        assert_eq!(ok("${UNSET:-a:b}"), "a:b");
        assert_eq!(ok("${UNSET:-}"), "");
        assert_eq!(ok("${SET:-{x}}"), "sv");
        assert_eq!(ok("${UNSET:-{x}}"), "{x}");
        assert_eq!(ok("${UNSET:-a\\}b}"), "a\\b}");
        assert_eq!(ok("${SET:+${UNSET:-q}}"), "q");
        assert_eq!(ok("${UNSET:-${SET:+z}}"), "z");
    }

    #[test]
    fn missing_variables_are_tracked() {
        let out = run("$SET-$UNSET2 ${UNSET2} ${NOPE:-d} ${NOPE2}").unwrap();
        assert_eq!(out.value, "sv-  d ");
        assert_eq!(out.missing, vec!["UNSET2".to_string(), "NOPE2".to_string()]);
    }

    #[test]
    fn errors() {
        for bad in ["${}", "${VAR:x}", "${VAR", "${9abc}", "${UNSET:-abc", "x ${A B}"] {
            let err = run(bad).unwrap_err();
            assert!(err.message.contains("invalid interpolation format"), "{bad}: {}", err.message);
        }
        let err = run("ab ${UNSET:?must be set} cd").unwrap_err();
        assert_eq!(err.message, "required variable UNSET is missing a value: must be set");
        assert_eq!(err.range, 3..24);
        let err = run("${UNSET?}").unwrap_err();
        assert_eq!(err.message, "required variable UNSET is missing a value");
        let err = run("${EMPTY:?empty!}").unwrap_err();
        assert_eq!(err.message, "required variable EMPTY is missing a value: empty!");
    }

    #[test]
    fn error_range_points_at_expression() {
        let err = run("abc ${9x} d").unwrap_err();
        assert_eq!(err.range, 4..9);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "${A:-".repeat(500) + &"}".repeat(500);
        let err = run(&text).unwrap_err();
        assert!(err.message.contains("nested deeper"));
    }
}
