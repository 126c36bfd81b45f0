//! The JUnit XML format, for CI systems that show test reports (GitLab, Jenkins, Azure, ...).
//!
//! * `<testsuites name="shipshape">` holds one `<testsuite>` per file: every scan target in scan
//!   order, then any other file a finding points into (a configuration file, say).
//! * Each finding is a `<testcase>` with a `<failure>`: `type` is the rule code, `message` the
//!   severity and message, and the body the finding as the human format prints it (without
//!   colour), so CI shows the source frame.
//! * A target without findings gets one passing `<testcase name="no findings">`, so CI lists it.
//!   An unreadable target without findings gets a `<testcase name="read">` with an `<error>`
//!   carrying the reason.
//! * Text is escaped for XML 1.0; characters XML cannot carry become U+FFFD.

use crate::human::{self, HumanOptions};
use crate::xml::write_escaped;
use crate::{Report, TOOL_NAME, group_by_path, redaction};
use shipshape_model::TargetStatus;
use std::io::{self, Write};

/// Renders the report as a JUnit XML document.
pub fn render<W: Write + ?Sized>(report: &Report<'_>, out: &mut W) -> io::Result<()> {
    let groups = group_by_path(report);
    let frame_options = HumanOptions { color: false, summary: false, ..HumanOptions::default() };
    fn unreadable_reason<'a>(group: &crate::FileGroup<'a>) -> Option<&'a str> {
        match group.target.map(|t| &t.status) {
            Some(TargetStatus::Unreadable { reason }) if group.findings.is_empty() => Some(reason.as_str()),
            _ => None,
        }
    }
    let mut tests = 0;
    let mut errors = 0;
    for group in &groups {
        tests += group.findings.len().max(1);
        errors += usize::from(unreadable_reason(group).is_some());
    }
    let failures = report.findings.len();

    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        out,
        "<testsuites name=\"{TOOL_NAME}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    )?;
    let mut body = Vec::new();
    for group in &groups {
        let reason = unreadable_reason(group);
        out.write_all(b"  <testsuite name=\"")?;
        write_escaped(out, group.path, true)?;
        writeln!(
            out,
            "\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            group.findings.len().max(1),
            group.findings.len(),
            usize::from(reason.is_some()),
        )?;
        for finding in &group.findings {
            let secret = redaction::secret_of(finding, report.sources);
            let location = &finding.location;
            out.write_all(b"    <testcase name=\"")?;
            write_escaped(out, finding.rule.code, true)?;
            out.write_all(b" ")?;
            write_escaped(out, finding.rule.name, true)?;
            if location.is_located() {
                write!(out, " at {}:{}", location.region.start_line, location.region.start_column)?;
            }
            out.write_all(b"\" classname=\"")?;
            write_escaped(out, group.path, true)?;
            out.write_all(b"\" file=\"")?;
            write_escaped(out, &location.path, true)?;
            if location.is_located() {
                write!(out, "\" line=\"{}", location.region.start_line)?;
            }
            out.write_all(b"\">\n      <failure type=\"")?;
            write_escaped(out, finding.rule.code, true)?;
            write!(out, "\" message=\"{}: ", finding.severity)?;
            write_escaped(out, &redaction::scrub(secret.as_ref(), &finding.message), true)?;
            out.write_all(b"\">")?;
            body.clear();
            human::render_finding(report, finding, &frame_options, &mut body)?;
            write_escaped(out, &String::from_utf8_lossy(&body), false)?;
            out.write_all(b"</failure>\n    </testcase>\n")?;
        }
        if group.findings.is_empty() {
            let name = if reason.is_some() { "read" } else { "no findings" };
            write!(out, "    <testcase name=\"{name}\" classname=\"")?;
            write_escaped(out, group.path, true)?;
            out.write_all(b"\" file=\"")?;
            write_escaped(out, group.path, true)?;
            match reason {
                Some(reason) => {
                    out.write_all(b"\">\n      <error type=\"unreadable\" message=\"")?;
                    write_escaped(out, reason, true)?;
                    out.write_all(b"\"/>\n    </testcase>\n")?;
                }
                None => out.write_all(b"\"/>\n")?,
            }
        }
        out.write_all(b"  </testsuite>\n")?;
    }
    out.write_all(b"</testsuites>\n")
}
