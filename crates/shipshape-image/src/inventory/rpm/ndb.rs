//! rpm's NDB package database (`Packages.db`, SUSE and openSUSE): a 32-byte file header (magic
//! `RpmP`, version, generation, slot page count), slots of 16 bytes (magic `Slot`, package
//! index, block offset, block count; 16-byte blocks) in the first pages, and for each used slot
//! a blob: a 16-byte head (magic `BlbS`, package index, generation, length), the header, and a
//! 12-byte tail (checksum, length, magic `BlbE`) at the end of its blocks. Little-endian.

use super::super::Malformed;
use super::super::Package;
use super::super::bytes::{Endian, range, u32_at};
use std::borrow::Cow;

const FILE_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const BLOB_TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const PAGE_SIZE: u64 = 4096;
const HEADER_SIZE: u64 = 32;
const SLOT_SIZE: u64 = 16;
const BLOCK_SIZE: u64 = 16;
const BLOB_HEAD: u64 = 16;
const BLOB_TAIL: u64 = 12;

/// The packages of an NDB `Packages.db` file.
pub(crate) fn packages(data: &[u8]) -> Result<Vec<Package>, Malformed> {
    let le = Endian::Little;
    if u32_at(data, 0, le, "magic")? != FILE_MAGIC {
        return Err(Malformed::new("not an rpm NDB database"));
    }
    let version = u32_at(data, 4, le, "version")?;
    if version != 0 {
        return Err(Malformed::new(format!("unsupported NDB version {version}")));
    }
    let slot_pages = u64::from(u32_at(data, 12, le, "slot page count")?);
    if slot_pages == 0 || slot_pages.saturating_mul(PAGE_SIZE) > data.len() as u64 {
        return Err(Malformed::new(format!("{slot_pages} slot pages do not fit the file")));
    }
    let mut blobs = Vec::new();
    let mut offset = HEADER_SIZE;
    while offset < slot_pages * PAGE_SIZE {
        let slot = range(data, offset, SLOT_SIZE, "slot")?;
        offset += SLOT_SIZE;
        if u32_at(slot, 0, le, "slot magic")? != SLOT_MAGIC {
            return Err(Malformed::new(format!("bad slot magic at offset {}", offset - SLOT_SIZE)));
        }
        let package = u32_at(slot, 4, le, "package index")?;
        if package == 0 {
            continue;
        }
        let start = u64::from(u32_at(slot, 8, le, "block offset")?) * BLOCK_SIZE;
        let size = u64::from(u32_at(slot, 12, le, "block count")?) * BLOCK_SIZE;
        blobs.push(blob(data, package, start, size).map(Cow::Borrowed));
    }
    super::collect(blobs)
}

/// The header stored for `package` in the blocks at `start` (`size` bytes).
fn blob(data: &[u8], package: u32, start: u64, size: u64) -> Result<&[u8], Malformed> {
    let le = Endian::Little;
    let area = range(data, start, size, "blob")?;
    if size < BLOB_HEAD + BLOB_TAIL {
        return Err(Malformed::new(format!("package {package}: blob of {size} bytes")));
    }
    if u32_at(area, 0, le, "blob magic")? != BLOB_HEAD_MAGIC
        || u32_at(area, 4, le, "blob package")? != package
    {
        return Err(Malformed::new(format!("package {package}: bad blob head at offset {start}")));
    }
    let length = u64::from(u32_at(area, 12, le, "blob length")?);
    if length > size - BLOB_HEAD - BLOB_TAIL {
        return Err(Malformed::new(format!("package {package}: blob length {length} exceeds its blocks")));
    }
    let tail = size - BLOB_TAIL;
    if u32_at(area, tail + 8, le, "blob tail magic")? != BLOB_TAIL_MAGIC
        || u64::from(u32_at(area, tail + 4, le, "blob tail length")?) != length
    {
        return Err(Malformed::new(format!("package {package}: bad blob tail")));
    }
    range(area, BLOB_HEAD, length, "blob content")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/rpm/ndb/Packages.db");

    #[test]
    fn reads_the_packages_rpm_wrote() {
        let packages = packages(FIXTURE).unwrap();
        assert_eq!(super::super::tests::summary(&packages), super::super::tests::FIXTURE_PACKAGES);
        super::super::tests::check_details(&packages);
    }

    #[test]
    fn hostile_files_are_errors() {
        assert!(packages(b"RpmP").is_err());
        for cut in [32, 4096, 5000, FIXTURE.len() - 1] {
            let _ = packages(&FIXTURE[..cut]);
        }
        let mut copy = FIXTURE.to_vec();
        for index in (0..copy.len()).step_by(11) {
            let original = copy[index];
            copy[index] = original ^ 0xff;
            let _ = packages(&copy);
            copy[index] = original;
        }
        // A slot claiming blocks past the end of the file.
        let mut bad = FIXTURE.to_vec();
        bad[32 + 12..32 + 16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(packages(&bad).is_err());
    }
}
