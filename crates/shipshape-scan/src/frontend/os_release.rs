//! `os-release` files (`/etc/os-release`, `/usr/lib/os-release`): the distribution release an
//! image or root file system runs, judged against end-of-life dates. `shipshape image` hands the
//! file of each image it reads (`<image>!/layer-N/etc/os-release`); a scanned directory holding
//! an unpacked root file system is claimed by name.

use shipshape_model::{Origin, SourceFile, Span};

use super::{Frontend, FrontendContext, FrontendOutput};

/// An os-release file.
pub struct OsReleaseFrontend;

/// One `KEY=value` of an os-release file: the value unquoted, the span of the whole line.
struct Field<'a> {
    key: &'a str,
    value: String,
    span: Span,
}

/// The `KEY=value` lines (shell-like: values optionally in single or double quotes).
fn fields(text: &str) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let Some((key, value)) = trimmed.split_once('=') else { continue };
        let key = key.trim();
        if key.is_empty() || key.starts_with('#') {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(start + trimmed.len())) else {
            break;
        };
        out.push(Field { key, value: value.replace("\\\"", "\""), span: Span::new(start, end) });
    }
    out
}

impl Frontend for OsReleaseFrontend {
    fn kind(&self) -> &'static str {
        "os-release"
    }

    fn claims(&self, file_name: &str) -> bool {
        file_name == "os-release"
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let mut output = FrontendOutput::default();
        let fields = fields(&source.text);
        let get = |key: &str| fields.iter().rev().find(|f| f.key == key);
        let Some(id) = get("ID") else { return output };
        let version = get("VERSION_ID");
        let codename = get("VERSION_CODENAME");
        let at = version.or(codename).unwrap_or(id);
        let origin = Origin::new(source.path.clone(), at.span);
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        shipshape_rules::checkers::check_os_release(
            &id.value,
            version.map(|v| v.value.as_str()),
            codename.map(|c| c.value.as_str()),
            &origin,
            &mut checker,
        );
        output.findings.extend(checker.into_findings());
        output
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_bare_values_with_line_spans() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 9 (stretch)\"\n# comment=x\nID=debian\nVERSION_ID='9'\n";
        let fields = fields(text);
        let keys: Vec<(&str, &str)> = fields.iter().map(|f| (f.key, f.value.as_str())).collect();
        assert_eq!(
            keys,
            [("PRETTY_NAME", "Debian GNU/Linux 9 (stretch)"), ("ID", "debian"), ("VERSION_ID", "9")]
        );
        assert_eq!(fields[2].span.slice(text), "VERSION_ID='9'");
    }
}
