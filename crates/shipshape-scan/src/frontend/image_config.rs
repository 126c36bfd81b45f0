//! Image configurations (an image's config blob, as `shipshape image` reads it from an archive or
//! layout): lowered to a one-stage `ImageSpec` and checked by the image rules; its commands
//! (`Entrypoint`, `Cmd`, healthcheck, history), JSON-decoded, by the malware rules.

use shipshape_model::{Finding, Origin, SourceFile};

use super::{Frontend, FrontendContext, FrontendOutput, parse_yaml};

/// An image's config JSON.
pub struct ImageConfigFrontend;

impl Frontend for ImageConfigFrontend {
    fn kind(&self) -> &'static str {
        "image-config"
    }

    fn claims(&self, _file_name: &str) -> bool {
        false
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let mut output = FrontendOutput::default();
        let stream = parse_yaml(source, &mut output);
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        for document in &stream.documents {
            match shipshape_image::lower_config(&document.root, &source.path, &source.text, 0) {
                Ok((_, spec)) => {
                    shipshape_rules::checkers::check_image_spec(&spec, &mut checker);
                    if let Some(detector) = super::malware_detector() {
                        shipshape_rules::checkers::check_malware_commands(&spec, detector, &mut checker);
                    }
                }
                Err(error) => {
                    output.parse_errors += 1;
                    let origin = Origin::new(source.path.clone(), document.root.span);
                    output.findings.push(Finding::new(
                        &shipshape_model::general::PARSE_ERROR,
                        &origin,
                        error.to_string(),
                    ));
                }
            }
        }
        output.findings.extend(checker.into_findings());
        output
    }
}
