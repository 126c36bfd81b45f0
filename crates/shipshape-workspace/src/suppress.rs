//! Inline suppressions: pragmas in comments, independent of the file's language.
//!
//! Recognised forms (the leading `#` and surrounding whitespace are optional):
//!
//! | comment                                        | suppresses                       |
//! |------------------------------------------------|----------------------------------|
//! | `# shipshape: ignore=PRV001,IMG002 -- reason`  | the next statement               |
//! | `# shipshape: ignore-stage=PRV001 -- reason`   | the rest of the Dockerfile stage |
//! | `# shipshape: ignore-file=PRV001 -- reason`    | the whole file                   |
//! | `# hadolint ignore=DL3006,DL3008`              | the next instruction             |
//! | `# hadolint global ignore=DL3006`              | the whole file                   |
//! | `# checkov:skip=CKV_DOCKER_2:reason`           | the whole file (as Checkov does) |
//!
//! Codes may be shipshape codes, rule names or aliases of other tools. The reason (after ` -- `,
//! or after `:` for Checkov) is optional and kept.
//!
//! Front ends call [`parse_pragma`] on each comment, decide what it applies to (the next
//! instruction, the stage, the file) and hand a [`ScopedPragma`] to the sink; a malformed pragma
//! becomes a `CONFIG_ERROR` finding through [`PragmaError::to_finding`]. The sink then
//!
//! - reports a code in a shipshape pragma that names no rule as `CONFIG_ERROR` at the code; a
//!   hadolint or Checkov id shipshape does not implement is skipped silently, because the same
//!   comment also serves that tool;
//! - suppresses a finding whose primary location starts inside `applies_to` (anywhere in the file
//!   for file-wide pragmas) and whose rule the pragma names;
//! - reports a code that suppressed nothing as `UNUSED_SUPPRESSION`: at the whole comment when
//!   none of its codes was used, else at each unused code. Codes whose rules are all disabled by
//!   the configuration are not reported, since another configuration may enable them.
//!
//! `config-error` and `expired-ignore` cannot be suppressed inline (naming them is a
//! `CONFIG_ERROR`), and `unused-suppression` findings are not themselves subject to pragmas.

use crate::distance::did_you_mean;
use crate::selection::{RuleSelection, resolve_rules, suggest_rule};
use shipshape_model::general::{CONFIG_ERROR, UNUSED_SUPPRESSION};
use shipshape_model::{Finding, Origin, RuleMeta, Span};
use std::fmt;

/// The tool whose syntax a pragma uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PragmaTool {
    /// `# shipshape: ...`
    Shipshape,
    /// `# hadolint ...`
    Hadolint,
    /// `# checkov:skip=...`
    Checkov,
}

impl fmt::Display for PragmaTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PragmaTool::Shipshape => "shipshape",
            PragmaTool::Hadolint => "hadolint",
            PragmaTool::Checkov => "checkov",
        })
    }
}

/// What a pragma covers; the front end turns this into a byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PragmaScope {
    /// The next statement (Dockerfile instruction, YAML node, ...).
    NextStatement,
    /// The rest of the enclosing Dockerfile stage.
    Stage,
    /// The whole file.
    File,
}

impl PragmaScope {
    fn describe(self) -> &'static str {
        match self {
            PragmaScope::NextStatement => "on the next statement",
            PragmaScope::Stage => "in this stage",
            PragmaScope::File => "in this file",
        }
    }
}

/// One code named by a pragma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PragmaCode {
    /// The code as written, e.g. `DL3008`.
    pub code: String,
    /// Its byte span within the comment text given to [`parse_pragma`].
    pub span: Span,
}

/// A parsed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pragma {
    /// Whose syntax it uses.
    pub tool: PragmaTool,
    /// What it covers.
    pub scope: PragmaScope,
    /// The codes it names, at least one.
    pub codes: Vec<PragmaCode>,
    /// The reason, if one was given.
    pub reason: Option<String>,
}

/// A comment that starts like a pragma but is malformed. Spans are relative to the comment text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PragmaError {
    /// `# shipshape ignore=...` without the colon.
    #[error("expected `:` after `{tool}`")]
    MissingColon {
        /// The tool word.
        tool: PragmaTool,
        /// Where the colon belongs.
        span: Span,
    },
    /// `# shipshape:` with nothing after it.
    #[error("expected {expected} after `{tool}:`")]
    MissingDirective {
        /// The tool word.
        tool: PragmaTool,
        /// The directives this tool knows.
        expected: &'static str,
        /// Where the directive belongs.
        span: Span,
    },
    /// `# shipshape: disable=...`
    #[error("unknown {tool} directive `{found}`{suggestion}")]
    UnknownDirective {
        /// The tool whose syntax it uses.
        tool: PragmaTool,
        /// The directive as written.
        found: String,
        /// `"; did you mean `ignore`?"` or empty.
        suggestion: String,
        /// The directive.
        span: Span,
    },
    /// `ignore` without `=CODE`.
    #[error("expected `=` followed by rule codes after `{directive}`")]
    MissingCodes {
        /// The directive.
        directive: String,
        /// Where the codes belong.
        span: Span,
    },
    /// `ignore=PRV001,` or `ignore=,PRV001`
    #[error("expected a rule code")]
    EmptyCode {
        /// Where a code belongs.
        span: Span,
    },
    /// `ignore=PRV001 because` (reason not separated).
    #[error("unexpected `{text}` after the rule codes; {hint}")]
    TrailingText {
        /// The text.
        text: String,
        /// How to write a reason in this syntax.
        hint: &'static str,
        /// The text.
        span: Span,
    },
}

impl PragmaError {
    /// Where in the comment text the problem is.
    pub fn span(&self) -> Span {
        match self {
            PragmaError::MissingColon { span, .. }
            | PragmaError::MissingDirective { span, .. }
            | PragmaError::UnknownDirective { span, .. }
            | PragmaError::MissingCodes { span, .. }
            | PragmaError::EmptyCode { span }
            | PragmaError::TrailingText { span, .. } => *span,
        }
    }

    /// A `CONFIG_ERROR` finding at the problem, given where the comment is in its file (the
    /// comment's span must cover exactly the text given to [`parse_pragma`]).
    pub fn to_finding(&self, comment: &Origin) -> Finding {
        let origin = Origin::new(comment.path.clone(), within(comment.span, self.span()));
        Finding::new(&CONFIG_ERROR, &origin, format!("invalid suppression comment: {self}"))
    }
}

/// `relative` (a span within the text of `outer`) as a span of the file; `outer` itself when
/// `relative` does not fit.
fn within(outer: Span, relative: Span) -> Span {
    if relative.end <= outer.len() && relative.start <= relative.end {
        Span::new(outer.start + relative.start, outer.start + relative.end)
    } else {
        outer
    }
}

/// A cursor over the comment text that keeps byte offsets.
struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.rest().starts_with(c);
        if found {
            self.pos += c.len_utf8();
        }
        found
    }

    /// Consumes `word` (ASCII, case-insensitive) if the text continues with it.
    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.rest().get(..word.len()).is_some_and(|w| w.eq_ignore_ascii_case(word));
        if found {
            self.pos += word.len();
        }
        found
    }

    /// Consumes the longest run of chars satisfying `accept`, stopping before `--`.
    fn take(&mut self, accept: impl Fn(char) -> bool) -> (&'t str, Span) {
        let start = self.pos;
        let rest = self.rest();
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            if !accept(c) || rest[i..].starts_with("--") {
                break;
            }
            end = i + c.len_utf8();
        }
        self.pos += end;
        (&rest[..end], Span::from_range(start..self.pos))
    }

    fn here(&self) -> Span {
        Span::from_range(self.pos..self.pos)
    }
}

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn is_checkov_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Recognises a suppression pragma in the text of one comment.
///
/// Returns `None` when the comment is not a pragma (including pragmas of other tools that
/// suppress nothing, such as `# hadolint shell=bash`), `Some(Err)` when it starts like one but is
/// malformed. Spans in the result are relative to `comment_text`.
pub fn parse_pragma(comment_text: &str) -> Option<Result<Pragma, PragmaError>> {
    let mut cursor = Cursor { text: comment_text, pos: 0 };
    cursor.skip_whitespace();
    cursor.eat('#');
    cursor.skip_whitespace();
    if cursor.eat_word("shipshape") {
        let word_end = cursor.here();
        cursor.skip_whitespace();
        if cursor.eat(':') {
            return Some(shipshape(&mut cursor));
        }
        // `# shipshape ignore=...`: clearly meant as a pragma. Anything else is prose.
        let looks_like_directive = cursor.rest().get(..6).is_some_and(|w| w.eq_ignore_ascii_case("ignore"));
        return looks_like_directive
            .then_some(Err(PragmaError::MissingColon { tool: PragmaTool::Shipshape, span: word_end }));
    }
    if cursor.eat_word("hadolint") {
        if !cursor.rest().starts_with(char::is_whitespace) {
            return None;
        }
        cursor.skip_whitespace();
        return hadolint(&mut cursor);
    }
    if cursor.eat_word("checkov") {
        cursor.skip_whitespace();
        if !cursor.eat(':') {
            return None;
        }
        return Some(checkov(&mut cursor));
    }
    None
}

fn shipshape(cursor: &mut Cursor<'_>) -> Result<Pragma, PragmaError> {
    const DIRECTIVES: [&str; 3] = ["ignore", "ignore-stage", "ignore-file"];
    cursor.skip_whitespace();
    let (directive, span) = cursor.take(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let scope = match directive.to_ascii_lowercase().as_str() {
        "ignore" => PragmaScope::NextStatement,
        "ignore-stage" => PragmaScope::Stage,
        "ignore-file" => PragmaScope::File,
        "" => {
            return Err(PragmaError::MissingDirective {
                tool: PragmaTool::Shipshape,
                expected: "`ignore`, `ignore-stage` or `ignore-file`",
                span,
            });
        }
        _ => {
            return Err(PragmaError::UnknownDirective {
                tool: PragmaTool::Shipshape,
                found: directive.to_owned(),
                suggestion: did_you_mean(directive, DIRECTIVES),
                span,
            });
        }
    };
    let codes = codes_after_equals(cursor, directive, is_code_char)?;
    let reason = reason_after_dashes(cursor)?;
    Ok(Pragma { tool: PragmaTool::Shipshape, scope, codes, reason })
}

fn hadolint(cursor: &mut Cursor<'_>) -> Option<Result<Pragma, PragmaError>> {
    let scope = if cursor.eat_word("global") {
        cursor.skip_whitespace();
        PragmaScope::File
    } else {
        PragmaScope::NextStatement
    };
    let (directive, span) = cursor.take(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !directive.eq_ignore_ascii_case("ignore") {
        // `# hadolint shell=bash` and other pragmas that suppress nothing. After `global`, only
        // `ignore` exists.
        return (scope == PragmaScope::File).then(|| {
            Err(PragmaError::UnknownDirective {
                tool: PragmaTool::Hadolint,
                found: directive.to_owned(),
                suggestion: did_you_mean(directive, ["ignore"]),
                span,
            })
        });
    }
    let parsed = codes_after_equals(cursor, "ignore", is_code_char)
        .and_then(|codes| Ok((codes, reason_after_dashes(cursor)?)));
    Some(parsed.map(|(codes, reason)| Pragma { tool: PragmaTool::Hadolint, scope, codes, reason }))
}

fn checkov(cursor: &mut Cursor<'_>) -> Result<Pragma, PragmaError> {
    cursor.skip_whitespace();
    let (directive, span) = cursor.take(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !directive.eq_ignore_ascii_case("skip") {
        return Err(PragmaError::UnknownDirective {
            tool: PragmaTool::Checkov,
            found: directive.to_owned(),
            suggestion: did_you_mean(directive, ["skip"]),
            span,
        });
    }
    let codes = codes_after_equals(cursor, "skip", is_checkov_code_char)?;
    cursor.skip_whitespace();
    let reason = if cursor.eat(':') {
        Some(cursor.rest().trim().to_owned()).filter(|r| !r.is_empty())
    } else if cursor.rest().trim().is_empty() {
        None
    } else {
        let text = cursor.rest().trim_end();
        return Err(PragmaError::TrailingText {
            text: text.to_owned(),
            hint: "write the reason after a colon: `checkov:skip=CKV_DOCKER_2:reason`",
            span: Span::from_range(cursor.pos..cursor.pos + text.len()),
        });
    };
    Ok(Pragma { tool: PragmaTool::Checkov, scope: PragmaScope::File, codes, reason })
}

/// `= CODE[, CODE]...`
fn codes_after_equals(
    cursor: &mut Cursor<'_>,
    directive: &str,
    accept: fn(char) -> bool,
) -> Result<Vec<PragmaCode>, PragmaError> {
    cursor.skip_whitespace();
    if !cursor.eat('=') {
        return Err(PragmaError::MissingCodes { directive: directive.to_owned(), span: cursor.here() });
    }
    let mut codes = Vec::new();
    loop {
        cursor.skip_whitespace();
        let (code, span) = cursor.take(accept);
        if code.is_empty() {
            return Err(PragmaError::EmptyCode { span });
        }
        codes.push(PragmaCode { code: code.to_owned(), span });
        let before_whitespace = cursor.pos;
        cursor.skip_whitespace();
        if !cursor.eat(',') {
            cursor.pos = before_whitespace;
            return Ok(codes);
        }
    }
}

/// Nothing, or ` -- reason`.
fn reason_after_dashes(cursor: &mut Cursor<'_>) -> Result<Option<String>, PragmaError> {
    cursor.skip_whitespace();
    if cursor.rest().is_empty() {
        return Ok(None);
    }
    if let Some(reason) = cursor.rest().strip_prefix("--") {
        return Ok(Some(reason.trim().to_owned()).filter(|r| !r.is_empty()));
    }
    let text = cursor.rest().trim_end();
    Err(PragmaError::TrailingText {
        text: text.to_owned(),
        hint: "separate codes with `,` and write a reason after ` -- `",
        span: Span::from_range(cursor.pos..cursor.pos + text.len()),
    })
}

/// A pragma placed in its file: what the front end hands to the sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedPragma {
    /// The parsed pragma.
    pub pragma: Pragma,
    /// The comment; its span covers exactly the text given to [`parse_pragma`].
    pub comment: Origin,
    /// The bytes it covers: the next statement, the stage, or the whole file.
    pub applies_to: Span,
}

/// One code of one pragma, resolved.
#[derive(Debug)]
struct ActiveCode {
    text: String,
    span: Span,
    rules: Vec<&'static RuleMeta>,
    used: bool,
}

#[derive(Debug)]
struct ActivePragma<'p> {
    scoped: &'p ScopedPragma,
    codes: Vec<ActiveCode>,
}

/// The pragmas of one file, resolved against the rule list, tracking which codes were used.
#[derive(Debug)]
pub(crate) struct InlineSuppressions<'p> {
    pragmas: Vec<ActivePragma<'p>>,
}

impl<'p> InlineSuppressions<'p> {
    /// Resolves every code; returns the `CONFIG_ERROR` findings for codes that cannot be used.
    pub(crate) fn new(pragmas: &'p [ScopedPragma], rules: &[&'static RuleMeta]) -> (Self, Vec<Finding>) {
        let mut errors = Vec::new();
        let mut active = Vec::with_capacity(pragmas.len());
        for scoped in pragmas {
            let mut codes = Vec::new();
            for code in &scoped.pragma.codes {
                let span = within(scoped.comment.span, code.span);
                let origin = Origin::new(scoped.comment.path.clone(), span);
                let resolved = resolve_rules(&code.code, rules);
                if let Some(rule) = resolved.iter().find(|r| crate::is_unsuppressible(r)) {
                    let message = format!(
                        "`{}` ({}) cannot be suppressed: fix what it reports instead",
                        code.code, rule.name
                    );
                    errors.push(Finding::new(&CONFIG_ERROR, &origin, message));
                } else if !resolved.is_empty() {
                    codes.push(ActiveCode { text: code.code.clone(), span, rules: resolved, used: false });
                } else if scoped.pragma.tool == PragmaTool::Shipshape {
                    let suggestion = suggest_rule(&code.code, rules, false);
                    let message = format!("unknown rule `{}` in suppression comment{suggestion}", code.code);
                    errors.push(Finding::new(&CONFIG_ERROR, &origin, message));
                }
            }
            active.push(ActivePragma { scoped, codes });
        }
        (Self { pragmas: active }, errors)
    }

    /// Whether a pragma covers `finding`; marks every covering code as used.
    pub(crate) fn suppress(&mut self, finding: &Finding) -> bool {
        let location = &finding.location;
        let mut suppressed = false;
        for pragma in &mut self.pragmas {
            let scoped = pragma.scoped;
            let in_scope = scoped.comment.path == location.path
                && (scoped.pragma.scope == PragmaScope::File
                    || scoped.applies_to.contains(location.span.start));
            if !in_scope {
                continue;
            }
            for code in &mut pragma.codes {
                if code.rules.contains(&finding.rule) {
                    code.used = true;
                    suppressed = true;
                }
            }
        }
        suppressed
    }

    /// `UNUSED_SUPPRESSION` findings for codes that suppressed nothing (unlocated).
    pub(crate) fn unused(&self, selection: &RuleSelection) -> Vec<Finding> {
        let mut findings = Vec::new();
        for pragma in &self.pragmas {
            let scoped = pragma.scoped;
            let reportable: Vec<&ActiveCode> = pragma
                .codes
                .iter()
                .filter(|c| !c.used && c.rules.iter().any(|r| selection.is_enabled(r)))
                .collect();
            if reportable.is_empty() {
                continue;
            }
            let scope = scoped.pragma.scope.describe();
            let help = match scoped.pragma.tool {
                PragmaTool::Shipshape => "delete the suppression, or the unused codes".to_owned(),
                tool => format!("delete it, unless {tool} still needs it"),
            };
            if pragma.codes.iter().all(|c| !c.used) {
                let names = reportable.iter().map(|c| describe(c)).collect::<Vec<_>>().join(", ");
                let message = format!("unused suppression: no {names} finding {scope}");
                findings.push(Finding::new(&UNUSED_SUPPRESSION, &scoped.comment, message).with_help(help));
            } else {
                for code in reportable {
                    let origin = Origin::new(scoped.comment.path.clone(), code.span);
                    let message = format!("unused suppression: no {} finding {scope}", describe(code));
                    findings
                        .push(Finding::new(&UNUSED_SUPPRESSION, &origin, message).with_help(help.clone()));
                }
            }
        }
        findings
    }
}

/// `` `PRV001` `` for a shipshape code, `` `DL3002` (PRV001) `` for an alias or name.
fn describe(code: &ActiveCode) -> String {
    let codes: Vec<&str> = code.rules.iter().map(|r| r.code).collect();
    if codes.len() == 1 && codes[0].eq_ignore_ascii_case(&code.text) {
        format!("`{}`", codes[0])
    } else {
        format!("`{}` ({})", code.text, codes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::Selector;
    use crate::selection::tests::{LATEST_TAG, NO_HEALTHCHECK, ROOT_USER, UNPINNED_APT, rules};
    use shipshape_model::general::PARSE_ERROR;

    fn ok(text: &str) -> Pragma {
        match parse_pragma(text) {
            Some(Ok(pragma)) => pragma,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    fn err(text: &str) -> PragmaError {
        match parse_pragma(text) {
            Some(Err(error)) => error,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    fn codes(pragma: &Pragma) -> Vec<&str> {
        pragma.codes.iter().map(|c| c.code.as_str()).collect()
    }

    #[test]
    fn shipshape_forms() {
        let text = "# shipshape: ignore=PRV001, IMG004 -- runs as app via the entrypoint";
        let pragma = ok(text);
        assert_eq!((pragma.tool, pragma.scope), (PragmaTool::Shipshape, PragmaScope::NextStatement));
        assert_eq!(codes(&pragma), ["PRV001", "IMG004"]);
        assert_eq!(pragma.reason.as_deref(), Some("runs as app via the entrypoint"));
        assert_eq!(pragma.codes[1].span.slice(text), "IMG004");

        let pragma = ok("#shipshape:ignore-stage=root-user");
        assert_eq!(
            (pragma.scope, codes(&pragma), pragma.reason.as_deref()),
            (PragmaScope::Stage, vec!["root-user"], None)
        );
        let pragma = ok("  # shipshape : ignore-file = DL3008 --");
        assert_eq!(
            (pragma.scope, codes(&pragma), pragma.reason.as_deref()),
            (PragmaScope::File, vec!["DL3008"], None)
        );
        assert_eq!(codes(&ok("# shipshape: ignore=PRV001--why")), ["PRV001"]);
        assert_eq!(ok("# shipshape: ignore=PRV001--why").reason.as_deref(), Some("why"));
    }

    #[test]
    fn hadolint_forms() {
        let pragma = ok("# hadolint ignore=DL3006,DL3008");
        assert_eq!((pragma.tool, pragma.scope), (PragmaTool::Hadolint, PragmaScope::NextStatement));
        assert_eq!(codes(&pragma), ["DL3006", "DL3008"]);
        let pragma = ok("# hadolint global ignore=DL3006");
        assert_eq!((pragma.scope, codes(&pragma)), (PragmaScope::File, vec!["DL3006"]));
        assert_eq!(parse_pragma("# hadolint shell=powershell"), None);
        assert_eq!(parse_pragma("# hadolintignore=DL3006"), None);
    }

    #[test]
    fn checkov_forms() {
        let text = "#checkov:skip=CKV_DOCKER_2:no healthcheck: it is a batch job";
        let pragma = ok(text);
        assert_eq!((pragma.tool, pragma.scope), (PragmaTool::Checkov, PragmaScope::File));
        assert_eq!(codes(&pragma), ["CKV_DOCKER_2"]);
        assert_eq!(pragma.reason.as_deref(), Some("no healthcheck: it is a batch job"));
        assert_eq!(pragma.codes[0].span.slice(text), "CKV_DOCKER_2");
        let pragma = ok("# checkov:skip=CKV_DOCKER_2,CKV_DOCKER_3");
        assert_eq!((codes(&pragma), pragma.reason.as_deref()), (vec!["CKV_DOCKER_2", "CKV_DOCKER_3"], None));
    }

    #[test]
    fn ordinary_comments_are_not_pragmas() {
        for text in
            ["# install curl", "# shipshape is great", "# see hadolint docs", "#", "", "# checkov rocks"]
        {
            assert_eq!(parse_pragma(text), None, "{text}");
        }
    }

    #[test]
    fn malformed_pragmas_say_what_is_wrong_and_where() {
        let text = "# shipshape: ingore=PRV001";
        let error = err(text);
        assert_eq!(error.to_string(), "unknown shipshape directive `ingore`; did you mean `ignore`?");
        assert_eq!(error.span().slice(text), "ingore");

        assert_eq!(
            err("# shipshape:").to_string(),
            "expected `ignore`, `ignore-stage` or `ignore-file` after `shipshape:`"
        );

        let error = err("# shipshape ignore=PRV001");
        assert_eq!(error.to_string(), "expected `:` after `shipshape`");
        assert_eq!(error.span(), Span::new(11, 11));

        assert_eq!(
            err("# shipshape: ignore PRV001").to_string(),
            "expected `=` followed by rule codes after `ignore`"
        );
        assert_eq!(err("# shipshape: ignore=").to_string(), "expected a rule code");
        assert_eq!(err("# shipshape: ignore=PRV001,").to_string(), "expected a rule code");
        assert_eq!(err("# hadolint ignore=").to_string(), "expected a rule code");
        assert_eq!(err("# hadolint global shell=sh").to_string(), "unknown hadolint directive `shell`");

        let text = "# shipshape: ignore=PRV001 IMG004";
        let error = err(text);
        assert_eq!(
            error.to_string(),
            "unexpected `IMG004` after the rule codes; separate codes with `,` and write a reason after ` -- `"
        );
        assert_eq!(error.span().slice(text), "IMG004");

        let error = err("# checkov:skipp=CKV_DOCKER_2");
        assert_eq!(error.to_string(), "unknown checkov directive `skipp`; did you mean `skip`?");
        assert!(err("# checkov:skip=CKV_DOCKER_2 no healthcheck").to_string().contains("after a colon"));
    }

    #[test]
    fn errors_become_findings_at_the_problem() {
        let text = "# shipshape: ingore=PRV001";
        let comment = Origin::new("Dockerfile".into(), Span::new(100, 100 + 26));
        let finding = err(text).to_finding(&comment);
        assert_eq!(finding.rule.code, "GEN007");
        assert_eq!(finding.location.span, Span::new(113, 119));
        assert!(finding.message.starts_with("invalid suppression comment: unknown shipshape directive"));
        // A comment origin that does not cover the text: the whole comment.
        let short = Origin::new("Dockerfile".into(), Span::new(100, 104));
        assert_eq!(err(text).to_finding(&short).location.span, short.span);
    }

    /// A Dockerfile with a pragma at `comment`, applying to `applies_to`.
    fn scoped(text: &str, comment: &str, applies_to: Span) -> ScopedPragma {
        let start = text.find(comment).unwrap();
        ScopedPragma {
            pragma: ok(comment),
            comment: Origin::new("Dockerfile".into(), Span::from_range(start..start + comment.len())),
            applies_to,
        }
    }

    fn finding_at(rule: &'static RuleMeta, offset: u32) -> Finding {
        Finding::new(rule, &Origin::new("Dockerfile".into(), Span::new(offset, offset + 4)), "m")
    }

    #[test]
    fn next_statement_scope_and_unused_codes() {
        let text = "FROM a\n# hadolint ignore=DL3002,DL3008\nUSER root\nUSER root\n";
        let user = u32::try_from(text.find("USER").unwrap()).unwrap();
        let pragmas = [scoped(text, "# hadolint ignore=DL3002,DL3008", Span::new(user, user + 9))];
        let (mut inline, errors) = InlineSuppressions::new(&pragmas, &rules());
        assert!(errors.is_empty());
        assert!(inline.suppress(&finding_at(&ROOT_USER, user)));
        assert!(!inline.suppress(&finding_at(&ROOT_USER, user + 10)), "only the next instruction");
        assert!(!inline.suppress(&finding_at(&LATEST_TAG, user)), "only the named rules");
        let mut other_file = finding_at(&ROOT_USER, user);
        other_file.location.path = "other/Dockerfile".into();
        assert!(!inline.suppress(&other_file));

        let unused = inline.unused(&RuleSelection::all());
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].rule.code, "GEN005");
        assert_eq!(unused[0].location.span.slice(text), "DL3008");
        assert_eq!(
            unused[0].message,
            "unused suppression: no `DL3008` (IMG004) finding on the next statement"
        );
        assert_eq!(unused[0].help.as_deref(), Some("delete it, unless hadolint still needs it"));
    }

    #[test]
    fn wholly_unused_pragma_is_reported_at_the_comment() {
        let text = "FROM a\n# shipshape: ignore=PRV001 -- runs as app already\nUSER app\n";
        let pragmas = [scoped(text, "# shipshape: ignore=PRV001 -- runs as app already", Span::new(58, 66))];
        let (inline, _) = InlineSuppressions::new(&pragmas, &rules());
        let unused = inline.unused(&RuleSelection::all());
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].location.span.slice(text), "# shipshape: ignore=PRV001 -- runs as app already");
        assert_eq!(unused[0].message, "unused suppression: no `PRV001` finding on the next statement");
        // Disabled rules are not reported: another configuration may enable them.
        let selection = RuleSelection::new(None, vec![Selector::parse("PRV", &rules()).unwrap()]);
        assert!(inline.unused(&selection).is_empty());
    }

    #[test]
    fn stage_and_file_scopes() {
        let text = "FROM a AS build\n# shipshape: ignore-stage=IMG004\nRUN x\nFROM b\nRUN y\n# checkov:skip=CKV_DOCKER_2:batch job\n";
        let second_from = u32::try_from(text.find("FROM b").unwrap()).unwrap();
        let pragmas = [
            scoped(text, "# shipshape: ignore-stage=IMG004", Span::new(0, second_from)),
            // The front end gives the whole file; the sink matches anywhere in the file anyway.
            scoped(text, "# checkov:skip=CKV_DOCKER_2:batch job", Span::new(0, 0)),
        ];
        let (mut inline, _) = InlineSuppressions::new(&pragmas, &rules());
        let run_x = u32::try_from(text.find("RUN x").unwrap()).unwrap();
        assert!(inline.suppress(&finding_at(&UNPINNED_APT, run_x)));
        assert!(!inline.suppress(&finding_at(&UNPINNED_APT, second_from + 7)));
        assert!(inline.suppress(&finding_at(&NO_HEALTHCHECK, 0)));
        assert!(inline.suppress(&finding_at(&NO_HEALTHCHECK, u32::try_from(text.len()).unwrap())));
        assert!(inline.unused(&RuleSelection::all()).is_empty());
    }

    #[test]
    fn unknown_codes_are_errors_only_in_shipshape_pragmas() {
        let text = "# shipshape: ignore=PRV01,PRV001\n# hadolint ignore=DL3059\n# checkov:skip=CKV_DOCKER_99\n# shipshape: ignore-file=GEN007\n";
        let pragmas = [
            scoped(text, "# shipshape: ignore=PRV01,PRV001", Span::new(0, 0)),
            scoped(text, "# hadolint ignore=DL3059", Span::new(0, 0)),
            scoped(text, "# checkov:skip=CKV_DOCKER_99", Span::new(0, 0)),
            scoped(text, "# shipshape: ignore-file=GEN007", Span::new(0, 0)),
        ];
        let (inline, errors) = InlineSuppressions::new(&pragmas, &rules());
        let errors: Vec<(&str, &str)> =
            errors.iter().map(|f| (f.location.span.slice(text), f.message.as_str())).collect();
        assert_eq!(
            errors,
            [
                ("PRV01", "unknown rule `PRV01` in suppression comment; did you mean `PRV001`?"),
                ("GEN007", "`GEN007` (config-error) cannot be suppressed: fix what it reports instead"),
            ]
        );
        // Only the valid PRV001 code remains to be reported unused.
        let unused = inline.unused(&RuleSelection::all());
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].message, "unused suppression: no `PRV001` finding on the next statement");
    }

    #[test]
    fn gen_findings_other_than_config_ones_can_be_suppressed() {
        let text = "# shipshape: ignore-file=parse-error -- generated file\n";
        let pragmas =
            [scoped(text, "# shipshape: ignore-file=parse-error -- generated file", Span::new(0, 0))];
        let (mut inline, errors) = InlineSuppressions::new(&pragmas, &rules());
        assert!(errors.is_empty());
        assert!(inline.suppress(&finding_at(&PARSE_ERROR, 3)));
    }
}
