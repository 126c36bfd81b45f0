//! One pass over every layer: the file view is built, digests are verified, a [`Visitor`] sees
//! every entry of every layer (regular files with their content, capped), and the files asked
//! for in [`WalkOptions::capture`] are kept, every version of them, for reading from the final
//! view afterwards.

use crate::error::ImageError;
use crate::fs::{AnomalyKind, Applied, ContentRef, FileEntry, FileKind, Filesystem};
use crate::layer::{Budget, EntryError, Layer, LayerStats, layer_location, stream_layer};
use crate::tar_stream::TarHeader;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{self, Cursor, Read};

/// What a [`Visitor`] method returns; an error stops the walk ([`ImageError::Visitor`]).
pub type VisitResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// An entry as a layer wrote it.
#[derive(Debug, Clone, Copy)]
pub struct VisitEntry<'a> {
    /// The layer being streamed.
    pub layer: &'a Layer,
    /// Where the entry landed in the view (absolute, symbolic links in its parent path followed).
    pub path: &'a str,
    /// The path as stored in the tar stream (lossy UTF-8).
    pub stored_path: &'a str,
    /// Its metadata.
    pub entry: &'a FileEntry,
}

/// Sees an image's layers as they stream, bottom layer first. Every method has a default that
/// does nothing.
///
/// A layer's digests are checked when its stream ends, so what a visitor saw of a layer is
/// trustworthy only once [`Visitor::layer_end`] is called for it (and the walk as a whole only
/// when [`crate::Image::walk`] returns `Ok`). Whether a file survives to the final view is known
/// after the walk: [`Filesystem::fate`] tells, for the `(layer, path)` a visitor saw.
pub trait Visitor {
    /// A layer starts streaming.
    fn layer_start(&mut self, layer: &Layer) -> VisitResult {
        let _ = layer;
        Ok(())
    }

    /// A regular file. `content` yields at most [`WalkOptions::max_file_bytes`] bytes (compare
    /// with `file.entry.size`); what the visitor leaves unread is skipped.
    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        let _ = (file, content);
        Ok(())
    }

    /// Any other entry: directory, symbolic or hard link, device, FIFO.
    fn entry(&mut self, entry: &VisitEntry<'_>) -> VisitResult {
        let _ = entry;
        Ok(())
    }

    /// A whiteout removed `target` (or, when `opaque`, emptied directory `target`) of lower layers.
    fn whiteout(&mut self, layer: &Layer, target: &str, opaque: bool) -> VisitResult {
        let _ = (layer, target, opaque);
        Ok(())
    }

    /// A layer ended and its digests matched.
    fn layer_end(&mut self, layer: &Layer, stats: &LayerStats) -> VisitResult {
        let _ = (layer, stats);
        Ok(())
    }
}

/// The visitor that does nothing: for walks that only build the view and capture files.
impl Visitor for () {}

/// Options of a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkOptions {
    /// Most bytes of one file a visitor can read (default 1 MiB).
    pub max_file_bytes: u64,
    /// Files to keep for reading from the final view: absolute paths (`/etc/os-release`) or
    /// every file of a directory (`/var/lib/dpkg/status.d/*`). Every version a layer writes is
    /// kept (so databases can be compared across layers), within the budgets below.
    pub capture: Vec<String>,
    /// Most bytes kept of one captured file (default 32 MiB); longer files are marked truncated.
    pub max_capture_file_bytes: u64,
    /// Most bytes kept of all captured files (default 256 MiB); older versions of a path are
    /// dropped first.
    pub max_capture_total_bytes: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        Self {
            max_file_bytes: 1024 * 1024,
            capture: Vec::new(),
            max_capture_file_bytes: 32 * 1024 * 1024,
            max_capture_total_bytes: 256 * 1024 * 1024,
        }
    }
}

/// One version of a captured file: what one layer wrote at that path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFile {
    /// The layer that wrote it.
    pub layer: usize,
    /// Its path in the view.
    pub path: String,
    /// Its size according to the tar header.
    pub size: u64,
    /// Its bytes, up to [`WalkOptions::max_capture_file_bytes`].
    pub data: Vec<u8>,
    /// Whether `data` is shorter than the file.
    pub truncated: bool,
}

/// The captured files of a walk, every version of each path in layer order.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    versions: BTreeMap<String, Vec<CapturedFile>>,
    total: u64,
}

impl Captured {
    /// Every version of `path` kept, bottom layer first.
    pub fn versions(&self, path: &str) -> &[CapturedFile] {
        self.versions.get(path).map_or(&[], Vec::as_slice)
    }

    /// The version a content reference points at.
    pub fn get(&self, content: &ContentRef) -> Option<&CapturedFile> {
        self.versions(&content.path).iter().rev().find(|v| v.layer == content.layer)
    }

    /// Paths with at least one version kept.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.versions.keys().map(String::as_str)
    }

    /// Bytes kept.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// Keeps a version; makes room by dropping superseded versions (oldest first). `false` when
    /// it does not fit even then.
    fn store(&mut self, file: CapturedFile, budget: u64) -> bool {
        let size = file.data.len() as u64;
        while self.total + size > budget {
            let oldest = self
                .versions
                .iter()
                .filter(|(_, versions)| versions.len() > 1)
                .filter_map(|(path, versions)| versions.first().map(|v| (v.layer, path.clone())))
                .min();
            let Some((_, path)) = oldest else { return false };
            if let Some(versions) = self.versions.get_mut(&path)
                && !versions.is_empty()
            {
                let dropped = versions.remove(0);
                self.total -= dropped.data.len() as u64;
            }
        }
        self.total += size;
        let versions = self.versions.entry(file.path.clone()).or_default();
        // A layer writing the same path twice: the later entry is what the layer leaves.
        if let Some(last) = versions.last_mut()
            && last.layer == file.layer
        {
            self.total -= last.data.len() as u64;
            *last = file;
        } else {
            versions.push(file);
        }
        true
    }
}

/// The result of a walk.
#[derive(Debug, Clone)]
pub struct Walk {
    /// The final view, with shadowed entries and anomalies.
    pub filesystem: Filesystem,
    /// The captured files.
    pub captured: Captured,
    /// What streaming each layer measured, in layer order.
    pub layers: Vec<LayerStats>,
}

/// A file read from the final view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalFile {
    /// The path asked for (a directory pattern's match for `dir/*` requests).
    pub requested: String,
    /// Where it resolved to, symbolic links followed.
    pub path: String,
    /// The layer whose bytes these are.
    pub layer: usize,
    /// Its size according to the tar header.
    pub size: u64,
    /// Its bytes, up to the capture limit.
    pub data: Vec<u8>,
    /// Whether `data` is shorter than the file.
    pub truncated: bool,
}

/// Which captured paths a walk keeps.
pub(crate) struct CaptureSpec {
    exact: Vec<String>,
    dirs: Vec<String>,
    /// Where the requests resolve in the current view (links followed), and the view generation
    /// this was computed for.
    resolved_exact: HashSet<String>,
    resolved_dirs: HashSet<String>,
    generation: Option<u64>,
}

impl CaptureSpec {
    pub(crate) fn new(patterns: &[String]) -> Self {
        let mut exact = Vec::new();
        let mut dirs = Vec::new();
        for pattern in patterns {
            match pattern.strip_suffix("/*") {
                Some(dir) => dirs.push(normalize_abs(dir)),
                None => exact.push(normalize_abs(pattern)),
            }
        }
        Self {
            resolved_exact: exact.iter().cloned().collect(),
            resolved_dirs: dirs.iter().cloned().collect(),
            exact,
            dirs,
            generation: None,
        }
    }

    fn refresh(&mut self, fs: &Filesystem) {
        if self.generation == Some(fs.generation()) {
            return;
        }
        self.generation = Some(fs.generation());
        self.resolved_exact = self.exact.iter().cloned().collect();
        self.resolved_exact.extend(self.exact.iter().filter_map(|p| fs.resolve_path(p)));
        self.resolved_dirs = self.dirs.iter().cloned().collect();
        self.resolved_dirs.extend(self.dirs.iter().filter_map(|p| fs.resolve_path(p)));
    }

    fn wants(&mut self, path: &str, fs: &Filesystem) -> bool {
        if self.exact.is_empty() && self.dirs.is_empty() {
            return false;
        }
        self.refresh(fs);
        self.resolved_exact.contains(path) || parent(path).is_some_and(|p| self.resolved_dirs.contains(p))
    }
}

fn parent(path: &str) -> Option<&str> {
    match path.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => path.get(..i),
        None => None,
    }
}

/// `a/b/` → `/a/b`.
pub(crate) fn normalize_abs(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    format!("/{}", parts.join("/"))
}

/// Remembers the first read error, so a stream failure is reported as one even when the
/// visitor wraps it in its own error.
struct Recording<R> {
    inner: R,
    error: Option<io::Error>,
}

impl<R: Read> Read for Recording<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.error.get_or_insert(e);
                Err(copy)
            }
        }
    }
}

fn visitor_error(location: &str, path: &str, source: Box<dyn std::error::Error + Send + Sync>) -> ImageError {
    ImageError::Visitor { location: location.to_string(), path: path.to_string(), source }
}

/// Everything one walk needs from the image.
pub(crate) struct WalkInput<'a> {
    pub(crate) store: &'a crate::store::Store,
    pub(crate) location: &'a str,
    pub(crate) layers: &'a [Layer],
    pub(crate) limits: &'a crate::Limits,
}

/// Streams every layer once.
pub(crate) fn walk(
    input: &WalkInput<'_>,
    options: &WalkOptions,
    visitor: &mut dyn Visitor,
) -> Result<Walk, ImageError> {
    let mut fs = Filesystem::new(input.limits);
    let mut captured = Captured::default();
    let mut spec = CaptureSpec::new(&options.capture);
    let mut budget = Budget::new(input.limits);
    let mut stats = Vec::with_capacity(input.layers.len());
    for layer in input.layers {
        let location = layer_location(input.location, layer);
        visitor.layer_start(layer).map_err(|e| visitor_error(&location, "", e))?;
        let mut budget_warned = false;
        let mut handler = |header: &TarHeader, data: &mut dyn Read| -> Result<(), EntryError> {
            let (path, entry) = match fs.apply(layer.index, header) {
                Applied::Skipped => return Ok(()),
                Applied::Whiteout { target, opaque } => {
                    return visitor
                        .whiteout(layer, &target, opaque)
                        .map_err(|e| visitor_error(&location, &target, e).into());
                }
                Applied::Added { path, entry } => (path, entry),
            };
            let stored = String::from_utf8_lossy(&header.path);
            let visit = VisitEntry { layer, path: &path, stored_path: &stored, entry: &entry };
            if entry.kind != FileKind::Regular {
                return visitor.entry(&visit).map_err(|e| visitor_error(&location, &path, e).into());
            }
            let mut kept = Vec::new();
            if spec.wants(&path, &fs) {
                data.take(options.max_capture_file_bytes).read_to_end(&mut kept)?;
                let file = CapturedFile {
                    layer: layer.index,
                    path: path.clone(),
                    size: entry.size,
                    truncated: entry.size > kept.len() as u64,
                    data: kept.clone(),
                };
                if !captured.store(file, options.max_capture_total_bytes) && !budget_warned {
                    budget_warned = true;
                    fs.note(
                        Some(layer.index),
                        AnomalyKind::CaptureBudget,
                        format!(
                            "capture budget of {} bytes exhausted at {path}",
                            options.max_capture_total_bytes
                        ),
                    );
                }
            }
            let shown = usize::try_from(options.max_file_bytes).unwrap_or(usize::MAX).min(kept.len());
            let head = kept.get(..shown).unwrap_or_default();
            let more = if (kept.len() as u64) < options.max_file_bytes && (kept.len() as u64) < entry.size {
                options.max_file_bytes - kept.len() as u64
            } else {
                0
            };
            let mut content = Recording { inner: Cursor::new(head).chain(data.take(more)), error: None };
            let result = visitor.file(&visit, &mut content);
            if let Some(error) = content.error {
                return Err(EntryError::Read(error));
            }
            result.map_err(|e| visitor_error(&location, &path, e).into())
        };
        let layer_stats = stream_layer(
            input.store,
            input.location,
            layer,
            input.limits.max_metadata_bytes,
            &mut budget,
            &mut handler,
        )?;
        if layer_stats.media_type_mismatch {
            fs.note(
                Some(layer.index),
                AnomalyKind::CompressionMismatch,
                format!(
                    "media type `{}` does not match the content ({})",
                    layer.media_type.as_deref().unwrap_or(""),
                    layer_stats.compression
                ),
            );
        }
        visitor.layer_end(layer, &layer_stats).map_err(|e| visitor_error(&location, "", e))?;
        stats.push(layer_stats);
    }
    fs.finish();
    Ok(Walk { filesystem: fs, captured, layers: stats })
}

/// Reads files from the final view: captured ones from the walk, the rest by streaming again
/// only the layers that hold them (needed when a symbolic link made a path resolve to a file
/// that was not captured, or the capture budget ran out).
pub(crate) fn final_files(
    input: &WalkInput<'_>,
    walk: &Walk,
    requests: &[&str],
) -> Result<Vec<FinalFile>, ImageError> {
    let fs = &walk.filesystem;
    // (requested, resolved path, entry) for every file asked for that exists.
    let mut found: Vec<(String, String, &FileEntry)> = Vec::new();
    for request in requests {
        match request.strip_suffix("/*") {
            Some(dir) => {
                let Some((dir_path, dir_entry)) = fs.resolve(dir) else { continue };
                if dir_entry.kind != FileKind::Directory {
                    continue;
                }
                // Named under the directory as asked, even when it is a link to another one.
                let asked = normalize_abs(dir);
                for (child, _) in fs.children(&dir_path) {
                    let name = child.rsplit('/').next().unwrap_or(child);
                    if let Some((path, entry)) = fs.resolve(child) {
                        found.push((format!("{}/{name}", asked.trim_end_matches('/')), path, entry));
                    }
                }
            }
            None => {
                if let Some((path, entry)) = fs.resolve(request) {
                    found.push((normalize_abs(request), path, entry));
                }
            }
        }
    }
    found.retain(|(_, _, entry)| {
        matches!(entry.kind, FileKind::Regular | FileKind::HardLink) && entry.content.is_some()
    });
    let missing: BTreeSet<ContentRef> = found
        .iter()
        .filter_map(|(_, _, entry)| entry.content.clone())
        .filter(|content| walk.captured.get(content).is_none())
        .collect();
    let refetched = refetch(input, &missing)?;
    let mut out = Vec::with_capacity(found.len());
    for (requested, path, entry) in found {
        let Some(content) = &entry.content else { continue };
        let file = walk.captured.get(content).or_else(|| refetched.get(content));
        if let Some(file) = file {
            out.push(FinalFile {
                requested,
                path,
                layer: content.layer,
                size: file.size,
                data: file.data.clone(),
                truncated: file.truncated,
            });
        }
    }
    Ok(out)
}

/// Streams the layers holding `wanted` and keeps exactly those entries.
fn refetch(
    input: &WalkInput<'_>,
    wanted: &BTreeSet<ContentRef>,
) -> Result<BTreeMap<ContentRef, CapturedFile>, ImageError> {
    let mut out = BTreeMap::new();
    let layers: BTreeSet<usize> = wanted.iter().map(|c| c.layer).collect();
    let mut budget = Budget::new(input.limits);
    for index in layers {
        let Some(layer) = input.layers.get(index) else { continue };
        let in_layer: Vec<&ContentRef> = wanted.iter().filter(|c| c.layer == index).collect();
        let mut handler = |header: &TarHeader, data: &mut dyn Read| -> Result<(), EntryError> {
            if header.kind != crate::tar_stream::TarKind::Regular {
                return Ok(());
            }
            let stored =
                normalize_abs(&crate::store::normalize_member(&String::from_utf8_lossy(&header.path)));
            // A path stored twice in one layer: the later entry (the one the view kept) wins.
            if let Some(content) = in_layer.iter().find(|c| c.stored_path() == stored) {
                let mut kept = Vec::new();
                data.take(WalkOptions::default().max_capture_file_bytes).read_to_end(&mut kept)?;
                let file = CapturedFile {
                    layer: index,
                    path: content.path.clone(),
                    size: header.size,
                    truncated: header.size > kept.len() as u64,
                    data: kept,
                };
                out.insert((*content).clone(), file);
            }
            Ok(())
        };
        stream_layer(
            input.store,
            input.location,
            layer,
            input.limits.max_metadata_bytes,
            &mut budget,
            &mut handler,
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(layer: usize, path: &str, size: usize) -> CapturedFile {
        CapturedFile { layer, path: path.into(), size: size as u64, data: vec![0; size], truncated: false }
    }

    #[test]
    fn capture_budget_drops_superseded_versions_first() {
        let mut c = Captured::default();
        assert!(c.store(version(0, "/a", 40), 100));
        assert!(c.store(version(1, "/a", 40), 100));
        assert!(c.store(version(2, "/b", 40), 100));
        assert_eq!(c.versions("/a").iter().map(|v| v.layer).collect::<Vec<_>>(), [1]);
        assert_eq!(c.total_bytes(), 80);
        assert!(!c.store(version(3, "/c", 40), 100));
        // Same layer writing twice replaces.
        assert!(c.store(version(2, "/b", 10), 100));
        assert_eq!(c.total_bytes(), 50);
    }

    #[test]
    fn capture_patterns() {
        let spec = CaptureSpec::new(&["/etc/os-release".into(), "var/lib/dpkg/status.d/*".into()]);
        assert_eq!(spec.exact, ["/etc/os-release"]);
        assert_eq!(spec.dirs, ["/var/lib/dpkg/status.d"]);
        assert_eq!(parent("/a/b"), Some("/a"));
        assert_eq!(parent("/a"), Some("/"));
        assert_eq!(normalize_abs("./x//y/"), "/x/y");
    }
}
