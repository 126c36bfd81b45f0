use shipshape_model::{PortMapping, Severity, Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a published port whose container port is a well-known administrative or data
    /// service port: the Docker API (2375 plaintext, 2376 TLS), SSH (22), Telnet (23), RDP
    /// (3389), VNC (5900), databases and caches (MySQL 3306, PostgreSQL 5432, SQL Server 1433,
    /// Oracle 1521, MongoDB 27017-27019, Redis 6379, Memcached 11211, Elasticsearch 9200/9300,
    /// CouchDB 5984, Cassandra 7000/7001/9042/9160, InfluxDB 8086, Neo4j 7474/7687,
    /// CockroachDB 26257), cluster and queue control planes (etcd 2379/2380, kubelet
    /// 10250/10255, RabbitMQ 5672/15672, Kafka 9092, ZooKeeper 2181, Consul 8500, MQTT 1883,
    /// Erlang EPMD 4369) and file sharing (SMB 445).
    ///
    /// The container port decides: it tells which service answers (`15432:5432` is
    /// PostgreSQL, `5432:8080` is not). Port ranges are checked for any of these ports.
    /// The host address decides the severity:
    /// - every interface (no address, `0.0.0.0`, `::`): high, critical for the plaintext
    ///   Docker API;
    /// - a specific non-loopback address: medium;
    /// - loopback (`127.0.0.1`, `::1`, `localhost`): low.
    ///
    /// ## Why is this bad?
    /// These services are built to be reached by trusted clients. Exposed, they are scanned and
    /// attacked within minutes: default credentials, unauthenticated Redis, Memcached and
    /// Elasticsearch, a Docker API that hands out root on the host.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     ports:
    ///       - "5432:5432"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     expose:
    ///       - "5432"
    /// ```
    ///
    /// ## Fix
    /// Do not publish the port: services on the same Compose network reach it by name. For
    /// access from the host, bind to loopback (`127.0.0.1:5432:5432`). `port-on-all-interfaces`
    /// leaves the ports reported here to this rule while it is enabled.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.8 "Ensure that only needed ports are open on the container"
    /// - CIS Docker Benchmark 5.6 "Ensure sshd is not run within containers"
    pub static SENSITIVE_PORT_PUBLISHED = {
        code: "NET102",
        name: "sensitive-port-published",
        layer: Network,
        threat: NetworkAttack,
        asset: Data,
        severity: Critical,
        fix: None,
        summary: "an administrative or database port is published",
        aliases: [(CisDocker, "5.8")],
    }
}

/// Well-known ports of services that should not be reachable from outside.
const SENSITIVE_PORTS: &[(u16, &str)] = &[
    (22, "SSH"),
    (23, "Telnet"),
    (445, "SMB"),
    (1433, "SQL Server"),
    (1521, "Oracle Database"),
    (1883, "MQTT"),
    (2181, "ZooKeeper"),
    (2375, "the Docker API (plaintext)"),
    (2376, "the Docker API"),
    (2379, "etcd"),
    (2380, "etcd peer"),
    (3306, "MySQL"),
    (3389, "RDP"),
    (4369, "Erlang EPMD"),
    (5432, "PostgreSQL"),
    (5672, "RabbitMQ"),
    (5900, "VNC"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (7000, "Cassandra"),
    (7001, "Cassandra"),
    (7474, "Neo4j"),
    (7687, "Neo4j Bolt"),
    (8086, "InfluxDB"),
    (8500, "Consul"),
    (9042, "Cassandra"),
    (9092, "Kafka"),
    (9160, "Cassandra Thrift"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch transport"),
    (10250, "the kubelet API"),
    (10255, "the kubelet read-only API"),
    (11211, "Memcached"),
    (15672, "the RabbitMQ management UI"),
    (26257, "CockroachDB"),
    (27017, "MongoDB"),
    (27018, "MongoDB"),
    (27019, "MongoDB"),
];

/// Sensitive ports within the mapping's container port range, in port order.
pub(crate) fn sensitive_ports(port: &PortMapping) -> Vec<(u16, &'static str)> {
    let first = port.container_port;
    let last = port.container_port_end.unwrap_or(first).max(first);
    SENSITIVE_PORTS.iter().copied().filter(|(p, _)| (first..=last).contains(p)).collect()
}

/// Whether a host address is a loopback address.
pub(crate) fn is_loopback(host_ip: &str) -> bool {
    let ip = host_ip.trim().trim_start_matches('[').trim_end_matches(']');
    ip.starts_with("127.") || ip == "::1" || ip.eq_ignore_ascii_case("localhost")
}

/// The mapping's container port(s) for messages: `5432/tcp`, `8000-8010/tcp`.
pub(crate) fn describe_container_port(port: &PortMapping) -> String {
    match port.container_port_end {
        Some(end) if end != port.container_port => format!("{}-{end}/{}", port.container_port, port.protocol),
        _ => format!("{}/{}", port.container_port, port.protocol),
    }
}

/// Where the mapping listens on the host, for messages: `host port 8080 on every interface`,
/// `host port 5432 on 127.0.0.1`, `an ephemeral host port on every interface`.
pub(crate) fn describe_host_side(port: &PortMapping) -> String {
    let host_port = match (port.host_port, port.host_port_end) {
        (Some(start), Some(end)) if end != start => format!("host ports {start}-{end}"),
        (Some(start), _) => format!("host port {start}"),
        (None, _) => "an ephemeral host port".to_string(),
    };
    match port.host_ip.as_deref().map(str::trim).filter(|ip| !ip.is_empty()) {
        Some(ip) if !port.on_all_interfaces() => format!("{host_port} on {ip}"),
        _ => format!("{host_port} on every interface"),
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for port in &workload.ports {
        let found = sensitive_ports(port);
        let Some((first, service)) = found.first().copied() else { continue };
        let severity = match port.host_ip.as_deref() {
            _ if port.on_all_interfaces() => {
                if found.iter().any(|(p, _)| *p == 2375) {
                    Severity::Critical
                } else {
                    Severity::High
                }
            }
            Some(ip) if is_loopback(ip) => Severity::Low,
            _ => Severity::Medium,
        };
        let what = if found.len() > 1 {
            let names: Vec<String> = found.iter().take(3).map(|(p, s)| format!("{p} ({s})")).collect();
            let more = if found.len() > 3 { ", ..." } else { "" };
            format!("container ports {}{more}", names.join(", "))
        } else {
            format!("container port {first} ({service})")
        };
        let finding = checker.report(
            &SENSITIVE_PORT_PUBLISHED,
            &port.origin,
            format!("{what} is published on {}", describe_host_side(port)),
        );
        finding.severity = severity;
        finding.help = Some(if severity == Severity::Low {
            "loopback only: make sure nothing forwards it further, or do not publish it at all".into()
        } else {
            "do not publish it (services on the same network reach it by name), or bind it to `127.0.0.1`"
                .into()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{port, run, service, starts};
    use Severity::{Critical, High, Low, Medium};

    #[test]
    fn judges_the_container_port() {
        let mut w = service();
        w.ports = vec![
            port(None, Some(15432), 5432, 10),
            port(None, Some(5432), 8080, 20),
            port(Some("0.0.0.0"), Some(2375), 2375, 30),
            port(Some("127.0.0.1"), Some(6379), 6379, 40),
            port(Some("10.0.0.5"), Some(22), 22, 50),
            port(Some("[::1]"), Some(3306), 3306, 60),
            port(None, None, 27017, 70),
        ];
        let findings = run(&SENSITIVE_PORT_PUBLISHED, &w);
        assert_eq!(starts(&findings), [10, 30, 40, 50, 60, 70]);
        let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
        assert_eq!(severities, [High, Critical, Low, Medium, Low, High]);
        assert!(findings[0].message.contains("PostgreSQL"), "{}", findings[0].message);
        assert!(findings[5].message.contains("ephemeral host port"), "{}", findings[5].message);
    }

    #[test]
    fn ranges_cover_sensitive_ports() {
        let mut w = service();
        let mut range = port(None, Some(5000), 5000, 10);
        range.host_port_end = Some(6500);
        range.container_port_end = Some(6500);
        w.ports = vec![range, port(None, Some(8000), 8000, 20)];
        let findings = run(&SENSITIVE_PORT_PUBLISHED, &w);
        assert_eq!(starts(&findings), [10]);
        assert!(
            findings[0].message.contains("5432 (PostgreSQL), 5672 (RabbitMQ), 5900 (VNC), ..."),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn loopback_spellings() {
        for ip in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"] {
            assert!(is_loopback(ip), "{ip}");
        }
        for ip in ["0.0.0.0", "10.0.0.1", "::", "192.168.1.10"] {
            assert!(!is_loopback(ip), "{ip}");
        }
    }
}
