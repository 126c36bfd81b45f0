//! An image's filesystem as `shipshape image` writes it down while walking the layers (see
//! [`crate::image_files`]): the listing of notable files and the account databases, read back
//! into the model and checked by the filesystem rules.

use shipshape_model::{Finding, Origin, SourceFile};

use super::{Frontend, FrontendContext, FrontendOutput};
use crate::image_files::{account_db, parse_accounts, parse_listing};

/// `<image>!/files` listings and `<image>!/layer-<n>/etc/{passwd,group,shadow}`.
pub struct ImageFilesFrontend;

impl Frontend for ImageFilesFrontend {
    fn kind(&self) -> &'static str {
        "image-files"
    }

    fn claims(&self, _file_name: &str) -> bool {
        false
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let mut output = FrontendOutput::default();
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        match account_db(&source.path) {
            Some(db) => shipshape_rules::checkers::check_accounts(&parse_accounts(source, db), &mut checker),
            None => {
                let (files, errors) = parse_listing(source);
                for error in errors {
                    output.parse_errors += 1;
                    output.findings.push(Finding::new(
                        &shipshape_model::general::PARSE_ERROR,
                        &Origin::new(source.path.clone(), error.span),
                        error.message,
                    ));
                }
                shipshape_rules::checkers::check_image_files(&files, &mut checker);
            }
        }
        output.findings.extend(checker.into_findings());
        output
    }
}
