//! `shipshape docker` and `shipshape docker watch`.

use crate::args::{DockerArgs, DockerCommand, WatchArgs, WatchFormat};
use crate::scan_cmd::{options_for, report};
use anyhow::{Context, Result};
use shipshape_engine::{Client, Endpoint, Environment};
use shipshape_scan::docker_host::{EXEC_RULES, HostAuditOptions, Launch, follow, launch_document, snapshot};
use shipshape_scan::{ScanOptions, scan_documents};
use std::io::Write;

/// The daemon named by `--host`, else by the environment and Docker context.
pub(crate) fn client(host: Option<&str>) -> Result<Client> {
    let endpoint = match host {
        Some(host) => {
            let env = Environment { docker_host: Some(host.to_string()), ..Environment::from_process() };
            Endpoint::resolve(&env)?
        }
        None => Endpoint::from_environment()?,
    };
    Ok(Client::connect(endpoint)?)
}

pub(crate) fn run(args: &DockerArgs) -> Result<bool> {
    let client = client(args.host.as_deref())?;
    if let Some(DockerCommand::Watch(watch_args)) = &args.command {
        return watch(&client, watch_args, &parse_filters(&args.filter)?);
    }
    let filters = parse_filters(&args.filter)?;
    let options = HostAuditOptions {
        all: args.all,
        images: args.images,
        workers: args.workers,
        filters,
        daemon: !args.no_daemon,
        daemon_json: args.daemon_json.clone(),
    };
    let snapshot = snapshot(&client, &options)?;
    if !args.report.quiet {
        let images = if args.images { format!(" and {} images", snapshot.images) } else { String::new() };
        let plural = if snapshot.containers == 1 { "" } else { "s" };
        let _ = writeln!(
            std::io::stderr(),
            "shipshape: audited {} container{plural}{images} on {}",
            snapshot.containers,
            client.endpoint()
        );
    }
    let mut scan_options = options_for(&args.report, Vec::new())?;
    scan_options.insecure_registries = snapshot.insecure_registries;
    let result = scan_documents(&scan_options, snapshot.documents)?;
    report(&result, &args.report, &scan_options)
}

/// `name=web` pairs.
fn parse_filters(filters: &[String]) -> Result<Vec<(String, String)>> {
    filters
        .iter()
        .map(|f| match f.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
            _ => anyhow::bail!("--filter expects KEY=VALUE, got `{f}`"),
        })
        .collect()
}

/// `docker events --since` accepts unix seconds or a duration before now (`10m`, `1h30m`, `45s`).
fn since_timestamp(text: &str) -> Result<String> {
    if text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Ok(text.to_string());
    }
    let mut seconds = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => anyhow::bail!("--since `{text}`: expected unix seconds or a duration like 10m"),
        };
        let value: u64 = number.parse().with_context(|| format!("--since `{text}`"))?;
        seconds += value * unit;
        number.clear();
    }
    anyhow::ensure!(number.is_empty(), "--since `{text}`: a duration needs a unit (s, m, h)");
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Ok(now.saturating_sub(seconds).to_string())
}

fn watch(client: &Client, args: &WatchArgs, filters: &[(String, String)]) -> Result<bool> {
    let mut options = ScanOptions::new(Vec::new(), std::env::current_dir().context("current directory")?);
    options.config = args.config.clone();
    options.select = args.select.clone();
    options.ignore = args.ignore.clone();
    options.min_severity = args.severity.map(Into::into);
    let since = args.since.as_deref().map(since_timestamp).transpose()?;
    let _ = writeln!(std::io::stderr(), "shipshape: watching {} (Ctrl-C to stop)", client.endpoint());
    let mut stdout = std::io::stdout().lock();
    let mut checked = 0usize;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut failure: Option<anyhow::Error> = None;
    let mut on_launch = |launch: Launch| -> bool {
        // A container is checked once: at create (or at start, when watching began after create).
        let key = match &launch {
            Launch::Container { id, .. } => id.clone(),
            Launch::Exec { exec_id, .. } => exec_id.clone(),
        };
        if !seen.insert(key) {
            return true;
        }
        match check_launch(client, &options, &launch, args.format, &mut stdout) {
            Ok(()) => {}
            Err(error) => {
                failure = Some(error);
                return false;
            }
        }
        checked += 1;
        args.max_launches.is_none_or(|max| checked < max)
    };
    let mut on_reconnect = |error: &shipshape_engine::EngineError, wait: std::time::Duration| {
        let _ = writeln!(std::io::stderr(), "shipshape: {error}; reconnecting in {}s", wait.as_secs());
    };
    follow(client, since, filters, &mut on_launch, &mut on_reconnect)?;
    match failure {
        Some(error) => Err(error),
        None => Ok(false),
    }
}

fn check_launch(
    client: &Client,
    options: &ScanOptions,
    launch: &Launch,
    format: WatchFormat,
    out: &mut impl Write,
) -> Result<()> {
    let Some(document) = launch_document(client, launch)? else { return Ok(()) };
    let result = scan_documents(options, vec![(document, "docker-inspect")])?;
    let (subject, action) = match launch {
        Launch::Container { name, action, .. } => (name.clone(), action.as_str()),
        Launch::Exec { container, command, .. } => (format!("{container} (exec: {command})"), "exec"),
    };
    let relevant = result.findings.iter().filter(|f| match launch {
        Launch::Exec { .. } => EXEC_RULES.contains(&f.rule.code),
        Launch::Container { .. } => true,
    });
    for finding in relevant {
        match format {
            WatchFormat::Human => writeln!(
                out,
                "{} {action} {subject}: {}[{}] {}: {} ({}:{})",
                timestamp(),
                finding.severity,
                finding.rule.code,
                finding.rule.name,
                shipshape_report::scrub_message(finding, &result.sources),
                finding.location.path,
                finding.location.region.start_line
            )?,
            WatchFormat::Json => {
                let line = serde_json::json!({
                    "time": timestamp(),
                    "action": action,
                    "subject": subject,
                    "code": finding.rule.code,
                    "name": finding.rule.name,
                    "severity": finding.severity.as_str(),
                    "layer": finding.rule.layer.as_str(),
                    "message": shipshape_report::scrub_message(finding, &result.sources),
                    "path": &*finding.location.path,
                    "line": finding.location.region.start_line,
                    "fingerprint": finding.fingerprint,
                });
                writeln!(out, "{line}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Now, as RFC 3339 UTC seconds.
fn timestamp() -> String {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let days = seconds / 86_400;
    let rem = seconds % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_and_dates() {
        assert_eq!(since_timestamp("1795990719").ok().as_deref(), Some("1795990719"));
        assert!(since_timestamp("10x").is_err());
        assert!(since_timestamp("10").is_ok());
        assert!(since_timestamp("1h30m").is_ok_and(|t| t.parse::<u64>().is_ok()));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
    }
}
