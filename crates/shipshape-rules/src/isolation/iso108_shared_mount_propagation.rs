use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a mount whose propagation is `shared` or `rshared` (Kubernetes
    /// `mountPropagation: Bidirectional`). `private`, `rprivate`, `slave` and `rslave` are fine.
    ///
    /// ## Why is this bad?
    /// With shared propagation, mounts made inside the container appear on the host and in
    /// every other container sharing the mount. A compromised container that can mount (with
    /// `SYS_ADMIN` or in a privileged container) can then shadow host paths such as `/etc` or a
    /// kubelet directory with content of its choosing.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   storage:
    ///     image: example/csi-node:1.9
    ///     volumes:
    ///       - type: bind
    ///         source: /mnt/data
    ///         target: /mnt/data
    ///         bind:
    ///           propagation: rshared
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   storage:
    ///     image: example/csi-node:1.9
    ///     volumes:
    ///       - type: bind
    ///         source: /mnt/data
    ///         target: /mnt/data
    ///         bind:
    ///           propagation: rslave
    /// ```
    ///
    /// ## Fix
    /// Use the default (`rprivate`) or `rslave` if the container must see host mounts appear.
    /// Storage drivers that need `rshared` should be reviewed and suppressed with a reason.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.19 "Ensure mount propagation mode is not set to shared"
    pub static SHARED_MOUNT_PROPAGATION = {
        code: "ISO108",
        name: "shared-mount-propagation",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a mount propagates mounts back to the host",
        aliases: [(CisDocker, "5.19")],
    }
}

/// Whether a propagation mode sends the container's mounts back to the host.
pub(crate) fn is_shared(propagation: &str) -> bool {
    let mode = propagation.trim();
    ["shared", "rshared", "bidirectional"].iter().any(|m| mode.eq_ignore_ascii_case(m))
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for mount in &workload.mounts {
        let Some(propagation) = mount.propagation.as_deref() else { continue };
        if !is_shared(propagation) {
            continue;
        }
        checker
            .report(
                &SHARED_MOUNT_PROPAGATION,
                &mount.origin,
                format!(
                    "the mount at `{}` uses `{}` propagation: mounts made in the container appear on the host",
                    mount.target,
                    propagation.trim()
                ),
            )
            .help = Some("use the default `rprivate`, or `rslave` to only receive host mounts".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{bind, run, service, starts};

    #[test]
    fn flags_shared_modes() {
        let mut w = service();
        for (i, mode) in
            ["shared", "rshared", "RShared", "Bidirectional", "slave", "rslave", "private", "rprivate"]
                .into_iter()
                .enumerate()
        {
            let mut mount = bind("/mnt", "/mnt", false, i as u32 * 10);
            mount.propagation = Some(mode.to_string());
            w.mounts.push(mount);
        }
        w.mounts.push(bind("/srv", "/srv", false, 100));
        assert_eq!(starts(&run(&SHARED_MOUNT_PROPAGATION, &w)), [0, 10, 20, 30]);
    }
}
