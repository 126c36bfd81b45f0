use shipshape_model::{Severity, Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso100_host_pid_namespace::is_host;

declare_rule! {
    /// ## What it does
    /// Flags a sysctl set for the container (Compose `sysctls`, `--sysctl`, Kubernetes
    /// `securityContext.sysctls`) outside the safe set of the Pod Security Standards:
    /// `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`,
    /// `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    /// `net.ipv4.tcp_keepalive_intvl` and `net.ipv4.tcp_keepalive_probes`. Names written with
    /// `/` (`net/ipv4/ip_forward`) are read like their dotted form.
    ///
    /// - high: sysctls that are not namespaced and change the whole host (`kernel.*` other than
    ///   the IPC ones, `vm.*`, `fs.*` other than `fs.mqueue.*`, `dev.*`, ...), and `net.*` when
    ///   the container uses the host's network namespace;
    /// - medium: namespaced sysctls outside the safe set (`net.*`, `kernel.shm*`, `kernel.msg*`,
    ///   `kernel.sem`, `fs.mqueue.*`).
    ///
    /// ## Why is this bad?
    /// A sysctl that is not namespaced changes the kernel for the host and every container on
    /// it. Namespaced sysctls outside the safe set can still let a container consume kernel
    /// resources that other workloads share, or weaken its network stack (`ip_forward`,
    /// `accept_redirects`).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   router:
    ///     image: example/router:1
    ///     sysctls:
    ///       net.ipv4.ip_forward: 1
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   router:
    ///     image: example/router:1
    ///     sysctls:
    ///       net.ipv4.ip_local_port_range: "20000 40000"
    /// ```
    ///
    /// ## Fix
    /// Drop the sysctl or set it on the host deliberately. Review a needed namespaced sysctl and
    /// suppress the finding with a reason.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Sysctls
    /// - Kubernetes documentation, "Using sysctls in a Kubernetes Cluster"
    pub static UNSAFE_SYSCTL = {
        code: "ISO116",
        name: "unsafe-sysctl",
        layer: Isolation,
        threat: ExcessPrivilege,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the container sets a sysctl outside the safe set",
        aliases: [(Pss, "baseline/sysctls")],
    }
}

const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// A sysctl name in dotted lower-case form.
fn normalize(name: &str) -> String {
    name.trim().replace('/', ".").to_ascii_lowercase()
}

/// Whether the sysctl lives in the IPC namespace.
fn is_ipc(name: &str) -> bool {
    name.starts_with("kernel.shm")
        || name.starts_with("kernel.msg")
        || name == "kernel.sem"
        || name.starts_with("fs.mqueue.")
}

/// Severity and reason for an unsafe sysctl, `None` for a safe one.
fn classify(name: &str, host_network: bool) -> Option<(Severity, &'static str)> {
    if SAFE.contains(&name) {
        return None;
    }
    if name.starts_with("net.") {
        return Some(if host_network {
            (
                Severity::High,
                "the container uses the host's network namespace, so this changes the host's network stack",
            )
        } else {
            (Severity::Medium, "it is namespaced but outside the safe set")
        });
    }
    if is_ipc(name) {
        return Some((Severity::Medium, "it is namespaced but outside the safe set"));
    }
    Some((Severity::High, "it is not namespaced: it changes the kernel for the whole host"))
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let host_network = workload.namespaces.network.as_ref().is_some_and(|n| is_host(&n.value));
    for sysctl in &workload.sysctls {
        let (name, value) = &sysctl.value;
        let normalized = normalize(name);
        let Some((severity, why)) = classify(&normalized, host_network) else { continue };
        let finding = checker.report(
            &UNSAFE_SYSCTL,
            &sysctl.origin,
            format!("sysctl `{}={}` is unsafe: {why}", name.trim(), value.trim()),
        );
        finding.severity = severity;
        finding.help = Some("remove the sysctl, or set it on the host deliberately".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use Severity::{High, Medium};
    use shipshape_model::NamespaceMode;

    #[test]
    fn classifies_sysctls() {
        assert_eq!(classify("net.ipv4.tcp_syncookies", false), None);
        assert_eq!(classify("kernel.shm_rmid_forced", false), None);
        assert_eq!(classify("net.ipv4.ip_forward", false).map(|c| c.0), Some(Medium));
        assert_eq!(classify("net.ipv4.ip_forward", true).map(|c| c.0), Some(High));
        assert_eq!(classify("kernel.msgmax", false).map(|c| c.0), Some(Medium));
        assert_eq!(classify("fs.mqueue.msg_max", false).map(|c| c.0), Some(Medium));
        assert_eq!(classify("kernel.core_pattern", false).map(|c| c.0), Some(High));
        assert_eq!(classify("vm.overcommit_memory", false).map(|c| c.0), Some(High));
        assert_eq!(classify("fs.file-max", false).map(|c| c.0), Some(High));
        assert_eq!(normalize(" Net/IPv4/tcp_syncookies "), "net.ipv4.tcp_syncookies");
    }

    #[test]
    fn reports_unsafe_sysctls() {
        let mut w = service();
        w.sysctls = vec![
            set(("net.ipv4.ip_local_port_range".into(), "20000 40000".into()), 10),
            set(("kernel.core_pattern".into(), "|/tmp/x".into()), 20),
            set(("net/ipv4/ip_forward".into(), "1".into()), 30),
        ];
        let findings = run(&UNSAFE_SYSCTL, &w);
        assert_eq!(starts(&findings), [20, 30]);
        assert_eq!(findings[0].severity, High);
        assert_eq!(findings[1].severity, Medium);

        w.namespaces.network = Some(set(NamespaceMode::Host, 5));
        assert_eq!(run(&UNSAFE_SYSCTL, &w)[1].severity, High);
    }
}
