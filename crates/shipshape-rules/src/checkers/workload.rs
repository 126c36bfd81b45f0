use shipshape_model::{Finding, Location, RelatedLocation, RuleMeta, Workload};

use crate::context::Checker;
use crate::isolation::{
    iso100_host_pid_namespace, iso101_host_ipc_namespace, iso102_host_uts_namespace,
    iso103_host_user_namespace, iso104_host_cgroup_namespace, iso105_runtime_socket_mount,
    iso106_sensitive_host_mount, iso107_writable_host_mount, iso108_shared_mount_propagation,
    iso109_host_device, iso110_device_cgroup_rule, iso111_missing_memory_limit, iso112_missing_cpu_limit,
    iso113_missing_pids_limit, iso114_restart_without_limits, iso115_oom_killer_disabled,
    iso116_unsafe_sysctl,
};
use crate::monitoring::{mon100_missing_container_healthcheck, mon101_logging_disabled};
use crate::network::{
    net100_host_network, net101_port_on_all_interfaces, net102_sensitive_port_published,
    net103_privileged_host_port,
};
use crate::privilege::{
    prv100_privileged_container, prv101_dangerous_capability, prv102_capabilities_not_dropped,
    prv103_seccomp_unconfined, prv104_apparmor_unconfined, prv105_selinux_disabled,
    prv106_unmasked_system_paths, prv107_privilege_escalation_allowed, prv108_writable_root_filesystem,
    prv109_container_runs_as_root,
};
use crate::secrets::{sec100_secret_in_environment, sec101_known_credential_format};

type Rule = fn(&Workload, &mut Checker<'_>);

/// Every workload rule, in code order.
static RULES: [(&RuleMeta, Rule); 35] = [
    (&iso100_host_pid_namespace::HOST_PID_NAMESPACE, iso100_host_pid_namespace::check),
    (&iso101_host_ipc_namespace::HOST_IPC_NAMESPACE, iso101_host_ipc_namespace::check),
    (&iso102_host_uts_namespace::HOST_UTS_NAMESPACE, iso102_host_uts_namespace::check),
    (&iso103_host_user_namespace::HOST_USER_NAMESPACE, iso103_host_user_namespace::check),
    (&iso104_host_cgroup_namespace::HOST_CGROUP_NAMESPACE, iso104_host_cgroup_namespace::check),
    (&iso105_runtime_socket_mount::RUNTIME_SOCKET_MOUNT, iso105_runtime_socket_mount::check),
    (&iso106_sensitive_host_mount::SENSITIVE_HOST_MOUNT, iso106_sensitive_host_mount::check),
    (&iso107_writable_host_mount::WRITABLE_HOST_MOUNT, iso107_writable_host_mount::check),
    (&iso108_shared_mount_propagation::SHARED_MOUNT_PROPAGATION, iso108_shared_mount_propagation::check),
    (&iso109_host_device::HOST_DEVICE, iso109_host_device::check),
    (&iso110_device_cgroup_rule::DEVICE_CGROUP_RULE, iso110_device_cgroup_rule::check),
    (&iso111_missing_memory_limit::MISSING_MEMORY_LIMIT, iso111_missing_memory_limit::check),
    (&iso112_missing_cpu_limit::MISSING_CPU_LIMIT, iso112_missing_cpu_limit::check),
    (&iso113_missing_pids_limit::MISSING_PIDS_LIMIT, iso113_missing_pids_limit::check),
    (&iso114_restart_without_limits::RESTART_WITHOUT_LIMITS, iso114_restart_without_limits::check),
    (&iso115_oom_killer_disabled::OOM_KILLER_DISABLED, iso115_oom_killer_disabled::check),
    (&iso116_unsafe_sysctl::UNSAFE_SYSCTL, iso116_unsafe_sysctl::check),
    (
        &mon100_missing_container_healthcheck::MISSING_CONTAINER_HEALTHCHECK,
        mon100_missing_container_healthcheck::check,
    ),
    (&mon101_logging_disabled::LOGGING_DISABLED, mon101_logging_disabled::check),
    (&net100_host_network::HOST_NETWORK, net100_host_network::check),
    (&net101_port_on_all_interfaces::PORT_ON_ALL_INTERFACES, net101_port_on_all_interfaces::check),
    (&net102_sensitive_port_published::SENSITIVE_PORT_PUBLISHED, net102_sensitive_port_published::check),
    (&net103_privileged_host_port::PRIVILEGED_HOST_PORT, net103_privileged_host_port::check),
    (&prv100_privileged_container::PRIVILEGED_CONTAINER, prv100_privileged_container::check),
    (&prv101_dangerous_capability::DANGEROUS_CAPABILITY, prv101_dangerous_capability::check),
    (&prv102_capabilities_not_dropped::CAPABILITIES_NOT_DROPPED, prv102_capabilities_not_dropped::check),
    (&prv103_seccomp_unconfined::SECCOMP_UNCONFINED, prv103_seccomp_unconfined::check),
    (&prv104_apparmor_unconfined::APPARMOR_UNCONFINED, prv104_apparmor_unconfined::check),
    (&prv105_selinux_disabled::SELINUX_DISABLED, prv105_selinux_disabled::check),
    (&prv106_unmasked_system_paths::UNMASKED_SYSTEM_PATHS, prv106_unmasked_system_paths::check),
    (
        &prv107_privilege_escalation_allowed::PRIVILEGE_ESCALATION_ALLOWED,
        prv107_privilege_escalation_allowed::check,
    ),
    (&prv108_writable_root_filesystem::WRITABLE_ROOT_FILESYSTEM, prv108_writable_root_filesystem::check),
    (&prv109_container_runs_as_root::CONTAINER_RUNS_AS_ROOT, prv109_container_runs_as_root::check),
    (&sec100_secret_in_environment::SECRET_IN_ENVIRONMENT, sec100_secret_in_environment::check),
    (&sec101_known_credential_format::KNOWN_CREDENTIAL_FORMAT, sec101_known_credential_format::check),
];

/// Runs every enabled `Workload` rule over `workload`.
///
/// A finding that points outside the workload's own definition (a YAML anchor or `x-` block that
/// several services merge, the Dockerfile a service builds from) gets the workload as a related
/// location, so findings shared by several workloads say which ones they concern (the pipeline
/// merges such identical findings into one).
pub fn check_workload(workload: &Workload, checker: &mut Checker<'_>) {
    let start = checker.len();
    if crate::checkers::image_ref::any_enabled(checker)
        && let Some(image) = crate::checkers::image_ref::image_of_workload(workload)
    {
        crate::checkers::image_ref::check_images(&[image], checker);
    }
    for (meta, check) in &RULES {
        if checker.enabled(meta) {
            check(workload, checker);
        }
    }
    let own = &workload.origin;
    for finding in checker.findings_since(start) {
        let location = &finding.location;
        // Settings of a workload are written at or after its own key; one written before it, or
        // in another file, came from an anchor, an `x-` block or the image.
        let elsewhere = location.path != own.path || location.span.end <= own.span.start;
        if elsewhere
            && !finding.related.iter().any(|r| r.location.path == own.path && r.location.span == own.span)
        {
            finding.related.push(RelatedLocation {
                location: Location::unlocated(own),
                label: format!("applies to `{}`", workload.name),
            });
        }
    }
}

/// Convenience: checks `workload` with every rule enabled and default settings.
pub fn check_workload_all(workload: &Workload) -> Vec<Finding> {
    let settings = crate::RuleSettings::default();
    let all = |_: &RuleMeta| true;
    let mut checker = Checker::new(&settings, &all);
    check_workload(workload, &mut checker);
    checker.into_findings()
}

/// The metadata of every workload rule, in code order.
pub fn workload_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|(meta, _)| *meta)
}

/// Builders shared by the workload rules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use shipshape_model::{
        Finding, Mount, MountKind, Origin, Platform, PortMapping, RuleMeta, Setting, Span, Workload,
    };
    use std::sync::Arc;

    /// An origin in `compose.yaml` starting at byte `offset`.
    pub(crate) fn at(offset: u32) -> Origin {
        Origin::new(Arc::from("compose.yaml"), Span::new(offset, offset + 1))
    }

    pub(crate) fn set<T>(value: T, offset: u32) -> Setting<T> {
        Setting::new(value, at(offset))
    }

    /// A Compose service at offset 0 with every setting at its default.
    pub(crate) fn service() -> Workload {
        Workload::new("web", Platform::Compose, at(0))
    }

    /// A service with limits, a read-only root filesystem, no-new-privileges and every
    /// capability dropped: clean for every rule that checks a missing setting.
    pub(crate) fn hardened() -> Workload {
        let mut w = service();
        w.resources.memory = Some(set(256 << 20, 1));
        w.resources.cpus = Some(set(0.5, 2));
        w.resources.pids = Some(set(100, 3));
        w.read_only_rootfs = Some(set(true, 4));
        w.security.no_new_privileges = Some(set(true, 5));
        w.cap_drop = vec![set("ALL".to_string(), 6)];
        w.user = Some(set("10001".to_string(), 7));
        w
    }

    pub(crate) fn bind(source: &str, target: &str, read_only: bool, offset: u32) -> Mount {
        Mount {
            kind: MountKind::Bind,
            source: Some(source.to_string()),
            target: target.to_string(),
            read_only,
            propagation: None,
            selinux_label: None,
            origin: at(offset),
        }
    }

    pub(crate) fn port(
        host_ip: Option<&str>,
        host_port: Option<u16>,
        container_port: u16,
        offset: u32,
    ) -> PortMapping {
        PortMapping {
            host_ip: host_ip.map(str::to_string),
            host_port,
            host_port_end: None,
            container_port,
            container_port_end: None,
            protocol: "tcp".to_string(),
            origin: at(offset),
        }
    }

    /// Findings of `rule` when only it runs.
    pub(crate) fn run(rule: &'static RuleMeta, workload: &Workload) -> Vec<Finding> {
        let settings = crate::RuleSettings::default();
        let only = |r: &RuleMeta| r.code == rule.code;
        let mut checker = crate::Checker::new(&settings, &only);
        super::check_workload(workload, &mut checker);
        checker.into_findings()
    }

    /// Findings of `rule` when every rule runs (rules that defer to a more specific one).
    pub(crate) fn run_with_all(rule: &'static RuleMeta, workload: &Workload) -> Vec<Finding> {
        super::check_workload_all(workload).into_iter().filter(|f| f.rule.code == rule.code).collect()
    }

    /// Start offsets of the findings' primary locations.
    pub(crate) fn starts(findings: &[Finding]) -> Vec<u32> {
        findings.iter().map(|f| f.location.span.start).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_code_order_and_registered() {
        let codes: Vec<&str> = workload_rules().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for code in codes {
            assert!(crate::rule_by_code(code).is_some_and(|r| r.code == code), "{code} is not in ALL_RULES");
        }
    }

    #[test]
    fn disabled_rules_do_not_run() {
        let mut w = testing::service();
        w.privileged = Some(testing::set(true, 9));
        let settings = crate::RuleSettings::default();
        let none = |_: &RuleMeta| false;
        let mut checker = Checker::new(&settings, &none);
        check_workload(&w, &mut checker);
        assert!(checker.into_findings().is_empty());
        assert!(check_workload_all(&w).iter().any(|f| f.rule.code == "PRV100"));
    }

    #[test]
    fn hardened_service_is_clean_except_healthcheck_and_unknown_image() {
        let w = testing::hardened();
        let codes: Vec<&str> = check_workload_all(&w).iter().map(|f| f.rule.code).collect();
        assert_eq!(codes, ["MON100"], "{codes:?}");
    }
}
