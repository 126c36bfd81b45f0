//! The `docker inspect` front end: JSON arrays of containers as `docker inspect` prints them.

use shipshape_docker::inspect;
use shipshape_model::general::PARSE_ERROR;
use shipshape_model::{Deployment, Finding, Origin, Platform, SourceFile, Span};
use shipshape_rules::Checker;
use shipshape_rules::checkers::{check_deployment, check_workload};

use super::{Frontend, FrontendContext, FrontendOutput};

/// `docker inspect` output of containers.
pub struct InspectFrontend;

impl Frontend for InspectFrontend {
    fn kind(&self) -> &'static str {
        "docker-inspect"
    }

    fn claims(&self, _file_name: &str) -> bool {
        false
    }

    fn claims_content(&self, file_name: &str, head: &str) -> bool {
        file_name.to_ascii_lowercase().ends_with(".json") && inspect::looks_like_container_inspect(head)
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let stream = shipshape_yaml::parse(&source.text, &shipshape_yaml::Limits::default());
        let mut output = FrontendOutput::default();
        for error in &stream.errors {
            output.parse_errors += 1;
            let origin = Origin::new(source.path.clone(), error.span);
            output.findings.push(Finding::new(&PARSE_ERROR, &origin, error.message.clone()));
        }
        let mut workloads = Vec::new();
        for document in &stream.documents {
            let lowered = inspect::lower(&document.root, &source.path);
            output.parse_errors += lowered.diagnostics.len();
            output.findings.extend(lowered.diagnostics);
            workloads.extend(lowered.workloads);
        }
        let mut checker = Checker::new(context.settings, context.is_enabled);
        for workload in &workloads {
            check_workload(workload, &mut checker);
        }
        let deployment = Deployment {
            name: source.path.to_string(),
            platform: Platform::DockerInspect,
            workloads,
            networks: Vec::new(),
            origin: Origin::new(source.path.clone(), Span::from_range(0..source.text.len())),
        };
        check_deployment(&deployment, &mut checker);
        output.findings.extend(checker.into_findings());
        output
    }
}
