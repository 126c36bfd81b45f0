//! Pod Security verdicts for every pod of a set of manifests (`shipshape pss`), and admission
//! decisions for `AdmissionReview` requests (`shipshape admission`), computed exactly as the
//! Kubernetes Pod Security admission controller does.

use serde::Serialize;
use serde_json::{Value, json};
use shipshape_kube::pod_security::{Policy, PolicyVersion};
use shipshape_kube::{KubeOutput, ObjectInfo};
use shipshape_model::SourceFile;
use shipshape_rules::pod_security::{PodView, Violation, evaluate};
use std::path::PathBuf;
use std::sync::Arc;

use crate::read;
use crate::{discover, frontend};

/// One failing control of one pod.
#[derive(Debug, Clone, Serialize)]
pub struct ControlFailure {
    /// The rule code (`PRV305`).
    pub code: &'static str,
    /// Upstream's check id (`allowPrivilegeEscalation`).
    pub check: &'static str,
    /// Upstream's reason (`allowPrivilegeEscalation != false`).
    pub reason: &'static str,
    pub detail: String,
    pub path: Arc<str>,
    pub line: u32,
    pub column: u32,
}

/// The verdict for one pod (or pod template).
#[derive(Debug, Clone, Serialize)]
pub struct PodVerdict {
    pub path: Arc<str>,
    pub line: u32,
    /// `Deployment/web`.
    pub object: String,
    pub namespace: Option<String>,
    /// The highest level the pod meets: `privileged`, `baseline` or `restricted`.
    pub level: &'static str,
    /// Failing controls of the baseline level.
    pub baseline: Vec<ControlFailure>,
    /// Failing controls of the restricted level.
    pub restricted: Vec<ControlFailure>,
}

/// A file that could not be read or parsed completely.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictError {
    pub path: Arc<str>,
    pub line: u32,
    pub message: String,
}

/// Every pod's verdict at `version`, for the manifests under `paths` (`-`: standard input).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdicts {
    pub version: String,
    pub pods: Vec<PodVerdict>,
    pub errors: Vec<VerdictError>,
}

fn failure(source: &SourceFile, violation: &Violation) -> ControlFailure {
    let (line, column) = source.line_col(violation.origin.span.start);
    ControlFailure {
        code: violation.rule.code,
        check: shipshape_rules::pod_security::check_id(violation.rule).unwrap_or_default(),
        reason: violation.reason,
        detail: violation.detail.clone(),
        path: violation.origin.path.clone(),
        line,
        column,
    }
}

fn object_name(info: &ObjectInfo<'_>) -> String {
    format!("{}/{}", info.kind, info.name.as_deref().unwrap_or("-"))
}

/// Verdicts for the pods of one source.
pub fn verdicts_of(source: &SourceFile, version: PolicyVersion, out: &mut Verdicts) {
    let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
    for error in &stream.errors {
        let (line, _) = source.line_col(error.span.start);
        out.errors.push(VerdictError { path: source.path.clone(), line, message: error.message.clone() });
    }
    let lowered: KubeOutput<'_> = shipshape_kube::lower(&stream, &source.path);
    for diagnostic in &lowered.diagnostics {
        let (line, _) = source.line_col(diagnostic.location.span.start);
        out.errors.push(VerdictError {
            path: source.path.clone(),
            line,
            message: diagnostic.message.clone(),
        });
    }
    for site in &lowered.pods {
        let Some(info) = lowered.objects.get(site.object) else { continue };
        let verdict = evaluate(&PodView::new(site, &source.path), version);
        let (line, _) = source.line_col(info.origin.span.start);
        out.pods.push(PodVerdict {
            path: source.path.clone(),
            line,
            object: object_name(info),
            namespace: info.namespace.clone(),
            level: verdict.level.as_str(),
            baseline: verdict.baseline.iter().map(|v| failure(source, v)).collect(),
            restricted: verdict.restricted.iter().map(|v| failure(source, v)).collect(),
        });
    }
}

/// Verdicts for every Kubernetes manifest under `paths` (files named explicitly are read as
/// manifests whatever their name; `-` reads standard input).
pub fn verdicts(paths: &[PathBuf], version: PolicyVersion, max_file_size: u64) -> Verdicts {
    let mut out = Verdicts { version: version.to_string(), ..Verdicts::default() };
    let kube = frontend::FRONTENDS.iter().position(|f| f.kind() == "kubernetes").unwrap_or_default();
    let roots: Vec<PathBuf> = paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    let claims = discover::Claims {
        by_name: &frontend::claim,
        by_content: &frontend::claim_content,
        unclaimed: &|_| None,
        images: false,
    };
    let (found, walk_errors) = discover::discover(&roots, &claims, kube);
    for error in walk_errors {
        out.errors.push(VerdictError {
            path: Arc::from(error.path.display().to_string()),
            line: 0,
            message: error.message,
        });
    }
    let mut sources = Vec::new();
    for file in found.iter().filter(|d| d.frontend == kube || d.explicit) {
        let display: Arc<str> = Arc::from(file.path.display().to_string());
        sources.push(read::read_path(&file.path, display.clone(), max_file_size).map_err(|e| (display, e)));
    }
    if paths.iter().any(|p| p.as_os_str() == "-") {
        let display: Arc<str> = Arc::from("-");
        sources.push(
            read::read_bounded(std::io::stdin().lock(), display.clone(), max_file_size)
                .map_err(|e| (display, e)),
        );
    }
    for source in sources {
        match source {
            Ok(decoded) => verdicts_of(&decoded.source, version, &mut out),
            Err((path, error)) => out.errors.push(VerdictError { path, line: 0, message: error.to_string() }),
        }
    }
    out.pods.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    out
}

/// The `AdmissionReview` response for a request, as the Pod Security admission webhook would
/// answer it at `policy`: a Pod that violates the policy is denied with upstream's message;
/// a workload controller (Deployment, Job, ...) is admitted with warnings, as upstream does.
pub fn admission_response(source: &SourceFile, policy: Policy) -> Result<Value, String> {
    let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
    if let Some(error) = stream.errors.first() {
        let (line, column) = source.line_col(error.span.start);
        return Err(format!("{}:{line}:{column}: {}", source.path, error.message));
    }
    let lowered = shipshape_kube::lower(&stream, &source.path);
    let Some((index, object, request)) =
        lowered.objects.iter().enumerate().find_map(|(i, o)| Some((i, o, o.admission.clone()?)))
    else {
        if let Some(diagnostic) = lowered.diagnostics.first() {
            let (line, column) = source.line_col(diagnostic.location.span.start);
            return Err(format!("{}:{line}:{column}: {}", source.path, diagnostic.message));
        }
        return Err(format!("{}: not an AdmissionReview with a request object", source.path));
    };
    let violations: Vec<Violation> = lowered
        .pods
        .iter()
        .filter(|p| p.object == index)
        .flat_map(|site| {
            evaluate(&PodView::new(site, &source.path), policy.version).violations_of(policy.level).to_vec()
        })
        .collect();
    let mut response = json!({ "uid": request.uid, "allowed": true });
    if !violations.is_empty() {
        let summary = summarize(&violations);
        if object.kind == "Pod" {
            let name = object.name.as_deref().unwrap_or_default();
            let message = format!("pods {name:?} is forbidden: violates PodSecurity \"{policy}\": {summary}");
            response["allowed"] = json!(false);
            response["status"] = json!({
                "status": "Failure",
                "code": 403,
                "reason": "Forbidden",
                "message": message,
            });
        } else {
            response["warnings"] = json!([format!("would violate PodSecurity \"{policy}\": {summary}")]);
        }
    }
    Ok(json!({
        "apiVersion": request.api_version,
        "kind": "AdmissionReview",
        "response": response,
    }))
}

/// Upstream's summary: each failing check once, in check order, `reason (detail; detail)`.
fn summarize(violations: &[Violation]) -> String {
    let mut parts: Vec<(&'static str, Vec<&str>)> = Vec::new();
    for violation in violations {
        match parts.iter_mut().find(|(reason, _)| *reason == violation.reason) {
            Some((_, details)) => details.push(&violation.detail),
            None => parts.push((violation.reason, vec![&violation.detail])),
        }
    }
    parts
        .iter()
        .map(|(reason, details)| format!("{reason} ({})", details.join("; ")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const REVIEW: &str = r#"{
  "apiVersion": "admission.k8s.io/v1",
  "kind": "AdmissionReview",
  "request": {
    "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
    "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "operation": "CREATE",
    "namespace": "shop",
    "object": {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {"name": "web"},
      "spec": {"containers": [{"name": "app", "image": "example/app:1", "securityContext": {"privileged": true}}]}
    }
  }
}"#;

    #[test]
    fn denies_a_violating_pod_with_upstreams_message() {
        let source = SourceFile::new("review.json", REVIEW);
        let policy = Policy::parse("baseline").expect("policy");
        let response = admission_response(&source, policy).expect("response");
        assert_eq!(response["response"]["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(response["response"]["allowed"], false);
        assert_eq!(response["response"]["status"]["code"], 403);
        let message = response["response"]["status"]["message"].as_str().unwrap_or_default();
        assert_eq!(
            message,
            "pods \"web\" is forbidden: violates PodSecurity \"baseline:v1.37\": privileged (container \"app\" must not set securityContext.privileged=true)"
        );
        let hardened = REVIEW.replace("\"privileged\": true", "\"privileged\": false");
        let response = admission_response(&SourceFile::new("r.json", hardened), policy).expect("response");
        assert_eq!(response["response"]["allowed"], true);
    }

    #[test]
    fn warns_for_workload_controllers() {
        let deployment = REVIEW.replace(
            r#""object": {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {"name": "web"},
      "spec": {"containers": [{"name": "app", "image": "example/app:1", "securityContext": {"privileged": true}}]}
    }"#,
            r#""object": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
      "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "x"}]}}}}"#,
        );
        let policy = Policy::parse("restricted").expect("policy");
        let response = admission_response(&SourceFile::new("r.json", deployment), policy).expect("response");
        assert_eq!(response["response"]["allowed"], true);
        let warning = response["response"]["warnings"][0].as_str().unwrap_or_default();
        assert!(
            warning.starts_with(
                "would violate PodSecurity \"restricted:v1.37\": allowPrivilegeEscalation != false"
            ),
            "{warning}"
        );
    }

    #[test]
    fn rejects_what_is_not_a_review() {
        let source = SourceFile::new(
            "pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n",
        );
        assert!(admission_response(&source, Policy::parse("baseline").expect("p")).is_err());
        let broken = SourceFile::new("r.json", "{\"kind\": ");
        assert!(
            admission_response(&broken, Policy::parse("baseline").expect("p"))
                .unwrap_err()
                .starts_with("r.json:1:")
        );
    }
}
