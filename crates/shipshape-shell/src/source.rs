//! From a `RUN`'s source slice to the text its shell sees: BuildKit joins continuation lines
//! (dropping the escape character and the line break), and drops comment lines and blank
//! lines inside a continuation before the shell runs.

use crate::map::OffsetMap;

/// Whether `line` ends with a line continuation (BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`), and
/// the length of the line before the escape character.
fn continuation_at(line: &str, escape: char) -> Option<usize> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    match before.chars().next_back() {
        Some(c) if c == escape => None,
        _ => Some(before.len()),
    }
}

/// The logical line of the shell-form command starting `text`, and a map from its offsets
/// to offsets of `text` (plus `base`). Reading stops after the first line that does not
/// continue; what follows (heredoc bodies, the next instruction) is not part of the command.
pub(crate) fn logical_line(text: &str, escape: char, base: usize) -> (String, OffsetMap) {
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMap::new(base);
    let mut start = 0usize;
    let mut first = true;
    while start <= text.len() {
        let rest = text.get(start..).unwrap_or("");
        let (line_len, next) = match rest.find('\n') {
            Some(i) => (i, start + i + 1),
            None => (rest.len(), text.len() + 1),
        };
        let mut line = rest.get(..line_len).unwrap_or("");
        if let Some(stripped) = line.strip_suffix('\r') {
            line = stripped;
        }
        if !first {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                start = next;
                continue;
            }
        }
        first = false;
        let (piece, continues) = match continuation_at(line, escape) {
            Some(at) => (line.get(..at).unwrap_or(""), true),
            None => (line, false),
        };
        map.push_verbatim(out.len(), base + start, piece.len());
        out.push_str(piece);
        if !continues {
            break;
        }
        start = next;
    }
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::Span;

    #[test]
    fn joins_continuations_and_drops_comment_lines() {
        let src = "apt-get update \\\n  # a comment\n\n  && apt-get install -y curl \\\n\t&& true\nEOF\n";
        let (text, map) = logical_line(src, '\\', 100);
        assert_eq!(text, "apt-get update   && apt-get install -y curl \t&& true");
        let at = text.find("curl").unwrap();
        let span = map.span(Span::from_range(at..at + 4));
        assert_eq!(span.slice(&format!("{}{src}", " ".repeat(100))), "curl");
    }

    #[test]
    fn backtick_escape_and_escaped_escape() {
        let (text, _) = logical_line("dir c:\\ `\n  && echo", '`', 0);
        assert_eq!(text, "dir c:\\   && echo");
        let (text, _) = logical_line("echo a\\\\\nnext", '\\', 0);
        assert_eq!(text, "echo a\\\\");
    }
}
