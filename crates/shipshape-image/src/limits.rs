//! Resource bounds, so a hostile image fails fast with bounded memory and time.

/// Bounds applied while opening and walking an image. The defaults fit real images with room
/// to spare; lower them to scan untrusted input more tightly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON document read whole (index, manifests, config): 16 MiB.
    pub max_json_bytes: u64,
    /// Most bytes decompressed over all layers of one walk (gzip/zstd bombs): 32 GiB.
    pub max_uncompressed_bytes: u64,
    /// Most tar entries over all layers of one walk: 10,000,000.
    pub max_entries: u64,
    /// Longest path of a layer entry, in bytes; longer entries are skipped and reported: 4096.
    pub max_path_bytes: usize,
    /// Largest GNU long-name or PAX record of one tar entry: 1 MiB.
    pub max_metadata_bytes: u64,
    /// Most symbolic links followed while resolving one path (Linux's own bound): 40.
    pub max_symlink_hops: usize,
    /// Most members of an image archive: 1,000,000.
    pub max_archive_members: usize,
    /// Most layers of one image: 1000.
    pub max_layers: usize,
    /// Most anomalies recorded per walk; further ones are counted only: 10,000.
    pub max_anomalies: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_json_bytes: 16 * 1024 * 1024,
            max_uncompressed_bytes: 32 * 1024 * 1024 * 1024,
            max_entries: 10_000_000,
            max_path_bytes: 4096,
            max_metadata_bytes: 1024 * 1024,
            max_symlink_hops: 40,
            max_archive_members: 1_000_000,
            max_layers: 1000,
            max_anomalies: 10_000,
        }
    }
}
