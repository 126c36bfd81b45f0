use shipshape_model::{BaseImage, ImageSpec, declare_rule};

use crate::context::Checker;
use crate::shell::Scripts;

declare_rule! {
    /// ## What it does
    /// Flags the stage that ships (and the stages it is built on) when its `RUN`s use both
    /// `curl` and `wget`. The finding points at each such command from the point where both
    /// have been used. Build stages whose files are only copied from are not flagged.
    ///
    /// ## Why is this bad?
    /// Two HTTP clients do one job: the image carries both, with their libraries and their
    /// vulnerabilities, and a reader has to know two sets of options (TLS checks, retries,
    /// redirects) to review the downloads.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget -q https://example.com/a.tar.gz
    /// RUN curl -fsSLO https://example.com/b.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN curl -fsSLO https://example.com/a.tar.gz && curl -fsSLO https://example.com/b.tar.gz
    /// ```
    ///
    /// ## Fix
    /// Pick one client and use it everywhere. Not fixed automatically.
    ///
    /// ## References
    /// - hadolint DL4001
    pub static MIXED_DOWNLOAD_TOOLS = {
        code: "IMG053",
        name: "mixed-download-tools",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "both `curl` and `wget` are used",
        aliases: [(Hadolint, "DL4001"), (Trivy, "DS-0014")],
    }
}

/// The indices of the final stage and the stages it is built on.
fn shipped_stages(spec: &ImageSpec) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut current = spec.final_stage();
    while let Some(stage) = current {
        if chain.contains(&stage.index) || chain.len() > spec.stages.len() {
            break;
        }
        chain.push(stage.index);
        current = match &stage.base {
            BaseImage::Stage { index, .. } if *index < stage.index => spec.stages.get(*index),
            _ => None,
        };
    }
    chain
}

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    let shipped = shipped_stages(spec);
    for stage in spec.stages.iter().filter(|s| shipped.contains(&s.index)) {
        let (mut curl, mut wget) = (false, false);
        for run in scripts.of(stage) {
            let tools: Vec<_> = run.commands(&["curl", "wget"]).collect();
            curl |= tools.iter().any(|c| c.is("curl"));
            wget |= tools.iter().any(|c| c.is("wget"));
            if let (true, true, Some(first)) = (curl, wget, tools.first()) {
                checker
                    .report(
                        &MIXED_DOWNLOAD_TOOLS,
                        &run.origin(first.command().span),
                        "this stage uses both `curl` and `wget`; the image carries two HTTP clients",
                    )
                    .help = Some("use one of them for every download".into());
            }
        }
    }
}
