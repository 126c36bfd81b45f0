//! The loader's own YAML tree: every node carries its [`Origin`] (file path and span), so values
//! keep pointing at the file and line that set them after override files, `extends` and
//! `include` have been merged.

use shipshape_model::Origin;
use std::sync::Arc;

/// A node of a Compose model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Val {
    pub(crate) kind: Kind,
    /// Where the value is written.
    pub(crate) origin: Origin,
    pub(crate) tag: Tag,
}

/// Compose's merge tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    None,
    /// `!reset`: remove the value inherited from earlier files or `extends`.
    Reset,
    /// `!override`: replace the inherited value instead of merging.
    Override,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Null,
    Scalar(Scalar),
    Seq(Vec<Val>),
    Map(Vec<Entry>),
}

/// A scalar and its YAML 1.2 type (quoted scalars and interpolated text are strings).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scalar {
    pub(crate) text: String,
    pub(crate) ty: ScalarType,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ScalarType {
    Str,
    Bool(bool),
    Int(i64),
    Float(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_origin: Origin,
    pub(crate) value: Val,
}

impl Val {
    pub(crate) fn new(kind: Kind, origin: Origin) -> Self {
        Self { kind, origin, tag: Tag::None }
    }

    pub(crate) fn string(text: impl Into<String>, origin: Origin) -> Self {
        Self::new(Kind::Scalar(Scalar { text: text.into(), ty: ScalarType::Str }), origin)
    }

    pub(crate) fn map(entries: Vec<Entry>, origin: Origin) -> Self {
        Self::new(Kind::Map(entries), origin)
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    pub(crate) fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of any scalar.
    pub(crate) fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    pub(crate) fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn as_map_mut(&mut self) -> Option<&mut Vec<Entry>> {
        match &mut self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> Option<&[Val]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value of `key` in a mapping (the last one when duplicated).
    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        self.entry(key).map(|e| &e.value)
    }

    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().rev().find(|e| e.key == key)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Val> {
        self.as_map_mut()?.iter_mut().rev().find(|e| e.key == key).map(|e| &mut e.value)
    }

    /// Removes every entry `key` from a mapping.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Entry> {
        let entries = self.as_map_mut()?;
        let index = entries.iter().rposition(|e| e.key == key)?;
        let removed = entries.remove(index);
        entries.retain(|e| e.key != key);
        Some(removed)
    }

    /// What kind of node this is, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Scalar(s) => match s.ty {
                ScalarType::Str => "a string",
                ScalarType::Bool(_) => "a boolean",
                ScalarType::Int(_) => "an integer",
                ScalarType::Float(_) => "a number",
            },
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The value as Compose prints a scalar in string context (`environment` map values,
    /// `sysctls`): strings as written, numbers as Go's `%v` prints them (`0x10` is `16`, `1.0`
    /// is `1`), booleans as `true`/`false`. `None` for null and collections.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        let scalar = self.as_scalar()?;
        Some(match scalar.ty {
            ScalarType::Str => scalar.text.clone(),
            ScalarType::Bool(b) => b.to_string(),
            ScalarType::Int(i) => i.to_string(),
            ScalarType::Float(f) => format_go_float(f),
        })
    }

    /// The span from the key of an entry to the end of its value, when the value follows the
    /// key (not for a value that an alias brought from elsewhere): just the key otherwise.
    pub(crate) fn entry_origin(entry: &Entry) -> Origin {
        let (key, value) = (entry.key_origin.span, entry.value.origin.span);
        let follows = value.start >= key.end && value.start - key.end <= 256;
        if entry.key_origin.path == entry.value.origin.path && !entry.value.is_null() && follows {
            Origin::new(entry.key_origin.path.clone(), entry.key_origin.span.cover(entry.value.origin.span))
        } else {
            entry.key_origin.clone()
        }
    }
}

/// Go's `%v` for a float64: integral values below 1e21 without a fraction, otherwise the
/// shortest representation; infinities as `+Inf`/`-Inf`.
pub(crate) fn format_go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() };
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    let abs = f.abs();
    if !(1e-4..1e21).contains(&abs) {
        // Go prints `1e-05`, `1.5e+21`.
        let s = format!("{f:e}");
        if let Some((mantissa, exp)) = s.split_once('e') {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            let digits = if digits.len() < 2 { format!("0{digits}") } else { digits.to_string() };
            return format!("{mantissa}e{sign}{digits}");
        }
        return s;
    }
    format!("{f}")
}

/// Whether a plain scalar may resolve to a number or boolean (a cheap filter before the exact
/// YAML 1.2 checks): numbers start with a digit, sign or dot, booleans with `t` or `f`.
fn may_be_typed(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b't' | b'T' | b'f' | b'F'))
}

/// Converts a parsed YAML node into a [`Val`] of file `path`, moving its strings. Keys that
/// YAML 1.2 reads as a number, boolean or null (Compose rejects them: "non-string key") are
/// kept as text and their origins pushed to `bad_keys`.
pub(crate) fn from_yaml(node: shipshape_yaml::Node, path: &Arc<str>, bad_keys: &mut Vec<Origin>) -> Val {
    use shipshape_yaml::{NodeValue, ScalarStyle};
    let origin = Origin::new(path.clone(), node.span);
    let tag = match node.tag.as_deref() {
        Some("!reset") => Tag::Reset,
        Some("!override") => Tag::Override,
        _ => Tag::None,
    };
    let ty = match &node.value {
        NodeValue::Scalar(scalar)
            if node.tag.as_deref() != Some("!!str")
                && scalar.style == ScalarStyle::Plain
                && may_be_typed(&scalar.text) =>
        {
            if let Some(b) = node.bool_yaml12() {
                ScalarType::Bool(b)
            } else if let Some(i) = node.int() {
                ScalarType::Int(i)
            } else if let Some(f) = node.float() {
                ScalarType::Float(f)
            } else {
                ScalarType::Str
            }
        }
        _ => ScalarType::Str,
    };
    let kind = match node.value {
        NodeValue::Null => Kind::Null,
        NodeValue::Scalar(scalar) => Kind::Scalar(Scalar { text: scalar.text, ty }),
        NodeValue::Sequence(items) => {
            Kind::Seq(items.into_iter().map(|n| from_yaml(n, path, bad_keys)).collect())
        }
        NodeValue::Mapping(entries) => Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key_origin = Origin::new(path.clone(), k.span);
                    let plain_typed = k.tag.is_none()
                        && k.as_scalar()
                            .is_some_and(|s| s.style == ScalarStyle::Plain && may_be_typed(&s.text))
                        && (k.bool_yaml12().is_some() || k.int().is_some() || k.float().is_some());
                    if plain_typed || !matches!(k.value, NodeValue::Scalar(_)) {
                        bad_keys.push(key_origin.clone());
                    }
                    let key = match k.value {
                        NodeValue::Scalar(s) => s.text,
                        NodeValue::Null => "null".to_string(),
                        _ => String::new(),
                    };
                    Entry { key, key_origin, value: from_yaml(v, path, bad_keys) }
                })
                .collect(),
        ),
    };
    Val { kind, origin, tag }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_formatting() {
        assert_eq!(format_go_float(1.0), "1");
        assert_eq!(format_go_float(1.5), "1.5");
        assert_eq!(format_go_float(1000.0), "1000");
        assert_eq!(format_go_float(f64::INFINITY), "+Inf");
        assert_eq!(format_go_float(0.00001), "1e-05");
        assert_eq!(format_go_float(0.0001), "0.0001");
    }
}
