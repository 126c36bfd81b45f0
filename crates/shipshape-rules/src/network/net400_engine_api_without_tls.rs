use shipshape_model::{ApiListener, ApiTls, EngineConfig, Origin, Severity, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags the Docker Engine API served over TCP without TLS client verification:
    ///
    /// - a daemon.json `hosts` entry `tcp://...` (or `host:port`) while `tlsverify` is not
    ///   `true` (plain HTTP, or `tls: true` alone, which encrypts but lets anyone connect);
    /// - the daemon's own warning in `docker info`: "API is accessible on http://... without
    ///   encryption" or "on https://... without TLS client verification";
    /// - the live audit reaching the daemon over plain TCP itself.
    ///
    /// Critical for any address other than loopback; high for `127.0.0.1`/`localhost`, which
    /// every local user and every web page a local browser opens can reach, bypassing the
    /// socket's permissions.
    ///
    /// ## Why is this bad?
    /// The Engine API has no authentication of its own: whoever can send it a request is root on
    /// the host (`POST /containers/create` with the host's `/` mounted). A TCP listener without
    /// client certificates hands that to everyone who can reach the port; internet-wide scans
    /// find such daemons within minutes and turn them into cryptominers.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
    ///   "tlsverify": true,
    ///   "tlscacert": "/etc/docker/tls/ca.pem",
    ///   "tlscert": "/etc/docker/tls/server-cert.pem",
    ///   "tlskey": "/etc/docker/tls/server-key.pem"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Serve TCP only with `tlsverify: true` and a CA that signs client certificates for the
    /// people and systems allowed in; better, drop the TCP listener and reach the daemon through
    /// SSH (`DOCKER_HOST=ssh://user@host`), which reuses SSH authentication.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.7 "Ensure TLS authentication for Docker daemon is configured"
    /// - Docker documentation, "Protect the Docker daemon socket"
    /// - CWE-306: Missing Authentication for Critical Function
    pub static ENGINE_API_WITHOUT_TLS = {
        code: "NET400",
        name: "engine-api-without-tls",
        layer: Network,
        threat: NetworkAttack,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "the Engine API is served over TCP without TLS client verification",
        aliases: [(CisDocker, "2.7")],
    }
}

fn describe(listener: &ApiListener) -> Option<(Severity, String)> {
    let how = match listener.tls {
        ApiTls::Verify => return None,
        ApiTls::None => format!("over plain HTTP on {}", listener.address),
        ApiTls::NoVerify => {
            format!("on {} with TLS but without client certificate verification", listener.address)
        }
    };
    Some(if listener.is_loopback() {
        (
            Severity::High,
            format!(
                "the Engine API is served {how}: every local user and local browser page can control the daemon"
            ),
        )
    } else {
        (
            Severity::Critical,
            format!("the Engine API is served {how}: anyone who can reach the port is root on this host"),
        )
    })
}

fn report(checker: &mut Checker<'_>, origin: &Origin, severity: Severity, message: String) {
    let finding = checker.report(&ENGINE_API_WITHOUT_TLS, origin, message);
    finding.severity = severity;
    finding.help = Some(
        "use `tlsverify: true` with client certificates, or drop the TCP listener and use `ssh://`".into(),
    );
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let listeners = config.api_listeners.as_ref().map(|l| l.value.as_slice()).unwrap_or_default();
    for listener in listeners {
        if let Some((severity, message)) = describe(&listener.value) {
            report(checker, &listener.origin, severity, message);
        }
    }
    if let Some(endpoint) = &config.audit_endpoint
        && !listeners.iter().any(|l| l.value == endpoint.value)
        && let Some((severity, message)) = describe(&endpoint.value)
    {
        report(checker, &endpoint.origin, severity, format!("{message} (this audit connected that way)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{list, run, set, starts, unknown};

    fn listener(address: &str, tls: ApiTls) -> ApiListener {
        ApiListener { address: address.into(), tls }
    }

    #[test]
    fn flags_listeners_without_client_verification() {
        let mut config = unknown();
        assert!(run(&ENGINE_API_WITHOUT_TLS, &config).is_empty());
        config.api_listeners = Some(list(
            vec![
                listener("0.0.0.0:2375", ApiTls::None),
                listener("10.0.0.5:2376", ApiTls::NoVerify),
                listener("0.0.0.0:2376", ApiTls::Verify),
                listener("127.0.0.1:2375", ApiTls::None),
            ],
            10,
        ));
        let findings = run(&ENGINE_API_WITHOUT_TLS, &config);
        assert_eq!(starts(&findings), [11, 12, 14]);
        let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
        assert_eq!(severities, [Severity::Critical, Severity::Critical, Severity::High]);
    }

    #[test]
    fn the_audits_own_endpoint_counts_once() {
        let mut config = unknown();
        config.audit_endpoint = Some(set(listener("192.168.1.20:2375", ApiTls::None), 0));
        assert_eq!(starts(&run(&ENGINE_API_WITHOUT_TLS, &config)), [0]);
        config.api_listeners = Some(list(vec![listener("192.168.1.20:2375", ApiTls::None)], 20));
        assert_eq!(starts(&run(&ENGINE_API_WITHOUT_TLS, &config)), [21]);
        config.api_listeners = None;
        config.audit_endpoint = Some(set(listener("192.168.1.20:2376", ApiTls::Verify), 0));
        assert!(run(&ENGINE_API_WITHOUT_TLS, &config).is_empty());
    }
}
