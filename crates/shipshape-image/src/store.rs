//! Where an image's files live: a directory (OCI layout, extracted `docker save`) or a tar archive
//! read in place.
//!
//! A tar archive is scanned once, seeking over member data, and each member's offset and size
//! is recorded; a blob is then read straight from its offset, so nothing is ever extracted.
//! Symbolic and hard links between members (legacy `docker save` links duplicate `layer.tar`s)
//! are followed inside the archive. In a directory, names are checked so that neither `..` nor
//! a symbolic link leads outside it.

use crate::error::ImageError;
use crate::limits::Limits;
use crate::tar_stream::{Seekable, TarKind, TarLimits, TarReader};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A member of an archive: where its data is, or what it links to.
#[derive(Debug, Clone)]
pub(crate) enum Member {
    File { offset: u64, size: u64 },
    Symlink(String),
    HardLink(String),
    Other,
}

/// The container of an image's files.
#[derive(Debug)]
pub(crate) enum Store {
    Dir { root: PathBuf, canonical: PathBuf },
    Tar { path: PathBuf, len: u64, members: HashMap<String, Member> },
}

/// A blob opened for reading, with its length.
pub(crate) struct Blob {
    pub(crate) reader: Box<dyn Read + Send>,
    pub(crate) size: u64,
}

/// Normalises a member name: `./a//b/` → `a/b`; `..` steps up, never above the top.
pub(crate) fn normalize_member(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The directory part of a normalised member name (`a/b` → `a`, `b` → ``).
fn member_dir(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(dir, _)| dir)
}

impl Store {
    /// Opens `path`: a directory as is, a file as a tar archive (scanned once).
    pub(crate) fn open(path: &Path, limits: &Limits) -> Result<Store, ImageError> {
        let meta = std::fs::metadata(path).map_err(|e| ImageError::io(path, e))?;
        if meta.is_dir() {
            let canonical = path.canonicalize().map_err(|e| ImageError::io(path, e))?;
            return Ok(Store::Dir { root: path.to_path_buf(), canonical });
        }
        let mut file = File::open(path).map_err(|e| ImageError::io(path, e))?;
        let len = meta.len();
        let mut magic = [0u8; 4];
        let got = read_up_to(&mut file, &mut magic).map_err(|e| ImageError::io(path, e))?;
        let compressed = match magic.get(..got).unwrap_or_default() {
            [0x1f, 0x8b, ..] => Some("gzip"),
            [0x28, 0xb5, 0x2f, 0xfd] => Some("zstd"),
            [b'B', b'Z', b'h', ..] => Some("bzip2"),
            [0xfd, b'7', b'z', b'X'] => Some("xz"),
            _ => None,
        };
        if let Some(kind) = compressed {
            return Err(ImageError::NotAnImage {
                path: path.to_path_buf(),
                reason: format!(
                    "the archive is {kind}-compressed; decompress it first (an image archive is read in place, \
                     which needs a plain tar)"
                ),
            });
        }
        file.seek(SeekFrom::Start(0)).map_err(|e| ImageError::io(path, e))?;
        let input = Seekable { inner: BufReader::with_capacity(16 * 1024, file), pos: 0, len };
        let mut reader = TarReader::new(input, TarLimits { max_metadata: limits.max_metadata_bytes });
        let mut members = HashMap::new();
        let location = path.display().to_string();
        loop {
            let header = match reader.next_entry() {
                Ok(Some(header)) => header,
                Ok(None) => break,
                Err(e) => {
                    let message = if members.is_empty() {
                        format!("not a tar archive ({e})")
                    } else {
                        format!("damaged archive: {e}")
                    };
                    return Err(ImageError::NotAnImage { path: path.to_path_buf(), reason: message });
                }
            };
            if members.len() >= limits.max_archive_members {
                return Err(ImageError::LimitExceeded {
                    location,
                    what: "the number of archive members".into(),
                    limit: limits.max_archive_members as u64,
                });
            }
            let name = normalize_member(&String::from_utf8_lossy(&header.path));
            let link = || header.link.as_deref().map(|l| String::from_utf8_lossy(l).into_owned());
            let member = match header.kind {
                TarKind::Regular => Member::File { offset: header.data_offset, size: header.size },
                TarKind::Symlink => Member::Symlink(link().unwrap_or_default()),
                TarKind::HardLink => Member::HardLink(normalize_member(&link().unwrap_or_default())),
                _ => Member::Other,
            };
            members.insert(name, member);
        }
        if members.is_empty() {
            return Err(ImageError::NotAnImage {
                path: path.to_path_buf(),
                reason: "empty or not a tar archive".into(),
            });
        }
        Ok(Store::Tar { path: path.to_path_buf(), len, members })
    }

    /// The path given for the image, for messages.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Store::Dir { root, .. } => root,
            Store::Tar { path, .. } => path,
        }
    }

    /// Whether the store is a tar archive (as opposed to a directory).
    pub(crate) fn is_archive(&self) -> bool {
        matches!(self, Store::Tar { .. })
    }

    /// Follows links from `name` to a member with data: `(offset, size)`.
    fn locate(members: &HashMap<String, Member>, name: &str) -> Option<(u64, u64)> {
        let mut current = normalize_member(name);
        for _ in 0..16 {
            match members.get(&current)? {
                Member::File { offset, size } => return Some((*offset, *size)),
                Member::HardLink(target) => current = target.clone(),
                Member::Symlink(target) => {
                    current = if target.starts_with('/') {
                        normalize_member(target)
                    } else {
                        normalize_member(&format!("{}/{target}", member_dir(&current)))
                    };
                }
                Member::Other => return None,
            }
        }
        None
    }

    /// The path of `name` inside a directory store, refusing names that leave it.
    fn dir_path(root: &Path, canonical: &Path, name: &str) -> Option<PathBuf> {
        if name.starts_with('/') || name.split('/').any(|p| p == "..") {
            return None;
        }
        let joined = root.join(normalize_member(name));
        let real = joined.canonicalize().ok()?;
        real.starts_with(canonical).then_some(real)
    }

    /// Whether `name` exists (as a readable file).
    pub(crate) fn exists(&self, name: &str) -> bool {
        match self {
            Store::Dir { root, canonical } => {
                Self::dir_path(root, canonical, name).is_some_and(|p| p.is_file())
            }
            Store::Tar { members, .. } => Self::locate(members, name).is_some(),
        }
    }

    /// Opens `name` for streaming. `None` when it does not exist.
    pub(crate) fn open_blob(&self, name: &str) -> Result<Option<Blob>, ImageError> {
        match self {
            Store::Dir { root, canonical } => {
                let Some(path) = Self::dir_path(root, canonical, name) else { return Ok(None) };
                if !path.is_file() {
                    return Ok(None);
                }
                let file = File::open(&path).map_err(|e| ImageError::io(&path, e))?;
                let size = file.metadata().map_err(|e| ImageError::io(&path, e))?.len();
                Ok(Some(Blob { reader: Box::new(file.take(size)), size }))
            }
            Store::Tar { path, len, members } => {
                let Some((offset, size)) = Self::locate(members, name) else { return Ok(None) };
                if offset.saturating_add(size) > *len {
                    return Err(ImageError::invalid(
                        path.display().to_string(),
                        format!(
                            "archive truncated: member `{name}` ends at byte {} but the file has {len}",
                            offset.saturating_add(size)
                        ),
                    ));
                }
                let mut file = File::open(path).map_err(|e| ImageError::io(path, e))?;
                file.seek(SeekFrom::Start(offset)).map_err(|e| ImageError::io(path, e))?;
                Ok(Some(Blob { reader: Box::new(file.take(size)), size }))
            }
        }
    }

    /// Reads a small member (JSON) whole, refusing one over `limit` bytes.
    pub(crate) fn read_small(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, ImageError> {
        let Some(blob) = self.open_blob(name)? else { return Ok(None) };
        let location = self.path().display().to_string();
        if blob.size > limit {
            return Err(ImageError::LimitExceeded {
                location,
                what: format!("`{name}` ({} bytes)", blob.size),
                limit,
            });
        }
        let mut data = Vec::with_capacity(usize::try_from(blob.size).unwrap_or(0));
        let mut reader = blob.reader;
        reader.read_to_end(&mut data).map_err(|e| ImageError::io(self.path().join(name), e))?;
        if (data.len() as u64) != blob.size {
            return Err(ImageError::invalid(location, format!("`{name}` is truncated")));
        }
        Ok(Some(data))
    }

    /// The names of the members (archive) under `dir`, for messages and detection.
    #[cfg(test)]
    pub(crate) fn member_names(&self) -> Vec<String> {
        match self {
            Store::Dir { .. } => Vec::new(),
            Store::Tar { members, .. } => {
                let mut names: Vec<String> = members.keys().cloned().collect();
                names.sort();
                names
            }
        }
    }
}

/// Reads up to `buf.len()` bytes, stopping only at the end of input.
pub(crate) fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let Some(rest) = buf.get_mut(filled..) else { break };
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_normalise() {
        assert_eq!(normalize_member("./a//b/"), "a/b");
        assert_eq!(normalize_member("../../etc/passwd"), "etc/passwd");
        assert_eq!(normalize_member("a/./b/../c"), "a/c");
        assert_eq!(member_dir("a/b/layer.tar"), "a/b");
        assert_eq!(member_dir("x"), "");
    }

    #[test]
    fn archive_links_are_followed() {
        let mut b = ::tar::Builder::new(Vec::new());
        let mut h = ::tar::Header::new_ustar();
        h.set_size(3);
        b.append_data(&mut h, "aaa/layer.tar", &b"abc"[..]).unwrap();
        let mut h = ::tar::Header::new_ustar();
        h.set_entry_type(::tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "bbb/layer.tar", "../aaa/layer.tar").unwrap();
        let mut h = ::tar::Header::new_ustar();
        h.set_entry_type(::tar::EntryType::Link);
        h.set_size(0);
        b.append_link(&mut h, "ccc/layer.tar", "bbb/layer.tar").unwrap();
        let mut h = ::tar::Header::new_ustar();
        h.set_entry_type(::tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "loop", "loop").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tar");
        std::fs::write(&path, b.into_inner().unwrap()).unwrap();
        let store = Store::open(&path, &Limits::default()).unwrap();
        assert_eq!(store.member_names(), ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar", "loop"]);
        for name in ["aaa/layer.tar", "bbb/layer.tar", "./ccc/layer.tar"] {
            assert_eq!(store.read_small(name, 10).unwrap().unwrap(), b"abc", "{name}");
        }
        assert!(store.read_small("loop", 10).unwrap().is_none());
        assert!(store.read_small("missing", 10).unwrap().is_none());
        assert!(matches!(store.read_small("aaa/layer.tar", 2), Err(ImageError::LimitExceeded { .. })));
    }

    #[test]
    fn directory_names_cannot_escape() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("layout");
        std::fs::create_dir_all(inner.join("blobs")).unwrap();
        std::fs::write(dir.path().join("secret"), b"x").unwrap();
        std::fs::write(inner.join("blobs/ok"), b"ok").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret"), inner.join("blobs/escape")).unwrap();
        let store = Store::open(&inner, &Limits::default()).unwrap();
        assert!(store.exists("blobs/ok"));
        assert!(!store.exists("../secret"));
        assert!(!store.exists("/etc/passwd"));
        assert!(!store.exists("blobs/escape"));
        assert!(store.open_blob("blobs/escape").unwrap().is_none());
    }
}
