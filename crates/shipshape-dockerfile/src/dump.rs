//! BuildKit's AST dump (`Node.Dump()`): one S-expression per instruction, the format of the
//! `result` files of BuildKit's parser tests.

use crate::ast::*;
use std::fmt::Write;

/// Prints `df` as BuildKit's parser test `result` files do: one line per instruction, the
/// lower-cased keyword, flags as a bracketed list, then every argument quoted with Go's
/// `strconv.Quote`. No trailing newline (BuildKit trims it).
pub fn dump(df: &Dockerfile) -> String {
    let mut out = String::new();
    for instruction in &df.instructions {
        out.push('(');
        out.push_str(&dump_instruction(instruction));
        out.push_str(")\n");
    }
    out.trim().to_string()
}

/// The S-expression of one instruction, without the surrounding parentheses.
pub fn dump_instruction(instruction: &Instruction) -> String {
    let mut out = String::new();
    // `ONBUILD ONBUILD ...` nests at most `MAX_ONBUILD_DEPTH` times, so this loop is bounded; it
    // builds the nested `(trigger ...)` text from the inside out.
    let mut chain = vec![instruction];
    while let Some(Args::Onbuild(trigger)) = chain.last().map(|i| &i.args) {
        chain.push(trigger);
    }
    for instruction in chain.iter().rev() {
        let mut node = keyword_text(instruction);
        if !instruction.flags.is_empty() {
            node.push_str(" [");
            for (i, flag) in instruction.flags.iter().enumerate() {
                if i > 0 {
                    node.push(' ');
                }
                node.push_str(&go_quote(&flag.text()));
            }
            node.push(']');
        }
        match &instruction.args {
            Args::Onbuild(_) => {
                let _ = write!(node, " ({})", out.trim());
            }
            args => push_args(&mut node, args),
        }
        out = node.trim().to_string();
    }
    out
}

fn keyword_text(instruction: &Instruction) -> String {
    match &instruction.keyword {
        Keyword::Unknown(text) => text.to_lowercase(),
        known => known.as_str().to_ascii_lowercase(),
    }
}

fn push_quoted(out: &mut String, text: &str) {
    out.push(' ');
    out.push_str(&go_quote(text));
}

fn push_command(out: &mut String, command: &CommandArgs) {
    match command {
        CommandArgs::Exec(words) => words.iter().for_each(|w| push_quoted(out, &w.text)),
        CommandArgs::Shell(word) => push_quoted(out, &word.text),
    }
}

fn push_args(out: &mut String, args: &Args) {
    match args {
        Args::Empty | Args::Onbuild(_) => {}
        Args::Command(command) => push_command(out, command),
        Args::KeyValues(pairs) => {
            for pair in pairs {
                push_quoted(out, &pair.key.text);
                push_quoted(out, &pair.value.text);
                push_quoted(out, if pair.legacy { "" } else { "=" });
            }
        }
        Args::ArgDecls(decls) => decls.iter().for_each(|d| push_quoted(out, &d.word.text)),
        Args::From(FromArgs { words }) | Args::Words(words) | Args::Paths(PathList { paths: words, .. }) => {
            words.iter().for_each(|w| push_quoted(out, &w.text));
        }
        Args::Text(word) | Args::Invalid(word) => push_quoted(out, &word.text),
        Args::Healthcheck(health) => {
            push_quoted(out, &health.kind.text);
            if let Some(command) = &health.command {
                push_command(out, command);
            }
        }
        // BuildKit's parser keeps an empty node for an unknown instruction.
        Args::Raw(_) => push_quoted(out, ""),
    }
}

/// Go's `strconv.Quote`. Which non-ASCII characters count as printable is approximated (Go uses
/// Unicode tables): controls, separators other than space, format characters, private use and
/// noncharacters are escaped.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if u < 0x100 {
        return u >= 0xa1 && u != 0xad;
    }
    if c.is_whitespace() || c.is_control() {
        return false;
    }
    let format = matches!(
        u,
        0x0600..=0x0605
            | 0x061c
            | 0x06dd
            | 0x070f
            | 0x08e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    );
    let private_or_unassigned =
        matches!(u, 0xe000..=0xf8ff | 0xf0000..=0x10ffff | 0xfdd0..=0xfdef) || (u & 0xfffe) == 0xfffe;
    !format && !private_or_unassigned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a \"b\" \\c"), r#""a \"b\" \\c""#);
        assert_eq!(go_quote("\t\n\u{0}\u{7f}"), r#""\t\n\x00\x7f""#);
        assert_eq!(go_quote("♥ ☃ é"), "\"♥ ☃ é\"");
        assert_eq!(go_quote("\u{a0}\u{200b}\u{feff}"), r#""\u00a0\u200b\ufeff""#);
        assert_eq!(go_quote("\u{f0000}"), r#""\U000f0000""#);
    }
}
