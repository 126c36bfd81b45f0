//! The Dockerfile front end.

use shipshape_dockerfile::{Diagnostic, DiagnosticKind, Dockerfile, Keyword};
use shipshape_model::general::{PARSE_ERROR, UNKNOWN_FLAG, UNKNOWN_INSTRUCTION};
use shipshape_model::{Finding, Origin, Severity, SourceFile, Span};
use shipshape_rules::Checker;
use shipshape_rules::checkers::check_dockerfile;
use shipshape_workspace::{PragmaScope, ScopedPragma, parse_pragma};

use super::{Frontend, FrontendContext, FrontendOutput};
use crate::discover::is_dockerfile_name;

/// Dockerfiles and Containerfiles.
pub struct DockerfileFrontend;

impl Frontend for DockerfileFrontend {
    fn kind(&self) -> &'static str {
        "dockerfile"
    }

    fn claims(&self, file_name: &str) -> bool {
        is_dockerfile_name(file_name)
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let dockerfile = shipshape_dockerfile::parse(&source.text);
        let lowered = shipshape_dockerfile::lower_with_diagnostics(
            &dockerfile,
            source.path.clone(),
            context.build_args,
        );
        let mut output = FrontendOutput::default();
        for diagnostic in dockerfile.diagnostics.iter().chain(&lowered.diagnostics) {
            if diagnostic.severity == shipshape_dockerfile::Severity::Error {
                output.parse_errors += 1;
            }
            // Rules of their own report these (instruction order, ONBUILD triggers, empty
            // continuation lines), under hadolint's and BuildKit's names.
            if shipshape_rules::checkers::reported_by_rule(diagnostic.kind) {
                continue;
            }
            output.findings.push(diagnostic_finding(diagnostic, source));
        }
        let mut checker = Checker::new(context.settings, context.is_enabled);
        check_dockerfile(&dockerfile, &lowered.spec, &mut checker);
        output.findings.extend(checker.into_findings());
        let (pragmas, pragma_errors) = pragmas(&dockerfile, source);
        output.pragmas = pragmas;
        output.findings.extend(pragma_errors);
        output
    }
}

fn diagnostic_finding(diagnostic: &Diagnostic, source: &SourceFile) -> Finding {
    let rule = match diagnostic.kind {
        DiagnosticKind::UnknownInstruction => &UNKNOWN_INSTRUCTION,
        DiagnosticKind::UnknownFlag | DiagnosticKind::InvalidFlag => &UNKNOWN_FLAG,
        _ => &PARSE_ERROR,
    };
    let origin = Origin::new(source.path.clone(), diagnostic.span);
    let mut finding = Finding::new(rule, &origin, diagnostic.message.clone());
    if diagnostic.severity == shipshape_dockerfile::Severity::Warning {
        finding.severity = Severity::Low;
    }
    finding
}

/// Every comment that is a suppression pragma, scoped to the instruction, stage or file it covers;
/// malformed pragmas become `config-error` findings at the comment.
fn pragmas(dockerfile: &Dockerfile, source: &SourceFile) -> (Vec<ScopedPragma>, Vec<Finding>) {
    let mut scoped = Vec::new();
    let mut errors = Vec::new();
    let file_span = Span::from_range(0..source.text.len());
    let stage_starts: Vec<u32> =
        dockerfile.instructions.iter().filter(|i| i.keyword == Keyword::From).map(|i| i.span.start).collect();
    for comment in &dockerfile.comments {
        let Some(parsed) = parse_pragma(&comment.text) else { continue };
        let origin = Origin::new(source.path.clone(), comment.span);
        let pragma = match parsed {
            Ok(pragma) => pragma,
            Err(error) => {
                errors.push(error.to_finding(&origin));
                continue;
            }
        };
        // A comment inside a continuation belongs to the instruction around it; otherwise the
        // pragma covers the instruction that follows.
        let next = dockerfile.instructions.iter().find(|i| i.span.end > comment.span.start);
        let applies_to = match pragma.scope {
            PragmaScope::File => file_span,
            PragmaScope::NextStatement => match next {
                Some(instruction) => instruction.span,
                None => Span::empty_at(comment.span.end),
            },
            PragmaScope::Stage => {
                let anchor = next.map_or(comment.span.end, |i| i.span.start);
                let start = stage_starts.iter().copied().filter(|&s| s <= anchor).max().unwrap_or(0);
                let end = stage_starts.iter().copied().find(|&s| s > anchor).unwrap_or(file_span.end);
                Span::new(start, end)
            }
        };
        scoped.push(ScopedPragma { pragma, comment: origin, applies_to });
    }
    (scoped, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_with_rules_of_their_own_are_reported_once() {
        let text =
            "ENV A=1\nFROM alpine:3.20\nONBUILD FROM alpine:3.20\nRUN echo \\\n\n  hi\nRUN [\"a\", 1]\n";
        let source = SourceFile::new("Dockerfile", text);
        let settings = shipshape_rules::RuleSettings::default();
        let all = |_: &shipshape_model::RuleMeta| true;
        let context = FrontendContext {
            settings: &settings,
            is_enabled: &all,
            build_args: &[],
            env_files: &[],
            cluster: &Default::default(),
            secrets: None,
            vuln: None,
            os_packages: None,
        };
        let output = DockerfileFrontend.check(&source, &context);
        let codes: Vec<&str> = output.findings.iter().map(|f| f.rule.code).collect();
        for code in ["IMG050", "IMG039", "IMG062"] {
            assert_eq!(codes.iter().filter(|c| **c == code).count(), 1, "{code} in {codes:?}");
        }
        // Only the JSON array BuildKit rejects is a parse error finding; the refused
        // instructions still count as parse errors.
        assert_eq!(codes.iter().filter(|c| **c == "GEN001").count(), 1, "{codes:?}");
        assert_eq!(output.parse_errors, 3);
    }
}
