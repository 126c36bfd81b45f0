//! `SUP`: where images and packages come from and whether that can be trusted.

pub(crate) mod sup001_download_piped_to_shell;
pub(crate) mod sup002_tls_verification_disabled;
pub(crate) mod sup003_package_signature_check_disabled;
pub(crate) mod sup004_unpinned_system_package;
pub(crate) mod sup005_unpinned_library_package;
pub(crate) mod sup006_remote_add_without_checksum;
pub(crate) mod sup007_extra_package_index;
pub(crate) mod sup008_plaintext_download;
pub(crate) mod sup009_typosquatted_image;
pub(crate) mod sup010_untrusted_registry;
pub(crate) mod sup011_plaintext_registry;
pub(crate) mod sup100_vulnerable_package;
pub(crate) mod sup101_malicious_package;
pub(crate) mod sup110_cryptominer;
pub(crate) mod sup111_reverse_shell;
pub(crate) mod sup112_plaintext_download_executed;
pub(crate) mod sup113_persistence;
pub(crate) mod sup114_malware_test_file;
pub(crate) mod sup115_yara_rule_match;
pub(crate) mod sup400_insecure_registry;
