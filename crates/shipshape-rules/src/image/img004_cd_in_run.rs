use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `cd` in a `RUN` outside a subshell: `RUN cd /app && make`. A `cd` inside
    /// `( ... )` only changes that subshell and is not flagged. The finding points at `cd`.
    ///
    /// ## Why is this bad?
    /// The directory a `RUN` changes to is forgotten at the next instruction, so later steps run
    /// somewhere else than a reader assumes, and paths written relative to it break silently.
    /// `WORKDIR` sets the directory for every following instruction and for the container.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /usr/src/app && make install
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// WORKDIR /usr/src/app
    /// RUN make install
    /// ```
    ///
    /// ## Fix
    /// Use `WORKDIR` (or `make -C`, `git -C`, `tar -C`). Not fixed automatically.
    ///
    /// ## References
    /// - Docker documentation, "Dockerfile best practices: WORKDIR"
    pub static CD_IN_RUN = {
        code: "IMG004",
        name: "cd-in-run",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "`cd` is used instead of `WORKDIR`",
        aliases: [(Hadolint, "DL3003"), (Trivy, "DS-0013")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in run.commands(&["cd"]) {
        if command.context.subshell > 0 || command.context.nested > 0 {
            continue;
        }
        checker
            .report(
                &CD_IN_RUN,
                &run.origin(command.command().span),
                "`cd` changes directory for this `RUN` only",
            )
            .help = Some("use `WORKDIR` to change directory".into());
    }
}
