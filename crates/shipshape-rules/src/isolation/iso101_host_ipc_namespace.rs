use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso100_host_pid_namespace::report_host_namespace;

declare_rule! {
    /// ## What it does
    /// Flags a container that joins the host's IPC namespace (Compose `ipc: host`,
    /// `docker run --ipc=host`, Kubernetes `hostIPC: true`). `shareable`, `private` and
    /// `container:<name>` are not flagged.
    ///
    /// ## Why is this bad?
    /// The IPC namespace holds System V shared memory, semaphores and message queues and the
    /// host's POSIX shared memory. A container in the host's IPC namespace can read and write
    /// the shared memory of host processes (databases, browsers, X servers) and disturb them.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: example/worker:2.0
    ///     ipc: host
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: example/worker:2.0
    ///     ipc: private
    /// ```
    ///
    /// ## Fix
    /// Remove `ipc: host`. Containers that must share memory with each other can use
    /// `ipc: shareable` on one and `ipc: container:<name>` / `service:<name>` on the others.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.16 "Ensure that the host's IPC namespace is not shared"
    /// - Kubernetes Pod Security Standards, baseline: Host Namespaces
    pub static HOST_IPC_NAMESPACE = {
        code: "ISO101",
        name: "host-ipc-namespace",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the container shares the host's IPC namespace",
        aliases: [
            (CisDocker, "5.16"),
            (Kics, "baa3890f-bed7-46f5-ab8f-1da8fc91c729"),
            (Checkov, "CKV_K8S_18"),
            (Pss, "baseline/host-namespaces"),
        ],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    report_host_namespace(
        &HOST_IPC_NAMESPACE,
        workload.namespaces.ipc.as_ref(),
        checker,
        "the container shares the host's IPC namespace: it can read and write host processes' shared memory",
        "remove `ipc: host` (`hostIPC: true`); share IPC between containers with `shareable` and `container:<name>`",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use shipshape_model::NamespaceMode;

    #[test]
    fn flags_host_ipc_only() {
        let mut w = service();
        assert!(run(&HOST_IPC_NAMESPACE, &w).is_empty());
        w.namespaces.ipc = Some(set(NamespaceMode::Private("shareable".into()), 3));
        assert!(run(&HOST_IPC_NAMESPACE, &w).is_empty());
        w.namespaces.ipc = Some(set(NamespaceMode::Container("db".into()), 3));
        assert!(run(&HOST_IPC_NAMESPACE, &w).is_empty());
        w.namespaces.ipc = Some(set(NamespaceMode::Host, 7));
        assert_eq!(starts(&run(&HOST_IPC_NAMESPACE, &w)), [7]);
    }
}
