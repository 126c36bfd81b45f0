use shipshape_model::declare_rule;
use shipshape_shell::{Ecosystem, PackageSource};

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags operating-system packages installed without a version: `apt-get install curl`
    /// rather than `curl=7.88.1-10+deb12u5`, `apk add curl` rather than `curl=8.5.0-r0`, `yum`/`dnf
    /// install httpd` rather than `httpd-2.4.57`, `zypper install vim` rather than `vim=9.0`.
    /// Local files, URLs and operands behind variables are not judged. The finding points at
    /// the package.
    ///
    /// ## Why is this bad?
    /// Each build installs whatever version the mirror has that day: builds are not
    /// reproducible, a package that changes behaviour breaks the image without any change to
    /// the Dockerfile, and a review of the Dockerfile says nothing about what ships.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Fix
    /// Pin each package to the version you tested, and update the pins on purpose (a bot can
    /// do it). Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.7 (update instructions alone are not reproducible)
    pub static UNPINNED_SYSTEM_PACKAGE = {
        code: "SUP004",
        name: "unpinned-system-package",
        layer: SupplyChain,
        threat: VulnerableDependency,
        asset: SupplyChain,
        severity: Low,
        fix: None,
        summary: "an operating-system package is installed without a version",
        aliases: [(Hadolint, "DL3008"), (Hadolint, "DL3018"), (Hadolint, "DL3033"), (Hadolint, "DL3041"), (Hadolint, "DL3037")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in &run.script.commands {
        let Some(sub) = command.subcommand() else { continue };
        if !matches!(sub, "install" | "add" | "in") {
            continue;
        }
        for package in command.packages() {
            if !matches!(
                package.ecosystem,
                Ecosystem::Apt | Ecosystem::Apk | Ecosystem::Rpm | Ecosystem::Zypper
            ) || package.source != PackageSource::Registry
                || package.word.has_expansion
                || package.word.text.is_none()
                || package.version.as_deref().is_some_and(|v| !v.is_empty())
            {
                continue;
            }
            let tool = command.command_name().unwrap_or("");
            let example = match package.ecosystem {
                Ecosystem::Rpm => format!("{}-<version>", package.name),
                _ => format!("{}=<version>", package.name),
            };
            checker
                .report(
                    &UNPINNED_SYSTEM_PACKAGE,
                    &run.origin(package.word.span),
                    format!("`{tool} {sub} {}` installs whatever version is current", package.name),
                )
                .help = Some(format!("pin the version: `{example}`"));
        }
    }
}
