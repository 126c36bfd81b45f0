use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso100_host_pid_namespace::report_host_namespace;

declare_rule! {
    /// ## What it does
    /// Flags a container that opts out of user-namespace remapping and runs in the host's user
    /// namespace (Compose `userns_mode: host`, `docker run --userns=host`).
    ///
    /// ## Why is this bad?
    /// When the daemon remaps users (`userns-remap`), root in a container is an unprivileged
    /// user on the host, which defuses most escapes. `userns_mode: host` switches that off for
    /// this container: its root is the host's root again. On a daemon without remapping the
    /// setting changes nothing today but silently defeats remapping once it is turned on.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backup:
    ///     image: example/backup:1.0
    ///     userns_mode: host
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   backup:
    ///     image: example/backup:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove `userns_mode: host`. If the container needs host-owned files, give them an owner
    /// inside the remapped range instead.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.30 "Ensure that the host's user namespaces are not shared"
    pub static HOST_USER_NAMESPACE = {
        code: "ISO103",
        name: "host-user-namespace",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the container runs in the host's user namespace",
        aliases: [(CisDocker, "5.30"), (Kics, "8af7162d-6c98-482f-868e-0d33fb675ca8")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    report_host_namespace(
        &HOST_USER_NAMESPACE,
        workload.namespaces.user.as_ref(),
        checker,
        "the container runs in the host's user namespace: root in the container is root on the host even when the daemon remaps users",
        "remove `userns_mode: host`",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use shipshape_model::NamespaceMode;

    #[test]
    fn flags_host_userns_only() {
        let mut w = service();
        assert!(run(&HOST_USER_NAMESPACE, &w).is_empty());
        w.namespaces.user = Some(set(NamespaceMode::Private("private".into()), 2));
        assert!(run(&HOST_USER_NAMESPACE, &w).is_empty());
        w.namespaces.user = Some(set(NamespaceMode::Host, 11));
        assert_eq!(starts(&run(&HOST_USER_NAMESPACE, &w)), [11]);
    }
}
