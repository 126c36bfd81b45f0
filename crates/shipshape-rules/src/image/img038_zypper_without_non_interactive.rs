use shipshape_model::{Edit, Fix, declare_rule};

use crate::context::Checker;
use crate::shell::RunScript;

/// The `zypper` subcommands that ask before changing packages.
const ASKING: &[&str] = &["install", "in", "remove", "rm", "source-install", "si", "patch"];

declare_rule! {
    /// ## What it does
    /// Flags `zypper install` (`in`), `remove` (`rm`), `source-install` (`si`) and `patch`
    /// without the global `-n`/`--non-interactive` or the subcommand's `-y`/`--no-confirm`.
    /// The finding points at the subcommand.
    ///
    /// ## Why is this bad?
    /// Without them `zypper` asks for confirmation; a build has no terminal, so the step fails
    /// or depends on how the build was started.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper install nginx=1.21.5 && zypper clean
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper -n install nginx=1.21.5 && zypper clean
    /// ```
    ///
    /// ## Fix
    /// Add `-n` before the subcommand.
    ///
    /// ## Fix safety
    /// Safe: `-n` is inserted right after `zypper`. It only answers the prompts the build cannot
    /// answer with their defaults; what is installed does not change.
    ///
    /// ## References
    /// - zypper(8), `-n, --non-interactive`
    pub static ZYPPER_WITHOUT_NON_INTERACTIVE = {
        code: "IMG038",
        name: "zypper-without-non-interactive",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "`zypper` may stop to ask for confirmation",
        aliases: [(Hadolint, "DL3034")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in run.commands(&["zypper"]) {
        let args = command.parse_args();
        let Some(sub) = args.subcommand() else { continue };
        if !ASKING.iter().any(|s| sub.is(s)) {
            continue;
        }
        if args.has(&["-n", "--non-interactive", "-y", "--no-confirm"]) {
            continue;
        }
        let fix =
            run.file_span(command.command().span).map(|span| Fix::safe(vec![Edit::insert(span.end, " -n")]));
        let finding = checker.report(
            &ZYPPER_WITHOUT_NON_INTERACTIVE,
            &run.origin(sub.span),
            format!("`zypper {}` without `-n` waits for a confirmation nobody gives", sub.value),
        );
        finding.help = Some("add `-n` (`zypper -n install ...`)".into());
        finding.fix = fix;
    }
}
