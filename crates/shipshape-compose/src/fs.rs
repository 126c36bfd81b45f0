//! The file system the loader reads through, so tests and fuzzers can supply files in memory.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Read access to files. Paths are passed as the loader builds them (joined lexically, not
/// canonicalised).
pub trait FileSystem: Sync {
    /// The bytes of a regular file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Whether `path` is an existing regular file.
    fn is_file(&self, path: &Path) -> bool;
    /// Whether `path` is an existing directory.
    fn is_dir(&self, path: &Path) -> bool;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsFs;

impl FileSystem for OsFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// The shared [`OsFs`] instance, for [`crate::LoadOptions`]' default.
pub static OS_FS: OsFs = OsFs;

/// An in-memory file system: a map from path to contents. Directories exist implicitly as the
/// parents of files.
#[derive(Debug, Clone, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemFs {
    /// An empty file system.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file; the path is normalised lexically (`./a/../b` is `b`).
    pub fn insert(&mut self, path: impl AsRef<Path>, contents: impl Into<Vec<u8>>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), contents.into());
        self
    }

    /// Builder form of [`MemFs::insert`].
    pub fn with(mut self, path: impl AsRef<Path>, contents: impl Into<Vec<u8>>) -> Self {
        self.insert(path, contents);
        self
    }
}

fn normalize(path: &Path) -> PathBuf {
    PathBuf::from(crate::syntax::clean_path(&path.to_string_lossy()))
}

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }

    fn is_dir(&self, path: &Path) -> bool {
        let dir = normalize(path);
        if dir.as_os_str() == "." {
            return true;
        }
        self.files.keys().any(|f| f.starts_with(&dir) && f != &dir)
    }
}

/// Decodes bytes as UTF-8, replacing each invalid byte with `?` so that offsets stay those of
/// the file on disk (see [`shipshape_model::SourceFile`]). Returns whether anything was replaced.
pub fn decode_lossy(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), false),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len());
            let mut rest = bytes;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(valid) => {
                        out.push_str(valid);
                        break;
                    }
                    Err(err) => {
                        let (valid, after) = rest.split_at(err.valid_up_to());
                        out.push_str(std::str::from_utf8(valid).unwrap_or(""));
                        let bad = err.error_len().unwrap_or(after.len()).max(1);
                        for _ in 0..bad.min(after.len()) {
                            out.push('?');
                        }
                        rest = after.get(bad..).unwrap_or(&[]);
                        if rest.is_empty() {
                            break;
                        }
                    }
                }
            }
            (out, true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_keeps_offsets() {
        let (text, replaced) = decode_lossy(b"a\xffb\xe2\x82c");
        assert!(replaced);
        assert_eq!(text, "a?b??c");
        assert_eq!(decode_lossy("é".as_bytes()), ("é".to_string(), false));
    }

    #[test]
    fn mem_fs() {
        let fs = MemFs::new().with("p/compose.yaml", "x").with("./p/sub/../.env", "A=1");
        assert!(fs.is_file(Path::new("p/.env")));
        assert!(fs.is_dir(Path::new("p")));
        assert!(!fs.is_dir(Path::new("q")));
        assert_eq!(fs.read(Path::new("p/./compose.yaml")).unwrap(), b"x");
    }
}
