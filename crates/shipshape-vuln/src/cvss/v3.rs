//! CVSS v3.0 and v3.1 base scores (specification section 7.1, and appendix A of v3.1 for
//! `Roundup`).

use super::{CvssError, CvssVersion, checked, components, required};

const METRICS: &[(&str, &[&str])] = &[
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "R"]),
    ("S", &["U", "C"]),
    ("C", &["H", "L", "N"]),
    ("I", &["H", "L", "N"]),
    ("A", &["H", "L", "N"]),
    // temporal
    ("E", &["X", "H", "F", "P", "U"]),
    ("RL", &["X", "U", "W", "T", "O"]),
    ("RC", &["X", "C", "R", "U"]),
    // environmental
    ("CR", &["X", "H", "M", "L"]),
    ("IR", &["X", "H", "M", "L"]),
    ("AR", &["X", "H", "M", "L"]),
    ("MAV", &["X", "N", "A", "L", "P"]),
    ("MAC", &["X", "L", "H"]),
    ("MPR", &["X", "N", "L", "H"]),
    ("MUI", &["X", "N", "R"]),
    ("MS", &["X", "U", "C"]),
    ("MC", &["X", "H", "L", "N"]),
    ("MI", &["X", "H", "L", "N"]),
    ("MA", &["X", "H", "L", "N"]),
];

fn impact_weight(value: &str) -> f64 {
    match value {
        "H" => 0.56,
        "L" => 0.22,
        _ => 0.0,
    }
}

/// v3.1 `Roundup`: the smallest one-decimal number at or above the input, computed on
/// integers so that 4.000000001 rounds to 4.0 rather than 4.1.
fn roundup_v3_1(value: f64) -> f64 {
    let scaled = (value * 100_000.0).round();
    if scaled % 10_000.0 == 0.0 { scaled / 100_000.0 } else { ((scaled / 10_000.0).floor() + 1.0) / 10.0 }
}

/// v3.0 round up: the ceiling at one decimal.
fn roundup_v3_0(value: f64) -> f64 {
    (value * 10.0).ceil() / 10.0
}

/// The base score of a v3.x vector without its `CVSS:3.x/` prefix.
pub(super) fn base_score(vector: &str, version: CvssVersion) -> Result<f64, CvssError> {
    let values = checked(&components(vector)?, METRICS, version)?;
    let scope_changed = required(&values, "S", version)? == "C";
    let attack_vector = match required(&values, "AV", version)? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    };
    let attack_complexity = if required(&values, "AC", version)? == "L" { 0.77 } else { 0.44 };
    let privileges = match (required(&values, "PR", version)?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    };
    let user_interaction = if required(&values, "UI", version)? == "N" { 0.85 } else { 0.62 };
    let confidentiality = impact_weight(required(&values, "C", version)?);
    let integrity = impact_weight(required(&values, "I", version)?);
    let availability = impact_weight(required(&values, "A", version)?);

    let impact_subscore = 1.0 - (1.0 - confidentiality) * (1.0 - integrity) * (1.0 - availability);
    let impact = if scope_changed {
        7.52 * (impact_subscore - 0.029) - 3.25 * (impact_subscore - 0.02).powi(15)
    } else {
        6.42 * impact_subscore
    };
    let exploitability = 8.22 * attack_vector * attack_complexity * privileges * user_interaction;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Ok(match version {
        CvssVersion::V3_0 => roundup_v3_0(raw),
        _ => roundup_v3_1(raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundup_examples_from_the_v3_1_specification() {
        assert_eq!(roundup_v3_1(4.000_000_01), 4.0);
        assert_eq!(roundup_v3_1(4.02), 4.1);
        assert_eq!(roundup_v3_1(4.0), 4.0);
        assert_eq!(roundup_v3_0(4.02), 4.1);
    }
}
