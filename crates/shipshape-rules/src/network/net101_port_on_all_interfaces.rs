use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::network::net102_sensitive_port_published::{
    SENSITIVE_PORT_PUBLISHED, describe_container_port, describe_host_side, sensitive_ports,
};

declare_rule! {
    /// ## What it does
    /// Flags a port published on every host interface: Compose `ports: ["8080:80"]` or
    /// `"0.0.0.0:8080:80"`, `docker run -p 8080:80`, a Kubernetes `hostPort` without `hostIP`.
    /// Ports bound to a specific address (`127.0.0.1:8080:80`) are fine. A port that
    /// `sensitive-port-published` reports is left to it while it is enabled.
    ///
    /// ## Why is this bad?
    /// Docker publishes ports with its own firewall rules, which bypass host firewalls such as
    /// `ufw` and `firewalld`: a port published on `0.0.0.0` is usually reachable from every
    /// network the host is on, the internet included, even when the host's firewall says
    /// otherwise.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   admin:
    ///     image: example/admin:1
    ///     ports:
    ///       - "8080:80"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   admin:
    ///     image: example/admin:1
    ///     ports:
    ///       - "127.0.0.1:8080:80"
    /// ```
    ///
    /// ## Fix
    /// Bind the port to the interface that should receive traffic (`127.0.0.1` behind a reverse
    /// proxy on the same host, a private address otherwise). Public entry points such as a
    /// reverse proxy on 80 and 443 are meant to listen everywhere: suppress the finding there.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.13 "Ensure that incoming container traffic is bound to a specific host interface"
    pub static PORT_ON_ALL_INTERFACES = {
        code: "NET101",
        name: "port-on-all-interfaces",
        layer: Network,
        threat: NetworkAttack,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "a port is published on every host interface",
        aliases: [(CisDocker, "5.13"), (Kics, "451d79dc-0588-476a-ad03-3c7f0320abb3"), (Pss, "baseline/host-ports")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let sensitive_runs = checker.enabled(&SENSITIVE_PORT_PUBLISHED);
    for port in workload.ports.iter().filter(|p| p.on_all_interfaces()) {
        if sensitive_runs && !sensitive_ports(port).is_empty() {
            continue;
        }
        checker
            .report(
                &PORT_ON_ALL_INTERFACES,
                &port.origin,
                format!(
                    "container port {} is published on {}",
                    describe_container_port(port),
                    describe_host_side(port)
                ),
            )
            .help = Some("bind it to a specific address, e.g. `127.0.0.1:HOST:CONTAINER`".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{port, run, run_with_all, service, starts};

    #[test]
    fn flags_ports_without_a_specific_address() {
        let mut w = service();
        w.ports = vec![
            port(None, Some(8080), 80, 10),
            port(Some("0.0.0.0"), Some(8443), 443, 20),
            port(Some("::"), Some(9000), 9000, 30),
            port(Some("127.0.0.1"), Some(8081), 80, 40),
            port(Some("192.168.1.10"), Some(8082), 80, 50),
            port(None, None, 3000, 60),
        ];
        let findings = run(&PORT_ON_ALL_INTERFACES, &w);
        assert_eq!(starts(&findings), [10, 20, 30, 60]);
        assert_eq!(
            findings[0].message,
            "container port 80/tcp is published on host port 8080 on every interface"
        );
    }

    #[test]
    fn defers_sensitive_ports_while_that_rule_runs() {
        let mut w = service();
        w.ports = vec![port(None, Some(5432), 5432, 10), port(None, Some(8080), 80, 20)];
        assert_eq!(starts(&run_with_all(&PORT_ON_ALL_INTERFACES, &w)), [20]);
        assert_eq!(starts(&run(&PORT_ON_ALL_INTERFACES, &w)), [10, 20]);
    }
}
