//! A small, bounded zip reader (and a writer for fixtures), enough for OSV's `all.zip` exports.
//!
//! The reader walks the central directory one entry at a time and inflates one entry at a
//! time, so memory stays bounded by the largest entry read, never by the archive. It defends
//! against hostile archives:
//!
//! * **Zip bombs**: an entry whose declared size exceeds [`ZipLimits::max_entry_size`], or
//!   that would take the total inflated bytes past [`ZipLimits::max_total_size`], is refused
//!   before inflating; inflation itself stops one byte past the declared size, so a header that
//!   lies cannot make it allocate more. Overlapping entries (the "better zip bomb") are
//!   caught by the total cap. The entry count is capped by [`ZipLimits::max_entries`].
//! * **Path tricks**: names that are absolute, contain `..` components, backslashes, drive
//!   letters or NUL are reported by [`unsafe_name`] (nothing is ever extracted to disk, but the
//!   importer refuses such entries anyway).
//! * **Corruption**: sizes, offsets and the CRC-32 of every inflated entry are checked.
//!
//! Supported: stored and deflated entries, ZIP64 (archives over 4 GiB or 65,535 entries, as
//! Go's and Python's writers produce them), data descriptors. Not supported: encryption,
//! multi-disk archives, other compression methods (such entries are reported, not read).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flate2::Crc;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

/// Caps on what a zip archive may make the reader do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Largest inflated size of one entry (default 64 MiB; OSV records are kilobytes).
    pub max_entry_size: u64,
    /// Largest inflated size of all entries read from one archive (default 8 GiB).
    pub max_total_size: u64,
    /// Most entries in one archive (default 4,000,000).
    pub max_entries: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits { max_entry_size: 64 << 20, max_total_size: 8 << 30, max_entries: 4_000_000 }
    }
}

/// Why a zip archive could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {kind}", path.display(), entry.as_ref().map(|e| format!(" (entry {e:?})")).unwrap_or_default())]
pub struct ZipError {
    /// The archive.
    pub path: PathBuf,
    /// The entry, when the problem is one entry's.
    pub entry: Option<String>,
    /// What is wrong.
    pub kind: ZipErrorKind,
}

/// What is wrong with a zip archive.
#[derive(Debug, thiserror::Error)]
pub enum ZipErrorKind {
    /// Reading the file failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The file is not a zip archive (no end of central directory record).
    #[error("not a zip archive")]
    NotZip,
    /// The archive's structure is broken.
    #[error("malformed zip archive: {0}")]
    Malformed(&'static str),
    /// A size limit was hit: the archive may be a zip bomb.
    #[error("refused: {0}")]
    TooLarge(String),
    /// The entry uses a feature this reader does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An entry's inflated data does not match its header.
    #[error("corrupt entry: {0}")]
    Corrupt(String),
}

/// One entry of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryHeader {
    /// The entry's name as stored (UTF-8, lossily decoded).
    pub name: String,
    /// The compression method (0 stored, 8 deflate).
    pub method: u16,
    /// General purpose flags.
    pub flags: u16,
    /// CRC-32 of the inflated data.
    pub crc32: u32,
    /// Size of the stored data.
    pub compressed_size: u64,
    /// Size of the inflated data, as declared.
    pub uncompressed_size: u64,
    /// Offset of the entry's local header.
    pub local_header_offset: u64,
}

impl EntryHeader {
    /// Whether the entry is a directory (its name ends in `/`).
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// Why an entry name is unsafe to use as a path, or `None` when it is a plain relative path.
pub fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.contains('\0') {
        return Some("NUL in name");
    }
    if name.contains('\\') {
        return Some("backslash in name");
    }
    if name.starts_with('/') {
        return Some("absolute path");
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes.first().is_some_and(u8::is_ascii_alphabetic) && bytes.get(1) == Some(&b':') {
        return Some("drive letter");
    }
    if name.split('/').any(|part| part == "..") {
        return Some("`..` component");
    }
    None
}

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIGNATURE: u32 = 0x0606_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const EOCD_LEN: u64 = 22;
const MAX_COMMENT: u64 = 0xFFFF;

/// Reads a zip archive's entries one at a time.
#[derive(Debug)]
pub struct ZipReader {
    path: PathBuf,
    directory: BufReader<File>,
    data: File,
    file_len: u64,
    central_directory_offset: u64,
    entries: u64,
    next_index: u64,
    inflated_total: u64,
    limits: ZipLimits,
}

fn le16(bytes: &[u8], at: usize) -> u16 {
    let mut buf = [0u8; 2];
    if let Some(slice) = bytes.get(at..at + 2) {
        buf.copy_from_slice(slice);
    }
    u16::from_le_bytes(buf)
}

fn le32(bytes: &[u8], at: usize) -> u32 {
    let mut buf = [0u8; 4];
    if let Some(slice) = bytes.get(at..at + 4) {
        buf.copy_from_slice(slice);
    }
    u32::from_le_bytes(buf)
}

fn le64(bytes: &[u8], at: usize) -> u64 {
    let mut buf = [0u8; 8];
    if let Some(slice) = bytes.get(at..at + 8) {
        buf.copy_from_slice(slice);
    }
    u64::from_le_bytes(buf)
}

fn read_at(file: &mut File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

impl ZipReader {
    /// Opens an archive and reads its end of central directory record.
    pub fn open(path: &Path, limits: ZipLimits) -> Result<ZipReader, ZipError> {
        let error = |kind: ZipErrorKind| ZipError { path: path.to_owned(), entry: None, kind };
        let io_error = |e: io::Error| error(ZipErrorKind::Io(e));
        let mut data = File::open(path).map_err(io_error)?;
        let file_len = data.metadata().map_err(io_error)?.len();
        if file_len < EOCD_LEN {
            return Err(error(ZipErrorKind::NotZip));
        }
        let tail_len = file_len.min(EOCD_LEN + MAX_COMMENT);
        let tail_start = file_len - tail_len;
        let mut tail = vec![0u8; usize::try_from(tail_len).unwrap_or(0)];
        read_at(&mut data, tail_start, &mut tail).map_err(io_error)?;
        let eocd_at = (0..=tail.len().saturating_sub(EOCD_LEN as usize))
            .rev()
            .find(|&at| le32(&tail, at) == EOCD_SIGNATURE)
            .ok_or_else(|| error(ZipErrorKind::NotZip))?;
        let eocd = tail.get(eocd_at..).unwrap_or(&[]);
        let disk = le16(eocd, 4);
        let cd_disk = le16(eocd, 6);
        let mut entries = u64::from(le16(eocd, 10));
        let mut cd_size = u64::from(le32(eocd, 12));
        let mut cd_offset = u64::from(le32(eocd, 16));
        let eocd_offset = tail_start + eocd_at as u64;

        let needs_zip64 = entries == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF;
        let locator_at = eocd_at.checked_sub(20);
        let locator = locator_at.and_then(|at| tail.get(at..at + 20));
        match locator {
            Some(locator) if le32(locator, 0) == ZIP64_LOCATOR_SIGNATURE => {
                let eocd64_offset = le64(locator, 8);
                if eocd64_offset.checked_add(56).is_none_or(|end| end > eocd_offset) {
                    return Err(error(ZipErrorKind::Malformed("ZIP64 end record out of bounds")));
                }
                let mut eocd64 = [0u8; 56];
                read_at(&mut data, eocd64_offset, &mut eocd64).map_err(io_error)?;
                if le32(&eocd64, 0) != ZIP64_EOCD_SIGNATURE {
                    return Err(error(ZipErrorKind::Malformed("bad ZIP64 end record signature")));
                }
                entries = le64(&eocd64, 32);
                cd_size = le64(&eocd64, 40);
                cd_offset = le64(&eocd64, 48);
            }
            _ if needs_zip64 => {
                return Err(error(ZipErrorKind::Malformed("ZIP64 sizes without a ZIP64 locator")));
            }
            _ => {}
        }
        if disk != 0 || cd_disk != 0 {
            return Err(error(ZipErrorKind::Unsupported("multi-disk archive".into())));
        }
        if cd_offset.checked_add(cd_size).is_none_or(|end| end > eocd_offset) {
            return Err(error(ZipErrorKind::Malformed("central directory out of bounds")));
        }
        if entries > limits.max_entries {
            return Err(error(ZipErrorKind::TooLarge(format!(
                "{entries} entries, more than the limit of {}",
                limits.max_entries
            ))));
        }
        // Each central directory entry takes at least 46 bytes.
        if entries.saturating_mul(46) > cd_size {
            return Err(error(ZipErrorKind::Malformed("entry count larger than the central directory")));
        }
        let mut directory_file = File::open(path).map_err(io_error)?;
        directory_file.seek(SeekFrom::Start(cd_offset)).map_err(io_error)?;
        Ok(ZipReader {
            path: path.to_owned(),
            directory: BufReader::with_capacity(64 * 1024, directory_file),
            data,
            file_len,
            central_directory_offset: cd_offset,
            entries,
            next_index: 0,
            inflated_total: 0,
            limits,
        })
    }

    /// The number of entries the archive declares.
    pub fn len(&self) -> u64 {
        self.entries
    }

    /// Whether the archive has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    fn error(&self, entry: Option<&str>, kind: ZipErrorKind) -> ZipError {
        ZipError { path: self.path.clone(), entry: entry.map(str::to_owned), kind }
    }

    /// The next entry of the central directory, or `None` after the last one.
    pub fn next_entry(&mut self) -> Result<Option<EntryHeader>, ZipError> {
        if self.next_index >= self.entries {
            return Ok(None);
        }
        self.next_index += 1;
        let mut fixed = [0u8; 46];
        self.directory.read_exact(&mut fixed).map_err(|e| self.error(None, e.into()))?;
        if le32(&fixed, 0) != CENTRAL_SIGNATURE {
            return Err(self.error(None, ZipErrorKind::Malformed("bad central directory entry signature")));
        }
        let name_len = usize::from(le16(&fixed, 28));
        let extra_len = usize::from(le16(&fixed, 30));
        let comment_len = usize::from(le16(&fixed, 32));
        let mut variable = vec![0u8; name_len + extra_len + comment_len];
        self.directory.read_exact(&mut variable).map_err(|e| self.error(None, e.into()))?;
        let name = String::from_utf8_lossy(variable.get(..name_len).unwrap_or(&[])).into_owned();
        let extra = variable.get(name_len..name_len + extra_len).unwrap_or(&[]);

        let mut header = EntryHeader {
            name,
            method: le16(&fixed, 10),
            flags: le16(&fixed, 8),
            crc32: le32(&fixed, 16),
            compressed_size: u64::from(le32(&fixed, 20)),
            uncompressed_size: u64::from(le32(&fixed, 24)),
            local_header_offset: u64::from(le32(&fixed, 42)),
        };
        let disk_start = le16(&fixed, 34);
        // ZIP64 extended information: only the fields that are 0xFFFFFFFF in the fixed part
        // appear, in this order.
        let needs = [
            header.uncompressed_size == 0xFFFF_FFFF,
            header.compressed_size == 0xFFFF_FFFF,
            header.local_header_offset == 0xFFFF_FFFF,
        ];
        if needs.iter().any(|n| *n) {
            let mut found = false;
            let mut at = 0usize;
            while at + 4 <= extra.len() {
                let id = le16(extra, at);
                let len = usize::from(le16(extra, at + 2));
                let body = extra.get(at + 4..at + 4 + len).unwrap_or(&[]);
                if id == 0x0001 {
                    found = true;
                    let mut pos = 0usize;
                    let mut take = |present: bool| -> Option<u64> {
                        if !present {
                            return None;
                        }
                        let value = body.get(pos..pos + 8).map(|_| le64(body, pos));
                        pos += 8;
                        value
                    };
                    let sizes = needs.map(&mut take);
                    match sizes {
                        [None, _, _] if needs[0] => found = false,
                        [_, None, _] if needs[1] => found = false,
                        [_, _, None] if needs[2] => found = false,
                        _ => {}
                    }
                    if let Some(size) = sizes[0] {
                        header.uncompressed_size = size;
                    }
                    if let Some(size) = sizes[1] {
                        header.compressed_size = size;
                    }
                    if let Some(offset) = sizes[2] {
                        header.local_header_offset = offset;
                    }
                    break;
                }
                at += 4 + len;
            }
            if !found {
                return Err(self.error(
                    Some(&header.name),
                    ZipErrorKind::Malformed("ZIP64 sizes without a ZIP64 extra field"),
                ));
            }
        }
        if disk_start != 0 && disk_start != 0xFFFF {
            return Err(
                self.error(Some(&header.name), ZipErrorKind::Unsupported("multi-disk archive".into()))
            );
        }
        Ok(Some(header))
    }

    /// Reads and inflates an entry into `buf` (replacing its content), enforcing the limits and
    /// checking the CRC-32.
    pub fn read_entry(&mut self, header: &EntryHeader, buf: &mut Vec<u8>) -> Result<(), ZipError> {
        let name = Some(header.name.as_str());
        buf.clear();
        if header.flags & 1 != 0 {
            return Err(self.error(name, ZipErrorKind::Unsupported("encrypted entry".into())));
        }
        if header.method != 0 && header.method != 8 {
            return Err(
                self.error(name, ZipErrorKind::Unsupported(format!("compression method {}", header.method)))
            );
        }
        if header.uncompressed_size > self.limits.max_entry_size {
            return Err(self.error(
                name,
                ZipErrorKind::TooLarge(format!(
                    "entry inflates to {} bytes, more than the limit of {}",
                    header.uncompressed_size, self.limits.max_entry_size
                )),
            ));
        }
        let total = self.inflated_total.saturating_add(header.uncompressed_size);
        if total > self.limits.max_total_size {
            return Err(self.error(
                name,
                ZipErrorKind::TooLarge(format!(
                    "the archive inflates to more than the limit of {} bytes",
                    self.limits.max_total_size
                )),
            ));
        }
        if header.method == 0 && header.compressed_size != header.uncompressed_size {
            return Err(self.error(name, ZipErrorKind::Corrupt("stored entry with two sizes".into())));
        }
        let local_end = header.local_header_offset.checked_add(30);
        if local_end.is_none_or(|end| end > self.central_directory_offset) {
            return Err(self.error(name, ZipErrorKind::Malformed("local header out of bounds")));
        }
        let mut local = [0u8; 30];
        read_at(&mut self.data, header.local_header_offset, &mut local)
            .map_err(|e| self.error(name, e.into()))?;
        if le32(&local, 0) != LOCAL_SIGNATURE {
            return Err(self.error(name, ZipErrorKind::Malformed("bad local header signature")));
        }
        let data_start =
            header.local_header_offset + 30 + u64::from(le16(&local, 26)) + u64::from(le16(&local, 28));
        if data_start.checked_add(header.compressed_size).is_none_or(|end| end > self.file_len) {
            return Err(self.error(name, ZipErrorKind::Malformed("entry data out of bounds")));
        }
        self.data.seek(SeekFrom::Start(data_start)).map_err(|e| self.error(name, e.into()))?;
        let stored = (&mut self.data).take(header.compressed_size);
        // One byte past the declared size: enough to notice a lie, never more.
        let cap = header.uncompressed_size + 1;
        let read = if header.method == 0 {
            stored.take(cap).read_to_end(buf)
        } else {
            DeflateDecoder::new(stored).take(cap).read_to_end(buf)
        };
        read.map_err(|e| self.error(name, ZipErrorKind::Corrupt(format!("cannot inflate: {e}"))))?;
        if buf.len() as u64 != header.uncompressed_size {
            return Err(self.error(
                name,
                ZipErrorKind::Corrupt(format!(
                    "inflated to {}{} bytes, the header says {}",
                    buf.len().min(usize::try_from(header.uncompressed_size).unwrap_or(usize::MAX)),
                    if buf.len() as u64 > header.uncompressed_size { "+" } else { "" },
                    header.uncompressed_size
                )),
            ));
        }
        let mut crc = Crc::new();
        crc.update(buf);
        if crc.sum() != header.crc32 {
            return Err(self.error(name, ZipErrorKind::Corrupt("CRC-32 mismatch".into())));
        }
        self.inflated_total = total;
        Ok(())
    }
}

/// Writes zip archives (deflated entries, optionally with ZIP64 records): for test fixtures,
/// benchmarks and mirrors. Not used when importing.
#[derive(Debug)]
pub struct ZipWriter<W: Write> {
    out: W,
    offset: u64,
    central: Vec<u8>,
    entries: u64,
    force_zip64: bool,
}

impl ZipWriter<BufWriter<File>> {
    /// Creates the archive file at `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        Ok(ZipWriter::new(BufWriter::new(File::create(path)?)))
    }
}

impl<W: Write> ZipWriter<W> {
    /// A writer onto `out`.
    pub fn new(out: W) -> Self {
        ZipWriter { out, offset: 0, central: Vec::new(), entries: 0, force_zip64: false }
    }

    /// Writes ZIP64 records and extra fields even when the archive does not need them.
    pub fn force_zip64(mut self, on: bool) -> Self {
        self.force_zip64 = on;
        self
    }

    /// Adds an entry, deflated when `deflate` is set, else stored.
    pub fn add(&mut self, name: &str, data: &[u8], deflate: bool) -> io::Result<()> {
        let mut crc = Crc::new();
        crc.update(data);
        let stored;
        let body: &[u8] = if deflate {
            let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(data)?;
            stored = encoder.finish()?;
            &stored
        } else {
            data
        };
        let zip64 = self.force_zip64;
        let method: u16 = if deflate { 8 } else { 0 };
        let name_len = u16::try_from(name.len()).map_err(|_| io::Error::other("entry name too long"))?;
        let small = |v: u64| if zip64 { 0xFFFF_FFFF } else { u32::try_from(v).unwrap_or(0xFFFF_FFFF) };
        let local_offset = self.offset;

        let mut local = Vec::with_capacity(30 + name.len());
        local.extend_from_slice(&LOCAL_SIGNATURE.to_le_bytes());
        local.extend_from_slice(&(if zip64 { 45u16 } else { 20u16 }).to_le_bytes());
        local.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
        local.extend_from_slice(&method.to_le_bytes());
        local.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        local.extend_from_slice(&crc.sum().to_le_bytes());
        let local_extra = if zip64 {
            let mut extra = vec![1, 0, 16, 0];
            extra.extend_from_slice(&(data.len() as u64).to_le_bytes());
            extra.extend_from_slice(&(body.len() as u64).to_le_bytes());
            extra
        } else {
            Vec::new()
        };
        local.extend_from_slice(&small(body.len() as u64).to_le_bytes());
        local.extend_from_slice(&small(data.len() as u64).to_le_bytes());
        local.extend_from_slice(&name_len.to_le_bytes());
        local.extend_from_slice(&(local_extra.len() as u16).to_le_bytes());
        local.extend_from_slice(name.as_bytes());
        local.extend_from_slice(&local_extra);
        self.out.write_all(&local)?;
        self.out.write_all(body)?;
        self.offset += (local.len() + body.len()) as u64;

        let central_extra = if zip64 {
            let mut extra = vec![1, 0, 24, 0];
            extra.extend_from_slice(&(data.len() as u64).to_le_bytes());
            extra.extend_from_slice(&(body.len() as u64).to_le_bytes());
            extra.extend_from_slice(&local_offset.to_le_bytes());
            extra
        } else {
            Vec::new()
        };
        let c = &mut self.central;
        c.extend_from_slice(&CENTRAL_SIGNATURE.to_le_bytes());
        c.extend_from_slice(&(if zip64 { 45u16 } else { 20u16 }).to_le_bytes());
        c.extend_from_slice(&(if zip64 { 45u16 } else { 20u16 }).to_le_bytes());
        c.extend_from_slice(&0x0800u16.to_le_bytes());
        c.extend_from_slice(&method.to_le_bytes());
        c.extend_from_slice(&[0, 0, 0x21, 0]);
        c.extend_from_slice(&crc.sum().to_le_bytes());
        c.extend_from_slice(&small(body.len() as u64).to_le_bytes());
        c.extend_from_slice(&small(data.len() as u64).to_le_bytes());
        c.extend_from_slice(&name_len.to_le_bytes());
        c.extend_from_slice(&(central_extra.len() as u16).to_le_bytes());
        c.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // comment length, disk, internal attributes
        c.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        c.extend_from_slice(&small(local_offset).to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        c.extend_from_slice(&central_extra);
        self.entries += 1;
        Ok(())
    }

    /// Writes the central directory and end records; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        let cd_offset = self.offset;
        let cd_size = self.central.len() as u64;
        self.out.write_all(&self.central)?;
        let zip64 = self.force_zip64 || self.entries >= 0xFFFF || cd_offset >= 0xFFFF_FFFF;
        if zip64 {
            let eocd64_offset = cd_offset + cd_size;
            let mut record = Vec::with_capacity(76);
            record.extend_from_slice(&ZIP64_EOCD_SIGNATURE.to_le_bytes());
            record.extend_from_slice(&44u64.to_le_bytes());
            record.extend_from_slice(&45u16.to_le_bytes());
            record.extend_from_slice(&45u16.to_le_bytes());
            record.extend_from_slice(&[0; 8]); // disk numbers
            record.extend_from_slice(&self.entries.to_le_bytes());
            record.extend_from_slice(&self.entries.to_le_bytes());
            record.extend_from_slice(&cd_size.to_le_bytes());
            record.extend_from_slice(&cd_offset.to_le_bytes());
            record.extend_from_slice(&ZIP64_LOCATOR_SIGNATURE.to_le_bytes());
            record.extend_from_slice(&0u32.to_le_bytes());
            record.extend_from_slice(&eocd64_offset.to_le_bytes());
            record.extend_from_slice(&1u32.to_le_bytes());
            self.out.write_all(&record)?;
        }
        let count = if zip64 { 0xFFFF } else { u16::try_from(self.entries).unwrap_or(0xFFFF) };
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&EOCD_SIGNATURE.to_le_bytes());
        end.extend_from_slice(&[0; 4]);
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&(if zip64 { 0xFFFF_FFFF } else { cd_size as u32 }).to_le_bytes());
        end.extend_from_slice(&(if zip64 { 0xFFFF_FFFF } else { cd_offset as u32 }).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, build: impl FnOnce(&mut ZipWriter<BufWriter<File>>)) -> PathBuf {
        let path = dir.join(name);
        let mut writer = ZipWriter::create(&path).unwrap();
        build(&mut writer);
        writer.finish().unwrap();
        path
    }

    fn read_all(path: &Path, limits: ZipLimits) -> Result<Vec<(String, Vec<u8>)>, ZipError> {
        let mut reader = ZipReader::open(path, limits)?;
        let mut out = Vec::new();
        while let Some(header) = reader.next_entry()? {
            let mut buf = Vec::new();
            reader.read_entry(&header, &mut buf)?;
            out.push((header.name, buf));
        }
        Ok(out)
    }

    #[test]
    fn round_trip_stored_deflated_and_zip64() {
        let dir = tempfile::tempdir().unwrap();
        for zip64 in [false, true] {
            let path = dir.path().join(format!("a{zip64}.zip"));
            let mut writer = ZipWriter::create(&path).unwrap().force_zip64(zip64);
            writer.add("a.json", b"{\"id\":\"A\"}", true).unwrap();
            writer.add("dir/b.json", b"stored", false).unwrap();
            writer.add("empty.json", b"", true).unwrap();
            writer.finish().unwrap();
            let entries = read_all(&path, ZipLimits::default()).unwrap();
            assert_eq!(
                entries,
                vec![
                    ("a.json".to_owned(), b"{\"id\":\"A\"}".to_vec()),
                    ("dir/b.json".to_owned(), b"stored".to_vec()),
                    ("empty.json".to_owned(), Vec::new()),
                ],
                "zip64 {zip64}"
            );
        }
    }

    #[test]
    fn limits_refuse_bombs() {
        let dir = tempfile::tempdir().unwrap();
        let zeros = vec![0u8; 1 << 20];
        let path = write(dir.path(), "bomb.zip", |w| {
            for i in 0..4 {
                w.add(&format!("{i}.json"), &zeros, true).unwrap();
            }
        });
        assert!(std::fs::metadata(&path).unwrap().len() < 20_000, "highly compressible");
        let per_entry = ZipLimits { max_entry_size: 1000, ..ZipLimits::default() };
        let error = read_all(&path, per_entry).unwrap_err();
        assert!(matches!(error.kind, ZipErrorKind::TooLarge(_)), "{error}");
        assert_eq!(error.entry.as_deref(), Some("0.json"));
        let total = ZipLimits { max_total_size: 3 << 20, ..ZipLimits::default() };
        let error = read_all(&path, total).unwrap_err();
        assert_eq!(error.entry.as_deref(), Some("3.json"), "{error}");
        let entries = ZipLimits { max_entries: 3, ..ZipLimits::default() };
        assert!(matches!(read_all(&path, entries).unwrap_err().kind, ZipErrorKind::TooLarge(_)));
    }

    #[test]
    fn a_header_that_understates_the_size_is_caught_without_inflating_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "liar.zip", |w| w.add("x.json", &vec![b'a'; 100_000], true).unwrap());
        let mut bytes = std::fs::read(&path).unwrap();
        // Patch the central directory's uncompressed size (offset 24 in the entry) to 10.
        let cd = bytes.windows(4).rposition(|w| w == CENTRAL_SIGNATURE.to_le_bytes()).unwrap();
        bytes[cd + 24..cd + 28].copy_from_slice(&10u32.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let mut reader = ZipReader::open(&path, ZipLimits::default()).unwrap();
        let header = reader.next_entry().unwrap().unwrap();
        let mut buf = Vec::new();
        let error = reader.read_entry(&header, &mut buf).unwrap_err();
        assert!(matches!(error.kind, ZipErrorKind::Corrupt(_)), "{error}");
        assert!(buf.len() <= 11, "stopped one byte past the declared size");
    }

    #[test]
    fn corruption_is_reported_not_panicked_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "ok.zip", |w| w.add("x.json", b"{\"id\":\"X\"}", false).unwrap());
        let good = std::fs::read(&path).unwrap();
        // Flip a data byte: CRC mismatch.
        let mut bad = good.clone();
        bad[30 + 6] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        let error = read_all(&path, ZipLimits::default()).unwrap_err();
        assert!(error.to_string().contains("CRC-32"), "{error}");
        // Every truncation and every single-byte change is an error or a result, never a panic.
        for cut in 0..good.len() {
            std::fs::write(&path, &good[..cut]).unwrap();
            assert!(read_all(&path, ZipLimits::default()).is_err(), "cut at {cut}");
        }
        for at in 0..good.len() {
            let mut changed = good.clone();
            changed[at] = changed[at].wrapping_add(0x55);
            std::fs::write(&path, &changed).unwrap();
            let _ = read_all(&path, ZipLimits::default());
        }
        std::fs::write(&path, b"not a zip at all, just text that is long enough").unwrap();
        assert!(matches!(read_all(&path, ZipLimits::default()).unwrap_err().kind, ZipErrorKind::NotZip));
    }

    #[test]
    fn unsafe_names() {
        for name in ["/etc/passwd", "../x.json", "a/../../x", "a\\b.json", "C:x.json", "", "a\0b"] {
            assert!(unsafe_name(name).is_some(), "{name:?}");
        }
        for name in ["GHSA-1.json", "a/b/c.json", "a..b.json", "..json"] {
            assert_eq!(unsafe_name(name), None, "{name:?}");
        }
    }
}
