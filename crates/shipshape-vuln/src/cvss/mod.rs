//! CVSS base scores computed from vector strings, and qualitative severity ratings.
//!
//! * CVSS v2.0 (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally in parentheses): the base equation.
//! * CVSS v3.0 and v3.1 (`CVSS:3.x/...`): the base equations; v3.0 rounds up to one decimal
//!   naively, v3.1 with the specification's `Roundup` that avoids floating-point artefacts.
//! * CVSS v4.0 (`CVSS:4.0/...`): the specification's MacroVector method (equivalence classes,
//!   the published MacroVector score table, and interpolation by severity distance), with
//!   threat and environmental metrics applied when present (`E`, `CR`/`IR`/`AR`, `M*`).
//!
//! Temporal, threat, environmental and supplemental metrics are validated and accepted; only
//! the metrics named above change the score. Every malformed vector is an error, never a
//! panic: a missing prefix, an unknown or repeated metric, a bad value, a missing base metric.

mod v2;
mod v3;
mod v4;

use std::fmt;

/// A CVSS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvssVersion {
    /// CVSS v2.0.
    V2,
    /// CVSS v3.0.
    V3_0,
    /// CVSS v3.1.
    V3_1,
    /// CVSS v4.0.
    V4_0,
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        })
    }
}

/// A qualitative severity rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// 0.0 (v3 and v4 only).
    None,
    /// 0.1-3.9 (v2: 0.0-3.9).
    Low,
    /// 4.0-6.9.
    Medium,
    /// 7.0-8.9 (v2: 7.0-10.0).
    High,
    /// 9.0-10.0 (v3 and v4 only).
    Critical,
}

impl Severity {
    /// The CVSS v3/v4 rating of a score: None 0.0, Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9,
    /// Critical 9.0-10.0. Scores are compared at one decimal; out-of-range or NaN scores are
    /// clamped to 0.0-10.0.
    pub fn from_score(score: f64) -> Severity {
        match tenths(score) {
            0 => Severity::None,
            1..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            70..=89 => Severity::High,
            _ => Severity::Critical,
        }
    }

    /// The CVSS v2 rating of a score (NVD's scale): Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0.
    pub fn from_v2_score(score: f64) -> Severity {
        match tenths(score) {
            0..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            _ => Severity::High,
        }
    }

    /// The rating's name in upper case, as NVD and GitHub write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "NONE",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// Parses a rating name, ignoring case (`moderate` is Medium, as GitHub writes it).
    pub fn from_name(name: &str) -> Option<Severity> {
        let name = name.trim();
        [
            ("none", Severity::None),
            ("low", Severity::Low),
            ("medium", Severity::Medium),
            ("moderate", Severity::Medium),
            ("high", Severity::High),
            ("critical", Severity::Critical),
        ]
        .into_iter()
        .find(|(text, _)| text.eq_ignore_ascii_case(name))
        .map(|(_, severity)| severity)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A score in tenths, clamped to 0..=100.
fn tenths(score: f64) -> u8 {
    if score.is_nan() {
        return 0;
    }
    // Clamped first, so the conversion cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let tenths = (score.clamp(0.0, 10.0) * 10.0 + 1e-6).floor() as u8;
    tenths
}

/// Why a vector string could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    /// The text is empty.
    #[error("empty CVSS vector")]
    Empty,
    /// The `CVSS:x.y/` prefix names a version this crate does not score.
    #[error("unsupported CVSS version {0:?}")]
    UnsupportedVersion(String),
    /// A component is not `metric:value`.
    #[error("malformed CVSS component {0:?}")]
    MalformedComponent(String),
    /// A metric this version does not define.
    #[error("unknown CVSS v{version} metric {metric:?}")]
    UnknownMetric {
        /// The version being parsed.
        version: CvssVersion,
        /// The metric as written.
        metric: String,
    },
    /// A metric given twice.
    #[error("CVSS metric {0:?} appears more than once")]
    DuplicateMetric(String),
    /// A value the metric does not allow.
    #[error("invalid value {value:?} for CVSS metric {metric:?}")]
    InvalidValue {
        /// The metric.
        metric: String,
        /// The value as written.
        value: String,
    },
    /// A mandatory base metric is missing.
    #[error("CVSS v{version} vector lacks the base metric {metric}")]
    MissingMetric {
        /// The version being parsed.
        version: CvssVersion,
        /// The missing metric.
        metric: &'static str,
    },
}

/// A scored CVSS vector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvssScore {
    /// The vector's version.
    pub version: CvssVersion,
    /// The base score (v4: the CVSS-B/BT/BE/BTE score the given metrics make), 0.0-10.0.
    pub score: f64,
}

impl CvssScore {
    /// The rating of the score on the scale of its version.
    pub fn severity(&self) -> Severity {
        match self.version {
            CvssVersion::V2 => Severity::from_v2_score(self.score),
            CvssVersion::V3_0 | CvssVersion::V3_1 | CvssVersion::V4_0 => Severity::from_score(self.score),
        }
    }
}

/// Scores any supported vector: `CVSS:4.0/...`, `CVSS:3.1/...`, `CVSS:3.0/...`, or a v2
/// vector (bare, in parentheses, or with a `CVSS:2.0/` prefix).
pub fn score(vector: &str) -> Result<CvssScore, CvssError> {
    let vector = vector.trim();
    if vector.is_empty() {
        return Err(CvssError::Empty);
    }
    let (version, score) = if let Some(rest) = vector.strip_prefix("CVSS:4.0/") {
        (CvssVersion::V4_0, v4::base_score(rest)?)
    } else if let Some(rest) = vector.strip_prefix("CVSS:3.1/") {
        (CvssVersion::V3_1, v3::base_score(rest, CvssVersion::V3_1)?)
    } else if let Some(rest) = vector.strip_prefix("CVSS:3.0/") {
        (CvssVersion::V3_0, v3::base_score(rest, CvssVersion::V3_0)?)
    } else if let Some(prefixed) = vector.strip_prefix("CVSS:") {
        let stated = prefixed.split('/').next().unwrap_or_default();
        if stated != "2.0" {
            return Err(CvssError::UnsupportedVersion(stated.to_owned()));
        }
        (CvssVersion::V2, v2::base_score(prefixed.get(4..).unwrap_or_default())?)
    } else {
        let bare = vector.strip_prefix('(').and_then(|v| v.strip_suffix(')')).unwrap_or(vector);
        (CvssVersion::V2, v2::base_score(bare)?)
    };
    Ok(CvssScore { version, score })
}

/// Splits `metric:value/metric:value...` into pairs, rejecting malformed components and
/// repeated metrics.
pub(crate) fn components(vector: &str) -> Result<Vec<(&str, &str)>, CvssError> {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for component in vector.split('/') {
        let Some((metric, value)) = component.split_once(':') else {
            return Err(CvssError::MalformedComponent(component.to_owned()));
        };
        if metric.is_empty() || value.is_empty() {
            return Err(CvssError::MalformedComponent(component.to_owned()));
        }
        if pairs.iter().any(|(seen, _)| *seen == metric) {
            return Err(CvssError::DuplicateMetric(metric.to_owned()));
        }
        pairs.push((metric, value));
    }
    Ok(pairs)
}

/// Checks every pair against `allowed` (metric, permitted values) and returns a lookup of the
/// given values.
pub(crate) fn checked<'a>(
    pairs: &[(&'a str, &'a str)],
    allowed: &[(&'static str, &'static [&'static str])],
    version: CvssVersion,
) -> Result<Vec<(&'static str, &'a str)>, CvssError> {
    pairs
        .iter()
        .map(|(metric, value)| {
            let Some((name, values)) = allowed.iter().find(|(name, _)| name == metric) else {
                return Err(CvssError::UnknownMetric { version, metric: (*metric).to_owned() });
            };
            if !values.contains(value) {
                return Err(CvssError::InvalidValue {
                    metric: (*metric).to_owned(),
                    value: (*value).to_owned(),
                });
            }
            Ok((*name, *value))
        })
        .collect()
}

/// The value of a mandatory metric.
pub(crate) fn required<'a>(
    values: &[(&'static str, &'a str)],
    metric: &'static str,
    version: CvssVersion,
) -> Result<&'a str, CvssError> {
    optional(values, metric).ok_or(CvssError::MissingMetric { version, metric })
}

/// The value of an optional metric.
pub(crate) fn optional<'a>(values: &[(&'static str, &'a str)], metric: &str) -> Option<&'a str> {
    values.iter().find(|(name, _)| *name == metric).map(|(_, value)| *value)
}

/// Rounds half up to one decimal, tolerating floating-point noise just below a half
/// (`8.449999999` from `8.45` rounds to 8.5).
pub(crate) fn round_one_decimal(value: f64) -> f64 {
    (value * 10.0 + 0.5 + 1e-6).floor() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score_of(vector: &str) -> f64 {
        score(vector).unwrap_or_else(|e| panic!("{vector}: {e}")).score
    }

    #[test]
    fn v3_published_scores() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3),
            ("CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", 4.7),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            // temporal and environmental metrics are accepted and do not change the base score
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/MAV:L", 9.8),
            // any metric order
            ("CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/A:H/I:H/C:H", 9.8),
        ];
        for (vector, expected) in cases {
            assert_eq!(score_of(vector), expected, "{vector}");
        }
    }

    #[test]
    fn v2_published_scores() {
        let cases = [
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
            ("(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5),
            ("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
            ("AV:N/AC:M/Au:N/C:P/I:P/A:P", 6.8),
            ("AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2),
            ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),
            ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
            ("AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0),
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C", 7.5),
        ];
        for (vector, expected) in cases {
            let scored = score(vector).unwrap();
            assert_eq!(scored.version, CvssVersion::V2);
            assert_eq!(scored.score, expected, "{vector}");
        }
    }

    #[test]
    fn v4_scores_by_the_macrovector_method() {
        let cases = [
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
            // MacroVector 100200 (8.7), EQ1 distance 0.2 of depth 0.4 over a gap of 1.7, mean of 4
            ("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5),
            // MacroVector 000100 (10), EQ4 distance 0.3 of depth 0.5 over a gap of 0.7, mean of 5
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:L/SA:N", 9.9),
            // threat metric: MacroVector 000220
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 8.1),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X", 9.3),
            ("CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.0),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0),
            // environmental override back to the base values changes nothing
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:N/CR:X", 9.3),
            // supplemental metrics are accepted
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/U:Red", 9.3),
        ];
        for (vector, expected) in cases {
            assert_eq!(score_of(vector), expected, "{vector}");
        }
        // Every base vector scores within range without panicking.
        let mut scored = 0;
        for av in ["N", "A", "L", "P"] {
            for ac in ["L", "H"] {
                for at in ["N", "P"] {
                    for pr in ["N", "L", "H"] {
                        for ui in ["N", "P", "A"] {
                            for impact in ["H", "L", "N"] {
                                for subsequent in ["H", "L", "N"] {
                                    let vector = format!(
                                        "CVSS:4.0/AV:{av}/AC:{ac}/AT:{at}/PR:{pr}/UI:{ui}/VC:{impact}/VI:H/VA:{subsequent}/SC:{subsequent}/SI:{impact}/SA:L/MSI:S"
                                    );
                                    let value = score_of(&vector);
                                    assert!((0.0..=10.0).contains(&value), "{vector}: {value}");
                                    scored += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(scored, 4 * 2 * 2 * 3 * 3 * 3 * 3);
    }

    #[test]
    fn severity_ratings() {
        assert_eq!(Severity::from_score(0.0), Severity::None);
        assert_eq!(Severity::from_score(0.1), Severity::Low);
        assert_eq!(Severity::from_score(3.9), Severity::Low);
        assert_eq!(Severity::from_score(4.0), Severity::Medium);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_score(7.0), Severity::High);
        assert_eq!(Severity::from_score(8.9), Severity::High);
        assert_eq!(Severity::from_score(9.0), Severity::Critical);
        assert_eq!(Severity::from_score(10.0), Severity::Critical);
        assert_eq!(Severity::from_score(f64::NAN), Severity::None);
        assert_eq!(Severity::from_score(42.0), Severity::Critical);
        assert_eq!(Severity::from_v2_score(0.0), Severity::Low);
        assert_eq!(Severity::from_v2_score(10.0), Severity::High);
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap().severity(),
            Severity::Critical
        );
        assert_eq!(score("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap().severity(), Severity::High);
        assert_eq!(Severity::from_name("Moderate"), Some(Severity::Medium));
        assert_eq!(Severity::Critical.to_string(), "CRITICAL");
    }

    #[test]
    fn malformed_vectors_are_errors() {
        let cases: [(&str, CvssError); 10] = [
            ("", CvssError::Empty),
            ("CVSS:5.0/AV:N", CvssError::UnsupportedVersion("5.0".into())),
            ("CVSS:3.1/", CvssError::MalformedComponent(String::new())),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
                CvssError::MissingMetric { version: CvssVersion::V3_1, metric: "A" },
            ),
            (
                "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                CvssError::InvalidValue { metric: "AV".into(), value: "Q".into() },
            ),
            ("CVSS:3.1/AV:N/AV:N", CvssError::DuplicateMetric("AV".into())),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
                CvssError::UnknownMetric { version: CvssVersion::V3_1, metric: "ZZ".into() },
            ),
            ("AV:N/AC:L", CvssError::MissingMetric { version: CvssVersion::V2, metric: "Au" }),
            ("garbage", CvssError::MalformedComponent("garbage".into())),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
                CvssError::InvalidValue { metric: "SI".into(), value: "S".into() },
            ),
        ];
        for (vector, expected) in cases {
            assert_eq!(score(vector), Err(expected), "{vector:?}");
        }
        for garbage in ["/", "::", "CVSS:", "CVSS:3.1", "(", "()", "CVSS:4.0/AV:N/", "CVSS:3.1/AV:N:X", "é:é"]
        {
            assert!(score(garbage).is_err(), "{garbage:?}");
        }
    }
}
