use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an `org.opencontainers.image.created` label whose value is not an RFC 3339
    /// date-time (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.5+02:00`). Empty values and
    /// values from variables that do not resolve are not judged. The finding points at the
    /// label.
    ///
    /// ## Why is this bad?
    /// The OCI image spec defines `created` as an RFC 3339 date-time; tools that sort, expire
    /// or audit images by build date fail on `2024-05-01` or `May 1st`.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.created="2024-05-01"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.created="2024-05-01T00:00:00Z"
    /// ```
    ///
    /// ## Fix
    /// Write a full date-time with a time zone, e.g. from `date -u +%Y-%m-%dT%H:%M:%SZ`. Not
    /// fixed automatically.
    ///
    /// ## References
    /// - OCI image spec, "Pre-Defined Annotation Keys"
    /// - RFC 3339, section 5.6
    pub static INVALID_OCI_LABEL_DATE = {
        code: "IMG046",
        name: "invalid-oci-label-date",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "the OCI `created` label is not an RFC 3339 date-time",
        aliases: [(Hadolint, "DL3053")],
    }
}

/// Whether `text` is an RFC 3339 `date-time`.
pub(crate) fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |range: std::ops::Range<usize>| b.get(range).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let number =
        |range: std::ops::Range<usize>| text.get(range).and_then(|s| s.parse::<u32>().ok()).unwrap_or(99);
    let shape = b.len() >= 20
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !shape {
        return false;
    }
    let in_range = (1..=12).contains(&number(5..7))
        && (1..=31).contains(&number(8..10))
        && number(11..13) <= 23
        && number(14..16) <= 59
        && number(17..19) <= 60;
    let mut rest = text.get(19..).unwrap_or("");
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.len() - fraction.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if len == 0 {
            return false;
        }
        rest = fraction.get(len..).unwrap_or("");
    }
    let offset_ok = match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    };
    in_range && offset_ok
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for label in spec.stages.iter().flat_map(|s| &s.labels) {
        if label.key != "org.opencontainers.image.created" {
            continue;
        }
        let Some(value) = label.value.get().map(str::trim).filter(|v| !v.is_empty()) else { continue };
        if !is_rfc3339(value) {
            checker
                .report(
                    &INVALID_OCI_LABEL_DATE,
                    &label.origin,
                    format!("label `{}` is not an RFC 3339 date-time: `{value}`", label.key),
                )
                .help = Some("write a date-time with a time zone, such as `2024-05-01T00:00:00Z`".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339;

    #[test]
    fn rfc3339_date_times() {
        for good in ["2024-05-01T12:00:00Z", "2024-05-01t12:00:00.123+02:00", "1999-12-31 23:59:60-08:00"] {
            assert!(is_rfc3339(good), "{good}");
        }
        for bad in
            ["2024-05-01", "2024-13-01T00:00:00Z", "2024-05-01T12:00:00", "2024-05-01T12:00:00.Z", "May 1"]
        {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
