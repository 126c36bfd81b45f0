//! The human format: rustc/ruff-style source frames for each finding, then a summary.
//!
//! ```text
//! high[PRV001] root-user: the final stage runs as root
//!   --> Dockerfile:12:1
//!    |
//! 12 | USER root
//!    | ^^^^^^^^^
//!    |
//!   ::: Dockerfile:1:1
//!    |
//!  1 | FROM ubuntu:22.04
//!    | ----------------- the base image sets no user
//!    |
//!    = help: add `USER app` after creating the user
//!    = fix available (unsafe)
//! ```
//!
//! * The header names severity, code and rule name; `[*]` after the code marks a safe fix.
//! * Columns count characters; tabs are expanded to the next multiple of four so carets line up;
//!   control and bidirectional-override characters are shown as visible placeholders and never
//!   written to the terminal. Wide (East Asian) characters count as one column.
//! * A line longer than [`HumanOptions::max_line_width`] characters is cut to a window around the
//!   span, marked with `…`; only that window is ever read, so a 100 MB one-line file costs the
//!   same as a short one.
//! * A span over several lines is drawn with `/`, `|` and `|___^` in the margin; frames taller than
//!   [`HumanOptions::max_frame_lines`] keep their first and last lines around a `...` row.
//! * Secondary (related) locations are drawn with `-` and their label; those without a source get
//!   a `= note:` line instead.
//! * Colour (plain ANSI SGR escapes) only when [`HumanOptions::color`] is set; the binary decides
//!   from `--no-color`, `NO_COLOR` and whether stdout is a terminal.
//! * The output is for people: its layout may change between releases. Use `json` or `sarif` to
//!   parse.

use crate::Report;
use crate::redaction::{self, CONTINUATION, Secret};
use crate::tally::Tally;
use shipshape_model::{Applicability, Finding, Layer, Location, Severity, SourceFile, Span, TargetStatus};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Options of the human format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanOptions {
    /// Colour the output with ANSI escapes.
    pub color: bool,
    /// Draw source frames; without them each finding is its header and `-->` line.
    pub frames: bool,
    /// Print the summary table after the findings.
    pub summary: bool,
    /// Most source lines one frame shows (at least 2); taller spans are elided in the middle.
    pub max_frame_lines: usize,
    /// Most characters of one source line shown (at least 20); longer lines are cut around the span.
    pub max_line_width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        Self { color: false, frames: true, summary: true, max_frame_lines: 6, max_line_width: 120 }
    }
}

const TAB_WIDTH: usize = 4;
const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const GUTTER: &str = "\x1b[1;34m";
const SECONDARY: &str = "\x1b[1;34m";
const HELP: &str = "\x1b[1;36m";
const FIX: &str = "\x1b[1;32m";

/// ANSI colour of a severity.
fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "\x1b[1;35m",
        Severity::High => "\x1b[1;31m",
        Severity::Medium => "\x1b[1;33m",
        Severity::Low => "\x1b[1;34m",
        Severity::Info => "\x1b[1;36m",
    }
}

/// Paints text when colour is on.
#[derive(Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    fn open(self, code: &'static str) -> &'static str {
        if self.on { code } else { "" }
    }

    fn close(self) -> &'static str {
        if self.on { RESET } else { "" }
    }
}

/// Renders the whole report: every finding, then (if asked) the summary.
pub fn render<W: Write + ?Sized>(report: &Report<'_>, options: &HumanOptions, out: &mut W) -> io::Result<()> {
    for finding in report.findings {
        render_finding(report, finding, options, out)?;
        writeln!(out)?;
    }
    if options.summary {
        render_summary(report, options, out)?;
    }
    Ok(())
}

/// Renders one finding: header, frames of its primary and related locations, help and fix notes.
/// Ends with the last note's newline, without a blank separator line.
pub fn render_finding<W: Write + ?Sized>(
    report: &Report<'_>,
    finding: &Finding,
    options: &HumanOptions,
    out: &mut W,
) -> io::Result<()> {
    let paint = Paint { on: options.color };
    let secret = redaction::secret_of(finding, report.sources);
    let secret = secret.as_ref();
    let max_frame_lines = options.max_frame_lines.max(2);
    let max_width = options.max_line_width.max(20);
    let sev = severity_color(finding.severity);

    // Header.
    let fix_mark = match &finding.fix {
        Some(fix) if fix.applicability == Applicability::Safe => " [*]",
        _ => "",
    };
    let message = redaction::scrub(secret, &finding.message);
    writeln!(
        out,
        "{}{}[{}]{}{fix_mark} {}: {}{}{}",
        paint.open(sev),
        finding.severity,
        finding.rule.code,
        paint.close(),
        finding.rule.name,
        paint.open(BOLD),
        sanitize(&message),
        paint.close(),
    )?;

    // Frames: work out what can be drawn first, for a common gutter width.
    let frame_source = |location: &Location| -> Option<&SourceFile> {
        if !options.frames || !location.is_located() {
            return None;
        }
        report.sources.source(&location.path)
    };
    let primary_source = frame_source(&finding.location);
    let mut widest_line = 1;
    if let Some(source) = primary_source {
        widest_line = frame_lines(source, finding.location.span).1 + 1;
    }
    for related in &finding.related {
        if let Some(source) = frame_source(&related.location) {
            widest_line = widest_line.max(frame_lines(source, related.location.span).1 + 1);
        }
    }
    let width = digits(widest_line);
    let gutter = Gutter { width, paint };

    gutter.arrow(out, "-->", &finding.location)?;
    if let Some(source) = primary_source {
        gutter.blank(out)?;
        let annotation = Annotation { span: finding.location.span, label: None, primary: true, color: sev };
        let shown = Shown { secret, same_file: true, max_frame_lines, max_width };
        write_frame(out, &gutter, source, &annotation, &shown)?;
    }

    let mut notes: Vec<Cow<'_, str>> = Vec::new();
    for related in &finding.related {
        let label = redaction::scrub(secret, &related.label);
        match frame_source(&related.location) {
            Some(source) => {
                gutter.blank(out)?;
                gutter.arrow(out, ":::", &related.location)?;
                gutter.blank(out)?;
                let annotation = Annotation {
                    span: related.location.span,
                    label: Some(&label),
                    primary: false,
                    color: SECONDARY,
                };
                // The secret's span is in the primary file; elsewhere only its text is hidden.
                let same_file = related.location.path == finding.location.path;
                let shown = Shown { secret, same_file, max_frame_lines, max_width };
                write_frame(out, &gutter, source, &annotation, &shown)?;
            }
            None => {
                let mut note = String::with_capacity(label.len() + related.location.path.len() + 16);
                note.push_str(&label);
                note.push_str(" (");
                push_location(&mut note, &related.location);
                note.push(')');
                notes.push(Cow::Owned(note));
            }
        }
    }

    if primary_source.is_some() || finding.related.iter().any(|r| frame_source(&r.location).is_some()) {
        gutter.blank(out)?;
    }
    let rule = finding.rule;
    let defence = format!("{} layer; stops {}; protects {}", rule.layer, rule.threat, rule.asset);
    gutter.note(out, "why", HELP, &defence)?;
    for note in &notes {
        gutter.note(out, "note", HELP, note)?;
    }
    if let Some(help) = &finding.help {
        gutter.note(out, "help", HELP, &redaction::scrub(secret, help))?;
    }
    if let Some(fix) = &finding.fix {
        let kind = match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display only",
        };
        write!(out, "{:width$} {}={} ", "", paint.open(FIX), paint.close())?;
        writeln!(out, "{}fix available ({kind}){}", paint.open(FIX), paint.close())?;
    }
    Ok(())
}

/// Renders the summary: a layer × severity table, target counts, fixes and the `fail-on` verdict.
pub fn render_summary<W: Write + ?Sized>(
    report: &Report<'_>,
    options: &HumanOptions,
    out: &mut W,
) -> io::Result<()> {
    let paint = Paint { on: options.color };
    let tally = Tally::of(report);
    if tally.total == 0 {
        writeln!(out, "{}No findings.{}", paint.open(BOLD), paint.close())?;
    } else {
        write!(
            out,
            "{}Found {} finding{}{}: ",
            paint.open(BOLD),
            tally.total,
            plural(tally.total),
            paint.close()
        )?;
        for (i, severity) in Severity::ALL.into_iter().enumerate() {
            let n = tally.severity(severity);
            let sep = if i == 0 { "" } else { ", " };
            let color = if n > 0 { paint.open(severity_color(severity)) } else { "" };
            let close = if n > 0 { paint.close() } else { "" };
            write!(out, "{sep}{color}{n} {severity}{close}")?;
        }
        writeln!(out)?;
        writeln!(out)?;
        write_table(out, &tally, paint)?;
    }
    writeln!(out)?;

    let targets = report.targets.len();
    write!(out, "{targets} target{} scanned: {} parsed", plural(targets), tally.parsed)?;
    if tally.partially_parsed > 0 {
        write!(out, ", {} parsed with errors", tally.partially_parsed)?;
    }
    writeln!(out, ", {} not parsed", tally.unreadable)?;
    const MAX_LISTED: usize = 10;
    let unreadable = report.targets.iter().filter_map(|t| match &t.status {
        TargetStatus::Unreadable { reason } => Some((&t.path, reason)),
        _ => None,
    });
    for (i, (path, reason)) in unreadable.enumerate() {
        if i == MAX_LISTED {
            writeln!(out, "  ... and {} more not parsed", tally.unreadable - MAX_LISTED)?;
            break;
        }
        writeln!(out, "  not parsed: {} ({})", sanitize(path), sanitize(reason))?;
    }

    if tally.safe_fixes + tally.unsafe_fixes + tally.display_only_fixes > 0 {
        let mut parts = Vec::new();
        if tally.safe_fixes > 0 {
            parts.push(format!("{} safe [*]", tally.safe_fixes));
        }
        if tally.unsafe_fixes > 0 {
            parts.push(format!("{} unsafe", tally.unsafe_fixes));
        }
        if tally.display_only_fixes > 0 {
            parts.push(format!("{} display only", tally.display_only_fixes));
        }
        writeln!(out, "Fixes available: {}", parts.join(", "))?;
    }

    if let Some(min) = report.fail_on {
        let failing = report.failing();
        if failing > 0 {
            writeln!(
                out,
                "{}Failed{}: {failing} finding{} at or above {min} (fail-on {min})",
                paint.open(severity_color(Severity::High)),
                paint.close(),
                plural(failing),
            )?;
        } else {
            writeln!(out, "Passed: no findings at or above {min} (fail-on {min})")?;
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The layer × severity table; only layers with findings get a row.
fn write_table<W: Write + ?Sized>(out: &mut W, tally: &Tally, paint: Paint) -> io::Result<()> {
    let layers: Vec<Layer> = Layer::ALL.into_iter().filter(|l| tally.layer_total(*l) > 0).collect();
    let first =
        layers.iter().map(|l| l.as_str().len()).chain(["layer".len(), "total".len()]).max().unwrap_or(5);
    write!(out, "  {}{:first$}", paint.open(BOLD), "layer")?;
    for severity in Severity::ALL {
        write!(out, "  {severity}")?;
    }
    writeln!(out, "  total{}", paint.close())?;
    let row = |out: &mut W, name: &str, counts: [usize; 5]| -> io::Result<()> {
        write!(out, "  {name:first$}")?;
        for severity in Severity::ALL {
            let n = counts[crate::tally::severity_index(severity)];
            let w = severity.as_str().len();
            if n > 0 {
                write!(out, "  {}{n:>w$}{}", paint.open(severity_color(severity)), paint.close())?;
            } else {
                write!(out, "  {n:>w$}")?;
            }
        }
        writeln!(out, "  {:>5}", counts.iter().sum::<usize>())
    };
    for layer in layers {
        row(out, layer.as_str(), tally.by_layer[crate::tally::layer_index(layer)])?;
    }
    row(out, "total", tally.by_severity)
}

/// Number of decimal digits of `n` (at least 1).
fn digits(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Appends `path`, or `path:line:col` when located.
fn push_location(out: &mut String, location: &Location) {
    out.push_str(&sanitize(&location.path));
    if location.is_located() {
        let _ = write!(out, ":{}:{}", location.region.start_line, location.region.start_column);
    }
}

/// The left margin: line numbers, `|`, arrows and notes.
struct Gutter {
    width: usize,
    paint: Paint,
}

impl Gutter {
    fn blank<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        writeln!(out, "{:w$} {}|{}", "", self.paint.open(GUTTER), self.paint.close(), w = self.width)
    }

    fn arrow<W: Write + ?Sized>(&self, out: &mut W, arrow: &str, location: &Location) -> io::Result<()> {
        let mut text = String::new();
        push_location(&mut text, location);
        writeln!(
            out,
            "{:w$}{}{arrow}{} {text}",
            "",
            self.paint.open(GUTTER),
            self.paint.close(),
            w = self.width
        )
    }

    /// `  12 | text`, with `margin` (`/ `, `| ` or nothing) before the text.
    fn source<W: Write + ?Sized>(&self, out: &mut W, line: u32, margin: &str, text: &str) -> io::Result<()> {
        writeln!(
            out,
            "{}{line:>w$} |{} {margin}{text}",
            self.paint.open(GUTTER),
            self.paint.close(),
            w = self.width
        )
    }

    /// `   | ` followed by `marks` (already painted).
    fn marks<W: Write + ?Sized>(&self, out: &mut W, marks: &str) -> io::Result<()> {
        writeln!(out, "{:w$} {}|{} {marks}", "", self.paint.open(GUTTER), self.paint.close(), w = self.width)
    }

    /// `...` in place of elided lines.
    fn ellipsis<W: Write + ?Sized>(&self, out: &mut W, margin: &str) -> io::Result<()> {
        writeln!(
            out,
            "{}{:<w$}{} {margin}",
            self.paint.open(GUTTER),
            "...",
            self.paint.close(),
            w = self.width + 2
        )
    }

    /// `   = kind: text`, continuation lines indented under the text.
    fn note<W: Write + ?Sized>(
        &self,
        out: &mut W,
        kind: &str,
        color: &'static str,
        text: &str,
    ) -> io::Result<()> {
        let text = sanitize(text);
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        writeln!(
            out,
            "{:w$} {}={} {}{kind}{}: {first}",
            "",
            self.paint.open(color),
            self.paint.close(),
            self.paint.open(BOLD),
            self.paint.close(),
            w = self.width
        )?;
        for line in lines {
            writeln!(out, "{:w$}   {:k$}  {line}", "", "", w = self.width, k = kind.len())?;
        }
        Ok(())
    }
}

/// One underlined span in a frame.
struct Annotation<'a> {
    span: Span,
    label: Option<&'a str>,
    primary: bool,
    color: &'static str,
}

/// Byte range `start..end` of 0-based `line`, without its terminator.
fn line_bounds(source: &SourceFile, line: u32) -> (usize, usize) {
    let index = source.line_index();
    let text = source.text.as_bytes();
    let start = (index.line_start(line) as usize).min(text.len());
    let next = if line + 1 < index.line_count() { index.line_start(line + 1) as usize } else { text.len() };
    let mut end = next.clamp(start, text.len());
    if end > start && text[end - 1] == b'\n' {
        end -= 1;
    }
    if end > start && text[end - 1] == b'\r' {
        end -= 1;
    }
    (start, end)
}

/// `span` clamped to the text of `source`.
fn clamp_span(source: &SourceFile, span: Span) -> Span {
    let len = u32::try_from(source.text.len()).unwrap_or(u32::MAX);
    let start = span.start.min(len);
    Span::new(start, span.end.clamp(start, len))
}

/// First and last 0-based line a frame of `span` shows.
fn frame_lines(source: &SourceFile, span: Span) -> (u32, u32) {
    let span = clamp_span(source, span);
    let index = source.line_index();
    let first = index.line_of(span.start);
    let last = if span.end > span.start { index.line_of(span.end - 1).max(first) } else { first };
    (first, last)
}

/// How source lines are shown in one frame.
struct Shown<'s> {
    /// The finding's secret, if any.
    secret: Option<&'s Secret<'s>>,
    /// Whether the frame is of the file the secret is in (so its span applies).
    same_file: bool,
    max_frame_lines: usize,
    max_width: usize,
}

/// Draws the source lines of `annotation` and its underline.
fn write_frame<W: Write + ?Sized>(
    out: &mut W,
    gutter: &Gutter,
    source: &SourceFile,
    annotation: &Annotation<'_>,
    shown: &Shown<'_>,
) -> io::Result<()> {
    let max_frame_lines = shown.max_frame_lines;
    let paint = gutter.paint;
    let text = &*source.text;
    let Span { start, end } = clamp_span(source, annotation.span);
    let (first, last) = frame_lines(source, annotation.span);
    let mark = if annotation.primary { '^' } else { '-' };
    let label = annotation.label.map(sanitize);
    let label = label.as_deref().unwrap_or("");
    let sep = if label.is_empty() { "" } else { " " };

    if first == last {
        let (ls, le) = line_bounds(source, first);
        let focus = (start as usize, (end as usize).min(le));
        let view = view_line(text, ls, le, focus, shown);
        gutter.source(out, first + 1, "", &view.text)?;
        let marks = mark.to_string().repeat(view.focus_end.saturating_sub(view.focus_start).max(1));
        let line = format!(
            "{:pad$}{}{marks}{sep}{label}{}",
            "",
            paint.open(annotation.color),
            paint.close(),
            pad = view.focus_start
        );
        return gutter.marks(out, &line);
    }

    let count = (last - first + 1) as usize;
    let (head, tail) = if count > max_frame_lines {
        let head = max_frame_lines / 2;
        (head, max_frame_lines - head)
    } else {
        (count, 0)
    };
    let color = paint.open(annotation.color);
    let close = paint.close();
    let mut last_view_end = 0;
    let lines =
        (first..first + head as u32).chain(if tail > 0 { last + 1 - tail as u32..last + 1 } else { 0..0 });
    for (i, line) in lines.enumerate() {
        if tail > 0 && i == head {
            gutter.ellipsis(out, &format!("{color}|{close}"))?;
        }
        let (ls, le) = line_bounds(source, line);
        let focus_start = if line == first { start as usize } else { ls };
        let focus_end = if line == last { (end as usize).min(le) } else { le };
        let view = view_line(text, ls, le, (focus_start, focus_end), shown);
        let margin = if line == first { format!("{color}/{close} ") } else { format!("{color}|{close} ") };
        gutter.source(out, line + 1, &margin, &view.text)?;
        if line == last {
            last_view_end = view.focus_end;
        }
    }
    let underscores = "_".repeat(last_view_end.max(1));
    gutter.marks(out, &format!("{color}|{underscores}{mark}{sep}{label}{close}"))
}

/// A source line as shown: expanded, sanitised, redacted, possibly cut to a window.
struct LineView {
    text: String,
    /// Display column (0-based) where the focus range starts.
    focus_start: usize,
    /// Display column (0-based) just after the focus range.
    focus_end: usize,
}

/// Shows `text[ls..le]` (one line), keeping the byte range `focus` visible.
fn view_line(text: &str, ls: usize, le: usize, focus: (usize, usize), shown: &Shown<'_>) -> LineView {
    let max_width = shown.max_width;
    let secret = shown.secret;
    let f0 = text.floor_char_boundary(focus.0.clamp(ls, le));
    let f1 = text.floor_char_boundary(focus.1.clamp(f0, le));

    // The window: the whole line when short, else up to `max_width` characters from a little
    // before the focus. Only the window is scanned.
    let (ws, we) = if le - ls <= max_width {
        (ls, le)
    } else {
        let back = |from: usize, chars: usize| {
            text[ls..from].char_indices().rev().take(chars).last().map_or(from, |(i, _)| ls + i)
        };
        let context = (max_width / 3).min(40);
        let mut ws = back(f0, context);
        let we = text[ws..le].char_indices().nth(max_width).map_or(le, |(i, _)| ws + i);
        if we == le {
            // Near the end of the line: use the whole width before the end instead.
            ws = ws.min(back(le, max_width));
        }
        (ws, we)
    };

    let mut view = String::with_capacity(we - ws + 8);
    let mut col = 0usize;
    let mut focus_start = None;
    let mut focus_end = None;
    if ws > ls {
        view.push('…');
        col += 1;
    }
    let prefix_cols = col;

    // Split the window around the secret, if it shows here.
    let secret_range = secret.filter(|_| shown.same_file).and_then(|s| {
        let s0 = (s.span.start as usize).clamp(ws, we);
        let s1 = (s.span.end as usize).clamp(ws, we);
        (s0 < s1).then(|| {
            let shown = if s.span.start as usize >= ws { s.redacted.as_str() } else { CONTINUATION };
            (s0, s1, shown)
        })
    });
    let mut pieces: [(usize, usize, Option<&str>); 3] = [(ws, we, None), (we, we, None), (we, we, None)];
    if let Some((s0, s1, shown)) = secret_range {
        pieces = [(ws, s0, None), (s0, s1, Some(shown)), (s1, we, None)];
    }

    for (p0, p1, replacement) in pieces {
        if p0 >= p1 {
            continue;
        }
        match replacement {
            Some(shown) => {
                if p0 == f0 && focus_start.is_none() {
                    focus_start = Some(col);
                }
                if p0 == f1 && focus_end.is_none() {
                    focus_end = Some(col);
                }
                let before = col;
                for c in shown.chars() {
                    view.push(c);
                    col += 1;
                }
                if focus_start.is_none() && (p0..p1).contains(&f0) {
                    focus_start = Some(before);
                }
                if focus_end.is_none() && f1 > p0 && f1 <= p1 {
                    focus_end = Some(col);
                }
            }
            None => {
                for (i, c) in text[p0..p1].char_indices() {
                    let at = p0 + i;
                    if at == f0 && focus_start.is_none() {
                        focus_start = Some(col);
                    }
                    if at == f1 && focus_end.is_none() {
                        focus_end = Some(col);
                    }
                    if c == '\t' {
                        let next = (col / TAB_WIDTH + 1) * TAB_WIDTH;
                        view.extend(std::iter::repeat_n(' ', next - col));
                        col = next;
                    } else {
                        view.push(visible(c));
                        col += 1;
                    }
                }
            }
        }
    }
    let end_cols = col;
    if we < le {
        view.push('…');
    }
    // The same secret elsewhere on a shown line (say, echoed by a related `ARG`) is hidden too;
    // secrecy wins over caret alignment there.
    if let (None, Some(secret)) = (secret_range, secret)
        && let Cow::Owned(scrubbed) = secret.scrub(&view)
    {
        view = scrubbed;
    }
    let focus_start = focus_start.unwrap_or(if f0 <= ws { prefix_cols } else { end_cols });
    let focus_end = focus_end.unwrap_or(if f1 >= we { end_cols } else { prefix_cols }).max(focus_start);
    LineView { text: view, focus_start, focus_end }
}

/// A character safe to write to a terminal: controls become their Unicode control pictures,
/// C1 controls and bidirectional overrides become U+FFFD.
fn visible(c: char) -> char {
    match c {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            '\u{fffd}'
        }
        c => c,
    }
}

/// `s` with every character a terminal would act on made visible; newlines and tabs are kept.
fn sanitize(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c != '\n' && c != '\t' && visible(c) != c;
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if unsafe_char(c) { visible(c) } else { c }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(line: &str, focus: (usize, usize), width: usize) -> LineView {
        let shown = Shown { secret: None, same_file: true, max_frame_lines: 6, max_width: width };
        view_line(line, 0, line.len(), focus, &shown)
    }

    #[test]
    fn tabs_expand_and_carets_follow() {
        let v = view("\tRUN\tx", (5, 6), 100);
        assert_eq!(v.text, "    RUN x");
        assert_eq!((v.focus_start, v.focus_end), (8, 9));
    }

    #[test]
    fn columns_count_characters() {
        let v = view("LABEL é=ü x", (12, 13), 100);
        assert_eq!(v.text, "LABEL é=ü x");
        assert_eq!((v.focus_start, v.focus_end), (10, 11));
    }

    #[test]
    fn long_lines_are_windowed_around_the_focus() {
        let line = format!("{}SECRET{}", "a".repeat(10_000), "b".repeat(10_000));
        let v = view(&line, (10_000, 10_006), 60);
        assert!(v.text.starts_with('…') && v.text.ends_with('…'), "{}", v.text);
        assert!(v.text.chars().count() <= 62);
        assert_eq!(&v.text.chars().skip(v.focus_start).take(6).collect::<String>(), "SECRET");
        assert_eq!(v.focus_end - v.focus_start, 6);
    }

    #[test]
    fn windows_near_the_end_use_the_whole_width() {
        let line = format!("{}END", "a".repeat(1000));
        let v = view(&line, (1000, 1003), 60);
        assert!(v.text.starts_with('…') && v.text.ends_with("aEND"), "{}", v.text);
        assert_eq!(v.text.chars().count(), 61);
        assert_eq!((v.focus_start, v.focus_end), (58, 61));
    }

    #[test]
    fn control_characters_are_made_visible() {
        let v = view("RUN echo \u{1b}[31mred\u{202e}", (0, 3), 100);
        assert_eq!(v.text, "RUN echo \u{241b}[31mred\u{fffd}");
        assert_eq!(sanitize("a\u{1b}b\nc"), "a\u{241b}b\nc");
    }

    #[test]
    fn empty_span_gets_one_caret_position() {
        let v = view("FROM", (4, 4), 100);
        assert_eq!((v.focus_start, v.focus_end), (4, 4));
    }
}
