use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso100_host_pid_namespace::report_host_namespace;

declare_rule! {
    /// ## What it does
    /// Flags a container that explicitly joins the host's cgroup namespace (Compose
    /// `cgroup: host`, `docker run --cgroupns=host`). An unset mode is the platform's default
    /// and is not flagged (private on cgroup v2 hosts).
    ///
    /// ## Why is this bad?
    /// In the host's cgroup namespace the container sees the host's whole cgroup hierarchy:
    /// the names and limits of every other container and service. Combined with a writable
    /// cgroup file system (cgroup v1) it is a known escape route through `release_agent`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     cgroup: host
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     cgroup: private
    /// ```
    ///
    /// ## Fix
    /// Remove `cgroup: host` or set `cgroup: private`.
    ///
    /// ## References
    /// - Docker run reference, `--cgroupns`
    pub static HOST_CGROUP_NAMESPACE = {
        code: "ISO104",
        name: "host-cgroup-namespace",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "the container shares the host's cgroup namespace",
        aliases: [],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    report_host_namespace(
        &HOST_CGROUP_NAMESPACE,
        workload.namespaces.cgroup.as_ref(),
        checker,
        "the container shares the host's cgroup namespace: it sees every cgroup on the host",
        "remove `cgroup: host` or set `cgroup: private`",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use shipshape_model::NamespaceMode;

    #[test]
    fn flags_explicit_host_only() {
        let mut w = service();
        assert!(run(&HOST_CGROUP_NAMESPACE, &w).is_empty());
        w.namespaces.cgroup = Some(set(NamespaceMode::Private("private".into()), 2));
        assert!(run(&HOST_CGROUP_NAMESPACE, &w).is_empty());
        w.namespaces.cgroup = Some(set(NamespaceMode::Host, 12));
        assert_eq!(starts(&run(&HOST_CGROUP_NAMESPACE, &w)), [12]);
    }
}
