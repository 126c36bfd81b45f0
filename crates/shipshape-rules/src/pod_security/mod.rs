//! The Kubernetes Pod Security Standards, evaluated exactly as the upstream
//! `pod-security-admission` policy does, at any policy version from v1.25 to the newest (v1.37).
//!
//! Each upstream check is one rule file here (its doc comment states the control and its allowed
//! values). A check reads the pod spec as the admission controller receives it (the YAML nodes,
//! not the lowered [`Workload`](shipshape_model::Workload), because the standard is defined over
//! the exact fields), and reports one [`Violation`] per offending field, located at that field, or
//! at the container or pod that fails to set a required field.
//!
//! Levels compose as upstream's registry does: baseline is every baseline check active at the
//! version; restricted is baseline minus the checks a restricted check overrides
//! (`hostPathVolumes` by `restrictedVolumes`, and so on), plus the restricted checks.

use shipshape_kube::PodSite;
pub use shipshape_kube::pod_security::{Level, PolicyVersion};
use shipshape_model::{Finding, Origin, RuleMeta};
use shipshape_yaml::Node;
use std::sync::Arc;

use crate::context::Checker;

pub(crate) mod iso300_pss_host_process;
pub(crate) mod iso301_pss_host_namespaces;
pub(crate) mod iso302_pss_host_path_volumes;
pub(crate) mod iso303_pss_proc_mount;
pub(crate) mod iso304_pss_sysctls;
pub(crate) mod iso305_pss_volume_types;
pub(crate) mod iso306_pss_proc_mount_restricted;
pub(crate) mod net300_pss_host_ports;
pub(crate) mod net301_pss_host_probes;
pub(crate) mod prv300_pss_privileged;
pub(crate) mod prv301_pss_capabilities_baseline;
pub(crate) mod prv302_pss_apparmor;
pub(crate) mod prv303_pss_selinux;
pub(crate) mod prv304_pss_seccomp_baseline;
pub(crate) mod prv305_pss_privilege_escalation;
pub(crate) mod prv306_pss_run_as_non_root;
pub(crate) mod prv307_pss_run_as_user;
pub(crate) mod prv308_pss_seccomp_restricted;
pub(crate) mod prv309_pss_capabilities_restricted;

/// One field (or missing field) that fails one check.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The check's rule.
    pub rule: &'static RuleMeta,
    /// Upstream's short reason, e.g. `allowPrivilegeEscalation != false`.
    pub reason: &'static str,
    /// What exactly is wrong, e.g. `container "app" must set securityContext.allowPrivilegeEscalation=false`.
    pub detail: String,
    /// The offending field, or the container or pod that lacks a required one.
    pub origin: Origin,
}

/// The Pod Security verdict for one pod.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The highest level the pod meets.
    pub level: Level,
    /// Violations of the baseline checks.
    pub baseline: Vec<Violation>,
    /// Violations of the restricted level (baseline checks not overridden, plus restricted ones).
    pub restricted: Vec<Violation>,
}

impl Verdict {
    /// The violations that keep the pod out of `level`.
    pub fn violations_of(&self, level: Level) -> &[Violation] {
        match level {
            Level::Privileged => &[],
            Level::Baseline => &self.baseline,
            Level::Restricted => &self.restricted,
        }
    }
}

type Check = fn(&PodView<'_>, PolicyVersion, &mut Vec<Violation>);

/// One upstream check.
struct Control {
    rule: &'static RuleMeta,
    /// Upstream's check id.
    id: &'static str,
    level: Level,
    /// The policy version the check first applies at.
    since: u8,
    /// The baseline check this restricted check replaces.
    overrides: Option<&'static str>,
    check: Check,
}

macro_rules! control {
    ($module:ident, $meta:ident, $id:literal, $level:ident, $since:literal, $overrides:expr) => {
        Control {
            rule: &$module::$meta,
            id: $id,
            level: Level::$level,
            since: $since,
            overrides: $overrides,
            check: $module::check,
        }
    };
}

/// Every check, in upstream's order.
static CONTROLS: [Control; 19] = [
    control!(iso301_pss_host_namespaces, PSS_HOST_NAMESPACES, "hostNamespaces", Baseline, 0, None),
    control!(prv300_pss_privileged, PSS_PRIVILEGED, "privileged", Baseline, 0, None),
    control!(
        prv301_pss_capabilities_baseline,
        PSS_CAPABILITIES_BASELINE,
        "capabilities_baseline",
        Baseline,
        0,
        None
    ),
    control!(iso302_pss_host_path_volumes, PSS_HOST_PATH_VOLUMES, "hostPathVolumes", Baseline, 0, None),
    control!(net300_pss_host_ports, PSS_HOST_PORTS, "hostPorts", Baseline, 0, None),
    control!(prv302_pss_apparmor, PSS_APPARMOR, "appArmorProfile", Baseline, 0, None),
    control!(prv303_pss_selinux, PSS_SELINUX, "seLinuxOptions", Baseline, 0, None),
    control!(iso303_pss_proc_mount, PSS_PROC_MOUNT, "procMount", Baseline, 0, None),
    control!(prv304_pss_seccomp_baseline, PSS_SECCOMP_BASELINE, "seccompProfile_baseline", Baseline, 0, None),
    control!(iso304_pss_sysctls, PSS_SYSCTLS, "sysctls", Baseline, 0, None),
    control!(iso300_pss_host_process, PSS_HOST_PROCESS, "windowsHostProcess", Baseline, 0, None),
    control!(net301_pss_host_probes, PSS_HOST_PROBES, "hostProbesAndHostLifecycle", Baseline, 34, None),
    control!(
        iso305_pss_volume_types,
        PSS_VOLUME_TYPES,
        "restrictedVolumes",
        Restricted,
        0,
        Some("hostPathVolumes")
    ),
    control!(
        prv305_pss_privilege_escalation,
        PSS_PRIVILEGE_ESCALATION,
        "allowPrivilegeEscalation",
        Restricted,
        0,
        None
    ),
    control!(prv306_pss_run_as_non_root, PSS_RUN_AS_NON_ROOT, "runAsNonRoot", Restricted, 0, None),
    control!(prv307_pss_run_as_user, PSS_RUN_AS_USER, "runAsUser", Restricted, 0, None),
    control!(
        prv308_pss_seccomp_restricted,
        PSS_SECCOMP_RESTRICTED,
        "seccompProfile_restricted",
        Restricted,
        0,
        Some("seccompProfile_baseline")
    ),
    control!(
        prv309_pss_capabilities_restricted,
        PSS_CAPABILITIES_RESTRICTED,
        "capabilities_restricted",
        Restricted,
        0,
        Some("capabilities_baseline")
    ),
    control!(
        iso306_pss_proc_mount_restricted,
        PSS_PROC_MOUNT_RESTRICTED,
        "procMount_restricted",
        Restricted,
        35,
        Some("procMount")
    ),
];

/// Every Pod Security rule, in code order.
pub fn rules() -> impl Iterator<Item = &'static RuleMeta> {
    let mut rules: Vec<&'static RuleMeta> = CONTROLS.iter().map(|c| c.rule).collect();
    rules.sort_by_key(|r| r.code);
    rules.into_iter()
}

/// Upstream's id of the check a Pod Security rule implements (`PRV305` → `allowPrivilegeEscalation`).
pub fn check_id(rule: &RuleMeta) -> Option<&'static str> {
    CONTROLS.iter().find(|c| c.rule == rule).map(|c| c.id)
}

/// The level a Pod Security rule belongs to.
pub fn level_of(rule: &RuleMeta) -> Option<Level> {
    CONTROLS.iter().find(|c| c.rule == rule).map(|c| c.level)
}

/// Upstream's ids of the checks making up `level` at `version`.
pub fn checks_of(level: Level, version: PolicyVersion) -> Vec<&'static str> {
    controls_of(level, version).map(|c| c.id).collect()
}

fn controls_of(level: Level, version: PolicyVersion) -> impl Iterator<Item = &'static Control> {
    let active = move |c: &&Control| version.at_least(c.since) && c.level <= level;
    let overridden: Vec<&str> = match level {
        Level::Restricted => CONTROLS.iter().filter(active).filter_map(|c| c.overrides).collect(),
        _ => Vec::new(),
    };
    CONTROLS.iter().filter(active).filter(move |c| level != Level::Privileged && !overridden.contains(&c.id))
}

/// Evaluates one pod at `version`.
pub fn evaluate(pod: &PodView<'_>, version: PolicyVersion) -> Verdict {
    let run = |level: Level| {
        let mut violations = Vec::new();
        for control in controls_of(level, version) {
            (control.check)(pod, version, &mut violations);
        }
        violations
    };
    let baseline = run(Level::Baseline);
    let restricted = run(Level::Restricted);
    let level = if !baseline.is_empty() {
        Level::Privileged
    } else if !restricted.is_empty() {
        Level::Baseline
    } else {
        Level::Restricted
    };
    Verdict { level, baseline, restricted }
}

/// Runs the checks of upstream check id `id` alone (for conformance tests).
pub fn evaluate_check(pod: &PodView<'_>, version: PolicyVersion, id: &str) -> Option<Vec<Violation>> {
    let control = CONTROLS.iter().find(|c| c.id == id)?;
    let mut violations = Vec::new();
    if version.at_least(control.since) {
        (control.check)(pod, version, &mut violations);
    }
    Some(violations)
}

/// Reports the violations of `level` as findings of the enabled Pod Security rules.
pub fn check_pod(
    pod: &PodView<'_>,
    level: Level,
    version: PolicyVersion,
    workload: &str,
    checker: &mut Checker<'_>,
) {
    if level == Level::Privileged {
        return;
    }
    for control in controls_of(level, version) {
        if !checker.enabled(control.rule) {
            continue;
        }
        let mut violations = Vec::new();
        (control.check)(pod, version, &mut violations);
        for violation in violations {
            let finding = checker.report(
                violation.rule,
                &violation.origin,
                format!(
                    "{workload} violates PodSecurity \"{level}:{version}\": {} ({})",
                    violation.reason, violation.detail
                ),
            );
            finding.help = Some(help_for(&violation, level));
        }
    }
}

fn help_for(violation: &Violation, level: Level) -> String {
    format!(
        "the Pod Security admission controller rejects this pod in a namespace labelled \
         `pod-security.kubernetes.io/enforce: {level}`; {}",
        violation.rule.summary
    )
}

/// A finding for each violation (used by `shipshape pss` and admission responses).
pub fn to_findings(violations: &[Violation]) -> Vec<Finding> {
    violations
        .iter()
        .map(|v| Finding::new(v.rule, &v.origin, format!("{} ({})", v.reason, v.detail)))
        .collect()
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerList {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerList {
    fn noun(self) -> &'static str {
        match self {
            ContainerList::Init => "init container",
            ContainerList::Regular => "container",
            ContainerList::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of the pod.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Container<'n> {
    pub(crate) node: &'n Node,
    pub(crate) list: ContainerList,
    pub(crate) index: usize,
}

impl<'n> Container<'n> {
    pub(crate) fn name(&self) -> String {
        match self.node.get("name").and_then(Node::as_str) {
            Some(name) => name.to_string(),
            None => format!("#{}", self.index),
        }
    }

    /// `container "app"` (or `init container "migrate"`).
    pub(crate) fn describe(&self) -> String {
        format!("{} {:?}", self.list.noun(), self.name())
    }

    pub(crate) fn security(&self) -> Option<&'n Node> {
        self.node.get("securityContext").filter(|n| !n.is_null())
    }

    /// `securityContext.<path>` of this container, unless null.
    pub(crate) fn security_field(&self, path: &[&str]) -> Option<&'n Node> {
        self.security()?.get_path(path).filter(|n| !n.is_null())
    }
}

/// A pod as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct PodView<'n> {
    pub(crate) spec: &'n Node,
    pub(crate) metadata: Option<&'n Node>,
    pub(crate) path: &'n Arc<str>,
}

impl<'n> PodView<'n> {
    /// The pod of a [`PodSite`] found in the file at `path`.
    pub fn new(site: &PodSite<'n>, path: &'n Arc<str>) -> Self {
        Self { spec: site.spec, metadata: site.metadata, path }
    }

    pub(crate) fn origin(&self, node: &Node) -> Origin {
        Origin::new(self.path.clone(), node.source_span())
    }

    /// Containers in upstream's visiting order: init containers, containers, ephemeral containers.
    pub(crate) fn containers(&self) -> impl Iterator<Item = Container<'n>> {
        let spec = self.spec;
        [
            ("initContainers", ContainerList::Init),
            ("containers", ContainerList::Regular),
            ("ephemeralContainers", ContainerList::Ephemeral),
        ]
        .into_iter()
        .flat_map(move |(key, list)| {
            spec.get(key)
                .and_then(Node::as_sequence)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .filter(|(_, node)| node.as_mapping().is_some())
                .map(move |(index, node)| Container { node, list, index })
        })
    }

    pub(crate) fn security(&self) -> Option<&'n Node> {
        self.spec.get("securityContext").filter(|n| !n.is_null())
    }

    /// `spec.securityContext.<path>`, unless null.
    pub(crate) fn security_field(&self, path: &[&str]) -> Option<&'n Node> {
        self.security()?.get_path(path).filter(|n| !n.is_null())
    }

    /// `metadata.annotations` entries.
    pub(crate) fn annotations(&self) -> &'n [(Node, Node)] {
        self.metadata.and_then(|m| m.get("annotations")).and_then(Node::as_mapping).unwrap_or_default()
    }

    /// `spec.hostUsers: false`: the pod runs in its own user namespace.
    pub(crate) fn in_user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(Node::bool_yaml11) == Some(false)
    }

    /// `spec.os.name: windows`.
    pub(crate) fn is_windows(&self) -> bool {
        self.spec.get_path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// Where a container that lacks a required field is reported: its `securityContext` when it
    /// has one, else the container.
    pub(crate) fn container_anchor(&self, container: &Container<'n>) -> Origin {
        self.origin(container.security().unwrap_or(container.node))
    }
}

/// How a boolean field reads, as the API server decodes it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Flag<'n> {
    Unset,
    True(&'n Node),
    False(&'n Node),
    /// Not a boolean: the API server rejects the object, so no level can be granted.
    Invalid(&'n Node),
}

impl<'n> Flag<'n> {
    pub(crate) fn of(node: Option<&'n Node>) -> Flag<'n> {
        match node {
            None => Flag::Unset,
            Some(node) if node.is_null() => Flag::Unset,
            Some(node) => match node.bool_yaml11() {
                Some(true) => Flag::True(node),
                Some(false) => Flag::False(node),
                None => Flag::Invalid(node),
            },
        }
    }
}

/// Shorthand for building a violation.
pub(crate) fn violation(
    rule: &'static RuleMeta,
    reason: &'static str,
    origin: Origin,
    detail: impl Into<String>,
) -> Violation {
    Violation { rule, reason, detail: detail.into(), origin }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Violations of check `id` for the first pod in `yaml`, at `version`.
    pub(crate) fn run(id: &str, version: u8, yaml: &str) -> Vec<Violation> {
        let stream = shipshape_yaml::parse(yaml, &shipshape_yaml::Limits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let path: Arc<str> = Arc::from("pod.yaml");
        let lowered = shipshape_kube::lower(&stream, &path);
        let site = lowered.pods.first().expect("a pod");
        let pod = PodView::new(site, &path);
        let version = PolicyVersion::new(version).expect("version");
        evaluate_check(&pod, version, id).expect("known check")
    }

    /// A pod with `spec` (indented by 2) appended to its header.
    pub(crate) fn pod(spec: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}")
    }

    /// The 1-based lines the violations point at.
    pub(crate) fn lines(yaml: &str, violations: &[Violation]) -> Vec<usize> {
        violations
            .iter()
            .map(|v| yaml.get(..v.origin.span.start as usize).map_or(0, |b| b.matches('\n').count()) + 1)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_replaces_the_checks_it_overrides() {
        let latest = checks_of(Level::Restricted, PolicyVersion::LATEST);
        for replaced in ["hostPathVolumes", "seccompProfile_baseline", "capabilities_baseline", "procMount"] {
            assert!(!latest.contains(&replaced), "{replaced} in {latest:?}");
        }
        assert!(latest.contains(&"privileged") && latest.contains(&"procMount_restricted"));
        // Before v1.35 there is no procMount_restricted: the baseline procMount check stays.
        let v134 = checks_of(Level::Restricted, PolicyVersion::new(34).expect("v"));
        assert!(v134.contains(&"procMount") && !v134.contains(&"procMount_restricted"));
        assert!(
            !checks_of(Level::Baseline, PolicyVersion::new(33).expect("v"))
                .contains(&"hostProbesAndHostLifecycle")
        );
        assert_eq!(checks_of(Level::Baseline, PolicyVersion::LATEST).len(), 12);
        assert!(checks_of(Level::Privileged, PolicyVersion::LATEST).is_empty());
    }

    #[test]
    fn verdict_is_the_highest_level_met() {
        let yaml = |security: &str| {
            testing::pod(&format!(
                "  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {{type: RuntimeDefault}}\n  containers:\n    - name: app\n      image: x:1\n      securityContext:\n{security}"
            ))
        };
        let restricted = "        allowPrivilegeEscalation: false\n        capabilities: {drop: [ALL]}\n";
        let baseline = "        allowPrivilegeEscalation: true\n";
        let privileged = "        privileged: true\n";
        for (security, expected) in
            [(restricted, Level::Restricted), (baseline, Level::Baseline), (privileged, Level::Privileged)]
        {
            let text = yaml(security);
            let stream = shipshape_yaml::parse(&text, &shipshape_yaml::Limits::default());
            let path: Arc<str> = Arc::from("p.yaml");
            let lowered = shipshape_kube::lower(&stream, &path);
            let pod = PodView::new(&lowered.pods[0], &path);
            let verdict = evaluate(&pod, PolicyVersion::LATEST);
            assert_eq!(verdict.level, expected, "{security}: {:?}", verdict.restricted);
        }
    }
}
