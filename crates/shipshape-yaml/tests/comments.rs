//! Comments are recovered from the text; `#` inside scalars is not a comment.
#![allow(clippy::unwrap_used)]

use shipshape_model::source::LineIndex;
use shipshape_yaml::{Limits, parse};

fn comment_texts(text: &str) -> Vec<String> {
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    for c in &stream.comments {
        assert_eq!(c.span.slice(text), c.text);
    }
    stream.comments.into_iter().map(|c| c.text).collect()
}

#[test]
fn suppressions_above_and_after_keys() {
    let text = "\
# file header
services:
  web:
    # shipshape: ignore=ISO001 -- host network is required
    network_mode: host
    privileged: true  # shipshape: ignore=ISO002 -- legacy driver
    image: nginx
";
    let stream = parse(text, &Limits::default());
    let texts: Vec<&str> = stream.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "# file header",
            "# shipshape: ignore=ISO001 -- host network is required",
            "# shipshape: ignore=ISO002 -- legacy driver"
        ]
    );
    // The comment on the line above a key, and at the end of a key's line, are found by line.
    let index = LineIndex::new(text);
    let web = stream.documents[0].root.get_path(&["services", "web"]).unwrap();
    let (key, _) = web.entry("network_mode").unwrap();
    let key_line = index.line_of(key.span.start);
    let above = stream.comments.iter().find(|c| index.line_of(c.span.start) + 1 == key_line).unwrap();
    assert!(above.text.contains("ISO001"));
    let (key, value) = web.entry("privileged").unwrap();
    let same_line =
        stream.comments.iter().find(|c| index.line_of(c.span.start) == index.line_of(key.span.start));
    assert!(same_line.unwrap().text.contains("ISO002"));
    // `comments_in` finds comments by span.
    let line_span = shipshape_model::span::Span::new(key.span.start, value.span.end + 60);
    assert_eq!(stream.comments_in(line_span).count(), 1);
}

#[test]
fn hash_inside_scalars_is_not_a_comment() {
    let text = r##"dq: "a # not a comment"
sq: 'b # not either' # real 1
plain: c#d
url: http://example.com/#frag
multi: "line one
  # still inside the quoted scalar"
lit: |
  echo "# inside literal"
  # also inside literal
fold: >- # real 2 (after the header)
  folded # inside
# real 3
flow: [x, "# in flow quote", y] # real 4
key#hash: v
"##;
    assert_eq!(comment_texts(text), ["# real 1", "# real 2 (after the header)", "# real 3", "# real 4"]);
}

#[test]
fn comments_around_block_scalars_and_documents() {
    let text = "--- # doc comment\na: |\n  x\n  # content\n# after the scalar\nb: 1\n  # indented comment after a plain value\n...\n# trailing\n";
    assert_eq!(
        comment_texts(text),
        ["# doc comment", "# after the scalar", "# indented comment after a plain value", "# trailing"]
    );
}

#[test]
fn comment_spans_and_crlf() {
    let text = "a: 1 # one\r\n#two\r\nb: \"é # no\" # trois ✓\r\n";
    let stream = parse(text, &Limits::default());
    let texts: Vec<&str> = stream.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["# one", "#two", "# trois ✓"]);
    assert_eq!(stream.comments[2].span.start as usize, text.find("# trois").unwrap());
    assert_eq!(stream.comments[2].span.end as usize, text.len() - 2);
}

#[test]
fn comments_in_flow_collections_and_json() {
    let text = "list: [\n  a, # first\n  \"b#c\",\n  # own line\n  d\n]\n";
    assert_eq!(comment_texts(text), ["# first", "# own line"]);
    assert!(comment_texts("{\"a\": \"#x\", \"b\": [\"# y\"]}").is_empty());
}
