//! The Kubernetes front end: manifests (multi-document YAML, JSON, `List`s) lowered to one
//! workload per container, checked one by one and as a deployment of the whole file.

use shipshape_model::{Platform, SourceFile};

use super::{Frontend, FrontendContext, FrontendOutput, check_workloads, file_deployment, parse_yaml};

/// Kubernetes manifests.
pub struct KubeFrontend;

impl Frontend for KubeFrontend {
    fn kind(&self) -> &'static str {
        "kubernetes"
    }

    fn claims(&self, _file_name: &str) -> bool {
        false
    }

    fn claims_content(&self, file_name: &str, head: &str) -> bool {
        shipshape_kube::looks_like_manifest(file_name, head)
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let mut output = FrontendOutput::default();
        let stream = parse_yaml(source, &mut output);
        let lowered = shipshape_kube::lower(&stream, &source.path);
        output.parse_errors += lowered.diagnostics.len();
        output.findings.extend(lowered.diagnostics);
        let deployment = file_deployment(source, Platform::Kubernetes, lowered.workloads);
        check_workloads(&deployment, context, &mut output);
        output
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::ComposeFrontend;

    const MANIFEST: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1\n";

    #[test]
    fn claims_manifests_by_content_only() {
        assert!(!KubeFrontend.claims("pod.yaml"));
        assert!(KubeFrontend.claims_content("pod.yaml", MANIFEST));
        assert!(KubeFrontend.claims_content("POD.YML", &format!("---\n{MANIFEST}")));
        assert!(KubeFrontend.claims_content("pod.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"));
        assert!(!KubeFrontend.claims_content("pod.txt", MANIFEST));
        assert!(!KubeFrontend.claims_content("values.yaml", "replicaCount: 1\nimage:\n  tag: x\n"));
        assert!(!KubeFrontend.claims_content("compose.yaml", "services:\n  web:\n    image: x\n"));
        // Helm templates are not manifests until rendered; templated strings in values are fine.
        let helm = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert!(!KubeFrontend.claims_content("pod.yaml", helm));
        let control = "apiVersion: v1\nkind: Pod\nspec:\n  {{- with .Values.x }}\n  {{- end }}\n";
        assert!(!KubeFrontend.claims_content("pod.yaml", control));
        let alerts = "apiVersion: v1\nkind: ConfigMap\ndata:\n  summary: \"{{ $labels.instance }} down\"\n";
        assert!(KubeFrontend.claims_content("alerts.yaml", alerts));
        // Nested `kind:` keys are not top-level.
        assert!(!KubeFrontend.claims_content("x.yaml", "data:\n  apiVersion: v1\n  kind: Pod\n"));
        // The Compose front end leaves manifests alone, even with a `services:` line.
        let with_services = format!("{MANIFEST}services:\n");
        assert!(!ComposeFrontend.claims_content("pod.yaml", &with_services));
        let claimed = crate::frontend::claim_content("pod.yaml", MANIFEST);
        assert_eq!(
            claimed.and_then(|i| crate::frontend::FRONTENDS.get(i)).map(|f| f.kind()),
            Some("kubernetes")
        );
    }

    #[test]
    fn checks_every_container_and_honours_pragmas() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1\n      securityContext:\n        # shipshape: ignore=PRV100\n        privileged: true\n---\n- not an object\n";
        let source = SourceFile::new("pod.yaml", text);
        let settings = shipshape_rules::RuleSettings::default();
        let all = |_: &shipshape_model::RuleMeta| true;
        let context =
            FrontendContext { settings: &settings, is_enabled: &all, build_args: &[], env_files: &[] };
        let output = KubeFrontend.check(&source, &context);
        assert!(output.findings.iter().any(|f| f.rule.code == "PRV100"));
        assert!(output.findings.iter().any(|f| f.rule.code == "PRV107"));
        assert_eq!(output.parse_errors, 1, "{:?}", output.findings);
        assert_eq!(output.pragmas.len(), 1);
    }
}
