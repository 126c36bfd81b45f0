//! Container images for shipshape, read in place from disk.
//!
//! # Sources
//!
//! [`Image::open`] reads a `docker save` archive (the legacy layout with `manifest.json`,
//! `<id>.json` and `<id>/layer.tar`, and the OCI-in-tar layout Docker 25 and later write), an
//! OCI image layout directory, or an OCI layout packed in a tar. A tar archive is scanned once,
//! seeking over member data, to record where each blob is; blobs are then read from their
//! offsets, so nothing is extracted. Multi-platform indexes (nested ones and Docker manifest
//! lists too) are resolved for a [`Platform`] (default `linux/amd64`, else the first entry);
//! attestation manifests are skipped. Every JSON blob is checked against its digest and size.
//!
//! # Layers
//!
//! [`Image::walk`] streams each layer once: the compression is detected from the first bytes
//! (gzip through `flate2` with the pure-Rust miniz_oxide backend, Zstandard through the
//! pure-Rust `ruzstd` decoder, or none), the tar stream is read by this crate's own bounded
//! reader, and the blob's digest (compressed bytes) and diff_id (uncompressed bytes) are
//! verified as the bytes go by. A mismatch is an error naming the layer.
//!
//! # The file view
//!
//! Layers are applied as overlay runtimes unpack them (see [`Filesystem`]): whiteouts and
//! opaque directories, symbolic links in parent paths followed without leaving the image root,
//! hard links keeping their target's content. The index holds metadata only. A [`Visitor`]
//! sees every entry of every layer, regular files with their content (capped per file), and
//! entries deleted or replaced later stay visible as [`Shadowed`] entries with both layers.
//! [`Image::read_paths`] reads a few known files of the final view in one pass.
//!
//! # Configuration and inventory
//!
//! The config is parsed with spans ([`ImageConfig`]) and lowered to a one-stage
//! [`shipshape_model::ImageSpec`] ([`Image::spec`]) whose origins point into the config text
//! ([`Image::config_source`]), so the image rules judge built images. History entries carry
//! their layer.
//!
//! [`Image::scan`] builds the [`Inventory`] during its one walk: the OS (`os-release`); the dpkg,
//! apk and rpm databases (rpm's SQLite, Berkeley DB and NDB formats, each read by this crate
//! without any database library), with the layer that wrote and the layer that introduced each
//! package; and language packages anywhere in the image, recognised by path as files stream
//! past (Python `dist-info`/`egg-info`, `node_modules/**/package.json`, Ruby gemspecs, Composer
//! `installed.json`, .NET `*.deps.json`, `Cargo.lock`, Java archives with nested archives) or, for
//! ELF binaries, by magic (Go build information, cargo-auditable data). Every package is one
//! [`Package`] with its OSV ecosystem, a package URL ([`purl`]), its file, layer and line;
//! [`Inventory::sources`] holds the text findings point into. Reads are bounded by
//! [`InventoryLimits`].
//!
//! # Hostile input
//!
//! Every size is bounded by [`Limits`]: JSON documents, total decompressed bytes (gzip and zstd
//! bombs), tar entries, path length, GNU/PAX metadata records, symbolic link hops, archive
//! members, layers. Truncated archives and layers, bad tar checksums and damaged compressed
//! streams are errors that name the image and the layer; odd entries (absolute paths, `..`,
//! over-long paths, unknown entry types, dangling hard links, link loops) are handled safely
//! and reported as [`Anomaly`]s.
//!
//! Registries are pulled into an OCI layout by `shipshape-registry`; [`Image::probe`] tells an
//! image from other files for discovery. SBOMs are rendered by `shipshape-report` from the
//! inventory's packages.

#![warn(missing_docs)]

mod config;
mod digest;
mod error;
mod fs;
mod image;
mod inventory;
mod json;
mod layer;
mod limits;
mod manifest;
mod platform;
mod store;
mod tar_stream;
mod walk;

pub use config::{HealthConfig, HistoryEntry, ImageConfig, lower_config};
pub use digest::{Algorithm, Digest, Hasher};
pub use error::ImageError;
pub use fs::{Anomaly, AnomalyKind, ContentRef, Fate, FileEntry, FileKind, Filesystem, Removal, Shadowed};
pub use image::{Image, OpenOptions};
pub use inventory::{
    INVENTORY_PATHS, Inventory, InventoryLimits, OsRelease, Package, PackageManager, PackageSource, purl,
};
pub use layer::{Compression, Layer, LayerStats};
pub use limits::Limits;
pub use manifest::{
    ImageFormat, MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};
pub use platform::Platform;
pub use walk::{Captured, CapturedFile, FinalFile, VisitEntry, VisitResult, Visitor, Walk, WalkOptions};
