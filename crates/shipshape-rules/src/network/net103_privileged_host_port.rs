use shipshape_model::{PortMapping, Workload, declare_rule};

use crate::context::Checker;
use crate::network::net102_sensitive_port_published::{describe_container_port, describe_host_side};

declare_rule! {
    /// ## What it does
    /// Flags a host port below 1024 (a privileged port) that a container publishes, other than
    /// 80 and 443: the web's ports, which a reverse proxy is expected to take. Host port ranges
    /// are flagged when they include a privileged port other than those two. Ephemeral host
    /// ports are never privileged.
    ///
    /// ## Why is this bad?
    /// Ports below 1024 are reserved for the host's system services (SSH, DNS, mail, NTP, ...)
    /// and clients trust that only root can listen on them. A container taking one can
    /// impersonate such a service or hide a listener where administrators do not look.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   dns:
    ///     image: example/dns:1
    ///     ports:
    ///       - "53:5353/udp"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   dns:
    ///     image: example/dns:1
    ///     ports:
    ///       - "127.0.0.1:5353:5353/udp"
    /// ```
    ///
    /// ## Fix
    /// Publish on a port of 1024 or above, or review the mapping and suppress the finding with a
    /// reason when the container is the host's designated service for that port.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.7 "Ensure privileged ports are not mapped within containers"
    /// - Kubernetes Pod Security Standards, baseline: Host Ports
    pub static PRIVILEGED_HOST_PORT = {
        code: "NET103",
        name: "privileged-host-port",
        layer: Network,
        threat: NetworkAttack,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "a privileged host port (below 1024) is published",
        aliases: [(CisDocker, "5.7"), (Kics, "bc2908f3-f73c-40a9-8793-c1b7d5544f79"), (Pss, "baseline/host-ports")],
    }
}

/// Ports below 1024 that publishing is expected to use.
const EXPECTED: [u16; 2] = [80, 443];

/// Whether the mapping's host port range includes a privileged port other than 80 and 443.
fn takes_privileged_port(port: &PortMapping) -> bool {
    let Some(first) = port.host_port.filter(|p| *p > 0) else { return false };
    if first >= 1024 {
        return false;
    }
    let last = port.host_port_end.unwrap_or(first).clamp(first, 1023);
    let expected_inside = EXPECTED.iter().filter(|p| (first..=last).contains(*p)).count();
    usize::from(last - first) + 1 > expected_inside
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for port in workload.ports.iter().filter(|p| takes_privileged_port(p)) {
        checker
            .report(
                &PRIVILEGED_HOST_PORT,
                &port.origin,
                format!(
                    "container port {} is published on {}, a privileged port (below 1024)",
                    describe_container_port(port),
                    describe_host_side(port)
                ),
            )
            .help = Some("publish on a host port of 1024 or above".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{port, run, service, starts};

    #[test]
    fn flags_privileged_host_ports_but_web_ports() {
        let mut w = service();
        w.ports = vec![
            port(None, Some(22), 22, 10),
            port(Some("127.0.0.1"), Some(53), 5353, 20),
            port(None, Some(80), 8080, 30),
            port(None, Some(443), 8443, 40),
            port(None, Some(8080), 80, 50),
            port(None, None, 80, 60),
            port(None, Some(1023), 1023, 70),
            port(None, Some(1024), 1024, 80),
        ];
        assert_eq!(starts(&run(&PRIVILEGED_HOST_PORT, &w)), [10, 20, 70]);
    }

    #[test]
    fn ranges() {
        let mut range = port(None, Some(80), 80, 10);
        range.host_port_end = Some(80);
        assert!(!takes_privileged_port(&range));
        range.host_port_end = Some(81);
        assert!(takes_privileged_port(&range));
        let mut high = port(None, Some(1000), 1000, 10);
        high.host_port_end = Some(2000);
        assert!(takes_privileged_port(&high));
        let mut reversed = port(None, Some(443), 443, 10);
        reversed.host_port_end = Some(100);
        assert!(!takes_privileged_port(&reversed));
    }
}
