use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;
use crate::privilege::prv101_dangerous_capability::normalize_capability;

declare_rule! {
    /// ## What it does
    /// Flags a container that does not drop all capabilities (`cap_drop: [ALL]`,
    /// `--cap-drop=ALL`, Kubernetes `capabilities.drop: ["ALL"]`), so it keeps the runtime's
    /// default set: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`,
    /// `NET_BIND_SERVICE`, `NET_RAW`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID` and `SYS_CHROOT`
    /// (Docker, containerd and CRI-O alike). Dropping every one of them by name counts as
    /// dropping all. Capabilities added back after `ALL` is dropped are `dangerous-capability`'s
    /// business.
    ///
    /// ## Why is this bad?
    /// Most services need none of the default capabilities once they run as a non-root user.
    /// Left in place, `NET_RAW` allows ARP and DNS spoofing of neighbouring containers,
    /// `DAC_OVERRIDE` and `FOWNER` ignore file permissions, `MKNOD` creates device nodes and
    /// `SETUID`/`SETGID` switch users. Each turns a small bug into a bigger one.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     cap_drop:
    ///       - NET_RAW
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     cap_drop:
    ///       - ALL
    ///     cap_add:
    ///       - NET_BIND_SERVICE
    /// ```
    ///
    /// ## Fix
    /// Add `cap_drop: [ALL]` and add back only what the service needs.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.3
    /// - Kubernetes Pod Security Standards, restricted: Capabilities
    pub static CAPABILITIES_NOT_DROPPED = {
        code: "PRV102",
        name: "capabilities-not-dropped",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "the container keeps the runtime's default capabilities",
        aliases: [
            (CisDocker, "5.3"),
            (Kics, "ce76b7d0-9e77-464d-b86f-c5c48e03e22d"),
            (Checkov, "CKV_K8S_37"),
            (Pss, "restricted/capabilities"),
        ],
    }
}

/// The capabilities Docker, containerd and CRI-O grant by default.
pub(crate) const DEFAULT_CAPABILITIES: [&str; 14] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let dropped: Vec<String> = workload.cap_drop.iter().map(|c| normalize_capability(&c.value)).collect();
    if dropped.iter().any(|c| c == "ALL") {
        return;
    }
    let kept: Vec<&str> =
        DEFAULT_CAPABILITIES.into_iter().filter(|c| !dropped.iter().any(|d| d == c)).collect();
    if kept.is_empty() {
        return;
    }
    let origin = workload.cap_drop.first().map_or(&workload.origin, |c| &c.origin);
    let message = if dropped.is_empty() {
        format!("capabilities are not dropped: the container keeps the {} default capabilities", kept.len())
    } else {
        let shown: Vec<&str> = kept.iter().copied().take(4).collect();
        let more = if kept.len() > shown.len() { ", ..." } else { "" };
        format!(
            "only some capabilities are dropped: the container keeps {} default capabilities ({}{more})",
            kept.len(),
            shown.join(", ")
        )
    };
    checker.report(&CAPABILITIES_NOT_DROPPED, origin, message).help =
        Some("add `cap_drop: [ALL]` and add back only what the service needs".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_missing_drop_all() {
        let mut w = service();
        assert_eq!(starts(&run(&CAPABILITIES_NOT_DROPPED, &w)), [0]);
        w.cap_drop = vec![set("NET_RAW".into(), 30), set("MKNOD".into(), 40)];
        let findings = run(&CAPABILITIES_NOT_DROPPED, &w);
        assert_eq!(starts(&findings), [30]);
        assert!(findings[0].message.contains("keeps 12 default"), "{}", findings[0].message);
    }

    #[test]
    fn drop_all_in_any_spelling_is_fine() {
        let mut w = service();
        for spelling in ["ALL", "all", "CAP_ALL", " All "] {
            w.cap_drop = vec![set("NET_RAW".into(), 10), set(spelling.into(), 20)];
            assert!(run(&CAPABILITIES_NOT_DROPPED, &w).is_empty(), "{spelling}");
        }
        w.cap_drop = DEFAULT_CAPABILITIES.iter().map(|c| set(format!("cap_{c}"), 5)).collect();
        assert!(run(&CAPABILITIES_NOT_DROPPED, &w).is_empty());
    }

    #[test]
    fn adding_capabilities_does_not_matter_here() {
        let mut w = service();
        w.cap_drop = vec![set("ALL".into(), 10)];
        w.cap_add = vec![set("SYS_ADMIN".into(), 20)];
        assert!(run(&CAPABILITIES_NOT_DROPPED, &w).is_empty());
    }
}
