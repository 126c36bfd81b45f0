//! `shipshape scan`.

use crate::args::{OutputFormat, ReportArgs, ScanArgs, VulnArgs, YaraArgs};
use anyhow::{Context, Result, bail};
use shipshape_model::{Applicability, Subject, SubjectKind};
use shipshape_report::{Format, HumanOptions, Report, render};
use shipshape_scan::{DEFAULT_FAIL_ON, ScanOptions, ScanResult, scan};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

/// Runs the scan and writes the report; `Ok(true)` when findings reach the fail threshold.
pub(crate) fn run(args: &ScanArgs) -> Result<bool> {
    let mut options = options_for(&args.report, args.paths.clone())?;
    options.stdin_path = args.stdin_path.clone();
    options.max_file_size = args.max_file_size;
    options.env_files = args.env_file.clone();
    options.pod_security = args.pss;
    apply_vuln(&mut options, &args.vuln)?;
    options.yara = load_yara(&args.yara)?;
    options.build_args = args
        .build_arg
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
            _ => bail!("--build-arg expects NAME=VALUE, got `{pair}`"),
        })
        .collect::<Result<_>>()?;

    if args.fix || args.diff {
        let min = if args.unsafe_fixes { Applicability::Unsafe } else { Applicability::Safe };
        let outcome = shipshape_scan::fix::fix(&options, min)?;
        for skipped in &outcome.skipped {
            let _ = writeln!(std::io::stderr(), "shipshape: not fixed: {skipped}");
        }
        if args.diff {
            let mut out = std::io::stdout().lock();
            for file in &outcome.files {
                let old = format!("a/{}", file.display);
                let new = format!("b/{}", file.display);
                let diff = similar::TextDiff::from_lines(&file.original, &file.fixed);
                write!(out, "{}", diff.unified_diff().context_radius(3).header(&old, &new))
                    .context("cannot write the diff")?;
            }
            if !args.report.quiet {
                let _ = writeln!(
                    std::io::stderr(),
                    "shipshape: {} fix(es) would change {} file(s)",
                    outcome.applied(),
                    outcome.files.len()
                );
            }
            return Ok(!outcome.files.is_empty());
        }
        for file in &outcome.files {
            shipshape_scan::fix::write_fixed(file)
                .with_context(|| format!("cannot write the fixed {}", file.path.display()))?;
        }
        if !args.report.quiet {
            let _ = writeln!(
                std::io::stderr(),
                "shipshape: applied {} fix(es) to {} file(s)",
                outcome.applied(),
                outcome.files.len()
            );
        }
    }
    let result = scan(&options)?;
    report(&result, &args.report, &options)
}

/// The YARA rules of `--yara-rules`, compiled once.
pub(crate) fn load_yara(args: &YaraArgs) -> Result<Option<Arc<dyn shipshape_scan::yara::Scanner>>> {
    let Some(dir) = &args.yara_rules else { return Ok(None) };
    #[cfg(feature = "yara")]
    {
        let rules = shipshape_scan::yara::YaraRules::compile_dir(dir).context("--yara-rules")?;
        Ok(Some(Arc::new(rules)))
    }
    #[cfg(not(feature = "yara"))]
    {
        bail!(
            "--yara-rules {}: this shipshape was built without YARA support (build it with `--features yara`)",
            dir.display()
        )
    }
}

/// Scan options from the shared report flags.
pub(crate) fn options_for(args: &ReportArgs, paths: Vec<std::path::PathBuf>) -> Result<ScanOptions> {
    let cwd = std::env::current_dir().context("cannot determine the current directory")?;
    let mut options = ScanOptions::new(paths, cwd);
    options.config = args.config.clone();
    options.select = args.select.clone();
    options.ignore = args.ignore.clone();
    options.baseline = args.baseline.clone();
    options.fail_on = args.fail_on.map(Into::into);
    options.min_severity = args.severity.map(Into::into);
    options.require_digest = args.require_digest;
    options.today = today_override()?;
    Ok(options)
}

/// `SHIPSHAPE_TODAY=YYYY-MM-DD`: the day `expires` and end-of-life dates are judged against,
/// instead of the clock (for reproducible runs and tests).
fn today_override() -> Result<Option<shipshape_workspace::Date>> {
    match std::env::var("SHIPSHAPE_TODAY") {
        Ok(text) if !text.trim().is_empty() => shipshape_workspace::Date::parse(text.trim())
            .map(Some)
            .with_context(|| format!("SHIPSHAPE_TODAY=`{text}`")),
        _ => Ok(None),
    }
}

/// The vulnerability database and filters from `--db`, `--show-negligible`, `--ignore-unfixed`
/// and `--vex`.
pub(crate) fn apply_vuln(options: &mut ScanOptions, args: &VulnArgs) -> Result<()> {
    options.vuln_db = args.db.clone();
    options.vuln_filters.show_negligible = args.show_negligible;
    options.vuln_filters.ignore_unfixed = args.ignore_unfixed;
    options.vuln_filters.vex = shipshape_scan::vex::VexStatements::load(&args.vex).context("--vex")?;
    Ok(())
}

/// Writes the baseline (if asked) and the report; `Ok(true)` when findings reach the threshold.
pub(crate) fn report(result: &ScanResult, args: &ReportArgs, options: &ScanOptions) -> Result<bool> {
    for notice in &result.notices {
        let _ = writeln!(std::io::stderr(), "shipshape: note: {notice}");
    }
    if let Some(path) = &args.write_baseline {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create baseline {}", path.display()))?,
        );
        shipshape_workspace::write_baseline(&result.findings, &mut file)
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write baseline {}", path.display()))?;
    }

    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Github => Format::Github,
        OutputFormat::Checkstyle => Format::Checkstyle,
        OutputFormat::Cyclonedx => Format::Cyclonedx,
        OutputFormat::Spdx => Format::Spdx,
    };
    let source_subject;
    let subject = match &result.subject {
        Some(subject) => subject,
        None => {
            let name = match options.paths.as_slice() {
                [one] => one.display().to_string(),
                _ => ".".to_owned(),
            };
            source_subject = Subject { name, kind: SubjectKind::Source, digest: None };
            &source_subject
        }
    };
    // Reproducible documents: https://reproducible-builds.org/specs/source-date-epoch/
    let timestamp = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|epoch| epoch.trim().parse().ok());
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let human = HumanOptions { color, summary: !args.quiet, ..HumanOptions::default() };
    let report = Report::new(env!("CARGO_PKG_VERSION"), &result.findings, &result.targets, &result.sources)
        .with_fail_on(Some(options.fail_on.unwrap_or(DEFAULT_FAIL_ON)))
        .with_rules(shipshape_rules::ALL_RULES)
        .with_components(&result.components, Some(subject))
        .with_timestamp(timestamp);
    let quiet_and_clean = args.quiet && format == Format::Human && result.findings.is_empty();
    match &args.output {
        Some(path) => {
            let mut file =
                std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            render(format, &report, &human, &mut file)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None if quiet_and_clean => {}
        None => render(format, &report, &human, &mut std::io::stdout().lock())
            .context("cannot write the report")?,
    }
    Ok(result.failing > 0)
}
