//! The content-addressed blob cache and the per-pull layout directories built from it.
//!
//! ```text
//! <cache>/blobs/sha256/<hex>      verified blobs (manifests, configs, layers)
//! <cache>/tmp/<hex>.<pid>.<n>     downloads in flight, renamed into blobs/ once verified
//! <cache>/layouts/pull-<pid>-<n>/ one OCI layout per open image: hard links into blobs/
//! ```

use crate::RegistryError;
use shipshape_image::{Digest, Hasher};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Leftovers of interrupted runs older than this are removed.
const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The default cache: `$SHIPSHAPE_IMAGE_CACHE` when set, else
/// `$XDG_CACHE_HOME/shipshape/images`, else `~/.cache/shipshape/images` (on Windows
/// `%LOCALAPPDATA%\shipshape\images`).
pub fn default_cache_dir() -> Option<PathBuf> {
    cache_dir_from(|name| std::env::var_os(name))
}

fn cache_dir_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("SHIPSHAPE_IMAGE_CACHE") {
        return Some(dir);
    }
    let cache = var("XDG_CACHE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| var("HOME").map(|home| home.join(".cache")))
        .or_else(|| var("LOCALAPPDATA"))?;
    Some(cache.join("shipshape").join("images"))
}

fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RegistryError + '_ {
    move |source| RegistryError::Io { path: path.to_path_buf(), source }
}

/// Verified blobs by digest.
#[derive(Debug)]
pub(crate) struct BlobStore {
    root: PathBuf,
    /// A store made for one pull (no cache): removed with the layout.
    temporary: bool,
}

impl BlobStore {
    /// The cache at `root`, created if needed; leftovers of interrupted runs are cleared.
    pub(crate) fn open(root: &Path) -> Result<BlobStore, RegistryError> {
        for dir in ["blobs", "tmp", "layouts"] {
            let path = root.join(dir);
            std::fs::create_dir_all(&path).map_err(io(&path))?;
        }
        for dir in ["tmp", "layouts"] {
            remove_stale(&root.join(dir));
        }
        Ok(BlobStore { root: root.to_path_buf(), temporary: false })
    }

    /// A store for one pull, in the system's temporary directory.
    pub(crate) fn temporary() -> Result<BlobStore, RegistryError> {
        let root = std::env::temp_dir().join(unique("shipshape-pull-"));
        for dir in ["blobs", "tmp"] {
            let path = root.join(dir);
            std::fs::create_dir_all(&path).map_err(io(&path))?;
        }
        Ok(BlobStore { root, temporary: true })
    }

    pub(crate) fn path(&self, digest: &Digest) -> PathBuf {
        self.root.join(digest.blob_path())
    }

    /// Whether the blob is here with the expected size (a blob cut short by a crash is not).
    pub(crate) fn has(&self, digest: &Digest, size: u64) -> bool {
        std::fs::metadata(self.path(digest)).is_ok_and(|m| m.is_file() && m.len() == size)
    }

    /// A small blob (a manifest) read whole and checked against its digest; `None` when absent,
    /// damaged or larger than `limit`.
    pub(crate) fn read_small(&self, digest: &Digest, limit: u64) -> Option<Vec<u8>> {
        let file = File::open(self.path(digest)).ok()?;
        let mut bytes = Vec::new();
        file.take(limit + 1).read_to_end(&mut bytes).ok()?;
        if bytes.len() as u64 > limit {
            return None;
        }
        let mut hasher = Hasher::new(digest.algorithm());
        hasher.update(&bytes);
        (&hasher.finish() == digest).then_some(bytes)
    }

    /// Stores verified bytes under their digest.
    pub(crate) fn put(&self, digest: &Digest, bytes: &[u8]) -> Result<(), RegistryError> {
        self.write(digest, &mut |out| out.write_all(bytes).map_err(io(Path::new("(blob cache)"))))
    }

    /// Writes a blob through `fill` into a temporary file and moves it into place only when
    /// `fill` succeeds (it verifies what it writes).
    pub(crate) fn write(
        &self,
        digest: &Digest,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let partial = self.root.join("tmp").join(unique(&format!("{}.", digest.hex())));
        let file = File::create(&partial).map_err(io(&partial))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let filled = fill(&mut out).and_then(|()| out.flush().map_err(io(&partial)));
        drop(out);
        if let Err(e) = filled {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        let target = self.path(digest);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::rename(&partial, &target).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            RegistryError::Io { path: target.clone(), source: e }
        })
    }

    /// A new, empty OCI layout directory for one image.
    pub(crate) fn layout(&self) -> Result<Layout, RegistryError> {
        if self.temporary {
            // Blobs are already under the root, which is removed with the layout.
            return Ok(Layout { dir: self.root.clone(), shares_store: true });
        }
        let dir = self.root.join("layouts").join(unique("pull-"));
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Layout { dir, shares_store: false })
    }
}

/// An OCI image layout directory, removed when dropped.
#[derive(Debug)]
pub(crate) struct Layout {
    pub(crate) dir: PathBuf,
    /// The layout is the store's own directory (no cache), so blobs are already in place.
    shares_store: bool,
}

impl Layout {
    /// Puts the stored blob `digest` into the layout: a hard link, else a copy.
    pub(crate) fn add(&self, store: &BlobStore, digest: &Digest) -> Result<(), RegistryError> {
        if self.shares_store {
            return Ok(());
        }
        let source = store.path(digest);
        let target = self.dir.join(digest.blob_path());
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        if target.exists() {
            return Ok(());
        }
        if std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target).map_err(io(&target))?;
        }
        Ok(())
    }

    /// Writes a file of the layout (`index.json`, `oci-layout`).
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> Result<(), RegistryError> {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).map_err(io(&path))
    }
}

impl Drop for Layout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes entries of `dir` not touched for [`STALE_AFTER`].
fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let path = entry.path();
            let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_directory() {
        let dir = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> =
                vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            cache_dir_from(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.into()))
                .map(|p| p.display().to_string())
        };
        assert_eq!(dir(&[("HOME", "/home/u")]).as_deref(), Some("/home/u/.cache/shipshape/images"));
        assert_eq!(
            dir(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "/c")]).as_deref(),
            Some("/c/shipshape/images")
        );
        assert_eq!(
            dir(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "rel")]).as_deref(),
            Some("/home/u/.cache/shipshape/images")
        );
        assert_eq!(dir(&[("SHIPSHAPE_IMAGE_CACHE", "/x"), ("HOME", "/h")]).as_deref(), Some("/x"));
        assert_eq!(dir(&[]), None);
    }

    #[test]
    fn failed_writes_leave_nothing_and_layouts_are_removed() {
        let root = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(root.path()).expect("open");
        let digest = Digest::sha256_of(b"hello");
        let failed = store.write(&digest, &mut |out| {
            out.write_all(b"hel").map_err(io(Path::new("x")))?;
            Err(RegistryError::Credentials("stop".into()))
        });
        assert!(failed.is_err());
        assert!(!store.has(&digest, 5));
        assert_eq!(std::fs::read_dir(root.path().join("tmp")).expect("tmp").count(), 0);
        store.put(&digest, b"hello").expect("put");
        assert!(store.has(&digest, 5));
        assert!(!store.has(&digest, 4));
        assert_eq!(store.read_small(&digest, 10).as_deref(), Some(&b"hello"[..]));
        assert_eq!(store.read_small(&digest, 4), None, "over the limit");
        std::fs::write(store.path(&digest), b"jello").expect("tamper");
        assert_eq!(store.read_small(&digest, 10), None, "a damaged blob is not trusted");
        let layout = store.layout().expect("layout");
        layout.add(&store, &digest).expect("link");
        let dir = layout.dir.clone();
        assert!(dir.join(digest.blob_path()).is_file());
        drop(layout);
        assert!(!dir.exists());
        assert!(store.path(&digest).exists(), "the cache keeps the blob");
    }
}
