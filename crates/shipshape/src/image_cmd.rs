//! `shipshape image`.

use crate::args::ImageArgs;
use crate::image_source::locate;
use crate::progress::StatusLine;
use crate::scan_cmd::{apply_vuln, load_yara, options_for, report};
use anyhow::{Context, Result};
use shipshape_image::Platform;
use shipshape_model::{Subject, SubjectKind};
use shipshape_scan::image_audit::read_image;
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
    let status = StatusLine::new(args.report.quiet);
    let yara = load_yara(&args.yara)?;
    let mut findings = Vec::new();
    let mut documents = Vec::new();
    let mut packages = Vec::new();
    let mut operating_systems = Vec::new();
    let mut digests = Vec::new();
    let mut labels = Vec::new();
    for argument in &args.images {
        let image = locate(argument, args, platform.as_ref(), &status)?;
        labels.push(image.label.clone());
        let started = std::time::Instant::now();
        status.begin(&image.label);
        let read =
            read_image(&image.path, &image.label, &image.options, yara.as_deref(), &mut |p| status.walk(p));
        status.clear();
        let read = read?;
        if !args.report.quiet {
            let seconds = started.elapsed().as_secs_f64();
            let _ = writeln!(
                std::io::stderr(),
                "shipshape: read {} ({} layers, {} files, {:.1} MB) in {seconds:.2} s",
                image.label,
                read.layers,
                read.files,
                read.bytes as f64 / 1e6
            );
        }
        documents.extend(read.documents);
        packages.extend(read.packages);
        findings.extend(read.findings);
        operating_systems.extend(read.os);
        digests.push(read.digest);
    }
    let mut options = options_for(&args.report, Vec::new())?;
    apply_vuln(&mut options, &args.vuln)?;
    let mut result = scan_documents_with_findings(&options, documents, packages, findings)?;
    result.components.extend(operating_systems);
    result.components.sort();
    let name = labels.join(", ");
    let digest = match digests.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    result.subject = Some(Subject { name, kind: SubjectKind::Container, digest });
    report(&result, &args.report, &options)
}
