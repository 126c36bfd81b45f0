//! Just enough ELF to find named sections and map virtual addresses to file offsets, for the
//! build data Go and cargo-auditable embed in executables. 32- and 64-bit, either byte order;
//! every table is checked against the file.

use super::Malformed;
use super::bytes::{Endian, range, u16_at, u32_at, word_at};

pub(crate) const MAGIC: &[u8] = b"\x7fELF";
const SECTION_NOBITS: u32 = 8;
const SEGMENT_LOAD: u32 = 1;

struct Section {
    name: Vec<u8>,
    kind: u32,
    offset: u64,
    size: u64,
}

struct Segment {
    address: u64,
    offset: u64,
    size: u64,
}

/// A parsed ELF file.
pub(crate) struct Elf<'a> {
    pub(crate) data: &'a [u8],
    sections: Vec<Section>,
    segments: Vec<Segment>,
}

impl<'a> Elf<'a> {
    pub(crate) fn parse(data: &'a [u8]) -> Result<Elf<'a>, Malformed> {
        if !data.starts_with(MAGIC) {
            return Err(Malformed::new("not an ELF file"));
        }
        let word = match data.get(4) {
            Some(1) => 4u8,
            Some(2) => 8u8,
            _ => return Err(Malformed::new("unknown ELF class")),
        };
        let endian = match data.get(5) {
            Some(1) => Endian::Little,
            Some(2) => Endian::Big,
            _ => return Err(Malformed::new("unknown ELF byte order")),
        };
        // Offsets of e_phoff, e_shoff and the 16-bit fields after e_flags.
        let (phoff_at, shoff_at, halves_at) = if word == 8 { (32, 40, 52) } else { (28, 32, 40) };
        let phoff = word_at(data, phoff_at, word, endian, "e_phoff")?;
        let shoff = word_at(data, shoff_at, word, endian, "e_shoff")?;
        let phentsize = u64::from(u16_at(data, halves_at + 2, endian, "e_phentsize")?);
        let phnum = u64::from(u16_at(data, halves_at + 4, endian, "e_phnum")?);
        let shentsize = u64::from(u16_at(data, halves_at + 6, endian, "e_shentsize")?);
        let shnum = u64::from(u16_at(data, halves_at + 8, endian, "e_shnum")?);
        let shstrndx = u64::from(u16_at(data, halves_at + 10, endian, "e_shstrndx")?);

        let mut segments = Vec::new();
        if phoff != 0 && phentsize >= if word == 8 { 56 } else { 32 } {
            for index in 0..phnum {
                let Ok(entry) =
                    range(data, phoff.saturating_add(index * phentsize), phentsize, "program header")
                else {
                    break;
                };
                if u32_at(entry, 0, endian, "p_type")? != SEGMENT_LOAD {
                    continue;
                }
                let (offset, address, size) = if word == 8 {
                    (
                        word_at(entry, 8, 8, endian, "p_offset")?,
                        word_at(entry, 16, 8, endian, "p_vaddr")?,
                        word_at(entry, 32, 8, endian, "p_filesz")?,
                    )
                } else {
                    (
                        word_at(entry, 4, 4, endian, "p_offset")?,
                        word_at(entry, 8, 4, endian, "p_vaddr")?,
                        word_at(entry, 16, 4, endian, "p_filesz")?,
                    )
                };
                segments.push(Segment { address, offset, size });
            }
        }

        let mut raw = Vec::new();
        if shoff != 0 && shentsize >= if word == 8 { 64 } else { 40 } {
            for index in 0..shnum {
                let Ok(entry) =
                    range(data, shoff.saturating_add(index * shentsize), shentsize, "section header")
                else {
                    break;
                };
                let name = u32_at(entry, 0, endian, "sh_name")?;
                let kind = u32_at(entry, 4, endian, "sh_type")?;
                let offset = word_at(entry, if word == 8 { 24 } else { 16 }, word, endian, "sh_offset")?;
                let size = word_at(entry, if word == 8 { 32 } else { 20 }, word, endian, "sh_size")?;
                raw.push((name, kind, offset, size));
            }
        }
        let names = raw
            .get(shstrndx as usize)
            .and_then(|&(_, _, offset, size)| range(data, offset, size, "section names").ok())
            .unwrap_or_default();
        let sections = raw
            .into_iter()
            .map(|(name, kind, offset, size)| {
                let from = names.get(name as usize..).unwrap_or_default();
                let end = memchr::memchr(0, from).unwrap_or(0);
                Section { name: from.get(..end).unwrap_or_default().to_vec(), kind, offset, size }
            })
            .collect();
        Ok(Elf { data, sections, segments })
    }

    /// The contents of the section called `name`, when it exists and lies in the file.
    pub(crate) fn section(&self, name: &str) -> Option<&'a [u8]> {
        self.section_at(name).map(|(_, contents)| contents)
    }

    /// The file offset and contents of the section called `name`.
    pub(crate) fn section_at(&self, name: &str) -> Option<(u64, &'a [u8])> {
        let section = self.sections.iter().find(|s| s.name == name.as_bytes() && s.kind != SECTION_NOBITS)?;
        Some((section.offset, range(self.data, section.offset, section.size, "section").ok()?))
    }

    /// `len` bytes at virtual address `address`, from the loadable segment holding them.
    pub(crate) fn at_address(&self, address: u64, len: u64) -> Result<&'a [u8], Malformed> {
        let segment = self
            .segments
            .iter()
            .find(|s| address >= s.address && address.saturating_add(len) <= s.address.saturating_add(s.size))
            .ok_or_else(|| Malformed::new(format!("address {address:#x} is in no loaded segment")))?;
        range(self.data, segment.offset + (address - segment.address), len, "segment data")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A little-endian 64-bit ELF file with one loadable segment covering the whole file at
    /// `base` and the given sections (name, contents).
    pub(crate) fn build(base: u64, sections: &[(&str, &[u8])]) -> Vec<u8> {
        let mut data = vec![0u8; 64 + 56];
        data[..4].copy_from_slice(MAGIC);
        data[4] = 2;
        data[5] = 1;
        data[6] = 1;
        let mut bodies = Vec::new();
        let mut names = vec![0u8];
        for (name, body) in sections {
            let name_at = names.len() as u32;
            names.extend_from_slice(name.as_bytes());
            names.push(0);
            while !data.len().is_multiple_of(16) {
                data.push(0);
            }
            bodies.push((name_at, data.len() as u64, body.len() as u64));
            data.extend_from_slice(body);
        }
        let names_at = data.len() as u64;
        bodies.push((names.len() as u32, names_at, 0));
        let shstr_name = names.len() as u32;
        names.extend_from_slice(b".shstrtab\0");
        data.extend_from_slice(&names);
        let last = bodies.len() - 1;
        bodies[last] = (shstr_name, names_at, names.len() as u64);
        while !data.len().is_multiple_of(8) {
            data.push(0);
        }
        let shoff = data.len() as u64;
        data.extend_from_slice(&[0u8; 64]);
        for (name, offset, size) in &bodies {
            let mut entry = [0u8; 64];
            entry[0..4].copy_from_slice(&name.to_le_bytes());
            entry[4..8].copy_from_slice(&1u32.to_le_bytes());
            entry[16..24].copy_from_slice(&(base + offset).to_le_bytes());
            entry[24..32].copy_from_slice(&offset.to_le_bytes());
            entry[32..40].copy_from_slice(&size.to_le_bytes());
            data.extend_from_slice(&entry);
        }
        let file_len = data.len() as u64;
        data[32..40].copy_from_slice(&64u64.to_le_bytes());
        data[40..48].copy_from_slice(&shoff.to_le_bytes());
        data[54..56].copy_from_slice(&56u16.to_le_bytes());
        data[56..58].copy_from_slice(&1u16.to_le_bytes());
        data[58..60].copy_from_slice(&64u16.to_le_bytes());
        data[60..62].copy_from_slice(&((bodies.len() + 1) as u16).to_le_bytes());
        data[62..64].copy_from_slice(&((bodies.len()) as u16).to_le_bytes());
        let ph = 64;
        data[ph..ph + 4].copy_from_slice(&SEGMENT_LOAD.to_le_bytes());
        data[ph + 16..ph + 24].copy_from_slice(&base.to_le_bytes());
        data[ph + 32..ph + 40].copy_from_slice(&file_len.to_le_bytes());
        data
    }

    #[test]
    fn sections_and_addresses() {
        let data = build(0x40_0000, &[(".note", b"hello"), (".data", b"world!")]);
        let elf = Elf::parse(&data).unwrap();
        assert_eq!(elf.section(".data"), Some(&b"world!"[..]));
        assert_eq!(elf.section(".nope"), None);
        let offset = data.windows(6).position(|w| w == b"world!").unwrap() as u64;
        assert_eq!(elf.at_address(0x40_0000 + offset, 5).unwrap(), b"world");
        assert!(elf.at_address(0x10, 1).is_err());
        assert!(Elf::parse(b"\x7fELF").is_err());
        // Truncated section table: no sections, no panic.
        let cut = Elf::parse(&data[..data.len() - 10]).unwrap();
        assert!(cut.section(".shstrtab").is_none() || cut.section(".data").is_some());
    }
}
