//! Image references as a registry reads them: `alpine:3.20`, `127.0.0.1:5000/team/app:1.0`,
//! `ghcr.io/org/app@sha256:…`, normalised as Docker does and checked so that every part is safe
//! to put in a URL path.

use crate::RegistryError;
use shipshape_image::Digest;
use shipshape_model::ImageRef;
use std::fmt;

/// Docker Hub's name in references and its API host.
const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// The key `docker login` writes Docker Hub credentials under.
pub(crate) const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// A reference to an image in a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// As written: `alpine:3.20`.
    pub text: String,
    /// Registry host and port, `docker.io` for Docker Hub.
    pub registry: String,
    /// Repository path: `library/alpine`, `team/app`.
    pub repository: String,
    /// The tag, when written (`latest` is implied when neither tag nor digest is).
    pub tag: Option<String>,
    /// The digest, when written; it wins over the tag.
    pub digest: Option<Digest>,
}

impl Reference {
    /// Parses and validates `text`.
    pub fn parse(text: &str) -> Result<Reference, RegistryError> {
        let bad =
            |reason: &str| RegistryError::BadReference { text: text.to_string(), reason: reason.to_string() };
        let parsed = ImageRef::parse(text).ok_or_else(|| {
            bad("expected [registry/]repository[:tag][@digest], lower-case, without spaces")
        })?;
        if !valid_host(&parsed.registry) {
            return Err(bad("the registry must be a host name or address with an optional port"));
        }
        let component_ok = |c: &str| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
                && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                && c.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
        };
        if parsed.repository.len() > 255 || !parsed.repository.split('/').all(component_ok) {
            return Err(bad("repository components are lower-case letters, digits and `.`, `_`, `-`"));
        }
        if let Some(tag) = &parsed.tag {
            let first_ok = tag.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
            let rest_ok = tag.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if tag.len() > 128 || !first_ok || !rest_ok {
                return Err(bad("a tag is up to 128 letters, digits, `_`, `.` and `-`"));
            }
        }
        let digest = match &parsed.digest {
            Some(d) => Some(
                Digest::parse(d)
                    .ok_or_else(|| bad("the digest must be sha256:<64 hex> or sha512:<128 hex>"))?,
            ),
            None => None,
        };
        Ok(Reference {
            text: text.trim().to_string(),
            registry: parsed.registry,
            repository: parsed.repository,
            tag: parsed.tag,
            digest,
        })
    }

    /// The host the registry API is served from (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB { DOCKER_HUB_API } else { &self.registry }
    }

    /// What the manifest is fetched by: the digest, else the tag, else `latest`.
    pub fn target(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => "latest".to_string(),
        }
    }

    /// The server address credentials are stored under (`docker login` writes Docker Hub's as
    /// `https://index.docker.io/v1/`).
    pub fn auth_key(&self) -> &str {
        if self.registry == DOCKER_HUB { DOCKER_HUB_AUTH_KEY } else { &self.registry }
    }

    /// Whether the registry is on this machine (`localhost`, 127.0.0.0/8, `::1`).
    pub fn is_loopback(&self) -> bool {
        let host = host_of(&self.registry);
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// `registry/repository:tag@digest`, fully qualified.
    pub fn canonical(&self) -> String {
        let mut out = format!("{}/{}", self.registry, self.repository);
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(&digest.to_string());
        }
        if self.tag.is_none() && self.digest.is_none() {
            out.push_str(":latest");
        }
        out
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The host part of `host:port` or `[v6]:port`.
fn host_of(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(host, _)| host);
    }
    registry
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(registry, |(h, _)| h)
}

fn valid_host(registry: &str) -> bool {
    !registry.is_empty()
        && registry.len() <= 255
        && registry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, String, String, String) {
        let r = Reference::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        (r.api_host().to_string(), r.repository.clone(), r.target(), r.auth_key().to_string())
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(
            parts("alpine:3.20"),
            (
                "registry-1.docker.io".into(),
                "library/alpine".into(),
                "3.20".into(),
                DOCKER_HUB_AUTH_KEY.into()
            )
        );
        assert_eq!(parts("alpine").2, "latest");
        assert_eq!(
            parts("127.0.0.1:5000/team/app:1.0"),
            ("127.0.0.1:5000".into(), "team/app".into(), "1.0".into(), "127.0.0.1:5000".into())
        );
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(parts(&format!("ghcr.io/o/app:1@{digest}")).2, digest);
        assert_eq!(Reference::parse("localhost/app").map(|r| r.registry).ok(), Some("localhost".into()));
        assert_eq!(
            Reference::parse("docker.io/library/alpine").map(|r| r.canonical()).ok(),
            Some("docker.io/library/alpine:latest".into())
        );
    }

    #[test]
    fn loopback_registries() {
        for (text, local) in [
            ("127.0.0.1:5000/a", true),
            ("127.1.2.3/a:1", true),
            ("localhost:5000/a", true),
            ("[::1]:5000/a", true),
            ("ghcr.io/a", false),
            ("alpine", false),
        ] {
            assert_eq!(Reference::parse(text).map(|r| r.is_loopback()).ok(), Some(local), "{text}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_put_in_a_url() {
        for bad in [
            "",
            "a b",
            "Alpine",
            "alpine:",
            "alpine@sha256:abc",
            "alpine@md5:0123",
            "reg.io/a/../b",
            "reg.io/a?x=1",
            "reg.io/a#frag",
            "alpine:.hidden",
            "reg.io/a%2fb",
            "reg.io/-a",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
