use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

/// Commands that manage an interactive machine, not an image being built.
const POINTLESS: &[&str] =
    &["free", "ifconfig", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim"];

declare_rule! {
    /// ## What it does
    /// Flags commands in a `RUN` that only make sense on a running, interactive machine:
    /// `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`.
    /// Commands inside `sh -c`, heredoc scripts and behind `sudo`/`env` count. The finding
    /// points at the command.
    ///
    /// ## Why is this bad?
    /// A build step runs once in a throwaway container: a service started there is gone when
    /// the step ends, an editor waits for a terminal nobody has, and process or network
    /// listings describe the builder, not the image. Such a step either does nothing or hangs
    /// the build, and usually hides a misunderstanding of how the image will run.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN service nginx start
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Fix
    /// Remove the command, or move what it should achieve to `CMD`/`ENTRYPOINT` or to the
    /// container's runtime configuration. Not fixed automatically.
    ///
    /// ## References
    /// - hadolint DL3001
    pub static POINTLESS_COMMAND_IN_RUN = {
        code: "IMG021",
        name: "pointless-command-in-run",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "a build step runs a command meant for an interactive machine",
        aliases: [(Hadolint, "DL3001")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in &run.script.commands {
        let Some(name) = command.command_name() else { continue };
        if !POINTLESS.contains(&name) {
            continue;
        }
        checker
            .report(
                &POINTLESS_COMMAND_IN_RUN,
                &run.origin(command.command().span),
                format!("`{name}` in a build step acts on the throwaway build container"),
            )
            .help = Some("remove it; set up what the container runs with `CMD`/`ENTRYPOINT`".into());
    }
}
