use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `apt-get upgrade` and `apt-get dist-upgrade` (also `full-upgrade`, and through
    /// `apt`), and `zypper dist-upgrade` (`dup`), in a `RUN`. The finding points at the
    /// subcommand.
    ///
    /// ## Why is this bad?
    /// Upgrading every package inside the build makes the image depend on the day it was
    /// built: two builds of one Dockerfile contain different packages, a review of the
    /// Dockerfile says nothing about what ships, and an upgrade that needs a maintainer script
    /// or a reboot can leave the image half-configured. Security fixes belong in the base
    /// image, which you rebuild from.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get -y dist-upgrade
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12.7-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u7
    /// ```
    ///
    /// ## Fix
    /// Rebuild on a newer base image, or upgrade the few packages you need by name and version.
    /// Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.7 "Ensure update instructions are not used alone in the Dockerfile"
    pub static PACKAGE_UPGRADE_IN_BUILD = {
        code: "IMG011",
        name: "package-upgrade-in-build",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "every package is upgraded during the build",
        aliases: [(Hadolint, "DL3005"), (Hadolint, "DL3035"), (Trivy, "DS-0024")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in run.commands(&["apt-get", "apt"]) {
        let args = command.parse_args();
        let Some(sub) = args.subcommand() else { continue };
        let Some(text) = sub.as_str() else { continue };
        if !matches!(text, "upgrade" | "dist-upgrade" | "full-upgrade") {
            continue;
        }
        let name = command.command_name().unwrap_or("apt-get");
        checker
            .report(
                &PACKAGE_UPGRADE_IN_BUILD,
                &run.origin(sub.span),
                format!("`{name} {text}` makes the image depend on the day it was built"),
            )
            .help = Some("rebuild on a newer base image instead".into());
    }
    for command in run.commands(&["zypper"]) {
        let args = command.parse_args();
        let Some(sub) = args.subcommand() else { continue };
        let Some(text) = sub.as_str() else { continue };
        if !matches!(text, "dist-upgrade" | "dup") {
            continue;
        }
        checker
            .report(
                &PACKAGE_UPGRADE_IN_BUILD,
                &run.origin(sub.span),
                format!("`zypper {text}` makes the image depend on the day it was built"),
            )
            .help = Some("rebuild on a newer base image instead".into());
    }
}
