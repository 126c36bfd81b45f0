use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `ln` in a `RUN` that replaces `/bin/sh` (`ln -sf /bin/bash /bin/sh`). The finding
    /// points at `/bin/sh`.
    ///
    /// ## Why is this bad?
    /// Every shell-form `RUN`, `CMD` and `ENTRYPOINT` of this and every later image, and every
    /// system script that expects a POSIX `sh`, silently starts running under another shell.
    /// The `SHELL` instruction changes the shell of the Dockerfile's own instructions without
    /// touching the image's system.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN ln -sf /bin/bash /bin/sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-c"]
    /// ```
    ///
    /// ## Fix
    /// Use `SHELL`. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `SHELL`
    pub static DEFAULT_SHELL_REPLACED = {
        code: "IMG054",
        name: "default-shell-replaced",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "`/bin/sh` is replaced instead of using `SHELL`",
        aliases: [(Hadolint, "DL4005")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in run.commands(&["ln"]) {
        if let Some(target) = command.operands().into_iter().find(|w| w.is("/bin/sh")) {
            checker
                .report(
                    &DEFAULT_SHELL_REPLACED,
                    &run.origin(target.span),
                    "`ln` replaces `/bin/sh` for every later step and for the image's system",
                )
                .help =
                Some("set the shell of later instructions with `SHELL [\"/bin/bash\", \"-c\"]`".into());
        }
    }
}
