//! Pod Security Standards conformance: every case in `resources/pss-cases/<check>.yaml` (pods
//! translated from the upstream pod-security-admission fixtures, plus constructed edge cases for
//! every allowed value and version boundary) is evaluated with that one check at every policy
//! version in its range, and must get the expected verdict.

use shipshape_kube::pod_security::PolicyVersion;
use shipshape_rules::pod_security::{PodView, evaluate_check};
use std::path::Path;
use std::sync::Arc;

const CHECKS: [&str; 19] = [
    "hostNamespaces",
    "privileged",
    "capabilities_baseline",
    "hostPathVolumes",
    "hostPorts",
    "appArmorProfile",
    "seLinuxOptions",
    "procMount",
    "seccompProfile_baseline",
    "sysctls",
    "windowsHostProcess",
    "hostProbesAndHostLifecycle",
    "restrictedVolumes",
    "allowPrivilegeEscalation",
    "runAsNonRoot",
    "runAsUser",
    "seccompProfile_restricted",
    "capabilities_restricted",
    "procMount_restricted",
];

/// `1.25+` or `1.25-1.33` as an inclusive range of minor versions.
fn versions(text: &str) -> Option<(u8, u8)> {
    let minor = |v: &str| v.trim().strip_prefix("1.")?.parse::<u8>().ok();
    match text.trim().strip_suffix('+') {
        Some(from) => Some((minor(from)?, PolicyVersion::LATEST.minor())),
        None => {
            let (from, to) = text.split_once('-')?;
            Some((minor(from)?, minor(to)?))
        }
    }
}

#[test]
fn every_upstream_and_constructed_case_gets_its_verdict() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/pss-cases");
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut evaluations = 0;
    for check in CHECKS {
        let path = dir.join(format!("{check}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stream = shipshape_yaml::parse(&text, &shipshape_yaml::Limits::default());
        assert!(stream.errors.is_empty(), "{check}: {:?}", stream.errors);
        let file: Arc<str> = Arc::from(format!("{check}.yaml"));
        let lowered = shipshape_kube::lower(&stream, &file);
        assert_eq!(lowered.pods.len(), lowered.objects.len(), "{check}: every case is a pod");
        let (mut allowed, mut forbidden) = (0, 0);
        for site in &lowered.pods {
            let annotation = |key: &str| {
                site.metadata
                    .and_then(|m| m.get_path(&["annotations", key]))
                    .and_then(|n| n.as_str())
                    .unwrap_or_default()
            };
            let name = site.metadata.and_then(|m| m.get("name")).and_then(|n| n.as_str()).unwrap_or("?");
            let expect_allowed = match annotation("pss.test/expect") {
                "allowed" => true,
                "forbidden" => false,
                other => panic!("{check}/{name}: bad expectation {other:?}"),
            };
            let Some((from, to)) = versions(annotation("pss.test/versions")) else {
                panic!("{check}/{name}: bad versions");
            };
            if expect_allowed {
                allowed += 1;
            } else {
                forbidden += 1;
            }
            cases += 1;
            let pod = PodView::new(site, &file);
            for minor in from..=to {
                let version = PolicyVersion::new(minor).expect("supported version");
                let violations = evaluate_check(&pod, version, check).expect("known check");
                evaluations += 1;
                if violations.is_empty() != expect_allowed {
                    let got: Vec<String> =
                        violations.iter().map(|v| format!("{} ({})", v.reason, v.detail)).collect();
                    failures.push(format!(
                        "{check}/{name} at {version}: expected {}, got {got:?} [{}]",
                        if expect_allowed { "allowed" } else { "forbidden" },
                        annotation("pss.test/note")
                    ));
                }
            }
        }
        assert!(allowed > 0 && forbidden > 0, "{check}: needs allowed and forbidden cases");
    }
    assert!(
        failures.is_empty(),
        "{} of {evaluations} evaluations disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases >= 400, "only {cases} cases");
}
