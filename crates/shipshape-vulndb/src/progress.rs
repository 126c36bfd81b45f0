//! Progress reporting for imports and updates, so a command line can print what happens.

use std::time::Duration;

/// One step of an import or update.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ProgressEvent<'a> {
    /// Asking `url` for an ecosystem's export.
    Checking {
        /// The ecosystem.
        ecosystem: &'a str,
        /// The URL asked.
        url: &'a str,
    },
    /// Bytes of an export received so far (sent about every MiB).
    Downloading {
        /// The ecosystem.
        ecosystem: &'a str,
        /// Bytes received so far.
        bytes: u64,
        /// The `Content-Length`, when the server sent one.
        total: Option<u64>,
    },
    /// A request failed in a way worth retrying; the next attempt follows after `wait`.
    Retrying {
        /// The ecosystem.
        ecosystem: &'a str,
        /// The URL that failed.
        url: &'a str,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// How long until the next attempt (`Retry-After` when the server sent one).
        wait: Duration,
        /// Why (`HTTP 503`, a connection error, ...).
        reason: &'a str,
    },
    /// A URL failed for good; the next mirror (if any) is tried.
    SourceFailed {
        /// The ecosystem.
        ecosystem: &'a str,
        /// The URL that failed.
        url: &'a str,
        /// Why.
        reason: &'a str,
    },
    /// The server said the export has not changed (`304 Not Modified`); the stored records are
    /// kept.
    NotModified {
        /// The ecosystem.
        ecosystem: &'a str,
    },
    /// An export was downloaded completely.
    Downloaded {
        /// The ecosystem.
        ecosystem: &'a str,
        /// Its size in bytes.
        bytes: u64,
    },
    /// Importing records from a file or directory.
    Importing {
        /// The name the records are stored under (an ecosystem, or the input's name).
        source: &'a str,
        /// The file or directory.
        path: &'a str,
    },
    /// A source was imported.
    Imported {
        /// The name the records are stored under.
        source: &'a str,
        /// Records stored.
        records: u64,
        /// Records skipped because they are invalid.
        skipped_invalid: u64,
        /// Records skipped because they are withdrawn.
        withdrawn: u64,
    },
    /// The new database replaced the previous one.
    Committed {
        /// Records in the new database, summed over its sources.
        records: u64,
    },
}

/// Receives [`ProgressEvent`]s. Any `FnMut(&ProgressEvent)` closure is one.
pub trait Progress {
    /// Called for every event, in order.
    fn event(&mut self, event: &ProgressEvent<'_>);
}

impl<F: FnMut(&ProgressEvent<'_>)> Progress for F {
    fn event(&mut self, event: &ProgressEvent<'_>) {
        self(event);
    }
}

/// Ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&mut self, _event: &ProgressEvent<'_>) {}
}
