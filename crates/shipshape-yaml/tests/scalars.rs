//! Typed views of scalars: YAML 1.1 vs 1.2 booleans, quoting, ints and floats.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use shipshape_yaml::{Limits, Node, parse};

/// Parses `v: <value>` and returns the value node.
fn value(yaml_value: &str) -> Node {
    let text = format!("v: {yaml_value}\n");
    let mut stream = parse(&text, &Limits::default());
    assert!(stream.errors.is_empty(), "{yaml_value}: {:?}", stream.errors);
    let root = stream.documents.remove(0).root;
    root.get("v").unwrap().clone()
}

#[test]
fn yaml11_booleans() {
    for t in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] {
        assert_eq!(value(t).bool_yaml11(), Some(true), "{t}");
    }
    for f in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] {
        assert_eq!(value(f).bool_yaml11(), Some(false), "{f}");
    }
    for other in ["yEs", "tRue", "1", "0", "enabled", "oN", "\"yes\"", "'on'", "\"true\"", "~", "[yes]"] {
        assert_eq!(value(other).bool_yaml11(), None, "{other}");
    }
}

#[test]
fn yaml12_booleans() {
    for t in ["true", "True", "TRUE"] {
        assert_eq!(value(t).bool_yaml12(), Some(true), "{t}");
    }
    for f in ["false", "False", "FALSE"] {
        assert_eq!(value(f).bool_yaml12(), Some(false), "{f}");
    }
    // YAML 1.1-only spellings are strings in 1.2.
    for other in ["yes", "no", "on", "off", "y", "n", "\"true\"", "'false'", "tRUE"] {
        assert_eq!(value(other).bool_yaml12(), None, "{other}");
    }
    // The text stays available whatever the style.
    assert_eq!(value("\"yes\"").as_str(), Some("yes"));
    assert_eq!(value("yes").as_str(), Some("yes"));
}

#[test]
fn explicit_tags_override_style() {
    assert_eq!(value("!!bool \"true\"").bool_yaml12(), Some(true));
    assert_eq!(value("!!str true").bool_yaml12(), None);
    assert_eq!(value("!!str yes").bool_yaml11(), None);
    assert_eq!(value("! true").bool_yaml12(), None);
    assert_eq!(value("!custom true").bool_yaml12(), Some(true));
    assert_eq!(value("!!int '7'").int(), Some(7));
    assert_eq!(value("!!float '1.5'").float(), Some(1.5));
    assert_eq!(value("!!str 7").int(), None);
    assert_eq!(value("!!str 7").float(), None);
}

#[test]
fn integers() {
    let cases = [
        ("0", 0),
        ("42", 42),
        ("-17", -17),
        ("+8", 8),
        ("1_000_000", 1_000_000),
        ("0x1F", 31),
        ("0XfF", 255),
        ("-0x10", -16),
        ("0o17", 15),
        ("0644", 420),
        ("0777", 511),
        ("0b1010", 10),
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
    ];
    for (text, expected) in cases {
        assert_eq!(value(text).int(), Some(expected), "{text}");
    }
    let not_ints = [
        "\"42\"",
        "'42'",
        "4.2",
        "1e3",
        "08",
        "0x",
        "9223372036854775808",
        "8080:80",
        "1:30",
        "12abc",
        "_1",
        "~",
        "[1]",
        "|\n  1",
    ];
    for text in not_ints {
        assert_eq!(value(text).int(), None, "{text}");
    }
}

#[test]
fn floats() {
    let cases = [
        ("1.5", 1.5),
        ("-0.25", -0.25),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("6.02E+23", 6.02e23),
        ("1_000.5", 1000.5),
        ("3", 3.0),
        ("0x10", 16.0),
        ("0644", 420.0),
        ("08", 8.0),
        (".inf", f64::INFINITY),
        ("-.Inf", f64::NEG_INFINITY),
        ("+.INF", f64::INFINITY),
    ];
    for (text, expected) in cases {
        assert_eq!(value(text).float(), Some(expected), "{text}");
    }
    assert!(value(".nan").float().is_some_and(f64::is_nan));
    assert!(value(".NaN").float().is_some_and(f64::is_nan));
    for text in ["\"1.5\"", "inf", "nan", "infinity", "1.5GB", "0.5s", "1e", "e5", ".", "1.2.3", "true"] {
        assert_eq!(value(text).float(), None, "{text}");
    }
}

#[test]
fn collections_and_nulls_have_no_scalar_views() {
    for text in ["~", "null", "[1]", "{a: 1}", ""] {
        let node = value(text);
        assert_eq!(
            (node.as_str(), node.int(), node.float(), node.bool_yaml11()),
            (None, None, None, None),
            "{text}"
        );
    }
}
