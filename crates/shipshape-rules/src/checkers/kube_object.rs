use shipshape_kube::ObjectInfo;
use shipshape_kube::cluster::ClusterIndex;
use shipshape_model::{Origin, RuleMeta};
use shipshape_yaml::Node;
use std::sync::Arc;

use crate::context::Checker;
use crate::network::net104_pods_without_network_policy;
use crate::pod_security::PodView;
use crate::privilege::prv110_service_account_token_mounted;
use crate::secrets::{sec102_secret_manifest_data, sec103_credential_in_config_map};

/// A Kubernetes object, with its pod (when it has one) and what the scan knows of the cluster.
pub struct KubeObject<'a, 'n> {
    pub info: &'a ObjectInfo<'n>,
    pub pod: Option<PodView<'n>>,
    pub cluster: &'a ClusterIndex,
    pub path: &'n Arc<str>,
}

impl<'n> KubeObject<'_, 'n> {
    /// `Deployment/web`.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.info.kind, self.info.name.as_deref().unwrap_or("-"))
    }

    pub(crate) fn origin(&self, node: &Node) -> Origin {
        Origin::new(self.path.clone(), node.source_span())
    }

    /// Where a finding about the object as a whole points: its `metadata.name`, else the object.
    pub(crate) fn anchor(&self) -> Origin {
        self.origin(self.info.node.get_path(&["metadata", "name"]).unwrap_or(self.info.node))
    }
}

type Rule = fn(&KubeObject<'_, '_>, &mut Checker<'_>);

static RULES: [(&RuleMeta, Rule); 4] = [
    (
        &net104_pods_without_network_policy::PODS_WITHOUT_NETWORK_POLICY,
        net104_pods_without_network_policy::check,
    ),
    (
        &prv110_service_account_token_mounted::SERVICE_ACCOUNT_TOKEN_MOUNTED,
        prv110_service_account_token_mounted::check,
    ),
    (&sec102_secret_manifest_data::SECRET_MANIFEST_DATA, sec102_secret_manifest_data::check),
    (&sec103_credential_in_config_map::CREDENTIAL_IN_CONFIG_MAP, sec103_credential_in_config_map::check),
];

/// Every rule that reads a Kubernetes object.
pub fn kube_object_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|(meta, _)| *meta)
}

/// Runs every enabled Kubernetes object rule over `object`.
pub fn check_kube_object(object: &KubeObject<'_, '_>, checker: &mut Checker<'_>) {
    for (meta, check) in &RULES {
        if checker.enabled(meta) {
            check(object, checker);
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use shipshape_model::Finding;

    /// Findings of `rule` for every object of `yaml` (with `cluster` built from `yaml` too).
    pub(crate) fn run(rule: &'static RuleMeta, yaml: &str) -> Vec<Finding> {
        let stream = shipshape_yaml::parse(yaml, &shipshape_yaml::Limits::default());
        let path: Arc<str> = Arc::from("k.yaml");
        let lowered = shipshape_kube::lower(&stream, &path);
        let mut cluster = ClusterIndex::default();
        cluster.add(&lowered);
        let settings = crate::RuleSettings::default();
        let only = |r: &RuleMeta| r == rule;
        let mut checker = Checker::new(&settings, &only);
        for (index, info) in lowered.objects.iter().enumerate() {
            let pod = lowered.pods.iter().find(|p| p.object == index).map(|site| PodView::new(site, &path));
            check_kube_object(&KubeObject { info, pod, cluster: &cluster, path: &path }, &mut checker);
        }
        checker.into_findings()
    }

    /// 1-based start lines of findings.
    pub(crate) fn lines(yaml: &str, findings: &[Finding]) -> Vec<usize> {
        findings
            .iter()
            .map(|f| yaml.get(..f.location.span.start as usize).map_or(0, |b| b.matches('\n').count()) + 1)
            .collect()
    }
}
