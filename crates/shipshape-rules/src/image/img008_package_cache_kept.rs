use shipshape_model::{Applicability, declare_rule};
use shipshape_shell::SimpleCommand;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags, in the stage that ships, a package install whose download cache stays in the
    /// layer: `apt-get install` without removing `/var/lib/apt/lists` in the same `RUN`,
    /// `apk add` without `--no-cache`, `pip install` without `--no-cache-dir` (or
    /// `PIP_NO_CACHE_DIR`), and `yum`/`dnf`/`zypper install` without `clean all` (`zypper clean`).
    /// A `RUN --mount=type=cache` on the cache directory keeps the cache out of the image, so
    /// such a run is not flagged. The finding points at the install subcommand.
    ///
    /// ## Why is this bad?
    /// The cache is never used at run time, yet it is shipped and pulled with every image:
    /// tens to hundreds of megabytes, plus package indexes that describe the repository at build
    /// time. Removing it in a later `RUN` does not help; the earlier layer still holds it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
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
    /// Clean up in the same `RUN`, use the manager's no-cache option, or mount the cache with
    /// `RUN --mount=type=cache,target=...`.
    ///
    /// ## Fix safety
    /// For `apk add` (`--no-cache`) and `pip install` (`--no-cache-dir`) the fix inserts the
    /// option after the subcommand; it only stops the cache from being written (and `apk` then
    /// reads a fresh index), so it is safe. Clean-up commands for apt, yum, dnf and zypper are
    /// suggested, not applied: where they belong in a script is a judgement.
    ///
    /// ## References
    /// - Docker documentation, "Dockerfile best practices: apt-get"
    pub static PACKAGE_CACHE_KEPT = {
        code: "IMG008",
        name: "package-cache-kept",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Sometimes,
        summary: "a package manager's cache is left in the image",
        aliases: [
            (Hadolint, "DL3009"),
            (Hadolint, "DL3019"),
            (Hadolint, "DL3042"),
            (Hadolint, "DL3032"),
            (Hadolint, "DL3040"),
            (Hadolint, "DL3036"), (Trivy, "DS-0015"), (Trivy, "DS-0019"), (Trivy, "DS-0020"), (Trivy, "DS-0025")],
    }
}

/// Whether an `rm` in the run removes `dir` (or everything under it).
fn removes(run: &RunScript<'_>, dir: &str) -> bool {
    run.commands(&["rm"]).any(|rm| {
        rm.operands().iter().any(|w| {
            let path = w.value.trim_end_matches(['*', '/']);
            path == dir || path.starts_with(&format!("{dir}/"))
        })
    })
}

/// Whether the run calls `tool` with subcommand `clean` (`yum clean all`, `zypper clean`/`cc`).
fn cleans(run: &RunScript<'_>, tools: &[&str]) -> bool {
    run.commands(tools).any(|c| matches!(c.subcommand(), Some("clean" | "cc")))
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    if !run.is_final {
        return;
    }
    for command in &run.script.commands {
        let Some((message, help)) = kept_cache(run, command) else { continue };
        let subcommand = command.parse_args().subcommand();
        let word = subcommand.unwrap_or(command.command());
        // An option that only turns the cache off changes nothing else the command does.
        let option = match command.command_name().map(shipshape_shell::family) {
            Some("apk") => Some("--no-cache"),
            Some("pip") => Some("--no-cache-dir"),
            _ => None,
        };
        let fix = option
            .zip(subcommand)
            .and_then(|(option, sub)| run.insert_after(sub, option, Applicability::Safe));
        let finding = checker.report(&PACKAGE_CACHE_KEPT, &run.origin(word.span), message);
        finding.help = Some(help);
        finding.fix = fix;
    }
}

/// What `command` leaves behind, and how to avoid it.
fn kept_cache(run: &RunScript<'_>, command: &SimpleCommand) -> Option<(String, String)> {
    let name = command.command_name()?;
    let sub = command.subcommand().unwrap_or("");
    let (kept, message, help) = match (shipshape_shell::family(name), sub) {
        ("apt-get" | "apt", "install") => (
            !removes(run, "/var/lib/apt/lists") && !run.has_cache_mount("/var/lib/apt"),
            format!("`{name} install` leaves the package lists in the layer"),
            "end the same `RUN` with `rm -rf /var/lib/apt/lists/*`".to_string(),
        ),
        ("apk", "add") => (
            !command.has_option(&["--no-cache"])
                && !removes(run, "/var/cache/apk")
                && !run.has_cache_mount("/var/cache/apk"),
            "`apk add` without `--no-cache` leaves the package index in the layer".to_string(),
            "add `--no-cache`".to_string(),
        ),
        ("pip", "install") => {
            let env_off = run
                .stage_env("PIP_NO_CACHE_DIR")
                .or_else(|| {
                    command
                        .assignments
                        .iter()
                        .find(|a| a.name == "PIP_NO_CACHE_DIR")
                        .map(|a| a.value.value.as_str())
                })
                .is_some_and(|v| !matches!(v, "" | "0" | "false" | "no" | "off"));
            let mounted = run.run.mounts.iter().any(|m| {
                m.kind == "cache"
                    && m.target().is_some_and(|t| t.trim_end_matches('/').ends_with(".cache/pip"))
            }) || run.has_cache_mount("/root/.cache");
            (
                !command.has_option(&["--no-cache-dir"]) && !env_off && !mounted,
                "`pip install` without `--no-cache-dir` leaves downloaded wheels in the layer".to_string(),
                "add `--no-cache-dir`".to_string(),
            )
        }
        ("yum" | "dnf" | "dnf5" | "microdnf" | "tdnf", "install") => {
            let cache = if name.starts_with("yum") { "/var/cache/yum" } else { "/var/cache/dnf" };
            (
                !cleans(run, &["yum", "dnf", "dnf5", "microdnf", "tdnf"])
                    && !removes(run, cache)
                    && !run.has_cache_mount(cache),
                format!("`{name} install` without `{name} clean all` leaves its cache in the layer"),
                format!("end the same `RUN` with `{name} clean all`"),
            )
        }
        ("zypper", "install" | "in") => (
            !cleans(run, &["zypper"])
                && !removes(run, "/var/cache/zypp")
                && !run.has_cache_mount("/var/cache/zypp"),
            "`zypper install` without `zypper clean` leaves its cache in the layer".to_string(),
            "end the same `RUN` with `zypper clean --all`".to_string(),
        ),
        _ => return None,
    };
    kept.then_some((message, help))
}
