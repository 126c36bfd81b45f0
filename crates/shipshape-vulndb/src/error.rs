//! The crate's error type: every variant names the file (and entry or line) it is about.

use std::io;
use std::path::PathBuf;

use crate::zip::ZipError;

/// An error of the vulnerability database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The directory holds no database yet.
    #[error("no vulnerability database in {} (run an update or an import first)", dir.display())]
    NotFound {
        /// The database directory.
        dir: PathBuf,
    },
    /// The database was written in another format version; the next update rebuilds it.
    #[error(
        "the vulnerability database in {} has format version {found}, but this shipshape reads \
         version {expected}; it will be rebuilt on the next update",
        dir.display()
    )]
    FormatVersion {
        /// The database directory.
        dir: PathBuf,
        /// The version found.
        found: u32,
        /// The version this crate reads and writes.
        expected: u32,
    },
    /// A database file is damaged.
    #[error("{}: corrupt vulnerability database file: {reason}", path.display())]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A zip archive could not be read, or was refused (too large, hostile).
    #[error(transparent)]
    Zip(#[from] ZipError),
    /// An input of [`crate::import()`] is neither a zip archive, a JSON file nor a directory.
    #[error("{}: not an OSV zip export, OSV JSON file or directory of OSV JSON files", path.display())]
    UnsupportedInput {
        /// The input.
        path: PathBuf,
    },
    /// Another process holds the database's update lock.
    #[error("another process is updating the vulnerability database in {}", dir.display())]
    Locked {
        /// The database directory.
        dir: PathBuf,
    },
    /// Neither `XDG_CACHE_HOME` nor `HOME` (nor `LOCALAPPDATA`) is set.
    #[error("cannot find a cache directory for the vulnerability database: set XDG_CACHE_HOME or HOME")]
    NoCacheDir,
    /// No configured ecosystem could be downloaded; the previous database (if any) is kept.
    #[error("vulnerability database update failed: {0}")]
    UpdateFailed(String),
    /// A test stopped a commit at this step, as a crash would.
    #[doc(hidden)]
    #[error("simulated crash {0}")]
    SimulatedCrash(&'static str),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
        Error::Corrupt { path: path.into(), reason: reason.into() }
    }
}
