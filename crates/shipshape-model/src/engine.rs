//! `EngineConfig`: what a container engine's own configuration says (the Docker daemon).
//!
//! Front ends lower `docker info` output (the Engine API's `GET /info`), `GET /version`, the
//! default bridge network (`GET /networks/bridge`) and `/etc/docker/daemon.json` into this struct;
//! the live host audit adds what it observes itself (the endpoint it used, the socket's mode and
//! owner). Every field is an `Option<Setting<T>>`: the value and the [`Origin`] of the JSON node
//! that says it. `None` means nothing read says, and rules never guess a value for it.
//!
//! A `daemon.json` is not the whole configuration (command-line flags of `dockerd` count too), so
//! the keys it leaves out are unknown until a caller that knows no flag changes them fills them
//! with dockerd's documented defaults; such settings point at the object that leaves them out and
//! [`EngineConfig::is_default`] tells them apart from stated ones.

use crate::span::Origin;
use crate::workload::Setting;
use serde::Serialize;

/// A list the configuration states as a whole (possibly empty), each entry with its own origin.
/// The outer origin is the list (or the object that implies it), for findings about the list as a
/// whole, such as "no authorization plugin".
pub type SettingList<T> = Setting<Vec<Setting<T>>>;

/// The seccomp profile the daemon applies to containers that do not choose one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum SeccompDefault {
    /// Docker's built-in profile (`profile=default` before Docker 23, `profile=builtin` since).
    Builtin,
    /// `seccomp-profile: unconfined`: containers run without a seccomp filter.
    Unconfined,
    /// A custom profile file.
    Custom(String),
    /// The daemon reports no seccomp support at all (kernel or build without seccomp): containers
    /// run without a filter whatever they ask for.
    Unsupported,
}

/// Whether and how a TCP listener of the Engine API is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiTls {
    /// Plain HTTP: no encryption and no authentication.
    None,
    /// TLS without client certificate verification (`tls: true`, no `tlsverify`): encrypted, but
    /// anyone who can connect is accepted.
    NoVerify,
    /// TLS with client certificate verification (`tlsverify: true`).
    Verify,
}

/// A TCP address the Engine API is served on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiListener {
    /// `host:port` as configured (`0.0.0.0:2375`); `tcp://` alone is dockerd's default,
    /// `localhost:2375` (`localhost:2376` with TLS).
    pub address: String,
    pub tls: ApiTls,
}

impl ApiListener {
    /// Whether the address is a loopback address (reachable from the host only).
    pub fn is_loopback(&self) -> bool {
        let host = self.address.rsplit_once(':').map_or(self.address.as_str(), |(host, _)| host);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost" || host == "::1" || host.starts_with("127.")
    }
}

/// One default ulimit (`default-ulimits` of daemon.json, `--default-ulimit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ulimit {
    /// `nofile`, `nproc`, ...
    pub name: String,
    pub soft: Option<i64>,
    pub hard: Option<i64>,
}

/// The Engine API's unix socket as the live audit saw it (`stat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketStat {
    /// The socket's path (`/var/run/docker.sock`).
    pub path: String,
    /// Permission bits (`0o660`).
    pub mode: u32,
    /// Owning user: a name where known, else the numeric id.
    pub owner: String,
    /// Owning group: a name where known, else the numeric id.
    pub group: String,
    /// Where the observation is reported (the live audit's own origin for the socket).
    pub origin: Origin,
}

/// What a Docker daemon's configuration says. See the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EngineConfig {
    /// The daemon's version (`ServerVersion` of `docker info`, `Version` of `GET /version`).
    pub server_version: Option<Setting<String>>,
    /// The Engine API version the daemon speaks (`ApiVersion` of `GET /version`).
    pub api_version: Option<Setting<String>>,
    /// `linux` or `windows` (`OSType`).
    pub os_type: Option<Setting<String>>,
    /// The daemon runs rootless (`name=rootless` in `SecurityOptions`).
    pub rootless: Option<Setting<bool>>,
    /// User namespace remapping is on (`name=userns`, daemon.json `userns-remap`).
    pub userns_remap: Option<Setting<bool>>,
    /// The default seccomp profile (`name=seccomp,profile=...`, daemon.json `seccomp-profile`).
    pub seccomp: Option<Setting<SeccompDefault>>,
    /// Containers keep running while the daemon is down (`LiveRestoreEnabled`, `live-restore`).
    pub live_restore: Option<Setting<bool>>,
    /// Swarm mode is active (`Swarm.LocalNodeState`); live restore does not apply to it.
    pub swarm_active: Option<Setting<bool>>,
    /// The default bridge `docker0` exists (`false` for daemon.json `bridge: none`).
    pub default_bridge: Option<Setting<bool>>,
    /// Inter-container communication on the default bridge (daemon.json `icc`, or the bridge
    /// network's `com.docker.network.bridge.enable_icc` option).
    pub icc: Option<Setting<bool>>,
    /// The userland proxy serves published ports (`userland-proxy`, default `true`).
    pub userland_proxy: Option<Setting<bool>>,
    /// Containers get `no-new-privileges` by default (`no-new-privileges`,
    /// `name=no-new-privileges` in `SecurityOptions` of recent daemons).
    pub no_new_privileges: Option<Setting<bool>>,
    /// Registries pulled from without TLS verification, other than the built-in loopback ones
    /// (`RegistryConfig.InsecureRegistryCIDRs`, `IndexConfigs.*.Secure: false`,
    /// daemon.json `insecure-registries`).
    pub insecure_registries: Option<SettingList<String>>,
    /// TCP listeners of the Engine API (daemon.json `hosts` with `tcp://`, or the daemon's own
    /// warnings about them in `docker info`, which name only the unprotected ones).
    pub api_listeners: Option<SettingList<ApiListener>>,
    /// The endpoint the live audit itself talked to, when it was TCP.
    pub audit_endpoint: Option<Setting<ApiListener>>,
    /// The default logging driver (`LoggingDriver`, `log-driver`).
    pub logging_driver: Option<Setting<String>>,
    /// The daemon's log level (`log-level`).
    pub log_level: Option<Setting<String>>,
    /// Debug mode (`Debug` of `docker info`, daemon.json `debug`).
    pub debug: Option<Setting<bool>>,
    /// Default ulimits for containers (`default-ulimits`).
    pub default_ulimits: Option<SettingList<Ulimit>>,
    /// Authorization plugins, in the order they are consulted (`Plugins.Authorization`,
    /// `authorization-plugins`).
    pub authorization_plugins: Option<SettingList<String>>,
    /// Experimental features are on (`ExperimentalBuild`, `experimental`).
    pub experimental: Option<Setting<bool>>,
    /// The storage driver (`Driver`, `storage-driver`).
    pub storage_driver: Option<Setting<String>>,
    /// Docker manages iptables rules (`iptables`, default `true`).
    pub iptables: Option<Setting<bool>>,
    /// The API socket as the live audit saw it.
    pub socket: Option<SocketStat>,
    /// When fields were filled with dockerd's defaults for keys a daemon.json leaves out: the
    /// origin each such setting carries (the daemon.json object).
    pub defaults_from: Option<Origin>,
}

impl EngineConfig {
    /// Whether `setting` is a default filled in for a key the configuration leaves out, rather
    /// than something a source states.
    pub fn is_default<T>(&self, setting: &Setting<T>) -> bool {
        self.defaults_from.as_ref() == Some(&setting.origin)
    }

    /// Keeps every field this configuration knows and takes the others from `fallback`.
    ///
    /// Callers order sources by authority: what the running daemon reports about itself (its
    /// default bridge network, then `docker info`) before what its configuration file asks for.
    pub fn or(self, fallback: EngineConfig) -> EngineConfig {
        EngineConfig {
            server_version: self.server_version.or(fallback.server_version),
            api_version: self.api_version.or(fallback.api_version),
            os_type: self.os_type.or(fallback.os_type),
            rootless: self.rootless.or(fallback.rootless),
            userns_remap: self.userns_remap.or(fallback.userns_remap),
            seccomp: self.seccomp.or(fallback.seccomp),
            live_restore: self.live_restore.or(fallback.live_restore),
            swarm_active: self.swarm_active.or(fallback.swarm_active),
            default_bridge: self.default_bridge.or(fallback.default_bridge),
            icc: self.icc.or(fallback.icc),
            userland_proxy: self.userland_proxy.or(fallback.userland_proxy),
            no_new_privileges: self.no_new_privileges.or(fallback.no_new_privileges),
            insecure_registries: self.insecure_registries.or(fallback.insecure_registries),
            api_listeners: self.api_listeners.or(fallback.api_listeners),
            audit_endpoint: self.audit_endpoint.or(fallback.audit_endpoint),
            logging_driver: self.logging_driver.or(fallback.logging_driver),
            log_level: self.log_level.or(fallback.log_level),
            debug: self.debug.or(fallback.debug),
            default_ulimits: self.default_ulimits.or(fallback.default_ulimits),
            authorization_plugins: self.authorization_plugins.or(fallback.authorization_plugins),
            experimental: self.experimental.or(fallback.experimental),
            storage_driver: self.storage_driver.or(fallback.storage_driver),
            iptables: self.iptables.or(fallback.iptables),
            socket: self.socket.or(fallback.socket),
            defaults_from: self.defaults_from.or(fallback.defaults_from),
        }
    }

    /// Whether the daemon runs rootless, as far as anything read says.
    pub fn is_rootless(&self) -> bool {
        self.rootless.as_ref().is_some_and(|r| r.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use std::sync::Arc;

    fn at(path: &str, offset: u32) -> Origin {
        Origin::new(Arc::from(path), Span::new(offset, offset + 1))
    }

    #[test]
    fn or_prefers_known_fields_of_the_first() {
        let info = EngineConfig {
            live_restore: Some(Setting::new(false, at("info.json", 1))),
            ..EngineConfig::default()
        };
        let daemon = EngineConfig {
            live_restore: Some(Setting::new(true, at("daemon.json", 2))),
            icc: Some(Setting::new(false, at("daemon.json", 3))),
            ..EngineConfig::default()
        };
        let merged = info.or(daemon);
        assert_eq!(merged.live_restore.map(|s| (s.value, s.origin.span.start)), Some((false, 1)));
        assert_eq!(merged.icc.map(|s| s.value), Some(false));
        assert!(merged.userland_proxy.is_none());
    }

    #[test]
    fn defaults_are_told_apart_by_origin() {
        let root = at("daemon.json", 0);
        let config = EngineConfig { defaults_from: Some(root.clone()), ..EngineConfig::default() };
        assert!(config.is_default(&Setting::new(true, root)));
        assert!(!config.is_default(&Setting::new(true, at("daemon.json", 7))));
    }

    #[test]
    fn loopback_listeners() {
        let listener = |address: &str| ApiListener { address: address.into(), tls: ApiTls::None };
        assert!(listener("127.0.0.1:2375").is_loopback());
        assert!(listener("localhost:2375").is_loopback());
        assert!(listener("[::1]:2375").is_loopback());
        assert!(!listener("0.0.0.0:2375").is_loopback());
        assert!(!listener("10.0.0.5:2376").is_loopback());
    }
}
