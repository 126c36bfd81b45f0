//! What the scanned objects say about the cluster as a whole, for checks that look across
//! files: which pods NetworkPolicies select, which ServiceAccounts mount their token, which Pod
//! Security level each Namespace enforces.
//!
//! The scan builds one [`ClusterIndex`] from every manifest of a run before checking any of them.
//! Objects without `metadata.namespace` share the namespace they are applied to, written `None`.

use crate::pod_security::{Level, Policy, PolicyVersion};
use crate::{KubeOutput, ObjectInfo};
use shipshape_yaml::Node;
use std::collections::{BTreeMap, HashMap};

/// A `LabelSelector`: `matchLabels` and `matchExpressions`, all of which must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// `matchLabels`.
    pub labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    pub expressions: Vec<SelectorExpression>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorExpression {
    /// `key`.
    pub key: String,
    /// `operator`: `In`, `NotIn`, `Exists`, `DoesNotExist` (anything else matches nothing).
    pub operator: String,
    /// `values`.
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Reads a selector node; a null or missing selector is the empty selector (matches all).
    pub fn from_node(node: Option<&Node>) -> LabelSelector {
        let mut selector = LabelSelector::default();
        let Some(node) = node else { return selector };
        selector.labels = string_map(node.get("matchLabels"));
        for expression in node.get("matchExpressions").and_then(Node::as_sequence).unwrap_or_default() {
            let text = |key: &str| expression.get(key).and_then(Node::as_str).unwrap_or_default().to_string();
            let values = expression
                .get("values")
                .and_then(Node::as_sequence)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            selector.expressions.push(SelectorExpression {
                key: text("key"),
                operator: text("operator"),
                values,
            });
        }
        selector
    }

    /// Whether a set of labels satisfies the selector.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator.as_str() {
                    "In" => value.is_some_and(|v| e.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !e.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// A mapping of scalar keys to scalar values (labels, annotations, `matchLabels`).
pub fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.and_then(Node::as_mapping)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str().unwrap_or_default().to_string())))
        .collect()
}

/// A NetworkPolicy's reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPolicySummary {
    /// Its namespace.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// `spec.podSelector`.
    pub pod_selector: LabelSelector,
}

/// Cluster-wide facts from every scanned manifest.
#[derive(Debug, Clone, Default)]
pub struct ClusterIndex {
    /// Every NetworkPolicy.
    pub network_policies: Vec<NetworkPolicySummary>,
    /// `automountServiceAccountToken` of each ServiceAccount, by (namespace, name).
    pub service_accounts: HashMap<(Option<String>, String), Option<bool>>,
    /// Enforced Pod Security levels, by namespace name.
    pub enforced: HashMap<String, Policy>,
    /// The files whose objects are in the index.
    pub files: std::collections::HashSet<std::sync::Arc<str>>,
}

impl ClusterIndex {
    /// Adds the objects of one lowered file.
    pub fn add(&mut self, output: &KubeOutput<'_>) {
        if let Some(object) = output.objects.first() {
            self.files.insert(object.origin.path.clone());
        }
        for object in &output.objects {
            self.add_object(object);
        }
    }

    fn add_object(&mut self, object: &ObjectInfo<'_>) {
        let name = object.name.clone().unwrap_or_default();
        match object.kind.as_str() {
            "NetworkPolicy" => self.network_policies.push(NetworkPolicySummary {
                namespace: object.namespace.clone(),
                name,
                pod_selector: LabelSelector::from_node(object.node.get_path(&["spec", "podSelector"])),
            }),
            "ServiceAccount" => {
                let automount = object.node.get("automountServiceAccountToken").and_then(Node::bool_yaml11);
                self.service_accounts.insert((object.namespace.clone(), name), automount);
            }
            "Namespace" => {
                let labels = string_map(object.labels());
                if let Some(level) =
                    labels.get("pod-security.kubernetes.io/enforce").and_then(|l| Level::parse(l))
                {
                    let version = labels
                        .get("pod-security.kubernetes.io/enforce-version")
                        .and_then(|v| PolicyVersion::parse(v).ok())
                        .unwrap_or(PolicyVersion::LATEST);
                    self.enforced.insert(name, Policy { level, version });
                }
            }
            _ => {}
        }
    }

    /// Merges another index (built from other files) into this one.
    pub fn merge(&mut self, other: ClusterIndex) {
        self.network_policies.extend(other.network_policies);
        self.service_accounts.extend(other.service_accounts);
        self.enforced.extend(other.enforced);
        self.files.extend(other.files);
    }

    /// Marks `path` as indexed (a manifest with no objects the index records).
    pub fn cover(&mut self, path: std::sync::Arc<str>) {
        self.files.insert(path);
    }

    /// Whether the objects of the file at `path` are in the index.
    pub fn covers(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// The NetworkPolicies of `namespace` whose pod selector matches `labels`.
    pub fn policies_selecting<'a>(
        &'a self,
        namespace: Option<&'a str>,
        labels: &'a BTreeMap<String, String>,
    ) -> impl Iterator<Item = &'a NetworkPolicySummary> + 'a {
        self.network_policies
            .iter()
            .filter(move |p| p.namespace.as_deref() == namespace && p.pod_selector.matches(labels))
    }

    /// Whether any NetworkPolicy was scanned at all.
    pub fn has_network_policies(&self) -> bool {
        !self.network_policies.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn index(text: &str) -> ClusterIndex {
        let stream = shipshape_yaml::parse(text, &shipshape_yaml::Limits::default());
        let path: Arc<str> = Arc::from("x.yaml");
        let mut index = ClusterIndex::default();
        index.add(&crate::lower(&stream, &path));
        index
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\nspec:\n  podSelector:\n    matchLabels: {app: web}\n    matchExpressions:\n      - {key: tier, operator: In, values: [front, edge]}\n      - {key: debug, operator: DoesNotExist}\n";
        let index = index(text);
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let web = labels(&[("app", "web"), ("tier", "front")]);
        assert_eq!(index.policies_selecting(Some("shop"), &web).count(), 1);
        assert_eq!(index.policies_selecting(None, &web).count(), 0);
        assert_eq!(
            index.policies_selecting(Some("shop"), &labels(&[("app", "web"), ("tier", "back")])).count(),
            0
        );
        let debug = labels(&[("app", "web"), ("tier", "edge"), ("debug", "1")]);
        assert_eq!(index.policies_selecting(Some("shop"), &debug).count(), 0);
        // An empty selector selects every pod of its namespace.
        let all = super::LabelSelector::default();
        assert!(all.matches(&BTreeMap::new()));
    }

    #[test]
    fn namespaces_service_accounts_and_levels() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.30\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\nautomountServiceAccountToken: false\n";
        let index = index(text);
        let enforced = index.enforced.get("shop").copied();
        assert_eq!(enforced.map(|e| (e.level, e.version.minor())), Some((Level::Restricted, 30)));
        assert_eq!(index.service_accounts.get(&(Some("shop".into()), "web".into())), Some(&Some(false)));
    }
}
