//! Automatic fixes (`shipshape fix`, `scan --fix`, `--diff`): the fixes findings carry, applied
//! to the files they point into until nothing more applies.
//!
//! A pass scans, takes every fix at or above the wanted [`Applicability`] (safe; safe and unsafe
//! with `--unsafe-fixes`) and applies the non-overlapping ones to each file's text in memory
//! ([`apply_fixes`]); the next pass re-checks the fixed texts (as documents named like their
//! files, so configuration and suppressions apply as before), because a fix that overlapped
//! another is applied after it. Passes stop when none applies, at most [`MAX_PASSES`]. Nothing
//! is written here: the caller writes [`FixedFile::fixed`] or shows a diff.
//!
//! A file is only fixed when its bytes on disk are exactly the text that was checked (valid
//! UTF-8, no byte-order mark): a fix is byte-offset edits and must not rewrite anything else.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use shipshape_model::fix::apply_fixes;
use shipshape_model::{Applicability, Fix, SourceFile};

use crate::{ScanError, ScanOptions, ScanResult, scan, scan_documents};

/// Fix passes before giving up on convergence.
pub const MAX_PASSES: usize = 8;

/// One file the fixes changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedFile {
    /// The path findings show.
    pub display: Arc<str>,
    /// The file on disk.
    pub path: PathBuf,
    /// The front end that reads it.
    pub kind: &'static str,
    /// The text before any fix.
    pub original: String,
    /// The text after every pass.
    pub fixed: String,
    /// Fixes applied, over all passes.
    pub applied: usize,
}

/// What fixing found and did.
#[derive(Debug, Clone, Default)]
pub struct FixOutcome {
    /// Files with at least one fix applied, by display path.
    pub files: Vec<FixedFile>,
    /// Files with fixes that were left alone, and why.
    pub skipped: Vec<String>,
}

impl FixOutcome {
    /// Fixes applied in every file.
    pub fn applied(&self) -> usize {
        self.files.iter().map(|f| f.applied).sum()
    }
}

/// Finds and applies the fixes of `options`' targets (in memory).
pub fn fix(options: &ScanOptions, min: Applicability) -> Result<FixOutcome, ScanError> {
    let mut outcome = FixOutcome::default();
    let mut files: BTreeMap<Arc<str>, FixedFile> = BTreeMap::new();
    let first = scan(options)?;
    let mut pending = fixes_by_file(&first, min);
    for pass in 0..MAX_PASSES {
        let mut changed = Vec::new();
        for (display, fixes) in pending {
            let file = match files.get_mut(&display) {
                Some(file) => file,
                None => match load(options, &first, &display) {
                    Ok(file) => files.entry(display.clone()).or_insert(file),
                    Err(reason) => {
                        outcome.skipped.push(format!("{display}: {reason}"));
                        continue;
                    }
                },
            };
            let (fixed, applied) = apply_fixes(&file.fixed, fixes.iter(), min);
            if applied > 0 && fixed != file.fixed {
                file.fixed = fixed;
                file.applied += applied;
                changed.push(display);
            }
        }
        if changed.is_empty() || pass + 1 == MAX_PASSES {
            break;
        }
        let documents = changed
            .iter()
            .filter_map(|display| files.get(display))
            .map(|file| (SourceFile::new(file.display.clone(), file.fixed.as_str()), file.kind))
            .collect();
        let rescan = scan_documents(options, documents)?;
        pending = fixes_by_file(&rescan, min);
    }
    outcome.files = files.into_values().filter(|f| f.fixed != f.original).collect();
    Ok(outcome)
}

/// The fixes of `result` at or above `min`, by the file they edit.
fn fixes_by_file(result: &ScanResult, min: Applicability) -> BTreeMap<Arc<str>, Vec<Fix>> {
    let mut by_file: BTreeMap<Arc<str>, Vec<Fix>> = BTreeMap::new();
    for finding in &result.findings {
        if let Some(fix) = finding.fix.as_ref().filter(|f| f.applicability >= min) {
            by_file.entry(finding.location.path.clone()).or_default().push(fix.clone());
        }
    }
    by_file.retain(|display, _| &**display != "-");
    by_file
}

/// Reads the file findings call `display`, refusing it unless its bytes are the checked text.
fn load(options: &ScanOptions, result: &ScanResult, display: &Arc<str>) -> Result<FixedFile, String> {
    let kind = result
        .targets
        .iter()
        .find(|t| t.path == *display)
        .map(|t| t.kind)
        .ok_or("it is not a scanned file (read by another target); fix it by scanning it directly")?;
    let path = options.cwd.join(&**display);
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8; edits could corrupt it".to_owned())?;
    if text.starts_with('\u{feff}') {
        return Err("starts with a byte-order mark; not fixed".into());
    }
    if result.sources.get(display).is_some_and(|source| *source.text != *text) {
        return Err("changed on disk since it was checked".into());
    }
    Ok(FixedFile { display: display.clone(), path, kind, original: text.clone(), fixed: text, applied: 0 })
}

/// Writes a fixed file in place: a temporary file beside it, with its permissions, renamed over
/// it.
pub fn write_fixed(file: &FixedFile) -> std::io::Result<()> {
    let dir = file.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = file.path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.shipshape-fix.{}", std::process::id()));
    std::fs::write(&temporary, &file.fixed)?;
    let result = std::fs::metadata(&file.path)
        .and_then(|meta| std::fs::set_permissions(&temporary, meta.permissions()))
        .and_then(|()| std::fs::rename(&temporary, &file.path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
