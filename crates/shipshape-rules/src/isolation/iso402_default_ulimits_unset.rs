use shipshape_model::{EngineConfig, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon configuration without default ulimits: daemon.json has an empty
    /// `default-ulimits` (or, in the offline scan of a daemon.json, none). `docker info` does not
    /// report default ulimits, so only a daemon.json can trigger this rule.
    ///
    /// ## Why is this bad?
    /// Containers then inherit the daemon's own limits, which service managers often set very
    /// high (Docker's own systemd unit long used `LimitNOFILE=infinity`). One container can open
    /// millions of files or start thousands of processes and exhaust what the host and every
    /// other container share. Per-container
    /// `--ulimit` settings override the default where a workload needs more.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "default-ulimits": {}
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "default-ulimits": {
    ///     "nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096},
    ///     "nproc": {"Name": "nproc", "Soft": 2048, "Hard": 4096}
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `default-ulimits` for at least `nofile` and `nproc`, sized for your workloads, and
    /// raise them per container with `--ulimit` where one needs more. Pair with PID limits
    /// (`--pids-limit`), which bound processes per container rather than per user.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.8 "Ensure the default ulimit is configured appropriately"
    /// - Docker documentation, dockerd "Default ulimit settings"
    pub static DEFAULT_ULIMITS_UNSET = {
        code: "ISO402",
        name: "default-ulimits-unset",
        layer: Isolation,
        threat: ResourceExhaustion,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "the daemon sets no default ulimits for containers",
        aliases: [(CisDocker, "2.8")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(ulimits) = &config.default_ulimits else { return };
    if !ulimits.value.is_empty() {
        return;
    }
    let note = default_note(config, ulimits, "default-ulimits");
    checker
        .report(
            &DEFAULT_ULIMITS_UNSET,
            &ulimits.origin,
            format!("no default ulimits are set{note}: containers inherit the daemon's very high limits"),
        )
        .help = Some("set `default-ulimits` for `nofile` and `nproc` in daemon.json".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{list, run, starts, unknown};
    use shipshape_model::Ulimit;

    #[test]
    fn flags_an_empty_set_only() {
        let mut config = unknown();
        assert!(run(&DEFAULT_ULIMITS_UNSET, &config).is_empty());
        config.default_ulimits = Some(list(Vec::new(), 6));
        assert_eq!(starts(&run(&DEFAULT_ULIMITS_UNSET, &config)), [6]);
        let nofile = Ulimit { name: "nofile".into(), soft: Some(1024), hard: Some(4096) };
        config.default_ulimits = Some(list(vec![nofile], 6));
        assert!(run(&DEFAULT_ULIMITS_UNSET, &config).is_empty());
    }
}
