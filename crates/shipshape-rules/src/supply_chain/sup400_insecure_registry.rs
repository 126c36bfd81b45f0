use shipshape_model::{EngineConfig, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags every registry the Docker daemon talks to without verifying TLS, other than the
    /// loopback ones it treats that way by itself (`127.0.0.0/8`, `::1/128`): daemon.json
    /// `insecure-registries` entries, and in `docker info` the `RegistryConfig`'s
    /// `InsecureRegistryCIDRs` and the `IndexConfigs` marked `"Secure": false`.
    ///
    /// ## Why is this bad?
    /// For an insecure registry the daemon accepts plain HTTP and any certificate. Anyone on the
    /// network path (a compromised router, ARP or DNS spoofing in the same network) can serve
    /// their own image under a trusted name, and every host that pulls it runs the attacker's
    /// code; credentials sent to the registry travel in the clear. A CIDR entry extends that to
    /// every registry in the range.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "insecure-registries": ["registry.internal.example:5000", "10.0.0.0/8"]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "insecure-registries": []
    /// }
    /// ```
    ///
    /// ## Fix
    /// Give the registry a certificate (from an internal CA: put the CA in
    /// `/etc/docker/certs.d/<registry>/ca.crt` on each host), then remove it from
    /// `insecure-registries` and reload the daemon. Pin images by digest so a swapped image is
    /// refused even where the transport is weak.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.5 "Ensure insecure registries are not used"
    /// - Docker documentation, "Test an insecure registry"
    pub static INSECURE_REGISTRY = {
        code: "SUP400",
        name: "insecure-registry",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: High,
        fix: None,
        summary: "the daemon pulls from a registry without TLS verification",
        aliases: [(CisDocker, "2.5")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(registries) = &config.insecure_registries else { return };
    for registry in &registries.value {
        let what = if registry.value.contains('/') {
            format!("registries in `{}` are", registry.value)
        } else {
            format!("registry `{}` is", registry.value)
        };
        checker
            .report(
                &INSECURE_REGISTRY,
                &registry.origin,
                format!("{what} trusted without TLS verification: anyone on the network path can serve their own images"),
            )
            .help = Some("give the registry a certificate and remove it from `insecure-registries`".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{list, run, starts, unknown};

    #[test]
    fn flags_each_insecure_registry() {
        let mut config = unknown();
        assert!(run(&INSECURE_REGISTRY, &config).is_empty());
        config.insecure_registries = Some(list(Vec::new(), 10));
        assert!(run(&INSECURE_REGISTRY, &config).is_empty());
        config.insecure_registries =
            Some(list(vec!["10.0.0.0/8".to_string(), "registry.lan:5000".to_string()], 10));
        let findings = run(&INSECURE_REGISTRY, &config);
        assert_eq!(starts(&findings), [11, 12]);
        assert!(findings[0].message.starts_with("registries in `10.0.0.0/8` are"), "{}", findings[0].message);
        assert!(
            findings[1].message.starts_with("registry `registry.lan:5000` is"),
            "{}",
            findings[1].message
        );
    }
}
