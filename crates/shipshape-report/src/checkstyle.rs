//! The checkstyle XML format (version 4.3), for tools that read checkstyle reports
//! (Jenkins warnings-ng, reviewdog, SonarQube, ...).
//!
//! * One `<file name="...">` per file: every scan target in scan order (clean ones empty), then
//!   any other file a finding points into.
//! * One `<error>` per finding: `line` and `column` (1-based, characters; omitted when the
//!   finding has no line), `severity` (critical and high → `error`, medium → `warning`, low and
//!   info → `info`), `message` (`[CODE] message`) and `source` (`shipshape.CODE`).
//! * Text is escaped for XML 1.0; characters XML cannot carry become U+FFFD.

use crate::xml::write_escaped;
use crate::{Report, group_by_path, redaction};
use shipshape_model::Severity;
use std::io::{self, Write};

/// checkstyle severity of a severity.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "info",
    }
}

/// Renders the report as a checkstyle XML document.
pub fn render<W: Write + ?Sized>(report: &Report<'_>, out: &mut W) -> io::Result<()> {
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n")?;
    for group in group_by_path(report) {
        out.write_all(b"  <file name=\"")?;
        write_escaped(out, group.path, true)?;
        if group.findings.is_empty() {
            out.write_all(b"\"/>\n")?;
            continue;
        }
        out.write_all(b"\">\n")?;
        for finding in group.findings {
            let secret = redaction::secret_of(finding, report.sources);
            out.write_all(b"    <error")?;
            if finding.location.is_located() {
                let region = finding.location.region;
                write!(out, " line=\"{}\" column=\"{}\"", region.start_line, region.start_column)?;
            }
            write!(out, " severity=\"{}\" message=\"[{}] ", severity(finding.severity), finding.rule.code)?;
            write_escaped(out, &redaction::scrub(secret.as_ref(), &finding.message), true)?;
            writeln!(out, "\" source=\"shipshape.{}\"/>", finding.rule.code)?;
        }
        out.write_all(b"  </file>\n")?;
    }
    out.write_all(b"</checkstyle>\n")
}
