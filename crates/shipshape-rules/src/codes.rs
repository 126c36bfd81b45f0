//! The one registry of every rule code, `GEN` codes included, in code order.
//!
//! A new rule is added here and in its layer's `mod.rs`; a test keeps this list sorted, unique
//! and complete.

use shipshape_model::RuleMeta;
use shipshape_model::general::{
    CONFIG_ERROR, EXPIRED_IGNORE, INVALID_ENCODING, PARSE_ERROR, UNKNOWN_FLAG, UNKNOWN_INSTRUCTION,
    UNREADABLE_TARGET, UNUSED_SUPPRESSION,
};

use crate::image::{img001_untagged_base_image, img002_latest_base_tag, img003_add_local_files};
use crate::monitoring::mon001_missing_healthcheck;
use crate::privilege::{prv001_root_user, prv002_missing_user};

/// Every rule shipshape knows.
pub static ALL_RULES: &[&RuleMeta] = &[
    &PARSE_ERROR,
    &UNKNOWN_INSTRUCTION,
    &UNKNOWN_FLAG,
    &UNREADABLE_TARGET,
    &UNUSED_SUPPRESSION,
    &EXPIRED_IGNORE,
    &CONFIG_ERROR,
    &INVALID_ENCODING,
    &img001_untagged_base_image::UNTAGGED_BASE_IMAGE,
    &img002_latest_base_tag::LATEST_BASE_TAG,
    &img003_add_local_files::ADD_LOCAL_FILES,
    &mon001_missing_healthcheck::MISSING_HEALTHCHECK,
    &prv001_root_user::ROOT_USER,
    &prv002_missing_user::MISSING_USER,
];

/// The rule with this code, name or alias (case-insensitive). Aliases shared by several rules
/// (Trivy `DS-0002` is both `root-user` and `missing-user`) resolve to the first in code order;
/// use [`rules_named`] to get all of them.
pub fn rule_by_code(id: &str) -> Option<&'static RuleMeta> {
    ALL_RULES.iter().copied().find(|r| r.is_named(id))
}

/// Every rule that `id` names: its code, name, or an alias.
pub fn rules_named(id: &str) -> impl Iterator<Item = &'static RuleMeta> + '_ {
    ALL_RULES.iter().copied().filter(move |r| r.is_named(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::Layer;

    #[test]
    fn codes_are_sorted_unique_and_prefixed_by_layer() {
        let codes: Vec<&str> = ALL_RULES.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "ALL_RULES must be sorted by code without duplicates");
        for rule in ALL_RULES {
            assert!(rule.code.starts_with(rule.layer.prefix()), "{} is not in layer {}", rule.code, rule.layer);
            assert_eq!(rule.code.len(), 6, "{}", rule.code);
        }
        assert!(ALL_RULES.iter().any(|r| r.layer == Layer::General));
    }

    #[test]
    fn names_are_unique_kebab_case_and_not_negated() {
        let mut names: Vec<&str> = ALL_RULES.iter().map(|r| r.name).collect();
        for name in &names {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{name}");
            assert!(!name.starts_with("no-"), "{name}: name the problem, not the fix");
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn lookup_by_code_name_and_alias() {
        assert_eq!(rule_by_code("prv001").map(|r| r.code), Some("PRV001"));
        assert_eq!(rule_by_code("DL3002").map(|r| r.code), Some("PRV001"));
        assert_eq!(rule_by_code("ckv_docker_3").map(|r| r.code), Some("PRV002"));
        assert_eq!(rule_by_code("root-user").map(|r| r.code), Some("PRV001"));
        assert_eq!(rules_named("DS-0002").count(), 2);
        assert!(rule_by_code("XYZ999").is_none());
    }
}
