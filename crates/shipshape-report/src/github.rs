//! GitHub Actions workflow commands: one annotation per finding, shown on the pull request diff
//! and the run summary.
//!
//! ```text
//! ::error file=Dockerfile,line=12,endLine=12,col=1,endColumn=9,title=high[PRV001] root-user::the final stage runs as root
//! ```
//!
//! * Command: critical and high → `error`, medium → `warning`, low and info → `notice`.
//! * `file` is the display path; `line`/`endLine` are 1-based. `col`/`endColumn` (1-based,
//!   characters, end inclusive as GitHub reads it) are given only for a span on one line, since
//!   GitHub ignores columns across lines. A finding without a line gets only `file`.
//! * `title` is `severity[CODE] name`; the message is the finding's message, then its help.
//! * Escaping as GitHub documents it: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`;
//!   in properties `:` and `,` also become `%3A` and `%2C`.
//! * GitHub shows at most 10 annotations of each kind per step; the summary has all counts in
//!   the other formats.

use crate::{Report, redaction};
use shipshape_model::Severity;
use std::io::{self, Write};

/// Workflow command of a severity.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Renders one workflow command per finding.
pub fn render<W: Write + ?Sized>(report: &Report<'_>, out: &mut W) -> io::Result<()> {
    for finding in report.findings {
        let secret = redaction::secret_of(finding, report.sources);
        let location = &finding.location;
        write!(out, "::{} file=", command(finding.severity))?;
        write_escaped(out, &location.path, true)?;
        if location.is_located() {
            let r = location.region;
            let end_line = r.end_line.max(r.start_line);
            write!(out, ",line={},endLine={end_line}", r.start_line)?;
            if end_line == r.start_line {
                let end_column = r.end_column.saturating_sub(1).max(r.start_column);
                write!(out, ",col={},endColumn={end_column}", r.start_column)?;
            }
        }
        write!(out, ",title={}[{}] ", finding.severity, finding.rule.code)?;
        write_escaped(out, finding.rule.name, true)?;
        out.write_all(b"::")?;
        write_escaped(out, &redaction::scrub(secret.as_ref(), &finding.message), false)?;
        if let Some(help) = &finding.help {
            out.write_all(b"%0A%0Ahelp: ")?;
            write_escaped(out, &redaction::scrub(secret.as_ref(), help), false)?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `s` escaped as GitHub's runner expects: data escapes `%`, CR and LF; properties also
/// `:` and `,`.
fn write_escaped<W: Write + ?Sized>(out: &mut W, s: &str, property: bool) -> io::Result<()> {
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let replacement: &[u8] = match b {
            b'%' => b"%25",
            b'\r' => b"%0D",
            b'\n' => b"%0A",
            b':' if property => b"%3A",
            b',' if property => b"%2C",
            _ => continue,
        };
        out.write_all(&s.as_bytes()[plain..i])?;
        out.write_all(replacement)?;
        plain = i + 1;
    }
    out.write_all(&s.as_bytes()[plain..])
}

#[cfg(test)]
mod tests {
    use super::write_escaped;

    fn escaped(s: &str, property: bool) -> String {
        let mut out = Vec::new();
        write_escaped(&mut out, s, property).expect("writing to a Vec");
        String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escaped("50% a:b,c\r\nd", false), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escaped("50% a:b,c\r\nd", true), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
