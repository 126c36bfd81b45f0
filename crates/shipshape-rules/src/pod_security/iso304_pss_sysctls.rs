use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use super::{PodView, PolicyVersion, Violation, violation};

/// Safe sysctls and the policy version each became safe in.
pub(crate) const SAFE_SYSCTLS: [(&str, u8); 14] = [
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, baseline control "Sysctls" (upstream check `sysctls`): every
    /// `spec.securityContext.sysctls[*].name` must be one of the namespaced, safe sysctls:
    /// `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`; `net.ipv4.ip_local_reserved_ports` from policy v1.27;
    /// `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
    /// `net.ipv4.tcp_keepalive_probes` from v1.29; `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem` from
    /// v1.32; `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat` from v1.37.
    ///
    /// ## Why is this bad?
    /// Other sysctls either are not namespaced (they change the whole node) or can starve the
    /// node's kernel of memory; either way one pod reaches beyond itself.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   sysctls:
    ///     - {name: kernel.msgmax, value: "65536"}
    /// ```
    ///
    /// Use instead: a safe sysctl, or node-level tuning by the cluster's operators.
    ///
    /// ## Fix
    /// Remove the sysctl.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, baseline: Sysctls
    pub static PSS_SYSCTLS = {
        code: "ISO304",
        name: "pss-sysctls",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the pod sets an unsafe sysctl, which the baseline Pod Security level forbids",
        aliases: [(Pss, "baseline/sysctls"), (Pss, "sysctls")],
    }
}

/// Whether `name` is safe at `version`.
pub(crate) fn is_safe(name: &str, version: PolicyVersion) -> bool {
    SAFE_SYSCTLS.iter().any(|(safe, since)| *safe == name && version.at_least(*since))
}

pub(crate) fn check(pod: &PodView<'_>, version: PolicyVersion, out: &mut Vec<Violation>) {
    let sysctls = pod.security_field(&["sysctls"]);
    for sysctl in sysctls.and_then(Node::as_sequence).unwrap_or_default() {
        let name_node = sysctl.get("name").unwrap_or(sysctl);
        let name = name_node.as_str().unwrap_or_default();
        if !is_safe(name, version) {
            out.push(violation(&PSS_SYSCTLS, "forbidden sysctls", pod.origin(name_node), name.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SAFE_SYSCTLS;
    use crate::pod_security::testing::{pod, run};

    #[test]
    fn each_safe_sysctl_from_its_version() {
        for (name, since) in SAFE_SYSCTLS {
            let yaml = pod(&format!(
                "  securityContext:\n    sysctls:\n      - name: {name}\n        value: \"1\"\n  containers: []\n"
            ));
            assert!(run("sysctls", since.max(25), &yaml).is_empty(), "{name}");
            if since > 25 {
                assert_eq!(run("sysctls", since - 1, &yaml).len(), 1, "{name}");
            }
        }
        let unsafe_one =
            pod("  securityContext:\n    sysctls: [{name: kernel.msgmax, value: \"1\"}]\n  containers: []\n");
        assert_eq!(run("sysctls", 37, &unsafe_one).len(), 1);
    }
}
