//! Updating the database from OSV's per-ecosystem exports over HTTP(S).
//!
//! For each configured ecosystem, `<base>/<Ecosystem>/all.zip` is requested from the base URL
//! (by default OSV's bucket), then from each mirror in order when a URL fails for good. A
//! request that fails in a way worth retrying (`429`, `408`, `5xx`, a connection or timeout
//! error, a body cut short) is retried with exponential backoff, or after the server's
//! `Retry-After` (seconds or an HTTP date, capped by [`RetryPolicy::max_retry_after`]).
//!
//! Requests carry `If-None-Match` / `If-Modified-Since` with the stored `ETag` /
//! `Last-Modified` of the ecosystem, so an unchanged export is answered `304 Not Modified`
//! and its stored records are kept without downloading them again. A downloaded export is
//! streamed to a file inside the new generation's temporary directory (memory stays bounded),
//! imported, and deleted.
//!
//! An ecosystem that cannot be downloaded keeps its previous records (reported in
//! [`UpdateReport`]); when none can be downloaded nor kept, [`update`] fails and the previous
//! database stays in use. A database of another format version is not reused: everything is
//! downloaded again.
//!
//! HTTP is [`ureq`] (blocking, small); `https://` URLs need the `https` feature (rustls with
//! the webpki roots), on by default since OSV's bucket is HTTPS only.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;
use crate::import::{ImportOptions, import_source};
use crate::progress::{Progress, ProgressEvent};
use crate::store::{Database, EcosystemStatus, GenerationWriter, Status, unix_now};

/// OSV's bucket of per-ecosystem exports.
pub const OSV_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// How failed requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per URL, the first included (default 4).
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one (default 1 s).
    pub initial_backoff: Duration,
    /// Longest backoff between attempts (default 30 s).
    pub max_backoff: Duration,
    /// Longest `Retry-After` honoured; a longer one is cut to this (default 120 s).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The backoff after failed attempt `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.saturating_sub(1).min(31)).unwrap_or(u32::MAX);
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// What to update and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateConfig {
    /// The database directory.
    pub dir: PathBuf,
    /// OSV ecosystem names to download (`PyPI`, `npm`, `Debian`, ...). The new database holds
    /// exactly these.
    pub ecosystems: Vec<String>,
    /// Where the exports are: `<base_url>/<Ecosystem>/all.zip`.
    pub base_url: String,
    /// Further base URLs, tried in order when the previous one fails.
    pub mirrors: Vec<String>,
    /// Retries.
    pub retry: RetryPolicy,
    /// Connection timeout (default 30 s).
    pub connect_timeout: Duration,
    /// Longest wait for any read from the server (default 120 s).
    pub read_timeout: Duration,
    /// Largest export downloaded (default 4 GiB).
    pub max_download_size: u64,
    /// Limits on the archives.
    pub import: ImportOptions,
    /// Use `HTTP(S)_PROXY` / `ALL_PROXY` / `NO_PROXY` from the environment (default true).
    pub use_env_proxy: bool,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl UpdateConfig {
    /// The defaults, for `ecosystems` in `dir`.
    pub fn new(dir: impl Into<PathBuf>, ecosystems: &[&str]) -> UpdateConfig {
        UpdateConfig {
            dir: dir.into(),
            ecosystems: ecosystems.iter().map(|e| (*e).to_owned()).collect(),
            base_url: OSV_BASE_URL.to_owned(),
            mirrors: Vec::new(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(120),
            max_download_size: 4 << 30,
            import: ImportOptions::default(),
            use_env_proxy: true,
            user_agent: concat!("shipshape/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// What happened to one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcosystemOutcome {
    /// A new export was downloaded and imported.
    Downloaded {
        /// Where from.
        url: String,
        /// Its size.
        bytes: u64,
    },
    /// The server said the export is unchanged; the stored records were kept.
    NotModified {
        /// The URL that said so.
        url: String,
    },
    /// Every URL failed.
    Failed {
        /// The last error, per URL.
        error: String,
        /// Whether the previous records of the ecosystem were kept.
        kept_previous: bool,
    },
}

/// The result of [`update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateReport {
    /// One outcome per configured ecosystem, in order.
    pub outcomes: Vec<(String, EcosystemOutcome)>,
    /// The new database.
    pub status: Status,
    /// Why the previous database was not reused, when it existed but was not readable (format
    /// version, corruption).
    pub rebuilt_because: Option<String>,
}

impl UpdateReport {
    /// Whether some ecosystem failed.
    pub fn has_failures(&self) -> bool {
        self.outcomes.iter().any(|(_, o)| matches!(o, EcosystemOutcome::Failed { .. }))
    }
}

/// Downloads the configured ecosystems' exports and atomically replaces the database; see the
/// module documentation.
pub fn update(config: &UpdateConfig, progress: &mut dyn Progress) -> Result<UpdateReport, Error> {
    let mut writer = GenerationWriter::begin(&config.dir)?;
    let (old, rebuilt_because) = match Database::open(&config.dir) {
        Ok(db) => (Some(db), None),
        Err(Error::NotFound { .. }) => (None, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let agent = agent(config);
    let download = writer.temp_path("download.zip");
    let mut outcomes = Vec::new();
    let mut errors = Vec::new();
    let mut sources = 0usize;

    for ecosystem in &config.ecosystems {
        let previous = old.as_ref().and_then(|db| db.source_status(ecosystem));
        let validators = previous.map(|p| (p.etag.clone(), p.last_modified.clone()));
        let fetched = fetch(&agent, config, ecosystem, validators.as_ref(), &download, progress);
        let outcome = match fetched {
            Fetched::Body { url, bytes, etag, last_modified } => {
                let now = unix_now();
                let status = EcosystemStatus {
                    name: ecosystem.clone(),
                    records: 0,
                    skipped_invalid: 0,
                    withdrawn: 0,
                    source: url.clone(),
                    fetched_at: now,
                    checked_at: now,
                    etag,
                    last_modified,
                    problems: Vec::new(),
                };
                let imported = import_source(&mut writer, &download, status, &config.import, progress);
                let _ = fs::remove_file(&download);
                match imported {
                    Ok(_) => EcosystemOutcome::Downloaded { url, bytes },
                    Err(e) => {
                        // A damaged archive: keep what we had. The half-written source file
                        // stays unreferenced in the temporary directory and is overwritten
                        // by the next source.
                        failed(&mut writer, old.as_ref(), ecosystem, format!("{url}: {e}"))?
                    }
                }
            }
            Fetched::NotModified { url } => match old.as_ref() {
                Some(db) if writer.keep_source(db, ecosystem, unix_now())? => {
                    progress.event(&ProgressEvent::NotModified { ecosystem });
                    EcosystemOutcome::NotModified { url }
                }
                _ => failed(&mut writer, old.as_ref(), ecosystem, format!("{url}: 304 without stored data"))?,
            },
            Fetched::Failed { error } => failed(&mut writer, old.as_ref(), ecosystem, error)?,
        };
        match &outcome {
            EcosystemOutcome::Failed { error, kept_previous } => {
                errors.push(format!("{ecosystem}: {error}"));
                sources += usize::from(*kept_previous);
            }
            _ => sources += 1,
        }
        outcomes.push((ecosystem.clone(), outcome));
    }
    if sources == 0 && !config.ecosystems.is_empty() {
        return Err(Error::UpdateFailed(errors.join("; ")));
    }
    drop(old);
    let status = writer.commit()?;
    progress.event(&ProgressEvent::Committed { records: status.records() });
    Ok(UpdateReport { outcomes, status, rebuilt_because })
}

fn failed(
    writer: &mut GenerationWriter,
    old: Option<&Database>,
    ecosystem: &str,
    error: String,
) -> Result<EcosystemOutcome, Error> {
    let kept_previous = match old {
        Some(db) => {
            writer.keep_source(db, ecosystem, db.source_status(ecosystem).map_or(0, |s| s.checked_at))?
        }
        None => false,
    };
    Ok(EcosystemOutcome::Failed { error, kept_previous })
}

fn agent(config: &UpdateConfig) -> ureq::Agent {
    let mut builder = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(config.user_agent.as_str())
        .timeout_connect(Some(config.connect_timeout))
        .timeout_per_read(Some(config.read_timeout))
        .max_redirects(5);
    if !config.use_env_proxy {
        builder = builder.proxy(None);
    }
    builder.build().new_agent()
}

enum Fetched {
    Body { url: String, bytes: u64, etag: Option<String>, last_modified: Option<String> },
    NotModified { url: String },
    Failed { error: String },
}

/// Percent-encodes an ecosystem name as one URL path segment (`Red Hat` → `Red%20Hat`).
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The export URL of `ecosystem` under `base`.
pub fn export_url(base: &str, ecosystem: &str) -> String {
    format!("{}/{}/all.zip", base.trim_end_matches('/'), encode_path_segment(ecosystem))
}

/// One attempt's result.
enum Attempt {
    Done(Fetched),
    /// Worth retrying, after the server's `Retry-After` if it sent one.
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// This URL will not work; try the next one.
    GiveUp(String),
}

fn fetch(
    agent: &ureq::Agent,
    config: &UpdateConfig,
    ecosystem: &str,
    validators: Option<&(Option<String>, Option<String>)>,
    download: &std::path::Path,
    progress: &mut dyn Progress,
) -> Fetched {
    let bases = std::iter::once(&config.base_url).chain(&config.mirrors);
    let mut errors = Vec::new();
    for base in bases {
        let url = export_url(base, ecosystem);
        let mut attempt = 1;
        let error = loop {
            progress.event(&ProgressEvent::Checking { ecosystem, url: &url });
            match try_once(agent, config, ecosystem, &url, validators, download, progress) {
                Attempt::Done(fetched) => return fetched,
                Attempt::GiveUp(reason) => break reason,
                Attempt::Retry { reason, .. } if attempt >= config.retry.max_attempts.max(1) => {
                    break format!("{reason} (after {attempt} attempts)");
                }
                Attempt::Retry { reason, retry_after } => {
                    let wait = retry_after.map_or_else(
                        || config.retry.backoff(attempt),
                        |d| d.min(config.retry.max_retry_after),
                    );
                    progress.event(&ProgressEvent::Retrying {
                        ecosystem,
                        url: &url,
                        attempt,
                        wait,
                        reason: &reason,
                    });
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        };
        progress.event(&ProgressEvent::SourceFailed { ecosystem, url: &url, reason: &error });
        errors.push(format!("{url}: {error}"));
    }
    Fetched::Failed { error: errors.join("; ") }
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response.headers().get(name)?.to_str().ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn try_once(
    agent: &ureq::Agent,
    config: &UpdateConfig,
    ecosystem: &str,
    url: &str,
    validators: Option<&(Option<String>, Option<String>)>,
    download: &std::path::Path,
    progress: &mut dyn Progress,
) -> Attempt {
    let mut request = agent.get(url);
    let mut conditional = false;
    if let Some((etag, last_modified)) = validators {
        if let Some(etag) = etag {
            request = request.header("If-None-Match", etag.as_str());
            conditional = true;
        }
        if let Some(last_modified) = last_modified {
            request = request.header("If-Modified-Since", last_modified.as_str());
            conditional = true;
        }
    }
    let response = match request.call() {
        Ok(response) => response,
        Err(error) => {
            return match error {
                ureq::Error::Io(_)
                | ureq::Error::Timeout(_)
                | ureq::Error::HostNotFound
                | ureq::Error::ConnectionFailed
                | ureq::Error::Protocol(_)
                | ureq::Error::BodyStalled => Attempt::Retry { reason: error.to_string(), retry_after: None },
                other => Attempt::GiveUp(other.to_string()),
            };
        }
    };
    let status = response.status().as_u16();
    match status {
        200 => {}
        304 if conditional => return Attempt::Done(Fetched::NotModified { url: url.to_owned() }),
        304 => return Attempt::GiveUp("304 Not Modified to an unconditional request".into()),
        408 | 429 | 500..=599 => {
            let retry_after =
                header(&response, "retry-after").and_then(|v| parse_retry_after(&v, SystemTime::now()));
            return Attempt::Retry { reason: format!("HTTP {status}"), retry_after };
        }
        _ => return Attempt::GiveUp(format!("HTTP {status}")),
    }
    let etag = header(&response, "etag");
    let last_modified = header(&response, "last-modified");
    let total = response.body().content_length();
    if total.is_some_and(|t| t > config.max_download_size) {
        return Attempt::GiveUp(format!(
            "export larger than the limit of {} bytes",
            config.max_download_size
        ));
    }
    let reader = response.into_body().into_with_config().limit(config.max_download_size).reader();
    match save(reader, download, ecosystem, total, progress) {
        Ok(bytes) => {
            progress.event(&ProgressEvent::Downloaded { ecosystem, bytes });
            Attempt::Done(Fetched::Body { url: url.to_owned(), bytes, etag, last_modified })
        }
        Err(SaveError::TooLarge) => {
            Attempt::GiveUp(format!("export larger than the limit of {} bytes", config.max_download_size))
        }
        Err(SaveError::Local(e)) => Attempt::GiveUp(format!("{}: {e}", download.display())),
        Err(SaveError::Network(e)) => {
            Attempt::Retry { reason: format!("download cut short: {e}"), retry_after: None }
        }
    }
}

enum SaveError {
    TooLarge,
    Local(std::io::Error),
    Network(std::io::Error),
}

fn save(
    mut reader: impl Read,
    path: &std::path::Path,
    ecosystem: &str,
    total: Option<u64>,
    progress: &mut dyn Progress,
) -> Result<u64, SaveError> {
    let file = File::create(path).map_err(SaveError::Local)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    let mut reported = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let limit = e.get_ref().and_then(|inner| inner.downcast_ref::<ureq::Error>());
                return Err(if matches!(limit, Some(ureq::Error::BodyExceedsLimit(_))) {
                    SaveError::TooLarge
                } else {
                    SaveError::Network(e)
                });
            }
        };
        out.write_all(buf.get(..n).unwrap_or(&[])).map_err(SaveError::Local)?;
        bytes += n as u64;
        if bytes - reported >= 1 << 20 {
            reported = bytes;
            progress.event(&ProgressEvent::Downloading { ecosystem, bytes, total });
        }
    }
    out.flush().map_err(SaveError::Local)?;
    if total.is_some_and(|t| t != bytes) {
        return Err(SaveError::Network(std::io::Error::other(format!(
            "received {bytes} of {} bytes",
            total.unwrap_or(0)
        ))));
    }
    Ok(bytes)
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date (IMF-fixdate, as RFC 9110
/// requires senders to write it) counted from `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds.
fn parse_http_date(value: &str) -> Option<u64> {
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == month_name)? as u64
        + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    u64::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"), Some(951_825_600));
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(Duration::ZERO));
        for bad in ["", "soon", "-1", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy { initial_backoff: Duration::from_millis(100), ..RetryPolicy::default() };
        assert_eq!(policy.backoff(1), Duration::from_millis(100));
        assert_eq!(policy.backoff(3), Duration::from_millis(400));
        assert_eq!(policy.backoff(40), Duration::from_secs(30));
    }

    #[test]
    fn urls() {
        assert_eq!(export_url("https://x/", "Red Hat"), "https://x/Red%20Hat/all.zip");
        assert_eq!(export_url("http://m", "crates.io"), "http://m/crates.io/all.zip");
    }
}
