use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso100_host_pid_namespace::report_host_namespace;

declare_rule! {
    /// ## What it does
    /// Flags a container that joins the host's UTS namespace (Compose `uts: host`,
    /// `docker run --uts=host`).
    ///
    /// ## Why is this bad?
    /// The UTS namespace holds the host name and NIS domain name. Sharing it lets the container
    /// read the host's name and, with `SYS_ADMIN`, change it for the whole host, which confuses
    /// logging, monitoring and anything that trusts the host name. It is rarely needed.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     uts: host
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/app:3.1
    ///     hostname: app
    /// ```
    ///
    /// ## Fix
    /// Remove `uts: host`; set `hostname:` if the application needs a particular name.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.20 "Ensure that the host's UTS namespace is not shared"
    pub static HOST_UTS_NAMESPACE = {
        code: "ISO102",
        name: "host-uts-namespace",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "the container shares the host's UTS namespace",
        aliases: [(CisDocker, "5.20")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    report_host_namespace(
        &HOST_UTS_NAMESPACE,
        workload.namespaces.uts.as_ref(),
        checker,
        "the container shares the host's UTS namespace: it sees the host's name and can change it",
        "remove `uts: host`; set `hostname:` if the application needs a particular name",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use shipshape_model::NamespaceMode;

    #[test]
    fn flags_host_uts_only() {
        let mut w = service();
        assert!(run(&HOST_UTS_NAMESPACE, &w).is_empty());
        w.namespaces.pid = Some(set(NamespaceMode::Host, 2));
        assert!(run(&HOST_UTS_NAMESPACE, &w).is_empty());
        w.namespaces.uts = Some(set(NamespaceMode::Host, 8));
        assert_eq!(starts(&run(&HOST_UTS_NAMESPACE, &w)), [8]);
    }
}
