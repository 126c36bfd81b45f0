//! The Docker daemon's configuration lowered to [`EngineConfig`].
//!
//! Four inputs say something about it:
//!
//! - `docker info --format '{{json .}}'`, or the Engine API's `GET /info` (the same object without
//!   `ClientInfo`): what the running daemon reports about itself ([`lower_info`]);
//! - `GET /version` (or `docker version --format '{{json .}}'`): versions and the experimental
//!   flag ([`lower_version`]);
//! - `GET /networks/bridge`: the default bridge network, whose options show whether
//!   inter-container communication is on ([`lower_bridge_network`]);
//! - `/etc/docker/daemon.json`: what the daemon is configured to do ([`lower_daemon_json`]).
//!
//! Each is read through the YAML layer, so every value keeps its span and a finding points at the
//! exact line. Lowering is tolerant: missing fields stay unknown, and a field of the wrong type is
//! a `GEN001` diagnostic at that field (the rest is still read).
//!
//! # Precedence
//!
//! [`merge`] combines sources: what the running daemon reports (the bridge network object, then
//! `docker info`/`GET /version`) wins, because it is the effective value whatever set it (a
//! daemon.json key, a command-line flag, or a default); daemon.json fills what the daemon does
//! not report (`icc`, `userland-proxy`, `iptables`, `no-new-privileges`, `default-ulimits`,
//! `log-level`). [`assume_defaults`] then fills what no source states with dockerd's documented
//! defaults; a caller does that only when it knows no command-line flag changes them (the offline
//! scan of a daemon.json does, and says so in each finding).

use shipshape_model::general::PARSE_ERROR;
use shipshape_model::{
    ApiListener, ApiTls, EngineConfig, Finding, Origin, SeccompDefault, Setting, SettingList, Span, Ulimit,
};
use shipshape_yaml::{Node, NodeValue};
use std::sync::Arc;

/// What lowering one input produced.
#[derive(Debug, Default)]
pub struct Lowered {
    pub config: EngineConfig,
    /// Structural problems (`GEN001`), with spans.
    pub diagnostics: Vec<Finding>,
}

/// A host snapshot: what the live audit (and the engine fixtures) gather about one daemon, as one
/// document with the keys `info` (`GET /info`), `version` (`GET /version`), `bridge`
/// (`GET /networks/bridge`), `daemon` (daemon.json), `socket` (`{path, mode, owner, group}`) and
/// `endpoint` (`{address, tls: none|no-verify|verify}`), each optional. The daemon's own reports
/// win over daemon.json; daemon.json keys it leaves out get dockerd's defaults.
pub fn lower_snapshot(snapshot: &Node, path: &Arc<str>) -> Lowered {
    let mut diagnostics = Vec::new();
    let mut keep = |lowered: Lowered| {
        diagnostics.extend(lowered.diagnostics);
        lowered.config
    };
    let mut reported = EngineConfig::default();
    if let Some(bridge) = snapshot.get("bridge").filter(|n| !n.is_null()) {
        reported = reported.or(keep(lower_bridge_network(bridge, path)));
    }
    if let Some(info) = snapshot.get("info").filter(|n| !n.is_null()) {
        reported = reported.or(keep(lower_info(info, path)));
    }
    if let Some(version) = snapshot.get("version").filter(|n| !n.is_null()) {
        reported = reported.or(keep(lower_version(version, path)));
    }
    let mut config = match snapshot.get("daemon").filter(|n| !n.is_null()) {
        Some(file) => {
            let configured = keep(lower_daemon_json(file, path));
            let mut merged = merge(reported, configured);
            assume_defaults(&mut merged, file, path);
            merged
        }
        None => reported,
    };
    if let Some(socket) = snapshot.get("socket").filter(|n| !n.is_null()) {
        let text = |key: &str| socket.get(key).and_then(Node::as_str).unwrap_or_default().to_string();
        config.socket = Some(shipshape_model::SocketStat {
            path: text("path"),
            mode: socket.get("mode").and_then(Node::int).and_then(|m| u32::try_from(m).ok()).unwrap_or(0o660),
            owner: text("owner"),
            group: text("group"),
            origin: Origin::new(path.clone(), socket.span),
        });
    }
    if let Some(endpoint) = snapshot.get("endpoint").filter(|n| !n.is_null()) {
        let tls = match endpoint.get("tls").and_then(Node::as_str) {
            Some("verify") => ApiTls::Verify,
            Some("no-verify") => ApiTls::NoVerify,
            _ => ApiTls::None,
        };
        let address = endpoint.get("address").and_then(Node::as_str).unwrap_or_default().to_string();
        config.audit_endpoint =
            Some(Setting::new(ApiListener { address, tls }, Origin::new(path.clone(), endpoint.span)));
    }
    Lowered { config, diagnostics }
}

/// Whether a document is a host snapshot (see [`lower_snapshot`]).
pub fn is_snapshot(root: &Node) -> bool {
    ["info", "daemon", "socket", "endpoint"].iter().any(|key| root.get(key).is_some())
        && root.get("ServerVersion").is_none()
}

/// The registry networks dockerd treats as insecure by itself (loopback); not findings.
const BUILTIN_INSECURE: [&str; 2] = ["127.0.0.0/8", "::1/128"];

/// Whether `head` (the start of a JSON file) looks like `docker info` output or `GET /info`:
/// `"ServerVersion"` with `"SecurityOptions"` or `"RegistryConfig"`, and no `"HostConfig"` (which
/// would make it `docker inspect` output).
pub fn looks_like_docker_info(head: &str) -> bool {
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('{')
        && head.contains("\"ServerVersion\"")
        && (head.contains("\"SecurityOptions\"") || head.contains("\"RegistryConfig\""))
        && !head.contains("\"HostConfig\"")
}

/// Combines what the running daemon reports (`reported`: bridge network, `docker info`,
/// `GET /version`, in that order when several) with what its daemon.json says (`configured`):
/// reported values win, the file fills the rest. See the module documentation.
pub fn merge(reported: EngineConfig, configured: EngineConfig) -> EngineConfig {
    reported.or(configured)
}

/// Fills every field that nothing stated, whose daemon.json key `daemon_json` (the file's root
/// object, read from `path`) leaves out, with dockerd's default for it. Each such setting points
/// at the object (see below), which becomes [`EngineConfig::defaults_from`]. A key the file has but that
/// could not be read (a wrong type) stays unknown. Only for callers that know no command-line
/// flag of `dockerd` changes these settings.
///
/// Such settings point at the object's first character (`{`), so a finding on a default shows
/// the file's first line rather than the whole file.
///
/// The defaults: `live-restore: false`, `icc: true`, `userland-proxy: true`,
/// `no-new-privileges: false`, no `userns-remap`, the built-in seccomp profile, `iptables: true`,
/// `experimental: false`, no authorization plugin, `log-driver: json-file`, `log-level: info`,
/// `debug: false`, no default ulimits, no insecure registry beyond loopback, no TCP listener, the
/// default bridge. The storage driver (chosen at start from what the host supports), rootless
/// mode (how dockerd was started) and versions have no default and stay unknown.
pub fn assume_defaults(config: &mut EngineConfig, daemon_json: &Node, path: &Arc<str>) {
    // The object's first character: the frame of a finding on a default stays one line long.
    let whole = daemon_json.source_span();
    let origin =
        Origin::new(path.clone(), Span::new(whole.start, whole.end.min(whole.start.saturating_add(1))));
    let absent = |key: &str| daemon_json.get(key).is_none();
    fn fill<T>(field: &mut Option<Setting<T>>, unset: bool, value: impl FnOnce() -> T, origin: &Origin) {
        if field.is_none() && unset {
            *field = Some(Setting::new(value(), origin.clone()));
        }
    }
    fill(&mut config.live_restore, absent("live-restore"), || false, &origin);
    fill(&mut config.icc, absent("icc"), || true, &origin);
    fill(&mut config.userland_proxy, absent("userland-proxy"), || true, &origin);
    fill(&mut config.no_new_privileges, absent("no-new-privileges"), || false, &origin);
    fill(&mut config.userns_remap, absent("userns-remap"), || false, &origin);
    fill(&mut config.iptables, absent("iptables"), || true, &origin);
    fill(&mut config.experimental, absent("experimental"), || false, &origin);
    fill(&mut config.debug, absent("debug"), || false, &origin);
    fill(&mut config.default_bridge, absent("bridge"), || true, &origin);
    fill(&mut config.logging_driver, absent("log-driver"), || "json-file".to_string(), &origin);
    fill(&mut config.log_level, absent("log-level"), || "info".to_string(), &origin);
    fill(&mut config.seccomp, absent("seccomp-profile"), || SeccompDefault::Builtin, &origin);
    fill(&mut config.authorization_plugins, absent("authorization-plugins"), Vec::new, &origin);
    fill(&mut config.insecure_registries, absent("insecure-registries"), Vec::new, &origin);
    fill(&mut config.api_listeners, absent("hosts"), Vec::new, &origin);
    fill(&mut config.default_ulimits, absent("default-ulimits"), Vec::new, &origin);
    config.defaults_from = Some(origin);
}

/// Reads typed fields of JSON objects, reporting wrong types as `GEN001` at the field.
struct Reader<'p> {
    path: &'p Arc<str>,
    diagnostics: Vec<Finding>,
}

/// The JSON type a node holds, for messages.
fn kind(node: &Node) -> &'static str {
    match &node.value {
        NodeValue::Null => "null",
        NodeValue::Scalar(_) if node.bool_yaml12().is_some() => "a boolean",
        NodeValue::Scalar(_) if node.float().is_some() => "a number",
        NodeValue::Scalar(_) => "a string",
        NodeValue::Sequence(_) => "an array",
        NodeValue::Mapping(_) => "an object",
    }
}

/// The text of a string scalar: quoted, or plain and not a JSON boolean or number (so `1` in an
/// array of strings is a wrong type, while a YAML fixture may still write `overlay2` unquoted).
fn text(node: &Node) -> Option<&str> {
    let scalar = node.as_scalar()?;
    let plain = scalar.style == shipshape_yaml::ScalarStyle::Plain;
    (!plain || (node.bool_yaml12().is_none() && node.float().is_none())).then_some(scalar.text.as_str())
}

impl<'p> Reader<'p> {
    fn new(path: &'p Arc<str>) -> Self {
        Self { path, diagnostics: Vec::new() }
    }

    fn origin(&self, span: Span) -> Origin {
        Origin::new(self.path.clone(), span)
    }

    /// The origin of a whole `key: value` entry.
    fn entry_origin(&self, key: &Node, value: &Node) -> Origin {
        self.origin(key.source_span().cover(value.source_span()))
    }

    fn wrong_type(&mut self, key: &str, value: &Node, expected: &str) {
        let origin = self.origin(value.source_span());
        self.diagnostics.push(Finding::new(
            &PARSE_ERROR,
            &origin,
            format!("`{key}` should be {expected}, found {}", kind(value)),
        ));
    }

    fn into_lowered(self, config: EngineConfig) -> Lowered {
        Lowered { config, diagnostics: self.diagnostics }
    }

    /// The object `node`, or a diagnostic saying what `what` should have been.
    fn root<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Node> {
        if node.as_mapping().is_some() {
            return Some(node);
        }
        let origin = self.origin(node.source_span());
        self.diagnostics.push(Finding::new(
            &PARSE_ERROR,
            &origin,
            format!("expected {what} (a JSON object), found {}", kind(node)),
        ));
        None
    }

    /// `object.key` when it is an object; null and absent are `None`, other types a diagnostic.
    fn object<'n>(&mut self, object: &'n Node, key: &str) -> Option<(&'n Node, &'n Node)> {
        let (k, v) = object.entry(key)?;
        match &v.value {
            NodeValue::Mapping(_) => Some((k, v)),
            NodeValue::Null => None,
            _ => {
                self.wrong_type(key, v, "an object");
                None
            }
        }
    }

    fn bool(&mut self, object: &Node, key: &str) -> Option<Setting<bool>> {
        let (k, v) = object.entry(key)?;
        if v.is_null() {
            return None;
        }
        match v.bool_yaml12() {
            Some(value) => Some(Setting::new(value, self.entry_origin(k, v))),
            None => {
                self.wrong_type(key, v, "true or false");
                None
            }
        }
    }

    /// A string field (empty strings count as unset, as Go's zero value).
    fn string(&mut self, object: &Node, key: &str) -> Option<Setting<String>> {
        let (k, v) = object.entry(key)?;
        if v.is_null() {
            return None;
        }
        match text(v) {
            Some(text) if !text.trim().is_empty() => {
                Some(Setting::new(text.trim().to_string(), self.entry_origin(k, v)))
            }
            Some(_) => None,
            None => {
                self.wrong_type(key, v, "a string");
                None
            }
        }
    }

    /// An array of strings (null is an empty array, as Go prints a nil slice): the entry's origin
    /// and each string with its own. Non-string items are diagnostics and skipped.
    fn strings(&mut self, object: &Node, key: &str) -> Option<(Origin, Vec<(String, Origin)>)> {
        let (k, v) = object.entry(key)?;
        let origin = self.entry_origin(k, v);
        match &v.value {
            NodeValue::Null => Some((origin, Vec::new())),
            NodeValue::Sequence(items) => {
                let mut out = Vec::new();
                for item in items {
                    match text(item) {
                        Some(text) => out.push((text.to_string(), self.origin(item.source_span()))),
                        None => self.wrong_type(key, item, "an array of strings"),
                    }
                }
                Some((origin, out))
            }
            _ => {
                self.wrong_type(key, v, "an array of strings");
                None
            }
        }
    }
}

/// `major.minor` of a Docker version (`20.10.24+dfsg1`, `17.06.0-ce`, `v28.3.0`).
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor: String = parts.next()?.chars().take_while(char::is_ascii_digit).collect();
    Some((major, minor.parse().ok()?))
}

fn version_at_least(config: &EngineConfig, wanted: (u32, u32)) -> bool {
    config.server_version.as_ref().and_then(|v| major_minor(&v.value)).is_some_and(|v| v >= wanted)
}

/// Whether a registry (CIDR, `host[:port]`) is one dockerd treats as insecure anyway: loopback.
fn is_loopback_registry(registry: &str) -> bool {
    let registry = registry.trim();
    if BUILTIN_INSECURE.contains(&registry) {
        return true;
    }
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => registry.split([':', '/']).next().unwrap_or(registry),
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// One `SecurityOptions` entry: `name=seccomp,profile=default` → (`seccomp`, `Some("default")`);
/// the pre-1.13 form `seccomp` → (`seccomp`, `None`).
fn security_option(entry: &str) -> (String, Option<String>) {
    let mut name = None;
    let mut profile = None;
    for field in entry.split(',') {
        match field.split_once('=') {
            Some(("name", value)) => name = Some(value.trim().to_string()),
            Some(("profile", value)) => profile = Some(value.trim().to_string()),
            Some(_) => {}
            None => name = name.or_else(|| Some(field.trim().to_string())),
        }
    }
    (name.unwrap_or_default(), profile)
}

fn seccomp_default(profile: &str) -> SeccompDefault {
    match profile.trim() {
        "" | "default" | "builtin" => SeccompDefault::Builtin,
        "unconfined" => SeccompDefault::Unconfined,
        path => SeccompDefault::Custom(path.to_string()),
    }
}

/// The listener an API warning of `docker info` describes (`WARNING: API is accessible on
/// http://0.0.0.0:2375 without encryption.`; Docker 28 words it `[DEPRECATION NOTICE]: API is
/// accessible on ...`).
fn warned_listener(warning: &str) -> Option<ApiListener> {
    let rest = warning.split_once("API is accessible on ")?.1;
    let (tls, rest) = if let Some(rest) = rest.strip_prefix("http://") {
        (ApiTls::None, rest)
    } else {
        (ApiTls::NoVerify, rest.strip_prefix("https://")?)
    };
    let address = rest.split_whitespace().next()?.trim_end_matches('.');
    Some(ApiListener { address: address.to_string(), tls })
}

/// Lowers `docker info` JSON / `GET /info` read from `path`.
pub fn lower_info(root: &Node, path: &Arc<str>) -> Lowered {
    let mut reader = Reader::new(path);
    let mut config = EngineConfig::default();
    let Some(info) = reader.root(root, "`docker info` output") else {
        return reader.into_lowered(config);
    };
    config.server_version = reader.string(info, "ServerVersion");
    if config.server_version.is_none() {
        // `docker info --format '{{json .}}'` prints a zero-valued server part when it cannot
        // reach the daemon: nothing in it describes a daemon.
        let origin = reader.origin(info.source_span());
        reader.diagnostics.push(Finding::new(
            &PARSE_ERROR,
            &origin,
            "this `docker info` output has no `ServerVersion`: the client could not reach a daemon, so it describes none",
        ));
        return reader.into_lowered(config);
    }
    config.os_type = reader.string(info, "OSType");
    let windows = config.os_type.as_ref().is_some_and(|os| os.value.eq_ignore_ascii_case("windows"));
    if let Some((list_origin, options)) = reader.strings(info, "SecurityOptions")
        && !windows
    {
        lower_security_options(&mut config, &list_origin, &options);
    }
    config.live_restore = reader.bool(info, "LiveRestoreEnabled");
    config.debug = reader.bool(info, "Debug");
    config.experimental = reader.bool(info, "ExperimentalBuild");
    config.logging_driver = reader.string(info, "LoggingDriver");
    config.storage_driver = reader.string(info, "Driver");
    if let Some((_, swarm)) = reader.object(info, "Swarm")
        && let Some(state) = reader.string(swarm, "LocalNodeState")
    {
        let active = match state.value.as_str() {
            "active" | "locked" => Some(true),
            "inactive" => Some(false),
            _ => None,
        };
        config.swarm_active = active.map(|a| Setting::new(a, state.origin));
    }
    if let Some((_, plugins)) = reader.object(info, "Plugins")
        && let Some((origin, names)) = reader.strings(plugins, "Authorization")
    {
        config.authorization_plugins = Some(list(origin, names));
    }
    if let Some((key, registry)) = reader.object(info, "RegistryConfig") {
        config.insecure_registries = Some(lower_registry_config(&mut reader, key, registry));
    }
    if let Some((origin, warnings)) = reader.strings(info, "Warnings") {
        let listeners: Vec<Setting<ApiListener>> = warnings
            .iter()
            .filter_map(|(text, origin)| warned_listener(text).map(|l| Setting::new(l, origin.clone())))
            .collect();
        // Daemons before 19.03 do not warn about unprotected listeners, so only a warning, or a
        // daemon that would have warned, says anything about them.
        if !listeners.is_empty() || version_at_least(&config, (19, 3)) {
            config.api_listeners = Some(Setting::new(listeners, origin));
        }
    }
    if let Some((key, firewall)) = reader.object(info, "FirewallBackend") {
        config.userland_proxy = userland_proxy_from_firewall(&mut reader, &config, key, firewall);
    }
    reader.into_lowered(config)
}

fn list(origin: Origin, items: Vec<(String, Origin)>) -> SettingList<String> {
    Setting::new(items.into_iter().map(|(value, origin)| Setting::new(value, origin)).collect(), origin)
}

fn lower_security_options(config: &mut EngineConfig, list_origin: &Origin, options: &[(String, Origin)]) {
    let parsed: Vec<(String, Option<String>, &Origin)> = options
        .iter()
        .map(|(text, origin)| {
            let (name, profile) = security_option(text);
            (name, profile, origin)
        })
        .collect();
    let find = |name: &str| parsed.iter().find(|(n, _, _)| n == name);
    let flag = |name: &str| match find(name) {
        Some((_, _, origin)) => Setting::new(true, (*origin).clone()),
        None => Setting::new(false, list_origin.clone()),
    };
    config.rootless = Some(flag("rootless"));
    config.userns_remap = Some(flag("userns"));
    // Recent daemons list `name=no-new-privileges` when it is the default; older ones never do,
    // so its absence says nothing.
    if let Some((_, _, origin)) = find("no-new-privileges") {
        config.no_new_privileges = Some(Setting::new(true, (*origin).clone()));
    }
    config.seccomp = match find("seccomp") {
        Some((_, Some(profile), origin)) => Some(Setting::new(seccomp_default(profile), (*origin).clone())),
        // Before Docker 1.13 the entry named no profile.
        Some((_, None, _)) => None,
        None => Some(Setting::new(SeccompDefault::Unsupported, list_origin.clone())),
    };
}

fn lower_registry_config(reader: &mut Reader<'_>, key: &Node, registry: &Node) -> SettingList<String> {
    let mut insecure = Vec::new();
    if let Some((_, cidrs)) = reader.strings(registry, "InsecureRegistryCIDRs") {
        for (cidr, origin) in cidrs {
            if !is_loopback_registry(&cidr) {
                insecure.push(Setting::new(cidr, origin));
            }
        }
    }
    if let Some((_, indexes)) = reader.object(registry, "IndexConfigs") {
        for (name, index) in indexes.as_mapping().unwrap_or_default() {
            let Some(name_text) = name.as_str() else { continue };
            if index.as_mapping().is_none() {
                reader.wrong_type(name_text, index, "an object");
                continue;
            }
            let secure = reader.bool(index, "Secure");
            if secure.is_some_and(|s| !s.value) && !is_loopback_registry(name_text) {
                insecure.push(Setting::new(name_text.to_string(), reader.entry_origin(name, index)));
            }
        }
    }
    Setting::new(insecure, reader.entry_origin(key, registry))
}

/// Docker 29.5 lists `["EnableUserlandProxy", "true"]` in `FirewallBackend.Info` when the proxy
/// is on and nothing when it is off (`Info` is then often omitted); older daemons never list it.
fn userland_proxy_from_firewall(
    reader: &mut Reader<'_>,
    config: &EngineConfig,
    key: &Node,
    firewall: &Node,
) -> Option<Setting<bool>> {
    let pairs = match firewall.get("Info").map(|info| &info.value) {
        Some(NodeValue::Sequence(items)) => items.as_slice(),
        Some(NodeValue::Null) | None => &[],
        Some(_) => {
            let info = firewall.get("Info")?;
            reader.wrong_type("Info", info, "an array of [name, value] pairs");
            return None;
        }
    };
    for pair in pairs {
        let items = pair.as_sequence().unwrap_or_default();
        if items.first().and_then(Node::as_str) == Some("EnableUserlandProxy") {
            let on = items.get(1).and_then(Node::as_str).is_some_and(|v| v.eq_ignore_ascii_case("true"));
            return Some(Setting::new(on, reader.origin(pair.source_span())));
        }
    }
    version_at_least(config, (29, 5)).then(|| Setting::new(false, reader.entry_origin(key, firewall)))
}

/// Lowers `GET /version` (or `docker version --format '{{json .}}'`, whose `Server` part is read).
pub fn lower_version(root: &Node, path: &Arc<str>) -> Lowered {
    let mut reader = Reader::new(path);
    let mut config = EngineConfig::default();
    let Some(mut version) = reader.root(root, "`GET /version` output") else {
        return reader.into_lowered(config);
    };
    if let Some((_, server)) = reader.object(version, "Server") {
        version = server;
    }
    config.server_version = reader.string(version, "Version");
    config.api_version = reader.string(version, "ApiVersion");
    config.os_type = reader.string(version, "Os");
    // The engine component's details say `"Experimental": "true"|"false"`; the top-level flag is
    // omitted when false.
    let engine = version
        .get("Components")
        .and_then(Node::as_sequence)
        .unwrap_or_default()
        .iter()
        .find(|c| c.get("Name").and_then(Node::as_str).is_some_and(|n| n.eq_ignore_ascii_case("engine")));
    if let Some((k, v)) = engine.and_then(|e| e.get("Details")).and_then(|d| d.entry("Experimental"))
        && let Some(text) = v.as_str()
    {
        match text.trim() {
            "true" => config.experimental = Some(Setting::new(true, reader.entry_origin(k, v))),
            "false" => config.experimental = Some(Setting::new(false, reader.entry_origin(k, v))),
            _ => reader.wrong_type("Experimental", v, "\"true\" or \"false\""),
        }
    }
    if config.experimental.is_none() {
        config.experimental = reader.bool(version, "Experimental");
    }
    reader.into_lowered(config)
}

/// Lowers `GET /networks/bridge` (or one object of `docker network inspect bridge`; an array of
/// one is accepted). Only the default bridge says anything about the daemon: inter-container
/// communication (`com.docker.network.bridge.enable_icc`).
pub fn lower_bridge_network(root: &Node, path: &Arc<str>) -> Lowered {
    let mut reader = Reader::new(path);
    let mut config = EngineConfig::default();
    let node = match root.as_sequence() {
        Some([single]) => single,
        _ => root,
    };
    let Some(network) = reader.root(node, "a network object") else {
        return reader.into_lowered(config);
    };
    let options = reader.object(network, "Options").map(|(_, o)| o);
    let default_bridge = options
        .and_then(|o| o.get("com.docker.network.bridge.default_bridge"))
        .and_then(Node::as_str)
        .is_some_and(|v| v == "true");
    let named_bridge = network.get("Name").and_then(Node::as_str) == Some("bridge");
    if !default_bridge && !named_bridge {
        return reader.into_lowered(config);
    }
    config.default_bridge = Some(Setting::new(true, reader.origin(network.source_span())));
    if let Some(options) = options
        && let Some((k, v)) = options.entry("com.docker.network.bridge.enable_icc")
    {
        // Network options are strings (`"true"`); a YAML fixture may write a boolean.
        let value = v.as_str().map(str::trim).and_then(|t| match t {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        });
        match value {
            Some(on) => config.icc = Some(Setting::new(on, reader.entry_origin(k, v))),
            None => reader.wrong_type("com.docker.network.bridge.enable_icc", v, "\"true\" or \"false\""),
        }
    }
    reader.into_lowered(config)
}

/// Lowers `/etc/docker/daemon.json` read from `path`: only what the file states (see
/// [`assume_defaults`] for the keys it leaves out).
pub fn lower_daemon_json(root: &Node, path: &Arc<str>) -> Lowered {
    let mut reader = Reader::new(path);
    let mut config = EngineConfig::default();
    let Some(daemon) = reader.root(root, "a daemon.json configuration") else {
        return reader.into_lowered(config);
    };
    if let Some(remap) = reader.string(daemon, "userns-remap") {
        config.userns_remap = Some(Setting::new(true, remap.origin));
    } else if let Some((k, v)) = daemon.entry("userns-remap")
        && v.as_str().is_some_and(|t| t.trim().is_empty())
    {
        config.userns_remap = Some(Setting::new(false, reader.entry_origin(k, v)));
    }
    if let Some((k, v)) = daemon.entry("seccomp-profile")
        && let Some(text) = text(v)
    {
        config.seccomp = Some(Setting::new(seccomp_default(text), reader.entry_origin(k, v)));
    } else if let Some((_, v)) = daemon.entry("seccomp-profile")
        && !v.is_null()
    {
        reader.wrong_type("seccomp-profile", v, "a string");
    }
    config.live_restore = reader.bool(daemon, "live-restore");
    config.icc = reader.bool(daemon, "icc");
    config.userland_proxy = reader.bool(daemon, "userland-proxy");
    config.no_new_privileges = reader.bool(daemon, "no-new-privileges");
    config.iptables = reader.bool(daemon, "iptables");
    config.experimental = reader.bool(daemon, "experimental");
    config.debug = reader.bool(daemon, "debug");
    config.logging_driver = reader.string(daemon, "log-driver");
    config.log_level = reader.string(daemon, "log-level").map(|mut level| {
        level.value.make_ascii_lowercase();
        level
    });
    config.storage_driver = reader.string(daemon, "storage-driver");
    if let Some(bridge) = reader.string(daemon, "bridge")
        && bridge.value == "none"
    {
        config.default_bridge = Some(Setting::new(false, bridge.origin));
    }
    if let Some((origin, registries)) = reader.strings(daemon, "insecure-registries") {
        let insecure = registries.into_iter().filter(|(r, _)| !is_loopback_registry(r)).collect();
        config.insecure_registries = Some(list(origin, insecure));
    }
    if let Some((origin, plugins)) = reader.strings(daemon, "authorization-plugins") {
        config.authorization_plugins = Some(list(origin, plugins));
    }
    let tls = reader.bool(daemon, "tls").is_some_and(|t| t.value);
    let verify = reader.bool(daemon, "tlsverify").is_some_and(|t| t.value);
    let mode = match (verify, tls) {
        (true, _) => ApiTls::Verify,
        (false, true) => ApiTls::NoVerify,
        (false, false) => ApiTls::None,
    };
    if let Some((origin, hosts)) = reader.strings(daemon, "hosts") {
        let listeners = hosts
            .into_iter()
            .filter_map(|(host, origin)| tcp_address(&host, mode).map(|address| (address, origin)))
            .map(|(address, origin)| Setting::new(ApiListener { address, tls: mode }, origin))
            .collect();
        config.api_listeners = Some(Setting::new(listeners, origin));
    }
    if let Some((key, ulimits)) = reader.object(daemon, "default-ulimits") {
        config.default_ulimits = Some(lower_ulimits(&mut reader, key, ulimits));
    }
    reader.into_lowered(config)
}

/// The `host:port` a `hosts` entry makes dockerd listen on over TCP, as dockerd parses it
/// (`tcp://h:p`, or `h:p` without a scheme; an empty host or port takes the default
/// `localhost:2375`, `localhost:2376` with TLS); `None` for unix, fd and npipe sockets.
fn tcp_address(host: &str, tls: ApiTls) -> Option<String> {
    let host = host.trim();
    let rest = match host.split_once("://") {
        Some(("tcp", rest)) => rest,
        Some(_) => return None,
        None if host.is_empty() => return None,
        None => host,
    };
    let default_port = if tls == ApiTls::None { "2375" } else { "2376" };
    let rest = rest.split('/').next().unwrap_or(rest);
    let (name, port) = match rest.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') || name.starts_with('[') => (name, port),
        _ => (rest, ""),
    };
    let name = if name.is_empty() { "localhost" } else { name };
    let port = if port.is_empty() { default_port } else { port };
    Some(format!("{name}:{port}"))
}

fn lower_ulimits(reader: &mut Reader<'_>, key: &Node, ulimits: &Node) -> SettingList<Ulimit> {
    let mut out = Vec::new();
    for (name, limit) in ulimits.as_mapping().unwrap_or_default() {
        let Some(name_text) = name.as_str() else { continue };
        if limit.as_mapping().is_none() {
            reader.wrong_type(name_text, limit, "an object with `Name`, `Soft` and `Hard`");
            continue;
        }
        let mut number = |field: &str| {
            let (_, v) = limit.entry(field)?;
            let value = v.int();
            if value.is_none() && !v.is_null() {
                reader.wrong_type(field, v, "an integer");
            }
            value
        };
        let soft = number("Soft");
        let hard = number("Hard");
        out.push(Setting::new(
            Ulimit { name: name_text.to_string(), soft, hard },
            reader.entry_origin(name, limit),
        ));
    }
    Setting::new(out, reader.entry_origin(key, ulimits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        let stream = shipshape_yaml::parse(text, &shipshape_yaml::Limits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        stream.documents.into_iter().next().map(|d| d.root).expect("a document")
    }

    fn path() -> Arc<str> {
        Arc::from("daemon.json")
    }

    fn slice<'t>(text: &'t str, origin: &Origin) -> &'t str {
        origin.span.slice(text)
    }

    #[test]
    fn sniffs_docker_info_but_not_inspect() {
        assert!(looks_like_docker_info(
            "{\"ID\": \"x\", \"ServerVersion\": \"20.10\", \"SecurityOptions\": []}"
        ));
        assert!(looks_like_docker_info("\u{feff} {\"ServerVersion\": \"1\", \"RegistryConfig\": {}}"));
        assert!(!looks_like_docker_info("{\"ServerVersion\": \"1\"}"));
        assert!(!looks_like_docker_info(
            "[{\"ServerVersion\": \"1\", \"SecurityOptions\": [], \"HostConfig\": {}}]"
        ));
        assert!(!looks_like_docker_info(
            "{\"ServerVersion\": \"1\", \"SecurityOptions\": [], \"HostConfig\": {}}"
        ));
    }

    #[test]
    fn security_options_are_parsed() {
        assert_eq!(
            security_option("name=seccomp,profile=default"),
            ("seccomp".into(), Some("default".into()))
        );
        assert_eq!(security_option("name=rootless"), ("rootless".into(), None));
        assert_eq!(security_option("apparmor"), ("apparmor".into(), None));
        assert_eq!(seccomp_default("builtin"), SeccompDefault::Builtin);
        assert_eq!(
            seccomp_default("/etc/docker/seccomp.json"),
            SeccompDefault::Custom("/etc/docker/seccomp.json".into())
        );
    }

    #[test]
    fn versions_and_warnings() {
        assert_eq!(major_minor("20.10.24+dfsg1"), Some((20, 10)));
        assert_eq!(major_minor("17.06.0-ce"), Some((17, 6)));
        assert_eq!(major_minor("v29.5.1"), Some((29, 5)));
        assert_eq!(major_minor("dev"), None);
        let plain = warned_listener(
            "WARNING: API is accessible on http://0.0.0.0:2375 without encryption.\n  Access",
        );
        assert_eq!(plain, Some(ApiListener { address: "0.0.0.0:2375".into(), tls: ApiTls::None }));
        let notice = "[DEPRECATION NOTICE]: API is accessible on https://10.0.0.5:2376 without TLS client verification.";
        assert_eq!(warned_listener(notice).map(|l| l.tls), Some(ApiTls::NoVerify));
        assert_eq!(warned_listener("WARNING: No swap limit support"), None);
    }

    #[test]
    fn tcp_hosts_are_parsed_as_dockerd_does() {
        assert_eq!(tcp_address("tcp://0.0.0.0:2375", ApiTls::None).as_deref(), Some("0.0.0.0:2375"));
        assert_eq!(tcp_address("tcp://", ApiTls::None).as_deref(), Some("localhost:2375"));
        assert_eq!(tcp_address("tcp://:2376", ApiTls::Verify).as_deref(), Some("localhost:2376"));
        assert_eq!(tcp_address("tcp://10.1.2.3", ApiTls::Verify).as_deref(), Some("10.1.2.3:2376"));
        assert_eq!(tcp_address("192.168.1.5:2375", ApiTls::None).as_deref(), Some("192.168.1.5:2375"));
        assert_eq!(tcp_address("tcp://[::]:2375", ApiTls::None).as_deref(), Some("[::]:2375"));
        assert_eq!(tcp_address("unix:///var/run/docker.sock", ApiTls::None), None);
        assert_eq!(tcp_address("fd://", ApiTls::None), None);
        assert_eq!(tcp_address("", ApiTls::None), None);
    }

    #[test]
    fn loopback_registries_are_builtin() {
        for yes in ["127.0.0.0/8", "::1/128", "localhost:5000", "127.0.0.1:5000", "[::1]:5000"] {
            assert!(is_loopback_registry(yes), "{yes}");
        }
        for no in ["10.0.0.0/8", "registry.example:5000", "[fd00::1]:5000"] {
            assert!(!is_loopback_registry(no), "{no}");
        }
    }

    #[test]
    fn daemon_json_values_point_at_their_entries() {
        let text = r#"{
  "icc": true,
  "live-restore": false,
  "userns-remap": "default",
  "seccomp-profile": "unconfined",
  "insecure-registries": ["127.0.0.0/8", "10.0.0.0/8", "registry.local:5000"],
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"],
  "tls": true,
  "log-level": "DEBUG",
  "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 1024}},
  "bridge": "none"
}"#;
        let lowered = lower_daemon_json(&parse(text), &path());
        assert!(lowered.diagnostics.is_empty(), "{:?}", lowered.diagnostics);
        let c = lowered.config;
        let icc = c.icc.as_ref().expect("icc");
        assert_eq!((icc.value, slice(text, &icc.origin)), (true, "\"icc\": true"));
        assert_eq!(c.live_restore.as_ref().map(|s| s.value), Some(false));
        assert_eq!(c.userns_remap.as_ref().map(|s| s.value), Some(true));
        assert_eq!(c.seccomp.as_ref().map(|s| s.value.clone()), Some(SeccompDefault::Unconfined));
        let registries: Vec<&str> = c
            .insecure_registries
            .as_ref()
            .expect("registries")
            .value
            .iter()
            .map(|r| r.value.as_str())
            .collect();
        assert_eq!(registries, ["10.0.0.0/8", "registry.local:5000"]);
        let listeners = &c.api_listeners.as_ref().expect("hosts").value;
        assert_eq!(listeners.len(), 1);
        assert_eq!(listeners[0].value, ApiListener { address: "0.0.0.0:2375".into(), tls: ApiTls::NoVerify });
        assert_eq!(slice(text, &listeners[0].origin), "\"tcp://0.0.0.0:2375\"");
        assert_eq!(c.log_level.as_ref().map(|s| s.value.as_str()), Some("debug"));
        let ulimits = &c.default_ulimits.as_ref().expect("ulimits").value;
        assert_eq!(ulimits[0].value, Ulimit { name: "nofile".into(), soft: Some(1024), hard: Some(64000) });
        assert_eq!(c.default_bridge.as_ref().map(|s| s.value), Some(false));
        assert!(c.iptables.is_none() && c.userland_proxy.is_none() && c.server_version.is_none());
    }

    #[test]
    fn wrong_types_are_diagnostics_at_the_field() {
        let text = r#"{"icc": "false", "hosts": "tcp://0.0.0.0:2375", "insecure-registries": [1, "10.0.0.0/8"],
 "default-ulimits": {"nofile": {"Soft": "many"}}, "live-restore": true}"#;
        let lowered = lower_daemon_json(&parse(text), &path());
        let messages: Vec<(&str, &str)> =
            lowered.diagnostics.iter().map(|d| (d.message.as_str(), d.location.span.slice(text))).collect();
        assert_eq!(
            messages,
            [
                ("`icc` should be true or false, found a string", "\"false\""),
                ("`insecure-registries` should be an array of strings, found a number", "1"),
                ("`hosts` should be an array of strings, found a string", "\"tcp://0.0.0.0:2375\""),
                ("`Soft` should be an integer, found a string", "\"many\""),
            ]
        );
        assert!(lowered.diagnostics.iter().all(|d| d.rule.code == "GEN001"));
        let c = lowered.config;
        assert!(c.icc.is_none() && c.api_listeners.is_none());
        assert_eq!(c.live_restore.map(|s| s.value), Some(true));
        assert_eq!(c.insecure_registries.map(|r| r.value.len()), Some(1));

        let not_an_object = lower_daemon_json(&parse("[1, 2]"), &path());
        assert_eq!(not_an_object.diagnostics.len(), 1);
        assert_eq!(not_an_object.config, EngineConfig::default());
    }

    #[test]
    fn info_without_a_server_describes_nothing() {
        let text = r#"{"ID": "", "ServerVersion": "", "SecurityOptions": null, "LiveRestoreEnabled": false}"#;
        let lowered = lower_info(&parse(text), &path());
        assert_eq!(lowered.diagnostics.len(), 1);
        assert_eq!(lowered.config, EngineConfig::default());
    }

    #[test]
    fn info_security_options_and_registries() {
        let text = r#"{"ServerVersion": "27.3.1", "OSType": "linux",
 "SecurityOptions": ["name=apparmor", "name=seccomp,profile=unconfined", "name=rootless", "name=cgroupns"],
 "RegistryConfig": {"InsecureRegistryCIDRs": ["::1/128", "127.0.0.0/8", "192.168.0.0/16"],
   "IndexConfigs": {"docker.io": {"Name": "docker.io", "Secure": true},
                    "registry.lan:5000": {"Name": "registry.lan:5000", "Secure": false},
                    "localhost:5000": {"Name": "localhost:5000", "Secure": false}}},
 "Plugins": {"Authorization": ["opa-docker-authz"]},
 "Swarm": {"LocalNodeState": "active"},
 "Warnings": null}"#;
        let lowered = lower_info(&parse(text), &path());
        assert!(lowered.diagnostics.is_empty(), "{:?}", lowered.diagnostics);
        let c = lowered.config;
        assert_eq!(c.rootless.as_ref().map(|s| s.value), Some(true));
        assert_eq!(c.userns_remap.as_ref().map(|s| s.value), Some(false));
        assert_eq!(c.seccomp.as_ref().map(|s| s.value.clone()), Some(SeccompDefault::Unconfined));
        assert_eq!(
            slice(text, &c.seccomp.as_ref().expect("seccomp").origin),
            "\"name=seccomp,profile=unconfined\""
        );
        assert!(c.no_new_privileges.is_none(), "absence of name=no-new-privileges says nothing");
        let registries: Vec<&str> = c
            .insecure_registries
            .as_ref()
            .expect("registries")
            .value
            .iter()
            .map(|r| r.value.as_str())
            .collect();
        assert_eq!(registries, ["192.168.0.0/16", "registry.lan:5000"]);
        assert_eq!(c.authorization_plugins.map(|p| p.value.len()), Some(1));
        assert_eq!(c.swarm_active.map(|s| s.value), Some(true));
        assert_eq!(c.api_listeners.map(|l| l.value.len()), Some(0), "27.3 would have warned");
    }

    #[test]
    fn seccomp_missing_from_security_options_is_unsupported_except_on_windows() {
        let linux = lower_info(&parse(r#"{"ServerVersion": "20.10.5", "SecurityOptions": null}"#), &path());
        assert_eq!(linux.config.seccomp.map(|s| s.value), Some(SeccompDefault::Unsupported));
        let windows = lower_info(
            &parse(r#"{"ServerVersion": "20.10.5", "OSType": "windows", "SecurityOptions": null}"#),
            &path(),
        );
        assert!(windows.config.seccomp.is_none() && windows.config.rootless.is_none());
        let legacy =
            lower_info(&parse(r#"{"ServerVersion": "1.12.6", "SecurityOptions": ["seccomp"]}"#), &path());
        assert!(legacy.config.seccomp.is_none());
    }

    #[test]
    fn firewall_backend_reports_the_userland_proxy_from_29_5() {
        let on = r#"{"ServerVersion": "29.5.0", "FirewallBackend": {"Driver": "iptables", "Info": [["EnableUserlandProxy", "true"], ["UserlandProxyPath", "/usr/bin/docker-proxy"]]}}"#;
        assert_eq!(lower_info(&parse(on), &path()).config.userland_proxy.map(|s| s.value), Some(true));
        let off = r#"{"ServerVersion": "29.5.0", "FirewallBackend": {"Driver": "nftables", "Info": null}}"#;
        assert_eq!(lower_info(&parse(off), &path()).config.userland_proxy.map(|s| s.value), Some(false));
        let omitted = r#"{"ServerVersion": "29.6.1", "FirewallBackend": {"Driver": "iptables"}}"#;
        assert_eq!(lower_info(&parse(omitted), &path()).config.userland_proxy.map(|s| s.value), Some(false));
        let older = r#"{"ServerVersion": "28.3.0", "FirewallBackend": {"Driver": "iptables"}}"#;
        assert!(lower_info(&parse(older), &path()).config.userland_proxy.is_none());
    }

    #[test]
    fn bridge_network_icc() {
        let text = r#"{"Name": "bridge", "Driver": "bridge", "Options": {"com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.enable_icc": "false"}}"#;
        let c = lower_bridge_network(&parse(text), &path()).config;
        assert_eq!(c.icc.map(|s| s.value), Some(false));
        let other = r#"{"Name": "backend", "Driver": "bridge", "Options": {"com.docker.network.bridge.enable_icc": "true"}}"#;
        assert!(lower_bridge_network(&parse(other), &path()).config.icc.is_none());
    }

    #[test]
    fn defaults_fill_only_unknown_fields() {
        let text = r#"{"icc": false}"#;
        let root = parse(text);
        let mut config = lower_daemon_json(&root, &path()).config;
        assume_defaults(&mut config, &root, &path());
        let icc = config.icc.as_ref().expect("icc");
        assert!(!icc.value && !config.is_default(icc));
        let proxy = config.userland_proxy.as_ref().expect("userland-proxy");
        assert!(proxy.value && config.is_default(proxy));
        assert_eq!(config.seccomp.as_ref().map(|s| s.value.clone()), Some(SeccompDefault::Builtin));
        assert!(config.storage_driver.is_none() && config.rootless.is_none());

        // A key that is there but unreadable is unknown, not defaulted.
        let root = parse(r#"{"icc": "no"}"#);
        let mut config = lower_daemon_json(&root, &path()).config;
        assume_defaults(&mut config, &root, &path());
        assert!(config.icc.is_none());
    }

    #[test]
    fn version_output() {
        let text = r#"{"Components": [{"Name": "Engine", "Version": "25.0.3", "Details": {"ApiVersion": "1.44", "Experimental": "true"}}],
 "Version": "25.0.3", "ApiVersion": "1.44", "Os": "linux"}"#;
        let c = lower_version(&parse(text), &path()).config;
        assert_eq!(c.api_version.map(|s| s.value).as_deref(), Some("1.44"));
        assert_eq!(c.experimental.map(|s| s.value), Some(true));
        let cli =
            r#"{"Client": {"Version": "28.2.2"}, "Server": {"Version": "20.10.24", "ApiVersion": "1.41"}}"#;
        let c = lower_version(&parse(cli), &path()).config;
        assert_eq!(c.server_version.map(|s| s.value).as_deref(), Some("20.10.24"));
        assert!(c.experimental.is_none());
    }

    #[test]
    fn merge_prefers_the_daemons_report() {
        let info =
            lower_info(&parse(r#"{"ServerVersion": "24.0.7", "LiveRestoreEnabled": false}"#), &path()).config;
        let daemon = lower_daemon_json(&parse(r#"{"live-restore": true, "icc": false}"#), &path()).config;
        let merged = merge(info, daemon);
        assert_eq!(merged.live_restore.map(|s| s.value), Some(false));
        assert_eq!(merged.icc.map(|s| s.value), Some(false));
    }
}
