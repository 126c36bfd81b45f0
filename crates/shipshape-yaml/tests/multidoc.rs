//! Multi-document streams and recovery after an error.
#![allow(clippy::unwrap_used)]

use shipshape_yaml::{Limits, parse};

#[test]
fn documents_are_split_with_spans() {
    let text = "kind: A\n---\nkind: B\n--- # third\nkind: C\n...\n";
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty());
    let kinds: Vec<&str> =
        stream.documents.iter().map(|d| d.root.get("kind").unwrap().as_str().unwrap()).collect();
    assert_eq!(kinds, ["A", "B", "C"]);
    assert_eq!(stream.documents[0].span.slice(text), "kind: A");
    assert_eq!(stream.documents[1].span.slice(text), "---\nkind: B");
    assert_eq!(stream.documents[2].span.slice(text), "--- # third\nkind: C");
    assert!(stream.documents.iter().all(|d| d.complete));
}

#[test]
fn an_error_in_the_middle_keeps_the_others() {
    let text = "\
kind: One
---
kind: Two
---
kind: Three
spec: {unclosed: [1, 2
---
kind: Four
---
kind: Five
";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 1, "{:?}", stream.errors);
    let err_at = stream.errors[0].span.start as usize;
    let third = text.find("kind: Three").unwrap();
    let fourth = text.find("---\nkind: Four").unwrap();
    assert!(err_at > third && err_at <= fourth, "error at {err_at}");
    let kinds: Vec<Option<&str>> =
        stream.documents.iter().map(|d| d.root.get("kind").and_then(|k| k.as_str())).collect();
    assert_eq!(kinds, [Some("One"), Some("Two"), Some("Three"), Some("Four"), Some("Five")]);
    let complete: Vec<bool> = stream.documents.iter().map(|d| d.complete).collect();
    assert_eq!(complete, [true, true, false, true, true]);
    // Spans after the resync point are still absolute.
    let (key, value) = stream.documents[4].root.entry("kind").unwrap();
    assert_eq!(key.span.start as usize, text.find("kind: Five").unwrap());
    assert_eq!(value.span.slice(text), "Five");
    assert_eq!(stream.documents[3].span.slice(text), "---\nkind: Four");
}

#[test]
fn recovery_after_several_errors_and_non_ascii() {
    let text = "a: é\n---\nb: \"unterminated\n---\nc: [ü\n---\nd: ✓\n";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 2, "{:?}", stream.errors);
    let last = stream.documents.last().unwrap();
    let (key, value) = last.root.entry("d").unwrap();
    assert_eq!(key.span.start as usize, text.find("d: ").unwrap());
    assert_eq!(value.span.slice(text), "✓");
    assert_eq!(stream.documents.first().unwrap().root.get("a").unwrap().as_str(), Some("é"));
}

#[test]
fn an_error_without_a_later_document_ends_parsing() {
    let text = "a: 1\n---\nb: [\nc: 2\n";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert_eq!(stream.documents.len(), 2);
    assert!(stream.documents[0].complete);
    assert!(!stream.documents[1].complete);
}

#[test]
fn a_document_marker_inside_a_block_scalar_ends_it() {
    let text = "script: |\n  echo hi\n---\nnext: doc\n";
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty());
    assert_eq!(stream.documents.len(), 2);
    assert_eq!(stream.documents[0].root.get("script").unwrap().as_str(), Some("echo hi\n"));
}

#[test]
fn anchors_do_not_cross_documents() {
    let text = "a: &x 1\n---\nb: *x\n---\nc: 3\n";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert_eq!(stream.errors[0].span.slice(text), "*x");
    assert_eq!(stream.documents.len(), 3);
    assert!(!stream.documents[1].complete);
    assert_eq!(stream.documents[2].root.get("c").unwrap().int(), Some(3));
}

#[test]
fn tab_after_colon_is_accepted() {
    // saphyr rejects `key:<TAB>value`; the front end re-reads such tabs as spaces.
    let text = "a:\tb\nc:\t\t[1]\nd: \"x:\tkeep\"\n";
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let root = &stream.documents[0].root;
    assert_eq!(root.get("a").unwrap().span.slice(text), "b");
    assert_eq!(root.get("c").unwrap().span.slice(text), "[1]");
    assert_eq!(root.get("d").unwrap().as_str(), Some("x:\tkeep"));
}
