//! Rule selection: which rules run, from `select` and `ignore` lists.
//!
//! A selector names rules by
//!
//! - `ALL`: every rule (specificity 0);
//! - a code prefix such as a layer prefix `PRV` or `PRV0` (specificity: its length);
//! - an exact code `PRV001`, name `root-user` or alias of another tool (`DL3002`,
//!   `CKV_DOCKER_8`): the most specific.
//!
//! All matching is case-insensitive. As in ruff, for each rule the most specific matching selector
//! decides, and `ignore` beats `select` at equal specificity: `select = ["PRV"]` with
//! `ignore = ["PRV001"]` runs every `PRV` rule but `PRV001`, and `select = ["PRV001"]` with
//! `ignore = ["PRV"]` runs `PRV001` only.
//!
//! Opt-in rules ([`RuleMeta::opt_in`]) run only when a `select` entry names them exactly.
//!
//! `GEN` rules (the scan's own findings) stay on whatever `select` says: they are implicitly
//! selected at the specificity of the `GEN` prefix, so only `ignore = ["GEN"]` or a more specific
//! selector turns them off. [`config-error`](shipshape_model::general::CONFIG_ERROR) and
//! [`expired-ignore`](shipshape_model::general::EXPIRED_IGNORE) cannot be turned off at all (see
//! [`crate::is_unsuppressible`]).

use crate::distance::did_you_mean;
use shipshape_model::{Layer, RuleMeta};

/// Specificity of an exact rule selector: above any prefix.
const EXACT: usize = usize::MAX;

/// One entry of a `select` or `ignore` list, resolved against the known rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `ALL`.
    All,
    /// A code prefix, upper-cased: a layer prefix (`PRV`) or longer (`PRV0`).
    Prefix(String),
    /// Exact rules, by code; named by code, name or alias (an alias may name several rules).
    Rules(Vec<&'static str>),
}

/// A selector that names no known rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule or prefix `{text}`{suggestion}")]
pub struct UnknownSelector {
    /// The selector as written.
    pub text: String,
    /// `"; did you mean `X`?"` or empty.
    pub suggestion: String,
}

impl Selector {
    /// Resolves `text` against `rules`: `ALL`, then an exact code, name or alias, then a code
    /// prefix (a layer prefix is valid even when no rule of that layer is registered).
    pub fn parse(text: &str, rules: &[&'static RuleMeta]) -> Result<Selector, UnknownSelector> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("ALL") {
            return Ok(Selector::All);
        }
        let named = resolve_rules(text, rules);
        if !named.is_empty() {
            return Ok(Selector::Rules(named.iter().map(|r| r.code).collect()));
        }
        let upper = text.to_ascii_uppercase();
        let is_layer = Layer::ALL.iter().any(|l| l.prefix() == upper);
        if !upper.is_empty() && (is_layer || rules.iter().any(|r| r.code.starts_with(&upper))) {
            return Ok(Selector::Prefix(upper));
        }
        Err(UnknownSelector { text: text.to_owned(), suggestion: suggest_rule(text, rules, true) })
    }

    /// How specific the selector is; the most specific matching selector decides.
    pub fn specificity(&self) -> usize {
        match self {
            Selector::All => 0,
            Selector::Prefix(prefix) => prefix.len(),
            Selector::Rules(_) => EXACT,
        }
    }

    /// Whether the selector covers `rule`.
    pub fn matches(&self, rule: &RuleMeta) -> bool {
        match self {
            Selector::All => true,
            Selector::Prefix(prefix) => {
                rule.layer.prefix() == prefix
                    || rule.code.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            }
            Selector::Rules(codes) => codes.contains(&rule.code),
        }
    }
}

/// Rules named exactly by `id` (code, name or alias; case-insensitive), in registry order.
pub(crate) fn resolve_rules(id: &str, rules: &[&'static RuleMeta]) -> Vec<&'static RuleMeta> {
    rules.iter().copied().filter(|r| r.is_named(id)).collect()
}

/// `"; did you mean `X`?"` with the nearest code, alias or name (and layer prefix, when
/// `with_prefixes`), or an empty string.
pub(crate) fn suggest_rule(id: &str, rules: &[&'static RuleMeta], with_prefixes: bool) -> String {
    let prefixes = Layer::ALL.iter().filter(|_| with_prefixes).map(|l| l.prefix());
    let codes = rules.iter().map(|r| r.code);
    let aliases = rules.iter().flat_map(|r| r.aliases.iter().map(|a| a.id));
    let names = rules.iter().map(|r| r.name);
    did_you_mean(id, codes.chain(aliases).chain(names).chain(prefixes))
}

/// The enabled rules, from `select` (default: all) and `ignore` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSelection {
    /// `None`: everything is selected.
    select: Option<Vec<Selector>>,
    ignore: Vec<Selector>,
}

impl RuleSelection {
    /// Every rule enabled.
    pub fn all() -> Self {
        Self::default()
    }

    /// A selection from resolved lists; `select: None` selects every rule.
    pub fn new(select: Option<Vec<Selector>>, ignore: Vec<Selector>) -> Self {
        Self { select, ignore }
    }

    /// Ignores the rules of `selectors` too.
    pub fn add_ignored(&mut self, selectors: Vec<Selector>) {
        self.ignore.extend(selectors);
    }

    /// Whether findings of `rule` are reported.
    pub fn is_enabled(&self, rule: &RuleMeta) -> bool {
        if crate::is_unsuppressible(rule) {
            return true;
        }
        let most_specific =
            |list: &[Selector]| list.iter().filter(|s| s.matches(rule)).map(Selector::specificity).max();
        let mut selected = match &self.select {
            None => Some(0),
            Some(list) => most_specific(list),
        };
        // An opt-in rule runs only when named exactly.
        if rule.opt_in && selected != Some(EXACT) {
            return false;
        }
        if rule.layer == Layer::General {
            selected = selected.max(Some(Layer::General.prefix().len()));
        }
        match (selected, most_specific(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(select), Some(ignore)) => select > ignore,
        }
    }

    /// The selectors of `select`, if given.
    pub fn select(&self) -> Option<&[Selector]> {
        self.select.as_deref()
    }

    /// The selectors of `ignore`.
    pub fn ignore(&self) -> &[Selector] {
        &self.ignore
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use shipshape_model::declare_rule;
    use shipshape_model::general::{CONFIG_ERROR, EXPIRED_IGNORE, PARSE_ERROR, UNUSED_SUPPRESSION};

    declare_rule! {
        /// Root user.
        pub(crate) static ROOT_USER = {
            code: "PRV001", name: "root-user", layer: Privilege, threat: ExcessPrivilege,
            asset: Host, severity: High, fix: None, summary: "the final stage runs as root",
            aliases: [(Hadolint, "DL3002"), (Checkov, "CKV_DOCKER_8")],
        }
    }
    declare_rule! {
        /// Privileged.
        pub(crate) static PRIVILEGED = {
            code: "PRV002", name: "privileged-container", layer: Privilege, threat: ContainerEscape,
            asset: Host, severity: Critical, fix: None, summary: "privileged container",
            aliases: [(Checkov, "CKV_K8S_16")],
        }
    }
    declare_rule! {
        /// Capabilities.
        pub(crate) static CAPABILITIES = {
            code: "PRV010", name: "added-capabilities", layer: Privilege, threat: ExcessPrivilege,
            asset: Host, severity: Medium, fix: None, summary: "capabilities added",
            aliases: [],
        }
    }
    declare_rule! {
        /// Latest tag.
        pub(crate) static LATEST_TAG = {
            code: "IMG001", name: "latest-tag", layer: Image, threat: MaliciousImage,
            asset: SupplyChain, severity: Medium, fix: None, summary: "image uses latest",
            aliases: [(Hadolint, "DL3007"), (CisDocker, "4.2")],
        }
    }
    declare_rule! {
        /// Unpinned apt.
        pub(crate) static UNPINNED_APT = {
            code: "IMG004", name: "unpinned-apt-package", layer: Image, threat: MaliciousImage,
            asset: SupplyChain, severity: Low, fix: None, summary: "apt package not pinned",
            aliases: [(Hadolint, "DL3008")],
        }
    }
    declare_rule! {
        /// Healthcheck.
        pub(crate) static NO_HEALTHCHECK = {
            code: "MON001", name: "missing-healthcheck", layer: Monitoring, threat: UncheckedInput,
            asset: Application, severity: Low, fix: None, summary: "no healthcheck",
            aliases: [(Checkov, "CKV_DOCKER_2"), (CisDocker, "4.2")],
        }
    }

    /// A realistic registry for tests: a few rules of several layers plus every `GEN` rule.
    pub(crate) fn rules() -> Vec<&'static RuleMeta> {
        let mut rules: Vec<&'static RuleMeta> =
            vec![&ROOT_USER, &PRIVILEGED, &CAPABILITIES, &LATEST_TAG, &UNPINNED_APT, &NO_HEALTHCHECK];
        rules.extend(shipshape_model::general::GENERAL_RULES.iter().copied());
        rules
    }

    fn selection(select: Option<&[&str]>, ignore: &[&str]) -> RuleSelection {
        let rules = rules();
        let parse = |list: &[&str]| list.iter().map(|s| Selector::parse(s, &rules).unwrap()).collect();
        RuleSelection::new(select.map(parse), parse(ignore))
    }

    fn enabled(selection: &RuleSelection) -> Vec<&'static str> {
        rules()
            .into_iter()
            .filter(|r| selection.is_enabled(r))
            .map(|r| r.code)
            .filter(|c| !c.starts_with("GEN"))
            .collect()
    }

    #[test]
    fn parses_every_kind_of_selector() {
        let rules = rules();
        assert_eq!(Selector::parse("all", &rules), Ok(Selector::All));
        assert_eq!(Selector::parse("prv", &rules), Ok(Selector::Prefix("PRV".into())));
        assert_eq!(Selector::parse("PRV0", &rules), Ok(Selector::Prefix("PRV0".into())));
        assert_eq!(
            Selector::parse("SEC", &rules),
            Ok(Selector::Prefix("SEC".into())),
            "a layer without rules"
        );
        assert_eq!(Selector::parse("prv001", &rules), Ok(Selector::Rules(vec!["PRV001"])));
        assert_eq!(Selector::parse("root-user", &rules), Ok(Selector::Rules(vec!["PRV001"])));
        assert_eq!(Selector::parse("DL3002", &rules), Ok(Selector::Rules(vec!["PRV001"])));
        assert_eq!(Selector::parse("ckv_docker_8", &rules), Ok(Selector::Rules(vec!["PRV001"])));
        assert_eq!(Selector::parse("4.2", &rules), Ok(Selector::Rules(vec!["IMG001", "MON001"])));
    }

    #[test]
    fn unknown_selectors_suggest_the_nearest() {
        let rules = rules();
        let err = Selector::parse("PRV01X", &rules).unwrap_err();
        assert_eq!(err.to_string(), "unknown rule or prefix `PRV01X`; did you mean `PRV010`?");
        let err = Selector::parse("DL3020", &rules).unwrap_err();
        assert_eq!(err.suggestion, "; did you mean `DL3002`?");
        let err = Selector::parse("root-users", &rules).unwrap_err();
        assert_eq!(err.suggestion, "; did you mean `root-user`?");
        assert_eq!(Selector::parse("PRV9", &rules).unwrap_err().suggestion, "; did you mean `PRV`?");
        assert_eq!(Selector::parse("", &rules).unwrap_err().suggestion, "");
    }

    declare_rule! {
        /// Inline pragmas.
        pub(crate) static PRAGMA = {
            code: "IMG099", name: "inline-pragma", layer: Image, threat: UncheckedInput,
            asset: Application, severity: Info, fix: None, opt_in: true, summary: "pragma",
            aliases: [(Hadolint, "DL1001")],
        }
    }

    #[test]
    fn opt_in_rules_run_only_when_named() {
        let mut rules = rules();
        rules.push(&PRAGMA);
        let parse = |list: &[&str]| list.iter().map(|s| Selector::parse(s, &rules).unwrap()).collect();
        let on = |select: Option<&[&str]>, ignore: &[&str]| {
            RuleSelection::new(select.map(parse), parse(ignore)).is_enabled(&PRAGMA)
        };
        assert!(!on(None, &[]));
        assert!(!on(Some(&["ALL"]), &[]));
        assert!(!on(Some(&["IMG"]), &[]));
        assert!(on(Some(&["IMG099"]), &[]));
        assert!(on(Some(&["DL1001", "PRV"]), &[]));
        assert!(on(Some(&["inline-pragma"]), &["IMG"]));
        assert!(!on(Some(&["IMG099"]), &["DL1001"]));
        assert!(!PRIVILEGED.opt_in);
    }

    #[test]
    fn default_selects_everything() {
        assert_eq!(
            enabled(&RuleSelection::all()),
            ["PRV001", "PRV002", "PRV010", "IMG001", "IMG004", "MON001"]
        );
    }

    #[test]
    fn select_restricts_and_ignore_removes() {
        assert_eq!(
            enabled(&selection(Some(&["PRV", "IMG001"]), &[])),
            ["PRV001", "PRV002", "PRV010", "IMG001"]
        );
        assert_eq!(
            enabled(&selection(None, &["DL3008", "privileged-container"])),
            ["PRV001", "PRV010", "IMG001", "MON001"]
        );
        assert_eq!(enabled(&selection(Some(&[]), &[])), Vec::<&str>::new());
    }

    #[test]
    fn more_specific_selector_wins() {
        // A specific ignore inside a broad select.
        assert_eq!(enabled(&selection(Some(&["PRV"]), &["PRV001"])), ["PRV002", "PRV010"]);
        // A specific select inside a broad ignore.
        assert_eq!(enabled(&selection(Some(&["PRV001"]), &["PRV"])), ["PRV001"]);
        // A longer prefix beats a shorter one.
        assert_eq!(enabled(&selection(Some(&["PRV0"]), &["PRV"])), ["PRV001", "PRV002", "PRV010"]);
        assert_eq!(enabled(&selection(Some(&["PRV"]), &["PRV00"])), ["PRV010"]);
        // ALL is the least specific.
        assert_eq!(enabled(&selection(Some(&["IMG"]), &["ALL"])), ["IMG001", "IMG004"]);
    }

    #[test]
    fn ignore_wins_at_equal_specificity() {
        assert_eq!(enabled(&selection(Some(&["PRV"]), &["PRV"])), Vec::<&str>::new());
        assert_eq!(enabled(&selection(Some(&["PRV001", "PRV002"]), &["DL3002"])), ["PRV002"]);
    }

    #[test]
    fn gen_rules_survive_select_but_not_a_gen_ignore() {
        let narrow = selection(Some(&["PRV001"]), &["ALL"]);
        assert!(narrow.is_enabled(&PARSE_ERROR));
        assert!(!selection(None, &["GEN"]).is_enabled(&PARSE_ERROR));
        assert!(!selection(None, &["GEN005"]).is_enabled(&UNUSED_SUPPRESSION));
        assert!(selection(None, &["GEN005"]).is_enabled(&PARSE_ERROR));
        assert!(selection(Some(&["GEN001"]), &["GEN"]).is_enabled(&PARSE_ERROR));
    }

    #[test]
    fn config_errors_and_expired_ignores_cannot_be_disabled() {
        let all_off = selection(Some(&[]), &["ALL", "GEN", "GEN006", "GEN007"]);
        assert!(all_off.is_enabled(&CONFIG_ERROR));
        assert!(all_off.is_enabled(&EXPIRED_IGNORE));
        assert!(!all_off.is_enabled(&PARSE_ERROR));
    }
}
