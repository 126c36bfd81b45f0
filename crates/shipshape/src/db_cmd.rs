//! `shipshape db update|import|status`: the local vulnerability database.

use crate::args::{DEFAULT_ECOSYSTEMS, DbArgs, DbCommand, DbUpdateArgs, PssFormat};
use anyhow::{Context, Result, bail};
use shipshape_vulndb::{EcosystemOutcome, ImportOptions, ProgressEvent, Status, Store, UpdateConfig};
use std::io::Write;
use std::path::PathBuf;

/// The database directory: `--db`, else the default one.
fn dir(args: &DbArgs) -> Result<PathBuf> {
    match &args.db {
        Some(dir) => Ok(dir.clone()),
        None => Ok(Store::at_default_location().context("no database directory")?.dir().to_path_buf()),
    }
}

/// One progress line on stderr per event worth telling.
fn progress_line(event: &ProgressEvent<'_>) {
    let line = match event {
        ProgressEvent::Checking { ecosystem, url } => format!("{ecosystem}: checking {url}"),
        ProgressEvent::Retrying { ecosystem, attempt, wait, reason, .. } => format!(
            "{ecosystem}: attempt {attempt} failed ({reason}); retrying in {:.1} s",
            wait.as_secs_f64()
        ),
        ProgressEvent::SourceFailed { ecosystem, url, reason } => {
            format!("{ecosystem}: {url} failed: {reason}")
        }
        ProgressEvent::NotModified { ecosystem } => format!("{ecosystem}: unchanged"),
        ProgressEvent::Downloaded { ecosystem, bytes } => {
            format!("{ecosystem}: downloaded {:.1} MB", *bytes as f64 / 1e6)
        }
        ProgressEvent::Importing { source, path } => format!("{source}: importing {path}"),
        ProgressEvent::Imported { source, records, skipped_invalid, withdrawn } => format!(
            "{source}: {records} records ({withdrawn} withdrawn and {skipped_invalid} invalid skipped)"
        ),
        ProgressEvent::Committed { records } => format!("database written: {records} records"),
        _ => return,
    };
    let _ = writeln!(std::io::stderr(), "shipshape: {line}");
}

pub(crate) fn run(args: &DbArgs, out: &mut dyn Write) -> Result<()> {
    let dir = dir(args)?;
    match &args.command {
        DbCommand::Update(update) => run_update(&dir, update, out),
        DbCommand::Import { paths } => {
            let status = shipshape_vulndb::import(&dir, paths, &ImportOptions::default(), &mut progress_line)
                .with_context(|| format!("cannot import into {}", dir.display()))?;
            writeln!(out, "imported {} records into {}", status.records(), dir.display())?;
            Ok(())
        }
        DbCommand::Status { format } => {
            let db = match Store::new(dir.clone()).open() {
                Ok(db) => db,
                Err(shipshape_vulndb::Error::NotFound { dir }) => bail!(
                    "no vulnerability database in {}: run `shipshape db update` or `shipshape db import`",
                    dir.display()
                ),
                Err(other) => return Err(other.into()),
            };
            let status = db.status();
            match format {
                PssFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &status)?;
                    writeln!(out)?;
                }
                PssFormat::Human => write_status(&dir, &status, out)?,
            }
            Ok(())
        }
    }
}

fn run_update(dir: &std::path::Path, args: &DbUpdateArgs, out: &mut dyn Write) -> Result<()> {
    let ecosystems: Vec<&str> = if args.ecosystem.is_empty() {
        DEFAULT_ECOSYSTEMS.to_vec()
    } else {
        args.ecosystem.iter().map(String::as_str).collect()
    };
    let mut config = UpdateConfig::new(dir, &ecosystems);
    if let Some(base) = &args.base_url {
        config.base_url = base.clone();
    }
    config.mirrors = args.mirror.clone();
    let report = shipshape_vulndb::update(&config, &mut progress_line)
        .with_context(|| format!("cannot update the vulnerability database in {}", dir.display()))?;
    if let Some(reason) = &report.rebuilt_because {
        writeln!(out, "rebuilt the database: {reason}")?;
    }
    for (ecosystem, outcome) in &report.outcomes {
        match outcome {
            EcosystemOutcome::Downloaded { url, bytes } => {
                writeln!(out, "{ecosystem}: updated from {url} ({bytes} bytes)")?;
            }
            EcosystemOutcome::NotModified { .. } => writeln!(out, "{ecosystem}: unchanged")?,
            EcosystemOutcome::Failed { error, kept_previous } => {
                let kept = if *kept_previous { "; previous records kept" } else { "" };
                writeln!(out, "{ecosystem}: FAILED: {error}{kept}")?;
            }
        }
    }
    writeln!(out, "{} records in {}", report.status.records(), dir.display())?;
    if report.has_failures() {
        bail!("some ecosystems could not be updated");
    }
    Ok(())
}

/// A unix time as `YYYY-MM-DD HH:MM:SS UTC` (0: `never`).
fn utc(seconds: u64) -> String {
    if seconds == 0 {
        return "never".to_owned();
    }
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rest / 3600, rest % 3600 / 60, rest % 60)
}

fn write_status(dir: &std::path::Path, status: &Status, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "database: {} (format {})", dir.display(), status.format_version)?;
    writeln!(out, "built: {}", utc(status.built_at))?;
    writeln!(out, "records: {}", status.records())?;
    for source in &status.ecosystems {
        writeln!(
            out,
            "  {:<14} {:>8} records  {:>6} withdrawn  {:>4} invalid  fetched {}  from {}",
            source.name,
            source.records,
            source.withdrawn,
            source.skipped_invalid,
            source.fetched_at,
            source.source
        )?;
        for problem in &source.problems {
            writeln!(out, "      {problem}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_times_print_as_utc_dates() {
        assert_eq!(super::utc(0), "never");
        assert_eq!(super::utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(super::utc(1_795_994_772), "2026-11-29 23:26:12 UTC");
    }
}
