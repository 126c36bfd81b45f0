use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso100_host_pid_namespace::report_host_namespace;

declare_rule! {
    /// ## What it does
    /// Flags a container that uses the host's network namespace (Compose
    /// `network_mode: host`, `docker run --network=host`, Kubernetes `hostNetwork: true`).
    ///
    /// ## Why is this bad?
    /// With the host's network the container binds directly on every host interface (ports are
    /// not published, they are simply open), reaches services that listen only on the host's
    /// loopback (the Docker API on `127.0.0.1:2375`, the kubelet, databases, cloud metadata
    /// proxies), sees all host traffic with `NET_RAW` and can change the host's network
    /// configuration with `NET_ADMIN`. Network segmentation between containers no longer applies.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     network_mode: host
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     ports:
    ///       - "127.0.0.1:8080:8080"
    /// ```
    ///
    /// ## Fix
    /// Remove `network_mode: host` and publish only the ports the service needs.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.9 "Ensure that the host's network namespace is not shared"
    /// - Kubernetes Pod Security Standards, baseline: Host Namespaces
    pub static HOST_NETWORK = {
        code: "NET100",
        name: "host-network",
        layer: Network,
        threat: NetworkAttack,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the container uses the host's network namespace",
        aliases: [
            (CisDocker, "5.9"),
            (Kics, "071a71ff-f868-47a4-ac0b-3c59e4ab5443"),
            (Checkov, "CKV_K8S_19"),
            (Pss, "baseline/host-namespaces"),
        ],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    report_host_namespace(
        &HOST_NETWORK,
        workload.namespaces.network.as_ref(),
        checker,
        "the container uses the host's network: it listens on every host interface and reaches the host's loopback services",
        "remove `network_mode: host` (`hostNetwork: true`) and publish only the ports the service needs",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use shipshape_model::NamespaceMode;

    #[test]
    fn flags_host_network_only() {
        let mut w = service();
        assert!(run(&HOST_NETWORK, &w).is_empty());
        for mode in [NamespaceMode::Private("none".into()), NamespaceMode::Container("vpn".into())] {
            w.namespaces.network = Some(set(mode, 6));
            assert!(run(&HOST_NETWORK, &w).is_empty());
        }
        w.namespaces.network = Some(set(NamespaceMode::Host, 6));
        assert_eq!(starts(&run(&HOST_NETWORK, &w)), [6]);
    }
}
