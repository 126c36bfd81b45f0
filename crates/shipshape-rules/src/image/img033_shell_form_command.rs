use shipshape_dockerfile::{Args, CommandArgs, Instruction, Keyword};
use shipshape_model::{Edit, Fix, declare_rule};

use crate::checkers::dockerfile::{Syntax, SyntaxStage};
use crate::context::Checker;

/// Shell keywords and builtins: a command starting with one needs the shell.
const SHELL_WORDS: &[&str] = &[
    "!", ".", ":", "[[", "{", "alias", "builtin", "case", "cd", "command", "declare", "do", "done", "eval",
    "exec", "exit", "export", "fi", "for", "function", "if", "local", "read", "readonly", "return", "select",
    "set", "shift", "source", "then", "time", "trap", "typeset", "ulimit", "umask", "unset", "until", "wait",
    "while",
];

declare_rule! {
    /// ## What it does
    /// Flags `CMD` and `ENTRYPOINT` in shell form (`CMD node server.js`) in a stage that has not
    /// chosen its shell with `SHELL`. The finding points at the instruction.
    ///
    /// ## Why is this bad?
    /// Shell form runs the command as `/bin/sh -c "..."`: the shell becomes PID 1, and
    /// `docker stop`'s SIGTERM goes to the shell, which does not pass it on, so the service is
    /// killed after the grace period instead of shutting down cleanly. A shell-form
    /// `ENTRYPOINT` also ignores `CMD` and the arguments of `docker run`.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD node server.js
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix
    /// Write the command as a JSON array. When the command uses shell features (variables,
    /// quotes, globs, `&&`, pipes, redirections), wrap it yourself
    /// (`CMD ["sh", "-c", "exec node server.js \"$PORT\""]`) or move it to a script; no fix
    /// is offered then.
    ///
    /// ## Fix safety
    /// Offered only for plain words (no shell syntax, no shell builtin). Safe for `CMD` when the
    /// file sets no `ENTRYPOINT` for the stage: the same program runs with the same arguments,
    /// looked up in the same `PATH`, only without the shell in front of it (a base image's own
    /// entrypoint script then receives the words instead of `/bin/sh -c "..."`, which scripts
    /// ending in `exec "$@"` treat alike). Unsafe for `ENTRYPOINT`, and for `CMD` next to an
    /// `ENTRYPOINT`: in exec form the entrypoint starts receiving `CMD` and `docker run`
    /// arguments.
    ///
    /// ## References
    /// - Dockerfile reference, "Shell and exec form"
    pub static SHELL_FORM_COMMAND = {
        code: "IMG033",
        name: "shell-form-command",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "`CMD`/`ENTRYPOINT` in shell form runs under a shell that swallows signals",
        aliases: [(Hadolint, "DL3025"), (BuildKit, "JSONArgsRecommended")],
    }
}

/// The words of `text` when running it without a shell changes nothing but the shell.
fn plain_words(text: &str) -> Option<Vec<&str>> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=,@%+-".contains(c);
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    let first = words.first()?;
    let ok = text.chars().all(|c| plain(c) || c == ' ' || c == '\t')
        && !first.contains('=')
        && !SHELL_WORDS.contains(first);
    ok.then_some(words)
}

/// Whether a `SHELL` (or an `ENTRYPOINT`) is set in `stage` or the stages it is built on.
fn lineage_has(
    syntax: &Syntax<'_>,
    stage: &SyntaxStage<'_>,
    keyword: Keyword,
    before: Option<&Instruction>,
) -> bool {
    syntax.lineage(stage).iter().enumerate().any(|(k, s)| {
        s.all(keyword.clone()).any(|i| k > 0 || before.is_none_or(|b| i.span.start < b.span.start))
    })
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        for instruction in
            stage.body.iter().filter(|i| matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint))
        {
            let Args::Command(CommandArgs::Shell(command)) = &instruction.args else { continue };
            if command.text.trim().is_empty() || lineage_has(syntax, stage, Keyword::Shell, Some(instruction))
            {
                continue;
            }
            let keyword = instruction.keyword.as_str();
            let fix = plain_words(&command.text).map(|words| {
                let json =
                    format!("[{}]", words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", "));
                let edits = vec![Edit::replace(command.span, json)];
                let with_entrypoint = lineage_has(syntax, stage, Keyword::Entrypoint, None);
                if instruction.keyword == Keyword::Cmd && !with_entrypoint {
                    Fix::safe(edits)
                } else {
                    Fix::unsafe_edits(edits)
                }
            });
            let finding = checker.report(
                &SHELL_FORM_COMMAND,
                &syntax.origin(instruction.span),
                format!(
                    "`{keyword}` in shell form runs under `/bin/sh -c`, which does not pass on stop signals"
                ),
            );
            finding.help = Some(format!("write `{keyword}` as a JSON array of words"));
            finding.fix = fix;
        }
    }
}
