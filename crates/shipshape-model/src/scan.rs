//! What was scanned: one entry per target, whether it yielded findings or not.

use serde::Serialize;
use std::sync::Arc;

/// One file (or stream, image, host) a scan looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanTarget {
    /// Display path; `-` for standard input.
    pub path: Arc<str>,
    /// Front end that read it: `dockerfile`, `compose`, `kubernetes`, `docker-inspect`, ...
    pub kind: &'static str,
    pub status: TargetStatus,
}

/// How far a target got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum TargetStatus {
    /// Parsed without error.
    Parsed,
    /// Parsed with recoverable errors; the rest of the file was checked.
    PartiallyParsed { errors: usize },
    /// Not checked: unreadable, binary, too large.
    Unreadable { reason: String },
}

impl TargetStatus {
    pub fn parsed(&self) -> bool {
        !matches!(self, TargetStatus::Unreadable { .. })
    }
}
