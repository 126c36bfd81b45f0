use shipshape_model::{Applicability, Edit, Fix, declare_rule};
use shipshape_shell::{SimpleCommand, Word};

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
    /// the image. For a process that drops privileges at run time, use `gosu` or `su-exec`.
    ///
    /// ## Fix safety
    /// Removing `sudo` is safe only where the step already runs as root: the stage's last
    /// `USER` is `root` (or `0`) and comes before the step, and `sudo` has no option that changes
    /// the user, group, environment or directory (only `-E`, `-H`, `-n`, `-S` are allowed). Then
    /// the fix deletes `sudo` and those options; otherwise it is a suggestion.
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
        fix: Sometimes,
        summary: "`sudo` is used in a build step",
        aliases: [(Hadolint, "DL3004"), (Checkov, "CKV2_DOCKER_1"), (Trivy, "DS-0010")],
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
            let fix = if runs_as_root(run) { removal(run, command, word) } else { None };
            let finding = checker.report(
                &SUDO_IN_RUN,
                &run.origin(word.span),
                format!("`sudo` runs `{what}` in a build step"),
            );
            finding.help = Some("switch `USER` to root for this step instead of using `sudo`".into());
            finding.fix = fix;
        }
    }
}

/// Whether the run is known to run as root: the stage's last `USER` (its own or inherited) is
/// root and comes before the run in the same file.
fn runs_as_root(run: &RunScript<'_>) -> bool {
    let Some(user) = run.stage.and_then(|stage| stage.user.as_ref()) else { return false };
    let name = user.get().unwrap_or(&user.raw);
    let name = name.split(':').next().unwrap_or(name);
    (name == "root" || name == "0")
        && user.origin.path == run.run.origin.path
        && user.origin.span.end <= run.run.origin.span.start
}

/// `sudo`'s options that keep the command running as root in the same directory; any other
/// option (`-u`, `-g`, `-i`, `-s`, `-D` ...) makes removing `sudo` change what runs.
const HARMLESS_SUDO_OPTIONS: &[&str] =
    &["-E", "-H", "-n", "-S", "--preserve-env", "--set-home", "--non-interactive", "--stdin"];

/// The edit deleting `sudo` and its options from the command, when that provably changes
/// nothing for a root step.
fn removal(run: &RunScript<'_>, command: &SimpleCommand, sudo: &Word) -> Option<Fix> {
    let sudo_index =
        (0..=command.args.len()).find(|&i| command.word(i).is_some_and(|w| w.span == sudo.span))?;
    let mut next = sudo_index + 1;
    while let Some(word) = command.word(next) {
        let harmless = HARMLESS_SUDO_OPTIONS.contains(&word.raw.as_str())
            || (word.raw.len() > 1
                && word.raw.starts_with('-')
                && !word.raw.starts_with("--")
                && word.raw[1..].chars().all(|c| matches!(c, 'E' | 'H' | 'n' | 'S')));
        if word.raw == "--" {
            next += 1;
            break;
        }
        if !word.raw.starts_with('-') {
            break;
        }
        if !harmless {
            return None;
        }
        next += 1;
    }
    let target = command.word(next)?;
    if !run.is_in_file(sudo) || !run.is_in_file(target) || target.span.start <= sudo.span.start {
        return None;
    }
    Some(Fix::new(
        Applicability::Safe,
        vec![Edit::delete(shipshape_model::Span::new(sudo.span.start, target.span.start))],
    ))
}
