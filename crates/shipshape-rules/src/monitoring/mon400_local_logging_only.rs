use shipshape_model::{EngineConfig, Severity, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon whose default logging driver keeps container logs on the host only
    /// (`json-file`, the default, or `local`), or discards them (`none`, at medium severity):
    /// `LoggingDriver` in `docker info`, `log-driver` in daemon.json (or, in the offline scan of
    /// a daemon.json, no `log-driver` at all). Containers that choose their own driver are not
    /// affected; a container with `none` is reported by `logging-disabled`.
    ///
    /// ## Why is this bad?
    /// Logs kept only on the host are lost with the host and are the first thing an intruder
    /// who reaches it deletes; they are also removed with each container. A central log store
    /// keeps the evidence out of the attacker's reach and lets alerts see every host at once.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "log-driver": "json-file"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "log-driver": "syslog",
    ///   "log-opts": {"syslog-address": "tcp+tls://logs.example.internal:6514"}
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `log-driver` to a driver that ships logs off the host (`syslog`, `journald` forwarded
    /// by the host, `fluentd`, `gelf`, `awslogs`, `gcplogs`, `splunk`), or keep `local` and run a
    /// log shipper that forwards the files. Suppress this finding with a reason in the second
    /// case.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.13 "Ensure centralized and remote logging is configured"
    /// - Docker documentation, "Configure logging drivers"
    pub static LOCAL_LOGGING_ONLY = {
        code: "MON400",
        name: "local-logging-only",
        layer: Monitoring,
        threat: UndetectedCompromise,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "container logs stay on the host by default",
        aliases: [(CisDocker, "2.13")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(driver) = &config.logging_driver else { return };
    let name = driver.value.trim().to_ascii_lowercase();
    let note = default_note(config, driver, "log-driver");
    let (severity, message) = match name.as_str() {
        "json-file" | "local" => (
            Severity::Low,
            format!("the default logging driver is `{name}`{note}: container logs stay on this host only"),
        ),
        "none" => (
            Severity::Medium,
            format!("the default logging driver is `none`{note}: container output is discarded"),
        ),
        _ => return,
    };
    let finding = checker.report(&LOCAL_LOGGING_ONLY, &driver.origin, message);
    finding.severity = severity;
    finding.help =
        Some("send logs off the host (`syslog`, `fluentd`, `gelf`, ...) or forward the files".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, unknown};

    #[test]
    fn flags_host_only_drivers() {
        let mut config = unknown();
        assert!(run(&LOCAL_LOGGING_ONLY, &config).is_empty());
        for (driver, severity) in [
            ("json-file", Some(Severity::Low)),
            ("local", Some(Severity::Low)),
            ("none", Some(Severity::Medium)),
            ("syslog", None),
            ("fluentd", None),
        ] {
            config.logging_driver = Some(set(driver.into(), 3));
            let found: Vec<Severity> = run(&LOCAL_LOGGING_ONLY, &config).iter().map(|f| f.severity).collect();
            assert_eq!(found, severity.into_iter().collect::<Vec<_>>(), "{driver}");
        }
    }
}
