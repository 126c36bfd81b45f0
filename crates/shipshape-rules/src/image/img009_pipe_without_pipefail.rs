use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags a pipeline (`a | b`) in a `RUN` whose shell does not have `pipefail` on: neither
    /// `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` nor `set -o pipefail` earlier in the script.
    /// Pipelines in `if`/`while` conditions are not judged. Runs whose shell is not a POSIX
    /// shell (`pwsh`) are not judged. The finding points at the pipeline.
    ///
    /// ## Why is this bad?
    /// A pipeline's status is that of its last command. In `curl -fsSL $URL | tar -xz`, a failed
    /// download is hidden when `tar` succeeds on empty input, and the build goes on with a
    /// missing or truncated file.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget -O - https://example.com/tool.tgz | tar -xz -C /opt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN wget -O - https://example.com/tool.tgz | tar -xz -C /opt
    /// ```
    ///
    /// ## Fix
    /// Set `SHELL` with `-o pipefail` before the `RUN` (on Alpine, `/bin/ash` supports it), or
    /// start the script with `set -o pipefail`. Not fixed automatically.
    ///
    /// ## References
    /// - bash(1), `pipefail`
    pub static PIPE_WITHOUT_PIPEFAIL = {
        code: "IMG009",
        name: "pipe-without-pipefail",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "a failure inside a pipeline is hidden",
        aliases: [(Hadolint, "DL4006")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    let script = &run.script;
    if !script.interpreter.as_ref().is_some_and(shipshape_shell::Interpreter::is_shell) {
        return;
    }
    for (index, pipeline) in script.pipelines.iter().enumerate() {
        if pipeline.stages.len() < 2 || pipeline.pipefail {
            continue;
        }
        let first = script.stage_commands(index, 0).next();
        if first.is_some_and(|c| c.context.condition) {
            continue;
        }
        let name = first.and_then(|c| c.command_name()).unwrap_or("the first command");
        checker
            .report(
                &PIPE_WITHOUT_PIPEFAIL,
                &run.origin(pipeline.span),
                format!("a failure of `{name}` in this pipeline is hidden without `pipefail`"),
            )
            .help =
            Some("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this `RUN`".into());
    }
}
