//! `PRV`: least privilege.

pub(crate) mod prv001_root_user;
pub(crate) mod prv002_missing_user;
