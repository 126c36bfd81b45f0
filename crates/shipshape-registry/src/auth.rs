//! Who we are to a registry: credentials from Docker's `config.json` (inline `auths`, the
//! `credsStore` and per-registry `credHelpers` helper programs) and the `WWW-Authenticate`
//! challenges that say how to present them.

use crate::RegistryError;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The most a credential helper may print.
const MAX_HELPER_OUTPUT: u64 = 64 * 1024;
/// How long a credential helper may take (it may be waiting for a keychain prompt).
const HELPER_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest `config.json` read.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Credentials for one registry. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A user name and password (or personal access token).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken`), exchanged at the token server.
    IdentityToken(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Basic { username, .. } => {
                f.debug_struct("Basic").field("username", username).field("password", &"<redacted>").finish()
            }
            Credential::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

impl Credential {
    /// The `Authorization` value of HTTP basic authentication.
    pub(crate) fn basic_header(&self) -> Option<String> {
        match self {
            Credential::Basic { username, password } => Some(format!(
                "Basic {}",
                shipshape_secrets::encode_base64(format!("{username}:{password}").as_bytes())
            )),
            Credential::IdentityToken(_) => None,
        }
    }

    /// `text` (a server's message) with the secret, should it be echoed, masked.
    pub(crate) fn redact(&self, text: &str) -> String {
        let secret = match self {
            Credential::Basic { password, .. } => password,
            Credential::IdentityToken(token) => token,
        };
        if secret.is_empty() { text.to_string() } else { text.replace(secret.as_str(), "***") }
    }

    /// Where the credential came from, for messages: never the secret.
    pub(crate) fn describe(&self) -> String {
        match self {
            Credential::Basic { username, .. } => format!("the credentials of user `{username}`"),
            Credential::IdentityToken(_) => "the identity token".to_string(),
        }
    }
}

/// Docker's client configuration (`~/.docker/config.json`), the parts about registries.
#[derive(Debug, Default)]
pub struct DockerConfig {
    path: Option<PathBuf>,
    /// Inline credentials by server address as written.
    auths: BTreeMap<String, serde_json::Value>,
    creds_store: Option<String>,
    cred_helpers: BTreeMap<String, String>,
}

impl DockerConfig {
    /// Reads `config.json` in `dir` (`$DOCKER_CONFIG`, else `~/.docker`). A missing file is an
    /// empty configuration; a malformed one is an error naming its line.
    pub fn load(dir: &Path) -> Result<DockerConfig, RegistryError> {
        let path = dir.join("config.json");
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DockerConfig::default()),
            Err(e) => return Err(RegistryError::Io { path, source: e }),
        };
        let mut text = Vec::new();
        file.take(MAX_CONFIG_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|e| RegistryError::Io { path: path.clone(), source: e })?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(RegistryError::Credentials(format!(
                "{}: larger than {MAX_CONFIG_BYTES} bytes",
                path.display()
            )));
        }
        DockerConfig::parse(&text, Some(path))
    }

    /// Parses the text of a `config.json`.
    pub fn parse(text: &[u8], path: Option<PathBuf>) -> Result<DockerConfig, RegistryError> {
        let shown = path.as_ref().map_or_else(|| "config.json".to_string(), |p| p.display().to_string());
        let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| {
            RegistryError::Credentials(format!("{shown}:{}:{}: not valid JSON: {e}", e.line(), e.column()))
        })?;
        let strings = |key: &str| -> BTreeMap<String, String> {
            value
                .get(key)
                .and_then(|v| v.as_object())
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                .unwrap_or_default()
        };
        Ok(DockerConfig {
            path,
            auths: value
                .get("auths")
                .and_then(|v| v.as_object())
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            creds_store: value
                .get("credsStore")
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            cred_helpers: strings("credHelpers"),
        })
    }

    /// The credentials for the registry stored under `key` (a host, or Docker Hub's
    /// `https://index.docker.io/v1/`): its credential helper, else the `credsStore`, else the
    /// inline `auths` entry. `Ok(None)`: none are configured (pull anonymously).
    pub fn credential_for(&self, key: &str) -> Result<Option<Credential>, RegistryError> {
        let host = normalize_server(key);
        let helper = self
            .cred_helpers
            .iter()
            .find(|(server, _)| normalize_server(server) == host)
            .map(|(_, helper)| helper)
            .or(self.creds_store.as_ref());
        if let Some(helper) = helper
            && let Some(credential) = run_helper(helper, key)?
        {
            return Ok(Some(credential));
        }
        let Some(entry) =
            self.auths.iter().find(|(server, _)| normalize_server(server) == host).map(|(_, v)| v)
        else {
            return Ok(None);
        };
        let shown = self.path.as_ref().map_or_else(|| "config.json".to_string(), |p| p.display().to_string());
        let field = |name: &str| entry.get(name).and_then(|v| v.as_str()).filter(|s| !s.is_empty());
        if let Some(token) = field("identitytoken") {
            return Ok(Some(Credential::IdentityToken(token.to_string())));
        }
        if let (Some(username), Some(password)) = (field("username"), field("password")) {
            return Ok(Some(Credential::Basic {
                username: username.to_string(),
                password: password.to_string(),
            }));
        }
        let Some(auth) = field("auth") else { return Ok(None) };
        let decoded = shipshape_secrets::decode_base64(auth.as_bytes()).map_err(|e| {
            RegistryError::Credentials(format!("{shown}: `auths.{key}.auth` is not base64 ({e})"))
        })?;
        let decoded = String::from_utf8_lossy(&decoded);
        let (username, password) = decoded.split_once(':').ok_or_else(|| {
            RegistryError::Credentials(format!(
                "{shown}: `auths.{key}.auth` does not decode to `user:password`"
            ))
        })?;
        Ok(Some(Credential::Basic { username: username.to_string(), password: password.to_string() }))
    }
}

/// `https://index.docker.io/v1/`, `index.docker.io`, `docker.io` → `index.docker.io`;
/// `http://reg:5000/v2/` → `reg:5000`: the forms `docker login` has written over the years.
fn normalize_server(server: &str) -> String {
    let lower = server.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let host = rest.split('/').next().unwrap_or_default().to_string();
    match host.as_str() {
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => "index.docker.io".to_string(),
        _ => host,
    }
}

/// Runs `docker-credential-<helper> get` with `server` on standard input: bounded output,
/// bounded time. A helper that has nothing for the server, or is not installed, yields `None`.
fn run_helper(helper: &str, server: &str) -> Result<Option<Credential>, RegistryError> {
    if !helper.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        return Err(RegistryError::Credentials(format!(
            "credential helper name `{helper}` is not a plain name"
        )));
    }
    run_program(&format!("docker-credential-{helper}"), server)
}

/// Runs a credential helper program (see [`run_helper`]).
fn run_program(program: &str, server: &str) -> Result<Option<Credential>, RegistryError> {
    let mut child = match Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RegistryError::Credentials(format!("cannot run {program}: {e}"))),
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading its input is judged by its exit status below.
        let _ = stdin.write_all(server.as_bytes());
    }
    let stdout = child.stdout.take().map(|out| std::thread::spawn(move || read_bounded(out)));
    let stderr = child.stderr.take().map(|err| std::thread::spawn(move || read_bounded(err)));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RegistryError::Credentials(format!(
                    "{program} did not answer within {} s",
                    HELPER_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(RegistryError::Credentials(format!("waiting for {program}: {e}"))),
        }
    };
    let join = |handle: Option<std::thread::JoinHandle<Vec<u8>>>| {
        handle.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let out = join(stdout);
    let err = join(stderr);
    if !status.success() {
        let message = String::from_utf8_lossy(if out.is_empty() { &err } else { &out }).trim().to_string();
        if message.to_ascii_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        let first = message.lines().next().unwrap_or("no message");
        return Err(RegistryError::Credentials(format!("{program} get failed ({status}): {first}")));
    }
    let value: serde_json::Value = serde_json::from_slice(&out).map_err(|e| {
        RegistryError::Credentials(format!("{program} printed something other than JSON ({e})"))
    })?;
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let (username, secret) = (field("Username"), field("Secret"));
    if secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(if username == "<token>" {
        Credential::IdentityToken(secret)
    } else {
        Credential::Basic { username, password: secret }
    }))
}

/// Keeps the first [`MAX_HELPER_OUTPUT`] bytes and drains the rest, so the helper never blocks
/// on a full pipe.
fn read_bounded(mut reader: impl Read) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = (&mut reader).take(MAX_HELPER_OUTPUT).read_to_end(&mut out);
    let _ = std::io::copy(&mut reader, &mut std::io::sink());
    out
}

/// How a registry asks to be authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// Get a token from `realm` for `service` and `scope`.
    Bearer { realm: String, service: Option<String>, scope: Option<String> },
    /// Send the user name and password with every request.
    Basic,
}

/// Parses `WWW-Authenticate` values; the first Bearer or Basic challenge wins.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (scheme, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let (params, next) = parse_params(after);
        if scheme.eq_ignore_ascii_case("bearer") {
            let get =
                |k: &str| params.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
            return get("realm").map(|realm| Challenge::Bearer {
                realm,
                service: get("service"),
                scope: get("scope"),
            });
        }
        if scheme.eq_ignore_ascii_case("basic") {
            return Some(Challenge::Basic);
        }
        rest = next.trim_start_matches([',', ' ']);
    }
    None
}

/// Reads `key=value` and `key="quoted \" value"` pairs up to the next challenge; returns them
/// and the rest of the header.
fn parse_params(text: &str) -> (Vec<(String, String)>, &str) {
    let mut params = Vec::new();
    let mut rest = text.trim_start();
    loop {
        let Some(eq) = rest.find('=') else { return (params, rest) };
        let name = rest[..eq].trim();
        if name.is_empty() || name.contains([' ', ',']) {
            // `Basic realm=…, Bearer …`: a new scheme starts here.
            return (params, rest);
        }
        let after = &rest[eq + 1..];
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        params.push((name.to_string(), value));
        rest = tail.trim_start();
        match rest.strip_prefix(',') {
            Some(next) => rest = next.trim_start(),
            None => return (params, rest),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::DOCKER_HUB_AUTH_KEY;

    #[test]
    fn challenges() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/alpine:pull".into()),
            })
        );
        assert_eq!(
            parse_challenge(r#"bearer realm="http://127.0.0.1:1/t\"x", scope=a:b:pull"#),
            Some(Challenge::Bearer {
                realm: "http://127.0.0.1:1/t\"x".into(),
                service: None,
                scope: Some("a:b:pull".into())
            })
        );
        assert_eq!(parse_challenge(r#"Basic realm="Registry Realm""#), Some(Challenge::Basic));
        assert_eq!(
            parse_challenge(r#"Digest realm="x", nonce="y", Bearer realm="https://t""#),
            Some(Challenge::Bearer { realm: "https://t".into(), service: None, scope: None })
        );
        assert_eq!(parse_challenge("Bearer service=x"), None, "a bearer challenge needs a realm");
        assert_eq!(parse_challenge(""), None);
        assert_eq!(
            parse_challenge("Bearer realm=\"unterminated"),
            Some(Challenge::Bearer { realm: "unterminated".into(), service: None, scope: None })
        );
    }

    #[test]
    fn config_forms() {
        let auth = shipshape_secrets::encode_base64(b"alice:s3cret:with:colons");
        let text = format!(
            r#"{{"auths": {{
                "https://index.docker.io/v1/": {{"auth": "{auth}"}},
                "http://reg.example:5000/v2/": {{"username": "bob", "password": "pw"}},
                "ghcr.io": {{"auth": "", "identitytoken": "refresh-me"}},
                "broken.example": {{"auth": "!!!"}},
                "nocolon.example": {{"auth": "{}"}}
            }}}}"#,
            shipshape_secrets::encode_base64(b"justuser")
        );
        let config = DockerConfig::parse(text.as_bytes(), None).expect("parses");
        assert_eq!(
            config.credential_for(DOCKER_HUB_AUTH_KEY).expect("hub"),
            Some(Credential::Basic { username: "alice".into(), password: "s3cret:with:colons".into() })
        );
        assert_eq!(
            config.credential_for("reg.example:5000").expect("reg"),
            Some(Credential::Basic { username: "bob".into(), password: "pw".into() })
        );
        assert_eq!(
            config.credential_for("ghcr.io").expect("ghcr"),
            Some(Credential::IdentityToken("refresh-me".into()))
        );
        assert_eq!(config.credential_for("quay.io").expect("none"), None);
        let broken = config.credential_for("broken.example").expect_err("bad base64").to_string();
        assert!(broken.contains("not base64"), "{broken}");
        assert!(config.credential_for("nocolon.example").is_err());
        let bad = DockerConfig::parse(b"{\n  \"auths\": {,\n}", None).expect_err("bad JSON").to_string();
        assert!(bad.contains("config.json:2:"), "{bad}");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let basic = Credential::Basic { username: "u".into(), password: "hunter2".into() };
        let token = Credential::IdentityToken("tok-123".into());
        assert!(!format!("{basic:?}{token:?}").contains("hunter2"));
        assert!(!format!("{basic:?}{token:?}").contains("tok-123"));
        assert_eq!(basic.basic_header().as_deref(), Some("Basic dTpodW50ZXIy"));
        assert_eq!(basic.redact("bad password hunter2"), "bad password ***");
        assert_eq!(token.redact("token tok-123 revoked"), "token *** revoked");
    }

    #[test]
    fn helper_names_are_plain() {
        let config = DockerConfig::parse(br#"{"credsStore": "../../bin/evil"}"#, None).expect("parses");
        assert!(config.credential_for("reg.example").is_err());
        let missing =
            DockerConfig::parse(br#"{"credsStore": "shipshape-test-missing-helper"}"#, None).expect("parses");
        assert_eq!(missing.credential_for("reg.example").expect("a missing helper is no credential"), None);
    }

    #[test]
    fn credential_helpers_answer_on_stdout() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let script = |name: &str, body: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            path.display().to_string()
        };
        let echo = script(
            "echo",
            r#"read server; printf '{"ServerURL":"%s","Username":"u-%s","Secret":"pw"}' "$server" "$server""#,
        );
        assert_eq!(
            run_program(&echo, "reg.example").expect("runs"),
            Some(Credential::Basic { username: "u-reg.example".into(), password: "pw".into() })
        );
        let token = script("token", r#"echo '{"Username":"<token>","Secret":"refresh"}'"#);
        assert_eq!(
            run_program(&token, "x").expect("runs"),
            Some(Credential::IdentityToken("refresh".into()))
        );
        let missing = script("missing", "echo 'credentials not found in native keychain'; exit 1");
        assert_eq!(run_program(&missing, "x").expect("not found is no credential"), None);
        let broken = script("broken", "echo 'keychain locked' >&2; exit 3");
        let error = run_program(&broken, "x").expect_err("a failing helper").to_string();
        assert!(error.contains("keychain locked"), "{error}");
        let flood = script("flood", "yes '{{{{{{{{{{{{{{' | head -c 10000000");
        assert!(run_program(&flood, "x").is_err(), "bounded output that is not JSON");
    }

    #[test]
    fn hub_key() {
        assert_eq!(normalize_server("https://index.docker.io/v1/"), normalize_server("docker.io"));
        assert_eq!(normalize_server("HTTP://Reg:5000/v2/"), "reg:5000");
    }
}
