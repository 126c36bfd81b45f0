use shipshape_model::{declare_rule, redact};

use crate::context::Checker;
use crate::secrets::sec100_secret_in_environment::{is_literal_secret, is_secret_name};
use crate::secrets::sec101_known_credential_format::find_credential;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags credentials written into a `RUN` command:
    /// - a word holding a credential in a well-known format (a token, a private key, a
    ///   password in a URL such as `git clone https://user:token@host/repo.git`);
    /// - an assignment whose name says it holds a credential and whose value is a literal
    ///   (`RUN API_TOKEN=abc123 ./deploy.sh`, `export DB_PASSWORD=...`);
    /// - a static value given to `--password` or `--token` (`docker login --password ...`);
    /// - `chpasswd` fed a literal `user:password` (`echo 'root:toor' | chpasswd`).
    ///
    /// Values behind variables are not judged. The message never shows the value.
    ///
    /// ## Why is this bad?
    /// The command line of every `RUN` is stored in the image history, readable by anyone who
    /// can pull the image (`docker history --no-trunc`), and in build logs and caches. A
    /// password set with `chpasswd` also ships in `/etc/shadow`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN git clone https://ci:glpat-abcdefghij0123456789@gitlab.example.com/team/app.git
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=git_token \
    ///     git clone "https://ci:$(cat /run/secrets/git_token)@gitlab.example.com/team/app.git"
    /// ```
    ///
    /// ## Fix
    /// Revoke the credential, then pass it as a BuildKit secret (`RUN --mount=type=secret`) or
    /// an SSH mount (`RUN --mount=type=ssh`). Not fixed automatically.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    /// - Checkov CKV2_DOCKER_17 "Ensure that chpasswd is not used to set or remove passwords"
    pub static SECRET_IN_RUN_COMMAND = {
        code: "SEC002",
        name: "secret-in-run-command",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a credential is written into a `RUN` command",
        aliases: [(Checkov, "CKV2_DOCKER_17")],
    }
}

const HELP: &str = "revoke it and pass it with `RUN --mount=type=secret` instead";

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    let script = &run.script;
    for command in &script.commands {
        let mut reported = false;
        for word in std::iter::once(&command.name).chain(&command.args) {
            if word.has_expansion && word.text.is_none() && !word.value.contains("://") {
                continue;
            }
            if let Some(found) = find_credential(&word.value) {
                let message = format!("the command line holds {} (`{}`)", found.kind, redact(found.text));
                checker.report(&SECRET_IN_RUN_COMMAND, &run.origin(word.span), message).help =
                    Some(HELP.into());
                reported = true;
            }
        }
        for assignment in &command.assignments {
            report_assignment(run, &assignment.name, &assignment.value, assignment.span, checker);
        }
        if command.is_any(&["export", "declare", "typeset", "env"]) {
            for word in command.command_args() {
                if let Some((name, _)) = word.value.split_once('=')
                    && let Some(value) = word.text.as_deref().and_then(|t| t.split_once('=')).map(|(_, v)| v)
                    && is_secret_name(name)
                    && !value.is_empty()
                    && is_literal_secret(value)
                {
                    let message = format!("`{name}` is set to a literal credential in the command line");
                    checker.report(&SECRET_IN_RUN_COMMAND, &run.origin(word.span), message).help =
                        Some(HELP.into());
                }
            }
        }
        if !reported {
            for option in command.options() {
                if !matches!(option.name.as_str(), "--password" | "--token" | "--api-key" | "--apikey") {
                    continue;
                }
                // `--password value` for tools whose option table does not know the option.
                let args = command.command_args();
                let next =
                    args.iter().position(|w| std::ptr::eq(w, option.word)).and_then(|i| args.get(i + 1));
                let (word, value) = match (option.value.as_deref(), option.value_word) {
                    (Some(value), Some(word)) => (word, value),
                    (Some(value), None) => (option.word, value),
                    (None, _) => match next {
                        Some(next) if !next.value.starts_with('-') => (next, next.value.as_str()),
                        _ => continue,
                    },
                };
                if word.has_expansion
                    || word.has_substitution
                    || value.is_empty()
                    || !is_literal_secret(value)
                {
                    continue;
                }
                let message = format!("`{}` is given a literal credential", option.name);
                checker.report(&SECRET_IN_RUN_COMMAND, &run.origin(word.span), message).help =
                    Some(HELP.into());
            }
        }
        // `echo 'root:pw' | chpasswd`
        if command.is("chpasswd")
            && let Some(pipe) = command.context.pipe
            && pipe.stage > 0
        {
            let literal = script.stage_commands(pipe.pipeline, pipe.stage - 1).any(|feeder| {
                feeder.is_any(&["echo", "printf"])
                    && feeder
                        .command_args()
                        .iter()
                        .any(|w| w.text.as_deref().is_some_and(|t| t.contains(':')))
            });
            if literal {
                checker
                    .report(
                        &SECRET_IN_RUN_COMMAND,
                        &run.origin(command.command().span),
                        "`chpasswd` sets a password written in the command line",
                    )
                    .help = Some(
                    "do not set passwords in the image; lock the account or use key-based access".into(),
                );
            }
        }
    }
    for bare in &script.bare {
        for assignment in &bare.assignments {
            report_assignment(run, &assignment.name, &assignment.value, assignment.span, checker);
        }
    }
}

fn report_assignment(
    run: &RunScript<'_>,
    name: &str,
    value: &shipshape_shell::Word,
    span: shipshape_model::Span,
    checker: &mut Checker<'_>,
) {
    let Some(text) = value.as_str() else { return };
    if let Some(found) = find_credential(text) {
        let message =
            format!("`{name}` is set to {} (`{}`) in the command line", found.kind, redact(found.text));
        checker.report(&SECRET_IN_RUN_COMMAND, &run.origin(span), message).help = Some(HELP.into());
    } else if is_secret_name(name) && !text.is_empty() && is_literal_secret(text) {
        let message = format!("`{name}` is set to a literal credential in the command line");
        checker.report(&SECRET_IN_RUN_COMMAND, &run.origin(span), message).help = Some(HELP.into());
    }
}
