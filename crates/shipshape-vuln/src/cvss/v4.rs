//! CVSS v4.0 scores by the specification's MacroVector method (section 8.2).
//!
//! 1. The (effective) metrics are reduced to a MacroVector of six equivalence classes EQ1-EQ6.
//! 2. The MacroVector's score comes from the table published with the specification (data, see
//!    the crate's PROVENANCE.md).
//! 3. For each EQ, the vector's severity distance from the highest-severity vectors of its
//!    MacroVector, as a proportion of the MacroVector's depth, scales the score gap to the
//!    next lower MacroVector; the mean of those (over the lower MacroVectors that exist) is
//!    subtracted and the result rounded to one decimal.
//!
//! Threat (`E`) and environmental metrics (`CR`/`IR`/`AR`, `M*`) take part when present, so
//! the result is CVSS-B, -BT, -BE or -BTE depending on the vector; `E:X` counts as `E:A` and
//! `CR/IR/AR:X` as `H`, as the specification says. Supplemental metrics are validated only.

use super::{CvssError, CvssVersion, checked, components, optional, required, round_one_decimal};

const VERSION: CvssVersion = CvssVersion::V4_0;

const BASE_METRICS: [&str; 11] = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"];

const METRICS: &[(&str, &[&str])] = &[
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("AT", &["N", "P"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "P", "A"]),
    ("VC", &["H", "L", "N"]),
    ("VI", &["H", "L", "N"]),
    ("VA", &["H", "L", "N"]),
    ("SC", &["H", "L", "N"]),
    ("SI", &["H", "L", "N"]),
    ("SA", &["H", "L", "N"]),
    // threat
    ("E", &["X", "A", "P", "U"]),
    // environmental
    ("CR", &["X", "H", "M", "L"]),
    ("IR", &["X", "H", "M", "L"]),
    ("AR", &["X", "H", "M", "L"]),
    ("MAV", &["X", "N", "A", "L", "P"]),
    ("MAC", &["X", "L", "H"]),
    ("MAT", &["X", "N", "P"]),
    ("MPR", &["X", "N", "L", "H"]),
    ("MUI", &["X", "N", "P", "A"]),
    ("MVC", &["X", "H", "L", "N"]),
    ("MVI", &["X", "H", "L", "N"]),
    ("MVA", &["X", "H", "L", "N"]),
    ("MSC", &["X", "H", "L", "N"]),
    ("MSI", &["X", "S", "H", "L", "N"]),
    ("MSA", &["X", "S", "H", "L", "N"]),
    // supplemental
    ("S", &["X", "N", "P"]),
    ("AU", &["X", "N", "Y"]),
    ("R", &["X", "A", "U", "I"]),
    ("V", &["X", "D", "C"]),
    ("RE", &["X", "L", "M", "H"]),
    ("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

/// MacroVector scores from the CVSS v4.0 specification, keyed by the EQ1..EQ6 digits read as
/// a decimal number (`"102011"` is 102011), in ascending key order.
const MACROVECTOR_SCORES: [(u32, f64); 270] = [
    (0, 10.0),
    (1, 9.9),
    (10, 9.8),
    (11, 9.5),
    (20, 9.5),
    (21, 9.2),
    (100, 10.0),
    (101, 9.6),
    (110, 9.3),
    (111, 8.7),
    (120, 9.1),
    (121, 8.1),
    (200, 9.3),
    (201, 9.0),
    (210, 8.9),
    (211, 8.0),
    (220, 8.1),
    (221, 6.8),
    (1000, 9.8),
    (1001, 9.5),
    (1010, 9.5),
    (1011, 9.2),
    (1020, 9.0),
    (1021, 8.4),
    (1100, 9.3),
    (1101, 9.2),
    (1110, 8.9),
    (1111, 8.1),
    (1120, 8.1),
    (1121, 6.5),
    (1200, 8.8),
    (1201, 8.0),
    (1210, 7.8),
    (1211, 7.0),
    (1220, 6.9),
    (1221, 4.8),
    (2001, 9.2),
    (2011, 8.2),
    (2021, 7.2),
    (2101, 7.9),
    (2111, 6.9),
    (2121, 5.0),
    (2201, 6.9),
    (2211, 5.5),
    (2221, 2.7),
    (10000, 9.9),
    (10001, 9.7),
    (10010, 9.5),
    (10011, 9.2),
    (10020, 9.2),
    (10021, 8.5),
    (10100, 9.5),
    (10101, 9.1),
    (10110, 9.0),
    (10111, 8.3),
    (10120, 8.4),
    (10121, 7.1),
    (10200, 9.2),
    (10201, 8.1),
    (10210, 8.2),
    (10211, 7.1),
    (10220, 7.2),
    (10221, 5.3),
    (11000, 9.5),
    (11001, 9.3),
    (11010, 9.2),
    (11011, 8.5),
    (11020, 8.5),
    (11021, 7.3),
    (11100, 9.2),
    (11101, 8.2),
    (11110, 8.0),
    (11111, 7.2),
    (11120, 7.0),
    (11121, 5.9),
    (11200, 8.4),
    (11201, 7.0),
    (11210, 7.1),
    (11211, 5.2),
    (11220, 5.0),
    (11221, 3.0),
    (12001, 8.6),
    (12011, 7.5),
    (12021, 5.2),
    (12101, 7.1),
    (12111, 5.2),
    (12121, 2.9),
    (12201, 6.3),
    (12211, 2.9),
    (12221, 1.7),
    (100000, 9.8),
    (100001, 9.5),
    (100010, 9.4),
    (100011, 8.7),
    (100020, 9.1),
    (100021, 8.1),
    (100100, 9.4),
    (100101, 8.9),
    (100110, 8.6),
    (100111, 7.4),
    (100120, 7.7),
    (100121, 6.4),
    (100200, 8.7),
    (100201, 7.5),
    (100210, 7.4),
    (100211, 6.3),
    (100220, 6.3),
    (100221, 4.9),
    (101000, 9.4),
    (101001, 8.9),
    (101010, 8.8),
    (101011, 7.7),
    (101020, 7.6),
    (101021, 6.7),
    (101100, 8.6),
    (101101, 7.6),
    (101110, 7.4),
    (101111, 5.8),
    (101120, 5.9),
    (101121, 5.0),
    (101200, 7.2),
    (101201, 5.7),
    (101210, 5.7),
    (101211, 5.2),
    (101220, 5.2),
    (101221, 2.5),
    (102001, 8.3),
    (102011, 7.0),
    (102021, 5.4),
    (102101, 6.5),
    (102111, 5.8),
    (102121, 2.6),
    (102201, 5.3),
    (102211, 2.1),
    (102221, 1.3),
    (110000, 9.5),
    (110001, 9.0),
    (110010, 8.8),
    (110011, 7.6),
    (110020, 7.6),
    (110021, 7.0),
    (110100, 9.0),
    (110101, 7.7),
    (110110, 7.5),
    (110111, 6.2),
    (110120, 6.1),
    (110121, 5.3),
    (110200, 7.7),
    (110201, 6.6),
    (110210, 6.8),
    (110211, 5.9),
    (110220, 5.2),
    (110221, 3.0),
    (111000, 8.9),
    (111001, 7.8),
    (111010, 7.6),
    (111011, 6.7),
    (111020, 6.2),
    (111021, 5.8),
    (111100, 7.4),
    (111101, 5.9),
    (111110, 5.7),
    (111111, 5.7),
    (111120, 4.7),
    (111121, 2.3),
    (111200, 6.1),
    (111201, 5.2),
    (111210, 5.7),
    (111211, 2.9),
    (111220, 2.4),
    (111221, 1.6),
    (112001, 7.1),
    (112011, 5.9),
    (112021, 3.0),
    (112101, 5.8),
    (112111, 2.6),
    (112121, 1.5),
    (112201, 2.3),
    (112211, 1.3),
    (112221, 0.6),
    (200000, 9.3),
    (200001, 8.7),
    (200010, 8.6),
    (200011, 7.2),
    (200020, 7.5),
    (200021, 5.8),
    (200100, 8.6),
    (200101, 7.4),
    (200110, 7.4),
    (200111, 6.1),
    (200120, 5.6),
    (200121, 3.4),
    (200200, 7.0),
    (200201, 5.4),
    (200210, 5.2),
    (200211, 4.0),
    (200220, 4.0),
    (200221, 2.2),
    (201000, 8.5),
    (201001, 7.5),
    (201010, 7.4),
    (201011, 5.5),
    (201020, 6.2),
    (201021, 5.1),
    (201100, 7.2),
    (201101, 5.7),
    (201110, 5.5),
    (201111, 4.1),
    (201120, 4.6),
    (201121, 1.9),
    (201200, 5.3),
    (201201, 3.6),
    (201210, 3.4),
    (201211, 1.9),
    (201220, 1.9),
    (201221, 0.8),
    (202001, 6.4),
    (202011, 5.1),
    (202021, 2.0),
    (202101, 4.7),
    (202111, 2.1),
    (202121, 1.1),
    (202201, 2.4),
    (202211, 0.9),
    (202221, 0.4),
    (210000, 8.8),
    (210001, 7.5),
    (210010, 7.3),
    (210011, 5.3),
    (210020, 6.0),
    (210021, 5.0),
    (210100, 7.3),
    (210101, 5.5),
    (210110, 5.9),
    (210111, 4.0),
    (210120, 4.1),
    (210121, 2.0),
    (210200, 5.4),
    (210201, 4.3),
    (210210, 4.5),
    (210211, 2.2),
    (210220, 2.0),
    (210221, 1.1),
    (211000, 7.5),
    (211001, 5.5),
    (211010, 5.8),
    (211011, 4.5),
    (211020, 4.0),
    (211021, 2.1),
    (211100, 6.1),
    (211101, 5.1),
    (211110, 4.8),
    (211111, 1.8),
    (211120, 2.0),
    (211121, 0.9),
    (211200, 4.6),
    (211201, 1.8),
    (211210, 1.7),
    (211211, 0.7),
    (211220, 0.8),
    (211221, 0.2),
    (212001, 5.3),
    (212011, 2.4),
    (212021, 1.4),
    (212101, 2.4),
    (212111, 1.2),
    (212121, 0.5),
    (212201, 1.0),
    (212211, 0.3),
    (212221, 0.1),
];

fn macrovector_score(eqs: [u8; 6]) -> Option<f64> {
    let key = eqs.iter().fold(0u32, |key, eq| key * 10 + u32::from(*eq));
    MACROVECTOR_SCORES
        .binary_search_by_key(&key, |(k, _)| *k)
        .ok()
        .and_then(|index| MACROVECTOR_SCORES.get(index))
        .map(|(_, score)| *score)
}

/// The metric values that count: modified values override base values; `E:X` is `A` and
/// `CR/IR/AR:X` are `H`.
struct Effective<'a> {
    values: Vec<(&'static str, &'a str)>,
}

impl<'a> Effective<'a> {
    fn get(&self, metric: &'static str) -> &'a str {
        match metric {
            "E" => optional(&self.values, "E").filter(|v| *v != "X").unwrap_or("A"),
            "CR" | "IR" | "AR" => optional(&self.values, metric).filter(|v| *v != "X").unwrap_or("H"),
            _ => {
                let modified = match metric {
                    "AV" => "MAV",
                    "AC" => "MAC",
                    "AT" => "MAT",
                    "PR" => "MPR",
                    "UI" => "MUI",
                    "VC" => "MVC",
                    "VI" => "MVI",
                    "VA" => "MVA",
                    "SC" => "MSC",
                    "SI" => "MSI",
                    "SA" => "MSA",
                    _ => "",
                };
                optional(&self.values, modified)
                    .filter(|v| *v != "X")
                    .or_else(|| optional(&self.values, metric))
                    .unwrap_or("")
            }
        }
    }

    fn is(&self, metric: &'static str, value: &str) -> bool {
        self.get(metric) == value
    }

    fn macrovector(&self) -> [u8; 6] {
        let (av_n, pr_n, ui_n) = (self.is("AV", "N"), self.is("PR", "N"), self.is("UI", "N"));
        let eq1 = if av_n && pr_n && ui_n {
            0
        } else if (av_n || pr_n || ui_n) && !self.is("AV", "P") {
            1
        } else {
            2
        };
        let eq2 = if self.is("AC", "L") && self.is("AT", "N") { 0 } else { 1 };
        let (vc_h, vi_h, va_h) = (self.is("VC", "H"), self.is("VI", "H"), self.is("VA", "H"));
        let eq3 = if vc_h && vi_h {
            0
        } else if vc_h || vi_h || va_h {
            1
        } else {
            2
        };
        let safety = optional(&self.values, "MSI") == Some("S") || optional(&self.values, "MSA") == Some("S");
        let eq4 = if safety {
            0
        } else if self.is("SC", "H") || self.is("SI", "H") || self.is("SA", "H") {
            1
        } else {
            2
        };
        let eq5 = match self.get("E") {
            "P" => 1,
            "U" => 2,
            _ => 0,
        };
        let eq6 =
            if (self.is("CR", "H") && vc_h) || (self.is("IR", "H") && vi_h) || (self.is("AR", "H") && va_h) {
                0
            } else {
                1
            };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }
}

/// Severity level of a metric value, in the specification's steps of 0.1 (higher is less
/// severe).
fn level(metric: &str, value: &str) -> f64 {
    match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA" | "CR" | "IR" | "AR", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") | ("CR" | "IR" | "AR", "M") => 0.1,
        ("VC" | "VI" | "VA", "N") | ("CR" | "IR" | "AR", "L") => 0.2,
        ("SI" | "SA", "S") => 0.0,
        ("SC" | "SI" | "SA", "H") => 0.1,
        ("SC" | "SI" | "SA", "L") => 0.2,
        ("SC" | "SI" | "SA", "N") => 0.3,
        _ => 0.0,
    }
}

/// The highest-severity vectors of each EQ level, as published with the specification.
fn eq1_maxima(eq1: u8) -> &'static [[&'static str; 3]] {
    // AV, PR, UI
    match eq1 {
        0 => &[["N", "N", "N"]],
        1 => &[["A", "N", "N"], ["N", "L", "N"], ["N", "N", "P"]],
        _ => &[["P", "N", "N"], ["A", "L", "P"]],
    }
}

fn eq2_maxima(eq2: u8) -> &'static [[&'static str; 2]] {
    // AC, AT
    match eq2 {
        0 => &[["L", "N"]],
        _ => &[["H", "N"], ["L", "P"]],
    }
}

fn eq3_eq6_maxima(eq3: u8, eq6: u8) -> &'static [[&'static str; 6]] {
    // VC, VI, VA, CR, IR, AR
    match (eq3, eq6) {
        (0, 0) => &[["H", "H", "H", "H", "H", "H"]],
        (0, _) => &[["H", "H", "L", "M", "M", "H"], ["H", "H", "H", "M", "M", "M"]],
        (1, 0) => &[["L", "H", "H", "H", "H", "H"], ["H", "L", "H", "H", "H", "H"]],
        (1, _) => &[
            ["L", "H", "L", "H", "M", "H"],
            ["L", "H", "H", "H", "M", "M"],
            ["H", "L", "H", "M", "H", "M"],
            ["H", "L", "L", "M", "H", "H"],
            ["L", "L", "H", "H", "H", "M"],
        ],
        _ => &[["L", "L", "L", "H", "H", "H"]],
    }
}

fn eq4_maxima(eq4: u8) -> &'static [[&'static str; 3]] {
    // SC, SI, SA
    match eq4 {
        0 => &[["H", "S", "S"]],
        1 => &[["H", "H", "H"]],
        _ => &[["L", "L", "L"]],
    }
}

/// The depth of each MacroVector level (the largest severity distance within it, plus one).
fn depth(eq: usize, eqs: [u8; 6]) -> f64 {
    let steps: u8 = match (eq, eqs) {
        (1, [0, ..]) => 1,
        (1, [1, ..]) => 4,
        (1, _) => 5,
        (2, [_, 0, ..]) => 1,
        (2, _) => 2,
        (3, [_, _, 0, _, _, 0]) => 7,
        (3, [_, _, 0, _, _, _]) => 6,
        (3, [_, _, 1, ..]) => 8,
        (3, _) => 10,
        (4, [_, _, _, 0, ..]) => 6,
        (4, [_, _, _, 1, ..]) => 5,
        _ => 4,
    };
    f64::from(steps) * 0.1
}

/// Severity distances of the vector from one highest-severity vector, per EQ group.
struct Distances {
    eq1: f64,
    eq2: f64,
    eq3_eq6: f64,
    eq4: f64,
    any_negative: bool,
}

fn distances(
    effective: &Effective<'_>,
    eq1: &[&str; 3],
    eq2: &[&str; 2],
    eq3_eq6: &[&str; 6],
    eq4: &[&str; 3],
) -> Distances {
    let distance =
        |metric: &'static str, maximum: &str| level(metric, effective.get(metric)) - level(metric, maximum);
    let [av_max, pr_max, ui_max] = *eq1;
    let [ac_max, at_max] = *eq2;
    let [vc_max, vi_max, va_max, cr_max, ir_max, ar_max] = *eq3_eq6;
    let [sc_max, si_max, sa_max] = *eq4;
    let [av, pr, ui] = [distance("AV", av_max), distance("PR", pr_max), distance("UI", ui_max)];
    let [ac, at] = [distance("AC", ac_max), distance("AT", at_max)];
    let [vc, vi, va, cr, ir, ar] = [
        distance("VC", vc_max),
        distance("VI", vi_max),
        distance("VA", va_max),
        distance("CR", cr_max),
        distance("IR", ir_max),
        distance("AR", ar_max),
    ];
    let [sc, si, sa] = [distance("SC", sc_max), distance("SI", si_max), distance("SA", sa_max)];
    Distances {
        eq1: av + pr + ui,
        eq2: ac + at,
        eq3_eq6: vc + vi + va + cr + ir + ar,
        eq4: sc + si + sa,
        any_negative: [av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar].iter().any(|d| *d < 0.0),
    }
}

/// The score of a v4.0 vector without its `CVSS:4.0/` prefix.
pub(super) fn base_score(vector: &str) -> Result<f64, CvssError> {
    let values = checked(&components(vector)?, METRICS, VERSION)?;
    for metric in BASE_METRICS {
        required(&values, metric, VERSION)?;
    }
    let effective = Effective { values };
    if ["VC", "VI", "VA", "SC", "SI", "SA"].iter().all(|metric| effective.is(metric, "N")) {
        return Ok(0.0);
    }

    let eqs = effective.macrovector();
    let [eq1, eq2, eq3, eq4, _, eq6] = eqs;
    let Some(value) = macrovector_score(eqs) else {
        // Every reachable MacroVector is in the table; this is defensive.
        return Ok(0.0);
    };

    let lower = |index: usize, step: u8| {
        let mut next = eqs;
        if let Some(eq) = next.get_mut(index) {
            *eq += step;
        }
        next
    };
    let next_eq1 = macrovector_score(lower(0, 1));
    let next_eq2 = macrovector_score(lower(1, 1));
    let next_eq3_eq6 = match (eq3, eq6) {
        (1, 1) | (0, 1) => macrovector_score(lower(2, 1)),
        (1, 0) => macrovector_score(lower(5, 1)),
        (0, 0) => match (macrovector_score(lower(5, 1)), macrovector_score(lower(2, 1))) {
            (Some(left), Some(right)) if left > right => Some(left),
            (_, right) => right,
        },
        _ => None,
    };
    let next_eq4 = macrovector_score(lower(3, 1));
    let next_eq5 = macrovector_score(lower(4, 1));

    // The first combination of highest-severity vectors that the vector does not exceed in any
    // metric (the last one tried if none qualifies, as the reference does).
    let mut found: Option<Distances> = None;
    'search: for max1 in eq1_maxima(eq1) {
        for max2 in eq2_maxima(eq2) {
            for max3 in eq3_eq6_maxima(eq3, eq6) {
                for max4 in eq4_maxima(eq4) {
                    let candidate = distances(&effective, max1, max2, max3, max4);
                    let acceptable = !candidate.any_negative;
                    found = Some(candidate);
                    if acceptable {
                        break 'search;
                    }
                }
            }
        }
    }
    let Some(distance) = found else {
        return Ok(0.0);
    };

    let mut existing_lower = 0u8;
    let mut total = 0.0;
    let mut add = |next: Option<f64>, proportion: f64| {
        if let Some(next) = next {
            existing_lower += 1;
            total += (value - next) * proportion;
        }
    };
    add(next_eq1, distance.eq1 / depth(1, eqs));
    add(next_eq2, distance.eq2 / depth(2, eqs));
    add(next_eq3_eq6, distance.eq3_eq6 / depth(3, eqs));
    add(next_eq4, distance.eq4 / depth(4, eqs));
    // EQ5 has depth one: its proportion is always zero.
    add(next_eq5, 0.0);
    let mean = if existing_lower == 0 { 0.0 } else { total / f64::from(existing_lower) };
    Ok(round_one_decimal((value - mean).clamp(0.0, 10.0)))
}
