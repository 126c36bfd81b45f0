//! The rules that read a Dockerfile as written: keyword casing, instruction order, repeated
//! instructions, legacy forms, stage names and references, pragmas.
//!
//! They see the syntax tree of `shipshape-dockerfile` beside the lowered [`ImageSpec`], so they
//! run for Dockerfiles only (an image's configuration has no syntax). Each stage's instructions
//! are a slice of the tree, and a finding points at the keyword, flag or word it is about.

use shipshape_dockerfile::{Args, DiagnosticKind, Dockerfile, Instruction, Keyword, Word};
use shipshape_model::{Edit, ImageSpec, Origin, RuleMeta, Span, Stage};

use crate::context::Checker;
use crate::image::{
    img020_relative_workdir, img023_expose_port_out_of_range, img024_expose_host_mapping,
    img025_expose_protocol_casing, img026_repeated_healthcheck, img027_repeated_cmd,
    img028_repeated_entrypoint, img029_copy_many_to_file, img030_copy_from_undefined_stage,
    img031_copy_from_own_stage, img032_duplicate_stage_name, img033_shell_form_command,
    img034_constant_platform_flag, img035_redundant_target_platform, img039_invalid_onbuild_trigger,
    img040_env_self_reference, img041_copy_relative_destination, img048_consecutive_run,
    img050_instruction_before_from, img052_maintainer_instruction, img055_legacy_key_value_format,
    img056_from_as_casing, img057_stage_name_casing, img058_reserved_stage_name,
    img059_inconsistent_instruction_casing, img060_undefined_arg_in_from, img061_invalid_default_arg_in_from,
    img062_empty_continuation_line, img063_undefined_variable, img064_stage_description_mismatch,
    img065_inline_ignore_pragma,
};
use crate::shell::Scripts;

pub(crate) type SyntaxRule = fn(&Syntax<'_>, &mut Checker<'_>);
pub(crate) type SyntaxScriptRule = fn(&Syntax<'_>, &Scripts<'_>, &mut Checker<'_>);

/// Every rule that reads the syntax tree, in code order.
pub(crate) static SYNTAX_RULES: &[(&RuleMeta, SyntaxRule)] = &[
    (&img020_relative_workdir::RELATIVE_WORKDIR, img020_relative_workdir::check),
    (&img023_expose_port_out_of_range::EXPOSE_PORT_OUT_OF_RANGE, img023_expose_port_out_of_range::check),
    (&img024_expose_host_mapping::EXPOSE_HOST_MAPPING, img024_expose_host_mapping::check),
    (&img025_expose_protocol_casing::EXPOSE_PROTOCOL_CASING, img025_expose_protocol_casing::check),
    (&img026_repeated_healthcheck::REPEATED_HEALTHCHECK, img026_repeated_healthcheck::check),
    (&img027_repeated_cmd::REPEATED_CMD, img027_repeated_cmd::check),
    (&img028_repeated_entrypoint::REPEATED_ENTRYPOINT, img028_repeated_entrypoint::check),
    (&img029_copy_many_to_file::COPY_MANY_TO_FILE, img029_copy_many_to_file::check),
    (&img030_copy_from_undefined_stage::COPY_FROM_UNDEFINED_STAGE, img030_copy_from_undefined_stage::check),
    (&img031_copy_from_own_stage::COPY_FROM_OWN_STAGE, img031_copy_from_own_stage::check),
    (&img032_duplicate_stage_name::DUPLICATE_STAGE_NAME, img032_duplicate_stage_name::check),
    (&img033_shell_form_command::SHELL_FORM_COMMAND, img033_shell_form_command::check),
    (&img034_constant_platform_flag::CONSTANT_PLATFORM_FLAG, img034_constant_platform_flag::check),
    (&img035_redundant_target_platform::REDUNDANT_TARGET_PLATFORM, img035_redundant_target_platform::check),
    (&img039_invalid_onbuild_trigger::INVALID_ONBUILD_TRIGGER, img039_invalid_onbuild_trigger::check),
    (&img040_env_self_reference::ENV_SELF_REFERENCE, img040_env_self_reference::check),
    (&img041_copy_relative_destination::COPY_RELATIVE_DESTINATION, img041_copy_relative_destination::check),
    (&img050_instruction_before_from::INSTRUCTION_BEFORE_FROM, img050_instruction_before_from::check),
    (&img052_maintainer_instruction::MAINTAINER_INSTRUCTION, img052_maintainer_instruction::check),
    (&img055_legacy_key_value_format::LEGACY_KEY_VALUE_FORMAT, img055_legacy_key_value_format::check),
    (&img056_from_as_casing::FROM_AS_CASING, img056_from_as_casing::check),
    (&img057_stage_name_casing::STAGE_NAME_CASING, img057_stage_name_casing::check),
    (&img058_reserved_stage_name::RESERVED_STAGE_NAME, img058_reserved_stage_name::check),
    (
        &img059_inconsistent_instruction_casing::INCONSISTENT_INSTRUCTION_CASING,
        img059_inconsistent_instruction_casing::check,
    ),
    (&img060_undefined_arg_in_from::UNDEFINED_ARG_IN_FROM, img060_undefined_arg_in_from::check),
    (
        &img061_invalid_default_arg_in_from::INVALID_DEFAULT_ARG_IN_FROM,
        img061_invalid_default_arg_in_from::check,
    ),
    (&img062_empty_continuation_line::EMPTY_CONTINUATION_LINE, img062_empty_continuation_line::check),
    (&img063_undefined_variable::UNDEFINED_VARIABLE, img063_undefined_variable::check),
    (
        &img064_stage_description_mismatch::STAGE_DESCRIPTION_MISMATCH,
        img064_stage_description_mismatch::check,
    ),
    (&img065_inline_ignore_pragma::INLINE_IGNORE_PRAGMA, img065_inline_ignore_pragma::check),
];

/// Every rule that reads the syntax tree and the shell of the `RUN`s, in code order.
pub(crate) static SYNTAX_SCRIPT_RULES: &[(&RuleMeta, SyntaxScriptRule)] =
    &[(&img048_consecutive_run::CONSECUTIVE_RUN, img048_consecutive_run::check)];

/// The metadata of every rule that reads a Dockerfile's syntax, in code order.
pub fn dockerfile_rules() -> impl Iterator<Item = &'static RuleMeta> {
    SYNTAX_RULES.iter().map(|(meta, _)| *meta).chain(SYNTAX_SCRIPT_RULES.iter().map(|(meta, _)| *meta))
}

/// Whether a rule reports what the parser diagnosed as `kind` (so the front end does not report
/// it again as a `parse-error`).
pub fn reported_by_rule(kind: DiagnosticKind) -> bool {
    matches!(
        kind,
        DiagnosticKind::NoBuildStage
            | DiagnosticKind::InvalidOnbuildTrigger
            | DiagnosticKind::EmptyContinuationLine
    )
}

/// A Dockerfile as written, with its lowered image, split into stages.
pub(crate) struct Syntax<'a> {
    pub(crate) dockerfile: &'a Dockerfile,
    pub(crate) spec: &'a ImageSpec,
    /// The instructions before the first `FROM`.
    pub(crate) preamble: &'a [Instruction],
    pub(crate) stages: Vec<SyntaxStage<'a>>,
}

/// One `FROM` and the instructions up to the next.
pub(crate) struct SyntaxStage<'a> {
    pub(crate) index: usize,
    pub(crate) from: &'a Instruction,
    /// The instructions after the `FROM`, in order (`ONBUILD` triggers nested in theirs).
    pub(crate) body: &'a [Instruction],
}

impl<'a> SyntaxStage<'a> {
    /// `AS name` of the `FROM`.
    pub(crate) fn name(&self) -> Option<&'a Word> {
        match &self.from.args {
            Args::From(from) => from.stage_name(),
            _ => None,
        }
    }

    /// The image or stage the `FROM` names.
    pub(crate) fn base(&self) -> Option<&'a Word> {
        match &self.from.args {
            Args::From(from) => from.image(),
            _ => None,
        }
    }

    /// The instructions with keyword `keyword`, in order.
    pub(crate) fn all(&self, keyword: Keyword) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.body.iter().filter(move |i| i.keyword == keyword)
    }
}

impl<'a> Syntax<'a> {
    pub(crate) fn new(dockerfile: &'a Dockerfile, spec: &'a ImageSpec) -> Self {
        let instructions = dockerfile.instructions.as_slice();
        let starts: Vec<usize> = instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == Keyword::From)
            .map(|(k, _)| k)
            .collect();
        let preamble =
            instructions.get(..starts.first().copied().unwrap_or(instructions.len())).unwrap_or(&[]);
        let stages = starts
            .iter()
            .enumerate()
            .filter_map(|(index, &start)| {
                let end = starts.get(index + 1).copied().unwrap_or(instructions.len());
                Some(SyntaxStage {
                    index,
                    from: instructions.get(start)?,
                    body: instructions.get(start + 1..end).unwrap_or(&[]),
                })
            })
            .collect();
        Syntax { dockerfile, spec, preamble, stages }
    }

    /// The text the spans point into.
    pub(crate) fn source(&self) -> &'a str {
        &self.dockerfile.source
    }

    /// The file and `span`.
    pub(crate) fn origin(&self, span: Span) -> Origin {
        Origin::new(self.spec.path.clone(), span)
    }

    /// The lowered stage of `stage`.
    pub(crate) fn model(&self, stage: &SyntaxStage<'_>) -> Option<&'a Stage> {
        self.spec.stages.get(stage.index)
    }

    /// The stage `stage` is built on, when it is built `FROM` an earlier stage of this file.
    pub(crate) fn parent(&self, stage: &SyntaxStage<'_>) -> Option<&SyntaxStage<'a>> {
        match &self.model(stage)?.base {
            shipshape_model::BaseImage::Stage { index, .. } if *index < stage.index => {
                self.stages.get(*index)
            }
            _ => None,
        }
    }

    /// `stage` and the stages it is built on, nearest first (bounded, so a malformed chain ends).
    pub(crate) fn lineage<'s>(&'s self, stage: &'s SyntaxStage<'a>) -> Vec<&'s SyntaxStage<'a>> {
        let mut chain = vec![stage];
        while let Some(parent) = chain.last().and_then(|s| self.parent(s)) {
            if chain.len() > self.stages.len() {
                break;
            }
            chain.push(parent);
        }
        chain
    }

    /// An edit deleting `instruction` with its line (and the indentation before it), when it
    /// stands on lines of its own.
    pub(crate) fn delete_lines(&self, instruction: &Instruction) -> Option<Edit> {
        let source = self.source();
        let start = instruction.span.start as usize;
        let end = instruction.span.end as usize;
        let line_start = source.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        if !source.get(line_start..start)?.trim().is_empty() {
            return None;
        }
        let rest = source.get(end..)?;
        let line_end = match rest.find('\n') {
            Some(i) if rest.get(..i)?.trim().is_empty() => end + i + 1,
            None if rest.trim().is_empty() => source.len(),
            _ => return None,
        };
        Some(Edit::delete(Span::from_range(line_start..line_end)))
    }
}

/// `text` without one pair of surrounding double or single quotes.
pub(crate) fn unquote(text: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner;
        }
    }
    text
}

/// `word` with its span narrowed to the text inside one pair of surrounding quotes.
pub(crate) fn unquoted_span(word: &Word, source: &str) -> Span {
    let written = word.span.slice(source);
    let inner = unquote(written);
    if inner.len() + 2 == written.len() {
        Span::new(word.span.start + 1, word.span.end - 1)
    } else {
        word.span
    }
}

#[cfg(test)]
mod tests {
    use shipshape_model::fix::apply_fixes;
    use shipshape_model::{Applicability, Finding, RuleMeta};
    use std::sync::Arc;

    fn findings(text: &str) -> Vec<Finding> {
        let dockerfile = shipshape_dockerfile::parse(text);
        let spec = shipshape_dockerfile::lower(&dockerfile, Arc::from("Dockerfile"), &[]);
        let settings = crate::RuleSettings::default();
        let all = |_: &RuleMeta| true;
        let mut checker = crate::Checker::new(&settings, &all);
        crate::checkers::check_dockerfile(&dockerfile, &spec, &mut checker);
        checker.into_findings()
    }

    /// Applies every safe fix until none is left, as `shipshape fix` does.
    fn fixed(text: &str) -> String {
        let mut text = text.to_string();
        for _ in 0..10 {
            let found = findings(&text);
            let (next, applied) =
                apply_fixes(&text, found.iter().filter_map(|f| f.fix.as_ref()), Applicability::Safe);
            if applied == 0 {
                return text;
            }
            text = next;
        }
        panic!("fixes did not converge:\n{text}");
    }

    #[test]
    fn safe_fixes_rewrite_only_what_they_fix() {
        let before = "\
FROM --platform=$TARGETPLATFORM golang:1.22 as Build
MAINTAINER Jane \"JD\" Doe <jane@example.com>
WORKDIR /src
COPY a.go b.go /src
RUN yum install git-2.43.0 && zypper in vim=9.0 && dnf install make-4.4
FROM Build AS tools
run echo tools
FROM alpine:3.20
ENV GREETING hello   world
LABEL description \"a small app\"
EXPOSE 53/UDP
COPY --from=Build /out/app /app
RUN --mount=type=bind,from=Build,target=/mnt ls /mnt
HEALTHCHECK CMD wget -q http://localhost/
HEALTHCHECK CMD wget -q http://localhost/healthz
CMD node server.js --port 8080
";
        let after = "\
FROM golang:1.22 AS build
LABEL maintainer=\"Jane \\\"JD\\\" Doe <jane@example.com>\"
WORKDIR /src
COPY a.go b.go /src/
RUN yum -y install git-2.43.0 && zypper -n in vim=9.0 && dnf -y install make-4.4
FROM build AS tools
RUN echo tools
FROM alpine:3.20
ENV GREETING=\"hello   world\"
LABEL description=\"a small app\"
EXPOSE 53/udp
COPY --from=build /out/app /app
RUN --mount=type=bind,from=build,target=/mnt ls /mnt
HEALTHCHECK CMD wget -q http://localhost/healthz
CMD [\"node\", \"server.js\", \"--port\", \"8080\"]
";
        assert_eq!(fixed(before), after);
        assert_eq!(fixed(after), after, "idempotent");
        let left: Vec<&str> =
            findings(after).iter().filter(|f| f.fix.is_some()).map(|f| f.rule.code).collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn unsafe_and_missing_fixes_are_not_applied() {
        let text = "FROM node:20\nENTRYPOINT node server.js\nCMD exec node $APP\nENV OPTS --a \"b c\"\n";
        assert_eq!(fixed(text), text);
        let found = findings(text);
        let entrypoint = found.iter().find(|f| f.rule.code == "IMG033" && f.location.span.start == 13);
        assert_eq!(
            entrypoint.and_then(|f| f.fix.as_ref()).map(|f| f.applicability),
            Some(Applicability::Unsafe)
        );
    }

    #[test]
    fn parse_diagnostics_become_rule_findings() {
        use shipshape_dockerfile::DiagnosticKind;
        assert!(super::reported_by_rule(DiagnosticKind::NoBuildStage));
        assert!(!super::reported_by_rule(DiagnosticKind::Syntax));
        let codes: Vec<&str> = findings("RUN x\nFROM a:1\nONBUILD FROM b\nRUN a \\\n\n  b\n")
            .iter()
            .map(|f| f.rule.code)
            .collect();
        for code in ["IMG039", "IMG050", "IMG062"] {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
    }
}
