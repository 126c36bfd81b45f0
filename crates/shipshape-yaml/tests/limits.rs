//! Resource limits: alias bombs, deep nesting, huge scalars, document counts, hostile input.
#![allow(clippy::unwrap_used)]

use shipshape_yaml::{Limits, NodeValue, parse};
use std::time::{Duration, Instant};

const LOL_BOMB: &str = r#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"#;

#[test]
fn billion_laughs_fails_fast() {
    let started = Instant::now();
    let stream = parse(LOL_BOMB, &Limits::default());
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(100), "alias bomb took {elapsed:?}");
    let err = stream.errors.iter().find(|e| e.message.contains("alias bomb")).unwrap();
    // The error points at the alias that would have gone over the limit.
    assert_eq!(err.span.slice(LOL_BOMB).chars().next(), Some('*'));
    assert!(!stream.documents.is_empty() && !stream.documents[0].complete);
}

#[test]
fn node_budget_counts_alias_expansions() {
    // 50 anchored items referenced 30 times: fine for go-yaml's ratio, over a small budget.
    let items: Vec<String> = (0..50).map(|i| i.to_string()).collect();
    let mut text = format!("base: &b [{}]\nrefs:\n", items.join(", "));
    for _ in 0..30 {
        text.push_str("  - *b\n");
    }
    let stream = parse(&text, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let refs = stream.documents[0].root.get("refs").unwrap().as_sequence().unwrap();
    assert_eq!(refs.len(), 30);
    assert_eq!(refs[29].as_sequence().unwrap().len(), 50);

    let limits = Limits { max_nodes: 1000, ..Limits::default() };
    let stream = parse(&text, &limits);
    let err = stream.errors.iter().find(|e| e.message.contains("too many nodes")).unwrap();
    assert_eq!(err.span.slice(&text), "*b");
    assert!(!stream.documents[0].complete);
}

#[test]
fn node_budget_stops_the_stream() {
    let big: String = (0..2000).map(|i| format!("- {i}\n")).collect();
    let text = format!("{big}---\nafter: 1\n");
    let limits = Limits { max_nodes: 500, ..Limits::default() };
    let stream = parse(&text, &limits);
    assert_eq!(stream.errors.len(), 1);
    assert!(stream.errors[0].message.contains("too many nodes"));
    // The partial document is kept, and nothing after it is parsed.
    assert_eq!(stream.documents.len(), 1);
    assert!(!stream.documents[0].complete);
    assert_eq!(stream.documents[0].root.as_sequence().unwrap().len(), 499);
}

#[test]
fn deep_flow_nesting_errors_without_overflow() {
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let started = Instant::now();
    let stream = parse(&text, &Limits::default());
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(100), "deep nesting took {elapsed:?}");
    assert_eq!(stream.errors.len(), 1);
    // saphyr caps flow nesting at 255 levels itself.
    assert!(stream.errors[0].message.contains("deeper than 255"), "{}", stream.errors[0].message);
    assert_eq!(stream.errors[0].span.start, 255);
    assert_eq!(stream.errors[0].span.slice(&text), "[");
}

#[test]
fn deep_block_nesting_errors() {
    // `- - - - ... x` on one line, and a staircase of mappings.
    let text = format!("{}x\n", "- ".repeat(5_000));
    let stream = parse(&text, &Limits::default());
    assert!(stream.errors.iter().any(|e| e.message.contains("deeper than 256")), "{:?}", stream.errors);
    let mut text = String::new();
    for depth in 0..300 {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    let stream = parse(&text, &Limits::default());
    assert!(stream.errors.iter().any(|e| e.message.contains("deeper than 256")));
    // Exactly at the limit is fine, one more is not.
    let text = format!("{}x\n", "- ".repeat(256));
    assert!(parse(&text, &Limits::default()).errors.is_empty());
    let text = format!("{}x\n", "- ".repeat(257));
    assert_eq!(parse(&text, &Limits::default()).errors.len(), 1);
    let text = format!("{}{}", "[".repeat(255), "]".repeat(255));
    assert!(parse(&text, &Limits::default()).errors.is_empty());
    let limits = Limits { max_depth: 10, ..Limits::default() };
    let text = format!("{}{}", "[".repeat(11), "]".repeat(11));
    let stream = parse(&text, &limits);
    assert!(stream.errors[0].message.contains("deeper than 10"));
    assert_eq!(stream.errors[0].span.start, 10);
}

#[test]
fn alias_expansion_respects_depth() {
    // A 200-deep anchored value pasted 100 levels down would be 300 deep.
    let text = format!(
        "a: &deep {}{}\nb: {}*deep{}\n",
        "[".repeat(200),
        "]".repeat(200),
        "[".repeat(100),
        "]".repeat(100)
    );
    let stream = parse(&text, &Limits::default());
    let err = stream.errors.iter().find(|e| e.message.contains("deeper than 256")).unwrap();
    assert_eq!(err.span.slice(&text), "*deep");
}

#[test]
fn huge_scalar_is_rejected_in_linear_time() {
    assert_eq!(Limits::default().max_scalar_len, 16 * 1024 * 1024);
    // 4 MiB against a 2 MiB limit (the default limit works the same way, 8x slower to test in a
    // debug build): a quadratic scanner would take hours here.
    let limits = Limits { max_scalar_len: 2 * 1024 * 1024, ..Limits::default() };
    let text = format!("a: {}\n", "x".repeat(4 * 1024 * 1024));
    let started = Instant::now();
    let stream = parse(&text, &limits);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(10), "4 MiB scalar took {elapsed:?}");
    assert_eq!(stream.errors.len(), 1);
    assert!(stream.errors[0].message.contains("4194304 bytes is longer than the limit of 2097152 bytes"));
    // Every style, against a smaller limit.
    let limits = Limits { max_scalar_len: 1024 * 1024, ..Limits::default() };
    let payload = "y".repeat(2 * 1024 * 1024);
    for text in [format!("a: '{payload}'\n"), format!("a: \"{payload}\"\n"), format!("a: |\n  {payload}\n")] {
        let stream = parse(&text, &limits);
        assert_eq!(stream.errors.len(), 1);
        assert!(stream.errors[0].message.contains("longer than the limit"));
        assert_eq!(stream.errors[0].span.end as usize, text.len() - 1);
    }
    // A small limit, and parsing resumes at the next document.
    let limits = Limits { max_scalar_len: 8, ..Limits::default() };
    let text = "a: short\nb: this one is too long\n---\nc: ok\n";
    let stream = parse(text, &limits);
    assert_eq!(stream.errors.len(), 1);
    assert_eq!(stream.errors[0].span.slice(text), "this one is too long");
    assert_eq!(stream.documents.len(), 2);
    assert_eq!(stream.documents[0].root.get("a").unwrap().as_str(), Some("short"));
    assert_eq!(stream.documents[1].root.get("c").unwrap().as_str(), Some("ok"));
}

#[test]
fn document_count_is_limited() {
    let text = "--- 1\n".repeat(10);
    let limits = Limits { max_documents: 3, ..Limits::default() };
    let stream = parse(&text, &limits);
    assert_eq!(stream.documents.len(), 3);
    assert_eq!(stream.errors.len(), 1);
    assert!(stream.errors[0].message.contains("too many documents"));
    assert_eq!(stream.errors[0].span.start, 18);
}

#[test]
fn recursive_and_unknown_aliases_are_errors() {
    for text in ["a: &a [1, *a]\n", "a: *nope\n", "--- &x 1\n--- *x\n"] {
        let stream = parse(text, &Limits::default());
        assert_eq!(stream.errors.len(), 1, "{text:?}");
        assert!(stream.errors[0].span.slice(text).starts_with('*'), "{text:?}");
    }
}

/// Every span lies inside the text on char boundaries.
fn check_spans(node: &shipshape_yaml::Node, text: &str) {
    for span in [Some(node.span), node.alias_span].into_iter().flatten() {
        assert!(span.start <= span.end && span.end as usize <= text.len());
        assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
    }
    match &node.value {
        NodeValue::Sequence(items) => items.iter().for_each(|n| check_spans(n, text)),
        NodeValue::Mapping(entries) => entries.iter().for_each(|(k, v)| {
            check_spans(k, text);
            check_spans(v, text);
        }),
        _ => {}
    }
}

#[test]
fn hostile_mutations_never_panic() {
    let seeds = [
        "a: &x [1, {b: \"c\\u00e9\"}, 'd''e']\nf: *x\ng: |\n  lit # no\nh: >-\n  fold\n<<: *x\n",
        "--- !t\n? [k]\n: v\n...\n%YAML 1.2\n---\n- - ü\n  - {x: y}\n",
        "{\"a\": [1, 2.5, true, null], \"b\": {\"c\": \"é\"}}",
        "x: \"unterminated\nlist:\n\t- tab\n- [\n",
    ];
    let noise = [
        '[', ']', '{', '}', ':', '-', '?', '&', '*', '!', '|', '>', '\'', '"', '#', '\n', ' ', '\t', 'é',
        ',', '%', '@', '`',
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for seed in seeds {
        // Every prefix.
        for (i, _) in seed.char_indices() {
            let text = &seed[..i];
            for doc in parse(text, &Limits::default()).documents {
                check_spans(&doc.root, text);
            }
        }
        // Random single and double mutations.
        let chars: Vec<char> = seed.chars().collect();
        for _ in 0..400 {
            let mut mutated = chars.clone();
            for _ in 0..(1 + next() % 2) {
                let at = (next() as usize) % mutated.len();
                let with = noise[(next() as usize) % noise.len()];
                if next() % 3 == 0 {
                    mutated.insert(at, with);
                } else {
                    mutated[at] = with;
                }
            }
            let text: String = mutated.into_iter().collect();
            let stream = parse(&text, &Limits::default());
            for doc in &stream.documents {
                check_spans(&doc.root, &text);
            }
            for err in &stream.errors {
                assert!(err.span.end as usize <= text.len());
                assert_ne!(err.message, "internal YAML parser error", "saphyr panicked on {text:?}");
            }
            for c in &stream.comments {
                assert_eq!(c.span.slice(&text), c.text);
            }
        }
    }
}

#[test]
fn error_count_is_capped() {
    let text = "---\n]\n".repeat(3000);
    let started = Instant::now();
    let stream = parse(&text, &Limits::default());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(stream.errors.len(), 1000);
    assert!(stream.errors[999].message.contains("too many errors"));
    // Duplicate keys are capped too, without ending the document.
    let text: String = (0..5000).map(|_| "k: v\n").collect();
    let stream = parse(&text, &Limits::default());
    assert_eq!(stream.errors.len(), 1000);
    assert!(stream.documents[0].complete);
    assert_eq!(stream.documents[0].root.as_mapping().unwrap().len(), 5000);
}
