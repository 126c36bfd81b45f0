//! A small, dependable Docker Engine API client for auditing a live host.
//!
//! - [`Endpoint::from_environment`] finds the daemon the way the `docker` CLI does: `DOCKER_HOST`
//!   (`unix://`, `tcp://`), `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`, `DOCKER_CONTEXT` or the current
//!   context of `~/.docker/config.json`, else `/var/run/docker.sock`.
//! - [`Client::connect`] pings the daemon and negotiates the API version (the daemon's, capped at
//!   the newest this client knows; a daemon older than [`MIN_API_VERSION`] is refused with a plain
//!   answer).
//! - A [`Connection`] is one keep-alive HTTP/1.1 connection (unix socket, TCP, or TCP with TLS
//!   through rustls); bodies are bounded ([`MAX_BODY`]); chunked and length-delimited responses are
//!   both read. [`Connection::stream_lines`] follows a streaming endpoint (`/events`) line by line;
//!   [`Connection::stream_body`] reads a body too large to hold ([`Client::save_image`], a
//!   `docker save` tar).
//!
//! Errors say what to do: a missing socket, a permission problem (which group), a TLS failure, an
//! API too old.

#![warn(missing_docs)]

mod endpoint;
mod http;

pub use endpoint::{DEFAULT_SOCKET, Endpoint, Environment, TlsFiles};
pub use http::{BodyReader, Connection, LineStream, Response};

use std::path::PathBuf;

/// The oldest Engine API version the audit understands (Docker 1.12).
pub const MIN_API_VERSION: (u32, u32) = (1, 24);
/// The newest Engine API version this client asks for.
pub const MAX_API_VERSION: (u32, u32) = (1, 47);
/// The largest response body read into memory.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Something that stopped a conversation with the daemon.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The unix socket does not exist.
    #[error(
        "cannot connect to the Docker daemon: {} does not exist. Is the daemon running? Start it (`sudo systemctl start docker`) or point DOCKER_HOST at it",
        path.display()
    )]
    SocketMissing {
        /// The socket path.
        path: PathBuf,
    },
    /// The socket exists but this user may not open it.
    #[error(
        "permission denied on {}: add your user to the socket's group (`sudo usermod -aG docker $USER`, then log in again), or run shipshape with sudo",
        path.display()
    )]
    PermissionDenied {
        /// The socket path.
        path: PathBuf,
    },
    /// Connecting failed for another reason.
    #[error("cannot connect to the Docker daemon at {endpoint}: {source}")]
    Connect {
        /// The endpoint, as written in DOCKER_HOST.
        endpoint: String,
        /// Why.
        source: std::io::Error,
    },
    /// TLS could not be set up or the handshake failed.
    #[error("TLS with the Docker daemon at {endpoint} failed: {message}")]
    Tls {
        /// The endpoint.
        endpoint: String,
        /// What went wrong (certificate files, verification, handshake).
        message: String,
    },
    /// The daemon speaks an API older than [`MIN_API_VERSION`].
    #[error(
        "the Docker daemon speaks Engine API {server}, older than {}.{} (Docker 1.12) which shipshape needs; upgrade the daemon",
        MIN_API_VERSION.0,
        MIN_API_VERSION.1
    )]
    ApiTooOld {
        /// The daemon's API version.
        server: String,
    },
    /// An error status from the daemon.
    #[error("the Docker daemon answered {status} to {path}: {message}")]
    Status {
        /// The request path.
        path: String,
        /// HTTP status.
        status: u16,
        /// The daemon's `message`, or the body.
        message: String,
    },
    /// The endpoint or configuration could not be understood.
    #[error("{0}")]
    Config(String),
    /// The daemon's response broke the protocol.
    #[error("unexpected answer from the Docker daemon: {0}")]
    Protocol(String),
    /// Reading or writing failed mid-conversation.
    #[error("lost the connection to the Docker daemon: {0}")]
    Io(#[from] std::io::Error),
}

/// A daemon, pinged and with a negotiated API version.
#[derive(Debug, Clone)]
pub struct Client {
    endpoint: Endpoint,
    api_version: String,
}

impl Client {
    /// Pings `endpoint` (`GET /_ping`) and negotiates the API version.
    pub fn connect(endpoint: Endpoint) -> Result<Client, EngineError> {
        let mut connection = Connection::open(&endpoint)?;
        let response = connection.request("GET", "/_ping")?;
        if response.status != 200 {
            return Err(EngineError::Status {
                path: "/_ping".into(),
                status: response.status,
                message: String::from_utf8_lossy(&response.body).trim().to_string(),
            });
        }
        let server = response.header("api-version").unwrap_or("1.24").to_string();
        let parsed =
            parse_version(&server).ok_or_else(|| EngineError::Protocol(format!("API version `{server}`")))?;
        if parsed < MIN_API_VERSION {
            return Err(EngineError::ApiTooOld { server });
        }
        let chosen = parsed.min(MAX_API_VERSION);
        Ok(Client { endpoint, api_version: format!("{}.{}", chosen.0, chosen.1) })
    }

    /// The negotiated API version, e.g. `1.41`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// A new connection to the same daemon (one per worker thread).
    pub fn connection(&self) -> Result<Connection, EngineError> {
        Connection::open(&self.endpoint)
    }

    /// `path` under the negotiated version: `/v1.41/containers/json`.
    pub fn versioned(&self, path: &str) -> String {
        format!("/v{}{path}", self.api_version)
    }

    /// `GET` a JSON document on `connection`; a non-2xx status is an error carrying the daemon's
    /// message.
    pub fn get_json(&self, connection: &mut Connection, path: &str) -> Result<Vec<u8>, EngineError> {
        let full = self.versioned(path);
        let response = connection.request("GET", &full)?;
        if !(200..300).contains(&response.status) {
            return Err(EngineError::Status {
                path: full,
                status: response.status,
                message: error_message(&response.body),
            });
        }
        Ok(response.body)
    }
}

impl Client {
    /// `GET /images/{name}/json`: the image's inspect document, or `None` when the daemon has no
    /// image by that name or ID.
    pub fn inspect_image(&self, name: &str) -> Result<Option<Vec<u8>>, EngineError> {
        let mut connection = self.connection()?;
        match self.get_json(&mut connection, &format!("/images/{}/json", encode_query(name))) {
            Ok(body) => Ok(Some(body)),
            Err(EngineError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Streams `docker save NAME` (`GET /images/get?names=NAME`, a tar) into `out`, refusing
    /// more than `max_bytes`; `progress` is told the bytes so far. Returns the size.
    pub fn save_image(
        &self,
        name: &str,
        out: &mut dyn std::io::Write,
        max_bytes: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, EngineError> {
        let path = self.versioned(&format!("/images/get?names={}", encode_query(name)));
        let mut body = self.connection()?.stream_body(&path, Some(std::time::Duration::from_secs(300)))?;
        let mut buffer = vec![0u8; 256 * 1024];
        let mut written = 0u64;
        loop {
            let n = match std::io::Read::read(&mut body, &mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(EngineError::Io(e)),
            };
            written += n as u64;
            if written > max_bytes {
                return Err(EngineError::Protocol(format!(
                    "the saved image `{name}` is larger than the limit of {max_bytes} bytes"
                )));
            }
            out.write_all(buffer.get(..n).unwrap_or_default())?;
            progress(written);
        }
        Ok(written)
    }
}

/// `1.41` → (1, 41).
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The `message` of a daemon error body, else the body.
pub(crate) fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}

/// Percent-encodes a query parameter value.
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_queries() {
        assert_eq!(parse_version("1.41"), Some((1, 41)));
        assert_eq!(parse_version("x"), None);
        assert_eq!(encode_query("{\"type\":[\"container\"]}"), "%7B%22type%22%3A%5B%22container%22%5D%7D");
        assert_eq!(error_message(br#"{"message":"No such container: x"}"#), "No such container: x");
        assert_eq!(error_message(b"page not found\n"), "page not found");
    }
}
