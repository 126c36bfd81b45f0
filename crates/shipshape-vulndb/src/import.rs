//! Building a database from OSV exports: `all.zip` archives, JSON files, directories of JSON
//! files.
//!
//! Each record is parsed with [`shipshape_vuln::osv::Record`], skipped and counted when it
//! does not parse or fails [`Record::validate`], skipped and counted when it is withdrawn, and
//! otherwise stored with its id, its aliases and every `(ecosystem, package)` it affects as
//! index keys. Archives are read one entry at a time (see [`crate::zip`]), so memory stays
//! bounded by the largest record.

use std::fs;
use std::path::{Path, PathBuf};

use shipshape_vuln::osv::Record;

use crate::error::Error;
use crate::progress::{Progress, ProgressEvent};
use crate::store::{EcosystemStatus, GenerationWriter, SourceWriter, Status, unix_now};
use crate::zip::{ZipLimits, ZipReader, unsafe_name};

/// Limits for reading inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Limits on zip archives; `max_entry_size` also caps each JSON file of a directory.
    pub zip: ZipLimits,
}

/// Replaces the database in `dir` with the records of `inputs`: OSV `all.zip` exports, OSV
/// JSON files (one record, or an array of records), or directories searched recursively for
/// `.json` files (hidden directories and symbolic links are skipped).
///
/// Each input becomes one source in [`Status::ecosystems`], named after the input: the parent
/// directory of an `all.zip` (`osv/PyPI/all.zip` → `PyPI`), else the file stem or directory
/// name. The previous database stays in use until the new one is complete; on error it is
/// kept.
pub fn import(
    dir: &Path,
    inputs: &[PathBuf],
    options: &ImportOptions,
    progress: &mut dyn Progress,
) -> Result<Status, Error> {
    let mut writer = GenerationWriter::begin(dir)?;
    let mut names: Vec<String> = Vec::new();
    for input in inputs {
        let mut name = source_name(input);
        let base = name.clone();
        let mut n = 1;
        while names.contains(&name) {
            n += 1;
            name = format!("{base} ({n})");
        }
        names.push(name.clone());
        let now = unix_now();
        let status = EcosystemStatus {
            name,
            records: 0,
            skipped_invalid: 0,
            withdrawn: 0,
            source: input.display().to_string(),
            fetched_at: now,
            checked_at: now,
            etag: None,
            last_modified: None,
            problems: Vec::new(),
        };
        import_source(&mut writer, input, status, options, progress)?;
    }
    let status = writer.commit()?;
    progress.event(&ProgressEvent::Committed { records: status.records() });
    Ok(status)
}

/// The name an input is stored under.
fn source_name(path: &Path) -> String {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if file.eq_ignore_ascii_case("all.zip")
        && let Some(parent) = path.parent().and_then(Path::file_name)
    {
        return parent.to_string_lossy().into_owned();
    }
    if path.is_dir() {
        return if file.is_empty() { path.display().to_string() } else { file };
    }
    path.file_stem().map_or(file, |stem| stem.to_string_lossy().into_owned())
}

/// Imports one input as a new source of `writer`.
pub(crate) fn import_source(
    writer: &mut GenerationWriter,
    input: &Path,
    status: EcosystemStatus,
    options: &ImportOptions,
    progress: &mut dyn Progress,
) -> Result<EcosystemStatus, Error> {
    let name = status.name.clone();
    progress.event(&ProgressEvent::Importing { source: &name, path: &input.display().to_string() });
    let mut source = writer.source(status)?;
    let metadata = fs::metadata(input).map_err(Error::io(input))?;
    if metadata.is_dir() {
        import_dir(&mut source, input, input, options)?;
    } else if has_extension(input, "zip") {
        import_zip(&mut source, input, options)?;
    } else if has_extension(input, "json") {
        import_json_file(&mut source, input, input, options)?;
    } else {
        return Err(Error::UnsupportedInput { path: input.to_owned() });
    }
    let status = writer.finish_source(source)?;
    progress.event(&ProgressEvent::Imported {
        source: &name,
        records: status.records,
        skipped_invalid: status.skipped_invalid,
        withdrawn: status.withdrawn,
    });
    Ok(status)
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// Imports the records of an OSV zip export.
pub(crate) fn import_zip(
    source: &mut SourceWriter,
    path: &Path,
    options: &ImportOptions,
) -> Result<(), Error> {
    let mut zip = ZipReader::open(path, options.zip)?;
    let mut buf = Vec::new();
    while let Some(entry) = zip.next_entry()? {
        if entry.is_dir() {
            continue;
        }
        if let Some(reason) = unsafe_name(&entry.name) {
            source.skip_invalid(|| format!("{}: entry {:?} refused: {reason}", path.display(), entry.name));
            continue;
        }
        if !has_extension(Path::new(&entry.name), "json") {
            continue;
        }
        if entry.method != 0 && entry.method != 8 || entry.flags & 1 != 0 {
            source.skip_invalid(|| {
                format!(
                    "{}: entry {:?} is encrypted or uses compression method {}",
                    path.display(),
                    entry.name,
                    entry.method
                )
            });
            continue;
        }
        zip.read_entry(&entry, &mut buf)?;
        add_json(source, &buf, &entry.name)?;
    }
    Ok(())
}

fn import_dir(
    source: &mut SourceWriter,
    root: &Path,
    dir: &Path,
    options: &ImportOptions,
) -> Result<(), Error> {
    let mut entries: Vec<(PathBuf, fs::FileType)> = fs::read_dir(dir)
        .map_err(Error::io(dir))?
        .map(|entry| {
            let entry = entry.map_err(Error::io(dir))?;
            let kind = entry.file_type().map_err(Error::io(entry.path()))?;
            Ok((entry.path(), kind))
        })
        .collect::<Result<_, Error>>()?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if kind.is_symlink() || hidden {
            continue;
        }
        if kind.is_dir() {
            import_dir(source, root, &path, options)?;
        } else if kind.is_file() && has_extension(&path, "json") {
            import_json_file(source, root, &path, options)?;
        }
    }
    Ok(())
}

fn import_json_file(
    source: &mut SourceWriter,
    root: &Path,
    path: &Path,
    options: &ImportOptions,
) -> Result<(), Error> {
    let label = path.strip_prefix(root).ok().filter(|p| !p.as_os_str().is_empty()).unwrap_or(path);
    let label = label.display().to_string();
    let len = fs::metadata(path).map_err(Error::io(path))?.len();
    if len > options.zip.max_entry_size {
        source.skip_invalid(|| {
            format!("{label}: {len} bytes, more than the limit of {}", options.zip.max_entry_size)
        });
        return Ok(());
    }
    let bytes = fs::read(path).map_err(Error::io(path))?;
    add_json(source, &bytes, &label)
}

/// Adds the record (or array of records) in `bytes`; `label` names it in skip reasons.
fn add_json(source: &mut SourceWriter, bytes: &[u8], label: &str) -> Result<(), Error> {
    let is_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if is_array {
        match serde_json::from_slice::<Vec<Record>>(bytes) {
            Ok(records) => {
                for record in records {
                    add_record(source, record, label)?;
                }
            }
            Err(e) => source.skip_invalid(|| format!("{label}: not OSV JSON: {e}")),
        }
        return Ok(());
    }
    match serde_json::from_slice::<Record>(bytes) {
        Ok(record) => add_record(source, record, label),
        Err(e) => {
            source.skip_invalid(|| format!("{label}: not OSV JSON: {e}"));
            Ok(())
        }
    }
}

fn add_record(source: &mut SourceWriter, record: Record, label: &str) -> Result<(), Error> {
    if record.is_withdrawn() {
        source.skip_withdrawn();
        return Ok(());
    }
    if let Err(invalid) = record.validate() {
        source.skip_invalid(|| format!("{label}: {invalid}"));
        return Ok(());
    }
    source.add(&record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names() {
        assert_eq!(source_name(Path::new("/x/osv/PyPI/all.zip")), "PyPI");
        assert_eq!(source_name(Path::new("npm.zip")), "npm");
        assert_eq!(source_name(Path::new("/x/GHSA-1.json")), "GHSA-1");
    }
}
