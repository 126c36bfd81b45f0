//! The Kubernetes front end: manifests (multi-document YAML, JSON, `List`s) lowered to one
//! workload per container, checked one by one and as a deployment of the whole file.

use shipshape_model::general::PARSE_ERROR;
use shipshape_model::{Deployment, Finding, Origin, Platform, SourceFile, Span};
use shipshape_rules::Checker;
use shipshape_rules::checkers::{check_deployment, check_workload};

use super::yaml_pragmas::scope_pragmas;
use super::{Frontend, FrontendContext, FrontendOutput};

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
        let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
        let mut output = FrontendOutput::default();
        for error in &stream.errors {
            output.parse_errors += 1;
            let origin = Origin::new(source.path.clone(), error.span);
            output.findings.push(Finding::new(&PARSE_ERROR, &origin, error.message.clone()));
        }
        let (pragmas, errors) = scope_pragmas(source, &stream.comments);
        output.pragmas.extend(pragmas);
        output.findings.extend(errors);

        let lowered = shipshape_kube::lower(&stream, &source.path);
        output.parse_errors += lowered.diagnostics.len();
        output.findings.extend(lowered.diagnostics);
        let mut checker = Checker::new(context.settings, context.is_enabled);
        for workload in &lowered.workloads {
            check_workload(workload, &mut checker);
        }
        let deployment = Deployment {
            name: source.path.to_string(),
            platform: Platform::Kubernetes,
            workloads: lowered.workloads,
            networks: Vec::new(),
            origin: Origin::new(source.path.clone(), Span::from_range(0..source.text.len())),
        };
        check_deployment(&deployment, &mut checker);
        output.findings.extend(checker.into_findings());
        output
    }
}
