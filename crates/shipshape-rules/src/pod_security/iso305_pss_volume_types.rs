use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use super::{PodView, PolicyVersion, Violation, violation};

/// Volume sources the restricted level allows.
const ALLOWED: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Every other volume source of the core API.
const FORBIDDEN: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

declare_rule! {
    /// ## What it does
    /// Pod Security Standards, restricted control "Volume Types" (upstream check
    /// `restrictedVolumes`, replacing the baseline `hostPathVolumes` check at the restricted
    /// level): every volume must be a `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
    /// `image`, `persistentVolumeClaim`, `projected` or `secret` volume. A volume with no source
    /// at all is allowed: the API server defaults it to `emptyDir`.
    ///
    /// ## Why is this bad?
    /// Other volume types reach storage directly (NFS, iSCSI, cloud disks, `gitRepo`) with the
    /// node's credentials and network, around the PersistentVolume objects that let cluster
    /// administrators control storage access.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     nfs: {server: nfs.example.com, path: /exports}
    /// ```
    ///
    /// Use instead: a PersistentVolume for the NFS export and a `persistentVolumeClaim` volume.
    ///
    /// ## Fix
    /// Move the storage behind a PersistentVolumeClaim.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, restricted: Volume Types
    pub static PSS_VOLUME_TYPES = {
        code: "ISO305",
        name: "pss-volume-types",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Data,
        severity: Low,
        fix: None,
        summary: "the pod uses a volume type the restricted Pod Security level forbids",
        aliases: [(Pss, "restricted/volume-types"), (Pss, "restrictedVolumes")],
    }
}

pub(crate) fn check(pod: &PodView<'_>, _version: PolicyVersion, out: &mut Vec<Violation>) {
    for volume in pod.spec.get("volumes").and_then(Node::as_sequence).unwrap_or_default() {
        let set = |key: &str| volume.get(key).is_some_and(|n| !n.is_null());
        if ALLOWED.iter().any(|key| set(key)) {
            continue;
        }
        let Some(key) =
            FORBIDDEN.iter().find_map(|key| volume.entry(key).filter(|(_, v)| !v.is_null()).map(|(k, _)| k))
        else {
            continue;
        };
        let name = volume.get("name").and_then(Node::as_str).unwrap_or_default();
        out.push(violation(
            &PSS_VOLUME_TYPES,
            "restricted volume types",
            pod.origin(key),
            format!("volume {name:?} uses restricted volume type {:?}", key.as_str().unwrap_or_default()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::{ALLOWED, FORBIDDEN};
    use crate::pod_security::testing::{pod, run};

    #[test]
    fn each_volume_type() {
        for key in ALLOWED {
            let yaml = pod(&format!("  volumes:\n    - name: v\n      {key}: {{}}\n  containers: []\n"));
            assert!(run("restrictedVolumes", 37, &yaml).is_empty(), "{key}");
        }
        for key in FORBIDDEN {
            let yaml = pod(&format!("  volumes:\n    - name: v\n      {key}: {{}}\n  containers: []\n"));
            assert_eq!(run("restrictedVolumes", 37, &yaml).len(), 1, "{key}");
        }
        let defaulted = pod("  volumes:\n    - name: v\n  containers: []\n");
        assert!(run("restrictedVolumes", 37, &defaulted).is_empty());
    }
}
