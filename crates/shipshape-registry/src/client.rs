//! HTTP with one registry and repository: the API version check, the bearer-token and basic
//! authentication dance, manifests with the right `Accept` headers, blobs streamed (through
//! redirects, which never carry our credentials) and verified against their digests.

use crate::RegistryError;
use crate::auth::{Challenge, Credential, parse_challenge};
use crate::reference::Reference;
use shipshape_image::{
    Digest, Hasher, MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};
use std::io::{Read, Write};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The manifest types asked for, most specific first.
const MANIFEST_ACCEPT: [&str; 4] =
    [MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST, MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST];
/// The largest token server or error answer read.
const MAX_SMALL_BODY: u64 = 1024 * 1024;

/// A manifest as fetched: its bytes, media type and digest (verified).
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    pub(crate) bytes: Vec<u8>,
    pub(crate) media_type: Option<String>,
    pub(crate) digest: Digest,
}

/// A conversation with one repository of one registry.
pub(crate) struct Client {
    agent: ureq::Agent,
    /// `https://host` or, for `--insecure` registries without TLS, `http://host`.
    base: String,
    registry: String,
    repository: String,
    credential: Option<Credential>,
    insecure: bool,
    /// The `Authorization` value requests carry, once a challenge was answered.
    authorization: Mutex<Option<String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("repository", &self.repository)
            .finish_non_exhaustive()
    }
}

fn agent(verify_tls: bool) -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder().disable_verification(!verify_tls).build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(format!("shipshape/{}", env!("CARGO_PKG_VERSION")))
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(Duration::from_secs(120)))
        .max_redirects(10)
        .tls_config(tls)
        .build()
        .new_agent()
}

impl Client {
    /// Checks the registry speaks the v2 API (`GET /v2/`) and answers its challenge. Without
    /// `insecure` only verified HTTPS is used; with it, as Docker does for an insecure
    /// registry, HTTPS without certificate checks first, then plain HTTP.
    pub(crate) fn connect(
        reference: &Reference,
        credential: Option<Credential>,
        insecure: bool,
    ) -> Result<Client, RegistryError> {
        let host = reference.api_host();
        let mut client = Client {
            agent: agent(!insecure),
            base: format!("https://{host}"),
            registry: reference.registry.clone(),
            repository: reference.repository.clone(),
            credential,
            insecure,
            authorization: Mutex::new(None),
        };
        let ping = match client.ping() {
            Err(https_error) if insecure && https_error.is_transport() => {
                client.base = format!("http://{host}");
                client.ping()?
            }
            other => other?,
        };
        if let Some(challenge) = ping {
            client.answer(&challenge)?;
        }
        Ok(client)
    }

    /// `GET /v2/`: `None` when no authentication is asked for, else the challenge.
    fn ping(&self) -> Result<Option<Challenge>, RegistryError> {
        let url = format!("{}/v2/", self.base);
        let response = self.agent.get(&url).call().map_err(|e| self.transport(&url, e))?;
        match response.status().as_u16() {
            200..=299 => Ok(None),
            401 => Ok(challenge_of(&response)),
            404 => Err(RegistryError::Protocol {
                registry: self.registry.clone(),
                message: format!("{url} answered 404: not a Docker Registry v2 / OCI distribution API"),
            }),
            status => Err(self.status_error(&url, status, response, "the registry")),
        }
    }

    /// Answers a challenge: fetches a bearer token, or prepares basic authentication.
    fn answer(&self, challenge: &Challenge) -> Result<(), RegistryError> {
        let header = match challenge {
            Challenge::Basic => match self.credential.as_ref().and_then(Credential::basic_header) {
                Some(header) => header,
                None => return Err(self.auth_required()),
            },
            Challenge::Bearer { realm, service, scope } => {
                let scope = scope.clone().unwrap_or_else(|| format!("repository:{}:pull", self.repository));
                format!("Bearer {}", self.token(realm, service.as_deref(), &scope)?)
            }
        };
        *self.authorization.lock().unwrap_or_else(PoisonError::into_inner) = Some(header);
        Ok(())
    }

    /// Asks the token server at `realm` for a token, presenting our credentials if we have any.
    fn token(&self, realm: &str, service: Option<&str>, scope: &str) -> Result<String, RegistryError> {
        if !realm.starts_with("https://") && !realm.starts_with("http://") {
            return Err(RegistryError::Protocol {
                registry: self.registry.clone(),
                message: format!("the token realm `{realm}` is not an HTTP(S) URL"),
            });
        }
        if self.credential.is_some() && realm.starts_with("http://") && !self.insecure {
            return Err(RegistryError::Protocol {
                registry: self.registry.clone(),
                message: format!(
                    "the token server {realm} is plain HTTP; credentials are not sent there (pass --insecure if you trust this network)"
                ),
            });
        }
        let mut query = vec![("scope", scope.to_string())];
        if let Some(service) = service {
            query.push(("service", service.to_string()));
        }
        let response = match &self.credential {
            Some(Credential::IdentityToken(token)) => {
                let mut form: Vec<(&str, String)> = vec![
                    ("grant_type", "refresh_token".into()),
                    ("refresh_token", token.clone()),
                    ("client_id", "shipshape".into()),
                ];
                form.extend(query);
                self.agent.post(realm).send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
            }
            credential => {
                let mut request = self.agent.get(realm);
                for (name, value) in &query {
                    request = request.query(*name, value);
                }
                if let Some(Credential::Basic { username, .. }) = credential {
                    request = request.query("account", username);
                }
                if let Some(header) = credential.as_ref().and_then(Credential::basic_header) {
                    request = request.header("Authorization", header);
                }
                request.call()
            }
        }
        .map_err(|e| self.transport(realm, e))?;
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            return Err(match &self.credential {
                Some(credential) => RegistryError::AuthRejected {
                    registry: self.registry.clone(),
                    who: credential.describe(),
                    message: credential.redact(&error_message(&mut response.into_body())),
                },
                None => self.auth_required(),
            });
        }
        if !(200..300).contains(&status) {
            return Err(self.status_error(realm, status, response, "the token server"));
        }
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_SMALL_BODY)
            .read_to_vec()
            .map_err(|e| self.transport(realm, e))?;
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| RegistryError::Protocol {
                registry: self.registry.clone(),
                message: format!("the token server {realm} answered something other than JSON ({e})"),
            })?;
        value
            .get("token")
            .or_else(|| value.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_string)
            .ok_or_else(|| RegistryError::Protocol {
                registry: self.registry.clone(),
                message: format!("the token server {realm} sent no usable `token`"),
            })
    }

    /// Sends `GET path` (under `/v2/<repository>/`), answering one fresh challenge if the
    /// registry asks (a token expired, or the scope was not enough).
    fn get(
        &self,
        path: &str,
        accept: Option<&str>,
    ) -> Result<(String, ureq::http::Response<ureq::Body>), RegistryError> {
        let url = format!("{}/v2/{}/{path}", self.base, self.repository);
        let mut answered = false;
        loop {
            let mut request = self.agent.get(&url);
            if let Some(accept) = accept {
                request = request.header("Accept", accept);
            }
            let authorization = self.authorization.lock().unwrap_or_else(PoisonError::into_inner).clone();
            if let Some(header) = authorization {
                request = request.header("Authorization", header);
            }
            let response = request.call().map_err(|e| self.transport(&url, e))?;
            if response.status().as_u16() != 401 || answered {
                return Ok((url, response));
            }
            let challenge = challenge_of(&response).ok_or_else(|| self.auth_required())?;
            self.answer(&challenge)?;
            answered = true;
        }
    }

    /// Fetches the manifest named by `target` (a tag or digest), bounded by `max_bytes`, and
    /// checks it against the digest asked for or the one the registry states.
    pub(crate) fn manifest(
        &self,
        reference: &Reference,
        target: &str,
        max_bytes: u64,
    ) -> Result<Fetched, RegistryError> {
        let (url, response) = self.get(&format!("manifests/{target}"), Some(&MANIFEST_ACCEPT.join(", ")))?;
        let status = response.status().as_u16();
        if status == 404 {
            let message = error_message(&mut response.into_body());
            return Err(RegistryError::NotFound {
                reference: reference.canonical(),
                what: if message.contains("NAME_UNKNOWN")
                    || message.to_ascii_lowercase().contains("repository name not known")
                {
                    format!("repository `{}`", self.repository)
                } else if target.contains(':') {
                    format!("manifest {target}")
                } else {
                    format!("tag `{target}`")
                },
                message,
            });
        }
        if !(200..300).contains(&status) {
            return Err(self.status_error(&url, status, response, "the registry"));
        }
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_string())
        };
        let media_type =
            header("content-type").map(|v| v.split(';').next().unwrap_or_default().trim().to_string());
        let stated = header("docker-content-digest");
        if let Some(length) = response.body().content_length()
            && length > max_bytes
        {
            return Err(RegistryError::TooLarge {
                what: format!("the manifest at {url}"),
                size: length,
                limit: max_bytes,
                unit: " bytes",
            });
        }
        let bytes =
            response.into_body().with_config().limit(max_bytes).read_to_vec().map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => RegistryError::TooLarge {
                    what: format!("the manifest at {url}"),
                    size: max_bytes + 1,
                    limit: max_bytes,
                    unit: " bytes",
                },
                other => self.transport(&url, other),
            })?;
        let expected = match Digest::parse(target) {
            Some(digest) => Some(digest),
            None => stated.as_deref().and_then(Digest::parse),
        };
        let algorithm = expected.as_ref().map_or(shipshape_image::Algorithm::Sha256, Digest::algorithm);
        let mut hasher = Hasher::new(algorithm);
        hasher.update(&bytes);
        let digest = hasher.finish();
        if let Some(expected) = expected
            && expected != digest
        {
            return Err(RegistryError::DigestMismatch {
                what: format!("the manifest at {url}"),
                expected: expected.to_string(),
                actual: digest.to_string(),
            });
        }
        Ok(Fetched { bytes, media_type, digest })
    }

    /// Streams blob `digest` (promised to be `size` bytes) into `out`, hashing as it goes;
    /// `progress` is told the bytes received so far. Fails on a digest or size mismatch, and
    /// as soon as more than `size` bytes arrive.
    pub(crate) fn blob(
        &self,
        digest: &Digest,
        size: u64,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), RegistryError> {
        let (url, response) = self.get(&format!("blobs/{digest}"), None)?;
        let status = response.status().as_u16();
        if status == 404 {
            return Err(RegistryError::NotFound {
                reference: format!("{}/{}", self.registry, self.repository),
                what: format!("blob {digest}"),
                message: error_message(&mut response.into_body()),
            });
        }
        if !(200..300).contains(&status) {
            return Err(self.status_error(&url, status, response, "the registry"));
        }
        if let Some(length) = response.body().content_length()
            && length != size
        {
            return Err(RegistryError::SizeMismatch {
                what: format!("blob {digest}"),
                expected: size,
                actual: length,
            });
        }
        let mut reader = response.into_body().into_with_config().limit(size.saturating_add(1)).reader();
        let mut hasher = Hasher::new(digest.algorithm());
        let mut buffer = vec![0u8; 256 * 1024];
        let mut received = 0u64;
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let exceeded = e.get_ref().and_then(|inner| inner.downcast_ref::<ureq::Error>());
                    if matches!(exceeded, Some(ureq::Error::BodyExceedsLimit(_))) {
                        return Err(RegistryError::SizeMismatch {
                            what: format!("blob {digest}"),
                            expected: size,
                            actual: size + 1,
                        });
                    }
                    return Err(RegistryError::Network {
                        url,
                        message: format!("download cut short after {received} bytes: {e}"),
                    });
                }
            };
            let chunk = buffer.get(..n).unwrap_or_default();
            received += n as u64;
            if received > size {
                return Err(RegistryError::SizeMismatch {
                    what: format!("blob {digest}"),
                    expected: size,
                    actual: received,
                });
            }
            hasher.update(chunk);
            out.write_all(chunk).map_err(|e| RegistryError::Io { path: "(blob cache)".into(), source: e })?;
            progress(received);
        }
        if received != size {
            return Err(RegistryError::SizeMismatch {
                what: format!("blob {digest}"),
                expected: size,
                actual: received,
            });
        }
        let actual = hasher.finish();
        if &actual != digest {
            return Err(RegistryError::DigestMismatch {
                what: format!("blob from {url}"),
                expected: digest.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(())
    }

    fn auth_required(&self) -> RegistryError {
        RegistryError::AuthRequired {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            had_credentials: self.credential.as_ref().map(Credential::describe),
        }
    }

    /// An error status, with the registry's own message, turned into what to do.
    fn status_error(
        &self,
        url: &str,
        status: u16,
        response: ureq::http::Response<ureq::Body>,
        who: &str,
    ) -> RegistryError {
        let message = error_message(&mut response.into_body());
        match status {
            401 => self.auth_required(),
            403 => RegistryError::Denied {
                registry: self.registry.clone(),
                repository: self.repository.clone(),
                message,
            },
            429 => RegistryError::RateLimited { registry: self.registry.clone(), message },
            _ => RegistryError::Status { url: url.to_string(), who: who.to_string(), status, message },
        }
    }

    /// A failure below HTTP: refused connection, unknown host, TLS, timeout.
    fn transport(&self, url: &str, error: ureq::Error) -> RegistryError {
        let tls = |message: String| RegistryError::Tls {
            registry: self.registry.clone(),
            url: url.to_string(),
            message,
        };
        match error {
            ureq::Error::Rustls(e) => tls(e.to_string()),
            ureq::Error::Tls(e) => tls(e.to_string()),
            ureq::Error::Io(e)
                if url.starts_with("https://") && e.kind() == std::io::ErrorKind::InvalidData =>
            {
                tls(e.to_string())
            }
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                RegistryError::Connect {
                    registry: self.registry.clone(),
                    url: url.to_string(),
                    message: "connection refused".into(),
                }
            }
            ureq::Error::HostNotFound => RegistryError::Connect {
                registry: self.registry.clone(),
                url: url.to_string(),
                message: "host not found".into(),
            },
            ureq::Error::ConnectionFailed => RegistryError::Connect {
                registry: self.registry.clone(),
                url: url.to_string(),
                message: "connection failed".into(),
            },
            ureq::Error::Timeout(which) => RegistryError::Connect {
                registry: self.registry.clone(),
                url: url.to_string(),
                message: format!("timed out ({which})"),
            },
            other => RegistryError::Network { url: url.to_string(), message: other.to_string() },
        }
    }
}

fn challenge_of(response: &ureq::http::Response<ureq::Body>) -> Option<Challenge> {
    response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(parse_challenge)
}

/// The registry's error text: `CODE: message` of its `errors` array, else the body's first line.
fn error_message(body: &mut ureq::Body) -> String {
    let bytes = body.with_config().limit(MAX_SMALL_BODY).read_to_vec().unwrap_or_default();
    let from_json = serde_json::from_slice::<serde_json::Value>(&bytes).ok().and_then(|v| {
        let errors = v.get("errors")?.as_array()?;
        let parts: Vec<String> = errors
            .iter()
            .map(|e| {
                let code = e.get("code").and_then(|c| c.as_str()).unwrap_or_default();
                let message = e.get("message").and_then(|m| m.as_str()).unwrap_or_default();
                format!("{code}: {message}").trim_matches([':', ' ']).to_string()
            })
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    });
    let text = from_json.unwrap_or_else(|| {
        String::from_utf8_lossy(&bytes).lines().next().unwrap_or_default().trim().to_string()
    });
    text.chars().take(300).collect()
}
