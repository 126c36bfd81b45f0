use shipshape_model::{EngineConfig, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon that runs the userland proxy (`docker-proxy`) for published ports:
    /// daemon.json `"userland-proxy": true` (or, in the offline scan of a daemon.json, no
    /// `userland-proxy` at all, since `true` is the default), or Docker 29.5 and later reporting
    /// `EnableUserlandProxy` in `docker info`'s `FirewallBackend`.
    ///
    /// ## Why is this bad?
    /// The proxy is one more root process per published port, listening on the host. The
    /// connections it carries (from the host itself, and from containers to a published port)
    /// reach the container from the bridge gateway's address, hiding the real client from
    /// address-based access control and logs. The kernel's hairpin NAT carries the same traffic
    /// without it.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "userland-proxy": true
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "userland-proxy": false
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `"userland-proxy": false` and restart the daemon. Test connections to published ports
    /// from the host itself (`localhost`) afterwards: some older network setups relied on the
    /// proxy for them.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.16 "Ensure Userland Proxy is Disabled"
    /// - Docker documentation, "Packet filtering and firewalls"
    pub static USERLAND_PROXY_ENABLED = {
        code: "NET402",
        name: "userland-proxy-enabled",
        layer: Network,
        threat: NetworkAttack,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "published ports go through the userland proxy",
        aliases: [(CisDocker, "2.16")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(proxy) = &config.userland_proxy else { return };
    if !proxy.value {
        return;
    }
    let note = default_note(config, proxy, "userland-proxy");
    checker
        .report(
            &USERLAND_PROXY_ENABLED,
            &proxy.origin,
            format!(
                "the userland proxy is on{note}: a root `docker-proxy` process serves each published port"
            ),
        )
        .help = Some("set `\"userland-proxy\": false` in daemon.json".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_the_proxy_when_on() {
        let mut config = unknown();
        assert!(run(&USERLAND_PROXY_ENABLED, &config).is_empty());
        config.userland_proxy = Some(set(false, 7));
        assert!(run(&USERLAND_PROXY_ENABLED, &config).is_empty());
        config.userland_proxy = Some(set(true, 7));
        assert_eq!(starts(&run(&USERLAND_PROXY_ENABLED, &config)), [7]);
    }
}
