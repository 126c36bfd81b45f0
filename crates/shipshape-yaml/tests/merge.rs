//! Merge keys `<<`: precedence, spans of merged entries, the off switch, bad values.
#![allow(clippy::unwrap_used)]

use shipshape_yaml::{Limits, Node, Stream, parse};

fn parse_ok(text: &str) -> Stream {
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty(), "unexpected errors: {:?}", stream.errors);
    stream
}

fn keys(node: &Node) -> Vec<&str> {
    node.as_mapping().unwrap().iter().map(|(k, _)| k.as_str().unwrap_or("<non-scalar>")).collect()
}

const MERGE: &str = "\
x-a: &a
  user: root
  privileged: true
  shared: from-a
x-b: &b
  shared: from-b
  network_mode: host
  user: nobody
svc:
  image: app
  <<: [*a, *b]
  privileged: false
";

#[test]
fn explicit_keys_win_then_earlier_sources() {
    let stream = parse_ok(MERGE);
    let svc = stream.documents[0].root.get("svc").unwrap();
    assert_eq!(keys(svc), ["image", "user", "shared", "network_mode", "privileged"]);
    // Written in the mapping: wins even though it comes after `<<`.
    assert_eq!(svc.get("privileged").unwrap().bool_yaml11(), Some(false));
    // Earlier sources win over later ones.
    assert_eq!(svc.get("user").unwrap().as_str(), Some("root"));
    assert_eq!(svc.get("shared").unwrap().as_str(), Some("from-a"));
    // Only in the later source.
    assert_eq!(svc.get("network_mode").unwrap().as_str(), Some("host"));
    assert!(svc.get("<<").is_none());
}

#[test]
fn merged_entries_keep_the_spans_that_set_them() {
    let stream = parse_ok(MERGE);
    let svc = stream.documents[0].root.get("svc").unwrap();
    let (key, value) = svc.entry("network_mode").unwrap();
    // The key and value point at the anchor's definition lines...
    assert_eq!(key.span.start as usize, MERGE.find("network_mode").unwrap());
    assert_eq!(key.span.slice(MERGE), "network_mode");
    assert_eq!(value.span.slice(MERGE), "host");
    // ...and the key says which alias brought it in.
    assert_eq!(key.alias_span.unwrap().slice(MERGE), "*b");
    assert_eq!(key.alias_span.unwrap().start as usize, MERGE.find("*b").unwrap());
    let (key, _) = svc.entry("user").unwrap();
    assert_eq!(key.span.start as usize, MERGE.find("user").unwrap());
    assert_eq!(key.alias_span.unwrap().slice(MERGE), "*a");
    // Explicit keys are untouched.
    let (key, value) = svc.entry("privileged").unwrap();
    assert_eq!(key.alias_span, None);
    assert_eq!(value.span.start as usize, MERGE.rfind("false").unwrap());
    // The mapping's own span covers its written lines, including `<<: [*a, *b]`.
    assert_eq!(svc.span.slice(MERGE), "image: app\n  <<: [*a, *b]\n  privileged: false");
}

#[test]
fn single_alias_and_inline_mapping_merges() {
    let text = "base: &base {cpu: 1, mem: 2}\none:\n  <<: *base\n  mem: 4\ntwo:\n  <<: {cpu: 9, extra: yes}\n  cpu: 3\n";
    let stream = parse_ok(text);
    let root = &stream.documents[0].root;
    let one = root.get("one").unwrap();
    assert_eq!(keys(one), ["cpu", "mem"]);
    assert_eq!((one.get("cpu").unwrap().int(), one.get("mem").unwrap().int()), (Some(1), Some(4)));
    assert_eq!(one.entry("cpu").unwrap().0.alias_span.unwrap().slice(text), "*base");
    let two = root.get("two").unwrap();
    assert_eq!(keys(two), ["extra", "cpu"]);
    assert_eq!(two.get("cpu").unwrap().int(), Some(3));
    // An inline source has no alias.
    assert_eq!(two.entry("extra").unwrap().0.alias_span, None);
}

#[test]
fn nested_merges_expand_transitively() {
    let text = "a: &a {x: 1}\nb: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\n  z: 3\n";
    let stream = parse_ok(text);
    let c = stream.documents[0].root.get("c").unwrap();
    assert_eq!(keys(c), ["x", "y", "z"]);
    assert_eq!(c.entry("x").unwrap().0.span.start as usize, text.find("x: 1").unwrap());
    assert_eq!(c.get("x").unwrap().span.slice(text), "1");
}

#[test]
fn merge_expansion_can_be_switched_off() {
    let limits = Limits { expand_merge_keys: false, ..Limits::default() };
    let stream = parse(MERGE, &limits);
    assert!(stream.errors.is_empty());
    let svc = stream.documents[0].root.get("svc").unwrap();
    assert_eq!(keys(svc), ["image", "<<", "privileged"]);
    assert_eq!(svc.get("<<").unwrap().as_sequence().unwrap().len(), 2);
    assert!(svc.get("user").is_none());
}

#[test]
fn quoted_merge_key_is_an_ordinary_key() {
    let text = "a: &a {x: 1}\nb:\n  '<<': *a\n";
    let stream = parse_ok(text);
    let b = stream.documents[0].root.get("b").unwrap();
    assert_eq!(keys(b), ["<<"]);
}

#[test]
fn bad_merge_values_are_errors() {
    let text = "a: &s scalar\nb:\n  <<: *s\n  k: v\nc:\n  <<: [{x: 1}, 5]\n";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 2, "{:?}", stream.errors);
    assert_eq!(stream.errors[0].span.slice(text), "*s");
    assert_eq!(stream.errors[1].span.slice(text), "5");
    let root = &stream.documents[0].root;
    assert_eq!(keys(root.get("b").unwrap()), ["k"]);
    assert_eq!(keys(root.get("c").unwrap()), ["x"]);
    assert!(stream.documents[0].complete);
}

#[test]
fn wide_merges_keep_precedence() {
    // More than 32 keys: the hashed key set.
    let base: Vec<String> = (0..40).map(|i| format!("k{i}: base{i}")).collect();
    let text = format!("base: &b {{{}}}\nsvc:\n  k39: own\n  <<: *b\n  k0: own0\n", base.join(", "));
    let stream = parse_ok(&text);
    let svc = stream.documents[0].root.get("svc").unwrap();
    assert_eq!(svc.as_mapping().unwrap().len(), 40);
    assert_eq!(svc.get("k39").unwrap().as_str(), Some("own"));
    assert_eq!(svc.get("k0").unwrap().as_str(), Some("own0"));
    assert_eq!(svc.get("k20").unwrap().as_str(), Some("base20"));
    // Duplicate keys inside a wide mapping are still found.
    let mut dup = format!("m: {{{}", base.join(", "));
    dup.push_str(", k5: again}\n");
    let stream = parse(&dup, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert_eq!(stream.errors[0].span.start as usize, dup.rfind("k5").unwrap());
}
