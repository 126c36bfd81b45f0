//! Rules over the raw text of any file: the credential detector, and the malware detector
//! (see [`super::malware`]).

use shipshape_model::{RuleMeta, SourceFile};
use shipshape_secrets::Detector;

use crate::context::Checker;
use crate::secrets::sec110_hardcoded_secret;

/// Every rule that reads a file's text.
pub fn text_rules() -> impl Iterator<Item = &'static RuleMeta> {
    [&sec110_hardcoded_secret::HARDCODED_SECRET].into_iter().chain(super::malware_rules())
}

/// Runs every enabled text rule over `source`.
pub fn check_text(source: &SourceFile, detector: &Detector, checker: &mut Checker<'_>) {
    if checker.enabled(&sec110_hardcoded_secret::HARDCODED_SECRET) {
        sec110_hardcoded_secret::check(source, detector, checker);
    }
}
