//! The one registry of every rule code, `GEN` codes included, in code order.
//!
//! A new rule is added here and in its layer's `mod.rs`; a test keeps this list sorted, unique
//! and complete.

use shipshape_model::RuleMeta;
use shipshape_model::general::{
    CONFIG_ERROR, EXPIRED_IGNORE, INVALID_ENCODING, PARSE_ERROR, UNKNOWN_FLAG, UNKNOWN_INSTRUCTION,
    UNREADABLE_TARGET, UNUSED_SUPPRESSION,
};

use crate::image::img004_cd_in_run;
use crate::image::img005_apt_in_run;
use crate::image::img006_apt_get_without_yes;
use crate::image::img007_apt_install_recommends;
use crate::image::img008_package_cache_kept;
use crate::image::img009_pipe_without_pipefail;
use crate::image::img010_useradd_large_uid;
use crate::image::img011_package_upgrade_in_build;
use crate::image::img012_package_index_update_alone;
use crate::image::{img001_untagged_base_image, img002_latest_base_tag, img003_add_local_files};
use crate::image::{img013_invalid_image_reference, img014_tag_without_digest, img015_end_of_life_image};
use crate::image::{
    img020_relative_workdir, img021_pointless_command_in_run, img022_copied_archive_extracted,
    img023_expose_port_out_of_range, img024_expose_host_mapping, img025_expose_protocol_casing,
    img026_repeated_healthcheck, img027_repeated_cmd, img028_repeated_entrypoint, img029_copy_many_to_file,
    img030_copy_from_undefined_stage, img031_copy_from_own_stage, img032_duplicate_stage_name,
    img033_shell_form_command, img034_constant_platform_flag, img035_redundant_target_platform,
    img036_yum_without_yes, img037_dnf_without_yes, img038_zypper_without_non_interactive,
    img039_invalid_onbuild_trigger, img040_env_self_reference, img041_copy_relative_destination,
    img042_wget_progress_output, img043_invalid_label_key, img044_empty_oci_label,
    img045_invalid_oci_label_url, img046_invalid_oci_label_date, img047_invalid_oci_label_license,
    img048_consecutive_run, img049_yarn_cache_kept, img050_instruction_before_from,
    img052_maintainer_instruction, img053_mixed_download_tools, img054_default_shell_replaced,
    img055_legacy_key_value_format, img056_from_as_casing, img057_stage_name_casing,
    img058_reserved_stage_name, img059_inconsistent_instruction_casing, img060_undefined_arg_in_from,
    img061_invalid_default_arg_in_from, img062_empty_continuation_line, img063_undefined_variable,
    img064_stage_description_mismatch, img065_inline_ignore_pragma,
};
use crate::image::{
    img500_unneeded_file_in_image, img501_package_cache_in_image, img502_build_tool_in_image,
};
use crate::isolation::{
    iso100_host_pid_namespace, iso101_host_ipc_namespace, iso102_host_uts_namespace,
    iso103_host_user_namespace, iso104_host_cgroup_namespace, iso105_runtime_socket_mount,
    iso106_sensitive_host_mount, iso107_writable_host_mount, iso108_shared_mount_propagation,
    iso109_host_device, iso110_device_cgroup_rule, iso111_missing_memory_limit, iso112_missing_cpu_limit,
    iso113_missing_pids_limit, iso114_restart_without_limits, iso115_oom_killer_disabled,
    iso116_unsafe_sysctl, iso400_user_namespaces_disabled, iso401_live_restore_disabled,
    iso402_default_ulimits_unset, iso403_aufs_storage_driver, iso404_experimental_features,
    iso405_engine_socket_permissions,
};
use crate::monitoring::{
    mon001_missing_healthcheck, mon100_missing_container_healthcheck, mon101_logging_disabled,
    mon400_local_logging_only, mon401_debug_logging,
};
use crate::network::net001_ssh_server_in_image;
use crate::network::net002_build_host_network;
use crate::network::net500_ssh_server_installed;
use crate::network::{
    net100_host_network, net101_port_on_all_interfaces, net102_sensitive_port_published,
    net103_privileged_host_port, net104_pods_without_network_policy, net200_exposed_path_to_host,
    net400_engine_api_without_tls, net401_inter_container_communication, net402_userland_proxy_enabled,
    net403_iptables_disabled,
};
use crate::pod_security::{
    iso300_pss_host_process, iso301_pss_host_namespaces, iso302_pss_host_path_volumes, iso303_pss_proc_mount,
    iso304_pss_sysctls, iso305_pss_volume_types, iso306_pss_proc_mount_restricted, net300_pss_host_ports,
    net301_pss_host_probes, prv300_pss_privileged, prv301_pss_capabilities_baseline, prv302_pss_apparmor,
    prv303_pss_selinux, prv304_pss_seccomp_baseline, prv305_pss_privilege_escalation,
    prv306_pss_run_as_non_root, prv307_pss_run_as_user, prv308_pss_seccomp_restricted,
    prv309_pss_capabilities_restricted,
};
use crate::privilege::prv003_sudo_in_run;
use crate::privilege::prv004_world_writable_permissions;
use crate::privilege::prv005_insecure_build_security;
use crate::privilege::prv006_setuid_bit_set;
use crate::privilege::{
    prv001_root_user, prv002_missing_user, prv100_privileged_container, prv101_dangerous_capability,
    prv102_capabilities_not_dropped, prv103_seccomp_unconfined, prv104_apparmor_unconfined,
    prv105_selinux_disabled, prv106_unmasked_system_paths, prv107_privilege_escalation_allowed,
    prv108_writable_root_filesystem, prv109_container_runs_as_root, prv110_service_account_token_mounted,
    prv400_default_seccomp_unconfined, prv401_new_privileges_by_default, prv402_missing_authorization_plugin,
    prv403_rootful_daemon,
};
use crate::privilege::{
    prv500_setuid_file, prv501_world_writable_directory, prv502_world_writable_file,
    prv503_duplicate_account_id, prv504_extra_root_account,
};
use crate::secrets::sec001_secret_in_build_config;
use crate::secrets::sec002_secret_in_run_command;
use crate::secrets::sec003_secret_file_copied;
use crate::secrets::sec004_build_secret_persisted;
use crate::secrets::{
    sec100_secret_in_environment, sec101_known_credential_format, sec102_secret_manifest_data,
    sec103_credential_in_config_map, sec110_hardcoded_secret,
};
use crate::secrets::{
    sec500_empty_password, sec501_password_hash_in_image, sec502_weak_password_hash,
    sec503_credential_file_in_image,
};
use crate::supply_chain::sup004_unpinned_system_package;
use crate::supply_chain::sup005_unpinned_library_package;
use crate::supply_chain::sup006_remote_add_without_checksum;
use crate::supply_chain::sup007_extra_package_index;
use crate::supply_chain::sup008_plaintext_download;
use crate::supply_chain::sup100_vulnerable_package;
use crate::supply_chain::sup101_malicious_package;
use crate::supply_chain::{
    sup001_download_piped_to_shell, sup002_tls_verification_disabled,
    sup003_package_signature_check_disabled, sup400_insecure_registry,
};
use crate::supply_chain::{sup009_typosquatted_image, sup010_untrusted_registry, sup011_plaintext_registry};
use crate::supply_chain::{
    sup110_cryptominer, sup111_reverse_shell, sup112_plaintext_download_executed, sup113_persistence,
    sup114_malware_test_file, sup115_yara_rule_match,
};

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
    &img004_cd_in_run::CD_IN_RUN,
    &img005_apt_in_run::APT_IN_RUN,
    &img006_apt_get_without_yes::APT_GET_WITHOUT_YES,
    &img007_apt_install_recommends::APT_INSTALL_RECOMMENDS,
    &img008_package_cache_kept::PACKAGE_CACHE_KEPT,
    &img009_pipe_without_pipefail::PIPE_WITHOUT_PIPEFAIL,
    &img010_useradd_large_uid::USERADD_LARGE_UID,
    &img011_package_upgrade_in_build::PACKAGE_UPGRADE_IN_BUILD,
    &img012_package_index_update_alone::PACKAGE_INDEX_UPDATE_ALONE,
    &img013_invalid_image_reference::INVALID_IMAGE_REFERENCE,
    &img014_tag_without_digest::TAG_WITHOUT_DIGEST,
    &img015_end_of_life_image::END_OF_LIFE_IMAGE,
    &img020_relative_workdir::RELATIVE_WORKDIR,
    &img021_pointless_command_in_run::POINTLESS_COMMAND_IN_RUN,
    &img022_copied_archive_extracted::COPIED_ARCHIVE_EXTRACTED,
    &img023_expose_port_out_of_range::EXPOSE_PORT_OUT_OF_RANGE,
    &img024_expose_host_mapping::EXPOSE_HOST_MAPPING,
    &img025_expose_protocol_casing::EXPOSE_PROTOCOL_CASING,
    &img026_repeated_healthcheck::REPEATED_HEALTHCHECK,
    &img027_repeated_cmd::REPEATED_CMD,
    &img028_repeated_entrypoint::REPEATED_ENTRYPOINT,
    &img029_copy_many_to_file::COPY_MANY_TO_FILE,
    &img030_copy_from_undefined_stage::COPY_FROM_UNDEFINED_STAGE,
    &img031_copy_from_own_stage::COPY_FROM_OWN_STAGE,
    &img032_duplicate_stage_name::DUPLICATE_STAGE_NAME,
    &img033_shell_form_command::SHELL_FORM_COMMAND,
    &img034_constant_platform_flag::CONSTANT_PLATFORM_FLAG,
    &img035_redundant_target_platform::REDUNDANT_TARGET_PLATFORM,
    &img036_yum_without_yes::YUM_WITHOUT_YES,
    &img037_dnf_without_yes::DNF_WITHOUT_YES,
    &img038_zypper_without_non_interactive::ZYPPER_WITHOUT_NON_INTERACTIVE,
    &img039_invalid_onbuild_trigger::INVALID_ONBUILD_TRIGGER,
    &img040_env_self_reference::ENV_SELF_REFERENCE,
    &img041_copy_relative_destination::COPY_RELATIVE_DESTINATION,
    &img042_wget_progress_output::WGET_PROGRESS_OUTPUT,
    &img043_invalid_label_key::INVALID_LABEL_KEY,
    &img044_empty_oci_label::EMPTY_OCI_LABEL,
    &img045_invalid_oci_label_url::INVALID_OCI_LABEL_URL,
    &img046_invalid_oci_label_date::INVALID_OCI_LABEL_DATE,
    &img047_invalid_oci_label_license::INVALID_OCI_LABEL_LICENSE,
    &img048_consecutive_run::CONSECUTIVE_RUN,
    &img049_yarn_cache_kept::YARN_CACHE_KEPT,
    &img050_instruction_before_from::INSTRUCTION_BEFORE_FROM,
    &img052_maintainer_instruction::MAINTAINER_INSTRUCTION,
    &img053_mixed_download_tools::MIXED_DOWNLOAD_TOOLS,
    &img054_default_shell_replaced::DEFAULT_SHELL_REPLACED,
    &img055_legacy_key_value_format::LEGACY_KEY_VALUE_FORMAT,
    &img056_from_as_casing::FROM_AS_CASING,
    &img057_stage_name_casing::STAGE_NAME_CASING,
    &img058_reserved_stage_name::RESERVED_STAGE_NAME,
    &img059_inconsistent_instruction_casing::INCONSISTENT_INSTRUCTION_CASING,
    &img060_undefined_arg_in_from::UNDEFINED_ARG_IN_FROM,
    &img061_invalid_default_arg_in_from::INVALID_DEFAULT_ARG_IN_FROM,
    &img062_empty_continuation_line::EMPTY_CONTINUATION_LINE,
    &img063_undefined_variable::UNDEFINED_VARIABLE,
    &img064_stage_description_mismatch::STAGE_DESCRIPTION_MISMATCH,
    &img065_inline_ignore_pragma::INLINE_IGNORE_PRAGMA,
    &img500_unneeded_file_in_image::UNNEEDED_FILE_IN_IMAGE,
    &img501_package_cache_in_image::PACKAGE_CACHE_IN_IMAGE,
    &img502_build_tool_in_image::BUILD_TOOL_IN_IMAGE,
    &iso100_host_pid_namespace::HOST_PID_NAMESPACE,
    &iso101_host_ipc_namespace::HOST_IPC_NAMESPACE,
    &iso102_host_uts_namespace::HOST_UTS_NAMESPACE,
    &iso103_host_user_namespace::HOST_USER_NAMESPACE,
    &iso104_host_cgroup_namespace::HOST_CGROUP_NAMESPACE,
    &iso105_runtime_socket_mount::RUNTIME_SOCKET_MOUNT,
    &iso106_sensitive_host_mount::SENSITIVE_HOST_MOUNT,
    &iso107_writable_host_mount::WRITABLE_HOST_MOUNT,
    &iso108_shared_mount_propagation::SHARED_MOUNT_PROPAGATION,
    &iso109_host_device::HOST_DEVICE,
    &iso110_device_cgroup_rule::DEVICE_CGROUP_RULE,
    &iso111_missing_memory_limit::MISSING_MEMORY_LIMIT,
    &iso112_missing_cpu_limit::MISSING_CPU_LIMIT,
    &iso113_missing_pids_limit::MISSING_PIDS_LIMIT,
    &iso114_restart_without_limits::RESTART_WITHOUT_LIMITS,
    &iso115_oom_killer_disabled::OOM_KILLER_DISABLED,
    &iso116_unsafe_sysctl::UNSAFE_SYSCTL,
    &iso300_pss_host_process::PSS_HOST_PROCESS,
    &iso301_pss_host_namespaces::PSS_HOST_NAMESPACES,
    &iso302_pss_host_path_volumes::PSS_HOST_PATH_VOLUMES,
    &iso303_pss_proc_mount::PSS_PROC_MOUNT,
    &iso304_pss_sysctls::PSS_SYSCTLS,
    &iso305_pss_volume_types::PSS_VOLUME_TYPES,
    &iso306_pss_proc_mount_restricted::PSS_PROC_MOUNT_RESTRICTED,
    &iso400_user_namespaces_disabled::USER_NAMESPACES_DISABLED,
    &iso401_live_restore_disabled::LIVE_RESTORE_DISABLED,
    &iso402_default_ulimits_unset::DEFAULT_ULIMITS_UNSET,
    &iso403_aufs_storage_driver::AUFS_STORAGE_DRIVER,
    &iso404_experimental_features::EXPERIMENTAL_FEATURES,
    &iso405_engine_socket_permissions::ENGINE_SOCKET_PERMISSIONS,
    &mon001_missing_healthcheck::MISSING_HEALTHCHECK,
    &mon100_missing_container_healthcheck::MISSING_CONTAINER_HEALTHCHECK,
    &mon101_logging_disabled::LOGGING_DISABLED,
    &mon400_local_logging_only::LOCAL_LOGGING_ONLY,
    &mon401_debug_logging::DEBUG_LOGGING,
    &net001_ssh_server_in_image::SSH_SERVER_IN_IMAGE,
    &net002_build_host_network::BUILD_HOST_NETWORK,
    &net100_host_network::HOST_NETWORK,
    &net101_port_on_all_interfaces::PORT_ON_ALL_INTERFACES,
    &net102_sensitive_port_published::SENSITIVE_PORT_PUBLISHED,
    &net103_privileged_host_port::PRIVILEGED_HOST_PORT,
    &net104_pods_without_network_policy::PODS_WITHOUT_NETWORK_POLICY,
    &net200_exposed_path_to_host::EXPOSED_PATH_TO_HOST,
    &net300_pss_host_ports::PSS_HOST_PORTS,
    &net301_pss_host_probes::PSS_HOST_PROBES,
    &net400_engine_api_without_tls::ENGINE_API_WITHOUT_TLS,
    &net401_inter_container_communication::INTER_CONTAINER_COMMUNICATION,
    &net402_userland_proxy_enabled::USERLAND_PROXY_ENABLED,
    &net403_iptables_disabled::IPTABLES_DISABLED,
    &net500_ssh_server_installed::SSH_SERVER_INSTALLED,
    &prv001_root_user::ROOT_USER,
    &prv002_missing_user::MISSING_USER,
    &prv003_sudo_in_run::SUDO_IN_RUN,
    &prv004_world_writable_permissions::WORLD_WRITABLE_PERMISSIONS,
    &prv005_insecure_build_security::INSECURE_BUILD_SECURITY,
    &prv006_setuid_bit_set::SETUID_BIT_SET,
    &prv100_privileged_container::PRIVILEGED_CONTAINER,
    &prv101_dangerous_capability::DANGEROUS_CAPABILITY,
    &prv102_capabilities_not_dropped::CAPABILITIES_NOT_DROPPED,
    &prv103_seccomp_unconfined::SECCOMP_UNCONFINED,
    &prv104_apparmor_unconfined::APPARMOR_UNCONFINED,
    &prv105_selinux_disabled::SELINUX_DISABLED,
    &prv106_unmasked_system_paths::UNMASKED_SYSTEM_PATHS,
    &prv107_privilege_escalation_allowed::PRIVILEGE_ESCALATION_ALLOWED,
    &prv108_writable_root_filesystem::WRITABLE_ROOT_FILESYSTEM,
    &prv109_container_runs_as_root::CONTAINER_RUNS_AS_ROOT,
    &prv110_service_account_token_mounted::SERVICE_ACCOUNT_TOKEN_MOUNTED,
    &prv300_pss_privileged::PSS_PRIVILEGED,
    &prv301_pss_capabilities_baseline::PSS_CAPABILITIES_BASELINE,
    &prv302_pss_apparmor::PSS_APPARMOR,
    &prv303_pss_selinux::PSS_SELINUX,
    &prv304_pss_seccomp_baseline::PSS_SECCOMP_BASELINE,
    &prv305_pss_privilege_escalation::PSS_PRIVILEGE_ESCALATION,
    &prv306_pss_run_as_non_root::PSS_RUN_AS_NON_ROOT,
    &prv307_pss_run_as_user::PSS_RUN_AS_USER,
    &prv308_pss_seccomp_restricted::PSS_SECCOMP_RESTRICTED,
    &prv309_pss_capabilities_restricted::PSS_CAPABILITIES_RESTRICTED,
    &prv400_default_seccomp_unconfined::DEFAULT_SECCOMP_UNCONFINED,
    &prv401_new_privileges_by_default::NEW_PRIVILEGES_BY_DEFAULT,
    &prv402_missing_authorization_plugin::MISSING_AUTHORIZATION_PLUGIN,
    &prv403_rootful_daemon::ROOTFUL_DAEMON,
    &prv500_setuid_file::SETUID_FILE,
    &prv501_world_writable_directory::WORLD_WRITABLE_DIRECTORY,
    &prv502_world_writable_file::WORLD_WRITABLE_FILE,
    &prv503_duplicate_account_id::DUPLICATE_ACCOUNT_ID,
    &prv504_extra_root_account::EXTRA_ROOT_ACCOUNT,
    &sec001_secret_in_build_config::SECRET_IN_BUILD_CONFIG,
    &sec002_secret_in_run_command::SECRET_IN_RUN_COMMAND,
    &sec003_secret_file_copied::SECRET_FILE_COPIED,
    &sec004_build_secret_persisted::BUILD_SECRET_PERSISTED,
    &sec100_secret_in_environment::SECRET_IN_ENVIRONMENT,
    &sec101_known_credential_format::KNOWN_CREDENTIAL_FORMAT,
    &sec102_secret_manifest_data::SECRET_MANIFEST_DATA,
    &sec103_credential_in_config_map::CREDENTIAL_IN_CONFIG_MAP,
    &sec110_hardcoded_secret::HARDCODED_SECRET,
    &sec500_empty_password::EMPTY_PASSWORD,
    &sec501_password_hash_in_image::PASSWORD_HASH_IN_IMAGE,
    &sec502_weak_password_hash::WEAK_PASSWORD_HASH,
    &sec503_credential_file_in_image::CREDENTIAL_FILE_IN_IMAGE,
    &sup001_download_piped_to_shell::DOWNLOAD_PIPED_TO_SHELL,
    &sup002_tls_verification_disabled::TLS_VERIFICATION_DISABLED,
    &sup003_package_signature_check_disabled::PACKAGE_SIGNATURE_CHECK_DISABLED,
    &sup004_unpinned_system_package::UNPINNED_SYSTEM_PACKAGE,
    &sup005_unpinned_library_package::UNPINNED_LIBRARY_PACKAGE,
    &sup006_remote_add_without_checksum::REMOTE_ADD_WITHOUT_CHECKSUM,
    &sup007_extra_package_index::EXTRA_PACKAGE_INDEX,
    &sup008_plaintext_download::PLAINTEXT_DOWNLOAD,
    &sup009_typosquatted_image::TYPOSQUATTED_IMAGE,
    &sup010_untrusted_registry::UNTRUSTED_REGISTRY,
    &sup011_plaintext_registry::PLAINTEXT_REGISTRY,
    &sup100_vulnerable_package::VULNERABLE_PACKAGE,
    &sup101_malicious_package::MALICIOUS_PACKAGE,
    &sup110_cryptominer::CRYPTOMINER,
    &sup111_reverse_shell::REVERSE_SHELL,
    &sup112_plaintext_download_executed::PLAINTEXT_DOWNLOAD_EXECUTED,
    &sup113_persistence::PERSISTENCE,
    &sup114_malware_test_file::MALWARE_TEST_FILE,
    &sup115_yara_rule_match::YARA_RULE_MATCH,
    &sup400_insecure_registry::INSECURE_REGISTRY,
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
            assert!(
                rule.code.starts_with(rule.layer.prefix()),
                "{} is not in layer {}",
                rule.code,
                rule.layer
            );
            assert_eq!(rule.code.len(), 6, "{}", rule.code);
        }
        assert!(ALL_RULES.iter().any(|r| r.layer == Layer::General));
    }

    #[test]
    fn every_checked_rule_is_registered_and_every_registered_rule_is_checked() {
        use crate::checkers::{deployment_rules, engine_rules, image_spec_rules, workload_rules};
        let mut checked: Vec<&str> = image_spec_rules()
            .chain(crate::checkers::image_ref_rules())
            .chain(crate::checkers::dockerfile_rules())
            .chain(workload_rules())
            .chain(deployment_rules())
            .chain(engine_rules())
            .chain(crate::pod_security::rules())
            .chain(crate::checkers::kube_object_rules())
            .chain(crate::checkers::text_rules())
            .chain(crate::checkers::vulnerability_rules())
            .chain(crate::checkers::image_files_rules())
            .chain(crate::checkers::yara_rules())
            .map(|r| r.code)
            .collect();
        checked.sort_unstable();
        let registered: Vec<&str> =
            ALL_RULES.iter().filter(|r| r.layer != Layer::General).map(|r| r.code).collect();
        assert_eq!(checked, registered, "codes.rs and the checkers must list the same rules");
    }

    #[test]
    fn names_are_unique_kebab_case_and_not_negated() {
        let mut names: Vec<&str> = ALL_RULES.iter().map(|r| r.name).collect();
        for name in &names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}"
            );
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
        assert_eq!(rule_by_code("engine-api-without-tls").map(|r| r.code), Some("NET400"));
        assert_eq!(rules_named("3.16").map(|r| r.code).collect::<Vec<_>>(), ["ISO405"]);
    }
}
