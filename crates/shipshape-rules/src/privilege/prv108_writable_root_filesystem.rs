use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container whose root file system is writable: no `read_only: true`
    /// (`--read-only`, Kubernetes `readOnlyRootFilesystem: true`), or set to false.
    ///
    /// ## Why is this bad?
    /// A writable root file system lets an attacker who gets code execution replace the
    /// application's binaries and libraries, drop tools and persist until the container is
    /// recreated. A read-only root with explicit volumes or tmpfs mounts for the directories
    /// that must be written also documents what the application writes.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     read_only: true
    ///     tmpfs:
    ///       - /tmp
    /// ```
    ///
    /// ## Fix
    /// Set `read_only: true` and mount a tmpfs or volume on each directory the application
    /// writes to.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.12 "Ensure that the container's root filesystem is mounted as read only"
    pub static WRITABLE_ROOT_FILESYSTEM = {
        code: "PRV108",
        name: "writable-root-filesystem",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "the container's root file system is writable",
        aliases: [(CisDocker, "5.12"), (Checkov, "CKV_K8S_22")],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let (origin, message) = match &workload.read_only_rootfs {
        Some(setting) if setting.value => return,
        Some(setting) => {
            (&setting.origin, "the root file system is explicitly writable (`read_only: false`)")
        }
        None => (&workload.origin, "the root file system is writable"),
    };
    checker.report(&WRITABLE_ROOT_FILESYSTEM, origin, message).help =
        Some("set `read_only: true` and mount tmpfs or volumes where the application writes".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_missing_or_false() {
        let mut w = service();
        assert_eq!(starts(&run(&WRITABLE_ROOT_FILESYSTEM, &w)), [0]);
        w.read_only_rootfs = Some(set(false, 21));
        assert_eq!(starts(&run(&WRITABLE_ROOT_FILESYSTEM, &w)), [21]);
        w.read_only_rootfs = Some(set(true, 21));
        assert!(run(&WRITABLE_ROOT_FILESYSTEM, &w).is_empty());
    }
}
