//! `NET`: published ports, host network, plaintext endpoints.

pub(crate) mod net001_ssh_server_in_image;
pub(crate) mod net002_build_host_network;
pub(crate) mod net100_host_network;
pub(crate) mod net101_port_on_all_interfaces;
pub(crate) mod net102_sensitive_port_published;
pub(crate) mod net103_privileged_host_port;
pub(crate) mod net104_pods_without_network_policy;
pub(crate) mod net200_exposed_path_to_host;
pub(crate) mod net400_engine_api_without_tls;
pub(crate) mod net401_inter_container_communication;
pub(crate) mod net402_userland_proxy_enabled;
pub(crate) mod net403_iptables_disabled;
pub(crate) mod net500_ssh_server_installed;
