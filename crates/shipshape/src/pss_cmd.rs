//! `shipshape pss`: the Pod Security verdict of every pod.

use crate::args::{PssArgs, PssFormat};
use anyhow::{Context, Result};
use shipshape_kube::pod_security::Level;
use shipshape_scan::pod_security::{ControlFailure, verdicts};
use std::io::Write;

/// Prints each pod's verdict; `Ok(true)` when a pod misses the `--require`d level. A manifest that
/// cannot be read or parsed is an error (exit 2) after the verdicts of everything else.
pub(crate) fn run(args: &PssArgs, out: &mut impl Write) -> Result<bool> {
    let paths = if args.paths.is_empty() { vec![".".into()] } else { args.paths.clone() };
    let version = args.require.map_or(args.policy_version, |policy| policy.version);
    let verdicts = verdicts(&paths, version, args.max_file_size);
    let required = args.require.map(|p| p.level);
    let meets = |level: &str| required.is_none_or(|r| Level::parse(level).is_some_and(|l| l >= r));
    match args.format {
        PssFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &verdicts).context("cannot write the report")?;
            writeln!(out)?;
        }
        PssFormat::Human => {
            for pod in &verdicts.pods {
                let namespace =
                    pod.namespace.as_deref().map(|n| format!(" (namespace {n})")).unwrap_or_default();
                let mark = if meets(pod.level) { "" } else { "  ✗ below the required level" };
                writeln!(out, "{}:{}: {}{namespace}: {}{mark}", pod.path, pod.line, pod.object, pod.level)?;
                let failures: &[ControlFailure] = match pod.level {
                    "privileged" => &pod.baseline,
                    "baseline" => &pod.restricted,
                    _ => &[],
                };
                let next = if pod.level == "privileged" { "baseline" } else { "restricted" };
                for failure in failures {
                    writeln!(
                        out,
                        "    {next}: {}:{}:{}: {} {} ({})",
                        failure.path,
                        failure.line,
                        failure.column,
                        failure.code,
                        failure.reason,
                        failure.detail
                    )?;
                }
            }
            for error in &verdicts.errors {
                writeln!(out, "error: {}:{}: {}", error.path, error.line, error.message)?;
            }
            let count = |level: &str| verdicts.pods.iter().filter(|p| p.level == level).count();
            writeln!(
                out,
                "{} pods at {}: {} restricted, {} baseline, {} privileged",
                verdicts.pods.len(),
                verdicts.version,
                count("restricted"),
                count("baseline"),
                count("privileged")
            )?;
        }
    }
    if let Some(error) = verdicts.errors.first() {
        anyhow::bail!("{}:{}: {}", error.path, error.line, error.message);
    }
    Ok(verdicts.pods.iter().any(|p| !meets(p.level)))
}
