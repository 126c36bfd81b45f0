//! Loads arbitrary UTF-8 as a Compose file (YAML parsing, anchors and merge keys, interpolation,
//! merge, typing into Workloads) and runs every workload and deployment rule over the result:
//! nothing may panic, and every origin of every finding must be a valid range of the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let env = HashMap::from([("TAG".to_string(), "1.0".to_string())]);
    let project = shipshape_compose::load_file_text("compose.yaml", text, &env);
    let mut findings = project.diagnostics.clone();
    if let Some(deployment) = &project.deployment {
        for workload in &deployment.workloads {
            findings.extend(shipshape_rules::checkers::check_workload_all(workload));
        }
        findings.extend(shipshape_rules::checkers::check_deployment_all(deployment));
    }
    for finding in &findings {
        if &*finding.location.path == "compose.yaml" {
            assert!(
                text.get(finding.location.span.range()).is_some(),
                "{} span {:?} out of bounds",
                finding.rule.code,
                finding.location.span
            );
        }
    }
});
