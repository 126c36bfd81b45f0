//! XML 1.0 escaping for the junit and checkstyle renderers.

use std::io::{self, Write};

/// Writes `s` escaped for an attribute value in double quotes, or for element text.
///
/// Characters XML 1.0 cannot carry (C0 controls other than tab, line feed and carriage return,
/// U+FFFE, U+FFFF) and characters a terminal would act on (DEL, C1 controls) become U+FFFD.
/// In attributes, tab, line feed and carriage return become character references so that
/// attribute-value normalisation keeps them; in text, carriage return does.
pub(crate) fn write_escaped<W: Write + ?Sized>(out: &mut W, s: &str, attribute: bool) -> io::Result<()> {
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let replacement: &str = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' if attribute => "&quot;",
            '\'' if attribute => "&apos;",
            '\n' if attribute => "&#10;",
            '\t' if attribute => "&#9;",
            '\r' => "&#13;",
            '\n' | '\t' => continue,
            c if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{fffe}' || c == '\u{ffff}' => {
                "\u{fffd}"
            }
            _ => continue,
        };
        out.write_all(&s.as_bytes()[plain..i])?;
        out.write_all(replacement.as_bytes())?;
        plain = i + c.len_utf8();
    }
    out.write_all(&s.as_bytes()[plain..])
}

/// `s` escaped as by [`write_escaped`].
#[cfg(test)]
fn escaped(s: &str, attribute: bool) -> String {
    let mut out = Vec::new();
    let _ = write_escaped(&mut out, s, attribute);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::escaped;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(escaped("a<b>&\"c'", true), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escaped("a<b>&\"c'", false), "a&lt;b&gt;&amp;\"c'");
        assert_eq!(escaped("x\ny\tz\r", true), "x&#10;y&#9;z&#13;");
        assert_eq!(escaped("x\ny\tz\r", false), "x\ny\tz&#13;");
        assert_eq!(
            escaped("esc\u{1b}[31m nul\0 del\u{7f} csi\u{9b}", false),
            "esc\u{fffd}[31m nul\u{fffd} del\u{fffd} csi\u{fffd}"
        );
        assert_eq!(escaped("é ✓ 😀", true), "é ✓ 😀");
    }
}
