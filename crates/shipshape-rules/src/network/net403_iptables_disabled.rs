use shipshape_model::{EngineConfig, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon told not to manage the firewall: daemon.json `"iptables": false`
    /// (`dockerd --iptables=false`). `docker info` does not report this setting, so only a
    /// daemon.json can trigger this rule.
    ///
    /// ## Why is this bad?
    /// Docker's own rules are what isolate networks from each other, keep `icc: false` working
    /// and limit published ports to the addresses they are bound to. Without them, containers'
    /// traffic follows whatever the host's firewall happens to allow: networks that should be
    /// isolated can reach each other, and hand-written rules drift out of date as containers come
    /// and go.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "iptables": false
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "iptables": true
    /// }
    /// ```
    ///
    /// ## Fix
    /// Remove `"iptables": false` and restart the daemon. To add your own policy, put rules in
    /// the `DOCKER-USER` chain, which Docker evaluates first and never rewrites.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.4 "Ensure Docker is allowed to make changes to iptables"
    /// - Docker documentation, "Packet filtering and firewalls"
    pub static IPTABLES_DISABLED = {
        code: "NET403",
        name: "iptables-disabled",
        layer: Network,
        threat: NetworkAttack,
        asset: OtherContainers,
        severity: Medium,
        fix: None,
        summary: "the daemon does not manage the firewall rules that isolate container networks",
        aliases: [(CisDocker, "2.4")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(iptables) = &config.iptables else { return };
    if !iptables.value {
        checker
            .report(
                &IPTABLES_DISABLED,
                &iptables.origin,
                "the daemon does not manage iptables: nothing isolates container networks from each other",
            )
            .help =
            Some("remove `\"iptables\": false`; add your own rules to the `DOCKER-USER` chain".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_iptables_false_only() {
        let mut config = unknown();
        assert!(run(&IPTABLES_DISABLED, &config).is_empty());
        config.iptables = Some(set(true, 3));
        assert!(run(&IPTABLES_DISABLED, &config).is_empty());
        config.iptables = Some(set(false, 3));
        assert_eq!(starts(&run(&IPTABLES_DISABLED, &config)), [3]);
    }
}
