use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags, in the stage that ships, a `RUN` that runs `yarn install` (or bare `yarn`) without
    /// `yarn cache clean` (or removing yarn's cache directory) in the same `RUN`. A cache mount
    /// on yarn's cache directory keeps the cache out of the image, so such a run is not
    /// flagged; nor is a build stage whose files are only copied from. The finding points at
    /// `install`.
    ///
    /// ## Why is this bad?
    /// yarn keeps a copy of every package it downloads in its global cache. That copy is never
    /// used at run time but ships in the layer, often doubling the size of `node_modules`.
    /// Cleaning it in a later `RUN` does not help: the earlier layer still holds it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile && yarn cache clean
    /// ```
    ///
    /// ## Fix
    /// End the same `RUN` with `yarn cache clean`, or mount the cache
    /// (`RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install`). Not fixed
    /// automatically: where the cache lives depends on the user, `YARN_CACHE_FOLDER` and the
    /// yarn version.
    ///
    /// ## References
    /// - hadolint DL3060
    pub static YARN_CACHE_KEPT = {
        code: "IMG049",
        name: "yarn-cache-kept",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "yarn's download cache is left in the image",
        aliases: [(Hadolint, "DL3060")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    if run.stage.is_some() && !run.is_final {
        return;
    }
    // A cache mount on yarn's cache (`/usr/local/share/.cache/yarn`, `~/.cache/yarn`,
    // `.yarn/cache`) or on `~/.cache`.
    let cache_mounted = run.run.mounts.iter().any(|m| {
        m.kind == "cache"
            && m.target().is_some_and(|t| t.contains("yarn") || t.trim_end_matches('/').ends_with(".cache"))
    });
    if cache_mounted {
        return;
    }
    let cleans = run.commands(&["yarn"]).any(|c| {
        let args = c.parse_args();
        args.positionals.first().is_some_and(|w| w.is("cache"))
            && args.positionals.get(1).is_some_and(|w| w.is("clean"))
    }) || run.commands(&["rm"]).any(|c| {
        c.operands().iter().any(|w| w.value.contains(".cache/yarn") || w.value.contains(".yarn/cache"))
    });
    if cleans {
        return;
    }
    for command in run.commands(&["yarn"]) {
        let args = command.parse_args();
        // Bare `yarn` installs, unless it only prints something (`yarn --version`).
        let installs = match args.positionals.first() {
            Some(sub) => sub.is("install"),
            None => !args.has(&["--version", "-v", "--help", "-h"]),
        };
        if !installs {
            continue;
        }
        let at = args.positionals.first().map_or(command.command().span, |w| w.span);
        checker
            .report(
                &YARN_CACHE_KEPT,
                &run.origin(at),
                "`yarn install` leaves its download cache in the layer",
            )
            .help = Some("end the same `RUN` with `yarn cache clean`".into());
    }
}
