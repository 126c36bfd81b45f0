use shipshape_model::{NamespaceMode, RuleMeta, Setting, Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container that joins the host's PID namespace (Compose `pid: host`,
    /// `docker run --pid=host`, Kubernetes `hostPID: true`). Joining another container's
    /// namespace (`container:<name>`, `service:<name>`) is not flagged here.
    ///
    /// ## Why is this bad?
    /// In the host's PID namespace the container sees every process on the host with its
    /// command line, can signal processes running as the same user, and with `SYS_PTRACE`
    /// attaches to them and runs code inside them. Command lines and `/proc/<pid>/environ` of
    /// host processes regularly hold credentials.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: example/agent:1.4
    ///     pid: host
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: example/agent:1.4
    /// ```
    ///
    /// ## Fix
    /// Remove `pid: host`. Node agents that really need the host's process table should be
    /// reviewed and the finding suppressed with a reason.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.15 "Ensure that the host's process namespace is not shared"
    /// - Kubernetes Pod Security Standards, baseline: Host Namespaces
    pub static HOST_PID_NAMESPACE = {
        code: "ISO100",
        name: "host-pid-namespace",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the container shares the host's PID namespace",
        aliases: [
            (CisDocker, "5.15"),
            (Kics, "4f31dd9f-2cc3-4751-9b53-67e4af83dac0"),
            (Checkov, "CKV_K8S_17"),
            (Pss, "baseline/host-namespaces"),
        ],
    }
}

/// Whether `mode` is the host's namespace. A loader that kept `host` as a private mode's
/// spelling is tolerated.
pub(crate) fn is_host(mode: &NamespaceMode) -> bool {
    match mode {
        NamespaceMode::Host => true,
        NamespaceMode::Private(text) => text.trim().eq_ignore_ascii_case("host"),
        NamespaceMode::Container(_) => false,
    }
}

/// Reports `setting` under `rule` when it names the host's namespace.
pub(crate) fn report_host_namespace(
    rule: &'static RuleMeta,
    setting: Option<&Setting<NamespaceMode>>,
    checker: &mut Checker<'_>,
    message: &str,
    help: &str,
) {
    if let Some(setting) = setting
        && is_host(&setting.value)
    {
        checker.report(rule, &setting.origin, message).help = Some(help.to_string());
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    report_host_namespace(
        &HOST_PID_NAMESPACE,
        workload.namespaces.pid.as_ref(),
        checker,
        "the container shares the host's PID namespace: it sees every host process and can signal or trace them",
        "remove `pid: host` (`hostPID: true`)",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_only_the_host_namespace() {
        let mut w = service();
        w.namespaces.pid = Some(set(NamespaceMode::Host, 40));
        assert_eq!(starts(&run(&HOST_PID_NAMESPACE, &w)), [40]);

        w.namespaces.pid = Some(set(NamespaceMode::Private("HOST".into()), 41));
        assert_eq!(starts(&run(&HOST_PID_NAMESPACE, &w)), [41]);

        for mode in [NamespaceMode::Container("db".into()), NamespaceMode::Private("private".into())] {
            w.namespaces.pid = Some(set(mode, 42));
            assert!(run(&HOST_PID_NAMESPACE, &w).is_empty());
        }
        w.namespaces.pid = None;
        assert!(run(&HOST_PID_NAMESPACE, &w).is_empty());
    }

    #[test]
    fn other_namespaces_do_not_count() {
        let mut w = service();
        w.namespaces.ipc = Some(set(NamespaceMode::Host, 5));
        w.namespaces.network = Some(set(NamespaceMode::Host, 6));
        assert!(run(&HOST_PID_NAMESPACE, &w).is_empty());
    }
}
