//! Go binaries: the build information the Go linker embeds (`runtime/debug.BuildInfo`), found by
//! its 16-byte-aligned header `\xff Go buildinf:` in the `.go.buildinfo` section (else anywhere
//! in the file). The header's flags say how the two strings (Go version, module information)
//! follow: since Go 1.18 inline, each a varint length and bytes; before, as pointers to Go string
//! headers, resolved through the loadable segments.
//!
//! The module information lists the main module (`mod`), dependencies (`dep`) and replacements
//! (`=>`, applying to the line before). Each becomes a package, plus `stdlib` at the Go version.
//! A module replaced by another module is listed as the replacement (that is the code built in);
//! one replaced by a local directory keeps its required version.

use super::bytes::{Endian, range, uvarint, word_at};
use super::elf::Elf;
use super::{Malformed, Package, PackageManager};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const FLAG_BIG_ENDIAN: u8 = 0x1;
const FLAG_INLINE_STRINGS: u8 = 0x2;
/// Longest version or module-information string read.
const MAX_STRING: u64 = 4 * 1024 * 1024;

/// The Go version and module information of a Go binary; `None` when it is not one.
pub(crate) fn build_info(elf: &Elf<'_>) -> Result<Option<(String, String)>, Malformed> {
    let data = elf.data;
    let start = match elf.section_at(".go.buildinfo").filter(|(_, s)| s.starts_with(MAGIC)) {
        Some((offset, _)) => usize::try_from(offset).map_err(|_| Malformed::new("section offset"))?,
        None => match memchr::memmem::find_iter(data, MAGIC).find(|at| at % 16 == 0) {
            Some(at) => at,
            None => return Ok(None),
        },
    };
    let header = range(data, start as u64, 32, "Go build info header")?;
    let pointer_size = header.get(14).copied().unwrap_or(0);
    let flags = header.get(15).copied().unwrap_or(0);
    if flags & FLAG_INLINE_STRINGS != 0 {
        let mut rest = data.get(start + 32..).unwrap_or_default();
        let version = inline_string(&mut rest)?;
        let modules = inline_string(&mut rest)?;
        return Ok(Some((version, modules)));
    }
    if !matches!(pointer_size, 4 | 8) {
        return Err(Malformed::new(format!("Go build info with pointer size {pointer_size}")));
    }
    let endian = if flags & FLAG_BIG_ENDIAN != 0 { Endian::Big } else { Endian::Little };
    let version_at = word_at(header, 16, pointer_size, endian, "version pointer")?;
    let modules_at = word_at(header, 16 + u64::from(pointer_size), pointer_size, endian, "module pointer")?;
    let version = pointed_string(elf, version_at, pointer_size, endian)?;
    let modules = pointed_string(elf, modules_at, pointer_size, endian)?;
    Ok(Some((version, modules)))
}

fn inline_string(rest: &mut &[u8]) -> Result<String, Malformed> {
    let (len, used) = uvarint(rest, "Go build info string length")?;
    if len > MAX_STRING {
        return Err(Malformed::new(format!("Go build info string of {len} bytes")));
    }
    let bytes = range(rest, used as u64, len, "Go build info string")?;
    let text = String::from_utf8_lossy(bytes).into_owned();
    *rest = rest.get(used + len as usize..).unwrap_or_default();
    Ok(text)
}

/// A Go string (data pointer, length) at virtual address `address`.
fn pointed_string(
    elf: &Elf<'_>,
    address: u64,
    pointer_size: u8,
    endian: Endian,
) -> Result<String, Malformed> {
    let header = elf.at_address(address, u64::from(pointer_size) * 2)?;
    let data = word_at(header, 0, pointer_size, endian, "string data pointer")?;
    let len = word_at(header, u64::from(pointer_size), pointer_size, endian, "string length")?;
    if len > MAX_STRING {
        return Err(Malformed::new(format!("Go build info string of {len} bytes")));
    }
    Ok(String::from_utf8_lossy(elf.at_address(data, len)?).into_owned())
}

/// `go1.21.3` → `1.21.3`, `go1.20` → `1.20.0`, `go1.22rc1` → `1.22.0-rc1`; `None` for
/// development builds.
pub(crate) fn stdlib_version(go: &str) -> Option<String> {
    let word = go.split_whitespace().next()?;
    let bare = word.strip_prefix("go")?;
    let split = bare.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(bare.len());
    let (number, pre) = bare.split_at(split);
    if number.is_empty() || !number.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut version = number.to_string();
    if number.matches('.').count() == 1 {
        version.push_str(".0");
    }
    if !pre.is_empty() {
        version.push('-');
        version.push_str(pre);
    }
    Some(version)
}

/// The packages of a Go binary: `stdlib` at its Go version, the main module and every dependency.
pub(crate) fn packages(go_version: &str, modules: &str) -> Vec<Package> {
    // The module information is framed by 16-byte sentinels since Go 1.13.
    let mut text = modules;
    if text.len() >= 33 && text.as_bytes().get(text.len() - 17) == Some(&b'\n') {
        text = text.get(16..text.len() - 16).unwrap_or(text);
    }
    let mut out = Vec::new();
    if let Some(version) = stdlib_version(go_version) {
        let mut stdlib = Package::new(PackageManager::Go, "stdlib", version);
        stdlib.inner_path = Some(go_version.trim().to_string());
        out.push(stdlib);
    }
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["mod" | "dep", path, version, ..] if !path.is_empty() => {
                let mut package = Package::new(PackageManager::Go, *path, *version);
                if fields.first() == Some(&"mod") {
                    package.inner_path = Some("main module".to_string());
                }
                out.push(package);
            }
            ["=>", path, version, ..] => {
                let Some(last) = out.last_mut() else { continue };
                if path.starts_with(['.', '/']) || version.is_empty() || *version == "(devel)" {
                    // A local directory: the module keeps its required version.
                    last.inner_path = Some(format!("replaced by {path}"));
                } else {
                    last.name = (*path).to_string();
                    last.version = (*version).to_string();
                    last.source_name = last.name.clone();
                    last.source_version = last.version.clone();
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::elf::tests::build;

    const MODULES: &str = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n\
                           dep\tgithub.com/gin-gonic/gin\tv1.9.1\th1:abc=\n\
                           dep\tgolang.org/x/net\tv0.10.0\th1:def=\n=>\tgolang.org/x/net\tv0.17.0\th1:ghi=\n\
                           dep\texample.com/local\tv0.0.0\n=>\t../local\t(devel)\t\nbuild\t-compiler=gc\n";

    fn summary(packages: &[Package]) -> Vec<(&str, &str)> {
        packages.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect()
    }

    #[test]
    fn module_information() {
        let framed = format!("{}{MODULES}{}", "0123456789abcdef", "fedcba9876543210");
        let expected = [
            ("stdlib", "1.21.3"),
            ("example.com/app", "(devel)"),
            ("github.com/gin-gonic/gin", "v1.9.1"),
            ("golang.org/x/net", "v0.17.0"),
            ("example.com/local", "v0.0.0"),
        ];
        assert_eq!(summary(&packages("go1.21.3", &framed)), expected);
        assert_eq!(summary(&packages("go1.21.3", MODULES)), expected);
        assert_eq!(stdlib_version("go1.20"), Some("1.20.0".into()));
        assert_eq!(stdlib_version("go1.22rc1"), Some("1.22.0-rc1".into()));
        assert_eq!(stdlib_version("go1.20.5 X:boringcrypto"), Some("1.20.5".into()));
        assert_eq!(stdlib_version("devel go1.23-abc"), None);
    }

    #[test]
    fn inline_and_pointer_formats() {
        // Go 1.18+: inline varint strings after the header.
        let mut section = MAGIC.to_vec();
        section.extend_from_slice(&[8, FLAG_INLINE_STRINGS]);
        section.resize(32, 0);
        for text in ["go1.22.1", MODULES] {
            let mut len = text.len();
            while len >= 0x80 {
                section.push((len as u8) | 0x80);
                len >>= 7;
            }
            section.push(len as u8);
            section.extend_from_slice(text.as_bytes());
        }
        let data = build(0x40_0000, &[(".text", b"code"), (".go.buildinfo", &section)]);
        let elf = Elf::parse(&data).unwrap();
        assert_eq!(build_info(&elf).unwrap(), Some(("go1.22.1".to_string(), MODULES.to_string())));

        // Before Go 1.18: pointers to string headers, resolved through the segment.
        let base = 0x40_0000u64;
        let mut strings = Vec::new();
        let version_at = strings.len() as u64;
        strings.extend_from_slice(b"go1.16.15");
        let modules_at = strings.len() as u64;
        strings.extend_from_slice(MODULES.as_bytes());
        let headers_at = strings.len() as u64;
        let data_probe = build(base, &[(".rodata", &strings), (".go.buildinfo", &[0u8; 48])]);
        let rodata = data_probe.windows(9).position(|w| w == b"go1.16.15").unwrap() as u64;
        let mut string_headers = Vec::new();
        for (at, len) in [(version_at, 9u64), (modules_at, MODULES.len() as u64)] {
            string_headers.extend_from_slice(&(base + rodata + at).to_le_bytes());
            string_headers.extend_from_slice(&len.to_le_bytes());
        }
        let mut with_headers = strings.clone();
        with_headers.extend_from_slice(&string_headers);
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&[8, 0]);
        header.extend_from_slice(&(base + rodata + headers_at).to_le_bytes());
        header.extend_from_slice(&(base + rodata + headers_at + 16).to_le_bytes());
        let data = build(base, &[(".rodata", &with_headers), (".go.buildinfo", &header)]);
        let elf = Elf::parse(&data).unwrap();
        assert_eq!(build_info(&elf).unwrap(), Some(("go1.16.15".to_string(), MODULES.to_string())));

        // A pointer outside every segment is an error, not a panic.
        let mut broken = header.clone();
        broken[16..24].copy_from_slice(&0xdead_0000u64.to_le_bytes());
        let data = build(base, &[(".rodata", &with_headers), (".go.buildinfo", &broken)]);
        assert!(build_info(&Elf::parse(&data).unwrap()).is_err());
        // A length past the end.
        let mut long = MAGIC.to_vec();
        long.extend_from_slice(&[8, FLAG_INLINE_STRINGS]);
        long.resize(32, 0);
        long.extend_from_slice(&[0xff, 0xff, 0x03]);
        let data = build(base, &[(".go.buildinfo", &long)]);
        assert!(build_info(&Elf::parse(&data).unwrap()).is_err());
        // No build info at all.
        assert_eq!(build_info(&Elf::parse(&build(base, &[(".text", b"x")])).unwrap()).unwrap(), None);
    }
}
