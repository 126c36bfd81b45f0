//! Prints the tree, comments and errors of a YAML or JSON file, with the text each span covers.
//!
//! `cargo run -p shipshape-yaml --example dump -- FILE`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use shipshape_model::source::LineIndex;
use shipshape_yaml::{Limits, Node, NodeValue, parse};

fn show(node: &Node, text: &str, depth: usize) {
    let pad = "  ".repeat(depth);
    let mut props = String::new();
    if let Some(tag) = &node.tag {
        props.push_str(&format!(" tag={tag}"));
    }
    if let Some(anchor) = &node.anchor {
        props.push_str(&format!(" anchor={anchor}"));
    }
    if let Some(alias) = node.alias_span {
        props.push_str(&format!(" alias={:?}", alias.slice(text)));
    }
    let span = format!("{}..{} {:?}", node.span.start, node.span.end, node.span.slice(text));
    match &node.value {
        NodeValue::Null => println!("{pad}null{props} @ {span}"),
        NodeValue::Scalar(s) => println!("{pad}{:?} ({:?}){props} @ {span}", s.text, s.style),
        NodeValue::Sequence(items) => {
            println!("{pad}sequence{props} @ {span}");
            items.iter().for_each(|item| show(item, text, depth + 1));
        }
        NodeValue::Mapping(entries) => {
            println!("{pad}mapping{props} @ {span}");
            for (key, value) in entries {
                show(key, text, depth + 1);
                show(value, text, depth + 2);
            }
        }
    }
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("{path}: {err}");
            std::process::exit(1);
        }
    };
    let stream = parse(&text, &Limits::default());
    let lines = LineIndex::new(&text);
    for doc in &stream.documents {
        println!("--- document (complete: {}) @ {}..{}", doc.complete, doc.span.start, doc.span.end);
        show(&doc.root, &text, 0);
    }
    for comment in &stream.comments {
        let (line, col) = lines.line_col(&text, comment.span.start);
        println!("comment {line}:{col} {:?}", comment.text);
    }
    for err in &stream.errors {
        let (line, col) = lines.line_col(&text, err.span.start);
        println!("error {line}:{col} {err} ({:?})", err.span.slice(&text));
    }
}
