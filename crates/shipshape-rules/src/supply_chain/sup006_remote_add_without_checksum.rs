use shipshape_model::{FileCopyKind, ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `ADD` of an `http://` or `https://` URL without `--checksum=sha256:...`. Git
    /// sources (`ADD https://github.com/org/repo.git#v1.2.3`) are not judged. The finding
    /// points at the URL.
    ///
    /// ## Why is this bad?
    /// Whatever the server returns at build time goes into the image unverified: a changed,
    /// compromised or truncated download is built and shipped without anyone noticing, and two
    /// builds of the same Dockerfile can differ.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://example.com/tool-1.2.3.tar.gz /opt/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdd571e2c4ad5b5b2f4b3e8a7c9a1ee2b1e5f1d0c7c3b1f1e2d3c4b \
    ///     https://example.com/tool-1.2.3.tar.gz /opt/
    /// ```
    ///
    /// ## Fix
    /// Add `--checksum=sha256:<digest of the file>` (Dockerfile syntax 1.6 or later). Not fixed
    /// automatically: the digest must come from a trusted source.
    ///
    /// ## References
    /// - CWE-494: Download of Code Without Integrity Check
    /// - Dockerfile reference, `ADD --checksum`
    pub static REMOTE_ADD_WITHOUT_CHECKSUM = {
        code: "SUP006",
        name: "remote-add-without-checksum",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "a remote file is added without a checksum",
        aliases: [],
    }
}

fn is_git(url: &str) -> bool {
    let path = url.split('#').next().unwrap_or(url);
    path.ends_with(".git") || url.starts_with("git@") || url.starts_with("git://")
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for file in stage.files.iter().filter(|f| f.kind == FileCopyKind::Add && f.checksum.is_none()) {
            for source in &file.sources {
                let Some(url) = source.get() else { continue };
                let lower = url.to_ascii_lowercase();
                if (lower.starts_with("http://") || lower.starts_with("https://")) && !is_git(url) {
                    checker
                        .report(
                            &REMOTE_ADD_WITHOUT_CHECKSUM,
                            &source.origin,
                            format!("`ADD {url}` is not checked against a checksum"),
                        )
                        .help = Some("add `--checksum=sha256:<digest>`".into());
                }
            }
        }
    }
}
