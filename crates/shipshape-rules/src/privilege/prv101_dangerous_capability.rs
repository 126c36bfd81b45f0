use shipshape_model::{Severity, Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso100_host_pid_namespace::is_host;

declare_rule! {
    /// ## What it does
    /// Flags a dangerous Linux capability added to the container (Compose `cap_add`,
    /// `--cap-add`, Kubernetes `capabilities.add`). Names are compared case-insensitively with
    /// or without the `CAP_` prefix. The severity depends on the capability:
    /// - critical: `ALL`, `SYS_ADMIN`, `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`, and
    ///   `SYS_PTRACE` together with the host's PID namespace;
    /// - high: `SYS_PTRACE`, `BPF`, `NET_ADMIN`, `SYS_TIME`, `MAC_ADMIN`, `MAC_OVERRIDE`, and
    ///   `NET_RAW` together with the host's network namespace;
    /// - medium: `PERFMON`, `SYS_BOOT`, `SYSLOG`, `AUDIT_CONTROL`, `SYS_RESOURCE`,
    ///   `LINUX_IMMUTABLE`;
    /// - low: `NET_RAW` and `DAC_OVERRIDE`, which Docker grants by default anyway but
    ///   Kubernetes' baseline policy forbids adding.
    ///
    /// Other capabilities (`NET_BIND_SERVICE`, `CHOWN`, ...) are not flagged.
    ///
    /// ## Why is this bad?
    /// Capabilities split root's power; the dangerous ones give most of it back. `SYS_ADMIN`
    /// allows mounting file systems and is the classic escape, `SYS_MODULE` loads code into the
    /// host kernel, `DAC_READ_SEARCH` reads any host file through `open_by_handle_at`,
    /// `SYS_PTRACE` injects code into other processes, `NET_ADMIN` rewires the network.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   vpn:
    ///     image: example/vpn:2
    ///     cap_add:
    ///       - SYS_ADMIN
    ///       - NET_ADMIN
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   vpn:
    ///     image: example/vpn:2
    ///     cap_drop: [ALL]
    ///     cap_add:
    ///       - NET_ADMIN  # reviewed: manages the tunnel interface
    ///     devices:
    ///       - /dev/net/tun
    /// ```
    ///
    /// ## Fix
    /// Remove the capability, or replace it with a narrower mechanism (a device, a volume, a
    /// sysctl). Keep a needed one with a suppression that says why.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.3 "Ensure that Linux kernel capabilities are restricted within containers"
    /// - Kubernetes Pod Security Standards, baseline: Capabilities
    /// - capabilities(7)
    pub static DANGEROUS_CAPABILITY = {
        code: "PRV101",
        name: "dangerous-capability",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "a dangerous capability is added to the container",
        aliases: [
            (CisDocker, "5.3"),
            (Kics, "ce76b7d0-9e77-464d-b86f-c5c48e03e22d"),
            (Checkov, "CKV_K8S_25"),
            (Checkov, "CKV_K8S_39"),
            (Pss, "baseline/capabilities"),
        ],
    }
}

/// A capability name in upper case without the `CAP_` prefix, as the model stores them.
pub(crate) fn normalize_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// Severity and effect of adding `capability` (normalised), `None` when it is not dangerous.
fn classify(capability: &str, host_pid: bool, host_network: bool) -> Option<(Severity, &'static str)> {
    use Severity::{Critical, High, Low, Medium};
    Some(match capability {
        "ALL" => (Critical, "every capability: nearly the power of `privileged`"),
        "SYS_ADMIN" => (Critical, "mount file systems, create namespaces and more: the classic escape"),
        "SYS_MODULE" => (Critical, "load modules into the host's kernel"),
        "SYS_RAWIO" => (Critical, "raw I/O to devices, ports and memory"),
        "DAC_READ_SEARCH" => (Critical, "read any host file through `open_by_handle_at`"),
        "SYS_PTRACE" if host_pid => {
            (Critical, "trace and inject code into every host process (with the host PID namespace)")
        }
        "SYS_PTRACE" => (High, "trace and inject code into other processes"),
        "BPF" => (High, "load eBPF programs into the kernel"),
        "NET_ADMIN" => (High, "reconfigure interfaces, routes and firewalls, and sniff traffic"),
        "SYS_TIME" => (High, "set the host's clock, which is not namespaced"),
        "MAC_ADMIN" => (High, "change the AppArmor or SELinux policy"),
        "MAC_OVERRIDE" => (High, "bypass the AppArmor or SELinux policy"),
        "NET_RAW" if host_network => (High, "craft raw packets on the host's interfaces"),
        "PERFMON" => (Medium, "use performance monitoring, which exposes kernel data"),
        "SYS_BOOT" => (Medium, "reboot and load a new kernel"),
        "SYSLOG" => (Medium, "read the kernel log and kernel addresses"),
        "AUDIT_CONTROL" => (Medium, "change or disable kernel auditing"),
        "SYS_RESOURCE" => (Medium, "override resource limits and quotas"),
        "LINUX_IMMUTABLE" => (Medium, "change immutable and append-only file flags"),
        "NET_RAW" => (Low, "craft raw packets (ARP and DNS spoofing)"),
        "DAC_OVERRIDE" => (Low, "bypass file permission checks"),
        _ => return None,
    })
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let host_pid = workload.namespaces.pid.as_ref().is_some_and(|n| is_host(&n.value));
    let host_network = workload.namespaces.network.as_ref().is_some_and(|n| is_host(&n.value));
    for capability in &workload.cap_add {
        let name = normalize_capability(&capability.value);
        let Some((severity, effect)) = classify(&name, host_pid, host_network) else { continue };
        let finding = checker.report(
            &DANGEROUS_CAPABILITY,
            &capability.origin,
            format!("capability `{name}` is added: {effect}"),
        );
        finding.severity = severity;
        finding.help =
            Some("remove the capability, or keep it with a suppression that says why it is needed".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use shipshape_model::NamespaceMode;

    #[test]
    fn normalises_names() {
        assert_eq!(normalize_capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalize_capability(" CAP_NET_RAW "), "NET_RAW");
        assert_eq!(normalize_capability("all"), "ALL");
    }

    #[test]
    fn flags_dangerous_capabilities_in_any_spelling() {
        let mut w = service();
        w.cap_add = vec![
            set("SYS_ADMIN".into(), 10),
            set("CAP_SYS_ADMIN".into(), 20),
            set("sys_admin".into(), 30),
            set("NET_BIND_SERVICE".into(), 40),
            set("net_raw".into(), 50),
            set("SYS_PTRACE".into(), 60),
            set("all".into(), 70),
            set("CHOWN".into(), 80),
        ];
        let findings = run(&DANGEROUS_CAPABILITY, &w);
        assert_eq!(starts(&findings), [10, 20, 30, 50, 60, 70]);
        let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
        use Severity::{Critical, High, Low};
        assert_eq!(severities, [Critical, Critical, Critical, Low, High, Critical]);
    }

    #[test]
    fn host_namespaces_raise_ptrace_and_net_raw() {
        let mut w = service();
        w.cap_add = vec![set("SYS_PTRACE".into(), 10), set("NET_RAW".into(), 20)];
        w.namespaces.pid = Some(set(NamespaceMode::Host, 1));
        w.namespaces.network = Some(set(NamespaceMode::Host, 2));
        let severities: Vec<Severity> = run(&DANGEROUS_CAPABILITY, &w).iter().map(|f| f.severity).collect();
        assert_eq!(severities, [Severity::Critical, Severity::High]);
    }

    #[test]
    fn nothing_added_nothing_flagged() {
        assert!(run(&DANGEROUS_CAPABILITY, &service()).is_empty());
    }
}
