use shipshape_model::{EngineConfig, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon without live restore: `LiveRestoreEnabled: false` in `docker info`,
    /// `"live-restore": false` in daemon.json (or, in the offline scan of a daemon.json, no
    /// `live-restore` at all). A daemon in swarm mode is not flagged: live restore does not
    /// apply to it.
    ///
    /// ## Why is this bad?
    /// Without live restore, every container stops when the daemon stops: a daemon upgrade, a
    /// crash, or an attacker who can kill `dockerd` takes every workload on the host down at
    /// once. With it, containers keep running and the daemon reattaches when it returns.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "live-restore": false
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "live-restore": true
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `"live-restore": true` and reload the daemon (`systemctl reload docker`: this setting
    /// can change without a restart).
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.15 "Ensure live restore is enabled"
    /// - Docker documentation, "Live restore"
    pub static LIVE_RESTORE_DISABLED = {
        code: "ISO401",
        name: "live-restore-disabled",
        layer: Isolation,
        threat: ResourceExhaustion,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "every container stops when the daemon stops",
        aliases: [(CisDocker, "2.15")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(live_restore) = &config.live_restore else { return };
    if live_restore.value || config.swarm_active.as_ref().is_some_and(|s| s.value) {
        return;
    }
    let note = default_note(config, live_restore, "live-restore");
    checker
        .report(
            &LIVE_RESTORE_DISABLED,
            &live_restore.origin,
            format!("live restore is off{note}: every container stops when the daemon stops or restarts"),
        )
        .help = Some("set `\"live-restore\": true` in daemon.json and reload the daemon".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_live_restore_off_outside_swarm() {
        let mut config = unknown();
        assert!(run(&LIVE_RESTORE_DISABLED, &config).is_empty());
        config.live_restore = Some(set(false, 4));
        assert_eq!(starts(&run(&LIVE_RESTORE_DISABLED, &config)), [4]);
        config.swarm_active = Some(set(true, 8));
        assert!(run(&LIVE_RESTORE_DISABLED, &config).is_empty());
        config.swarm_active = Some(set(false, 8));
        config.live_restore = Some(set(true, 4));
        assert!(run(&LIVE_RESTORE_DISABLED, &config).is_empty());
    }
}
