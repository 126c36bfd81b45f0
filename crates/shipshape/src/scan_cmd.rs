//! `shipshape scan`.

use crate::args::{OutputFormat, ReportArgs, ScanArgs, VulnArgs, YaraArgs};
use anyhow::{Context, Result, bail};
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
    Ok(options)
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
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let human = HumanOptions { color, summary: !args.quiet, ..HumanOptions::default() };
    let report = Report::new(env!("CARGO_PKG_VERSION"), &result.findings, &result.targets, &result.sources)
        .with_fail_on(Some(options.fail_on.unwrap_or(DEFAULT_FAIL_ON)))
        .with_rules(shipshape_rules::ALL_RULES);
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
