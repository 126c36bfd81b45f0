//! A reader of ZIP archives held in memory, enough for Java archives: the end-of-central-
//! directory record (and its ZIP64 form), the central directory, and stored or deflated entries.
//! Archives with a prefix (Spring Boot's launch script) are read from where the archive starts.
//! Every offset is checked and decompression is bounded by the caller's budget.

use super::Malformed;
use super::bytes::{Endian, range, u16_at, u32_at, u64_at};
use std::io::Read;

const END_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_END_SIGNATURE: u32 = 0x0606_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
/// The end record is 22 bytes plus a comment of at most 65,535.
const MAX_END_SEARCH: usize = 22 + 65_535;
/// Most entries read from one archive.
const MAX_ENTRIES: u64 = 1_000_000;

const LE: Endian = Endian::Little;

/// One entry of the central directory.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) name: String,
    method: u16,
    compressed: u64,
    pub(crate) size: u64,
    local: u64,
}

/// An archive in memory.
pub(crate) struct Archive<'a> {
    data: &'a [u8],
    /// Where the archive starts in `data` (after any prefix).
    base: u64,
    pub(crate) entries: Vec<Entry>,
}

impl<'a> Archive<'a> {
    pub(crate) fn open(data: &'a [u8]) -> Result<Archive<'a>, Malformed> {
        let search_from = data.len().saturating_sub(MAX_END_SEARCH);
        let tail = data.get(search_from..).unwrap_or_default();
        let end = memchr::memmem::rfind_iter(tail, &END_SIGNATURE.to_le_bytes())
            .map(|at| (search_from + at) as u64)
            .find(|&at| at + 22 <= data.len() as u64)
            .ok_or_else(|| Malformed::new("not a ZIP archive (no end of central directory)"))?;
        let mut count = u64::from(u16_at(data, end + 10, LE, "entry count")?);
        let mut directory_size = u64::from(u32_at(data, end + 12, LE, "directory size")?);
        let mut directory_offset = u64::from(u32_at(data, end + 16, LE, "directory offset")?);
        let mut directory_end = end;
        if (count == 0xffff || directory_size == 0xffff_ffff || directory_offset == 0xffff_ffff)
            && end >= 20
            && u32_at(data, end - 20, LE, "ZIP64 locator")? == ZIP64_LOCATOR_SIGNATURE
        {
            let record = u64_at(data, end - 20 + 8, LE, "ZIP64 end offset")?;
            if u32_at(data, record, LE, "ZIP64 end record")? == ZIP64_END_SIGNATURE {
                count = u64_at(data, record + 32, LE, "ZIP64 entry count")?;
                directory_size = u64_at(data, record + 40, LE, "ZIP64 directory size")?;
                directory_offset = u64_at(data, record + 48, LE, "ZIP64 directory offset")?;
                directory_end = record;
            }
        }
        if count > MAX_ENTRIES {
            return Err(Malformed::new(format!("{count} entries")));
        }
        // A prefix before the archive shifts every recorded offset.
        let base = directory_end
            .checked_sub(directory_size)
            .and_then(|start| start.checked_sub(directory_offset))
            .ok_or_else(|| Malformed::new("central directory does not fit before its end record"))?;
        let directory = range(data, base + directory_offset, directory_size, "central directory")?;
        let mut entries = Vec::with_capacity(count.min(65_536) as usize);
        let mut at = 0u64;
        for _ in 0..count {
            if u32_at(directory, at, LE, "central header")? != CENTRAL_SIGNATURE {
                return Err(Malformed::new(format!("bad central header at {at}")));
            }
            let method = u16_at(directory, at + 10, LE, "method")?;
            let mut compressed = u64::from(u32_at(directory, at + 20, LE, "compressed size")?);
            let mut size = u64::from(u32_at(directory, at + 24, LE, "size")?);
            let name_len = u64::from(u16_at(directory, at + 28, LE, "name length")?);
            let extra_len = u64::from(u16_at(directory, at + 30, LE, "extra length")?);
            let comment_len = u64::from(u16_at(directory, at + 32, LE, "comment length")?);
            let mut local = u64::from(u32_at(directory, at + 42, LE, "local offset")?);
            let name = range(directory, at + 46, name_len, "name")?;
            let extra = range(directory, at + 46 + name_len, extra_len, "extra field")?;
            zip64_sizes(extra, &mut size, &mut compressed, &mut local)?;
            entries.push(Entry {
                name: String::from_utf8_lossy(name).into_owned(),
                method,
                compressed,
                size,
                local,
            });
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Archive { data, base, entries })
    }

    /// An entry's bytes, at most `limit` of them (an error when it is larger).
    pub(crate) fn read(&self, entry: &Entry, limit: u64) -> Result<Vec<u8>, Malformed> {
        if entry.size > limit {
            return Err(Malformed::new(format!(
                "{} expands to {} bytes, over the {limit}-byte budget",
                entry.name, entry.size
            )));
        }
        let local = self.base + entry.local;
        if u32_at(self.data, local, LE, "local header")? != LOCAL_SIGNATURE {
            return Err(Malformed::new(format!("{}: bad local header", entry.name)));
        }
        let name_len = u64::from(u16_at(self.data, local + 26, LE, "local name length")?);
        let extra_len = u64::from(u16_at(self.data, local + 28, LE, "local extra length")?);
        let body = range(self.data, local + 30 + name_len + extra_len, entry.compressed, "entry data")?;
        match entry.method {
            0 => Ok(body.to_vec()),
            8 => {
                let mut out = Vec::with_capacity(entry.size.min(limit) as usize);
                flate2::read::DeflateDecoder::new(body)
                    .take(limit + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| Malformed::new(format!("{}: {e}", entry.name)))?;
                if out.len() as u64 > limit {
                    return Err(Malformed::new(format!("{} expands past its budget", entry.name)));
                }
                Ok(out)
            }
            other => Err(Malformed::new(format!("{}: compression method {other} not supported", entry.name))),
        }
    }
}

/// Replaces saturated sizes and offset with those of the ZIP64 extra field (tag 1).
fn zip64_sizes(extra: &[u8], size: &mut u64, compressed: &mut u64, local: &mut u64) -> Result<(), Malformed> {
    let mut at = 0u64;
    while at + 4 <= extra.len() as u64 {
        let tag = u16_at(extra, at, LE, "extra tag")?;
        let len = u64::from(u16_at(extra, at + 2, LE, "extra length")?);
        if tag == 1 {
            let field = range(extra, at + 4, len, "ZIP64 field")?;
            let mut next = 0u64;
            for slot in [size, compressed, local] {
                if *slot == 0xffff_ffff {
                    *slot = u64_at(field, next, LE, "ZIP64 value")?;
                    next += 8;
                }
            }
            return Ok(());
        }
        at += 4 + len;
    }
    Ok(())
}

/// Builds a ZIP archive of (name, data, deflate) entries, for tests.
#[cfg(test)]
pub(crate) fn build(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, data, deflate) in entries {
        let body = if *deflate {
            let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = encoder.write_all(data);
            encoder.finish().unwrap_or_default()
        } else {
            data.to_vec()
        };
        let method: u16 = if *deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        out.extend_from_slice(&LOCAL_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0]);
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        directory.extend_from_slice(&CENTRAL_SIGNATURE.to_le_bytes());
        directory.extend_from_slice(&[20, 0, 20, 0, 0, 0]);
        directory.extend_from_slice(&method.to_le_bytes());
        directory.extend_from_slice(&[0; 8]);
        directory.extend_from_slice(&(body.len() as u32).to_le_bytes());
        directory.extend_from_slice(&(data.len() as u32).to_le_bytes());
        directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
        directory.extend_from_slice(&[0; 12]);
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let directory_offset = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&END_SIGNATURE.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_with_and_without_a_prefix() {
        let zip = build(&[("a.txt", b"hello hello hello", true), ("dir/b", b"stored", false)]);
        for data in [zip.clone(), [b"#!/bin/sh\nexec java -jar $0\n".to_vec(), zip].concat()] {
            let archive = Archive::open(&data).unwrap();
            let names: Vec<_> = archive.entries.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(names, ["a.txt", "dir/b"]);
            assert_eq!(archive.read(&archive.entries[0], 100).unwrap(), b"hello hello hello");
            assert_eq!(archive.read(&archive.entries[1], 100).unwrap(), b"stored");
            assert!(archive.read(&archive.entries[0], 5).is_err(), "over budget");
        }
    }

    #[test]
    fn hostile_archives_are_errors() {
        assert!(Archive::open(b"").is_err());
        assert!(Archive::open(b"PK\x05\x06").is_err());
        let zip = build(&[("a.txt", b"hello hello hello", true)]);
        for cut in 0..zip.len() {
            if let Ok(archive) = Archive::open(&zip[..cut]) {
                for entry in &archive.entries {
                    let _ = archive.read(entry, 1000);
                }
            }
        }
        let mut copy = zip.clone();
        for index in 0..copy.len() {
            let original = copy[index];
            copy[index] = original ^ 0xff;
            if let Ok(archive) = Archive::open(&copy) {
                for entry in &archive.entries {
                    let _ = archive.read(entry, 1000);
                }
            }
            copy[index] = original;
        }
        // A deflate bomb stops at the budget.
        let bomb = build(&[("zeros", &vec![0u8; 1 << 20], true)]);
        let archive = Archive::open(&bomb).unwrap();
        let mut lying = archive.entries[0].clone();
        lying.size = 10;
        assert!(archive.read(&lying, 1000).is_err());
    }
}
