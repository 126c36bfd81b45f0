use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that refreshes the package index (`apt-get update`, `apk update`) without
    /// installing anything in the same `RUN`. The finding points at `update`.
    ///
    /// ## Why is this bad?
    /// The layer with the index is cached. A later change to the `RUN ... install` line
    /// rebuilds only that step, with the old index: packages come from a stale snapshot, miss
    /// security updates, or fail to download because the mirror has moved on.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Update and install in the same `RUN`. Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.7 "Ensure update instructions are not used alone in the Dockerfile"
    pub static PACKAGE_INDEX_UPDATE_ALONE = {
        code: "IMG012",
        name: "package-index-update-alone",
        layer: Image,
        threat: VulnerableDependency,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "the package index is refreshed in a `RUN` of its own",
        aliases: [(Checkov, "CKV_DOCKER_5"), (Trivy, "DS-0017"), (CisDocker, "4.7")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    let installs = run.script.commands.iter().any(|c| {
        matches!(
            (c.command_name().map(shipshape_shell::family), c.subcommand()),
            (
                Some("apt-get" | "apt" | "aptitude"),
                Some("install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep")
            ) | (Some("apk"), Some("add" | "upgrade"))
        )
    });
    if installs {
        return;
    }
    for command in run.commands(&["apt-get", "apt", "aptitude", "apk"]) {
        let args = command.parse_args();
        let Some(sub) = args.subcommand().filter(|s| s.is("update")) else { continue };
        let name = command.command_name().unwrap_or("apt-get");
        checker
            .report(
                &PACKAGE_INDEX_UPDATE_ALONE,
                &run.origin(sub.span),
                format!("`{name} update` without an install in the same `RUN` leaves a stale, cached index"),
            )
            .help = Some(format!("run `{name} update` and the install in one `RUN`"));
    }
}
