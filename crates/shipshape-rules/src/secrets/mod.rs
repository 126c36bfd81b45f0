//! `SEC`: credentials in configuration and images.

pub(crate) mod sec100_secret_in_environment;
pub(crate) mod sec101_known_credential_format;
