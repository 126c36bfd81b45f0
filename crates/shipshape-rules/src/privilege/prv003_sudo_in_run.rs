use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `sudo` in a `RUN`, whether it wraps a command (`sudo apt-get install ...`) or runs
    /// alone. The finding points at the `sudo` word.
    ///
    /// ## Why is this bad?
    /// A build step runs as the current `USER`; `sudo` only works when that user may become
    /// root without a password, which means anything running as that user (the application, at
    /// run time) can too. `sudo` also has an unpredictable TTY and signal behaviour in
    /// containers.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get update && sudo apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// USER root
    /// RUN apt-get update && apt-get install -y curl
    /// USER app
    /// ```
    ///
    /// ## Fix
    /// Switch `USER` around the steps that need root, and do not install or configure `sudo` in
    /// the image. For a process that drops privileges at run time, use `gosu` or `su-exec`. Not
    /// fixed automatically.
    ///
    /// ## References
    /// - CWE-250: Execution with Unnecessary Privileges
    pub static SUDO_IN_RUN = {
        code: "PRV003",
        name: "sudo-in-run",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "`sudo` is used in a build step",
        aliases: [(Hadolint, "DL3004"), (Checkov, "CKV2_DOCKER_1")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in &run.script.commands {
        let word = if command.is("sudo") {
            Some(command.command())
        } else {
            command.wrappers.iter().find(|w| w.name == "sudo").and_then(|w| command.word(w.word))
        };
        if let Some(word) = word {
            let what = command.command_name().filter(|n| *n != "sudo").unwrap_or("a command");
            checker
                .report(&SUDO_IN_RUN, &run.origin(word.span), format!("`sudo` runs `{what}` in a build step"))
                .help = Some("switch `USER` to root for this step instead of using `sudo`".into());
        }
    }
}
