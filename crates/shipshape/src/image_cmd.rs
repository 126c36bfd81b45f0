//! `shipshape image`.

use crate::args::ImageArgs;
use crate::scan_cmd::{apply_vuln, options_for, report};
use anyhow::{Context, Result};
use shipshape_image::Platform;
use shipshape_model::{Subject, SubjectKind};
use shipshape_scan::image_audit::image_documents;
use shipshape_scan::scan_documents_with_packages;
use std::io::Write;

pub(crate) fn run(args: &ImageArgs) -> Result<bool> {
    let platform = match &args.platform {
        Some(text) => Some(
            Platform::parse(text)
                .with_context(|| format!("--platform `{text}`: expected os/arch[/variant]"))?,
        ),
        None => None,
    };
    let mut documents = Vec::new();
    let mut packages = Vec::new();
    let mut operating_systems = Vec::new();
    let mut digests = Vec::new();
    for path in &args.images {
        let started = std::time::Instant::now();
        let read = image_documents(path, platform.as_ref())?;
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
        operating_systems.extend(read.os);
        digests.push(read.digest);
    }
    let mut options = options_for(&args.report, Vec::new())?;
    apply_vuln(&mut options, &args.vuln)?;
    let mut result = scan_documents_with_packages(&options, documents, packages)?;
    result.components.extend(operating_systems);
    result.components.sort();
    let name = args.images.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    let digest = match digests.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    result.subject = Some(Subject { name, kind: SubjectKind::Container, digest });
    report(&result, &args.report, &options)
}
