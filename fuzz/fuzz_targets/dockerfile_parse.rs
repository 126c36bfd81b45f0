//! Parses, dumps and lowers arbitrary UTF-8 as a Dockerfile: nothing may panic, and every span of
//! the parse and of the lowered `ImageSpec` must be a valid range of the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipshape_dockerfile::{check_spans, check_spec_spans, dump, lower_with_diagnostics, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let df = parse(text);
    if let Err(problem) = check_spans(text, &df) {
        panic!("parse: {problem}");
    }
    let _ = dump(&df);
    let build_args = [("ARG1".to_string(), "value".to_string())];
    let lowered = lower_with_diagnostics(&df, "fuzz".into(), &build_args);
    if let Err(problem) = check_spec_spans(text, &lowered.spec) {
        panic!("lower: {problem}");
    }
    for diagnostic in &lowered.diagnostics {
        assert!(
            text.get(diagnostic.span.range()).is_some(),
            "lowering diagnostic span {:?}",
            diagnostic.span
        );
    }
});
