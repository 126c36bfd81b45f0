//! `SEC`: credentials in configuration and images.

pub(crate) mod sec001_secret_in_build_config;
pub(crate) mod sec002_secret_in_run_command;
pub(crate) mod sec003_secret_file_copied;
pub(crate) mod sec004_build_secret_persisted;
pub(crate) mod sec100_secret_in_environment;
pub(crate) mod sec101_known_credential_format;
pub(crate) mod sec102_secret_manifest_data;
pub(crate) mod sec103_credential_in_config_map;
pub(crate) mod sec110_hardcoded_secret;
pub(crate) mod sec500_empty_password;
pub(crate) mod sec501_password_hash_in_image;
pub(crate) mod sec502_weak_password_hash;
pub(crate) mod sec503_credential_file_in_image;
