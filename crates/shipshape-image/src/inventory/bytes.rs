//! Checked reads of fixed-width integers and ranges out of untrusted bytes.

use super::Malformed;

/// Byte order of a binary format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endian {
    Little,
    Big,
}

/// `len` bytes at `offset`, or an error naming `what`.
pub(crate) fn range<'a>(data: &'a [u8], offset: u64, len: u64, what: &str) -> Result<&'a [u8], Malformed> {
    let start = usize::try_from(offset).ok();
    let end = offset.checked_add(len).and_then(|end| usize::try_from(end).ok());
    match (start, end) {
        (Some(start), Some(end)) => data.get(start..end).ok_or_else(|| {
            Malformed::new(format!(
                "{what} at offset {offset} (+{len}) lies past the end ({} bytes)",
                data.len()
            ))
        }),
        _ => Err(Malformed::new(format!("{what}: offset {offset} out of range"))),
    }
}

fn array<const N: usize>(data: &[u8], offset: u64, what: &str) -> Result<[u8; N], Malformed> {
    let bytes = range(data, offset, N as u64, what)?;
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    Ok(out)
}

pub(crate) fn u16_at(data: &[u8], offset: u64, endian: Endian, what: &str) -> Result<u16, Malformed> {
    let bytes = array::<2>(data, offset, what)?;
    Ok(match endian {
        Endian::Little => u16::from_le_bytes(bytes),
        Endian::Big => u16::from_be_bytes(bytes),
    })
}

pub(crate) fn u32_at(data: &[u8], offset: u64, endian: Endian, what: &str) -> Result<u32, Malformed> {
    let bytes = array::<4>(data, offset, what)?;
    Ok(match endian {
        Endian::Little => u32::from_le_bytes(bytes),
        Endian::Big => u32::from_be_bytes(bytes),
    })
}

pub(crate) fn u64_at(data: &[u8], offset: u64, endian: Endian, what: &str) -> Result<u64, Malformed> {
    let bytes = array::<8>(data, offset, what)?;
    Ok(match endian {
        Endian::Little => u64::from_le_bytes(bytes),
        Endian::Big => u64::from_be_bytes(bytes),
    })
}

/// A pointer-sized value (4 or 8 bytes).
pub(crate) fn word_at(
    data: &[u8],
    offset: u64,
    size: u8,
    endian: Endian,
    what: &str,
) -> Result<u64, Malformed> {
    match size {
        4 => u32_at(data, offset, endian, what).map(u64::from),
        8 => u64_at(data, offset, endian, what),
        other => Err(Malformed::new(format!("{what}: unsupported word size {other}"))),
    }
}

/// An unsigned LEB128 varint (Go's `uvarint`): value and bytes used.
pub(crate) fn uvarint(data: &[u8], what: &str) -> Result<(u64, usize), Malformed> {
    let mut value: u64 = 0;
    for (index, byte) in data.iter().enumerate().take(10) {
        let shift = 7 * index as u32;
        let bits = u64::from(byte & 0x7f);
        if shift == 63 && bits > 1 {
            break;
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            return Ok((value, index + 1));
        }
    }
    Err(Malformed::new(format!("{what}: bad varint")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_reads() {
        let data = [1u8, 2, 3, 4, 5];
        assert_eq!(u16_at(&data, 0, Endian::Little, "x"), Ok(0x0201));
        assert_eq!(u32_at(&data, 1, Endian::Big, "x"), Ok(0x0203_0405));
        assert!(u32_at(&data, 2, Endian::Big, "x").is_err());
        assert!(range(&data, u64::MAX, 2, "x").is_err());
        assert!(u64_at(&data, 0, Endian::Little, "x").is_err());
        assert_eq!(uvarint(&[0xac, 0x02], "v"), Ok((300, 2)));
        assert!(uvarint(&[0xff; 11], "v").is_err());
        assert!(uvarint(&[], "v").is_err());
    }
}
