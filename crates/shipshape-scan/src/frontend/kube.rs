//! The Kubernetes front end: manifests (multi-document YAML, JSON, `List`s) lowered to one
//! workload per container, checked one by one and as a deployment of the whole file.

use shipshape_kube::cluster::ClusterIndex;
use shipshape_kube::pod_security::{Level, Policy};
use shipshape_kube::{KubeOutput, ObjectInfo};
use shipshape_model::general::CONFIG_ERROR;
use shipshape_model::{Finding, Origin, Platform, RuleMeta, SourceFile, Span, Tool};
use shipshape_rules::Checker;
use shipshape_rules::checkers::{KubeObject, check_kube_object};
use shipshape_rules::pod_security::{PodView, check_pod};
use shipshape_workspace::{PragmaScope, ScopedPragma, parse_pragma};
use shipshape_yaml::Node;
use std::collections::HashMap;

use super::{Frontend, FrontendContext, FrontendOutput, check_workloads, file_deployment, parse_yaml};

/// The annotation that suppresses findings inside the annotated object (or pod template):
/// `shipshape.io/ignore: "PRV100,ISO105 -- the CSI driver needs the host's /dev"`.
pub(crate) const IGNORE_ANNOTATION: &str = "shipshape.io/ignore";

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
        output.findings.extend(lowered.diagnostics.iter().cloned());
        // The scan indexes every manifest file before checking any; stdin and single-file checks
        // add their own objects here.
        let local;
        let cluster = if context.cluster.covers(&source.path) {
            context.cluster
        } else {
            let mut index = context.cluster.clone();
            index.add(&lowered);
            local = index;
            &local
        };
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        check_objects(&lowered, cluster, &source.path, context.settings.pod_security, &mut checker);
        let object_findings = checker.into_findings();
        ignore_annotations(source, &lowered, &mut output);
        let deployment = file_deployment(source, Platform::Kubernetes, lowered.workloads);
        check_workloads(&deployment, context, &mut output);
        drop_findings_restated_by_pod_security(&mut output.findings, &object_findings);
        output.findings.extend(object_findings);
        output
    }
}

/// Runs the object rules on every object and the Pod Security checks on every pod, at `policy`
/// or, when none is given, at the level the pod's namespace enforces (if a scanned Namespace
/// says).
fn check_objects(
    lowered: &KubeOutput<'_>,
    cluster: &ClusterIndex,
    path: &std::sync::Arc<str>,
    policy: Option<Policy>,
    checker: &mut Checker<'_>,
) {
    for (index, info) in lowered.objects.iter().enumerate() {
        let site = lowered.pods.iter().find(|p| p.object == index);
        let pod = site.map(|site| PodView::new(site, path));
        check_kube_object(&KubeObject { info, pod, cluster, path }, checker);
        let Some(pod) = pod else { continue };
        let policy =
            policy.or_else(|| info.namespace.as_ref().and_then(|ns| cluster.enforced.get(ns).copied()));
        if let Some(policy) = policy.filter(|p| p.level != Level::Privileged) {
            check_pod(&pod, policy.level, policy.version, &display_name(info), checker);
        }
    }
}

fn display_name(info: &ObjectInfo<'_>) -> String {
    format!("{}/{}", info.kind, info.name.as_deref().unwrap_or("-"))
}

/// A Pod Security finding and a runtime rule finding about the same control at overlapping
/// places (the field, or the container that lacks it) say the same thing; the Pod Security one,
/// which names the control and the level asked for, is kept.
fn drop_findings_restated_by_pod_security(findings: &mut Vec<Finding>, pod_security: &[Finding]) {
    /// The spans of the Pod Security findings naming one control, sorted by start, with the
    /// running maximum of their ends (so "does any span overlap this one" is two binary searches).
    #[derive(Default)]
    struct Spans {
        starts: Vec<(u32, u32)>,
        max_end: Vec<u32>,
    }
    let pss_aliases =
        |rule: &'static RuleMeta| rule.aliases.iter().filter(|a| a.tool == Tool::Pss).map(|a| a.id);
    let mut by_alias: HashMap<(&str, &'static str), Spans> = HashMap::new();
    for finding in pod_security {
        for alias in pss_aliases(finding.rule) {
            let span = finding.location.span;
            by_alias.entry((&finding.location.path, alias)).or_default().starts.push((span.start, span.end));
        }
    }
    if by_alias.is_empty() {
        return;
    }
    for spans in by_alias.values_mut() {
        spans.starts.sort_unstable();
        let mut max = 0;
        spans.max_end = spans
            .starts
            .iter()
            .map(|(_, end)| {
                max = max.max(*end);
                max
            })
            .collect();
    }
    let overlaps = |spans: &Spans, span: Span| {
        // A span starting inside `span`, or one starting before it and reaching it.
        let first_at_or_after = spans.starts.partition_point(|(start, _)| *start < span.start);
        let starts_inside = spans.starts.get(first_at_or_after).is_some_and(|(start, _)| *start <= span.end);
        let reaches = first_at_or_after > 0
            && spans.max_end.get(first_at_or_after - 1).is_some_and(|end| *end >= span.start);
        starts_inside || reaches
    };
    findings.retain(|finding| {
        !pss_aliases(finding.rule).any(|alias| {
            by_alias
                .get(&(&*finding.location.path, alias))
                .is_some_and(|spans| overlaps(spans, finding.location.span))
        })
    });
}

/// `shipshape.io/ignore` annotations as pragmas covering their object (in `metadata`) or pod
/// template (in the template's `metadata`). A reason is required.
fn ignore_annotations(source: &SourceFile, lowered: &KubeOutput<'_>, output: &mut FrontendOutput) {
    let mut annotated: Vec<(&Node, &Node)> = Vec::new();
    for object in &lowered.objects {
        if let Some(value) = object.annotations().and_then(|a| a.get(IGNORE_ANNOTATION)) {
            annotated.push((value, object.node));
        }
    }
    for pod in &lowered.pods {
        if let Some(value) = pod.metadata.and_then(|m| m.get_path(&["annotations", IGNORE_ANNOTATION]))
            && !annotated.iter().any(|(v, _)| v.span == value.span)
        {
            annotated.push((value, pod.node));
        }
    }
    for (value, scope) in annotated {
        let origin = Origin::new(source.path.clone(), value.source_span());
        let Some(text) = value.as_str() else {
            output.findings.push(Finding::new(
                &CONFIG_ERROR,
                &origin,
                format!("`{IGNORE_ANNOTATION}` must be a string"),
            ));
            continue;
        };
        const PREFIX: &str = "shipshape: ignore=";
        let pragma = match parse_pragma(&format!("{PREFIX}{text}")) {
            Some(Ok(pragma)) => pragma,
            Some(Err(error)) => {
                output.findings.push(Finding::new(
                    &CONFIG_ERROR,
                    &origin,
                    format!("`{IGNORE_ANNOTATION}`: {error}"),
                ));
                continue;
            }
            None => continue,
        };
        if pragma.reason.is_none() {
            let mut finding = Finding::new(
                &CONFIG_ERROR,
                &origin,
                format!("`{IGNORE_ANNOTATION}` needs a reason: `CODES -- why the risk is accepted`"),
            );
            finding.help = Some(format!(
                "for example `{IGNORE_ANNOTATION}: \"PRV100 -- the node agent needs the host's devices\"`"
            ));
            output.findings.push(finding);
            continue;
        }
        // Code spans are relative to the text given to `parse_pragma`; place that text so the
        // codes land on their bytes in the file (a quoted value starts one byte later).
        let span = value.source_span();
        let quoted = matches!(source.text.as_bytes().get(span.start as usize), Some(b'"' | b'\''));
        let value_start = span.start + u32::from(quoted);
        let start = value_start.saturating_sub(PREFIX.len() as u32);
        let comment = Origin::new(source.path.clone(), Span::new(start, span.end));
        let applies_to = match pragma.scope {
            PragmaScope::File => Span::from_range(0..source.text.len()),
            PragmaScope::NextStatement | PragmaScope::Stage => scope.source_span(),
        };
        output.pragmas.push(ScopedPragma { pragma, comment, applies_to });
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
        let context = FrontendContext {
            settings: &settings,
            is_enabled: &all,
            build_args: &[],
            env_files: &[],
            cluster: &ClusterIndex::default(),
            secrets: None,
            vuln: None,
            os_packages: None,
        };
        let output = KubeFrontend.check(&source, &context);
        assert!(output.findings.iter().any(|f| f.rule.code == "PRV100"));
        assert!(output.findings.iter().any(|f| f.rule.code == "PRV107"));
        assert_eq!(output.parse_errors, 1, "{:?}", output.findings);
        assert_eq!(output.pragmas.len(), 1);
    }
}
