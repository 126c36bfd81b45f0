//! `PRV`: least privilege.

pub(crate) mod prv001_root_user;
pub(crate) mod prv002_missing_user;
pub(crate) mod prv003_sudo_in_run;
pub(crate) mod prv004_world_writable_permissions;
pub(crate) mod prv005_insecure_build_security;
pub(crate) mod prv006_setuid_bit_set;
pub(crate) mod prv100_privileged_container;
pub(crate) mod prv101_dangerous_capability;
pub(crate) mod prv102_capabilities_not_dropped;
pub(crate) mod prv103_seccomp_unconfined;
pub(crate) mod prv104_apparmor_unconfined;
pub(crate) mod prv105_selinux_disabled;
pub(crate) mod prv106_unmasked_system_paths;
pub(crate) mod prv107_privilege_escalation_allowed;
pub(crate) mod prv108_writable_root_filesystem;
pub(crate) mod prv109_container_runs_as_root;
pub(crate) mod prv110_service_account_token_mounted;
pub(crate) mod prv400_default_seccomp_unconfined;
pub(crate) mod prv401_new_privileges_by_default;
pub(crate) mod prv402_missing_authorization_plugin;
pub(crate) mod prv403_rootful_daemon;
pub(crate) mod prv500_setuid_file;
pub(crate) mod prv501_world_writable_directory;
pub(crate) mod prv502_world_writable_file;
pub(crate) mod prv503_duplicate_account_id;
pub(crate) mod prv504_extra_root_account;
