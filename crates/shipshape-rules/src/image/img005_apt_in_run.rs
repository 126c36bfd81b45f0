use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags the interactive `apt` front end in a `RUN` (`apt install`, `apt update`). The
    /// finding points at `apt`.
    ///
    /// ## Why is this bad?
    /// `apt` is meant for people at a terminal: its output and behaviour may change between
    /// releases and it warns that it "does not have a stable CLI interface". `apt-get` and
    /// `apt-cache` are the stable interfaces for scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt update && apt install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Use `apt-get` (or `apt-cache` for searches). Not fixed automatically.
    ///
    /// ## References
    /// - apt(8): "The apt command ... does not have a stable CLI interface"
    pub static APT_IN_RUN = {
        code: "IMG005",
        name: "apt-in-run",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "`apt` is used instead of `apt-get`",
        aliases: [(Hadolint, "DL3027"), (Checkov, "CKV_DOCKER_9")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in &run.script.commands {
        if command.command_name() != Some("apt") {
            continue;
        }
        let sub = command.subcommand().unwrap_or("");
        checker
            .report(
                &APT_IN_RUN,
                &run.origin(command.command().span),
                format!("`apt {sub}` is the interactive front end"),
            )
            .help = Some("use `apt-get` in scripts".into());
    }
}
