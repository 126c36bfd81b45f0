//! JSON documents of an image (index, manifests, config) read through `shipshape-yaml`, so every
//! value keeps its byte span in the text.

use crate::error::ImageError;
use shipshape_yaml::{Limits, Node, NodeValue, ScalarStyle};

/// Text of a blob as UTF-8, each invalid byte replaced by `?` so byte offsets stay those of the
/// blob (the convention every shipshape front end follows).
pub(crate) fn lossy_text(data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let mut out = String::with_capacity(data.len());
            for chunk in data.utf8_chunks() {
                out.push_str(chunk.valid());
                for _ in chunk.invalid() {
                    out.push('?');
                }
            }
            out
        }
    }
}

/// Parses a JSON document; any syntax error is an error naming `location` and the line.
pub(crate) fn parse(text: &str, location: &str) -> Result<Node, ImageError> {
    let mut stream = shipshape_yaml::parse(text, &Limits::default());
    if let Some(error) = stream.errors.first() {
        let line = text.get(..error.span.start as usize).map_or(1, |t| t.matches('\n').count() + 1);
        return Err(ImageError::invalid(location, format!("invalid JSON at line {line}: {}", error.message)));
    }
    if stream.documents.len() != 1 {
        return Err(ImageError::invalid(location, "expected one JSON document"));
    }
    let document = stream.documents.pop().ok_or_else(|| ImageError::invalid(location, "empty document"))?;
    match document.root.value {
        NodeValue::Mapping(_) | NodeValue::Sequence(_) => Ok(document.root),
        _ => Err(ImageError::invalid(location, "expected a JSON object or array")),
    }
}

/// The text of a JSON string (a quoted scalar); numbers, booleans and null are not strings.
pub(crate) fn string(node: &Node) -> Option<&str> {
    let scalar = node.as_scalar()?;
    matches!(scalar.style, ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted)
        .then_some(scalar.text.as_str())
}

/// A string value (`None` for null, missing, non-string).
pub(crate) fn str_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(string)
}

/// A non-negative integer value.
pub(crate) fn u64_of(node: &Node, key: &str) -> Option<u64> {
    node.get(key).and_then(Node::int).and_then(|i| u64::try_from(i).ok())
}

/// The string items of an array value (non-strings skipped).
pub(crate) fn strings_of<'a>(node: &'a Node, key: &str) -> Vec<&'a str> {
    node.get(key)
        .and_then(Node::as_sequence)
        .map_or_else(Vec::new, |items| items.iter().filter_map(string).collect())
}

/// The value of the first of `keys` present (Docker's configs capitalise some keys).
pub(crate) fn get_any<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().find_map(|k| node.get(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_keeps_offsets() {
        let text = lossy_text(b"{\"a\":\"\xff\xfe\"}");
        assert_eq!(text, "{\"a\":\"??\"}");
        assert_eq!(text.len(), 10);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let err = parse("{\n\"a\": [1,\n", "x.json").unwrap_err().to_string();
        assert!(err.starts_with("x.json: invalid JSON at line"), "{err}");
        assert!(parse("3", "x").is_err());
        let node = parse("{\"n\": 5, \"s\": \"t\", \"l\": [\"a\", 1, \"b\"]}", "x").unwrap();
        assert_eq!(u64_of(&node, "n"), Some(5));
        assert_eq!(str_of(&node, "s"), Some("t"));
        assert_eq!(strings_of(&node, "l"), ["a", "b"]);
    }
}
