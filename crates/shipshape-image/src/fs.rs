//! The merged file view of an image: every layer applied in order, with whiteouts and opaque
//! directories, as overlay-based runtimes (Docker, containerd) unpack layers.
//!
//! The index holds metadata only (kind, mode, owner, size, link target, the layer that wrote the
//! entry), never contents. Paths are absolute (`/etc/passwd`), UTF-8 (invalid bytes become
//! U+FFFD), with `.` and `..` resolved lexically and clamped at `/`.
//!
//! Rules applied, following the OCI image specification's changeset rules:
//!
//! * `.wh.<name>` removes `<name>` (and everything under it) as left by lower layers; entries the
//!   same layer adds are untouched. `.wh..wh..opq` empties its directory of lower-layer entries.
//!   Other `.wh..wh.` names (AUFS metadata) are ignored. Whiteout files never appear in the view.
//! * An entry replaces what was at its path; a directory over a directory merges (metadata
//!   updated, children kept); anything else over a directory removes the directory's subtree.
//! * Parent directories missing from a layer are created implicitly. A symbolic link in the
//!   parent path is followed, inside the image root, as the kernel does when unpacking (so with
//!   `/lib -> usr/lib`, `lib/x.so` lands at `/usr/lib/x.so`); a non-directory in the way is
//!   replaced by a directory.
//! * A hard link records the content of its target as it was when the link was made (the
//!   target's layer and path), so it keeps that content if the target is later removed.
//!
//! Everything removed or replaced stays available as a [`Shadowed`] entry with the layer that
//! added it and the layer that removed it, so secret and malware checks see deleted files.

use crate::tar_stream::{TarHeader, TarKind};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// What kind of file an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A hard link to another entry.
    HardLink,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A named pipe.
    Fifo,
}

impl FileKind {
    pub(crate) fn from_tar(kind: TarKind) -> Option<FileKind> {
        Some(match kind {
            TarKind::Regular => FileKind::Regular,
            TarKind::Directory => FileKind::Directory,
            TarKind::Symlink => FileKind::Symlink,
            TarKind::HardLink => FileKind::HardLink,
            TarKind::CharDevice => FileKind::CharDevice,
            TarKind::BlockDevice => FileKind::BlockDevice,
            TarKind::Fifo => FileKind::Fifo,
            TarKind::Other(_) => return None,
        })
    }
}

/// Where a file's bytes are: the regular-file entry (layer and path) that carried them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentRef {
    /// The layer whose tar stream holds the bytes.
    pub layer: usize,
    /// The entry's path in the view when that layer wrote it.
    pub path: String,
    /// The entry's path as stored in the layer (normalised), when a symbolic link in its parent
    /// path made it land elsewhere (`lib/x` stored, `/usr/lib/x` in the view).
    pub stored_as: Option<String>,
}

impl ContentRef {
    /// The normalised path the layer's tar stream names the entry by.
    pub fn stored_path(&self) -> &str {
        self.stored_as.as_deref().unwrap_or(&self.path)
    }
}

/// One entry of the view: metadata only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// What it is.
    pub kind: FileKind,
    /// Permission bits including setuid (`0o4000`), setgid and sticky.
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Size in bytes (a hard link has its target's size).
    pub size: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
    /// A symbolic link's target as written, or a hard link's target as an absolute view path.
    pub link_target: Option<String>,
    /// The layer that wrote this entry.
    pub layer: usize,
    /// The entry carries file capabilities (`security.capability` extended attribute).
    pub capabilities: bool,
    /// A directory no tar entry created (a parent of something a layer added).
    pub implicit: bool,
    /// Where the bytes are, for regular files and resolved hard links.
    pub content: Option<ContentRef>,
}

impl FileEntry {
    /// Whether the setuid or setgid bit is set on a regular file (or hard link).
    pub fn is_setuid_or_setgid(&self) -> bool {
        matches!(self.kind, FileKind::Regular | FileKind::HardLink) && self.mode & 0o6000 != 0
    }

    fn implicit_dir(layer: usize) -> FileEntry {
        FileEntry {
            kind: FileKind::Directory,
            mode: 0o755,
            uid: 0,
            gid: 0,
            size: 0,
            mtime: 0,
            link_target: None,
            layer,
            capabilities: false,
            implicit: true,
            content: None,
        }
    }
}

/// How a shadowed entry left the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Removal {
    /// A `.wh.<name>` whiteout removed it (or a directory above it).
    Whiteout,
    /// A `.wh..wh..opq` marker emptied its directory.
    OpaqueDirectory,
    /// A later entry at the same path (or at a parent path) replaced it.
    Replaced,
}

/// An entry that is not in the final view: deleted or overwritten by a later layer (or later in
/// the same layer), with the layer that did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// Its path when it was in the view.
    pub path: String,
    /// Its metadata, including the layer that added it.
    pub entry: FileEntry,
    /// The layer that removed or replaced it.
    pub removed_by: usize,
    /// How.
    pub removal: Removal,
}

/// What became of an entry a layer wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// It is in the final view.
    Visible,
    /// It was removed or replaced by layer `by`.
    Shadowed {
        /// The layer that removed or replaced it.
        by: usize,
        /// How.
        removal: Removal,
    },
}

/// Something unusual (often hostile) in a layer, handled safely and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnomalyKind {
    /// An entry path started with `/`.
    AbsolutePath,
    /// An entry path had `..` components (resolved, clamped at `/`).
    ParentComponents,
    /// An entry path was longer than the limit; the entry was skipped.
    PathTooLong,
    /// An entry path was not valid UTF-8.
    NonUtf8Path,
    /// An entry of a type the view does not hold (GNU sparse, volume label, vendor types).
    UnsupportedEntry,
    /// A hard link whose target does not exist (or is not a file).
    DanglingHardLink,
    /// Resolving a path followed too many symbolic links.
    SymlinkLoop,
    /// An entry named the image root itself as a non-directory; skipped.
    RootReplaced,
    /// The layer's media type names another compression than its content has.
    CompressionMismatch,
    /// Not every file asked for could be kept (capture budget).
    CaptureBudget,
}

/// One anomaly, where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// The layer, when it concerns one.
    pub layer: Option<usize>,
    /// The entry path as stored in the layer (lossy UTF-8), or empty.
    pub path: String,
    /// What.
    pub kind: AnomalyKind,
    /// Details for people.
    pub detail: String,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(layer) = self.layer {
            write!(f, "layer {layer}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.detail)
    }
}

/// An entry just applied, as a visitor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applied {
    /// Added to the view at this (resolved) path.
    Added { path: String, entry: FileEntry },
    /// A whiteout or opaque marker for this (resolved) target.
    Whiteout { target: String, opaque: bool },
    /// Not applied (reported as an anomaly).
    Skipped,
}

/// The merged view.
#[derive(Debug, Clone)]
pub struct Filesystem {
    entries: BTreeMap<String, FileEntry>,
    shadowed: Vec<Shadowed>,
    anomalies: Vec<Anomaly>,
    anomalies_dropped: u64,
    symlinks: usize,
    max_hops: usize,
    max_path: usize,
    max_anomalies: usize,
    /// The last parent directory known to exist as a directory (entries come grouped by directory).
    last_parent: Option<String>,
    /// Bumped whenever a symbolic link enters or leaves the view.
    generation: u64,
}

/// Lexically normalised path components; `..` pops, clamped at the root.
struct Normalized {
    components: Vec<String>,
    absolute: bool,
    dotdot: bool,
}

fn normalize(text: &str) -> Normalized {
    let mut components = Vec::new();
    let mut dotdot = false;
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                dotdot = true;
                components.pop();
            }
            p => components.push(p.to_string()),
        }
    }
    Normalized { components, absolute: text.starts_with('/'), dotdot }
}

fn join(components: &[String]) -> String {
    if components.is_empty() {
        return "/".to_string();
    }
    let mut out = String::with_capacity(components.iter().map(|c| c.len() + 1).sum());
    for c in components {
        out.push('/');
        out.push_str(c);
    }
    out
}

/// The parent of an absolute view path (`/` for `/x` and `/`).
fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => path.get(..i).unwrap_or("/"),
    }
}

/// `path` + `/` + `name`, for absolute view paths.
fn child(path: &str, name: &str) -> String {
    if path == "/" { format!("/{name}") } else { format!("{path}/{name}") }
}

/// The key prefix all descendants of `path` share.
fn subtree_prefix(path: &str) -> String {
    if path == "/" { "/".to_string() } else { format!("{path}/") }
}

impl Filesystem {
    pub(crate) fn new(limits: &crate::Limits) -> Self {
        let mut entries = BTreeMap::new();
        entries.insert("/".to_string(), FileEntry::implicit_dir(0));
        Self {
            entries,
            shadowed: Vec::new(),
            anomalies: Vec::new(),
            anomalies_dropped: 0,
            symlinks: 0,
            max_hops: limits.max_symlink_hops,
            max_path: limits.max_path_bytes,
            max_anomalies: limits.max_anomalies,
            last_parent: None,
            generation: 0,
        }
    }

    /// Number of entries in the view (the root directory included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the view holds only the root directory.
    pub fn is_empty(&self) -> bool {
        self.entries.len() <= 1
    }

    /// The entry at `path` (normalised lexically; links are not followed).
    pub fn get(&self, path: &str) -> Option<&FileEntry> {
        self.entries.get(&join(&normalize(path).components))
    }

    /// Every entry of the view in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FileEntry)> {
        self.entries.iter().map(|(path, entry)| (path.as_str(), entry))
    }

    /// The direct children of directory `path` (links not followed), in name order.
    pub fn children<'a>(&'a self, path: &str) -> impl Iterator<Item = (&'a str, &'a FileEntry)> + 'a {
        let prefix = subtree_prefix(&join(&normalize(path).components));
        let skip = prefix.len();
        self.entries
            .range(prefix.clone()..)
            .take_while(move |(key, _)| key.starts_with(&prefix))
            .filter(move |(key, _)| {
                key.get(skip..).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
            })
            .map(|(key, entry)| (key.as_str(), entry))
    }

    /// Entries removed or replaced along the way, sorted by path and then layer.
    pub fn shadowed(&self) -> &[Shadowed] {
        &self.shadowed
    }

    /// Unusual entries met, in the order met.
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// Anomalies beyond [`crate::Limits::max_anomalies`], counted only.
    pub fn anomalies_dropped(&self) -> u64 {
        self.anomalies_dropped
    }

    /// What became of the entry `layer` wrote at `path` (the resolved path a visitor saw).
    /// `None` when that layer wrote nothing there.
    pub fn fate(&self, layer: usize, path: &str) -> Option<Fate> {
        if self.entries.get(path).is_some_and(|e| e.layer == layer && !e.implicit) {
            return Some(Fate::Visible);
        }
        let start = self.shadowed.partition_point(|s| (s.path.as_str(), s.entry.layer) < (path, layer));
        self.shadowed
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|s| s.path == path && s.entry.layer == layer)
            .last()
            .map(|s| Fate::Shadowed { by: s.removed_by, removal: s.removal })
    }

    /// Resolves `path` in the view, following symbolic links in every component (the last one
    /// too), never leaving the image root: `..` stops at `/` and absolute link targets start
    /// from the image root. Returns the final path and its entry; `None` when it does not exist
    /// or more than [`crate::Limits::max_symlink_hops`] links were followed.
    pub fn resolve(&self, path: &str) -> Option<(String, &FileEntry)> {
        let resolved = self.walk_path(path, true)?;
        let entry = self.entries.get(&resolved)?;
        Some((resolved, entry))
    }

    /// Follows links through the components of `path`. `None` on a loop.
    fn walk_path(&self, path: &str, follow_last: bool) -> Option<String> {
        let mut pending: VecDeque<String> = normalize(path).components.into();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0usize;
        let mut key = String::from("/");
        while let Some(component) = pending.pop_front() {
            if component == ".." {
                current.pop();
                key = join(&current);
                continue;
            }
            if component == "." {
                continue;
            }
            let candidate = child(&key, &component);
            let is_last = pending.is_empty();
            match self.entries.get(&candidate) {
                Some(entry) if entry.kind == FileKind::Symlink && (follow_last || !is_last) => {
                    hops += 1;
                    if hops > self.max_hops {
                        return None;
                    }
                    let target = entry.link_target.as_deref().unwrap_or("");
                    if target.starts_with('/') {
                        current.clear();
                        key = "/".to_string();
                    }
                    for part in target.split('/').rev().filter(|p| !p.is_empty()) {
                        pending.push_front(part.to_string());
                    }
                }
                _ => {
                    current.push(component);
                    key = candidate;
                }
            }
        }
        Some(key)
    }

    fn anomaly(&mut self, layer: Option<usize>, path: &str, kind: AnomalyKind, detail: impl Into<String>) {
        if self.anomalies.len() >= self.max_anomalies {
            self.anomalies_dropped += 1;
            return;
        }
        self.anomalies.push(Anomaly { layer, path: path.to_string(), kind, detail: detail.into() });
    }

    pub(crate) fn note(&mut self, layer: Option<usize>, kind: AnomalyKind, detail: impl Into<String>) {
        self.anomaly(layer, "", kind, detail);
    }

    fn shadow(&mut self, path: String, entry: FileEntry, removed_by: usize, removal: Removal) {
        if entry.implicit {
            return;
        }
        self.shadowed.push(Shadowed { path, entry, removed_by, removal });
    }

    /// Removes `path` itself (when `with_self`) and its subtree; with `lower_only`, only entries
    /// written by layers below `layer`.
    fn remove_tree(&mut self, path: &str, with_self: bool, lower_only: bool, layer: usize, removal: Removal) {
        let prefix = subtree_prefix(path);
        let mut doomed: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter(|(key, entry)| key.as_str() != "/" && (!lower_only || entry.layer < layer))
            .map(|(key, _)| key.clone())
            .collect();
        if with_self && path != "/" && self.entries.get(path).is_some_and(|e| !lower_only || e.layer < layer)
        {
            doomed.push(path.to_string());
        }
        if doomed.is_empty() {
            return;
        }
        self.last_parent = None;
        for key in doomed {
            if let Some(entry) = self.entries.remove(&key) {
                if entry.kind == FileKind::Symlink {
                    self.symlinks = self.symlinks.saturating_sub(1);
                    self.generation += 1;
                }
                self.shadow(key, entry, layer, removal);
            }
        }
        // A directory a whiteout removed but that still has same-layer children stays.
        if with_self
            && path != "/"
            && !self.entries.contains_key(path)
            && self.entries.range(prefix.clone()..).next().is_some_and(|(k, _)| k.starts_with(&prefix))
        {
            self.entries.insert(path.to_string(), FileEntry::implicit_dir(layer));
        }
    }

    /// Makes sure every ancestor of `path` exists as a directory.
    fn ensure_parents(&mut self, path: &str, layer: usize) {
        let parent = parent_of(path);
        if parent == "/" || self.last_parent.as_deref() == Some(parent) {
            return;
        }
        let mut end = 0;
        while let Some(next) = parent.get(end + 1..).and_then(|rest| rest.find('/')).map(|i| i + end + 1) {
            self.ensure_dir(parent.get(..next).unwrap_or(parent), layer);
            end = next;
        }
        self.ensure_dir(parent, layer);
        self.last_parent = Some(parent.to_string());
    }

    fn ensure_dir(&mut self, dir: &str, layer: usize) {
        match self.entries.get(dir) {
            Some(entry) if entry.kind == FileKind::Directory => {}
            Some(_) => {
                if let Some(old) = self.entries.remove(dir) {
                    if old.kind == FileKind::Symlink {
                        self.symlinks = self.symlinks.saturating_sub(1);
                        self.generation += 1;
                    }
                    self.shadow(dir.to_string(), old, layer, Removal::Replaced);
                }
                self.entries.insert(dir.to_string(), FileEntry::implicit_dir(layer));
            }
            None => {
                self.entries.insert(dir.to_string(), FileEntry::implicit_dir(layer));
            }
        }
    }

    /// Resolves the parent of a normalised entry path through symbolic links already in the view.
    fn place(&mut self, components: &[String], layer: usize, raw: &str) -> Option<String> {
        let (name, parents) = components.split_last()?;
        if self.symlinks == 0 {
            return Some(join(components));
        }
        match self.walk_path(&join(parents), true) {
            Some(parent) => Some(child(&parent, name)),
            None => {
                self.anomaly(
                    Some(layer),
                    raw,
                    AnomalyKind::SymlinkLoop,
                    "too many symbolic links in the parent path; placed as written",
                );
                Some(join(components))
            }
        }
    }

    /// Applies one tar entry of `layer`.
    pub(crate) fn apply(&mut self, layer: usize, header: &TarHeader) -> Applied {
        let raw = String::from_utf8_lossy(&header.path);
        if header.path.len() > self.max_path {
            let shown: String = raw.chars().take(80).collect();
            self.anomaly(
                Some(layer),
                &format!("{shown}…"),
                AnomalyKind::PathTooLong,
                format!("entry path is {} bytes (limit {}); skipped", header.path.len(), self.max_path),
            );
            return Applied::Skipped;
        }
        if matches!(raw, std::borrow::Cow::Owned(_)) {
            self.anomaly(Some(layer), &raw, AnomalyKind::NonUtf8Path, "entry path is not valid UTF-8");
        }
        let normalized = normalize(&raw);
        if normalized.absolute {
            self.anomaly(
                Some(layer),
                &raw,
                AnomalyKind::AbsolutePath,
                "entry path is absolute; read from the image root",
            );
        }
        if normalized.dotdot {
            self.anomaly(
                Some(layer),
                &raw,
                AnomalyKind::ParentComponents,
                "entry path has `..` components; resolved without leaving the image root",
            );
        }
        let Some(kind) = FileKind::from_tar(header.kind) else {
            let flag = match header.kind {
                TarKind::Other(flag) => char::from(flag),
                _ => '?',
            };
            self.anomaly(
                Some(layer),
                &raw,
                AnomalyKind::UnsupportedEntry,
                format!("tar entry type `{}` is not unpacked", flag.escape_default()),
            );
            return Applied::Skipped;
        };
        if header.sparse {
            self.anomaly(
                Some(layer),
                &raw,
                AnomalyKind::UnsupportedEntry,
                "GNU sparse file: stored data kept as is",
            );
        }
        let components = normalized.components;
        let Some(name) = components.last() else {
            // The root itself: only directory metadata can apply.
            if kind != FileKind::Directory {
                self.anomaly(
                    Some(layer),
                    &raw,
                    AnomalyKind::RootReplaced,
                    "entry replaces the image root; skipped",
                );
            }
            return Applied::Skipped;
        };
        if let Some(hidden) = name.strip_prefix(".wh.") {
            let parent_components = components.get(..components.len() - 1).unwrap_or_default();
            let parent = if self.symlinks == 0 {
                join(parent_components)
            } else {
                self.walk_path(&join(parent_components), true).unwrap_or_else(|| join(parent_components))
            };
            if hidden == ".wh..opq" {
                self.remove_tree(&parent, false, true, layer, Removal::OpaqueDirectory);
                return Applied::Whiteout { target: parent, opaque: true };
            }
            if hidden.starts_with(".wh.") || hidden.is_empty() {
                return Applied::Skipped;
            }
            let target = child(&parent, hidden);
            self.remove_tree(&target, true, true, layer, Removal::Whiteout);
            return Applied::Whiteout { target, opaque: false };
        }
        let Some(path) = self.place(&components, layer, &raw) else { return Applied::Skipped };
        if path == "/" {
            return Applied::Skipped;
        }
        let mut entry = FileEntry {
            kind,
            mode: header.mode,
            uid: header.uid,
            gid: header.gid,
            size: header.size,
            mtime: header.mtime,
            link_target: None,
            layer,
            capabilities: header.capabilities,
            implicit: false,
            content: None,
        };
        match kind {
            FileKind::Regular => {
                let stored = join(&components);
                let stored_as = (stored != path).then_some(stored);
                entry.content = Some(ContentRef { layer, path: path.clone(), stored_as });
            }
            FileKind::Symlink => {
                entry.link_target =
                    Some(String::from_utf8_lossy(header.link.as_deref().unwrap_or_default()).into_owned());
            }
            FileKind::HardLink => {
                let target_raw =
                    String::from_utf8_lossy(header.link.as_deref().unwrap_or_default()).into_owned();
                let target_components = normalize(&target_raw).components;
                let target = match target_components.split_last() {
                    Some((name, parents)) if self.symlinks > 0 => self
                        .walk_path(&join(parents), true)
                        .map_or_else(|| join(&target_components), |p| child(&p, name)),
                    _ => join(&target_components),
                };
                match self.entries.get(&target) {
                    Some(t)
                        if matches!(t.kind, FileKind::Regular | FileKind::HardLink)
                            && t.content.is_some() =>
                    {
                        entry.size = t.size;
                        entry.content = t.content.clone();
                    }
                    _ => self.anomaly(
                        Some(layer),
                        &raw,
                        AnomalyKind::DanglingHardLink,
                        format!("hard link to `{target_raw}`, which is not a file in the image"),
                    ),
                }
                entry.link_target = Some(target);
            }
            _ => {}
        }
        self.ensure_parents(&path, layer);
        match self.entries.get_mut(&path) {
            Some(existing) if existing.kind == FileKind::Directory && kind == FileKind::Directory => {
                *existing = entry.clone();
            }
            Some(existing) => {
                let was_dir = existing.kind == FileKind::Directory;
                if was_dir {
                    self.remove_tree(&path, false, false, layer, Removal::Replaced);
                }
                if let Some(old) = self.entries.remove(&path) {
                    if old.kind == FileKind::Symlink {
                        self.symlinks = self.symlinks.saturating_sub(1);
                        self.generation += 1;
                    }
                    self.shadow(path.clone(), old, layer, Removal::Replaced);
                }
                self.last_parent = None;
                self.insert(path.clone(), entry.clone());
            }
            None => self.insert(path.clone(), entry.clone()),
        }
        Applied::Added { path, entry }
    }

    fn insert(&mut self, path: String, entry: FileEntry) {
        if entry.kind == FileKind::Symlink {
            self.symlinks += 1;
            self.generation += 1;
            self.last_parent = None;
        }
        self.entries.insert(path, entry);
    }

    /// Changes whenever the set of symbolic links changes (so cached resolutions can be redone).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The path `path` resolves to (links followed, the last one too), whether or not it exists.
    pub(crate) fn resolve_path(&self, path: &str) -> Option<String> {
        self.walk_path(path, true)
    }

    /// Sorts the shadowed entries for [`Filesystem::fate`].
    pub(crate) fn finish(&mut self) {
        self.shadowed.sort_by(|a, b| (a.path.as_str(), a.entry.layer).cmp(&(b.path.as_str(), b.entry.layer)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(path: &str, kind: TarKind, link: Option<&str>, size: u64) -> TarHeader {
        TarHeader {
            path: path.as_bytes().to_vec(),
            link: link.map(|l| l.as_bytes().to_vec()),
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size,
            mtime: 0,
            data_offset: 0,
            capabilities: false,
            sparse: false,
        }
    }

    fn file(path: &str) -> TarHeader {
        header(path, TarKind::Regular, None, 1)
    }

    fn dir(path: &str) -> TarHeader {
        header(path, TarKind::Directory, None, 0)
    }

    fn fs() -> Filesystem {
        Filesystem::new(&crate::Limits::default())
    }

    fn paths(fs: &Filesystem) -> Vec<&str> {
        fs.iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn whiteouts_and_opaque_directories() {
        let mut fs = fs();
        for h in [dir("etc/"), file("etc/a"), file("etc/b"), dir("var/"), file("var/x/y"), file("keep")] {
            fs.apply(0, &h);
        }
        assert_eq!(paths(&fs), ["/", "/etc", "/etc/a", "/etc/b", "/keep", "/var", "/var/x", "/var/x/y"]);
        // Layer 1: delete /etc/a, make /var opaque but add /var/new in the same layer.
        fs.apply(1, &file("var/new"));
        assert_eq!(
            fs.apply(1, &file("etc/.wh.a")),
            Applied::Whiteout { target: "/etc/a".into(), opaque: false }
        );
        fs.apply(1, &file("var/.wh..wh..opq"));
        assert_eq!(paths(&fs), ["/", "/etc", "/etc/b", "/keep", "/var", "/var/new"]);
        fs.finish();
        assert_eq!(fs.fate(0, "/etc/a"), Some(Fate::Shadowed { by: 1, removal: Removal::Whiteout }));
        assert_eq!(fs.fate(0, "/var/x/y"), Some(Fate::Shadowed { by: 1, removal: Removal::OpaqueDirectory }));
        assert_eq!(fs.fate(0, "/etc/b"), Some(Fate::Visible));
        assert_eq!(fs.fate(1, "/var/new"), Some(Fate::Visible));
        assert_eq!(fs.fate(3, "/var/new"), None);
    }

    #[test]
    fn whiteout_only_hits_lower_layers() {
        let mut fs = fs();
        fs.apply(0, &file("a"));
        fs.apply(1, &file("b"));
        fs.apply(1, &file(".wh.b"));
        fs.apply(1, &file(".wh.a"));
        assert_eq!(paths(&fs), ["/", "/b"]);
        // A whiteout of a directory removes its subtree.
        fs.apply(2, &file("d/e/f"));
        fs.apply(3, &file(".wh.d"));
        assert_eq!(paths(&fs), ["/", "/b"]);
    }

    #[test]
    fn overwrite_and_type_changes() {
        let mut fs = fs();
        fs.apply(0, &file("x/inner"));
        fs.apply(1, &file("x"));
        assert_eq!(fs.get("/x").map(|e| e.kind), Some(FileKind::Regular));
        assert!(fs.get("/x/inner").is_none());
        fs.apply(2, &file("x"));
        fs.apply(3, &file("x/y"));
        assert_eq!(fs.get("/x").map(|e| (e.kind, e.implicit)), Some((FileKind::Directory, true)));
        fs.finish();
        let removed: Vec<_> =
            fs.shadowed().iter().map(|s| (s.path.as_str(), s.entry.layer, s.removed_by)).collect();
        assert_eq!(removed, [("/x", 1, 2), ("/x", 2, 3), ("/x/inner", 0, 1)]);
    }

    #[test]
    fn symlinked_parents_are_followed_inside_the_root() {
        let mut fs = fs();
        fs.apply(0, &dir("usr/lib/"));
        fs.apply(0, &header("lib", TarKind::Symlink, Some("usr/lib"), 0));
        fs.apply(1, &file("lib/libc.so"));
        let libc = fs.get("/usr/lib/libc.so").and_then(|e| e.content.clone()).unwrap();
        assert_eq!(libc.stored_path(), "/lib/libc.so");
        // Escapes are clamped at the root.
        fs.apply(1, &header("evil", TarKind::Symlink, Some("../../../../etc"), 0));
        fs.apply(2, &file("evil/passwd"));
        assert!(fs.get("/etc/passwd").is_some());
        fs.apply(2, &header("abs", TarKind::Symlink, Some("/etc/passwd"), 0));
        assert_eq!(fs.resolve("/abs").map(|(p, _)| p), Some("/etc/passwd".into()));
        fs.apply(2, &header("up", TarKind::Symlink, Some("../../etc/passwd"), 0));
        assert_eq!(fs.resolve("up").map(|(p, _)| p), Some("/etc/passwd".into()));
    }

    #[test]
    fn loops_are_bounded() {
        let mut fs = fs();
        fs.apply(0, &header("a", TarKind::Symlink, Some("b"), 0));
        fs.apply(0, &header("b", TarKind::Symlink, Some("a"), 0));
        fs.apply(0, &header("self", TarKind::Symlink, Some("./self/x"), 0));
        assert!(fs.resolve("/a").is_none());
        assert!(fs.resolve("/self").is_none());
        fs.apply(1, &file("a/file"));
        assert!(fs.anomalies().iter().any(|a| a.kind == AnomalyKind::SymlinkLoop));
    }

    #[test]
    fn hostile_paths() {
        let mut fs = fs();
        fs.apply(0, &file("/etc/abs"));
        fs.apply(0, &file("../../../etc/dots"));
        fs.apply(0, &file("./a/../b"));
        assert_eq!(paths(&fs), ["/", "/b", "/etc", "/etc/abs", "/etc/dots"]);
        let kinds: Vec<_> = fs.anomalies().iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [AnomalyKind::AbsolutePath, AnomalyKind::ParentComponents, AnomalyKind::ParentComponents]
        );
        assert_eq!(fs.apply(0, &file(&"a/".repeat(3000))), Applied::Skipped);
        assert_eq!(fs.apply(0, &file("/")), Applied::Skipped);
        assert_eq!(fs.apply(0, &header("x", TarKind::Other(b'V'), None, 0)), Applied::Skipped);
    }

    #[test]
    fn hard_links_keep_their_content() {
        let mut fs = fs();
        fs.apply(0, &file("bin/busybox"));
        fs.apply(0, &header("bin/sh", TarKind::HardLink, Some("bin/busybox"), 0));
        fs.apply(1, &file("bin/.wh.busybox"));
        let sh = fs.get("/bin/sh").unwrap();
        assert_eq!(sh.content, Some(ContentRef { layer: 0, path: "/bin/busybox".into(), stored_as: None }));
        assert!(fs.get("/bin/busybox").is_none());
        fs.apply(1, &header("dangling", TarKind::HardLink, Some("nope"), 0));
        assert!(fs.anomalies().iter().any(|a| a.kind == AnomalyKind::DanglingHardLink));
    }

    #[test]
    fn children_lists_direct_entries() {
        let mut fs = fs();
        for p in ["d/a", "d/b", "d/sub/c", "d2/x"] {
            fs.apply(0, &file(p));
        }
        let names: Vec<_> = fs.children("/d").map(|(p, _)| p).collect();
        assert_eq!(names, ["/d/a", "/d/b", "/d/sub"]);
        let top: Vec<_> = fs.children("/").map(|(p, _)| p).collect();
        assert_eq!(top, ["/d", "/d2"]);
    }
}
