use shipshape_model::{EngineConfig, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon that logs at debug level: `"log-level": "debug"` (or `trace`) in
    /// daemon.json, or debug mode (`"debug": true`, `Debug: true` in `docker info`).
    ///
    /// ## Why is this bad?
    /// Debug logging records every API call and much internal detail, which can include request
    /// parameters such as the environment of a container being created. It lands in the system
    /// journal, which more people and tools can read than the Engine API. The volume also buries
    /// the events that matter and can fill the disk. `info` records what an audit needs.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "debug": true,
    ///   "log-level": "debug"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "log-level": "info"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `"log-level": "info"` and remove `debug`, then reload or restart the daemon. Turn
    /// debug on for a troubleshooting session only, and off again afterwards.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.3 "Ensure the logging level is set to 'info'"
    pub static DEBUG_LOGGING = {
        code: "MON401",
        name: "debug-logging",
        layer: Monitoring,
        threat: SecretExposure,
        asset: Data,
        severity: Low,
        fix: None,
        summary: "the daemon logs at debug level",
        aliases: [(CisDocker, "2.3")],
    }
}

fn is_debug_level(level: &str) -> bool {
    matches!(level.trim().to_ascii_lowercase().as_str(), "debug" | "trace")
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    // One finding: the log level when it says debug, else debug mode.
    let level = config.log_level.as_ref().filter(|l| is_debug_level(&l.value));
    let (origin, message) = match (level, &config.debug) {
        (Some(level), _) => (&level.origin, format!("the daemon's log level is `{}`", level.value.trim())),
        (None, Some(debug)) if debug.value => (&debug.origin, "the daemon runs in debug mode".to_string()),
        _ => return,
    };
    checker
        .report(
            &DEBUG_LOGGING,
            origin,
            format!("{message}: API calls and internal detail go to the system log"),
        )
        .help = Some("set `\"log-level\": \"info\"` and remove `debug` from daemon.json".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_debug_level_or_mode_once() {
        let mut config = unknown();
        assert!(run(&DEBUG_LOGGING, &config).is_empty());
        config.debug = Some(set(false, 2));
        config.log_level = Some(set("info".into(), 5));
        assert!(run(&DEBUG_LOGGING, &config).is_empty());
        config.debug = Some(set(true, 2));
        assert_eq!(starts(&run(&DEBUG_LOGGING, &config)), [2]);
        config.log_level = Some(set("DEBUG".into(), 5));
        assert_eq!(starts(&run(&DEBUG_LOGGING, &config)), [5]);
        config.debug = None;
        config.log_level = Some(set("trace".into(), 5));
        assert_eq!(starts(&run(&DEBUG_LOGGING, &config)), [5]);
    }
}
