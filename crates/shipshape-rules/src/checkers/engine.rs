//! The engine checker: every rule over a container engine's own configuration ([`EngineConfig`]).

use shipshape_model::{EngineConfig, Finding, RuleMeta, Setting};

use crate::context::Checker;
use crate::isolation::{
    iso400_user_namespaces_disabled, iso401_live_restore_disabled, iso402_default_ulimits_unset,
    iso403_aufs_storage_driver, iso404_experimental_features, iso405_engine_socket_permissions,
};
use crate::monitoring::{mon400_local_logging_only, mon401_debug_logging};
use crate::network::{
    net400_engine_api_without_tls, net401_inter_container_communication, net402_userland_proxy_enabled,
    net403_iptables_disabled,
};
use crate::privilege::{
    prv400_default_seccomp_unconfined, prv401_new_privileges_by_default, prv402_missing_authorization_plugin,
    prv403_rootful_daemon,
};
use crate::supply_chain::sup400_insecure_registry;

type Rule = fn(&EngineConfig, &mut Checker<'_>);

/// Every engine rule, in code order.
static RULES: [(&RuleMeta, Rule); 17] = [
    (&iso400_user_namespaces_disabled::USER_NAMESPACES_DISABLED, iso400_user_namespaces_disabled::check),
    (&iso401_live_restore_disabled::LIVE_RESTORE_DISABLED, iso401_live_restore_disabled::check),
    (&iso402_default_ulimits_unset::DEFAULT_ULIMITS_UNSET, iso402_default_ulimits_unset::check),
    (&iso403_aufs_storage_driver::AUFS_STORAGE_DRIVER, iso403_aufs_storage_driver::check),
    (&iso404_experimental_features::EXPERIMENTAL_FEATURES, iso404_experimental_features::check),
    (&iso405_engine_socket_permissions::ENGINE_SOCKET_PERMISSIONS, iso405_engine_socket_permissions::check),
    (&mon400_local_logging_only::LOCAL_LOGGING_ONLY, mon400_local_logging_only::check),
    (&mon401_debug_logging::DEBUG_LOGGING, mon401_debug_logging::check),
    (&net400_engine_api_without_tls::ENGINE_API_WITHOUT_TLS, net400_engine_api_without_tls::check),
    (
        &net401_inter_container_communication::INTER_CONTAINER_COMMUNICATION,
        net401_inter_container_communication::check,
    ),
    (&net402_userland_proxy_enabled::USERLAND_PROXY_ENABLED, net402_userland_proxy_enabled::check),
    (&net403_iptables_disabled::IPTABLES_DISABLED, net403_iptables_disabled::check),
    (
        &prv400_default_seccomp_unconfined::DEFAULT_SECCOMP_UNCONFINED,
        prv400_default_seccomp_unconfined::check,
    ),
    (&prv401_new_privileges_by_default::NEW_PRIVILEGES_BY_DEFAULT, prv401_new_privileges_by_default::check),
    (
        &prv402_missing_authorization_plugin::MISSING_AUTHORIZATION_PLUGIN,
        prv402_missing_authorization_plugin::check,
    ),
    (&prv403_rootful_daemon::ROOTFUL_DAEMON, prv403_rootful_daemon::check),
    (&sup400_insecure_registry::INSECURE_REGISTRY, sup400_insecure_registry::check),
];

/// Runs every enabled engine rule over `config`.
pub fn check_engine(config: &EngineConfig, checker: &mut Checker<'_>) {
    for (meta, check) in &RULES {
        if checker.enabled(meta) {
            check(config, checker);
        }
    }
}

/// Convenience: checks `config` with every rule enabled and default settings.
pub fn check_engine_all(config: &EngineConfig) -> Vec<Finding> {
    let settings = crate::RuleSettings::default();
    let all = |_: &RuleMeta| true;
    let mut checker = Checker::new(&settings, &all);
    check_engine(config, &mut checker);
    checker.into_findings()
}

/// The metadata of every engine rule, in code order.
pub fn engine_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|(meta, _)| *meta)
}

/// What a finding adds when its setting is dockerd's default for a key daemon.json leaves out:
/// `` (daemon.json does not set `icc`; dockerd's default applies unless a command-line flag
/// changes it)``; empty for a stated setting.
pub(crate) fn default_note<T>(config: &EngineConfig, setting: &Setting<T>, key: &str) -> String {
    if config.is_default(setting) {
        format!(
            " (daemon.json does not set `{key}`; dockerd's default applies unless a command-line flag changes it)"
        )
    } else {
        String::new()
    }
}

/// Builders shared by the engine rules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use shipshape_model::{EngineConfig, Finding, Origin, RuleMeta, Setting, Span};
    use std::sync::Arc;

    /// An origin in `daemon.json` starting at byte `offset`.
    pub(crate) fn at(offset: u32) -> Origin {
        Origin::new(Arc::from("daemon.json"), Span::new(offset, offset + 1))
    }

    pub(crate) fn set<T>(value: T, offset: u32) -> Setting<T> {
        Setting::new(value, at(offset))
    }

    /// A list setting at `offset` whose entries start at `offset + 1`, `offset + 2`, ...
    pub(crate) fn list<T>(values: Vec<T>, offset: u32) -> Setting<Vec<Setting<T>>> {
        let entries = values.into_iter().zip(offset + 1..).map(|(v, o)| set(v, o)).collect();
        Setting::new(entries, at(offset))
    }

    /// A configuration that says nothing.
    pub(crate) fn unknown() -> EngineConfig {
        EngineConfig::default()
    }

    /// Findings of `rule` when only it runs.
    pub(crate) fn run(rule: &'static RuleMeta, config: &EngineConfig) -> Vec<Finding> {
        let settings = crate::RuleSettings::default();
        let only = |r: &RuleMeta| r.code == rule.code;
        let mut checker = crate::Checker::new(&settings, &only);
        super::check_engine(config, &mut checker);
        checker.into_findings()
    }

    /// Start offsets of the findings' primary locations.
    pub(crate) fn starts(findings: &[Finding]) -> Vec<u32> {
        findings.iter().map(|f| f.location.span.start).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_code_order_and_registered() {
        let codes: Vec<&str> = engine_rules().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for code in codes {
            assert!(crate::rule_by_code(code).is_some_and(|r| r.code == code), "{code} is not in ALL_RULES");
        }
    }

    #[test]
    fn an_unknown_configuration_has_no_findings() {
        assert!(check_engine_all(&testing::unknown()).is_empty());
    }

    #[test]
    fn every_engine_rule_cites_cis_docker() {
        for rule in engine_rules() {
            assert!(rule.alias_for(shipshape_model::Tool::CisDocker).is_some(), "{}", rule.code);
            assert!(rule.doc.contains("CIS Docker Benchmark v1.6.0"), "{}", rule.code);
        }
    }

    #[test]
    fn defaults_are_said_to_be_defaults() {
        let root = testing::at(0);
        let config = EngineConfig { defaults_from: Some(root.clone()), ..EngineConfig::default() };
        assert!(default_note(&config, &Setting::new(true, root), "icc").contains("does not set `icc`"));
        assert_eq!(default_note(&config, &testing::set(true, 5), "icc"), "");
    }
}
