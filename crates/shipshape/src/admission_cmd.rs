//! `shipshape admission`: an AdmissionReview answered as the Pod Security webhook would.

use crate::args::AdmissionArgs;
use anyhow::{Context, Result, anyhow};
use shipshape_model::SourceFile;
use std::io::{Read, Write};

/// Prints the AdmissionReview response; `Ok(true)` when the request is denied.
pub(crate) fn run(args: &AdmissionArgs, out: &mut impl Write) -> Result<bool> {
    const LIMIT: u64 = 8 * 1024 * 1024;
    let (name, text) = match args.review.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            let file =
                std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            (
                path.display().to_string(),
                read_limited(file, LIMIT).with_context(|| format!("cannot read {}", path.display()))?,
            )
        }
        None => (
            "-".to_string(),
            read_limited(std::io::stdin().lock(), LIMIT).context("cannot read standard input")?,
        ),
    };
    let source = SourceFile::new(name.as_str(), text);
    let response =
        shipshape_scan::pod_security::admission_response(&source, args.pss).map_err(|e| anyhow!(e))?;
    serde_json::to_writer_pretty(&mut *out, &response).context("cannot write the response")?;
    writeln!(out)?;
    Ok(response["response"]["allowed"] == false)
}

fn read_limited(reader: impl Read, limit: u64) -> Result<String> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    anyhow::ensure!(bytes.len() as u64 <= limit, "larger than {limit} bytes");
    String::from_utf8(bytes).map_err(|_| anyhow!("not UTF-8"))
}
