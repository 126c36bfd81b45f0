//! `os-release`: `KEY=value` lines, values optionally quoted.

use super::OsRelease;

/// `KEY=value` lines; values may be quoted (`"..."` with `\` escapes, or `'...'`).
pub(crate) fn parse_os_release(text: &str, path: &str, layer: usize) -> OsRelease {
    let mut release = OsRelease { path: path.to_string(), layer, ..OsRelease::default() };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else { continue };
        let value = unquote(raw.trim());
        let slot = match key.trim() {
            "ID" => &mut release.id,
            "NAME" => &mut release.name,
            "VERSION_ID" => &mut release.version_id,
            "VERSION_CODENAME" => &mut release.version_codename,
            "PRETTY_NAME" => &mut release.pretty_name,
            "ID_LIKE" => {
                release.id_like = value.split_whitespace().map(str::to_string).collect();
                continue;
            }
            _ => continue,
        };
        *slot = Some(value);
    }
    release
}

fn unquote(raw: &str) -> String {
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some(next @ ('"' | '\\' | '$' | '`')) => out.push(next),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.to_string();
    }
    raw.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n\
                    VERSION_CODENAME=bookworm\nID=debian\n# comment\nID_LIKE='rhel fedora'\nBAD LINE\n";
        let r = parse_os_release(text, "/usr/lib/os-release", 0);
        assert_eq!(r.id.as_deref(), Some("debian"));
        assert_eq!(r.version_id.as_deref(), Some("12"));
        assert_eq!(r.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(r.pretty_name.as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
        assert_eq!(r.id_like, ["rhel", "fedora"]);
        assert_eq!(unquote(r#""a \"b\" \$c \n""#), "a \"b\" $c \\n");
    }
}
