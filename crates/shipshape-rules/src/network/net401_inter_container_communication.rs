use shipshape_model::{EngineConfig, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags inter-container communication on Docker's default bridge (`docker0`): daemon.json
    /// `"icc": true` (or, in the offline scan of a daemon.json, no `icc` at all, since `true` is
    /// the default), or the default bridge network's option
    /// `com.docker.network.bridge.enable_icc: "true"`. A daemon without a default bridge
    /// (`"bridge": "none"`) is not flagged.
    ///
    /// ## Why is this bad?
    /// Every container started without `--network` joins the default bridge, and with `icc` on
    /// each of them can reach every port of every other one, published or not. A compromised
    /// container can then probe and attack unrelated workloads on the same host, or read
    /// traffic meant for them.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "icc": true
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "icc": false
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `"icc": false` (it needs `iptables` left on) and restart the daemon; connect the
    /// containers that must talk through user-defined networks, which isolate each group from
    /// the others. For the restriction to hold, containers on the default bridge should also
    /// drop `NET_RAW`.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.2 "Ensure network traffic is restricted between containers on the default bridge"
    /// - Docker documentation, "Bridge network driver"
    pub static INTER_CONTAINER_COMMUNICATION = {
        code: "NET401",
        name: "inter-container-communication",
        layer: Network,
        threat: NetworkAttack,
        asset: OtherContainers,
        severity: Medium,
        fix: None,
        summary: "containers on the default bridge can reach each other",
        aliases: [(CisDocker, "2.2")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(icc) = &config.icc else { return };
    if !icc.value || config.default_bridge.as_ref().is_some_and(|b| !b.value) {
        return;
    }
    let note = default_note(config, icc, "icc");
    checker
        .report(
            &INTER_CONTAINER_COMMUNICATION,
            &icc.origin,
            format!(
                "inter-container communication is on for the default bridge{note}: every container on it can reach every other one's ports"
            ),
        )
        .help = Some("set `\"icc\": false` in daemon.json and use user-defined networks".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_icc_on_a_default_bridge() {
        let mut config = unknown();
        assert!(run(&INTER_CONTAINER_COMMUNICATION, &config).is_empty());
        config.icc = Some(set(false, 4));
        assert!(run(&INTER_CONTAINER_COMMUNICATION, &config).is_empty());
        config.icc = Some(set(true, 4));
        assert_eq!(starts(&run(&INTER_CONTAINER_COMMUNICATION, &config)), [4]);
        config.default_bridge = Some(set(false, 9));
        assert!(run(&INTER_CONTAINER_COMMUNICATION, &config).is_empty());
    }
}
