use shipshape_dockerfile::{Instruction, Keyword};
use shipshape_model::{Edit, Fix, Span, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a stage name with upper-case letters (`FROM node:20 AS Build`). Names with
    /// variables are not judged. The finding points at the name.
    ///
    /// ## Why is this bad?
    /// The builder lower-cases stage names, so `COPY --from=build` and `--target BUILD` both
    /// find `Build`; the casing in the file then differs from what tools print and accept,
    /// and invites a second stage that only differs in case.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS Build
    /// FROM alpine:3.20
    /// COPY --from=Build /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// FROM alpine:3.20
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix
    /// Lower-case the name and every reference to it in the file.
    ///
    /// ## Fix safety
    /// Safe: one fix renames the stage in its `FROM ... AS`, in every later `FROM <stage>`,
    /// `COPY --from=` and `RUN --mount=...,from=` of the file, all of which the builder
    /// compares case-insensitively. Not offered when a `--mount` reference is quoted. `docker
    /// build --target` accepts the name in any case.
    ///
    /// ## References
    /// - Dockerfile reference, `FROM ... AS name`
    pub static STAGE_NAME_CASING = {
        code: "IMG057",
        name: "stage-name-casing",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Sometimes,
        summary: "a stage name is not lower case",
        aliases: [(BuildKit, "StageNameCasing")],
    }
}

/// The span of the stage named `name` in a `--mount` value (`type=bind,from=Build,...`).
fn mount_from(value: &str, value_span: Span, name: &str) -> Option<Span> {
    let mut offset = 0;
    for field in value.split(',') {
        if let Some(rest) = field.strip_prefix("from=")
            && rest.eq_ignore_ascii_case(name)
        {
            let start = value_span.start + (offset + "from=".len()) as u32;
            return Some(Span::new(start, start + rest.len() as u32));
        }
        offset += field.len() + 1;
    }
    None
}

/// Every place `name` is referred to after its definition; `None` when one cannot be edited.
fn references(syntax: &Syntax<'_>, name: &str) -> Option<Vec<Span>> {
    let source = syntax.source();
    let mut spans = Vec::new();
    let body = |i: &&Instruction| matches!(i.keyword, Keyword::Copy | Keyword::Run | Keyword::Add);
    for stage in &syntax.stages {
        if let Some(base) = stage.base().filter(|b| b.text.eq_ignore_ascii_case(name)) {
            spans.push(base.span);
        }
        for instruction in stage.body.iter().filter(body) {
            if let Some(flag) = instruction.flag("from")
                && flag.value.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(name))
            {
                let span = flag.value_span?;
                if !span.slice(source).eq_ignore_ascii_case(name) {
                    return None;
                }
                spans.push(span);
            }
            for mount in instruction.flags_named("mount") {
                let (Some(value), Some(span)) = (mount.value.as_deref(), mount.value_span) else { continue };
                if !value
                    .split(',')
                    .any(|f| f.strip_prefix("from=").is_some_and(|v| v.eq_ignore_ascii_case(name)))
                {
                    continue;
                }
                let written = span.slice(source);
                if written != value {
                    return None;
                }
                spans.push(mount_from(written, span, name)?);
            }
        }
    }
    Some(spans)
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        let Some(name) = stage.name() else { continue };
        let lower = name.text.to_lowercase();
        if name.text == lower || name.text.contains('$') {
            continue;
        }
        let finding = checker.report(
            &STAGE_NAME_CASING,
            &syntax.origin(name.span),
            format!("stage name `{}` should be lower case", name.text),
        );
        finding.help = Some(format!("rename the stage to `{lower}`"));
        if name.span.slice(syntax.source()) != name.text {
            continue;
        }
        if let Some(mut spans) = references(syntax, &name.text) {
            spans.push(name.span);
            let edits = spans.into_iter().map(|span| Edit::replace(span, lower.clone())).collect();
            finding.fix = Some(Fix::safe(edits));
        }
    }
}
