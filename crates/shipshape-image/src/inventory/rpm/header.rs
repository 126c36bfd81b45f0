//! An rpm header as the databases store it: the index-entry count and data-store length (two
//! big-endian `u32`s), the index entries (tag, type, offset, count: four big-endian `u32`s each)
//! and the data store the offsets point into. Only the tags the inventory reads are decoded;
//! every offset is checked against the data store.

use super::super::Malformed;
use super::super::bytes::{Endian, range, u32_at};

pub(crate) const NAME: u32 = 1000;
pub(crate) const VERSION: u32 = 1001;
pub(crate) const RELEASE: u32 = 1002;
pub(crate) const EPOCH: u32 = 1003;
pub(crate) const VENDOR: u32 = 1011;
pub(crate) const LICENSE: u32 = 1014;
pub(crate) const ARCH: u32 = 1022;
pub(crate) const SOURCERPM: u32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own bounds (`hdrchkTags`, `hdrchkData`).
const MAX_ENTRIES: u32 = 0x00ff_ffff;
const MAX_DATA: u32 = 0x3fff_ffff;

/// A parsed header: borrowed index and data store.
pub(crate) struct Header<'a> {
    index: &'a [u8],
    data: &'a [u8],
}

impl<'a> Header<'a> {
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Header<'a>, Malformed> {
        let entries = u32_at(blob, 0, Endian::Big, "header entry count")?;
        let data_len = u32_at(blob, 4, Endian::Big, "header data length")?;
        if entries == 0 || entries > MAX_ENTRIES || data_len > MAX_DATA {
            return Err(Malformed::new(format!(
                "implausible header ({entries} entries, {data_len} data bytes)"
            )));
        }
        let index_len = u64::from(entries) * 16;
        let index = range(blob, 8, index_len, "header index")?;
        let data = range(blob, 8 + index_len, u64::from(data_len), "header data")?;
        Ok(Header { index, data })
    }

    /// (type, offset, count) of `tag`'s entry.
    fn entry(&self, tag: u32) -> Result<Option<(u32, u32, u32)>, Malformed> {
        for chunk in self.index.chunks_exact(16) {
            if u32_at(chunk, 0, Endian::Big, "tag")? == tag {
                let kind = u32_at(chunk, 4, Endian::Big, "type")?;
                let offset = u32_at(chunk, 8, Endian::Big, "offset")?;
                let count = u32_at(chunk, 12, Endian::Big, "count")?;
                return Ok(Some((kind, offset, count)));
            }
        }
        Ok(None)
    }

    /// A string tag (for arrays and translated strings, the first); `None` when absent.
    pub(crate) fn string(&self, tag: u32) -> Result<Option<String>, Malformed> {
        let Some((kind, offset, count)) = self.entry(tag)? else { return Ok(None) };
        if !matches!(kind, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) || count == 0 {
            return Err(Malformed::new(format!("tag {tag} has type {kind}, not a string")));
        }
        let rest = self
            .data
            .get(offset as usize..)
            .ok_or_else(|| Malformed::new(format!("tag {tag} points past the data store")))?;
        let end = memchr::memchr(0, rest)
            .ok_or_else(|| Malformed::new(format!("tag {tag}: string not terminated in the data store")))?;
        Ok(Some(String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned()))
    }

    /// An `INT32` tag's first value; `None` when absent.
    pub(crate) fn int32(&self, tag: u32) -> Result<Option<u32>, Malformed> {
        let Some((kind, offset, count)) = self.entry(tag)? else { return Ok(None) };
        if kind != TYPE_INT32 || count == 0 {
            return Err(Malformed::new(format!("tag {tag} has type {kind}, not INT32")));
        }
        u32_at(self.data, u64::from(offset), Endian::Big, "INT32 value").map(Some)
    }
}

/// Builds a header blob from (tag, value) pairs: strings and `INT32`s. Tests of the database
/// readers use it for hostile variants of real headers.
#[cfg(test)]
pub(crate) fn build(tags: &[(u32, Result<&str, u32>)]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (tag, value) in tags {
        let (kind, bytes) = match value {
            Ok(text) => (TYPE_STRING, [text.as_bytes(), &[0]].concat()),
            Err(number) => {
                while !data.len().is_multiple_of(4) {
                    data.push(0);
                }
                (TYPE_INT32, number.to_be_bytes().to_vec())
            }
        };
        for field in [*tag, kind, data.len() as u32, 1] {
            index.extend_from_slice(&field.to_be_bytes());
        }
        data.extend_from_slice(&bytes);
    }
    let mut blob = Vec::new();
    blob.extend_from_slice(&((index.len() / 16) as u32).to_be_bytes());
    blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
    blob.extend_from_slice(&index);
    blob.extend_from_slice(&data);
    blob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_and_rejects_bad_offsets() {
        let blob = build(&[(NAME, Ok("bash")), (EPOCH, Err(2)), (VERSION, Ok("5.1.8"))]);
        let header = Header::parse(&blob).unwrap();
        assert_eq!(header.string(NAME).unwrap().as_deref(), Some("bash"));
        assert_eq!(header.int32(EPOCH).unwrap(), Some(2));
        assert_eq!(header.string(RELEASE).unwrap(), None);
        assert!(header.int32(NAME).is_err());

        // An offset past the data store, a string without its NUL, counts that lie.
        let mut bad = blob.clone();
        bad[8 + 8..8 + 12].copy_from_slice(&1000u32.to_be_bytes());
        assert!(Header::parse(&bad).unwrap().string(NAME).is_err());
        let unterminated = &blob[..blob.len() - 1];
        assert!(Header::parse(unterminated).is_err(), "data length longer than the blob");
        let mut huge = blob.clone();
        huge[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Header::parse(&huge).is_err());
        assert!(Header::parse(&[0, 0, 0, 1]).is_err());
        assert!(Header::parse(&[]).is_err());
    }
}
