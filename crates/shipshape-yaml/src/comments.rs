//! Comment recovery. saphyr drops comments, so they are found again in the text: a `#` starts a
//! comment when it is the first character of the text or follows a space, tab or line break
//! (YAML 1.2, 6.6), and it does not lie inside a scalar that the parser reported. Scalar ranges
//! cover quoted scalars including their quotes, plain scalars, and the content lines of block
//! scalars (their header line, which may carry a comment, is not excluded).

use crate::Comment;
use shipshape_model::span::Span;

/// Finds every comment of `text`, given the byte ranges of the scalars the parser saw.
///
/// `scalar_ranges` need not be sorted. Runs in O(n + r log r).
pub(crate) fn find_comments(text: &str, scalar_ranges: &mut [(usize, usize)]) -> Vec<Comment> {
    scalar_ranges.sort_unstable();
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut range_idx = 0;
    let mut pos = 0;
    while let Some(found) = text.get(pos..).and_then(|rest| rest.find('#')) {
        let hash = pos + found;
        // Skip ranges ending at or before the `#`.
        while scalar_ranges.get(range_idx).is_some_and(|&(_, end)| end <= hash) {
            range_idx += 1;
        }
        let inside_scalar = scalar_ranges.get(range_idx).is_some_and(|&(start, _)| start <= hash);
        if inside_scalar {
            // Jump past the scalar: nothing in it is a comment.
            pos = scalar_ranges.get(range_idx).map_or(hash + 1, |&(_, end)| end.max(hash + 1));
            continue;
        }
        let starts_comment = match hash.checked_sub(1).and_then(|p| bytes.get(p)) {
            None => true,
            Some(b' ' | b'\t' | b'\n' | b'\r') => true,
            // A byte order mark right before the `#` at the start of the text.
            Some(_) => hash == 3 && text.starts_with('\u{feff}'),
        };
        if !starts_comment {
            pos = hash + 1;
            continue;
        }
        let line_end = text.get(hash..).and_then(|rest| rest.find('\n')).map_or(text.len(), |i| hash + i);
        let end =
            if line_end > hash && bytes.get(line_end - 1) == Some(&b'\r') { line_end - 1 } else { line_end };
        comments.push(Comment {
            text: text.get(hash..end).unwrap_or("").to_owned(),
            span: Span::from_range(hash..end),
        });
        pos = line_end;
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_ranges() {
        let text = "# top\na: 'x # no' # yes\r\nb: c#d\n";
        let q = text.find('\'').unwrap_or(0);
        let mut ranges = vec![(q, q + 8)];
        let found = find_comments(text, &mut ranges);
        let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# top", "# yes"]);
        assert_eq!(found[1].span.slice(text), "# yes");
    }
}
