//! `ISO`: namespaces, sockets, host mounts, devices, cgroup limits.
//!
//! CIS Docker Benchmark numbers in this layer and the other runtime layers follow the
//! Container Runtime section (5.x) of benchmark versions 1.2.0 to 1.5.0. The engine rules (the
//! 400 range of every layer) cite the Docker daemon configuration (2.x) and daemon configuration
//! files (3.x) sections of benchmark v1.6.0, whose numbering differs from earlier versions.

pub(crate) mod iso100_host_pid_namespace;
pub(crate) mod iso101_host_ipc_namespace;
pub(crate) mod iso102_host_uts_namespace;
pub(crate) mod iso103_host_user_namespace;
pub(crate) mod iso104_host_cgroup_namespace;
pub(crate) mod iso105_runtime_socket_mount;
pub(crate) mod iso106_sensitive_host_mount;
pub(crate) mod iso107_writable_host_mount;
pub(crate) mod iso108_shared_mount_propagation;
pub(crate) mod iso109_host_device;
pub(crate) mod iso110_device_cgroup_rule;
pub(crate) mod iso111_missing_memory_limit;
pub(crate) mod iso112_missing_cpu_limit;
pub(crate) mod iso113_missing_pids_limit;
pub(crate) mod iso114_restart_without_limits;
pub(crate) mod iso115_oom_killer_disabled;
pub(crate) mod iso116_unsafe_sysctl;
pub(crate) mod iso400_user_namespaces_disabled;
pub(crate) mod iso401_live_restore_disabled;
pub(crate) mod iso402_default_ulimits_unset;
pub(crate) mod iso403_aufs_storage_driver;
pub(crate) mod iso404_experimental_features;
pub(crate) mod iso405_engine_socket_permissions;
