//! A read-only reader of SQLite database files, enough for rpm's `rpmdb.sqlite`: the file
//! header, table b-trees (interior and leaf pages), overflow chains, varints and the record
//! format. rpm stores each header as the `blob` column of table `Packages`.
//!
//! Only the main database file is read. rpm checkpoints its write-ahead log when it closes the
//! database, so an image normally ships none; pages still only in a `-wal` file are not seen.
//!
//! Every page number is checked against the file, every b-tree walk is bounded in depth and
//! visits each page at most once, and payload sizes are bounded by the file size.

use super::super::Malformed;
use super::super::Package;
use super::super::bytes::{Endian, range, u16_at, u32_at};
use std::borrow::Cow;
use std::collections::HashSet;

const MAGIC: &[u8] = b"SQLite format 3\0";
const MAX_DEPTH: usize = 40;

/// The packages of an `rpmdb.sqlite` file.
pub(crate) fn packages(data: &[u8]) -> Result<Vec<Package>, Malformed> {
    let db = Database::open(data)?;
    let root = db.table_root("Packages")?;
    let mut blobs = Vec::new();
    db.scan_table(root, &mut |_, payload| {
        let record = Record::parse(&payload)?;
        match record.column(1)? {
            Value::Blob(blob) => blobs.push(Ok(Cow::Owned(blob.to_vec()))),
            _ => return Err(Malformed::new("Packages.blob is not a blob")),
        }
        Ok(())
    })?;
    super::collect(blobs)
}

/// An opened database file.
pub(crate) struct Database<'a> {
    data: &'a [u8],
    page_size: u64,
    usable: u64,
    pages: u64,
}

impl<'a> Database<'a> {
    pub(crate) fn open(data: &'a [u8]) -> Result<Database<'a>, Malformed> {
        if !data.starts_with(MAGIC) {
            return Err(Malformed::new("not an SQLite database"));
        }
        let page_size = match u16_at(data, 16, Endian::Big, "page size")? {
            1 => 65536,
            n => u64::from(n),
        };
        if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
            return Err(Malformed::new(format!("invalid page size {page_size}")));
        }
        let reserved = u64::from(*data.get(20).unwrap_or(&0));
        let usable = page_size - reserved;
        if usable < 480 {
            return Err(Malformed::new(format!("usable page size {usable} below 480")));
        }
        let pages = data.len() as u64 / page_size;
        Ok(Database { data, page_size, usable, pages })
    }

    fn page(&self, number: u32) -> Result<&'a [u8], Malformed> {
        let number = u64::from(number);
        if number == 0 || number > self.pages {
            return Err(Malformed::new(format!("page {number} outside the file ({} pages)", self.pages)));
        }
        range(self.data, (number - 1) * self.page_size, self.page_size, "page")
    }

    /// The root page of table `name`, from the schema table (page 1).
    pub(crate) fn table_root(&self, name: &str) -> Result<u32, Malformed> {
        let mut root = None;
        self.scan_table(1, &mut |_, payload| {
            let record = Record::parse(&payload)?;
            if let (Value::Text(kind), Value::Text(table)) = (record.column(0)?, record.column(1)?)
                && kind == b"table"
                && table == name.as_bytes()
                && let Value::Int(page) = record.column(3)?
            {
                root = u32::try_from(page).ok();
            }
            Ok(())
        })?;
        root.ok_or_else(|| Malformed::new(format!("no table {name}")))
    }

    /// Calls `row` with (rowid, payload) for every row of the table b-tree rooted at `root`.
    pub(crate) fn scan_table(
        &self,
        root: u32,
        row: &mut dyn FnMut(i64, Cow<'a, [u8]>) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        let mut visited = HashSet::new();
        let mut stack = vec![(root, 0usize)];
        while let Some((number, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                return Err(Malformed::new("b-tree deeper than 40 levels"));
            }
            if !visited.insert(number) {
                return Err(Malformed::new(format!("page {number} reached twice: the b-tree has a cycle")));
            }
            let page = self.page(number)?;
            let start = if number == 1 { 100 } else { 0 };
            let kind = *page.get(start).ok_or_else(|| Malformed::new("empty page"))?;
            let cells = u64::from(u16_at(page, start as u64 + 3, Endian::Big, "cell count")?);
            let header_len = match kind {
                0x0d => 8,
                0x05 => 12,
                other => {
                    return Err(Malformed::new(format!(
                        "page {number}: type {other:#04x} is not a table page"
                    )));
                }
            };
            let pointers = start as u64 + header_len;
            let mut children = Vec::new();
            for cell in 0..cells {
                let offset = u64::from(u16_at(page, pointers + cell * 2, Endian::Big, "cell pointer")?);
                let body = page.get(offset as usize..).filter(|b| !b.is_empty()).ok_or_else(|| {
                    Malformed::new(format!("page {number}: cell pointer {offset} out of the page"))
                })?;
                if kind == 0x05 {
                    children.push(u32_at(body, 0, Endian::Big, "child page")?);
                } else {
                    let (size, used) = varint(body)?;
                    let (rowid, used_id) = varint(body.get(used..).unwrap_or_default())?;
                    let payload = self.payload(body.get(used + used_id..).unwrap_or_default(), size)?;
                    row(rowid as i64, payload)?;
                }
            }
            if kind == 0x05 {
                children.push(u32_at(page, start as u64 + 8, Endian::Big, "right-most child")?);
                // Children in key order: the stack pops the last pushed first.
                stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
            }
        }
        Ok(())
    }

    /// A table-leaf cell's payload of `size` bytes: the part on the page, then the overflow
    /// chain.
    fn payload(&self, cell: &'a [u8], size: u64) -> Result<Cow<'a, [u8]>, Malformed> {
        if size > self.data.len() as u64 {
            return Err(Malformed::new(format!(
                "payload of {size} bytes in a {}-byte file",
                self.data.len()
            )));
        }
        let usable = self.usable;
        let max_local = usable - 35;
        if size <= max_local {
            return Ok(Cow::Borrowed(range(cell, 0, size, "cell payload")?));
        }
        let min_local = (usable - 12) * 32 / 255 - 23;
        let k = min_local + (size - min_local) % (usable - 4);
        let local = if k <= max_local { k } else { min_local };
        let mut out = Vec::with_capacity(size as usize);
        out.extend_from_slice(range(cell, 0, local, "cell payload")?);
        let mut next = u32_at(cell, local, Endian::Big, "overflow page")?;
        let mut hops = 0u64;
        while (out.len() as u64) < size {
            hops += 1;
            if next == 0 || hops > self.pages {
                return Err(Malformed::new("overflow chain ends early or loops"));
            }
            let page = self.page(next)?;
            let want = (size - out.len() as u64).min(usable - 4);
            out.extend_from_slice(range(page, 4, want, "overflow content")?);
            next = u32_at(page, 0, Endian::Big, "next overflow page")?;
        }
        Ok(Cow::Owned(out))
    }
}

/// SQLite's big-endian varint: 1 to 9 bytes, the ninth contributing all 8 bits.
fn varint(data: &[u8]) -> Result<(u64, usize), Malformed> {
    let mut value: u64 = 0;
    for (index, byte) in data.iter().enumerate().take(9) {
        if index == 8 {
            return Ok(((value << 8) | u64::from(*byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Ok((value, index + 1));
        }
    }
    Err(Malformed::new("truncated varint"))
}

/// A column value.
#[derive(Debug, PartialEq)]
pub(crate) enum Value<'r> {
    Null,
    Int(i64),
    Real,
    Text(&'r [u8]),
    Blob(&'r [u8]),
}

/// A record: serial types from its header, values after it.
pub(crate) struct Record<'r> {
    types: Vec<u64>,
    body: &'r [u8],
}

impl<'r> Record<'r> {
    pub(crate) fn parse(payload: &'r [u8]) -> Result<Record<'r>, Malformed> {
        let (header_len, mut at) = varint(payload)?;
        if header_len > payload.len() as u64 || header_len < at as u64 {
            return Err(Malformed::new("record header longer than the record"));
        }
        let mut types = Vec::new();
        while (at as u64) < header_len {
            let (kind, used) = varint(payload.get(at..header_len as usize).unwrap_or_default())?;
            types.push(kind);
            at += used;
        }
        Ok(Record { types, body: payload.get(header_len as usize..).unwrap_or_default() })
    }

    /// Column `index`; columns past the header are NULL (added by `ALTER TABLE`).
    pub(crate) fn column(&self, index: usize) -> Result<Value<'r>, Malformed> {
        let mut offset = 0u64;
        for kind in self.types.iter().take(index) {
            offset = offset.saturating_add(serial_len(*kind));
        }
        let Some(&kind) = self.types.get(index) else { return Ok(Value::Null) };
        let bytes = range(self.body, offset, serial_len(kind), "record value")?;
        Ok(match kind {
            0 => Value::Null,
            1..=6 => {
                // Big-endian two's complement of 1, 2, 3, 4, 6 or 8 bytes.
                let mut value: i64 = if bytes.first().is_some_and(|b| b & 0x80 != 0) { -1 } else { 0 };
                for byte in bytes {
                    value = (value << 8) | i64::from(*byte);
                }
                Value::Int(value)
            }
            7 => Value::Real,
            8 => Value::Int(0),
            9 => Value::Int(1),
            n if n >= 12 && n % 2 == 0 => Value::Blob(bytes),
            n if n >= 13 => Value::Text(bytes),
            n => return Err(Malformed::new(format!("reserved serial type {n}"))),
        })
    }
}

fn serial_len(kind: u64) -> u64 {
    match kind {
        0 | 8 | 9 | 10 | 11 => 0,
        1 => 1,
        2 => 2,
        3 => 3,
        4 => 4,
        5 => 6,
        6 | 7 => 8,
        n => (n - 12) / 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/rpm/sqlite/rpmdb.sqlite");

    #[test]
    fn reads_the_packages_rpm_wrote() {
        let packages = packages(FIXTURE).unwrap();
        assert_eq!(super::super::tests::summary(&packages), super::super::tests::FIXTURE_PACKAGES);
        super::super::tests::check_details(&packages);
    }

    #[test]
    fn varints_and_records() {
        assert_eq!(varint(&[0x7f]), Ok((0x7f, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Ok((0x80, 2)));
        assert_eq!(varint(&[0xff; 9]), Ok((u64::MAX, 9)));
        assert!(varint(&[0x80]).is_err());
        // header 4 bytes: NULL, int8, text(2); body: 0xfe, "hi"
        let record = Record::parse(&[4, 0, 1, 17, 0xfe, b'h', b'i']).unwrap();
        assert_eq!(record.column(0), Ok(Value::Null));
        assert_eq!(record.column(1), Ok(Value::Int(-2)));
        assert_eq!(record.column(2), Ok(Value::Text(b"hi")));
        assert_eq!(record.column(3), Ok(Value::Null));
        assert!(Record::parse(&[4, 0, 1, 19, 0xfe, b'h']).unwrap().column(2).is_err());
        assert!(Record::parse(&[90, 0]).is_err());
    }

    #[test]
    fn hostile_files_are_errors() {
        assert!(packages(b"SQLite format 3\0").is_err());
        assert!(packages(b"not sqlite").is_err());
        // Truncated anywhere: an error, never a panic.
        for cut in [100, 4096, 8192, FIXTURE.len() / 2, FIXTURE.len() - 1] {
            let _ = packages(&FIXTURE[..cut]);
        }
        // Every byte of the schema page and the first table pages flipped in turn.
        let mut copy = FIXTURE.to_vec();
        for index in (0..copy.len().min(32 * 1024)).step_by(31) {
            let original = copy[index];
            copy[index] = original ^ 0xff;
            let _ = packages(&copy);
            copy[index] = original;
        }
        // A child pointer that loops back to the root page.
        let db = Database::open(FIXTURE).unwrap();
        let root = db.table_root("Packages").unwrap();
        let mut looped = FIXTURE.to_vec();
        let page = (root as usize - 1) * 4096;
        looped[page] = 0x05;
        looped[page + 8..page + 12].copy_from_slice(&root.to_be_bytes());
        looped[page + 3..page + 5].copy_from_slice(&0u16.to_be_bytes());
        let error = packages(&looped).unwrap_err().to_string();
        assert!(error.contains("cycle"), "{error}");
    }
}
