//! Counts shared by the human and JSON summaries.

use crate::Report;
use shipshape_model::{Applicability, Layer, Severity, TargetStatus};

/// Findings by layer and severity, fixes by applicability, targets by status.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// `[layer index][severity index]`; see [`layer_index`] and [`severity_index`].
    pub(crate) by_layer: [[usize; 5]; 8],
    pub(crate) by_severity: [usize; 5],
    pub(crate) total: usize,
    pub(crate) safe_fixes: usize,
    pub(crate) unsafe_fixes: usize,
    pub(crate) display_only_fixes: usize,
    pub(crate) parsed: usize,
    pub(crate) partially_parsed: usize,
    pub(crate) unreadable: usize,
}

/// Position of `layer` in [`Layer::ALL`].
pub(crate) fn layer_index(layer: Layer) -> usize {
    Layer::ALL.iter().position(|l| *l == layer).unwrap_or(0)
}

/// Position of `severity` in `[Info, Low, Medium, High, Critical]`.
pub(crate) fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

impl Tally {
    pub(crate) fn of(report: &Report<'_>) -> Self {
        let mut tally = Tally::default();
        for finding in report.findings {
            let s = severity_index(finding.severity);
            tally.by_layer[layer_index(finding.rule.layer)][s] += 1;
            tally.by_severity[s] += 1;
            tally.total += 1;
            match finding.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => tally.safe_fixes += 1,
                Some(Applicability::Unsafe) => tally.unsafe_fixes += 1,
                Some(Applicability::DisplayOnly) => tally.display_only_fixes += 1,
                None => {}
            }
        }
        for target in report.targets {
            match target.status {
                TargetStatus::Parsed => tally.parsed += 1,
                TargetStatus::PartiallyParsed { .. } => tally.partially_parsed += 1,
                TargetStatus::Unreadable { .. } => tally.unreadable += 1,
            }
        }
        tally
    }

    pub(crate) fn severity(&self, severity: Severity) -> usize {
        self.by_severity[severity_index(severity)]
    }

    pub(crate) fn layer_total(&self, layer: Layer) -> usize {
        self.by_layer[layer_index(layer)].iter().sum()
    }
}
