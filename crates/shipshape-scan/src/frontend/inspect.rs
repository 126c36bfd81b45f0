//! The `docker inspect` front end: JSON arrays of containers (and images) as `docker inspect`
//! prints them.

use shipshape_docker::inspect;
use shipshape_model::{Platform, SourceFile};

use super::{Frontend, FrontendContext, FrontendOutput, check_workloads, file_deployment, parse_yaml};

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
        let mut output = FrontendOutput::default();
        let stream = parse_yaml(source, &mut output);
        let mut workloads = Vec::new();
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        for document in &stream.documents {
            let lowered = inspect::lower(&document.root, &source.path);
            output.parse_errors += lowered.diagnostics.len();
            output.findings.extend(lowered.diagnostics);
            workloads.extend(lowered.workloads);
            let objects = match document.root.as_sequence() {
                Some(items) => items.iter().collect(),
                None => vec![&document.root],
            };
            for object in objects.into_iter().filter(|o| shipshape_docker::image::is_image_object(o)) {
                match shipshape_image::lower_config(object, &source.path, &source.text, 0) {
                    Ok((_, spec)) => shipshape_rules::checkers::check_image_spec(&spec, &mut checker),
                    Err(error) => {
                        output.parse_errors += 1;
                        let origin = shipshape_model::Origin::new(source.path.clone(), object.span);
                        output.findings.push(shipshape_model::Finding::new(
                            &shipshape_model::general::PARSE_ERROR,
                            &origin,
                            error.to_string(),
                        ));
                    }
                }
            }
        }
        output.findings.extend(checker.into_findings());
        let deployment = file_deployment(source, Platform::DockerInspect, workloads);
        check_workloads(&deployment, context, &mut output);
        output
    }
}
