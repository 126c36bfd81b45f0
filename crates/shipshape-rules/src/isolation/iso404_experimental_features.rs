use shipshape_model::{EngineConfig, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon with experimental features on (`ExperimentalBuild: true` in
    /// `docker info`, `"Experimental": "true"` for the engine in `GET /version`,
    /// `"experimental": true` in daemon.json).
    ///
    /// ## Why is this bad?
    /// Experimental features are not covered by Docker's stability or security guarantees; they
    /// change or disappear between releases and widen what the daemon, which runs as root,
    /// exposes through its API (checkpoint and restore, for example, reads and writes whole
    /// process images).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "experimental": true
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "experimental": false
    /// }
    /// ```
    ///
    /// ## Fix
    /// Remove `experimental` (or set it to `false`) on production hosts and restart the daemon;
    /// try experimental features on a separate development host.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.18 "Ensure that experimental features are not implemented in production"
    pub static EXPERIMENTAL_FEATURES = {
        code: "ISO404",
        name: "experimental-features",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "the daemon runs with experimental features on",
        aliases: [(CisDocker, "2.18")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(experimental) = &config.experimental else { return };
    if experimental.value {
        checker
            .report(
                &EXPERIMENTAL_FEATURES,
                &experimental.origin,
                "experimental features are on: they carry no stability or security guarantees",
            )
            .help = Some("turn `experimental` off on production hosts".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_experimental_true_only() {
        let mut config = unknown();
        assert!(run(&EXPERIMENTAL_FEATURES, &config).is_empty());
        config.experimental = Some(set(false, 1));
        assert!(run(&EXPERIMENTAL_FEATURES, &config).is_empty());
        config.experimental = Some(set(true, 1));
        assert_eq!(starts(&run(&EXPERIMENTAL_FEATURES, &config)), [1]);
    }
}
