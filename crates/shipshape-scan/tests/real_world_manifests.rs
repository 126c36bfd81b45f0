//! Real manifests from Kubernetes projects (`shipshape-kube/tests/data/real-world`, provenance
//! alongside): every file parses, and hand-checked findings are where they should be.

use shipshape_scan::{ScanOptions, scan};
use std::path::Path;

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shipshape-kube/tests/data/real-world")
}

#[test]
fn real_world_manifests_parse_and_get_the_hand_checked_findings() {
    let dir = data_dir().canonicalize().expect("real-world manifests");
    let result = scan(&ScanOptions::new(vec![dir.clone()], dir.clone())).expect("scan");
    let manifests: Vec<_> = result.targets.iter().filter(|t| t.kind == "kubernetes").collect();
    assert_eq!(
        manifests.len(),
        25,
        "{:?}",
        result.targets.iter().map(|t| (&t.path, t.kind)).collect::<Vec<_>>()
    );
    // The licence texts and PROVENANCE.md are read too, for secrets only.
    assert!(result.targets.iter().all(|t| t.kind == "kubernetes" || t.kind == "text"));
    let general: Vec<_> = result.findings.iter().filter(|f| f.rule.code.starts_with("GEN")).collect();
    assert!(general.is_empty(), "{general:?}");
    let at = |code: &str, file: &str, line: u32| {
        result.findings.iter().any(|f| {
            f.rule.code == code && f.location.path.ends_with(file) && f.location.region.start_line == line
        })
    };
    // Checked by hand against the manifests.
    let expected = [
        ("PRV100", "nvidia-gpu__daemonset.yaml", 50),
        ("ISO106", "nvidia-gpu__daemonset.yaml", 54),
        ("ISO106", "fluentd-es-ds.yaml", 83),
        ("ISO100", "aquasecurity__kube-bench/job.yaml", 53),
        ("ISO106", "aquasecurity__kube-bench/job-master.yaml", 114),
        ("ISO107", "conformance-e2e.yaml", 72),
        ("NET104", "samples__httpbin__httpbin.yaml", 53),
    ];
    for (code, file, line) in expected {
        assert!(at(code, file, line), "missing {code} at {file}:{line}");
    }
    // The argo-cd NetworkPolicy selects no scanned workload; the argo-cd Secret holds no value.
    assert!(!result.findings.iter().any(|f| f.rule.code == "SEC102"));
}

#[test]
fn real_world_pod_security_verdicts() {
    let dir = data_dir();
    let verdicts = shipshape_scan::pod_security::verdicts(
        &[dir],
        shipshape_kube::pod_security::PolicyVersion::LATEST,
        8 * 1024 * 1024,
    );
    assert!(verdicts.errors.is_empty(), "{:?}", verdicts.errors);
    let level = |object: &str| verdicts.pods.iter().find(|p| p.object == object).map(|p| p.level);
    assert_eq!(level("DaemonSet/nvidia-gpu-device-plugin"), Some("privileged"));
    assert_eq!(level("Job/kube-bench"), Some("privileged"));
    assert_eq!(level("Deployment/httpbin"), Some("baseline"));
    assert!(verdicts.pods.len() >= 15, "{}", verdicts.pods.len());
}
