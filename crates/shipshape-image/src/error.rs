//! The one error type of the crate. Every variant names where the problem is (the archive or
//! layout path, and the blob or layer inside it) and what was wrong.

use std::io;
use std::path::PathBuf;

/// Something that stopped an image from being read, or a layer from being streamed.
///
/// `location` fields read like `app.tar` or `app.tar: layer 2 (sha256:0123…)`: the image on
/// disk and, where it applies, the part of it that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The path holds neither a `docker save` archive nor an OCI layout.
    #[error("{}: not a container image: {reason}", path.display())]
    NotAnImage {
        /// The path given.
        path: PathBuf,
        /// What was looked for and not found.
        reason: String,
    },
    /// A structural problem: bad JSON, a manifest without config, a malformed tar header.
    #[error("{location}: {message}")]
    Invalid {
        /// Image and part of it.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A blob a manifest refers to is not in the archive or layout.
    #[error("{location}: {what} `{name}` is missing from the image")]
    MissingBlob {
        /// The image.
        location: String,
        /// What the blob is (`config`, `layer 3`, `manifest`).
        what: String,
        /// The blob's path or digest.
        name: String,
    },
    /// A blob's content does not hash to the digest that names it.
    #[error("{location}: {what} digest mismatch: expected {expected}, content hashes to {actual}")]
    DigestMismatch {
        /// Image and part of it.
        location: String,
        /// Which digest (`compressed blob`, `uncompressed layer (diff_id)`, `config`).
        what: String,
        /// The digest the manifest or config promised.
        expected: String,
        /// The digest of what was read.
        actual: String,
    },
    /// A blob's length differs from the size its descriptor states.
    #[error("{location}: {what} size mismatch: descriptor says {expected} bytes, blob has {actual}")]
    SizeMismatch {
        /// Image and part of it.
        location: String,
        /// Which blob.
        what: String,
        /// Size from the descriptor.
        expected: u64,
        /// Size read.
        actual: u64,
    },
    /// A multi-platform index has no image for the platform asked for.
    #[error("{location}: no image for platform {wanted} (available: {available})")]
    NoMatchingPlatform {
        /// The image.
        location: String,
        /// The platform asked for.
        wanted: String,
        /// The platforms the index offers, comma-separated.
        available: String,
    },
    /// An archive holding several images has none with the reference asked for.
    #[error("{location}: no image named `{wanted}` (available: {available})")]
    NoMatchingReference {
        /// The image archive.
        location: String,
        /// The reference asked for.
        wanted: String,
        /// The references the archive holds, comma-separated.
        available: String,
    },
    /// A [`crate::Limits`] bound was reached (decompression bomb, hostile sizes).
    #[error("{location}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// Image and part of it.
        location: String,
        /// What grew too large.
        what: String,
        /// The limit in force.
        limit: u64,
    },
    /// A layer could not be decompressed or its tar stream is damaged (truncated, bad header).
    #[error("{location}: {message}")]
    Layer {
        /// Image and layer.
        location: String,
        /// What went wrong, with the offset in the uncompressed stream where known.
        message: String,
    },
    /// Something valid but not supported (bzip2 or xz layers, an unknown digest algorithm).
    #[error("{location}: unsupported: {what}")]
    Unsupported {
        /// Image and part of it.
        location: String,
        /// What is not supported.
        what: String,
    },
    /// A [`crate::Visitor`] returned an error; the walk stopped there.
    #[error("{location}: visitor failed at {path}: {source}")]
    Visitor {
        /// Image and layer.
        location: String,
        /// The entry being visited.
        path: String,
        /// The visitor's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }

    pub(crate) fn invalid(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { location: location.into(), message: message.into() }
    }
}
