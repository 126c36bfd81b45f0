use shipshape_dockerfile::{Args, Instruction};
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a comment directly above `FROM ... AS name` or `ARG name` (no empty line between)
    /// that does not start with that name. Off by default (an experimental BuildKit check):
    /// enable it with `select = ["ALL", "stage-description-mismatch"]`. The finding points at
    /// the instruction.
    ///
    /// ## Why is this bad?
    /// BuildKit reads such a comment as the description of the stage or argument and shows it
    /// in `docker buildx build --call=outline` and `--call=targets`; a comment about something
    /// else becomes a misleading description.
    ///
    /// ## Example
    /// ```dockerfile
    /// # compiles the server
    /// FROM golang:1.22 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # build compiles the server
    /// FROM golang:1.22 AS build
    /// ```
    ///
    /// ## Fix
    /// Start the comment with the name, or put an empty line between comment and instruction.
    /// Not fixed automatically.
    ///
    /// ## References
    /// - Docker documentation, build checks, "InvalidDefinitionDescription"
    pub static STAGE_DESCRIPTION_MISMATCH = {
        code: "IMG064",
        name: "stage-description-mismatch",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        opt_in: true,
        summary: "a comment above a stage or argument does not describe it",
        aliases: [(BuildKit, "InvalidDefinitionDescription")],
    }
}

/// The first line of the comment block directly above `instruction`, if any.
fn description<'a>(syntax: &Syntax<'a>, instruction: &Instruction) -> Option<&'a str> {
    let source = syntax.source();
    let above = source.get(..instruction.span.start as usize)?.strip_suffix('\n')?;
    above.rsplit('\n').map(str::trim).map_while(|line| line.strip_prefix('#')).last().map(str::trim)
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let mut targets: Vec<(&Instruction, &str)> = Vec::new();
    for stage in &syntax.stages {
        if let Some(name) = stage.name() {
            targets.push((stage.from, name.text.as_str()));
        }
    }
    for instruction in &syntax.dockerfile.instructions {
        if let Args::ArgDecls(decls) = &instruction.args
            && let [decl] = decls.as_slice()
        {
            targets.push((instruction, decl.name.text.as_str()));
        }
    }
    for (instruction, name) in targets {
        let Some(text) = description(syntax, instruction) else { continue };
        if text.is_empty() || text.split_whitespace().next() == Some(name) {
            continue;
        }
        checker
            .report(
                &STAGE_DESCRIPTION_MISMATCH,
                &syntax.origin(instruction.keyword_span),
                format!("the comment above describes `{name}` but does not start with its name"),
            )
            .help = Some(format!("start the comment with `# {name} ...`, or separate it with an empty line"));
    }
}
