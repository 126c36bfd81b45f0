use shipshape_model::{Applicability, declare_rule};

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `apt-get install` (or `apt install`) without `-y`/`--yes`/`--assume-yes`, `-qq`,
    /// `-q=2` or `-o APT::Get::Assume-Yes=true`. The finding points at `install`.
    ///
    /// ## Why is this bad?
    /// Without an automatic yes, `apt-get` stops to ask for confirmation as soon as it wants to
    /// install more than was asked; the build has no terminal, so the step fails, or worse,
    /// behaves differently depending on which dependencies happen to be pulled in.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Add `-y`.
    ///
    /// ## Fix safety
    /// Inserting `-y` after the subcommand is safe: a build has no terminal to answer the
    /// prompt, so the only behaviour it changes is that the step no longer aborts. Applied by
    /// `shipshape fix` when the word is where the parsed shell says it is.
    ///
    /// ## References
    /// - apt-get(8), `-y, --yes, --assume-yes`
    pub static APT_GET_WITHOUT_YES = {
        code: "IMG006",
        name: "apt-get-without-yes",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "`apt-get install` may stop to ask for confirmation",
        aliases: [(Hadolint, "DL3014"), (Trivy, "DS-0021")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in run.commands(&["apt-get", "apt"]) {
        let args = command.parse_args();
        let Some(sub) = args.subcommand() else { continue };
        if !sub.is("install") && !sub.is("reinstall") && !sub.is("dist-upgrade") && !sub.is("upgrade") {
            continue;
        }
        let quiet = args.all(&["-q", "--quiet"]).count();
        let yes = args.has(&["-y", "--yes", "--assume-yes"])
            || quiet >= 2
            || command.command_args().iter().any(|w| w.is("-q=2") || w.is("--quiet=2"))
            || args.all(&["-o", "--option"]).any(|o| {
                o.value.as_deref().is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    v.starts_with("apt::get::assume-yes=") && (v.ends_with("=true") || v.ends_with("=1"))
                })
            });
        if !yes {
            let name = command.command_name().unwrap_or("apt-get");
            let fix = run.insert_after(sub, "-y", Applicability::Safe);
            let finding = checker.report(
                &APT_GET_WITHOUT_YES,
                &run.origin(sub.span),
                format!("`{name} {}` without `-y` waits for a confirmation nobody gives", sub.value),
            );
            finding.help = Some("add `-y`".into());
            finding.fix = fix;
        }
    }
}
