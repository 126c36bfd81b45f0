//! Language packages found during the walk: [`InventoryVisitor`] wraps the caller's visitor,
//! recognises package metadata by path (and ELF binaries by their magic), keeps a copy of those
//! files' bytes as they stream past (each within its cap, one file at a time) and parses them.
//! The caller's visitor sees exactly what it would have seen alone.
//!
//! A later layer writing the same path replaces what an earlier one listed; after the walk,
//! only files still in the final view count ([`Collector::finish`]).

use super::{InventoryLimits, Malformed, Package, PackageSource, Parsed};
use crate::fs::{Fate, Filesystem};
use crate::layer::{Layer, LayerStats};
use crate::walk::{VisitEntry, VisitResult, Visitor};
use std::collections::BTreeMap;
use std::io::{self, Cursor, Read};

/// How many bytes of each file are looked at before deciding whether to keep it.
const SNIFF: usize = 64;

/// What kind of package metadata a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Python,
    Node,
    Ruby,
    Composer,
    DotNet,
    CargoLock,
    Java,
    Elf,
}

impl Kind {
    fn by_path(path: &str) -> Option<Kind> {
        Some(if super::python::is_metadata(path) {
            Kind::Python
        } else if super::node::is_manifest(path) {
            Kind::Node
        } else if super::ruby::is_specification(path) {
            Kind::Ruby
        } else if super::php::is_installed_json(path) {
            Kind::Composer
        } else if super::dotnet::is_deps_json(path) {
            Kind::DotNet
        } else if super::rust::is_lockfile(path) {
            Kind::CargoLock
        } else if super::java::is_archive(path) {
            Kind::Java
        } else {
            return None;
        })
    }

    fn is_text(self) -> bool {
        !matches!(self, Kind::Java | Kind::Elf)
    }
}

/// What the walk collected: packages of files still in the final view, their sources, notes.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) packages: Vec<Package>,
    pub(crate) sources: Vec<PackageSource>,
    pub(crate) notes: Vec<String>,
}

/// Packages of one file, as the latest layer writing that path left them.
struct Found {
    layer: usize,
    packages: Vec<Package>,
    source: PackageSource,
}

/// Parses package metadata files, bounded.
pub(crate) struct Collector {
    limits: InventoryLimits,
    files: BTreeMap<String, Found>,
    packages: usize,
    text_bytes: u64,
    notes: Vec<String>,
    notes_dropped: usize,
    packages_dropped: usize,
    /// Files skipped for their size, per limit.
    too_large_binaries: usize,
    too_large_archives: usize,
    too_large_manifests: usize,
}

impl Collector {
    pub(crate) fn new(limits: InventoryLimits) -> Collector {
        Collector {
            limits,
            files: BTreeMap::new(),
            packages: 0,
            text_bytes: 0,
            notes: Vec::new(),
            notes_dropped: 0,
            packages_dropped: 0,
            too_large_binaries: 0,
            too_large_archives: 0,
            too_large_manifests: 0,
        }
    }

    /// The most bytes of one file the collector reads.
    pub(crate) fn max_read(&self) -> u64 {
        self.limits.max_binary_bytes.max(self.limits.max_archive_bytes).max(self.limits.max_manifest_bytes)
    }

    fn note(&mut self, note: String) {
        if self.notes.len() < self.limits.max_notes {
            self.notes.push(note);
        } else {
            self.notes_dropped += 1;
        }
    }

    /// Decides from the path, size and first bytes whether a file is wanted, and how much of it
    /// to keep.
    fn wants(&mut self, path: &str, size: u64, head: &[u8]) -> Option<(Kind, u64)> {
        let (kind, cap) = match Kind::by_path(path) {
            Some(Kind::Java) => (Kind::Java, self.limits.max_archive_bytes),
            Some(kind) => (kind, self.limits.max_manifest_bytes),
            None if head.starts_with(super::elf::MAGIC) => (Kind::Elf, self.limits.max_binary_bytes),
            None => return None,
        };
        if size > cap {
            match kind {
                Kind::Elf => self.too_large_binaries += 1,
                Kind::Java => self.too_large_archives += 1,
                _ => self.too_large_manifests += 1,
            }
            return None;
        }
        Some((kind, cap))
    }

    /// Parses one wanted file.
    fn add(&mut self, layer: usize, path: &str, kind: Kind, data: &[u8]) {
        // A later layer's copy of the path replaces the earlier one, whatever it holds.
        if let Some(old) = self.files.remove(path) {
            self.packages -= old.packages.len();
            if !old.source.listing {
                self.text_bytes -= old.source.text.len() as u64;
            }
        }
        let parsed = match self.parse(kind, path, data) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => return,
            Err(error) => {
                self.note(format!("{path} (layer {layer}): {error}"));
                return;
            }
        };
        let mut packages = parsed.packages;
        if packages.is_empty() {
            return;
        }
        let room = self.limits.max_packages.saturating_sub(self.packages);
        if packages.len() > room {
            self.packages_dropped += packages.len() - room;
            packages.truncate(room);
            if packages.is_empty() {
                return;
            }
        }
        let (listing, text) = match parsed.listing {
            Some(listing) => (true, listing),
            None => {
                let text = crate::json::lossy_text(data);
                // Keep the text up to a little past the last package's line, within the budget.
                let last = packages.iter().map(|p| p.line).max().unwrap_or(1) + 10;
                let end = text.match_indices('\n').nth(last - 1).map_or(text.len(), |(at, _)| at + 1);
                let kept = text.get(..end).unwrap_or(&text);
                if self.text_bytes + kept.len() as u64 <= self.limits.max_source_text_bytes {
                    self.text_bytes += kept.len() as u64;
                    (false, kept.to_string())
                } else {
                    let listed = Parsed::listed(packages);
                    packages = listed.packages;
                    (true, listed.listing.unwrap_or_default())
                }
            }
        };
        for package in &mut packages {
            package.db_path = path.to_string();
            package.layer = layer;
        }
        self.packages += packages.len();
        let source = PackageSource { path: path.to_string(), layer, listing, text };
        self.files.insert(path.to_string(), Found { layer, packages, source });
    }

    fn parse(&mut self, kind: Kind, path: &str, data: &[u8]) -> Result<Option<Parsed>, Malformed> {
        if kind.is_text() {
            let text = String::from_utf8_lossy(data);
            let packages = match kind {
                Kind::Python => super::python::parse(&text)?,
                Kind::Node => super::node::parse(&text)?,
                Kind::Ruby => super::ruby::parse(&text)?,
                Kind::Composer => super::php::parse(&text)?,
                Kind::DotNet => super::dotnet::parse(&text)?,
                _ => super::rust::lockfile(&text)?,
            };
            return Ok(Some(Parsed { packages, listing: None }));
        }
        if kind == Kind::Java {
            let file_name = path.rsplit('/').next().unwrap_or(path);
            let (packages, notes) = super::java::packages(data, file_name, &self.limits)?;
            for note in notes {
                self.note(format!("{path}: {note}"));
            }
            return Ok(Some(Parsed::listed(packages)));
        }
        let Ok(elf) = super::elf::Elf::parse(data) else { return Ok(None) };
        let mut packages = Vec::new();
        if let Some((version, modules)) = super::go::build_info(&elf)? {
            packages.extend(super::go::packages(&version, &modules));
        }
        if let Some(section) = elf.section(".dep-v0") {
            packages.extend(super::rust::auditable(section)?);
        }
        Ok((!packages.is_empty()).then(|| Parsed::listed(packages)))
    }

    /// The packages of files still in the final view.
    pub(crate) fn finish(mut self, filesystem: &Filesystem) -> Collected {
        let mut collected = Collected::default();
        for (path, found) in std::mem::take(&mut self.files) {
            if !matches!(filesystem.fate(found.layer, &path), Some(Fate::Visible)) {
                continue;
            }
            collected.packages.extend(found.packages);
            collected.sources.push(found.source);
        }
        let limits = &self.limits;
        for (count, what, cap) in [
            (self.too_large_binaries, "ELF binaries", limits.max_binary_bytes),
            (self.too_large_archives, "Java archives", limits.max_archive_bytes),
            (self.too_large_manifests, "package manifests", limits.max_manifest_bytes),
        ] {
            if count > 0 {
                self.notes
                    .push(format!("{count} {what} larger than {} MiB were not read", cap / (1024 * 1024)));
            }
        }
        if self.packages_dropped > 0 {
            self.notes.push(format!(
                "{} packages beyond the limit of {} were not recorded",
                self.packages_dropped, limits.max_packages
            ));
        }
        if self.notes_dropped > 0 {
            self.notes.push(format!("{} more notes not shown", self.notes_dropped));
        }
        collected.notes = self.notes;
        collected
    }
}

/// Copies what the wrapped reader yields into `copy`, up to `limit` bytes.
struct Tee<'r, R> {
    inner: R,
    copy: &'r mut Vec<u8>,
    limit: usize,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let room = self.limit.saturating_sub(self.copy.len()).min(n);
        self.copy.extend_from_slice(buf.get(..room).unwrap_or_default());
        Ok(n)
    }
}

/// The caller's visitor, with the inventory's collector listening in.
pub(crate) struct InventoryVisitor<'v> {
    inner: &'v mut dyn Visitor,
    /// The most bytes of a file the inner visitor may read (its walk's `max_file_bytes`).
    inner_cap: u64,
    pub(crate) collector: Collector,
}

impl<'v> InventoryVisitor<'v> {
    pub(crate) fn new(inner: &'v mut dyn Visitor, inner_cap: u64, limits: InventoryLimits) -> Self {
        InventoryVisitor { inner, inner_cap, collector: Collector::new(limits) }
    }
}

impl Visitor for InventoryVisitor<'_> {
    fn layer_start(&mut self, layer: &Layer) -> VisitResult {
        self.inner.layer_start(layer)
    }

    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        let mut head = Vec::with_capacity(SNIFF);
        content.take(SNIFF as u64).read_to_end(&mut head)?;
        let wanted = self.collector.wants(file.path, file.entry.size, &head);
        let head_len = head.len() as u64;
        let Some((kind, cap)) = wanted else {
            let mut shown = Cursor::new(head).chain(content.take(self.inner_cap.saturating_sub(head_len)));
            return self.inner.file(file, &mut shown);
        };
        let limit = usize::try_from(cap).unwrap_or(usize::MAX);
        let mut kept = Vec::with_capacity(usize::try_from(file.entry.size.min(cap)).unwrap_or(0));
        kept.extend_from_slice(&head);
        let shown_from_stream = self.inner_cap.saturating_sub(head_len);
        {
            let mut tee = Tee { inner: content.take(shown_from_stream), copy: &mut kept, limit };
            let mut shown = Cursor::new(head).chain(&mut tee);
            self.inner.file(file, &mut shown)?;
            // Whatever the inner visitor left of its share.
            io::copy(&mut tee, &mut io::sink())?;
        }
        let rest = limit.saturating_sub(kept.len()) as u64;
        content.take(rest).read_to_end(&mut kept)?;
        kept.truncate(limit);
        self.collector.add(file.layer.index, file.path, kind, &kept);
        Ok(())
    }

    fn entry(&mut self, entry: &VisitEntry<'_>) -> VisitResult {
        self.inner.entry(entry)
    }

    fn whiteout(&mut self, layer: &Layer, target: &str, opaque: bool) -> VisitResult {
        self.inner.whiteout(layer, target, opaque)
    }

    fn layer_end(&mut self, layer: &Layer, stats: &LayerStats) -> VisitResult {
        self.inner.layer_end(layer, stats)
    }
}
