use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `wget` without `--progress=...` and without an option that already quiets or
    /// redirects its progress output: `-q`/`--quiet`, `-nv`/`--no-verbose`,
    /// `-o`/`--output-file`, `-a`/`--append-output`. The finding points at `wget`.
    ///
    /// ## Why is this bad?
    /// Without a terminal `wget` prints its progress bar as a dot per kilobyte: a large download
    /// writes megabytes of dots into the build log, which slows the build and buries the lines
    /// that matter.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget https://example.com/big.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN wget --progress=dot:giga https://example.com/big.tar.gz
    /// ```
    ///
    /// ## Fix
    /// Add `--progress=dot:giga`, or `-q`/`-nv`. Not fixed automatically.
    ///
    /// ## References
    /// - wget(1), `--progress=type`
    pub static WGET_PROGRESS_OUTPUT = {
        code: "IMG042",
        name: "wget-progress-output",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "`wget` floods the build log with its progress bar",
        aliases: [(Hadolint, "DL3047")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in run.commands(&["wget"]) {
        let args = command.parse_args();
        let quiet = args.options.iter().any(|o| {
            matches!(
                o.name.as_str(),
                "--progress"
                    | "-q"
                    | "--quiet"
                    | "-o"
                    | "--output-file"
                    | "-a"
                    | "--append-output"
                    | "--no-verbose"
            )
        }) || command.command_args().iter().any(|w| w.is("-nv"));
        if quiet {
            continue;
        }
        checker
            .report(
                &WGET_PROGRESS_OUTPUT,
                &run.origin(command.command().span),
                "`wget` without `--progress` writes a progress dot per kilobyte into the build log",
            )
            .help = Some("add `--progress=dot:giga` (or `-q`/`-nv`)".into());
    }
}
