use shipshape_model::{Deployment, MountKind, NamespaceMode, Origin, Workload, declare_rule};
use std::collections::VecDeque;

use crate::context::Checker;
use crate::isolation::iso105_runtime_socket_mount::exposed_socket;

declare_rule! {
    /// ## What it does
    /// Follows the network graph of a deployment (a Compose project): from every workload that
    /// publishes a port on the host, through the networks it joins, to every other workload it can
    /// reach, hop by hop. It flags each reachable workload that controls the host: privileged,
    /// mounting a container-runtime socket, sharing the host's PID namespace, or holding
    /// `SYS_ADMIN`. The finding names the whole path, e.g.
    /// `web (0.0.0.0:80) → network backend → agent (mounts /var/run/docker.sock)`.
    ///
    /// ## Why is this bad?
    /// The published service is the attacker's way in. Once it is compromised, every service on
    /// its networks is one request away, and a service that controls the host turns that foothold
    /// into root on the machine and every container on it. Each setting may look acceptable on its
    /// own; together they form an attack path from the internet to the host.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     ports: ["80:80"]
    ///     networks: [backend]
    ///   agent:
    ///     image: monitoring/agent:3
    ///     volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
    ///     networks: [backend]
    /// networks:
    ///   backend: {}
    /// ```
    ///
    /// Use instead: put the host-controlling service on a network the published service does not
    /// join (and remove its host access if it can do without):
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     ports: ["80:80"]
    ///     networks: [frontend]
    ///   agent:
    ///     image: monitoring/agent:3
    ///     volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]
    ///     networks: [ops]
    /// networks:
    ///   frontend: {}
    ///   ops: { internal: true }
    /// ```
    ///
    /// ## Fix
    /// Segment the networks so no published service shares a network with a host-controlling one,
    /// directly or through intermediate services; better still, remove the host access. Not fixed
    /// automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.31 (docker socket), 5.4 (privileged), 5.15 (host PID)
    /// - MITRE ATT&CK T1611 Escape to Host
    pub static EXPOSED_PATH_TO_HOST = {
        code: "NET200",
        name: "exposed-path-to-host",
        layer: Network,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "a published service can reach a service that controls the host",
        aliases: [],
    }
}

/// Why a workload controls the host, and the setting that makes it so.
fn host_control(workload: &Workload) -> Option<(String, &Origin)> {
    if let Some(p) = workload.privileged.as_ref().filter(|p| p.value) {
        return Some(("privileged".into(), &p.origin));
    }
    if let Some(s) = workload.use_api_socket.as_ref().filter(|s| s.value) {
        return Some(("has the Docker API socket (use_api_socket)".into(), &s.origin));
    }
    for mount in workload.mounts.iter().filter(|m| matches!(m.kind, MountKind::Bind | MountKind::Npipe)) {
        let Some(source) = mount.source.as_deref() else { continue };
        if exposed_socket(source).is_some() {
            return Some((format!("mounts {source}"), &mount.origin));
        }
    }
    if let Some(pid) = workload.namespaces.pid.as_ref().filter(|p| p.value == NamespaceMode::Host) {
        return Some(("shares the host PID namespace".into(), &pid.origin));
    }
    if let Some(cap) = workload.cap_add.iter().find(|c| c.value == "SYS_ADMIN" || c.value == "ALL") {
        return Some((format!("adds capability {}", cap.value), &cap.origin));
    }
    None
}

/// The networks a workload's traffic can use, following `network_mode: service:x` to `x`.
fn networks_of(deployment: &Deployment, index: usize) -> Vec<(&str, Option<&Origin>)> {
    let mut current = index;
    for _ in 0..=deployment.workloads.len() {
        let Some(workload) = deployment.workloads.get(current) else { return Vec::new() };
        match workload.namespaces.network.as_ref().map(|n| &n.value) {
            Some(NamespaceMode::Container(target)) => {
                let name = target.strip_prefix("service:").unwrap_or(target);
                match deployment.workloads.iter().position(|w| w.name == name) {
                    Some(next) if next != current => current = next,
                    _ => return Vec::new(),
                }
            }
            Some(NamespaceMode::Host | NamespaceMode::Private(_)) => return Vec::new(),
            None if workload.networks.is_empty() => return vec![("default", None)],
            None => return workload.networks.iter().map(|n| (n.value.as_str(), Some(&n.origin))).collect(),
        }
    }
    Vec::new()
}

fn describe_port(workload: &Workload) -> Option<(String, &Origin)> {
    let port = workload.ports.first()?;
    let host_ip = port.host_ip.as_deref().filter(|ip| !ip.is_empty()).unwrap_or("0.0.0.0");
    let host_port = port.host_port.map_or_else(|| "*".to_string(), |p| p.to_string());
    Some((format!("{host_ip}:{host_port}"), &port.origin))
}

struct Hop {
    workload: usize,
    /// The network crossed to get here and the previous hop.
    via: Option<(String, usize)>,
}

pub(crate) fn check(deployment: &Deployment, checker: &mut Checker<'_>) {
    let count = deployment.workloads.len();
    let memberships: Vec<Vec<(&str, Option<&Origin>)>> =
        (0..count).map(|i| networks_of(deployment, i)).collect();
    let mut reported = vec![false; count];
    for (entry, workload) in deployment.workloads.iter().enumerate() {
        let Some((listen, port_origin)) = describe_port(workload) else { continue };
        // Breadth-first over workloads; each hop crosses one shared network.
        let mut hops: Vec<Hop> = vec![Hop { workload: entry, via: None }];
        let mut seen = vec![false; count];
        if let Some(flag) = seen.get_mut(entry) {
            *flag = true;
        }
        let mut queue = VecDeque::from([0usize]);
        while let Some(hop_index) = queue.pop_front() {
            let Some(current) = hops.get(hop_index).map(|h| h.workload) else { continue };
            let Some(networks) = memberships.get(current) else { continue };
            for (network, _) in networks {
                for (next, next_networks) in memberships.iter().enumerate() {
                    if seen.get(next).copied().unwrap_or(true)
                        || !next_networks.iter().any(|(n, _)| n == network)
                    {
                        continue;
                    }
                    if let Some(flag) = seen.get_mut(next) {
                        *flag = true;
                    }
                    hops.push(Hop { workload: next, via: Some(((*network).to_string(), hop_index)) });
                    queue.push_back(hops.len() - 1);
                }
            }
        }
        for (hop_index, hop) in hops.iter().enumerate().skip(1) {
            let Some(target) = deployment.workloads.get(hop.workload) else { continue };
            let Some((why, origin)) = host_control(target) else { continue };
            if reported.get(hop.workload).copied().unwrap_or(true) {
                continue;
            }
            if let Some(flag) = reported.get_mut(hop.workload) {
                *flag = true;
            }
            let path = describe_path(deployment, &hops, hop_index, &listen, &why);
            let finding = checker.report(
                &EXPOSED_PATH_TO_HOST,
                origin,
                format!(
                    "`{}` controls the host and is reachable from a published service: {path}",
                    target.name
                ),
            );
            finding
                .related
                .push(related(port_origin, format!("`{}` is published on {listen}", workload.name)));
            finding.help = Some(format!(
                "move `{}` to a network no published service joins, or remove its host access",
                target.name
            ));
        }
    }
}

fn related(origin: &Origin, label: String) -> shipshape_model::RelatedLocation {
    shipshape_model::RelatedLocation { location: shipshape_model::Location::unlocated(origin), label }
}

fn describe_path(deployment: &Deployment, hops: &[Hop], last: usize, listen: &str, why: &str) -> String {
    let mut parts = Vec::new();
    let mut cursor = Some(last);
    while let Some(index) = cursor {
        let Some(hop) = hops.get(index) else { break };
        let name = deployment.workloads.get(hop.workload).map_or("?", |w| w.name.as_str());
        let label = if index == last {
            format!("{name} ({why})")
        } else if hop.via.is_none() {
            format!("{name} ({listen})")
        } else {
            name.to_string()
        };
        parts.push(label);
        match &hop.via {
            Some((network, previous)) => {
                parts.push(format!("network {network}"));
                cursor = Some(*previous);
            }
            None => cursor = None,
        }
    }
    parts.reverse();
    parts.join(" → ")
}
