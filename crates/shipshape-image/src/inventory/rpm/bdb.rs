//! rpm's Berkeley DB `Packages` file (rpm before 4.16, CentOS 7 and 8, RHEL 7 and 8, Amazon
//! Linux 2), read without Berkeley DB: a hash database whose page 0 is the metadata page
//! (magic `0x061561`, page size, byte order), whose hash pages hold key/data item pairs (key:
//! the package's 4-byte instance number; data: its header, inline or in a chain of overflow
//! pages), in the host byte order of the machine that wrote it.
//!
//! Pages are read in file order; every page number and item offset is checked, and overflow
//! chains are bounded by the page count.

use super::super::Malformed;
use super::super::Package;
use super::super::bytes::{Endian, range, u16_at, u32_at};
use std::borrow::Cow;

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HASH_META: u8 = 8;
const PAGE_HASH_UNSORTED: u8 = 2;
const PAGE_HASH: u8 = 13;
const PAGE_OVERFLOW: u8 = 7;
const ITEM_KEYDATA: u8 = 1;
const ITEM_OFFPAGE: u8 = 3;
/// Every page starts with this much header (LSN, page numbers, entry count, offsets, level, type).
const PAGE_HEADER: u64 = 26;

/// The packages of a Berkeley DB `Packages` file.
pub(crate) fn packages(data: &[u8]) -> Result<Vec<Package>, Malformed> {
    let endian = match (u32_at(data, 12, Endian::Little, "magic")?, u32_at(data, 12, Endian::Big, "magic")?) {
        (HASH_MAGIC, _) => Endian::Little,
        (_, HASH_MAGIC) => Endian::Big,
        _ => return Err(Malformed::new("not a Berkeley DB hash database")),
    };
    let page_size = u64::from(u32_at(data, 20, endian, "page size")?);
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(Malformed::new(format!("invalid page size {page_size}")));
    }
    if data.get(24).copied().unwrap_or(0) != 0 {
        return Err(Malformed::new("the database is encrypted"));
    }
    if data.get(25).copied() != Some(PAGE_HASH_META) {
        return Err(Malformed::new("page 0 is not a hash metadata page"));
    }
    let db = File { data, page_size, endian, pages: data.len() as u64 / page_size };
    let mut blobs = Vec::new();
    for number in 1..db.pages {
        let page = db.page(number)?;
        if !matches!(page.get(25).copied(), Some(PAGE_HASH | PAGE_HASH_UNSORTED)) {
            continue;
        }
        let entries = u64::from(u16_at(page, 20, endian, "entry count")?);
        let mut offsets = Vec::new();
        for index in 0..entries {
            offsets.push(u64::from(u16_at(page, PAGE_HEADER + index * 2, endian, "item offset")?));
        }
        // Items are laid out from the page's end down: each one ends where the previous begins.
        let item = |index: usize| -> Result<&[u8], Malformed> {
            let start = *offsets.get(index).ok_or_else(|| Malformed::new("item index"))?;
            let end = if index == 0 { page_size } else { offsets.get(index - 1).copied().unwrap_or(0) };
            if start < PAGE_HEADER || end <= start || end > page_size {
                return Err(Malformed::new(format!(
                    "page {number}: item {index} at {start}..{end} is out of place"
                )));
            }
            range(page, start, end - start, "item")
        };
        for pair in 0..offsets.len() / 2 {
            let key = item(pair * 2)?;
            let value = item(pair * 2 + 1)?;
            // Key 0 holds rpm's instance counter, not a header.
            if key.first() == Some(&ITEM_KEYDATA) && key.get(1..).is_some_and(|k| k.iter().all(|b| *b == 0)) {
                continue;
            }
            match value.first().copied() {
                Some(ITEM_KEYDATA) => blobs.push(Ok(Cow::Borrowed(value.get(1..).unwrap_or_default()))),
                Some(ITEM_OFFPAGE) => {
                    let first = u32_at(value, 4, endian, "overflow page")?;
                    let length = u32_at(value, 8, endian, "overflow length")?;
                    blobs.push(db.overflow(first, u64::from(length)).map(Cow::Owned));
                }
                Some(other) => {
                    return Err(Malformed::new(format!("page {number}: unexpected item type {other}")));
                }
                None => return Err(Malformed::new(format!("page {number}: empty item"))),
            }
        }
    }
    super::collect(blobs)
}

struct File<'a> {
    data: &'a [u8],
    page_size: u64,
    endian: Endian,
    pages: u64,
}

impl<'a> File<'a> {
    fn page(&self, number: u64) -> Result<&'a [u8], Malformed> {
        if number >= self.pages {
            return Err(Malformed::new(format!("page {number} outside the file ({} pages)", self.pages)));
        }
        range(self.data, number * self.page_size, self.page_size, "page")
    }

    /// `length` bytes from the overflow chain starting at page `first`.
    fn overflow(&self, first: u32, length: u64) -> Result<Vec<u8>, Malformed> {
        if length > self.data.len() as u64 {
            return Err(Malformed::new(format!("overflow item of {length} bytes in a smaller file")));
        }
        let mut out = Vec::with_capacity(length as usize);
        let mut next = u64::from(first);
        let mut hops = 0;
        while (out.len() as u64) < length {
            hops += 1;
            if next == 0 || hops > self.pages {
                return Err(Malformed::new("overflow chain ends early or loops"));
            }
            let page = self.page(next)?;
            if page.get(25).copied() != Some(PAGE_OVERFLOW) {
                return Err(Malformed::new(format!("page {next} is not an overflow page")));
            }
            let used = u64::from(u16_at(page, 22, self.endian, "overflow bytes")?);
            let want = used.min(length - out.len() as u64);
            out.extend_from_slice(range(page, PAGE_HEADER, want, "overflow content")?);
            next = u64::from(u32_at(page, 16, self.endian, "next page")?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/rpm/bdb/Packages");

    #[test]
    fn reads_the_packages_db_load_wrote() {
        let packages = packages(FIXTURE).unwrap();
        assert_eq!(super::super::tests::summary(&packages), super::super::tests::FIXTURE_PACKAGES);
        super::super::tests::check_details(&packages);
    }

    #[test]
    fn hostile_files_are_errors() {
        assert!(packages(b"").is_err());
        assert!(packages(&[0u8; 4096]).is_err());
        for cut in [26, 4096, 4097, FIXTURE.len() / 2, FIXTURE.len() - 1] {
            let _ = packages(&FIXTURE[..cut]);
        }
        let mut copy = FIXTURE.to_vec();
        for index in (0..copy.len()).step_by(13) {
            let original = copy[index];
            copy[index] = original ^ 0xff;
            let _ = packages(&copy);
            copy[index] = original;
        }
        // An overflow chain pointing at itself.
        let mut looped = FIXTURE.to_vec();
        let page_size = 4096;
        let overflow =
            (1..looped.len() / page_size).find(|n| looped[n * page_size + 25] == PAGE_OVERFLOW).unwrap();
        let at = overflow * page_size;
        looped[at + 16..at + 20].copy_from_slice(&(overflow as u32).to_le_bytes());
        looped[at + 22..at + 24].copy_from_slice(&1u16.to_le_bytes());
        assert!(packages(&looped).is_err());
    }
}
