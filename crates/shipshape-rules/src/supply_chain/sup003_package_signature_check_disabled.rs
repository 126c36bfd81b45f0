use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::{RunScript, option_span};

declare_rule! {
    /// ## What it does
    /// Flags package-manager calls that install packages without checking their signatures:
    /// `apt-get --allow-unauthenticated`, `--allow-insecure-repositories`, `--force-yes` (and the
    /// same settings given with `-o`), an APT source marked `[trusted=yes]`, `yum`/`dnf
    /// --nogpgcheck` or `gpgcheck=0`, `rpm --nosignature`/`--nodigest`/`--noverify`,
    /// `apk --allow-untrusted` and `zypper --no-gpg-checks`. The finding points at the flag.
    ///
    /// ## Why is this bad?
    /// Package signatures are what ties a package to its distribution. Without the check, a
    /// mirror, proxy or attacker on the network path can hand the build any package, and it is
    /// installed as root.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add --no-cache --allow-untrusted /tmp/tool.apk
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY tool-signing.rsa.pub /etc/apk/keys/
    /// RUN apk add --no-cache /tmp/tool.apk
    /// ```
    ///
    /// ## Fix
    /// Import the repository's signing key (`/etc/apk/keys`, `signed-by=` for APT, `rpm
    /// --import`) and drop the flag. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-347: Improper Verification of Cryptographic Signature
    /// - Checkov CKV2_DOCKER_7 (apk), _8 and _11 (apt-get), _9 (yum, dnf), _10 (rpm)
    pub static PACKAGE_SIGNATURE_CHECK_DISABLED = {
        code: "SUP003",
        name: "package-signature-check-disabled",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: High,
        fix: None,
        summary: "packages are installed without signature checks",
        aliases: [
            (Checkov, "CKV2_DOCKER_7"),
            (Checkov, "CKV2_DOCKER_8"),
            (Checkov, "CKV2_DOCKER_9"),
            (Checkov, "CKV2_DOCKER_10"),
            (Checkov, "CKV2_DOCKER_11"),
        ],
    }
}

const HELP: &str = "import the repository's signing key instead of skipping the check";

/// The flags that turn signature checks off, per package manager.
fn insecure_flags(name: &str) -> &'static [&'static str] {
    match name {
        "apt-get" | "apt" | "aptitude" => {
            &["--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"]
        }
        "yum" | "dnf" | "dnf5" | "microdnf" | "tdnf" => &["--nogpgcheck"],
        "rpm" => &["--nosignature", "--nodigest", "--noverify", "--nofiledigest", "--nogpgcheck"],
        "apk" => &["--allow-untrusted"],
        "zypper" => &["--no-gpg-checks", "--no-gpg-check"],
        _ => &[],
    }
}

fn is_true(value: &str) -> bool {
    matches!(
        value.trim().trim_matches(['"', '\'']).to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

fn is_false(value: &str) -> bool {
    matches!(
        value.trim().trim_matches(['"', '\'']).to_ascii_lowercase().as_str(),
        "0" | "false" | "no" | "off"
    )
}

/// An APT `-o` setting that allows unsigned packages or repositories.
fn insecure_apt_setting(setting: &str) -> bool {
    let Some((key, value)) = setting.split_once('=') else { return false };
    let key = key.to_ascii_lowercase();
    let allows = [
        "apt::get::allowunauthenticated",
        "acquire::allowinsecurerepositories",
        "acquire::allowdowngradetoinsecurerepositories",
        "apt::get::force-yes",
    ];
    allows.contains(&key.as_str()) && is_true(value)
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in &run.script.commands {
        let Some(name) = command.command_name() else { continue };
        let family = shipshape_shell::family(name);
        let flags = insecure_flags(family);
        for option in command.options() {
            let hit = flags.contains(&option.name.as_str())
                || (matches!(family, "apt-get" | "apt" | "aptitude")
                    && option.name == "-o"
                    && option.value.as_deref().is_some_and(insecure_apt_setting))
                || (matches!(family, "yum" | "dnf" | "dnf5" | "microdnf" | "tdnf")
                    && option.name == "--setopt"
                    && option.value.as_deref().is_some_and(|v| {
                        v.rsplit_once("gpgcheck=").is_some_and(|(k, value)| {
                            (k.is_empty() || k.ends_with(['.', '_'])) && is_false(value)
                        })
                    }));
            if hit {
                let shown = match &option.value {
                    Some(value) => format!("{} {value}", option.name),
                    None => option.name.clone(),
                };
                checker
                    .report(
                        &PACKAGE_SIGNATURE_CHECK_DISABLED,
                        &run.origin(option_span(&option)),
                        format!("`{name} {shown}` installs packages without checking their signatures"),
                    )
                    .help = Some(HELP.into());
            }
        }
        // `echo "deb [trusted=yes] http://... ./" > /etc/apt/sources.list.d/x.list`
        for word in command.command_args() {
            if word.value.contains("[trusted=yes]") || word.value.contains(" trusted=yes") {
                checker
                    .report(
                        &PACKAGE_SIGNATURE_CHECK_DISABLED,
                        &run.origin(word.span),
                        "an APT source marked `trusted=yes` is used without signature checks",
                    )
                    .help = Some("give the source its key with `signed-by=` instead of `trusted=yes`".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_settings() {
        assert!(insecure_apt_setting("APT::Get::AllowUnauthenticated=true"));
        assert!(insecure_apt_setting("Acquire::AllowInsecureRepositories=1"));
        assert!(!insecure_apt_setting("APT::Get::AllowUnauthenticated=false"));
        assert!(!insecure_apt_setting("Dpkg::Options::=--force-confdef"));
    }
}
