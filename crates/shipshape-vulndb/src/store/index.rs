//! The binary index of a generation (`index.bin`) and the per-source key lists (`*.keys`).
//!
//! `index.bin`, all integers little-endian:
//!
//! ```text
//! header   magic "SSVDBIDX", format version u32, source count u32,
//!          key count u64, posting count u64, blob length u64            (40 bytes)
//! keys     key count × { blob offset u64, key length u32, posting count u32,
//!                        first posting u64 }                              (24 bytes each)
//!          sorted by key bytes
//! postings posting count × { record offset u64, record length u32, source u32 } (16 bytes)
//! blob     the key bytes
//! ```
//!
//! A key is a kind byte and text: `p<ecosystem>\0<name>` for packages, `i<id>` for record ids,
//! `a<alias>` for aliases. A posting names a record: its source file and byte range.
//!
//! `<source>.keys` lists what a source's records are indexed under, so that an update that
//! keeps a source (`304 Not Modified`) can rebuild the index without re-reading its records:
//!
//! ```text
//! header   magic "SSVDBKEY", format version u32, entry count u64           (20 bytes)
//! entries  { key length u32, key bytes, record offset u64, record length u32 }
//! ```

use std::cmp::Ordering;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::error::Error;
use crate::store::FORMAT_VERSION;

pub(crate) const INDEX_MAGIC: &[u8; 8] = b"SSVDBIDX";
pub(crate) const KEYS_MAGIC: &[u8; 8] = b"SSVDBKEY";
const HEADER_LEN: usize = 40;
const KEY_ENTRY_LEN: usize = 24;
const POSTING_LEN: usize = 16;

/// Where a record is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Posting {
    pub(crate) source: u32,
    pub(crate) offset: u64,
    pub(crate) len: u32,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// Reads the format version of an index file from its header (for a clear error when it is
/// not this crate's).
pub(crate) fn format_version_of(bytes: &[u8]) -> Option<u32> {
    if bytes.get(..8)? != INDEX_MAGIC { None } else { u32_at(bytes, 8) }
}

/// A loaded `index.bin`, searched in place.
#[derive(Debug)]
pub(crate) struct Index {
    bytes: Vec<u8>,
    key_count: usize,
    posting_count: usize,
    keys_at: usize,
    postings_at: usize,
    blob_at: usize,
    blob_len: usize,
}

impl Index {
    /// Checks the header and that every table fits the file exactly.
    pub(crate) fn parse(bytes: Vec<u8>, path: &Path, sources: usize) -> Result<Index, Error> {
        let corrupt = |reason: &str| Error::corrupt(path, reason);
        if bytes.get(..8) != Some(INDEX_MAGIC.as_slice()) {
            return Err(corrupt("not an index file"));
        }
        let header = |at| u64_at(&bytes, at).ok_or_else(|| corrupt("truncated header"));
        let source_count = u32_at(&bytes, 12).ok_or_else(|| corrupt("truncated header"))?;
        if usize::try_from(source_count).ok() != Some(sources) {
            return Err(corrupt("source count differs from meta.json"));
        }
        let to_usize = |v: u64| usize::try_from(v).map_err(|_| corrupt("table too large"));
        let key_count = to_usize(header(16)?)?;
        let posting_count = to_usize(header(24)?)?;
        let blob_len = to_usize(header(32)?)?;
        let keys_at = HEADER_LEN;
        let postings_at = key_count
            .checked_mul(KEY_ENTRY_LEN)
            .and_then(|n| n.checked_add(keys_at))
            .ok_or_else(|| corrupt("key table too large"))?;
        let blob_at = posting_count
            .checked_mul(POSTING_LEN)
            .and_then(|n| n.checked_add(postings_at))
            .ok_or_else(|| corrupt("posting table too large"))?;
        if blob_at.checked_add(blob_len) != Some(bytes.len()) {
            return Err(corrupt("file size does not match its tables"));
        }
        Ok(Index { bytes, key_count, posting_count, keys_at, postings_at, blob_at, blob_len })
    }

    /// The number of distinct keys.
    #[cfg(test)]
    pub(crate) fn key_count(&self) -> usize {
        self.key_count
    }

    /// Key `i` and its posting range, or `None` when the entry points outside the file.
    fn entry(&self, i: usize) -> Option<(&[u8], u64, u32)> {
        let at = self.keys_at + i.checked_mul(KEY_ENTRY_LEN)?;
        let blob_offset = usize::try_from(u64_at(&self.bytes, at)?).ok()?;
        let key_len = usize::try_from(u32_at(&self.bytes, at + 8)?).ok()?;
        let count = u32_at(&self.bytes, at + 12)?;
        let first = u64_at(&self.bytes, at + 16)?;
        if blob_offset.checked_add(key_len)? > self.blob_len {
            return None;
        }
        let start = self.blob_at + blob_offset;
        Some((self.bytes.get(start..start + key_len)?, first, count))
    }

    fn posting(&self, i: usize) -> Option<Posting> {
        if i >= self.posting_count {
            return None;
        }
        let at = self.postings_at + i * POSTING_LEN;
        Some(Posting {
            offset: u64_at(&self.bytes, at)?,
            len: u32_at(&self.bytes, at + 8)?,
            source: u32_at(&self.bytes, at + 12)?,
        })
    }

    /// The postings of `key`; `Err` when the index is damaged where the search went.
    pub(crate) fn lookup(&self, key: &[u8]) -> Result<Vec<Posting>, &'static str> {
        let (mut low, mut high) = (0usize, self.key_count);
        while low < high {
            let mid = low + (high - low) / 2;
            let (found, first, count) = self.entry(mid).ok_or("key entry out of bounds")?;
            match found.cmp(key) {
                Ordering::Less => low = mid + 1,
                Ordering::Greater => high = mid,
                Ordering::Equal => {
                    let first = usize::try_from(first).map_err(|_| "posting out of bounds")?;
                    return (0..count as usize)
                        .map(|i| {
                            first.checked_add(i).and_then(|i| self.posting(i)).ok_or("posting out of bounds")
                        })
                        .collect();
                }
            }
        }
        Ok(Vec::new())
    }

    /// Every key starting with `prefix`, in order (for listing ids and packages).
    pub(crate) fn keys_with_prefix(&self, prefix: &[u8]) -> Vec<&[u8]> {
        let mut low = 0usize;
        let mut high = self.key_count;
        while low < high {
            let mid = low + (high - low) / 2;
            match self.entry(mid) {
                Some((key, _, _)) if key < prefix => low = mid + 1,
                _ => high = mid,
            }
        }
        (low..self.key_count)
            .map_while(|i| self.entry(i).map(|(key, _, _)| key).filter(|key| key.starts_with(prefix)))
            .collect()
    }
}

/// Key → record entries collected while importing one source, in one byte arena.
#[derive(Debug, Default)]
pub(crate) struct KeyList {
    arena: Vec<u8>,
    /// (key start in arena, key length, record offset, record length)
    entries: Vec<(usize, u32, u64, u32)>,
}

impl KeyList {
    pub(crate) fn push(&mut self, key: &[u8], offset: u64, len: u32) {
        let start = self.arena.len();
        self.arena.extend_from_slice(key);
        self.entries.push((start, u32::try_from(key.len()).unwrap_or(u32::MAX), offset, len));
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn key(&self, start: usize, len: u32) -> &[u8] {
        self.arena.get(start..start + len as usize).unwrap_or(&[])
    }

    /// Writes `<source>.keys`.
    pub(crate) fn write(&self, path: &Path) -> Result<(), Error> {
        let file = File::create(path).map_err(Error::io(path))?;
        let mut out = BufWriter::new(file);
        let mut write = || -> std::io::Result<()> {
            out.write_all(KEYS_MAGIC)?;
            out.write_all(&FORMAT_VERSION.to_le_bytes())?;
            out.write_all(&(self.entries.len() as u64).to_le_bytes())?;
            for &(start, len, offset, record_len) in &self.entries {
                out.write_all(&len.to_le_bytes())?;
                out.write_all(self.key(start, len))?;
                out.write_all(&offset.to_le_bytes())?;
                out.write_all(&record_len.to_le_bytes())?;
            }
            out.flush()?;
            out.get_ref().sync_all()
        };
        write().map_err(Error::io(path))
    }

    /// Reads `<source>.keys`, checking each record range against the record file's size.
    #[cfg_attr(not(feature = "update"), allow(dead_code))]
    pub(crate) fn read(path: &Path, records_len: u64) -> Result<KeyList, Error> {
        let corrupt = |reason: &str| Error::corrupt(path, reason);
        let file = File::open(path).map_err(Error::io(path))?;
        let file_len = file.metadata().map_err(Error::io(path))?.len();
        let mut input = BufReader::new(file);
        let mut header = [0u8; 20];
        input.read_exact(&mut header).map_err(|_| corrupt("truncated header"))?;
        if header.get(..8) != Some(KEYS_MAGIC.as_slice()) {
            return Err(corrupt("not a key list"));
        }
        if u32_at(&header, 8) != Some(FORMAT_VERSION) {
            return Err(corrupt("key list of another format version"));
        }
        let count = u64_at(&header, 12).unwrap_or(0);
        // Each entry takes at least 16 bytes: a count beyond that is a lie.
        if count.saturating_mul(16) > file_len {
            return Err(corrupt("entry count larger than the file"));
        }
        let mut keys = KeyList::default();
        let mut key = Vec::new();
        for _ in 0..count {
            let mut len = [0u8; 4];
            input.read_exact(&mut len).map_err(|_| corrupt("truncated entry"))?;
            let len = u32::from_le_bytes(len) as usize;
            if len as u64 > file_len {
                return Err(corrupt("key longer than the file"));
            }
            key.resize(len, 0);
            input.read_exact(&mut key).map_err(|_| corrupt("truncated key"))?;
            let mut tail = [0u8; 12];
            input.read_exact(&mut tail).map_err(|_| corrupt("truncated entry"))?;
            let offset = u64_at(&tail, 0).unwrap_or(u64::MAX);
            let record_len = u32_at(&tail, 8).unwrap_or(u32::MAX);
            if offset.checked_add(u64::from(record_len)).is_none_or(|end| end > records_len) {
                return Err(corrupt("record range outside the record file"));
            }
            keys.push(&key, offset, record_len);
        }
        Ok(keys)
    }
}

/// Builds `index.bin` from the key lists of every source (`lists[i]` is source `i`).
pub(crate) fn write_index(path: &Path, lists: &[KeyList]) -> Result<(), Error> {
    // (source, entry index), sorted by key then posting.
    let mut order: Vec<(u32, usize)> = Vec::with_capacity(lists.iter().map(KeyList::len).sum());
    for (source, list) in lists.iter().enumerate() {
        let source = u32::try_from(source).map_err(|_| Error::corrupt(path, "too many sources"))?;
        order.extend((0..list.entries.len()).map(|i| (source, i)));
    }
    let resolve = |&(source, i): &(u32, usize)| -> (&[u8], Posting) {
        let list = &lists[source as usize];
        let (start, len, offset, record_len) = list.entries[i];
        (list.key(start, len), Posting { source, offset, len: record_len })
    };
    order.sort_unstable_by(|a, b| resolve(a).cmp(&resolve(b)));
    order.dedup_by(|a, b| resolve(a) == resolve(b));

    let mut keys: Vec<u8> = Vec::new();
    let mut postings: Vec<u8> = Vec::with_capacity(order.len() * POSTING_LEN);
    let mut blob: Vec<u8> = Vec::new();
    let mut key_count = 0u64;
    let mut previous: Option<&[u8]> = None;
    let mut run_start = 0u64;
    let mut run_len = 0u32;
    let mut flush = |keys: &mut Vec<u8>, blob: &mut Vec<u8>, key: &[u8], start: u64, len: u32| {
        keys.extend_from_slice(&(blob.len() as u64).to_le_bytes());
        keys.extend_from_slice(&(key.len() as u32).to_le_bytes());
        keys.extend_from_slice(&len.to_le_bytes());
        keys.extend_from_slice(&start.to_le_bytes());
        blob.extend_from_slice(key);
        key_count += 1;
    };
    for (n, item) in order.iter().enumerate() {
        let (key, posting) = resolve(item);
        if previous != Some(key) {
            if let Some(previous) = previous {
                flush(&mut keys, &mut blob, previous, run_start, run_len);
            }
            previous = Some(key);
            run_start = n as u64;
            run_len = 0;
        }
        run_len = run_len.saturating_add(1);
        postings.extend_from_slice(&posting.offset.to_le_bytes());
        postings.extend_from_slice(&posting.len.to_le_bytes());
        postings.extend_from_slice(&posting.source.to_le_bytes());
    }
    if let Some(previous) = previous {
        flush(&mut keys, &mut blob, previous, run_start, run_len);
    }

    let file = File::create(path).map_err(Error::io(path))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut write = || -> std::io::Result<()> {
        out.write_all(INDEX_MAGIC)?;
        out.write_all(&FORMAT_VERSION.to_le_bytes())?;
        out.write_all(&(lists.len() as u32).to_le_bytes())?;
        out.write_all(&key_count.to_le_bytes())?;
        out.write_all(&(order.len() as u64).to_le_bytes())?;
        out.write_all(&(blob.len() as u64).to_le_bytes())?;
        out.write_all(&keys)?;
        out.write_all(&postings)?;
        out.write_all(&blob)?;
        out.flush()?;
        out.get_ref().sync_all()
    };
    write().map_err(Error::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = KeyList::default();
        a.push(b"pnpm\0lodash", 0, 10);
        a.push(b"iGHSA-1", 0, 10);
        a.push(b"pnpm\0lodash", 10, 5);
        a.push(b"pnpm\0lodash", 10, 5);
        let mut b = KeyList::default();
        b.push(b"pnpm\0lodash", 0, 7);
        b.push(b"pPyPI\0django", 7, 3);
        let path = dir.path().join("index.bin");
        write_index(&path, &[a, b]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(format_version_of(&bytes), Some(FORMAT_VERSION));
        let index = Index::parse(bytes.clone(), &path, 2).unwrap();
        assert_eq!(index.key_count(), 3);
        assert_eq!(
            index.lookup(b"pnpm\0lodash").unwrap(),
            vec![
                Posting { source: 0, offset: 0, len: 10 },
                Posting { source: 0, offset: 10, len: 5 },
                Posting { source: 1, offset: 0, len: 7 },
            ]
        );
        assert_eq!(index.lookup(b"pnpm\0lodas").unwrap(), vec![]);
        assert_eq!(index.lookup(b"").unwrap(), vec![]);
        assert_eq!(index.keys_with_prefix(b"p"), vec![b"pPyPI\0django".as_slice(), b"pnpm\0lodash"]);
        assert!(Index::parse(bytes.clone(), &path, 3).is_err());
        for cut in 0..bytes.len() {
            assert!(Index::parse(bytes[..cut].to_vec(), &path, 2).is_err(), "cut {cut}");
        }
        // Scribbled tables: errors or empty results, never panics.
        for at in HEADER_LEN..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0xA5;
            if let Ok(index) = Index::parse(changed, &path, 2) {
                let _ = index.lookup(b"pnpm\0lodash");
                let _ = index.keys_with_prefix(b"p");
            }
        }
    }

    #[test]
    fn key_list_round_trip_checks_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.keys");
        let mut list = KeyList::default();
        list.push(b"iX", 3, 4);
        list.write(&path).unwrap();
        let read = KeyList::read(&path, 7).unwrap();
        assert_eq!(read.entries, vec![(0, 2, 3, 4)]);
        assert!(KeyList::read(&path, 6).is_err(), "range past the record file");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(KeyList::read(&path, 7).is_err());
    }
}
