//! The on-disk database: layout, opening, lookups, and atomic replacement.
//!
//! # Layout
//!
//! ```text
//! <dir>/
//!   CURRENT              "gen-00000007\n": the generation in use
//!   lock                 held (advisory file lock) while an import or update writes
//!   gen-00000007/
//!     meta.json          format version, build time, one entry per source (ecosystem):
//!                        counts, where it came from, ETag / Last-Modified, file stem
//!     index.bin          (ecosystem, normalised name) / id / alias → record locations
//!     src-0000.rec       the source's records, compact JSON, one after another
//!     src-0000.keys      the keys of the source's records (to rebuild the index)
//! ```
//!
//! # Atomic replacement
//!
//! An import or update writes a complete new generation into `tmp-gen-N-<pid>/`, syncs every
//! file and the directory, renames it to `gen-N/`, then writes `CURRENT.tmp`, syncs it and
//! renames it over `CURRENT`. Both renames are atomic, and readers only follow `CURRENT`, so a
//! process killed at any point leaves either the old or the new database in use, never a mix.
//! Leftovers of an interrupted write (`tmp-*` directories, a `gen-N` that `CURRENT` does not
//! name, `CURRENT.tmp`) are ignored by readers and removed by the next writer. After a commit,
//! generations older than the previous one are removed (the previous one is kept for readers
//! that were opening it at that moment).
//!
//! # Format versions
//!
//! [`FORMAT_VERSION`] is written in `meta.json` and `index.bin`. Opening a database of another
//! version fails with [`Error::FormatVersion`]; an update then downloads everything again and
//! writes the current format.

pub(crate) mod index;

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use shipshape_vuln::osv::Record;

use crate::error::Error;
use crate::keys::{self, ALIAS, ID, PACKAGE};
use index::{Index, KeyList, Posting};

/// The on-disk format this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

const CURRENT: &str = "CURRENT";
const CURRENT_TMP: &str = "CURRENT.tmp";
const LOCK: &str = "lock";
const META: &str = "meta.json";
const INDEX: &str = "index.bin";
const GEN_PREFIX: &str = "gen-";
const TMP_PREFIX: &str = "tmp-";
/// How many sample problems a source keeps for [`EcosystemStatus::problems`].
const MAX_PROBLEM_SAMPLES: usize = 20;

/// What a database holds, for `shipshape db status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The on-disk format version.
    pub format_version: u32,
    /// When the database was written (Unix time, seconds).
    pub built_at: u64,
    /// One entry per source, in the order they were imported.
    pub ecosystems: Vec<EcosystemStatus>,
}

impl Status {
    /// Records stored, summed over the sources (a record exported for two ecosystems counts
    /// twice).
    pub fn records(&self) -> u64 {
        self.ecosystems.iter().map(|e| e.records).sum()
    }
}

/// One source of records: an ecosystem's export, or an imported file or directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemStatus {
    /// The ecosystem (`PyPI`, `Debian`), or for imports the input's name.
    pub name: String,
    /// Records stored.
    pub records: u64,
    /// Records skipped because they do not parse or fail validation.
    pub skipped_invalid: u64,
    /// Records skipped because they are withdrawn.
    pub withdrawn: u64,
    /// Where the records came from: a URL or a path.
    pub source: String,
    /// When they were downloaded or imported (Unix time, seconds).
    pub fetched_at: u64,
    /// When the source was last checked for changes (Unix time, seconds).
    pub checked_at: u64,
    /// The `ETag` the server sent with the export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent with the export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Up to 20 reasons why records were skipped, such as `GHSA-x.json: ... has no
    /// introduced event`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// `meta.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Meta {
    format_version: u32,
    built_at: u64,
    sources: Vec<SourceMeta>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SourceMeta {
    /// File stem of the source's `.rec` and `.keys` files.
    file: String,
    #[serde(flatten)]
    status: EcosystemStatus,
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The default database directory: `$SHIPSHAPE_DB_DIR` when set, else
/// `$XDG_CACHE_HOME/shipshape/db`, else `~/.cache/shipshape/db` (on Windows
/// `%LOCALAPPDATA%\shipshape\db`).
pub fn default_dir() -> Option<PathBuf> {
    default_dir_from(|name| std::env::var_os(name))
}

fn default_dir_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("SHIPSHAPE_DB_DIR") {
        return Some(dir);
    }
    let cache = var("XDG_CACHE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| var("HOME").map(|home| home.join(".cache")))
        .or_else(|| var("LOCALAPPDATA"))?;
    Some(cache.join("shipshape").join("db"))
}

/// A database directory: opens the database in it and writes new ones ([`crate::import()`],
/// [`crate::update()`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The database in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The database in [`default_dir`].
    pub fn at_default_location() -> Result<Store, Error> {
        default_dir().map(Store::new).ok_or(Error::NoCacheDir)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens the database currently in use.
    pub fn open(&self) -> Result<Database, Error> {
        Database::open(&self.dir)
    }
}

/// An open database. Lookups read records from disk; the index is in memory.
#[derive(Debug)]
pub struct Database {
    dir: PathBuf,
    generation: PathBuf,
    meta: Meta,
    index: Index,
    sources: Vec<RecordFile>,
}

#[derive(Debug)]
struct RecordFile {
    path: PathBuf,
    file: File,
    len: u64,
}

impl RecordFile {
    /// Reads a record's bytes into `buf` (reused across reads).
    fn read(&self, posting: Posting, buf: &mut Vec<u8>) -> Result<(), Error> {
        let end = posting.offset.checked_add(u64::from(posting.len));
        if end.is_none_or(|end| end > self.len) {
            return Err(Error::corrupt(&self.path, "record range outside the file"));
        }
        buf.resize(posting.len as usize, 0);
        read_exact_at(&self.file, buf, posting.offset).map_err(Error::io(&self.path))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file.try_clone()?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// The generation named by `CURRENT`, if any.
fn current_generation(dir: &Path) -> Result<Option<String>, Error> {
    let path = dir.join(CURRENT);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let name = text.trim();
            if name.starts_with(GEN_PREFIX) && !name.contains(['/', '\\']) && name != GEN_PREFIX {
                Ok(Some(name.to_owned()))
            } else {
                Err(Error::corrupt(path, format!("names no generation: {name:?}")))
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io { path, source: e }),
    }
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix(GEN_PREFIX)?.parse().ok()
}

fn read_meta(generation: &Path, dir: &Path) -> Result<Meta, Error> {
    let path = generation.join(META);
    let text = fs::read(&path).map_err(Error::io(&path))?;
    // Read the version alone first, so that a future format with other fields is reported as
    // a version mismatch rather than as corruption.
    #[derive(Deserialize)]
    struct Version {
        format_version: u32,
    }
    let version: Version =
        serde_json::from_slice(&text).map_err(|e| Error::corrupt(&path, format!("invalid JSON: {e}")))?;
    if version.format_version != FORMAT_VERSION {
        return Err(Error::FormatVersion {
            dir: dir.to_owned(),
            found: version.format_version,
            expected: FORMAT_VERSION,
        });
    }
    serde_json::from_slice(&text).map_err(|e| Error::corrupt(&path, format!("invalid JSON: {e}")))
}

impl Database {
    /// Opens the database in `dir`: reads `CURRENT`, `meta.json` and `index.bin` (one read
    /// each) and opens the record files.
    pub fn open(dir: &Path) -> Result<Database, Error> {
        // A writer may remove the generation between reading CURRENT and opening its files
        // (two commits in a row); read CURRENT again then.
        let mut attempts = 0;
        loop {
            attempts += 1;
            match Database::open_once(dir) {
                Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound && attempts < 3 => {
                }
                other => return other,
            }
        }
    }

    fn open_once(dir: &Path) -> Result<Database, Error> {
        let name = current_generation(dir)?.ok_or_else(|| Error::NotFound { dir: dir.to_owned() })?;
        let generation = dir.join(&name);
        let meta = read_meta(&generation, dir)?;
        let index_path = generation.join(INDEX);
        let bytes = fs::read(&index_path).map_err(Error::io(&index_path))?;
        match index::format_version_of(&bytes) {
            Some(FORMAT_VERSION) => {}
            Some(found) => {
                return Err(Error::FormatVersion { dir: dir.to_owned(), found, expected: FORMAT_VERSION });
            }
            None => return Err(Error::corrupt(&index_path, "not an index file")),
        }
        let index = Index::parse(bytes, &index_path, meta.sources.len())?;
        let sources = meta
            .sources
            .iter()
            .map(|source| {
                let path = generation.join(format!("{}.rec", source.file));
                let file = File::open(&path).map_err(Error::io(&path))?;
                let len = file.metadata().map_err(Error::io(&path))?.len();
                Ok(RecordFile { path, file, len })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Database { dir: dir.to_owned(), generation, meta, index, sources })
    }

    /// The database directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the database holds.
    pub fn status(&self) -> Status {
        Status {
            format_version: self.meta.format_version,
            built_at: self.meta.built_at,
            ecosystems: self.meta.sources.iter().map(|s| s.status.clone()).collect(),
        }
    }

    fn read_postings(&self, postings: Vec<Posting>) -> Result<Vec<Record>, Error> {
        let mut by_id: HashMap<String, Record> = HashMap::with_capacity(postings.len());
        let mut bytes = Vec::new();
        for posting in postings {
            let source = self
                .sources
                .get(posting.source as usize)
                .ok_or_else(|| Error::corrupt(self.generation.join(INDEX), "posting names no source"))?;
            source.read(posting, &mut bytes)?;
            let record: Record = serde_json::from_slice(&bytes).map_err(|e| {
                Error::corrupt(&source.path, format!("record at byte {}: {e}", posting.offset))
            })?;
            // The same record may come from two exports (a GHSA record affecting npm and Maven
            // is in both); keep the most recently modified copy.
            match by_id.get(&record.id) {
                Some(kept) if kept.modified >= record.modified => {}
                _ => {
                    by_id.insert(record.id.clone(), record);
                }
            }
        }
        let mut records: Vec<Record> = by_id.into_values().collect();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(records)
    }

    fn lookup(&self, key: &[u8]) -> Result<Vec<Record>, Error> {
        let postings =
            self.index.lookup(key).map_err(|reason| Error::corrupt(self.generation.join(INDEX), reason))?;
        self.read_postings(postings)
    }

    /// Every record with an affected entry for package `name` in `ecosystem` (an OSV
    /// ecosystem string; a release suffix such as `Debian:12` is ignored here, and checked by
    /// [`shipshape_vuln::record_affects`]). Names are compared as the ecosystem does (PEP 503
    /// for PyPI). Sorted by id, one record per id.
    pub fn records_for(&self, ecosystem: &str, name: &str) -> Result<Vec<Record>, Error> {
        self.lookup(&keys::package_key(ecosystem, name))
    }

    /// The record with this id.
    pub fn record(&self, id: &str) -> Result<Option<Record>, Error> {
        Ok(self.lookup(&keys::text_key(ID, id))?.into_iter().next())
    }

    /// The records that list `alias` (such as a CVE id) among their aliases.
    pub fn records_with_alias(&self, alias: &str) -> Result<Vec<Record>, Error> {
        self.lookup(&keys::text_key(ALIAS, alias))
    }

    /// The ids of the records that list `alias` among their aliases, and the record with id
    /// `alias` itself if there is one: every id one vulnerability is known by here.
    pub fn ids_for_alias(&self, alias: &str) -> Result<Vec<String>, Error> {
        let mut ids: Vec<String> = self.records_with_alias(alias)?.into_iter().map(|r| r.id).collect();
        if self.record(alias)?.is_some() {
            ids.push(alias.trim().to_owned());
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Every (ecosystem, normalised package name) the database has records for.
    pub fn packages(&self) -> Vec<(String, String)> {
        self.index
            .keys_with_prefix(&[PACKAGE])
            .into_iter()
            .filter_map(|key| {
                let text = std::str::from_utf8(key.get(1..)?).ok()?;
                let (ecosystem, name) = text.split_once('\0')?;
                Some((ecosystem.to_owned(), name.to_owned()))
            })
            .collect()
    }

    /// The status of the source (ecosystem) named `name`.
    pub fn source_status(&self, name: &str) -> Option<&EcosystemStatus> {
        self.meta.sources.iter().map(|s| &s.status).find(|s| s.name == name)
    }

    /// The number of distinct record ids.
    pub fn record_count(&self) -> usize {
        self.index.keys_with_prefix(&[ID]).len()
    }
}

/// The counters and files of one source being written.
pub(crate) struct SourceWriter {
    path: PathBuf,
    out: BufWriter<File>,
    offset: u64,
    keys: KeyList,
    meta: SourceMeta,
    buf: Vec<u8>,
    record_keys: Vec<Vec<u8>>,
}

impl SourceWriter {
    /// Stores a valid, non-withdrawn record.
    pub(crate) fn add(&mut self, record: &Record) -> Result<(), Error> {
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, record)
            .map_err(|e| Error::Io { path: self.path.clone(), source: io::Error::other(e) })?;
        let len = u32::try_from(self.buf.len()).map_err(|_| Error::Io {
            path: self.path.clone(),
            source: io::Error::other("record larger than 4 GiB"),
        })?;
        self.out.write_all(&self.buf).map_err(Error::io(&self.path))?;

        self.record_keys.clear();
        self.record_keys.push(keys::text_key(ID, &record.id));
        for alias in &record.aliases {
            if !alias.trim().is_empty() {
                self.record_keys.push(keys::text_key(ALIAS, alias));
            }
        }
        for affected in &record.affected {
            if let Some(package) = &affected.package {
                self.record_keys.push(keys::package_key(&package.ecosystem, &package.name));
            }
        }
        self.record_keys.sort();
        self.record_keys.dedup();
        for key in &self.record_keys {
            self.keys.push(key, self.offset, len);
        }
        self.offset += u64::from(len);
        self.meta.status.records += 1;
        Ok(())
    }

    /// Counts a record skipped as invalid, keeping a sample of the reasons.
    pub(crate) fn skip_invalid(&mut self, reason: impl FnOnce() -> String) {
        self.meta.status.skipped_invalid += 1;
        if self.meta.status.problems.len() < MAX_PROBLEM_SAMPLES {
            self.meta.status.problems.push(reason());
        }
    }

    /// Counts a withdrawn record.
    pub(crate) fn skip_withdrawn(&mut self) {
        self.meta.status.withdrawn += 1;
    }
}

/// Where a commit may be stopped by a test, as a crash would stop it: just before the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CrashPoint {
    /// The new generation's files are written, not yet renamed into place.
    GenerationRename,
    /// The generation is renamed into place; `CURRENT` still names the old one.
    CurrentWrite,
    /// `CURRENT.tmp` is written, not yet renamed over `CURRENT`.
    CurrentRename,
}

/// A new generation being written, holding the update lock.
pub(crate) struct GenerationWriter {
    dir: PathBuf,
    tmp: PathBuf,
    name: String,
    sources: Vec<SourceMeta>,
    lists: Vec<KeyList>,
    /// The generation `CURRENT` named when the writer started.
    previous: Option<String>,
    /// Set when a test simulates a crash: the leftovers stay, as after a real one.
    crashed: bool,
    _lock: File,
}

fn sync_dir(path: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        File::open(path).and_then(|dir| dir.sync_all()).map_err(Error::io(path))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

impl GenerationWriter {
    /// Takes the lock of `dir`, removes leftovers of interrupted writes, and creates the
    /// temporary directory of the next generation.
    pub(crate) fn begin(dir: &Path) -> Result<GenerationWriter, Error> {
        fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let lock_path = dir.join(LOCK);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(Error::io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(Error::Locked { dir: dir.to_owned() }),
            Err(fs::TryLockError::Error(e)) => return Err(Error::Io { path: lock_path, source: e }),
        }
        let previous = current_generation(dir).ok().flatten();
        let mut highest = 0;
        for entry in fs::read_dir(dir).map_err(Error::io(dir))? {
            let entry = entry.map_err(Error::io(dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(TMP_PREFIX) || name == CURRENT_TMP {
                remove_all(&entry.path());
            } else if let Some(number) = generation_number(&name) {
                highest = highest.max(number);
            }
        }
        // A generation renamed into place by a writer that died before switching CURRENT is
        // complete but unused: a new number avoids it, and cleanup removes it after the commit.
        let name = format!("{GEN_PREFIX}{:08}", highest + 1);
        let tmp = dir.join(format!("{TMP_PREFIX}{name}-{}", std::process::id()));
        fs::create_dir(&tmp).map_err(Error::io(&tmp))?;
        Ok(GenerationWriter {
            dir: dir.to_owned(),
            tmp,
            name,
            sources: Vec::new(),
            lists: Vec::new(),
            previous,
            crashed: false,
            _lock: lock,
        })
    }

    /// A path inside the temporary directory (removed with it).
    #[cfg_attr(not(feature = "update"), allow(dead_code))]
    pub(crate) fn temp_path(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    fn next_file(&self) -> String {
        format!("src-{:04}", self.sources.len())
    }

    /// Starts writing a new source.
    pub(crate) fn source(&self, status: EcosystemStatus) -> Result<SourceWriter, Error> {
        let file = self.next_file();
        let path = self.tmp.join(format!("{file}.rec"));
        let out = File::create(&path).map_err(Error::io(&path))?;
        Ok(SourceWriter {
            path,
            out: BufWriter::with_capacity(1 << 20, out),
            offset: 0,
            keys: KeyList::default(),
            meta: SourceMeta { file, status },
            buf: Vec::new(),
            record_keys: Vec::new(),
        })
    }

    /// Finishes a source started with [`GenerationWriter::source`].
    pub(crate) fn finish_source(&mut self, mut source: SourceWriter) -> Result<EcosystemStatus, Error> {
        let path = source.path.clone();
        source.out.flush().map_err(Error::io(&path))?;
        source.out.get_ref().sync_all().map_err(Error::io(&path))?;
        source.keys.write(&self.tmp.join(format!("{}.keys", source.meta.file)))?;
        let status = source.meta.status.clone();
        self.sources.push(source.meta);
        self.lists.push(source.keys);
        Ok(status)
    }

    /// Copies a source of an open database into the new generation unchanged (hard links when
    /// possible), with a new status (for the new check time).
    #[cfg_attr(not(feature = "update"), allow(dead_code))]
    pub(crate) fn keep_source(&mut self, db: &Database, name: &str, checked_at: u64) -> Result<bool, Error> {
        let Some(old) = db.meta.sources.iter().find(|s| s.status.name == name) else {
            return Ok(false);
        };
        let file = self.next_file();
        let mut records_len = 0;
        for ext in ["rec", "keys"] {
            let from = db.generation.join(format!("{}.{ext}", old.file));
            let to = self.tmp.join(format!("{file}.{ext}"));
            // A failed source may have left a file of this name behind.
            let _ = fs::remove_file(&to);
            if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).map_err(Error::io(&from))?;
            }
            if ext == "rec" {
                records_len = fs::metadata(&to).map_err(Error::io(&to))?.len();
            }
        }
        let keys = KeyList::read(&self.tmp.join(format!("{file}.keys")), records_len)?;
        let mut status = old.status.clone();
        status.checked_at = checked_at;
        self.sources.push(SourceMeta { file, status });
        self.lists.push(keys);
        Ok(true)
    }

    /// Writes the index and `meta.json` and switches `CURRENT` to the new generation.
    pub(crate) fn commit(self) -> Result<Status, Error> {
        self.commit_until(None)
    }

    pub(crate) fn commit_until(mut self, crash: Option<CrashPoint>) -> Result<Status, Error> {
        self.crashed = crash.is_some();
        index::write_index(&self.tmp.join(INDEX), &self.lists)?;
        let meta =
            Meta { format_version: FORMAT_VERSION, built_at: unix_now(), sources: self.sources.clone() };
        let meta_path = self.tmp.join(META);
        write_synced(&meta_path, &serde_json::to_vec_pretty(&meta).unwrap_or_default())?;
        sync_dir(&self.tmp)?;
        if crash == Some(CrashPoint::GenerationRename) {
            return Err(Error::SimulatedCrash("before the generation rename"));
        }

        let generation = self.dir.join(&self.name);
        fs::rename(&self.tmp, &generation).map_err(Error::io(&generation))?;
        sync_dir(&self.dir)?;
        if crash == Some(CrashPoint::CurrentWrite) {
            return Err(Error::SimulatedCrash("before CURRENT is written"));
        }

        let current_tmp = self.dir.join(CURRENT_TMP);
        write_synced(&current_tmp, format!("{}\n", self.name).as_bytes())?;
        if crash == Some(CrashPoint::CurrentRename) {
            return Err(Error::SimulatedCrash("before CURRENT is renamed"));
        }
        let current = self.dir.join(CURRENT);
        fs::rename(&current_tmp, &current).map_err(Error::io(&current))?;
        sync_dir(&self.dir)?;

        self.remove_old_generations();
        Ok(Status {
            format_version: meta.format_version,
            built_at: meta.built_at,
            ecosystems: meta_status(&meta),
        })
    }

    /// Removes every generation but the new one and the one `CURRENT` named before (kept for
    /// readers that were opening it at that moment).
    fn remove_old_generations(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let keep = name == self.name || Some(&name) == self.previous.as_ref();
            if !keep && generation_number(&name).is_some() {
                remove_all(&entry.path());
            }
        }
    }
}

impl Drop for GenerationWriter {
    fn drop(&mut self) {
        // An abandoned (failed) write leaves nothing behind; a committed one has no tmp dir.
        if !self.crashed && self.tmp.exists() {
            remove_all(&self.tmp);
        }
    }
}

fn meta_status(meta: &Meta) -> Vec<EcosystemStatus> {
    meta.sources.iter().map(|s| s.status.clone()).collect()
}

fn remove_all(path: &Path) {
    let _ = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = File::create(path).map_err(Error::io(path))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(Error::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_vuln::osv::{Affected, Event, Package, Range, RangeKind};

    pub(crate) fn record(id: &str, ecosystem: &str, name: &str, fixed: &str) -> Record {
        Record {
            id: id.into(),
            modified: "2024-01-01T00:00:00Z".into(),
            affected: vec![Affected {
                package: Some(Package { ecosystem: ecosystem.into(), name: name.into(), purl: None }),
                ranges: vec![Range {
                    kind: RangeKind::Ecosystem,
                    repo: None,
                    events: vec![Event::introduced("0"), Event::fixed(fixed)],
                    database_specific: None,
                }],
                ..Affected::default()
            }],
            ..Record::default()
        }
    }

    fn status(name: &str) -> EcosystemStatus {
        EcosystemStatus {
            name: name.into(),
            records: 0,
            skipped_invalid: 0,
            withdrawn: 0,
            source: format!("test:{name}"),
            fetched_at: 1,
            checked_at: 1,
            etag: None,
            last_modified: None,
            problems: Vec::new(),
        }
    }

    fn write_db(dir: &Path, records: &[Record], crash: Option<CrashPoint>) -> Result<Status, Error> {
        let mut writer = GenerationWriter::begin(dir)?;
        let mut source = writer.source(status("PyPI"))?;
        for record in records {
            source.add(record)?;
        }
        writer.finish_source(source)?;
        writer.commit_until(crash)
    }

    #[test]
    fn a_crash_at_any_commit_step_leaves_the_previous_database_usable() {
        for crash in [CrashPoint::GenerationRename, CrashPoint::CurrentWrite, CrashPoint::CurrentRename] {
            let dir = tempfile::tempdir().unwrap();
            write_db(dir.path(), &[record("OLD-1", "PyPI", "django", "1.0")], None).unwrap();
            let error = write_db(dir.path(), &[record("NEW-1", "PyPI", "django", "2.0")], Some(crash));
            assert!(matches!(error, Err(Error::SimulatedCrash(_))), "{crash:?}");
            let db = Database::open(dir.path()).unwrap();
            let ids: Vec<String> =
                db.records_for("PyPI", "Django").unwrap().into_iter().map(|r| r.id).collect();
            assert_eq!(ids, ["OLD-1"], "{crash:?}");
            drop(db);
            // The next writer cleans up and commits over the leftovers.
            write_db(dir.path(), &[record("NEW-2", "PyPI", "django", "3.0")], None).unwrap();
            let db = Database::open(dir.path()).unwrap();
            assert_eq!(db.records_for("PyPI", "django").unwrap()[0].id, "NEW-2", "{crash:?}");
            let leftovers: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(TMP_PREFIX) || n == CURRENT_TMP)
                .collect();
            assert!(leftovers.is_empty(), "{crash:?}: {leftovers:?}");
            let mut generations: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(GEN_PREFIX))
                .collect();
            generations.sort();
            let expected: &[&str] = match crash {
                // The crashed write never got a generation directory.
                CrashPoint::GenerationRename => &["gen-00000001", "gen-00000002"],
                // Its renamed but unused generation 2 is removed.
                _ => &["gen-00000001", "gen-00000003"],
            };
            assert_eq!(generations, expected, "{crash:?}");
        }
    }

    #[test]
    fn old_generations_are_removed_but_the_previous_one_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..4 {
            write_db(dir.path(), &[record(&format!("R-{i}"), "PyPI", "x", "1")], None).unwrap();
        }
        let mut generations: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(GEN_PREFIX))
            .collect();
        generations.sort();
        assert_eq!(generations, ["gen-00000003", "gen-00000004"]);
    }

    #[test]
    fn default_directory() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).into())
        };
        let dir = |vars| default_dir_from(env(vars)).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(dir(&[("HOME", "/home/u")]).as_deref(), Some("/home/u/.cache/shipshape/db"));
        assert_eq!(dir(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "/c")]).as_deref(), Some("/c/shipshape/db"));
        assert_eq!(
            dir(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "relative")]).as_deref(),
            Some("/home/u/.cache/shipshape/db"),
            "a relative XDG_CACHE_HOME is ignored, as the spec says"
        );
        assert_eq!(dir(&[("SHIPSHAPE_DB_DIR", "/db"), ("HOME", "/h")]).as_deref(), Some("/db"));
        assert_eq!(dir(&[("HOME", "")]), None);
    }

    #[test]
    fn the_lock_refuses_a_second_writer() {
        let dir = tempfile::tempdir().unwrap();
        let first = GenerationWriter::begin(dir.path()).unwrap();
        assert!(matches!(GenerationWriter::begin(dir.path()), Err(Error::Locked { .. })));
        drop(first);
        assert!(GenerationWriter::begin(dir.path()).is_ok());
    }
}
