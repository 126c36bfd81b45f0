//! Where the daemon is: `DOCKER_HOST`, TLS settings and Docker contexts, as the `docker` CLI
//! resolves them.

use crate::EngineError;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// The default daemon socket.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Client certificate material for a TLS endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// CA bundle that signed the daemon's certificate (`ca.pem`); `None`: the system has none to
    /// offer here, so verification is impossible.
    pub ca: Option<PathBuf>,
    /// Client certificate (`cert.pem`) and key (`key.pem`), when the daemon requires them.
    pub client: Option<(PathBuf, PathBuf)>,
    /// Verify the daemon's certificate (`DOCKER_TLS_VERIFY`); without it the connection is still
    /// encrypted but the daemon is not authenticated.
    pub verify: bool,
}

/// A daemon address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `unix:///var/run/docker.sock`.
    Unix(PathBuf),
    /// `tcp://host:port`, optionally with TLS.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// TLS settings; `None` is plain HTTP.
        tls: Option<TlsFiles>,
    },
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp { host, port, tls } => {
                write!(f, "tcp://{host}:{port}{}", if tls.is_some() { " (TLS)" } else { "" })
            }
        }
    }
}

/// The environment the endpoint is resolved from (a seam for tests).
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `DOCKER_HOST`.
    pub docker_host: Option<String>,
    /// `DOCKER_TLS_VERIFY` (any non-empty value).
    pub tls_verify: bool,
    /// `DOCKER_CERT_PATH`.
    pub cert_path: Option<PathBuf>,
    /// `DOCKER_CONTEXT`.
    pub context: Option<String>,
    /// `DOCKER_CONFIG`, else `~/.docker`.
    pub config_dir: Option<PathBuf>,
}

impl Environment {
    /// The process environment.
    pub fn from_process() -> Environment {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let config_dir = var("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| Path::new(&home).join(".docker")));
        Environment {
            docker_host: var("DOCKER_HOST"),
            tls_verify: var("DOCKER_TLS_VERIFY").is_some(),
            cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            context: var("DOCKER_CONTEXT"),
            config_dir,
        }
    }
}

impl Endpoint {
    /// The endpoint the `docker` CLI would use in this process's environment.
    pub fn from_environment() -> Result<Endpoint, EngineError> {
        Self::resolve(&Environment::from_process())
    }

    /// Resolves an endpoint: `DOCKER_HOST` wins, then `DOCKER_CONTEXT`, then the config file's
    /// `currentContext`, then the default socket.
    pub fn resolve(env: &Environment) -> Result<Endpoint, EngineError> {
        if let Some(host) = &env.docker_host {
            let tls = (env.tls_verify || env.cert_path.is_some()).then(|| {
                let dir = env
                    .cert_path
                    .clone()
                    .or_else(|| env.config_dir.clone())
                    .unwrap_or_else(|| PathBuf::from(".docker"));
                tls_files_in(&dir, env.tls_verify)
            });
            return Self::parse(host, tls);
        }
        let context = env.context.clone().or_else(|| current_context(env.config_dir.as_deref()));
        match context.as_deref() {
            None | Some("default") => Ok(Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET))),
            Some(name) => context_endpoint(env.config_dir.as_deref(), name),
        }
    }

    /// `unix:///path`, `tcp://host:port` (or `host:port`), with `tls` for TCP.
    pub fn parse(text: &str, tls: Option<TlsFiles>) -> Result<Endpoint, EngineError> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("unix://") {
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        if text.starts_with("npipe://") || text.starts_with("ssh://") || text.starts_with("fd://") {
            return Err(EngineError::Config(format!(
                "DOCKER_HOST `{text}`: shipshape talks to the daemon over unix sockets and TCP; use `unix://` or `tcp://`"
            )));
        }
        let address = text.strip_prefix("tcp://").or_else(|| text.strip_prefix("http://")).unwrap_or(text);
        let address = address.trim_end_matches('/');
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => {
                let port = port.parse::<u16>().map_err(|_| {
                    EngineError::Config(format!("DOCKER_HOST `{text}`: `{port}` is not a port"))
                })?;
                (host.trim_start_matches('[').trim_end_matches(']').to_string(), port)
            }
            None => (address.to_string(), if tls.is_some() { 2376 } else { 2375 }),
        };
        if host.is_empty() {
            return Err(EngineError::Config(format!("DOCKER_HOST `{text}` names no host")));
        }
        Ok(Endpoint::Tcp { host, port, tls })
    }

    /// Whether the endpoint is TCP without TLS: anyone who can reach the port controls the host.
    pub fn is_plain_tcp(&self) -> bool {
        matches!(self, Endpoint::Tcp { tls: None, .. })
    }
}

fn tls_files_in(dir: &Path, verify: bool) -> TlsFiles {
    let file = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
    let client = file("cert.pem").zip(file("key.pem"));
    TlsFiles { ca: file("ca.pem"), client, verify }
}

fn current_context(config_dir: Option<&Path>) -> Option<String> {
    let text = std::fs::read(config_dir?.join("config.json")).ok()?;
    let config: serde_json::Value = serde_json::from_slice(&text).ok()?;
    config.get("currentContext")?.as_str().filter(|c| !c.is_empty()).map(str::to_string)
}

/// A named context's endpoint: `contexts/meta/<sha256(name)>/meta.json` and its TLS files.
fn context_endpoint(config_dir: Option<&Path>, name: &str) -> Result<Endpoint, EngineError> {
    let config_dir = config_dir
        .ok_or_else(|| EngineError::Config(format!("context `{name}`: no Docker config directory")))?;
    let digest = Sha256::digest(name.as_bytes());
    let id: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let meta_path = config_dir.join("contexts/meta").join(&id).join("meta.json");
    let text = std::fs::read(&meta_path).map_err(|e| {
        EngineError::Config(format!("context `{name}`: cannot read {}: {e}", meta_path.display()))
    })?;
    let meta: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| EngineError::Config(format!("context `{name}`: {}: {e}", meta_path.display())))?;
    let docker = meta.pointer("/Endpoints/docker").ok_or_else(|| {
        EngineError::Config(format!("context `{name}` has no docker endpoint ({})", meta_path.display()))
    })?;
    let host = docker.get("Host").and_then(|h| h.as_str()).unwrap_or("unix:///var/run/docker.sock");
    let tls_dir = config_dir.join("contexts/tls").join(&id).join("docker");
    let skip_verify = docker.get("SkipTLSVerify").and_then(|v| v.as_bool()).unwrap_or(false);
    let tls = tls_dir.is_dir().then(|| tls_files_in(&tls_dir, !skip_verify));
    Endpoint::parse(host, tls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_forms() {
        let env = |host: &str| Environment { docker_host: Some(host.into()), ..Environment::default() };
        assert_eq!(
            Endpoint::resolve(&env("unix:///run/user/1000/docker.sock")).ok(),
            Some(Endpoint::Unix("/run/user/1000/docker.sock".into()))
        );
        assert_eq!(
            Endpoint::resolve(&env("tcp://127.0.0.1:2375")).ok(),
            Some(Endpoint::Tcp { host: "127.0.0.1".into(), port: 2375, tls: None })
        );
        assert!(Endpoint::resolve(&env("tcp://127.0.0.1:2375")).is_ok_and(|e| e.is_plain_tcp()));
        assert!(Endpoint::resolve(&env("npipe:////./pipe/docker_engine")).is_err());
        assert!(Endpoint::resolve(&env("tcp://host:port")).is_err());
        assert_eq!(
            Endpoint::resolve(&Environment::default()).ok(),
            Some(Endpoint::Unix(DEFAULT_SOCKET.into()))
        );
    }

    #[test]
    fn tls_from_cert_path_and_contexts() {
        let dir = tempfile::tempdir().expect("dir");
        for name in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(dir.path().join(name), "x").expect("write");
        }
        let env = Environment {
            docker_host: Some("tcp://docker.example:2376".into()),
            tls_verify: true,
            cert_path: Some(dir.path().to_path_buf()),
            ..Environment::default()
        };
        let Ok(Endpoint::Tcp { tls: Some(tls), port: 2376, .. }) = Endpoint::resolve(&env) else {
            panic!("tls endpoint")
        };
        assert!(tls.verify && tls.ca.is_some() && tls.client.is_some());

        // A context named `remote`: meta under sha256("remote"), TLS files beside it.
        let config = tempfile::tempdir().expect("dir");
        std::fs::write(config.path().join("config.json"), r#"{"currentContext": "remote"}"#).expect("write");
        let id = "27ad7b2bc9c26d28f8dc5bfdd3ad9d9cc0bbdfe33e3e9d22ee30cbd2fa4c3e6d";
        let computed: String = Sha256::digest(b"remote").iter().map(|b| format!("{b:02x}")).collect();
        let id = if computed == id { id.to_string() } else { computed };
        let meta = config.path().join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).expect("mkdir");
        std::fs::write(meta.join("meta.json"), r#"{"Name":"remote","Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2376","SkipTLSVerify":false}}}"#).expect("write");
        let tls_dir = config.path().join("contexts/tls").join(&id).join("docker");
        std::fs::create_dir_all(&tls_dir).expect("mkdir");
        std::fs::write(tls_dir.join("ca.pem"), "x").expect("write");
        let env = Environment { config_dir: Some(config.path().to_path_buf()), ..Environment::default() };
        let Ok(Endpoint::Tcp { host, port, tls: Some(tls) }) = Endpoint::resolve(&env) else {
            panic!("context endpoint")
        };
        assert_eq!((host.as_str(), port, tls.verify), ("10.0.0.5", 2376, true));
        let missing = Environment { context: Some("nope".into()), ..env };
        assert!(Endpoint::resolve(&missing).is_err_and(|e| e.to_string().contains("context `nope`")));
    }
}
