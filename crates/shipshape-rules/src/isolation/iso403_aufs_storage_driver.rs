use shipshape_model::{EngineConfig, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon that uses the `aufs` storage driver (`Driver: aufs` in
    /// `docker info`, `"storage-driver": "aufs"` in daemon.json).
    ///
    /// ## Why is this bad?
    /// aufs was never merged into the Linux kernel; it lives on in out-of-tree patches that get
    /// little security review, and it has had kernel crashes and privilege escalations of its
    /// own. Docker deprecated it in 20.10 and removed it in 24.0, so a daemon still on it is also
    /// an old, unpatched daemon.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "storage-driver": "aufs"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "storage-driver": "overlay2"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Switch to `overlay2` (or the containerd image store). Images and containers stored by
    /// aufs are not visible to the new driver: push or save what you need first, then pull or
    /// load it again.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.6 "Ensure aufs storage driver is not used"
    /// - Docker documentation, "Deprecated Engine Features: AuFS storage driver"
    pub static AUFS_STORAGE_DRIVER = {
        code: "ISO403",
        name: "aufs-storage-driver",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the daemon stores containers with the deprecated aufs driver",
        aliases: [(CisDocker, "2.6")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(driver) = &config.storage_driver else { return };
    if driver.value.trim().eq_ignore_ascii_case("aufs") {
        checker
            .report(
                &AUFS_STORAGE_DRIVER,
                &driver.origin,
                "the storage driver is `aufs`: out-of-tree kernel code, deprecated and removed from Docker 24",
            )
            .help = Some("move to the `overlay2` storage driver".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_aufs_only() {
        let mut config = unknown();
        assert!(run(&AUFS_STORAGE_DRIVER, &config).is_empty());
        config.storage_driver = Some(set("overlay2".into(), 2));
        assert!(run(&AUFS_STORAGE_DRIVER, &config).is_empty());
        config.storage_driver = Some(set("aufs".into(), 2));
        assert_eq!(starts(&run(&AUFS_STORAGE_DRIVER, &config)), [2]);
    }
}
