use shipshape_model::{Finding, ImageSpec, RuleMeta};

use crate::context::Checker;
use crate::image::{img001_untagged_base_image, img002_latest_base_tag, img003_add_local_files};
use crate::monitoring::mon001_missing_healthcheck;
use crate::privilege::{prv001_root_user, prv002_missing_user};
use crate::secrets::sec010_credential_file_copied;

type Rule = fn(&ImageSpec, &mut Checker<'_>);

/// Every `ImageSpec` rule and its check, in code order.
static RULES: [(&RuleMeta, Rule); 7] = [
    (&img001_untagged_base_image::UNTAGGED_BASE_IMAGE, img001_untagged_base_image::check),
    (&img002_latest_base_tag::LATEST_BASE_TAG, img002_latest_base_tag::check),
    (&img003_add_local_files::ADD_LOCAL_FILES, img003_add_local_files::check),
    (&mon001_missing_healthcheck::MISSING_HEALTHCHECK, mon001_missing_healthcheck::check),
    (&prv001_root_user::ROOT_USER, prv001_root_user::check),
    (&prv002_missing_user::MISSING_USER, prv002_missing_user::check),
    (&sec010_credential_file_copied::CREDENTIAL_FILE_COPIED, sec010_credential_file_copied::check),
];

/// Runs every enabled `ImageSpec` rule over `spec`.
pub fn check_image_spec(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for (meta, check) in &RULES {
        if checker.enabled(meta) {
            check(spec, checker);
        }
    }
}

/// The metadata of every `ImageSpec` rule, in code order.
pub fn image_spec_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|(meta, _)| *meta)
}

/// Convenience: checks `spec` with every rule enabled and default settings.
pub fn check_image_spec_all(spec: &ImageSpec) -> Vec<Finding> {
    let settings = crate::RuleSettings::default();
    let all = |_: &RuleMeta| true;
    let mut checker = Checker::new(&settings, &all);
    check_image_spec(spec, &mut checker);
    checker.into_findings()
}
