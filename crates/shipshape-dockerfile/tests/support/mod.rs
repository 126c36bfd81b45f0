//! Helpers shared by the integration tests.

use shipshape_dockerfile::{Dockerfile, check_spans, parse};

/// Parses `text` and checks every span invariant ([`check_spans`]).
pub(crate) fn parse_checked(text: &str) -> Dockerfile {
    let df = parse(text);
    if let Err(problem) = check_spans(text, &df) {
        panic!("{problem}\nin {:?}", text.get(..text.len().min(200)).unwrap_or(""));
    }
    df
}
