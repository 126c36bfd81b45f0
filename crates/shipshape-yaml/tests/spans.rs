//! Spans slice to exactly the text of keys, values, collections, aliases and documents, as UTF-8
//! byte offsets.
#![allow(clippy::unwrap_used)]

use shipshape_model::source::LineIndex;
use shipshape_yaml::{Limits, Node, NodeValue, ScalarStyle, Stream, parse};

fn parse_ok(text: &str) -> Stream {
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty(), "unexpected errors: {:?}", stream.errors);
    stream
}

fn root(stream: &Stream) -> &Node {
    &stream.documents[0].root
}

/// Every span of the tree lies on char boundaries inside the text.
fn assert_spans_valid(node: &Node, text: &str) {
    for span in [Some(node.span), node.alias_span].into_iter().flatten() {
        assert!(span.start <= span.end && span.end as usize <= text.len(), "{span:?}");
        assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
    }
    match &node.value {
        NodeValue::Sequence(items) => items.iter().for_each(|n| assert_spans_valid(n, text)),
        NodeValue::Mapping(entries) => entries.iter().for_each(|(k, v)| {
            assert_spans_valid(k, text);
            assert_spans_valid(v, text);
        }),
        _ => {}
    }
}

const COMPOSE: &str = r#"services:
  web:
    image: "nginx:1.25"
    ports:
      - "8080:80"
      - 443:443
    environment:
      MODE: prod
      EMPTY:
    command: ["nginx", "-g", 'daemon off;']
    entrypoint: |
      /bin/sh -c
      exec nginx
    healthcheck: {test: [CMD, true], interval: 30s}
"#;

#[test]
fn keys_values_and_collections() {
    let stream = parse_ok(COMPOSE);
    let doc = root(&stream);
    assert_spans_valid(doc, COMPOSE);
    let web = doc.get_path(&["services", "web"]).unwrap();
    let (image_key, image) = web.entry("image").unwrap();
    assert_eq!(image_key.span.slice(COMPOSE), "image");
    assert_eq!(image.span.slice(COMPOSE), "\"nginx:1.25\"");
    assert_eq!(image.as_str(), Some("nginx:1.25"));
    assert_eq!(image.as_scalar().unwrap().style, ScalarStyle::DoubleQuoted);

    let ports = web.get("ports").unwrap();
    assert_eq!(ports.span.slice(COMPOSE), "- \"8080:80\"\n      - 443:443");
    let items = ports.as_sequence().unwrap();
    assert_eq!(items[1].span.slice(COMPOSE), "443:443");

    let env = web.get("environment").unwrap();
    assert_eq!(env.span.slice(COMPOSE), "MODE: prod\n      EMPTY:");
    let empty = env.get("EMPTY").unwrap();
    assert!(empty.is_null());
    assert!(empty.span.is_empty());
    assert_eq!(empty.span.start as usize, COMPOSE.find("EMPTY:").unwrap() + "EMPTY:".len());

    let command = web.get("command").unwrap();
    assert_eq!(command.span.slice(COMPOSE), r#"["nginx", "-g", 'daemon off;']"#);
    assert_eq!(command.as_sequence().unwrap()[2].span.slice(COMPOSE), "'daemon off;'");

    let entrypoint = web.get("entrypoint").unwrap();
    assert_eq!(entrypoint.span.slice(COMPOSE), "|\n      /bin/sh -c\n      exec nginx");
    assert_eq!(entrypoint.as_str(), Some("/bin/sh -c\nexec nginx\n"));

    let health = web.get("healthcheck").unwrap();
    assert_eq!(health.span.slice(COMPOSE), "{test: [CMD, true], interval: 30s}");
    assert_eq!(health.get("test").unwrap().span.slice(COMPOSE), "[CMD, true]");

    assert_eq!(web.span.slice(COMPOSE), COMPOSE.trim_end().split_once("  web:\n    ").unwrap().1);
    assert_eq!(stream.documents[0].span.slice(COMPOSE), COMPOSE.trim_end());
}

#[test]
fn aliases_point_at_the_anchored_original() {
    let text = "x-base: &base\n  user: root\n  read_only: false\nservices:\n  a:\n    config: *base\n    name: &n svc\n    also: *n\n";
    let stream = parse_ok(text);
    let doc = root(&stream);
    assert_spans_valid(doc, text);
    let config = doc.get_path(&["services", "a", "config"]).unwrap();
    assert_eq!(config.span.slice(text), "user: root\n  read_only: false");
    assert_eq!(config.alias_span.unwrap().slice(text), "*base");
    assert_eq!(config.source_span().slice(text), "*base");
    assert_eq!(config.anchor.as_deref(), Some("base"));
    assert_eq!(config.get("user").unwrap().as_str(), Some("root"));
    let (user_key, _) = config.entry("user").unwrap();
    assert_eq!(user_key.span.start as usize, text.find("user").unwrap());

    let also = doc.get_path(&["services", "a", "also"]).unwrap();
    assert_eq!(also.as_str(), Some("svc"));
    assert_eq!(also.span.slice(text), "svc");
    assert_eq!(also.alias_span.unwrap().slice(text), "*n");
    // The original is not marked as an alias, and properties are not part of spans.
    let name = doc.get_path(&["services", "a", "name"]).unwrap();
    assert_eq!(name.alias_span, None);
    assert_eq!(name.anchor.as_deref(), Some("n"));
    // The mapping holding an alias ends where the alias token ends.
    let a = doc.get_path(&["services", "a"]).unwrap();
    assert!(a.span.slice(text).ends_with("also: *n"));
}

#[test]
fn utf8_offsets_are_bytes() {
    let text = "café: \"naïve ☕\"\n名前: 你好\nemoji: [🚀, é]\nlit: |\n  ünïcödé\n  zwei\nk: v\n";
    let stream = parse_ok(text);
    let doc = root(&stream);
    assert_spans_valid(doc, text);
    let (key, value) = doc.entry("café").unwrap();
    assert_eq!(key.span.slice(text), "café");
    assert_eq!(value.span.slice(text), "\"naïve ☕\"");
    assert_eq!(value.span.start as usize, text.find('"').unwrap());
    let (key, value) = doc.entry("名前").unwrap();
    assert_eq!(key.span.start as usize, text.find("名前").unwrap());
    assert_eq!(value.span.slice(text), "你好");
    let emoji = doc.get("emoji").unwrap();
    assert_eq!(emoji.span.slice(text), "[🚀, é]");
    assert_eq!(emoji.as_sequence().unwrap()[1].span.slice(text), "é");
    assert_eq!(doc.get("lit").unwrap().span.slice(text), "|\n  ünïcödé\n  zwei");
    let (k, v) = doc.entry("k").unwrap();
    assert_eq!((k.span.slice(text), v.span.slice(text)), ("k", "v"));
    assert_eq!(k.span.start as usize, text.rfind("k: v").unwrap());
}

#[test]
fn utf8_beyond_checkpoint_stride() {
    // Long non-ASCII prefix so that conversions cross many checkpoints.
    let prefix: String = (0..300).map(|i| format!("k{i}: \"é€😀{i}\"\n")).collect();
    let text = format!("{prefix}last: ünïcode\n");
    let stream = parse_ok(&text);
    let doc = root(&stream);
    assert_spans_valid(doc, &text);
    for i in [0, 63, 64, 65, 150, 299] {
        let (k, v) = doc.entry(&format!("k{i}")).unwrap();
        assert_eq!(k.span.slice(&text), format!("k{i}"));
        assert_eq!(v.span.slice(&text), format!("\"é€😀{i}\""));
    }
    assert_eq!(doc.get("last").unwrap().span.slice(&text), "ünïcode");
}

#[test]
fn bom_crlf_and_tabs() {
    let text = "\u{feff}a: 1\r\nb:\r\n  - c\r\nd: |\r\n  line\r\n";
    let stream = parse_ok(text);
    let doc = root(&stream);
    let (a, one) = doc.entry("a").unwrap();
    assert_eq!(a.span.start, 3);
    assert_eq!((a.span.slice(text), one.span.slice(text)), ("a", "1"));
    assert_eq!(doc.get("b").unwrap().span.slice(text), "- c");
    assert_eq!(doc.get("d").unwrap().span.slice(text), "|\r\n  line");
    assert_eq!(doc.get("d").unwrap().as_str(), Some("line\n"));

    // A tab separating a value is fine.
    let stream = parse_ok("a:\tb\nc: [1,\t2]\n");
    assert_eq!(root(&stream).get("a").unwrap().as_str(), Some("b"));
    // A tab used for indentation is an error with a position, not a panic.
    let text = "a:\n\tb: c\n";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert!(stream.errors[0].span.end as usize <= text.len());
}

#[test]
fn empty_documents_and_nulls() {
    for text in ["", "\n", "# only a comment\n"] {
        let stream = parse_ok(text);
        assert!(stream.documents.is_empty(), "{text:?}");
    }
    let text = "---\n---\n...\n--- ~\n--- null\n";
    let stream = parse_ok(text);
    assert_eq!(stream.documents.len(), 4);
    assert!(stream.documents.iter().all(|d| d.root.is_null() && d.complete));
    assert_eq!(stream.documents[0].span.slice(text), "---");
    assert_eq!(stream.documents[2].root.span.slice(text), "~");
    assert_eq!(stream.documents[3].root.span.slice(text), "null");
    assert_eq!(stream.documents[3].span.slice(text), "--- null");

    let text = "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: 'null'\ng: nil\n";
    let doc = parse_ok(text).documents.remove(0).root;
    for key in ["a", "b", "c", "d", "e"] {
        assert!(doc.get(key).unwrap().is_null(), "{key}");
        assert_eq!(doc.get(key).unwrap().as_str(), None);
    }
    assert_eq!(doc.get("f").unwrap().as_str(), Some("null"));
    assert_eq!(doc.get("g").unwrap().as_str(), Some("nil"));
}

#[test]
fn tags_are_kept_and_not_part_of_spans() {
    let text = "a: !!str 123\nb: !Ref Vpc\nc: !!int \"42\"\nd: &x !!map {k: v}\ne: !<tag:yaml.org,2002:str> true\nf: ! 12\ng: !!null ''\nh: !override\n  - 1\n";
    let stream = parse_ok(text);
    let doc = root(&stream);
    let a = doc.get("a").unwrap();
    assert_eq!((a.tag.as_deref(), a.as_str(), a.int()), (Some("!!str"), Some("123"), None));
    assert_eq!(a.span.slice(text), "123");
    let b = doc.get("b").unwrap();
    assert_eq!((b.tag.as_deref(), b.span.slice(text)), (Some("!Ref"), "Vpc"));
    let c = doc.get("c").unwrap();
    assert_eq!((c.int(), c.span.slice(text)), (Some(42), "\"42\""));
    let d = doc.get("d").unwrap();
    assert_eq!(
        (d.tag.as_deref(), d.anchor.as_deref(), d.span.slice(text)),
        (Some("!!map"), Some("x"), "{k: v}")
    );
    let e = doc.get("e").unwrap();
    assert_eq!((e.tag.as_deref(), e.bool_yaml12()), (Some("!!str"), None));
    assert_eq!(doc.get("f").unwrap().int(), None);
    assert!(doc.get("g").unwrap().is_null());
    let h = doc.get("h").unwrap();
    assert_eq!((h.tag.as_deref(), h.span.slice(text)), (Some("!override"), "- 1"));
    assert_eq!(h.as_sequence().unwrap()[0].int(), Some(1));
}

#[test]
fn nested_block_sequences_and_complex_keys() {
    let text = "- - a\n  - b\n- ? k\n  : v\n-\n- key: val\n  other: 2\n";
    let stream = parse_ok(text);
    let doc = root(&stream);
    assert_spans_valid(doc, text);
    assert_eq!(doc.span.slice(text), text.trim_end());
    let items = doc.as_sequence().unwrap();
    assert_eq!(items[0].span.slice(text), "- a\n  - b");
    assert_eq!(items[1].span.slice(text), "? k\n  : v");
    assert!(items[2].is_null());
    assert_eq!(items[3].span.slice(text), "key: val\n  other: 2");
    // Indentless sequence under a key.
    let text = "list:\n- x\n- y\nnext: 1\n";
    let doc = parse_ok(text).documents.remove(0).root;
    assert_eq!(doc.get("list").unwrap().span.slice(text), "- x\n- y");
}

#[test]
fn errors_carry_positions() {
    let text = "a: 1\nb: [1, 2\nc: 3\n";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    let err = &stream.errors[0];
    assert!(!err.message.is_empty());
    assert_eq!(err.to_string(), err.message);
    let (line, _col) = LineIndex::new(text).line_col(text, err.span.start);
    assert!((2..=4).contains(&line), "line {line}");
    // What parsed before the error is kept.
    let doc = &stream.documents[0];
    assert!(!doc.complete);
    assert_eq!(doc.root.get("a").unwrap().int(), Some(1));
}

#[test]
fn duplicate_keys_are_errors_and_last_wins() {
    let text = "a: 1\nb: 2\na: 3\n";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert!(stream.errors[0].message.contains("duplicate"));
    assert_eq!(stream.errors[0].span.start as usize, text.rfind("a:").unwrap());
    assert_eq!(stream.errors[0].span.slice(text), "a");
    let doc = root(&stream);
    assert_eq!(doc.as_mapping().unwrap().len(), 3);
    assert_eq!(doc.get("a").unwrap().int(), Some(3));
    assert!(stream.documents[0].complete);

    // Wide mappings use the hashed path.
    let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("k7: again\n");
    let stream = parse(&text, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert_eq!(stream.errors[0].span.start as usize, text.rfind("k7").unwrap());
}

#[test]
fn trailing_comments_are_not_part_of_spans() {
    // saphyr's own spans for quoted scalars and flow collections run on over a trailing comment.
    let text = "a: \"x\" # c1\nb: 'it''s' # c2\nc: \"esc \\\" q\"   # c3\nd: [1, 2] # c4\ne: {k: v}\t# c5\nf: &x 'y' # c6\ng: *x # c7\n";
    let stream = parse_ok(text);
    let doc = root(&stream);
    let expected = [
        ("a", "\"x\""),
        ("b", "'it''s'"),
        ("c", "\"esc \\\" q\""),
        ("d", "[1, 2]"),
        ("e", "{k: v}"),
        ("f", "'y'"),
    ];
    for (key, value) in expected {
        assert_eq!(doc.get(key).unwrap().span.slice(text), value, "{key}");
    }
    assert_eq!(doc.get("c").unwrap().as_str(), Some("esc \" q"));
    assert_eq!(doc.get("g").unwrap().alias_span.unwrap().slice(text), "*x");
    assert_eq!(stream.comments.len(), 7);
    assert_eq!(doc.span.slice(text), text.trim_end().strip_suffix(" # c7").unwrap());
}
