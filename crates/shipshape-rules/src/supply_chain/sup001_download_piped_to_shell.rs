use shipshape_model::declare_rule;
use shipshape_shell::SimpleCommand;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that downloads a script and runs it in one go: `curl ... | sh`,
    /// `wget -qO- ... | sudo bash -s --`, `bash <(curl ...)`, `sh -c "$(curl ...)"`. The
    /// finding points at the interpreter that runs what was downloaded. Python, Perl, Ruby,
    /// Node and PHP reading their program from the pipe count too.
    ///
    /// ## Why is this bad?
    /// Whatever the server (or anyone between it and the build) sends is executed as root in
    /// the build, unreviewed and unverified: no checksum, no signature, no pinned version. The
    /// same URL can serve a different script tomorrow, so the build is neither reproducible
    /// nor auditable, and a truncated download runs as a truncated script.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://get.example.com/install.sh | sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdd571e2c4ad5b5b2f4b3e8a7c9a1ee2b1e5f1d0c7c3b1f1e2d3c4b \
    ///     https://get.example.com/v1.4.2/install.sh /tmp/install.sh
    /// RUN sh /tmp/install.sh
    /// ```
    ///
    /// ## Fix
    /// Download a versioned script, verify its checksum or signature, then run the file. Not
    /// fixed automatically.
    ///
    /// ## References
    /// - CWE-494: Download of Code Without Integrity Check
    /// - CWE-829: Inclusion of Functionality from Untrusted Control Sphere
    pub static DOWNLOAD_PIPED_TO_SHELL = {
        code: "SUP001",
        name: "download-piped-to-shell",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: High,
        fix: None,
        summary: "a downloaded script is run without verification",
        aliases: [],
    }
}

/// Programs that run a script read from standard input.
const INTERPRETERS: &[&str] =
    &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "python", "perl", "ruby", "node", "php"];

/// Whether `command` downloads to standard output: `curl` (unless `-o`/`-O` saves to a file)
/// or `wget -O -`/`-qO-`.
fn downloads_to_stdout(command: &SimpleCommand) -> bool {
    if command.is("curl") {
        let args = command.parse_args();
        let to_file = args
            .options
            .iter()
            .any(|o| matches!(o.name.as_str(), "-o" | "--output") && o.value.as_deref() != Some("-"))
            || args.has(&["-O", "--remote-name", "--remote-name-all"]);
        return !to_file;
    }
    if command.is("wget") {
        return command.parse_args().value(&["-O", "--output-document"]) == Some("-");
    }
    false
}

/// Whether an interpreter reads its program from standard input (no script operand, `-`, or
/// `-s`), rather than from a file or `-c`.
fn reads_program_from_stdin(command: &SimpleCommand) -> bool {
    let args = command.parse_args();
    if args.has(&["-c", "-e", "-m", "--command", "--eval"]) {
        return false;
    }
    args.has(&["-s"]) || args.positionals.first().is_none_or(|w| w.is("-"))
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    let script = &run.script;
    let downloads: Vec<&SimpleCommand> = script.commands.iter().filter(|c| downloads_to_stdout(c)).collect();
    if downloads.is_empty() {
        return;
    }
    for command in run.commands(INTERPRETERS) {
        let name = command.command_name().unwrap_or("sh");
        // `curl ... | sh`: a download in an earlier stage of the same pipeline.
        let piped = command.context.pipe.is_some_and(|p| {
            reads_program_from_stdin(command)
                && downloads
                    .iter()
                    .any(|d| d.context.pipe.is_some_and(|q| q.pipeline == p.pipeline && q.stage < p.stage))
        });
        // `bash <(curl ...)`, `sh -c "$(curl ...)"`: a download inside an argument.
        let substituted = command.command_args().iter().any(|w| {
            w.has_substitution
                && downloads.iter().any(|d| w.span.start <= d.span.start && d.span.end <= w.span.end)
        });
        if piped || substituted {
            let how = if piped { "piped into" } else { "substituted into" };
            checker
                .report(
                    &DOWNLOAD_PIPED_TO_SHELL,
                    &run.origin(command.command().span),
                    format!("a download is {how} `{name}` and run without verification"),
                )
                .help = Some("download a pinned file, verify its checksum, then run it".into());
        }
    }
}
