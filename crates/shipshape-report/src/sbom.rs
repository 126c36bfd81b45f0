//! What the SBOM renderers ([`crate::cyclonedx`], [`crate::spdx`]) share: the document's time
//! and identity, and a stable reference per component.

use shipshape_model::inventory::purl_without_qualifiers;
use shipshape_model::{Component, Finding};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Report;

/// Seconds since the Unix epoch the document is dated: [`Report::timestamp`], else now.
pub(crate) fn unix_time(report: &Report<'_>) -> u64 {
    report
        .timestamp
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

/// `2026-11-30T08:15:00Z`.
pub(crate) fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let seconds = unix % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A version-4-shaped UUID derived from the document's content and time: the same scan at the
/// same time gives the same id, a different one a different id.
pub(crate) fn document_uuid(report: &Report<'_>, unix: u64) -> String {
    let mut halves = [0u64; 2];
    for (salt, half) in halves.iter_mut().enumerate() {
        let mut hasher = DefaultHasher::new();
        salt.hash(&mut hasher);
        unix.hash(&mut hasher);
        report.subject.map(|s| &s.name).hash(&mut hasher);
        report.components.hash(&mut hasher);
        for finding in report.findings {
            finding.fingerprint.hash(&mut hasher);
        }
        *half = hasher.finish();
    }
    let bytes: Vec<u8> = halves.iter().flat_map(|h| h.to_be_bytes()).collect();
    let hex: String = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| match i {
            6 => 0x40 | (b & 0x0f),
            8 => 0x80 | (b & 0x3f),
            _ => *b,
        })
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// A reference for each component, unique in the document: its package URL when that is
/// unique, else `component-N`.
pub(crate) fn component_refs(components: &[Component]) -> Vec<String> {
    let mut purl_uses: HashMap<&str, usize> = HashMap::new();
    for purl in components.iter().filter_map(|c| c.purl.as_deref()) {
        *purl_uses.entry(purl).or_default() += 1;
    }
    components
        .iter()
        .enumerate()
        .map(|(index, component)| match component.purl.as_deref() {
            Some(purl) if purl_uses.get(purl) == Some(&1) => purl.to_owned(),
            _ => format!("component-{}", index + 1),
        })
        .collect()
}

/// The component a vulnerability finding is about: same package URL (qualifiers aside), else
/// same name and version listed by the file the finding points at.
pub(crate) fn component_of(finding: &Finding, components: &[Component]) -> Option<usize> {
    let vulnerability = finding.vulnerability.as_deref()?;
    let by_purl = vulnerability.purl.as_deref().and_then(|wanted| {
        let wanted = purl_without_qualifiers(wanted);
        components
            .iter()
            .position(|c| c.purl.as_deref().is_some_and(|p| purl_without_qualifiers(p) == wanted))
    });
    by_purl.or_else(|| {
        components.iter().position(|c| {
            c.name == vulnerability.package
                && c.version == vulnerability.version
                && *c.path == *finding.location.path
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_083_199), "2026-11-30T23:59:59Z");
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
    }
}
