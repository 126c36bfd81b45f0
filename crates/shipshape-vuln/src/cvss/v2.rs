//! CVSS v2.0 base score (specification section 3.2.1).

use super::{CvssError, CvssVersion, checked, components, required, round_one_decimal};

const VERSION: CvssVersion = CvssVersion::V2;

const METRICS: &[(&str, &[&str])] = &[
    ("AV", &["L", "A", "N"]),
    ("AC", &["H", "M", "L"]),
    ("Au", &["M", "S", "N"]),
    ("C", &["N", "P", "C"]),
    ("I", &["N", "P", "C"]),
    ("A", &["N", "P", "C"]),
    // temporal
    ("E", &["U", "POC", "F", "H", "ND"]),
    ("RL", &["OF", "TF", "W", "U", "ND"]),
    ("RC", &["UC", "UR", "C", "ND"]),
    // environmental
    ("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
    ("TD", &["N", "L", "M", "H", "ND"]),
    ("CR", &["L", "M", "H", "ND"]),
    ("IR", &["L", "M", "H", "ND"]),
    ("AR", &["L", "M", "H", "ND"]),
];

fn impact_weight(value: &str) -> f64 {
    match value {
        "P" => 0.275,
        "C" => 0.660,
        _ => 0.0,
    }
}

/// The base score of a v2 vector without prefix or parentheses.
pub(super) fn base_score(vector: &str) -> Result<f64, CvssError> {
    let values = checked(&components(vector)?, METRICS, VERSION)?;
    let access_vector = match required(&values, "AV", VERSION)? {
        "L" => 0.395,
        "A" => 0.646,
        _ => 1.0,
    };
    let access_complexity = match required(&values, "AC", VERSION)? {
        "H" => 0.35,
        "M" => 0.61,
        _ => 0.71,
    };
    let authentication = match required(&values, "Au", VERSION)? {
        "M" => 0.45,
        "S" => 0.56,
        _ => 0.704,
    };
    let confidentiality = impact_weight(required(&values, "C", VERSION)?);
    let integrity = impact_weight(required(&values, "I", VERSION)?);
    let availability = impact_weight(required(&values, "A", VERSION)?);

    let impact = 10.41 * (1.0 - (1.0 - confidentiality) * (1.0 - integrity) * (1.0 - availability));
    let exploitability = 20.0 * access_vector * access_complexity * authentication;
    let impact_factor = if impact == 0.0 { 0.0 } else { 1.176 };
    let score = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * impact_factor;
    Ok(round_one_decimal(score.max(0.0)))
}
