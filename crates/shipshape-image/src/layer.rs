//! Streaming one layer: open its blob, detect the compression from its first bytes, decompress,
//! read the tar stream entry by entry, and verify the blob's digest (of the compressed bytes) and
//! the layer's diff_id (of the uncompressed stream) as the bytes go by. Nothing of a layer is
//! held in memory beyond the decoders' windows and the entry being handed out.

use crate::digest::{Algorithm, Digest, HashingReader};
use crate::error::ImageError;
use crate::store::{Store, read_up_to};
use crate::tar_stream::{Stream, TarHeader, TarLimits, TarReader};
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Read};

/// A layer of the image, bottom first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Position in the image, 0 for the bottom layer.
    pub index: usize,
    /// Where the blob is inside the archive or layout (`blobs/sha256/…`, `<id>/layer.tar`).
    pub blob: String,
    /// Digest of the blob as stored (compressed), from the manifest; legacy `docker save`
    /// archives do not record it.
    pub digest: Option<Digest>,
    /// The descriptor's media type, as written.
    pub media_type: Option<String>,
    /// The blob's size in bytes from the descriptor (legacy `docker save` archives have none).
    pub size: Option<u64>,
    /// Digest of the uncompressed tar stream, from the config's `rootfs.diff_ids`.
    pub diff_id: Option<Digest>,
}

impl Layer {
    /// `layer 2 (sha256:0123456789ab)`, for messages.
    pub fn describe(&self) -> String {
        match self.digest.as_ref().or(self.diff_id.as_ref()) {
            Some(digest) => format!("layer {} ({})", self.index, digest.short()),
            None => format!("layer {} ({})", self.index, self.blob),
        }
    }
}

/// How a layer blob was compressed, as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// A plain tar stream.
    None,
    /// gzip (`1f 8b`), possibly several members.
    Gzip,
    /// Zstandard (`28 b5 2f fd`), possibly several frames.
    Zstd,
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        })
    }
}

/// What streaming a layer measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerStats {
    /// The layer's index.
    pub index: usize,
    /// The compression detected.
    pub compression: Compression,
    /// Bytes of the blob as stored.
    pub compressed_bytes: u64,
    /// Bytes of the uncompressed tar stream.
    pub uncompressed_bytes: u64,
    /// Tar entries read.
    pub entries: u64,
    /// The media type names a different compression than the content has.
    pub media_type_mismatch: bool,
}

/// What may still be decompressed and read in one walk.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    pub(crate) bytes: u64,
    pub(crate) bytes_limit: u64,
    pub(crate) entries: u64,
    pub(crate) entries_limit: u64,
}

impl Budget {
    pub(crate) fn new(limits: &crate::Limits) -> Self {
        Self {
            bytes: limits.max_uncompressed_bytes,
            bytes_limit: limits.max_uncompressed_bytes,
            entries: limits.max_entries,
            entries_limit: limits.max_entries,
        }
    }
}

/// The error a [`Budgeted`] reader returns; found again by downcasting.
#[derive(Debug)]
struct BudgetExhausted;

impl fmt::Display for BudgetExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("uncompressed size limit reached")
    }
}

impl std::error::Error for BudgetExhausted {}

/// Counts decompressed bytes against the budget.
struct Budgeted<'a, R> {
    inner: R,
    remaining: &'a mut u64,
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        if n64 > *self.remaining {
            *self.remaining = 0;
            return Err(io::Error::other(BudgetExhausted));
        }
        *self.remaining -= n64;
        Ok(n)
    }
}

/// Detects the compression from the first bytes of a blob.
pub(crate) fn detect(head: &[u8]) -> Result<Compression, &'static str> {
    match head {
        [0x1f, 0x8b, ..] => Ok(Compression::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Ok(Compression::Zstd),
        // Skippable zstd frames (0x184D2A50..=0x184D2A5F, little-endian).
        [m, 0x2a, 0x4d, 0x18, ..] if m & 0xf0 == 0x50 => Ok(Compression::Zstd),
        [b'B', b'Z', b'h', ..] => Err("bzip2-compressed layers"),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Err("xz-compressed layers"),
        _ => Ok(Compression::None),
    }
}

fn media_type_compression(media_type: &str) -> Option<Compression> {
    if media_type.ends_with("+gzip") || media_type.ends_with(".tar.gzip") {
        Some(Compression::Gzip)
    } else if media_type.ends_with("+zstd") {
        Some(Compression::Zstd)
    } else if media_type.ends_with(".tar") || media_type.ends_with(".diff.tar") {
        Some(Compression::None)
    } else {
        None
    }
}

/// A Zstandard decoder over every frame of a stream (skippable frames skipped), pure Rust.
pub(crate) struct ZstdReader<R: BufRead> {
    source: R,
    decoder: FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdReader<R> {
    pub(crate) fn new(source: R) -> Self {
        Self { source, decoder: FrameDecoder::new(), in_frame: false }
    }
}

fn zstd_error(e: FrameDecoderError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

impl<R: BufRead> Read for ZstdReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if self.source.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                match self.decoder.reset(&mut self.source) {
                    Ok(()) => self.in_frame = true,
                    Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                        length,
                        ..
                    })) => {
                        let length = u64::from(length);
                        let skipped = io::copy(&mut (&mut self.source).take(length), &mut io::sink())?;
                        if skipped < length {
                            return Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "zstd: truncated frame",
                            ));
                        }
                        continue;
                    }
                    Err(e) => return Err(zstd_error(e)),
                }
            }
            while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
                let wanted = buf.len() - self.decoder.can_collect();
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(wanted))
                    .map_err(zstd_error)?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.decoder.is_finished() && self.decoder.can_collect() == 0 {
                self.in_frame = false;
                continue;
            }
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "zstd: frame ended early"));
        }
    }
}

/// Where the layer is, for messages.
pub(crate) fn layer_location(image_location: &str, layer: &Layer) -> String {
    format!("{image_location}: {}", layer.describe())
}

/// Why an entry handler stopped: reading the entry's data failed (a stream problem, reported
/// with the layer's location), or the handler itself failed.
pub(crate) enum EntryError {
    Read(io::Error),
    Stop(ImageError),
}

impl From<io::Error> for EntryError {
    fn from(error: io::Error) -> Self {
        EntryError::Read(error)
    }
}

impl From<ImageError> for EntryError {
    fn from(error: ImageError) -> Self {
        EntryError::Stop(error)
    }
}

/// What the caller does with each entry: its header and a reader over its data.
pub(crate) type EntryHandler<'h> = dyn FnMut(&TarHeader, &mut dyn Read) -> Result<(), EntryError> + 'h;

/// Streams `layer` once, handing every tar entry to `handle`, and verifies its digests.
pub(crate) fn stream_layer(
    store: &Store,
    image_location: &str,
    layer: &Layer,
    max_metadata: u64,
    budget: &mut Budget,
    handle: &mut EntryHandler<'_>,
) -> Result<LayerStats, ImageError> {
    let location = layer_location(image_location, layer);
    let blob = store.open_blob(&layer.blob)?.ok_or_else(|| ImageError::MissingBlob {
        location: image_location.to_string(),
        what: format!("layer {}", layer.index),
        name: layer.blob.clone(),
    })?;
    let mut reader = blob.reader;
    let mut head = [0u8; 6];
    let got = read_up_to(&mut reader, &mut head).map_err(|e| ImageError::Layer {
        location: location.clone(),
        message: format!("cannot read the blob: {e}"),
    })?;
    let head = head.get(..got).unwrap_or_default();
    let compression = detect(head)
        .map_err(|what| ImageError::Unsupported { location: location.clone(), what: what.into() })?;
    let media_type_mismatch = layer
        .media_type
        .as_deref()
        .and_then(media_type_compression)
        .is_some_and(|declared| declared != compression);
    let chained = Cursor::new(head.to_vec()).chain(reader);
    // An uncompressed blob is its own tar stream: hash it once, on the uncompressed side.
    let raw_algorithm = match compression {
        Compression::None => None,
        _ => layer.digest.as_ref().map(Digest::algorithm),
    };
    let plain_algorithm: Option<Algorithm> = match compression {
        Compression::None => layer.diff_id.as_ref().or(layer.digest.as_ref()).map(Digest::algorithm),
        _ => layer.diff_id.as_ref().map(Digest::algorithm),
    };
    let mut raw = HashingReader::new(chained, raw_algorithm);
    let mut entries = 0u64;
    let (uncompressed_bytes, plain_digest) = {
        let mut buffered = BufReader::with_capacity(256 * 1024, &mut raw);
        let result = {
            let decoded: Box<dyn Read + '_> = match compression {
                Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(&mut buffered)),
                Compression::Zstd => Box::new(ZstdReader::new(&mut buffered)),
                Compression::None => Box::new(&mut buffered),
            };
            let budgeted = Budgeted { inner: decoded, remaining: &mut budget.bytes };
            let mut plain = HashingReader::new(budgeted, plain_algorithm);
            let limits = StreamLimits {
                max_metadata,
                bytes_limit: budget.bytes_limit,
                entries_limit: budget.entries_limit,
            };
            read_entries(&mut plain, &limits, &mut budget.entries, &location, &mut entries, handle)?;
            // What follows the end-of-archive marker (zero padding) belongs to the diff_id.
            let count = plain.count();
            io::copy(&mut plain, &mut io::sink())
                .map_err(|e| stream_error(&location, count, &e, budget.bytes_limit))?;
            (plain.count(), plain.finish())
        };
        // Anything after the compressed stream still belongs to the blob's digest.
        io::copy(&mut buffered, &mut io::sink())
            .map_err(|e| stream_error(&location, result.0, &e, budget.bytes_limit))?;
        result
    };
    let compressed_bytes = raw.count();
    let raw_digest = raw.finish();
    if let Some(size) = layer.size
        && size != compressed_bytes
    {
        return Err(ImageError::SizeMismatch {
            location,
            what: "layer blob".into(),
            expected: size,
            actual: compressed_bytes,
        });
    }
    let blob_digest = if compression == Compression::None { plain_digest.clone() } else { raw_digest };
    if let (Some(expected), Some(actual)) = (&layer.digest, &blob_digest)
        && expected != actual
    {
        return Err(ImageError::DigestMismatch {
            location,
            what: "layer blob".into(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
    if let (Some(expected), Some(actual)) = (&layer.diff_id, &plain_digest)
        && expected != actual
    {
        return Err(ImageError::DigestMismatch {
            location,
            what: "uncompressed layer (diff_id)".into(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(LayerStats {
        index: layer.index,
        compression,
        compressed_bytes,
        uncompressed_bytes,
        entries,
        media_type_mismatch,
    })
}

fn is_budget(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|e| e.is::<BudgetExhausted>())
}

fn stream_error(location: &str, offset: u64, error: &io::Error, bytes_limit: u64) -> ImageError {
    if is_budget(error) {
        return ImageError::LimitExceeded {
            location: location.to_string(),
            what: "the total uncompressed size of the layers".into(),
            limit: bytes_limit,
        };
    }
    let what = match error.kind() {
        io::ErrorKind::UnexpectedEof => "layer stream truncated",
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => "layer cannot be decompressed",
        _ => "layer cannot be read",
    };
    ImageError::Layer {
        location: location.to_string(),
        message: format!("{what} (at uncompressed offset {offset}): {error}"),
    }
}

struct StreamLimits {
    max_metadata: u64,
    bytes_limit: u64,
    entries_limit: u64,
}

fn read_entries<R: Read>(
    plain: &mut R,
    limits: &StreamLimits,
    entries_left: &mut u64,
    location: &str,
    entries: &mut u64,
    handle: &mut EntryHandler<'_>,
) -> Result<(), ImageError> {
    let mut tar = TarReader::new(Stream(plain), TarLimits { max_metadata: limits.max_metadata });
    loop {
        let header = match tar.next_entry() {
            Ok(Some(header)) => header,
            Ok(None) => return Ok(()),
            Err(e) => {
                if let Some(io) = e.io_source() {
                    return Err(stream_error(location, tar.position(), io, limits.bytes_limit));
                }
                return Err(ImageError::Layer { location: location.to_string(), message: e.to_string() });
            }
        };
        if *entries_left == 0 {
            return Err(ImageError::LimitExceeded {
                location: location.to_string(),
                what: "the number of tar entries".into(),
                limit: limits.entries_limit,
            });
        }
        *entries_left -= 1;
        *entries += 1;
        let mut data = tar.data();
        match handle(&header, &mut data) {
            Ok(()) => {}
            Err(EntryError::Read(error)) => {
                return Err(stream_error(location, tar.position(), &error, limits.bytes_limit));
            }
            Err(EntryError::Stop(error)) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(detect(&[0x1f, 0x8b, 8, 0]), Ok(Compression::Gzip));
        assert_eq!(detect(&[0x28, 0xb5, 0x2f, 0xfd]), Ok(Compression::Zstd));
        assert_eq!(detect(&[0x50, 0x2a, 0x4d, 0x18]), Ok(Compression::Zstd));
        assert_eq!(detect(b"etc/"), Ok(Compression::None));
        assert_eq!(detect(b""), Ok(Compression::None));
        assert!(detect(b"BZh9").is_err());
        assert!(detect(&[0xfd, b'7', b'z', b'X', b'Z', 0]).is_err());
    }

    #[test]
    fn media_types() {
        assert_eq!(
            media_type_compression("application/vnd.oci.image.layer.v1.tar+gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            media_type_compression("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            media_type_compression("application/vnd.oci.image.layer.v1.tar+zstd"),
            Some(Compression::Zstd)
        );
        assert_eq!(media_type_compression("application/vnd.oci.image.layer.v1.tar"), Some(Compression::None));
        assert_eq!(media_type_compression("application/octet-stream"), None);
    }

    #[test]
    fn zstd_multi_frame_and_skippable() {
        let a =
            ruzstd::encoding::compress_to_vec(&b"hello "[..], ruzstd::encoding::CompressionLevel::Fastest);
        let b = ruzstd::encoding::compress_to_vec(&b"world"[..], ruzstd::encoding::CompressionLevel::Fastest);
        let mut data = Vec::new();
        data.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
        data.extend_from_slice(&a);
        data.extend_from_slice(&b);
        let mut out = String::new();
        ZstdReader::new(&data[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello world");
        // A truncated frame is an error, not a short read.
        let cut = &data[..data.len() - 3];
        assert!(ZstdReader::new(cut).read_to_end(&mut Vec::new()).is_err());
    }
}
