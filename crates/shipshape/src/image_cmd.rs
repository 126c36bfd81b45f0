//! `shipshape image`.

use crate::args::ImageArgs;
use crate::scan_cmd::{apply_vuln, load_yara, options_for, report};
use anyhow::{Context, Result};
use shipshape_image::Platform;
use shipshape_scan::image_audit::image_documents_with;
use shipshape_scan::scan_documents_with_findings;
use std::io::Write;

pub(crate) fn run(args: &ImageArgs) -> Result<bool> {
    let platform = match &args.platform {
        Some(text) => Some(
            Platform::parse(text)
                .with_context(|| format!("--platform `{text}`: expected os/arch[/variant]"))?,
        ),
        None => None,
    };
    let yara = load_yara(&args.yara)?;
    let mut documents = Vec::new();
    let mut packages = Vec::new();
    let mut findings = Vec::new();
    for path in &args.images {
        let started = std::time::Instant::now();
        let read = image_documents_with(path, platform.as_ref(), yara.as_deref())?;
        if !args.report.quiet {
            let seconds = started.elapsed().as_secs_f64();
            let _ = writeln!(
                std::io::stderr(),
                "shipshape: read {} ({} layers, {} files, {:.1} MB) in {seconds:.2} s",
                path.display(),
                read.layers,
                read.files,
                read.bytes as f64 / 1e6
            );
        }
        documents.extend(read.documents);
        packages.extend(read.packages);
        findings.extend(read.findings);
    }
    let mut options = options_for(&args.report, Vec::new())?;
    apply_vuln(&mut options, &args.vuln)?;
    let result = scan_documents_with_findings(&options, documents, packages, findings)?;
    report(&result, &args.report, &options)
}
