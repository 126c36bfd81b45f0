//! `MON`: healthchecks, logging, audit.

pub(crate) mod mon001_missing_healthcheck;
