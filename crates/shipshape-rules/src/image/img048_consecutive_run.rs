use shipshape_dockerfile::{Instruction, Keyword};
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;
use crate::shell::Scripts;

declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that directly follows another `RUN` (only comments between them) with the
    /// same flags, when both are short: neither runs more than two commands. Longer runs are
    /// left alone, since splitting them is usually deliberate (caching, readability), as are
    /// runs with different `--mount`/`--network`/`--security` flags. The finding points at the
    /// second `RUN`.
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
                .map_or(usize::MAX, |r| r.script.commands.len())
        };
        for pair in stage.body.windows(2) {
            let [first, second] = pair else { continue };
            if first.keyword != Keyword::Run
                || second.keyword != Keyword::Run
                || flags(first) != flags(second)
            {
                continue;
            }
            if commands(first) > 2 || commands(second) > 2 {
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
