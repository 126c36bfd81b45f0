//! `SUP`: where images and packages come from and whether that can be trusted.

pub(crate) mod sup100_vulnerable_package;
pub(crate) mod sup400_insecure_registry;
