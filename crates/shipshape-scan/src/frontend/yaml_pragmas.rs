//! Inline suppressions in YAML files (Compose, Kubernetes): which lines a pragma comment covers.
//!
//! A comment on a line of its own covers the next line that holds YAML and every line nested
//! under it (deeper indentation), so a pragma above `volumes:` covers the whole list and one above
//! a list item covers that item. A comment at the end of a line covers that line and its nested
//! lines. `ignore-file` covers the whole file.

use shipshape_model::{Finding, Origin, SourceFile, Span};
use shipshape_workspace::{PragmaScope, ScopedPragma, parse_pragma};
use shipshape_yaml::Comment;

/// Scoped pragmas of `comments` (all in `source`), and `config-error` findings for malformed ones.
pub fn scope_pragmas<'c>(
    source: &SourceFile,
    comments: impl IntoIterator<Item = &'c Comment>,
) -> (Vec<ScopedPragma>, Vec<Finding>) {
    let mut scoped = Vec::new();
    let mut errors = Vec::new();
    for comment in comments {
        let Some(parsed) = parse_pragma(&comment.text) else { continue };
        let origin = Origin::new(source.path.clone(), comment.span);
        match parsed {
            Ok(pragma) => {
                let applies_to = match pragma.scope {
                    PragmaScope::File => Span::from_range(0..source.text.len()),
                    PragmaScope::NextStatement | PragmaScope::Stage => covered_block(source, comment.span),
                };
                scoped.push(ScopedPragma { pragma, comment: origin, applies_to });
            }
            Err(error) => errors.push(error.to_finding(&origin)),
        }
    }
    (scoped, errors)
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

fn holds_yaml(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

/// The block a comment covers: its own line when code precedes it, else the next line holding
/// YAML; plus every following line indented deeper than that line (a `- ` item counts its dash
/// as indentation for what it nests).
pub fn covered_block(source: &SourceFile, comment: Span) -> Span {
    let index = source.line_index();
    let text = &*source.text;
    let comment_line = index.line_of(comment.start);
    let line_start = index.line_start(comment_line) as usize;
    let before = text.get(line_start..comment.start as usize).unwrap_or("");
    let lines = index.line_count();
    let mut head = comment_line;
    if before.trim().is_empty() {
        head += 1;
        while head < lines && !holds_yaml(source.line_text(head + 1)) {
            head += 1;
        }
        if head >= lines {
            return Span::empty_at(comment.end);
        }
    }
    let head_text = source.line_text(head + 1);
    let head_indent = indentation(head_text);
    let head_is_item = head_text.trim_start().starts_with('-');
    let head_opens_block = head_text.trim_end().ends_with(':');
    let mut last = head;
    let mut next = head + 1;
    while next < lines {
        let line = source.line_text(next + 1);
        if !holds_yaml(line) {
            next += 1;
            continue;
        }
        let indent = indentation(line);
        let is_item = line.trim_start().starts_with('-');
        let nested =
            indent > head_indent || (indent == head_indent && is_item && !head_is_item && head_opens_block);
        if !nested {
            break;
        }
        last = next;
        next += 1;
    }
    let start = index.line_start(head);
    let end = index.line_start(last) as usize + source.line_text(last + 1).len();
    Span::new(start, u32::try_from(end).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(text: &str, marker: &str) -> String {
        let source = SourceFile::new("c.yaml", text);
        let stream = shipshape_yaml::parse(text, &shipshape_yaml::Limits::default());
        let comment = stream.comments.iter().find(|c| c.text.contains(marker)).expect("comment");
        let span = covered_block(&source, comment.span);
        source.slice(span).to_string()
    }

    #[test]
    fn own_line_comment_covers_next_key_and_its_children() {
        let text = "services:\n  agent:\n    # shipshape: ignore=X\n    volumes:\n      - /a:/a\n      - /b:/b\n    privileged: true\n";
        assert_eq!(covered(text, "ignore=X"), "    volumes:\n      - /a:/a\n      - /b:/b");
    }

    #[test]
    fn comment_above_a_list_item_covers_only_that_item() {
        let text = "volumes:\n  # shipshape: ignore=X\n  - type: bind\n    source: /etc\n  - /b:/b\n";
        assert_eq!(covered(text, "ignore=X"), "  - type: bind\n    source: /etc");
    }

    #[test]
    fn trailing_comment_covers_its_line() {
        let text = "svc:\n  privileged: true  # shipshape: ignore=X\n  user: root\n";
        assert_eq!(covered(text, "ignore=X"), "  privileged: true  # shipshape: ignore=X");
    }
}
