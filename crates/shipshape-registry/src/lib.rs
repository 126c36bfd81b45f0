//! Pulling images from registries (Docker Registry v2 / OCI distribution) for shipshape.
//!
//! [`pull`] turns a [`Reference`] (`alpine:3.20`, `127.0.0.1:5000/team/app:1.0`,
//! `ghcr.io/org/app@sha256:…`; `docker.io` is served by `registry-1.docker.io`) into an OCI image
//! layout on disk that `shipshape_image::Image::open_with` reads like any other:
//!
//! - **Protocol.** `GET /v2/` first; the manifest is asked for as an OCI index or manifest or a
//!   Docker manifest list or schema 2 manifest, and checked against the digest asked for or the
//!   `Docker-Content-Digest` the registry states. An index is resolved for a
//!   `shipshape_image::Platform` (default `linux/amd64`, else the first image; attestation
//!   entries skipped), as `Image` resolves one on disk.
//! - **Authentication.** A `401` challenge is answered: `Bearer realm=…,service=…,scope=…` by
//!   asking the token server (anonymously, with basic credentials, or exchanging an
//!   `identitytoken` as an OAuth2 refresh token), `Basic` by sending the credentials. Credentials
//!   come from Docker's `config.json` ([`DockerConfig`]): a `credHelpers` entry for the
//!   registry, else `credsStore`, else the `auths` entry (`auth`, `username`/`password`,
//!   `identitytoken`). Helpers run as `docker-credential-NAME get` with bounded output and time.
//!   Secrets are never printed; redirects never carry them.
//! - **Transport.** Verified HTTPS (rustls with ring and the Mozilla roots) unless `insecure`,
//!   which, as Docker does for an insecure registry, tries HTTPS without certificate checks and
//!   then plain HTTP. Blob downloads follow redirects (object stores).
//! - **Cache.** Blobs are streamed into a content-addressed cache (`blobs/<alg>/<hex>` under
//!   [`default_cache_dir`]) through a temporary file, hashed and counted on the way: more bytes
//!   than the manifest says, a digest mismatch, or a size over the image [`Limits`] stops the
//!   download and nothing is kept. A blob in the cache is never downloaded again, so scanning
//!   the same image twice fetches only its manifest (and nothing at all for a digest
//!   reference). Each pull builds a small layout directory of hard links into the cache,
//!   removed when the [`Pulled`] image is dropped.
//! - **Progress.** [`Progress`] is told about each blob as bytes arrive; the binary draws it.
//!
//! Errors say what to do: `docker login` for a `401`, which tag or repository does not exist,
//! `--insecure` for a plain-HTTP registry, a refused connection, a rate limit.

#![warn(missing_docs)]

mod auth;
mod cache;
mod client;
mod pull;
mod reference;

pub use auth::{Credential, DockerConfig};
pub use cache::default_cache_dir;
pub use pull::{BlobEvent, Progress, PullOptions, PullStats, Pulled, pull};
pub use reference::Reference;
pub use shipshape_image::Limits;

use std::path::PathBuf;

/// Something that stopped a pull.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The text is not an image reference.
    #[error("`{text}` is not an image reference: {reason}")]
    BadReference {
        /// As given.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// The registry could not be reached.
    #[error("cannot reach the registry {registry} ({url}): {message}{}", connect_hint(registry))]
    Connect {
        /// The registry.
        registry: String,
        /// The URL tried.
        url: String,
        /// Why.
        message: String,
    },
    /// TLS failed: a plain-HTTP registry, an unknown certificate authority, a bad certificate.
    #[error(
        "TLS with the registry {registry} failed ({url}): {message}. If {registry} is a plain-HTTP or self-signed registry you trust, pass --insecure"
    )]
    Tls {
        /// The registry.
        registry: String,
        /// The URL tried.
        url: String,
        /// The TLS error.
        message: String,
    },
    /// The registry wants credentials we do not have, or that do not grant access.
    #[error("{}", auth_required_message(registry, repository, had_credentials.as_deref()))]
    AuthRequired {
        /// The registry.
        registry: String,
        /// The repository.
        repository: String,
        /// The credentials presented, described (never the secret).
        had_credentials: Option<String>,
    },
    /// The token server refused our credentials.
    #[error("the registry {registry} rejected {who} ({message}); run `docker login {registry}` again")]
    AuthRejected {
        /// The registry.
        registry: String,
        /// Whose credentials, described.
        who: String,
        /// The server's message.
        message: String,
    },
    /// Authenticated, but not allowed.
    #[error("access to {registry}/{repository} denied: {message}")]
    Denied {
        /// The registry.
        registry: String,
        /// The repository.
        repository: String,
        /// The registry's message.
        message: String,
    },
    /// Too many requests.
    #[error(
        "the registry {registry} is rate limiting pulls ({message}); wait, or `docker login {registry}` for a higher limit"
    )]
    RateLimited {
        /// The registry.
        registry: String,
        /// Its message.
        message: String,
    },
    /// The tag, repository or blob does not exist.
    #[error("{what} not found in {reference}{}", if message.is_empty() { String::new() } else { format!(" ({message})") })]
    NotFound {
        /// The image.
        reference: String,
        /// `tag `1.0``, `repository `team/app``, `blob sha256:…`.
        what: String,
        /// The registry's message.
        message: String,
    },
    /// Another error status.
    #[error("{who} answered {status} to {url}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Status {
        /// The URL.
        url: String,
        /// `the registry`, `the token server`.
        who: String,
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The connection broke mid-transfer, or another HTTP failure.
    #[error("{url}: {message}")]
    Network {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The registry said something this client cannot use.
    #[error("{registry}: {message}")]
    Protocol {
        /// The registry.
        registry: String,
        /// What was wrong.
        message: String,
    },
    /// The index has no image for the platform asked for.
    #[error(
        "{reference} has no image for platform {wanted} (available: {available}); pick one with --platform"
    )]
    NoMatchingPlatform {
        /// The image.
        reference: String,
        /// The platform asked for.
        wanted: String,
        /// What the index offers.
        available: String,
    },
    /// Content does not hash to its digest.
    #[error("{what}: digest mismatch: expected {expected}, received content hashes to {actual}")]
    DigestMismatch {
        /// What was downloaded.
        what: String,
        /// The digest promised.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// Content is not the size its descriptor states.
    #[error("{what}: the manifest says {expected} bytes, the registry sent {actual}")]
    SizeMismatch {
        /// What was downloaded.
        what: String,
        /// The size promised.
        expected: u64,
        /// The size received (at least).
        actual: u64,
    },
    /// Over a limit.
    #[error("{what} is {size}{unit}, over the limit of {limit}")]
    TooLarge {
        /// What.
        what: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
        /// ` bytes`, or empty for a count.
        unit: &'static str,
    },
    /// Docker's configuration or a credential helper failed.
    #[error("registry credentials: {0}")]
    Credentials(String),
    /// A local file or directory (the cache) failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

impl RegistryError {
    /// A failure to talk at all (as opposed to an answer we did not like): worth trying plain
    /// HTTP for an insecure registry.
    pub(crate) fn is_transport(&self) -> bool {
        matches!(
            self,
            RegistryError::Connect { .. } | RegistryError::Tls { .. } | RegistryError::Network { .. }
        )
    }

    /// The image is not there (as opposed to the registry failing): the next image source may
    /// have it.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }
}

fn connect_hint(registry: &str) -> &'static str {
    let local = Reference::parse(&format!("{registry}/x")).is_ok_and(|r| r.is_loopback());
    if local {
        ". Is the registry running? A plain-HTTP registry also needs --insecure"
    } else {
        ". Check the name, your network and proxy settings (HTTPS_PROXY, NO_PROXY)"
    }
}

fn auth_required_message(registry: &str, repository: &str, had: Option<&str>) -> String {
    let login =
        if registry == "docker.io" { "docker login".to_string() } else { format!("docker login {registry}") };
    match had {
        Some(who) => format!(
            "{registry}/{repository}: access denied with {who}; check the repository name and your permissions, or run `{login}` again"
        ),
        None => format!(
            "{registry}/{repository} needs authentication (or does not exist); run `{login}` (shipshape reads Docker's credentials)"
        ),
    }
}
