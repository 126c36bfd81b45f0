use shipshape_model::{ImageSpec, Origin, declare_rule};
use shipshape_shell::{SimpleCommand, Word};

use crate::context::Checker;
use crate::shell::{RunScript, Scripts, option_span};

declare_rule! {
    /// ## What it does
    /// Flags a build step or image setting that turns off TLS certificate checks:
    /// `curl -k`/`--insecure`, `wget --no-check-certificate`, `pip --trusted-host`,
    /// `npm`/`yarn config set strict-ssl false`, `git config http.sslVerify false` (or
    /// `git -c http.sslVerify=false`), `sslverify=0` given to `yum`/`dnf`/`yum-config-manager`,
    /// and the variables `PYTHONHTTPSVERIFY=0`, `NODE_TLS_REJECT_UNAUTHORIZED=0`,
    /// `GIT_SSL_NO_VERIFY`, `NPM_CONFIG_STRICT_SSL=false` and `PIP_TRUSTED_HOST`, whether set in
    /// `ENV`, as an `ARG` default, or for a command in a `RUN`. The finding points at the flag or
    /// assignment.
    ///
    /// ## Why is this bad?
    /// Without certificate checks anyone on the network path (a proxy, a compromised mirror, a
    /// hostile Wi-Fi on a laptop build) can serve their own packages and scripts to the build. A
    /// variable set with `ENV` also disables the checks for the application at run time.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -sSk https://example.com/tool.tar.gz | tar -xz
    /// ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
    /// RUN update-ca-certificates \
    ///  && curl -sS https://example.com/tool.tar.gz | tar -xz
    /// ```
    ///
    /// ## Fix
    /// Install the certificate authority the server uses (a corporate proxy's CA) instead of
    /// turning checks off. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-295: Improper Certificate Validation
    /// - Checkov CKV2_DOCKER_2 (curl), _3 (wget), _4 (pip), _5 (`PYTHONHTTPSVERIFY`),
    ///   _6 (`NODE_TLS_REJECT_UNAUTHORIZED`), _12/_13 (npm), _14 (git), _15 (yum), _16 (`PIP_TRUSTED_HOST`)
    pub static TLS_VERIFICATION_DISABLED = {
        code: "SUP002",
        name: "tls-verification-disabled",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: High,
        fix: None,
        summary: "TLS certificate verification is turned off",
        aliases: [
            (Checkov, "CKV2_DOCKER_2"),
            (Checkov, "CKV2_DOCKER_3"),
            (Checkov, "CKV2_DOCKER_4"),
            (Checkov, "CKV2_DOCKER_5"),
            (Checkov, "CKV2_DOCKER_6"),
            (Checkov, "CKV2_DOCKER_12"),
            (Checkov, "CKV2_DOCKER_13"),
            (Checkov, "CKV2_DOCKER_14"),
            (Checkov, "CKV2_DOCKER_15"),
            (Checkov, "CKV2_DOCKER_16"),
        ],
    }
}

fn is_false(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    matches!(v.as_str(), "0" | "false" | "no" | "off")
}

/// What an insecure environment variable does, if `name=value` is one.
fn insecure_variable(name: &str, value: &str) -> Option<&'static str> {
    let set = !value.trim().trim_matches(['"', '\'']).is_empty();
    match name.to_ascii_uppercase().as_str() {
        "PYTHONHTTPSVERIFY" if is_false(value) => Some("turns off certificate checks in Python's `urllib`"),
        "NODE_TLS_REJECT_UNAUTHORIZED" if is_false(value) => Some("turns off certificate checks in Node.js"),
        "GIT_SSL_NO_VERIFY" if set => Some("turns off certificate checks in git"),
        "NPM_CONFIG_STRICT_SSL" if is_false(value) => Some("turns off certificate checks in npm"),
        "PIP_TRUSTED_HOST" if set => Some("makes pip skip certificate checks for the listed hosts"),
        _ => None,
    }
}

/// `sslverify=0` in a `--setopt` (yum, dnf) or a git `http.sslVerify=false`.
fn disables_ssl_verify(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower
        .rsplit_once("sslverify=")
        .is_some_and(|(key, value)| (key.is_empty() || key.ends_with(['.', '=', ' '])) && is_false(value))
}

fn report(checker: &mut Checker<'_>, origin: Origin, message: String, help: &str) {
    checker.report(&TLS_VERIFICATION_DISABLED, &origin, message).help = Some(help.to_string());
}

const CA_HELP: &str = "install the server's CA certificate instead of turning verification off";

/// The flags and settings of one command.
fn check_command(run: &RunScript<'_>, command: &SimpleCommand, checker: &mut Checker<'_>) {
    let name = command.command_name().unwrap_or("");
    let flag = |checker: &mut Checker<'_>, names: &[&str], what: &str| {
        for option in command.options().iter().filter(|o| names.contains(&o.name.as_str())) {
            let message = format!("`{name} {}` {what}", option.name);
            report(checker, run.origin(option_span(option)), message, CA_HELP);
        }
    };
    if command.is("curl") {
        flag(checker, &["-k", "--insecure"], "accepts any certificate");
    } else if command.is("wget") {
        flag(checker, &["--no-check-certificate"], "accepts any certificate");
    } else if command.is("pip") || command.is("pipx") || command.is("uv") {
        flag(checker, &["--trusted-host"], "skips certificate checks for that host");
    } else if command.is_any(&["npm", "yarn", "pnpm"]) {
        let words: Vec<&Word> = command.positionals();
        let texts: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
        for (i, word) in words.iter().enumerate() {
            let key = word.value.trim_start_matches("--");
            let hit = match key.split_once('=') {
                Some((k, v)) => k == "strict-ssl" && is_false(v),
                None => key == "strict-ssl" && texts.get(i + 1).is_some_and(|v| is_false(v)),
            };
            if hit && texts.contains(&"set") {
                let message = format!("`{name} config set strict-ssl false` turns off certificate checks");
                report(checker, run.origin(word.span), message, CA_HELP);
            }
        }
        for option in command.options() {
            if option.name == "--strict-ssl" && option.value.as_deref().is_some_and(is_false) {
                let message = format!("`{name} --strict-ssl=false` turns off certificate checks");
                report(checker, run.origin(option_span(&option)), message, CA_HELP);
            }
        }
    } else if command.is("git") {
        let args = command.command_args();
        for (i, word) in args.iter().enumerate() {
            let lower = word.value.to_ascii_lowercase();
            let key_then_value = lower.starts_with("http.")
                && lower.ends_with(".sslverify")
                && args.get(i + 1).is_some_and(|v| is_false(&v.value));
            if key_then_value || (lower.starts_with("http.") && disables_ssl_verify(&lower)) {
                let message = "`http.sslVerify false` turns off certificate checks in git".to_string();
                report(checker, run.origin(word.span), message, CA_HELP);
            }
        }
    } else if command.is_any(&["yum", "dnf", "microdnf", "tdnf", "yum-config-manager", "dnf5"]) {
        for word in command.command_args() {
            if disables_ssl_verify(&word.value) {
                let message = format!("`{name}` told `sslverify=0` accepts any repository certificate");
                report(checker, run.origin(word.span), message, CA_HELP);
            }
        }
    }
    // `export X=...`, `env X=... cmd`, `X=... cmd`.
    let exported = command.is_any(&["export", "declare", "typeset"]);
    for assignment in &command.assignments {
        if let Some(what) = insecure_variable(&assignment.name, &assignment.value.value) {
            let message = format!("`{}={}` {what}", assignment.name, assignment.value.value);
            report(checker, run.origin(assignment.span), message, CA_HELP);
        }
    }
    let env_words: Vec<&Word> = if exported {
        command.command_args().iter().collect()
    } else if command.wrapped_by("env") {
        command.args.iter().take_while(|w| !std::ptr::eq(*w, command.command())).collect()
    } else {
        Vec::new()
    };
    for word in env_words {
        if let Some((key, value)) = word.value.split_once('=')
            && let Some(what) = insecure_variable(key, value)
        {
            report(checker, run.origin(word.span), format!("`{}` {what}", word.value), CA_HELP);
        }
    }
}

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for var in &stage.env {
            let value = var.value.get().unwrap_or(&var.value.raw);
            if let Some(what) = insecure_variable(&var.name, value) {
                let message = format!("`ENV {}={value}` {what}, in the build and at run time", var.name);
                report(checker, var.origin.clone(), message, CA_HELP);
            }
        }
        for arg in &stage.args {
            let Some(default) = &arg.default else { continue };
            let value = default.get().unwrap_or(&default.raw);
            if let Some(what) = insecure_variable(&arg.name, value) {
                let message = format!("`ARG {}={value}` {what} for the build", arg.name);
                report(checker, arg.origin.clone(), message, CA_HELP);
            }
        }
        for script in scripts.of(stage) {
            for command in &script.script.commands {
                check_command(script, command, checker);
            }
            for bare in &script.script.bare {
                for assignment in &bare.assignments {
                    if let Some(what) = insecure_variable(&assignment.name, &assignment.value.value) {
                        let message = format!("`{}={}` {what}", assignment.name, assignment.value.value);
                        report(checker, script.origin(assignment.span), message, CA_HELP);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_insecure_settings() {
        assert!(disables_ssl_verify("--setopt=sslverify=0"));
        assert!(disables_ssl_verify("--setopt=epel.sslverify=false"));
        assert!(disables_ssl_verify("http.sslverify=false"));
        assert!(!disables_ssl_verify("--setopt=sslverify=1"));
        assert!(!disables_ssl_verify("--setopt=nosslverify=0"));
        assert!(insecure_variable("NODE_TLS_REJECT_UNAUTHORIZED", "'0'").is_some());
        assert!(insecure_variable("NODE_TLS_REJECT_UNAUTHORIZED", "1").is_none());
        assert!(insecure_variable("GIT_SSL_NO_VERIFY", "").is_none());
        assert!(insecure_variable("npm_config_strict_ssl", "false").is_some());
    }
}
