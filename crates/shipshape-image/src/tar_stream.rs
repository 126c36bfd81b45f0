//! A tar reader for image archives and layers: ustar, GNU (long names, base-256 numbers) and PAX
//! (`path`, `linkpath`, `size`, `uid`, `gid`, `mtime`, `SCHILY.xattr.security.capability`).
//!
//! It reads the stream once, front to back, and never holds an entry's data: the caller reads
//! what it wants of the current entry through [`TarReader::data`] and the rest is skipped (by
//! seeking when the input can, see [`Input`]). Metadata records (GNU long names, PAX headers) are
//! bounded by [`TarLimits::max_metadata`], so a hostile archive cannot make a header allocate
//! more than that. Header-only entry types (links, directories, devices, FIFOs) carry no data
//! whatever their size field says, as Go's `archive/tar` (and so Docker and containerd) reads
//! them.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};

const BLOCK: u64 = 512;

/// Where a byte source can skip forward cheaply.
pub(crate) trait Input: Read {
    /// Skips `n` bytes; returns how many were skipped (fewer only at the end of the input).
    fn skip(&mut self, n: u64) -> io::Result<u64>;
}

/// Skipping by reading and discarding: for decompressed streams.
pub(crate) struct Stream<R>(pub(crate) R);

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Input for Stream<R> {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        io::copy(&mut (&mut self.0).take(n), &mut io::sink())
    }
}

/// Skipping by seeking: for archives on disk. `len` is the file's length, so a skip past the end
/// reports how far it really got.
pub(crate) struct Seekable<R> {
    pub(crate) inner: R,
    pub(crate) pos: u64,
    pub(crate) len: u64,
}

impl<R: Read> Read for Seekable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Input for Seekable<R> {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let target = self.pos.saturating_add(n).min(self.len);
        let delta = target - self.pos;
        let delta_i64 = i64::try_from(delta).map_err(io::Error::other)?;
        self.inner.seek(SeekFrom::Current(delta_i64))?;
        self.pos = target;
        Ok(delta)
    }
}

/// What kind of entry a header describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TarKind {
    Regular,
    HardLink,
    Symlink,
    CharDevice,
    BlockDevice,
    Directory,
    Fifo,
    /// A type this reader does not interpret (GNU sparse `S`, volume label `V`, dump dir `D`,
    /// vendor types); its data is skipped.
    Other(u8),
}

impl TarKind {
    fn from_flag(flag: u8) -> TarKind {
        match flag {
            b'0' | 0 | b'7' => TarKind::Regular,
            b'1' => TarKind::HardLink,
            b'2' => TarKind::Symlink,
            b'3' => TarKind::CharDevice,
            b'4' => TarKind::BlockDevice,
            b'5' => TarKind::Directory,
            b'6' => TarKind::Fifo,
            other => TarKind::Other(other),
        }
    }

    /// Types whose data size is zero whatever the header says.
    fn header_only(self) -> bool {
        matches!(
            self,
            TarKind::HardLink
                | TarKind::Symlink
                | TarKind::CharDevice
                | TarKind::BlockDevice
                | TarKind::Directory
                | TarKind::Fifo
        )
    }
}

/// One entry's metadata, after GNU and PAX records were applied.
#[derive(Debug, Clone)]
pub(crate) struct TarHeader {
    /// The path as stored (bytes; normally relative, but hostile archives have anything).
    pub(crate) path: Vec<u8>,
    /// Link target of hard and symbolic links.
    pub(crate) link: Option<Vec<u8>>,
    pub(crate) kind: TarKind,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    /// Data bytes that follow the header (0 for header-only types).
    pub(crate) size: u64,
    pub(crate) mtime: i64,
    /// Offset of the entry's data in the tar stream.
    pub(crate) data_offset: u64,
    /// The entry carries a `security.capability` extended attribute (file capabilities).
    pub(crate) capabilities: bool,
    /// PAX GNU sparse keys were present: the data is a sparse map this reader does not expand.
    pub(crate) sparse: bool,
}

/// Bounds for hostile archives.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TarLimits {
    /// Largest GNU long name / long link or PAX record set, in bytes.
    pub(crate) max_metadata: u64,
}

/// A damaged or hostile tar stream, with the offset where it was noticed.
#[derive(Debug)]
pub(crate) enum TarError {
    Io { offset: u64, source: io::Error },
    Truncated { offset: u64, what: &'static str },
    Checksum { offset: u64 },
    Field { offset: u64, field: &'static str },
    MetadataTooLarge { offset: u64, size: u64, limit: u64 },
}

impl TarError {
    /// The underlying I/O error, when the failure came from the reader (decompression errors
    /// and limit errors of wrapping readers surface this way).
    pub(crate) fn io_source(&self) -> Option<&io::Error> {
        match self {
            TarError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl fmt::Display for TarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TarError::Io { offset, source } => write!(f, "read error at tar offset {offset}: {source}"),
            TarError::Truncated { offset, what } => {
                write!(f, "tar stream truncated at offset {offset} (in {what})")
            }
            TarError::Checksum { offset } => write!(f, "tar header at offset {offset} has a bad checksum"),
            TarError::Field { offset, field } => {
                write!(f, "tar header at offset {offset} has an invalid {field} field")
            }
            TarError::MetadataTooLarge { offset, size, limit } => {
                write!(f, "tar metadata record at offset {offset} is {size} bytes, over the limit of {limit}")
            }
        }
    }
}

/// Reads tar entries from an [`Input`].
pub(crate) struct TarReader<R> {
    inner: R,
    /// Offset in the stream of the next unread byte.
    pos: u64,
    /// Data bytes of the current entry not yet read.
    remaining: u64,
    /// Padding after the current entry's data.
    padding: u64,
    limits: TarLimits,
    done: bool,
}

#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    mtime: Option<i64>,
    capabilities: bool,
    sparse: bool,
}

impl<R: Input> TarReader<R> {
    pub(crate) fn new(inner: R, limits: TarLimits) -> Self {
        Self { inner, pos: 0, remaining: 0, padding: 0, limits, done: false }
    }

    /// Offset of the next unread byte of the stream.
    pub(crate) fn position(&self) -> u64 {
        self.pos
    }

    /// The data of the current entry (what is left of it).
    pub(crate) fn data(&mut self) -> EntryData<'_, R> {
        EntryData { reader: self }
    }

    fn io_error(&self, source: io::Error) -> TarError {
        TarError::Io { offset: self.pos, source }
    }

    fn skip_exact(&mut self, n: u64, what: &'static str) -> Result<(), TarError> {
        let skipped = self.inner.skip(n).map_err(|e| self.io_error(e))?;
        self.pos += skipped;
        if skipped < n {
            return Err(TarError::Truncated { offset: self.pos, what });
        }
        Ok(())
    }

    /// Reads a full 512-byte block; `Ok(false)` at a clean end of input.
    fn read_block(&mut self, block: &mut [u8; 512]) -> Result<bool, TarError> {
        let mut filled = 0;
        while filled < block.len() {
            let Some(rest) = block.get_mut(filled..) else { break };
            match self.inner.read(rest) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
        self.pos += filled as u64;
        match filled {
            0 => Ok(false),
            512 => Ok(true),
            _ => Err(TarError::Truncated { offset: self.pos, what: "a header" }),
        }
    }

    fn read_metadata(&mut self, size: u64) -> Result<Vec<u8>, TarError> {
        if size > self.limits.max_metadata {
            return Err(TarError::MetadataTooLarge {
                offset: self.pos,
                size,
                limit: self.limits.max_metadata,
            });
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let got = (&mut self.inner).take(size).read_to_end(&mut data).map_err(|e| self.io_error(e))?;
        self.pos += got as u64;
        if (got as u64) < size {
            return Err(TarError::Truncated { offset: self.pos, what: "a metadata record" });
        }
        self.skip_exact(pad(size), "padding")?;
        Ok(data)
    }

    /// The next entry, or `None` at the end-of-archive marker or a clean end of input.
    pub(crate) fn next_entry(&mut self) -> Result<Option<TarHeader>, TarError> {
        if self.done {
            return Ok(None);
        }
        let skip = self.remaining + self.padding;
        self.remaining = 0;
        self.padding = 0;
        self.skip_exact(skip, "entry data")?;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut pax = Pax::default();
        let mut block = [0u8; 512];
        loop {
            let header_offset = self.pos;
            if !self.read_block(&mut block)? {
                self.done = true;
                return Ok(None);
            }
            if block.iter().all(|&b| b == 0) {
                self.done = true;
                return Ok(None);
            }
            check_checksum(&block).ok_or(TarError::Checksum { offset: header_offset })?;
            let flag = block[156];
            let field_error = |field| TarError::Field { offset: header_offset, field };
            let size = number(&block[124..136]).ok_or_else(|| field_error("size"))?;
            match flag {
                b'L' => {
                    long_name = Some(trim_nul(self.read_metadata(size)?));
                    continue;
                }
                b'K' => {
                    long_link = Some(trim_nul(self.read_metadata(size)?));
                    continue;
                }
                b'x' | b'X' => {
                    let data = self.read_metadata(size)?;
                    pax = parse_pax(&data).ok_or_else(|| field_error("PAX record"))?;
                    continue;
                }
                b'g' => {
                    // Global PAX headers set defaults no image producer relies on; skip them.
                    self.read_metadata(size)?;
                    continue;
                }
                _ => {}
            }
            let kind = TarKind::from_flag(flag);
            let ustar = &block[257..263] == b"ustar\0";
            let mut path = field_bytes(&block[0..100]).to_vec();
            if ustar {
                let prefix = field_bytes(&block[345..500]);
                if !prefix.is_empty() {
                    let mut joined = prefix.to_vec();
                    joined.push(b'/');
                    joined.extend_from_slice(&path);
                    path = joined;
                }
            }
            let path = pax.path.take().or(long_name).unwrap_or(path);
            let link = match kind {
                TarKind::HardLink | TarKind::Symlink => Some(
                    pax.link.take().or(long_link).unwrap_or_else(|| field_bytes(&block[157..257]).to_vec()),
                ),
                _ => None,
            };
            let mode = number(&block[100..108]).ok_or_else(|| field_error("mode"))?;
            let uid = match pax.uid {
                Some(uid) => uid,
                None => number(&block[108..116]).ok_or_else(|| field_error("uid"))?,
            };
            let gid = match pax.gid {
                Some(gid) => gid,
                None => number(&block[116..124]).ok_or_else(|| field_error("gid"))?,
            };
            let mtime = match pax.mtime {
                Some(mtime) => mtime,
                None => number(&block[136..148]).map_or(0, |m| i64::try_from(m).unwrap_or(i64::MAX)),
            };
            let declared = pax.size.unwrap_or(size);
            let size = if kind.header_only() { 0 } else { declared };
            self.remaining = size;
            self.padding = pad(size);
            return Ok(Some(TarHeader {
                path,
                link,
                kind,
                mode: u32::try_from(mode & 0o7777_7777).unwrap_or(0),
                uid,
                gid,
                size,
                mtime,
                data_offset: self.pos,
                capabilities: pax.capabilities,
                sparse: pax.sparse || flag == b'S',
            }));
        }
    }
}

/// The data of the current entry; reads stop at its end.
pub(crate) struct EntryData<'a, R> {
    reader: &'a mut TarReader<R>,
}

impl<R: Input> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = &mut *self.reader;
        if r.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = usize::try_from(r.remaining).map_or(buf.len(), |rem| rem.min(buf.len()));
        let Some(slice) = buf.get_mut(..want) else { return Ok(0) };
        let n = r.inner.read(slice)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("tar stream truncated at offset {} (in entry data)", r.pos),
            ));
        }
        r.pos += n as u64;
        r.remaining -= n as u64;
        Ok(n)
    }
}

fn pad(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

fn trim_nul(mut data: Vec<u8>) -> Vec<u8> {
    while data.last() == Some(&0) {
        data.pop();
    }
    data
}

/// A NUL-terminated header field.
fn field_bytes(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    field.get(..end).unwrap_or_default()
}

/// A numeric field: octal text (NUL or space terminated, leading spaces allowed) or GNU base-256
/// (high bit of the first byte set). Negative base-256 values are rejected.
fn number(field: &[u8]) -> Option<u64> {
    let first = *field.first()?;
    if first & 0x80 != 0 {
        if first == 0xff {
            return None;
        }
        let mut value = u64::from(first & 0x7f);
        for &b in field.get(1..)? {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(value);
    }
    let text = field_bytes(field);
    let digits: Vec<u8> =
        text.iter().copied().skip_while(|&b| b == b' ').take_while(|&b| b != b' ').collect();
    if digits.is_empty() {
        return Some(0);
    }
    let mut value: u64 = 0;
    for b in digits {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}

/// Checks the header checksum (unsigned sum, or the signed sum some old tars wrote).
fn check_checksum(block: &[u8; 512]) -> Option<()> {
    let stored = number(&block[148..156])?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    (stored == unsigned || i64::try_from(stored).ok() == Some(signed)).then_some(())
}

/// PAX records: `<len> <key>=<value>\n`, `len` counting the whole record.
fn parse_pax(data: &[u8]) -> Option<Pax> {
    let mut pax = Pax::default();
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(rest.get(..space)?).ok()?.parse().ok()?;
        let record = rest.get(..len)?;
        rest = rest.get(len..)?;
        let body = record.get(space + 1..)?.strip_suffix(b"\n")?;
        let eq = body.iter().position(|&b| b == b'=')?;
        let key = body.get(..eq)?;
        let value = body.get(eq + 1..)?;
        let text = || std::str::from_utf8(value).ok();
        match key {
            b"path" => pax.path = Some(value.to_vec()),
            b"linkpath" => pax.link = Some(value.to_vec()),
            b"size" => pax.size = Some(text()?.parse().ok()?),
            b"uid" => pax.uid = Some(text()?.parse().ok()?),
            b"gid" => pax.gid = Some(text()?.parse().ok()?),
            b"mtime" => {
                let whole = text()?.split('.').next()?;
                pax.mtime = whole.parse().ok();
            }
            b"SCHILY.xattr.security.capability" => pax.capabilities = true,
            k if k.starts_with(b"GNU.sparse.") => pax.sparse = true,
            _ => {}
        }
    }
    Some(pax)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> TarLimits {
        TarLimits { max_metadata: 1 << 20 }
    }

    fn entries(data: &[u8]) -> Result<Vec<(TarHeader, Vec<u8>)>, TarError> {
        let mut reader = TarReader::new(Stream(data), limits());
        let mut out = Vec::new();
        while let Some(header) = reader.next_entry()? {
            let mut content = Vec::new();
            reader.data().read_to_end(&mut content).map_err(|e| TarError::Io { offset: 0, source: e })?;
            out.push((header, content));
        }
        Ok(out)
    }

    fn builder_tar(f: impl FnOnce(&mut ::tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut b = ::tar::Builder::new(Vec::new());
        f(&mut b);
        b.into_inner().unwrap()
    }

    #[test]
    fn reads_ustar_gnu_and_pax() {
        let long = format!("{}/file.txt", "d".repeat(200));
        let data = builder_tar(|b| {
            let mut h = ::tar::Header::new_gnu();
            h.set_size(5);
            h.set_mode(0o4755);
            h.set_uid(1000);
            h.set_gid(50);
            b.append_data(&mut h, &long, &b"hello"[..]).unwrap();
            let mut h = ::tar::Header::new_ustar();
            h.set_entry_type(::tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, "bin/sh", "/bin/busybox").unwrap();
            let mut h = ::tar::Header::new_ustar();
            h.set_entry_type(::tar::EntryType::Directory);
            h.set_size(0);
            b.append_data(&mut h, "etc/", io::empty()).unwrap();
            b.append_pax_extensions([("SCHILY.xattr.security.capability", &b"\x01\x00"[..])]).unwrap();
            let mut h = ::tar::Header::new_ustar();
            h.set_size(2);
            b.append_data(&mut h, "usr/bin/ping", &b"ok"[..]).unwrap();
        });
        let got = entries(&data).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].0.path, long.as_bytes());
        assert_eq!(got[0].1, b"hello");
        assert_eq!((got[0].0.mode, got[0].0.uid, got[0].0.gid), (0o4755, 1000, 50));
        assert_eq!(got[1].0.kind, TarKind::Symlink);
        assert_eq!(got[1].0.link.as_deref(), Some(&b"/bin/busybox"[..]));
        assert_eq!(got[2].0.kind, TarKind::Directory);
        assert!(got[3].0.capabilities);
        assert_eq!(got[3].1, b"ok");
    }

    #[test]
    fn truncated_data_is_an_error() {
        let data = builder_tar(|b| {
            let mut h = ::tar::Header::new_ustar();
            h.set_size(4000);
            b.append_data(&mut h, "big", &vec![7u8; 4000][..]).unwrap();
        });
        let cut = &data[..1500];
        let mut reader = TarReader::new(Stream(cut), limits());
        assert!(reader.next_entry().unwrap().is_some());
        let err = reader.data().read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        // Skipping instead of reading notices it too.
        let mut reader = TarReader::new(Stream(cut), limits());
        reader.next_entry().unwrap();
        assert!(matches!(reader.next_entry(), Err(TarError::Truncated { .. })));
        // A cut inside a header.
        assert!(matches!(entries(&data[..100]), Err(TarError::Truncated { .. })));
    }

    #[test]
    fn bad_checksum_and_huge_metadata() {
        let mut data = builder_tar(|b| {
            let mut h = ::tar::Header::new_ustar();
            h.set_size(0);
            b.append_data(&mut h, "a", io::empty()).unwrap();
        });
        data[0] = b'b';
        assert!(matches!(entries(&data), Err(TarError::Checksum { offset: 0 })));
        // A GNU long name that claims 1 TiB.
        let mut h = ::tar::Header::new_gnu();
        h.set_entry_type(::tar::EntryType::GNULongName);
        h.set_size(1 << 40);
        h.set_cksum();
        let mut data = h.as_bytes().to_vec();
        data.extend_from_slice(&[0u8; 1024]);
        assert!(matches!(entries(&data), Err(TarError::MetadataTooLarge { .. })));
    }

    #[test]
    fn header_only_types_ignore_size_and_numbers_parse() {
        let mut h = ::tar::Header::new_ustar();
        h.set_entry_type(::tar::EntryType::Directory);
        h.set_path("d/").unwrap();
        h.set_size(1024);
        h.set_cksum();
        let mut data = h.as_bytes().to_vec();
        let mut f = ::tar::Header::new_ustar();
        f.set_path("f").unwrap();
        f.set_size(0);
        f.set_cksum();
        data.extend_from_slice(f.as_bytes());
        data.extend_from_slice(&[0u8; 1024]);
        let got = entries(&data).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0.path, b"f");
        assert_eq!(number(b"0000644\0"), Some(0o644));
        assert_eq!(number(b"  755 \0"), Some(0o755));
        assert_eq!(number(&[0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]), Some(1 << 32));
        assert_eq!(number(&[0xff; 12]), None);
        assert_eq!(number(b"9"), None);
    }

    #[test]
    fn pax_records() {
        let pax = parse_pax(b"16 path=a/b/c.d\n11 size=42\n").unwrap();
        assert_eq!(pax.path.as_deref(), Some(&b"a/b/c.d"[..]));
        assert_eq!(pax.size, Some(42));
        assert!(parse_pax(b"99 path=x\n").is_none());
        assert!(parse_pax(b"x path=x\n").is_none());
    }
}
