use shipshape_dockerfile::{Instruction, Keyword};
use shipshape_model::{Span, declare_rule};
use shipshape_shell::{Context, Script};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;
use crate::shell::Scripts;

declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that directly follows another `RUN` (only comments between them) with the
    /// same flags, when each runs a single command: `sh -c '...'`, an `if` or a subshell counts
    /// as one, commands in `$(...)` do not count. Runs that already chain commands are left
    /// alone, since splitting them is usually deliberate (caching, readability), as are runs
    /// with different `--mount`/`--network`/`--security` flags, heredoc scripts and runs in a
    /// non-POSIX `SHELL`. The finding points at the second `RUN`.
    ///
    /// ## Why is this bad?
    /// Each `RUN` adds a layer. Short steps back to back make images larger and slower to pull,
    /// and files deleted in the second step still ship in the first layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Join the commands with `&&` in one `RUN`. Not fixed automatically: the two steps run in
    /// separate shells, so joining them can change what a `cd`, `export` or `set` affects.
    ///
    /// ## References
    /// - Docker documentation, "Minimize the number of layers"
    pub static CONSECUTIVE_RUN = {
        code: "IMG048",
        name: "consecutive-run",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "short `RUN` steps follow each other; each adds a layer",
        aliases: [(Hadolint, "DL3059")],
    }
}

/// The commands the run's own shell runs one after another: an `if`, a loop or a `{ ...; }` is
/// one, as is `sh -c '...'`; command substitutions do not count.
fn top_level_commands(script: &Script) -> usize {
    let within = |span: Span| {
        script
            .compounds
            .iter()
            .any(|c| c.span != span && c.span.start <= span.start && span.end <= c.span.end)
    };
    let top =
        |context: &Context, span: Span| context.nested == 0 && context.substitution == 0 && !within(span);
    script.commands.iter().filter(|c| top(&c.context, c.span)).count()
        + script.compounds.iter().filter(|c| top(&c.context, c.span)).count()
}

fn flags(run: &Instruction) -> Vec<String> {
    let mut flags: Vec<String> = run.flags.iter().map(|f| f.text()).collect();
    flags.sort_unstable();
    flags
}

pub(crate) fn check(syntax: &Syntax<'_>, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        let Some(model) = syntax.model(stage) else { continue };
        let runs = scripts.of(model);
        let commands = |instruction: &Instruction| {
            runs.iter()
                .find(|r| r.run.origin.span.start == instruction.span.start)
                .filter(|r| {
                    r.run.heredocs.is_empty() && r.script.interpreter.as_ref().is_none_or(|i| i.is_shell())
                })
                .map_or(usize::MAX, |r| top_level_commands(&r.script))
        };
        for pair in stage.body.windows(2) {
            let [first, second] = pair else { continue };
            if first.keyword != Keyword::Run
                || second.keyword != Keyword::Run
                || flags(first) != flags(second)
            {
                continue;
            }
            if commands(first) > 1 || commands(second) > 1 {
                continue;
            }
            checker
                .report(
                    &CONSECUTIVE_RUN,
                    &syntax.origin(second.keyword_span),
                    "this `RUN` directly follows another",
                )
                .help = Some("join the two steps with `&&` in one `RUN`".into());
        }
    }
}
