//! `MON`: healthchecks, logging, audit.

pub(crate) mod mon001_missing_healthcheck;
pub(crate) mod mon100_missing_container_healthcheck;
pub(crate) mod mon101_logging_disabled;
pub(crate) mod mon400_local_logging_only;
pub(crate) mod mon401_debug_logging;
