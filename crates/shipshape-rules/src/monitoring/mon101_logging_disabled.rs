use shipshape_model::{Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a container whose logging driver is `none` (Compose `logging: {driver: none}`,
    /// `docker run --log-driver none`).
    ///
    /// ## Why is this bad?
    /// With the `none` driver the container's output is thrown away: `docker logs` shows
    /// nothing, log shippers receive nothing, and the traces of an intrusion or a crash are gone
    /// before anyone looks.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     logging:
    ///       driver: none
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     logging:
    ///       driver: local
    ///       options:
    ///         max-size: 10m
    /// ```
    ///
    /// ## Fix
    /// Use a logging driver (`local`, `json-file` with rotation, `journald`, `fluentd`, ...).
    /// To limit disk use, rotate logs instead of discarding them.
    ///
    /// ## References
    /// - CIS Docker Benchmark 2.12 "Ensure that centralized and remote logging is configured"
    pub static LOGGING_DISABLED = {
        code: "MON101",
        name: "logging-disabled",
        layer: Monitoring,
        threat: UndetectedCompromise,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "the container's logs are discarded",
        aliases: [],
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let Some(driver) = &workload.logging_driver else { return };
    if driver.value.trim().eq_ignore_ascii_case("none") {
        checker
            .report(
                &LOGGING_DISABLED,
                &driver.origin,
                "logging is disabled (`driver: none`): the container's output is discarded",
            )
            .help = Some("use a logging driver such as `local` or `json-file` with rotation".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};

    #[test]
    fn flags_driver_none_only() {
        let mut w = service();
        assert!(run(&LOGGING_DISABLED, &w).is_empty());
        w.logging_driver = Some(set("json-file".into(), 8));
        assert!(run(&LOGGING_DISABLED, &w).is_empty());
        w.logging_driver = Some(set("None".into(), 8));
        assert_eq!(starts(&run(&LOGGING_DISABLED, &w)), [8]);
    }
}
