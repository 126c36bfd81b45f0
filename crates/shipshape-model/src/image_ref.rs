//! Image references read by the distribution reference grammar, normalised as Docker does.
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [ domain "/" ] path-component { "/" path-component }
//! domain           := host [ ":" port ]          host: DNS name, IPv4, or "[" IPv6 "]"
//! path-component   := [a-z0-9]+ { separator [a-z0-9]+ }      separator: "." | "_" | "__" | "-"+
//! tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest           := algorithm ":" hex          sha256 (64), sha384 (96), sha512 (128) lower-case hex
//! ```
//!
//! The first component is a registry only when a `/` follows it and it holds a `.` or `:`, is
//! `localhost`, or has an upper-case letter; otherwise the image is on Docker Hub, and a
//! one-component Hub name gets `library/`. `index.docker.io`, `registry-1.docker.io` and
//! `registry.hub.docker.com` are Docker Hub's own names and become `docker.io`. The whole name,
//! normalised, may be at most 255 characters.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The registry Docker Hub references normalise to.
pub const DOCKER_HUB: &str = "docker.io";

/// The longest name (registry and repository, normalised) the grammar allows.
pub const NAME_MAX_LEN: usize = 255;

/// Other host names of Docker Hub's registry.
const DOCKER_HUB_ALIASES: [&str; 3] = ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

/// A parsed, normalised image reference (`[registry/]repository[:tag][@digest]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ImageRef {
    /// Registry host (and port), `docker.io` when none was written or for Docker Hub's aliases.
    pub registry: String,
    /// Repository path; Docker Hub official images get `library/`.
    pub repository: String,
    pub tag: Option<String>,
    /// `algorithm:hex`.
    pub digest: Option<String>,
    /// Whether the registry was written explicitly.
    pub explicit_registry: bool,
}

/// Why a text is not an image reference. The messages follow Docker's wording where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    /// Nothing written.
    Empty,
    /// A space, tab or newline inside the reference.
    Whitespace,
    /// A URL scheme (`http://`, `docker://`): references name no transport.
    Scheme { scheme: String },
    /// A registry host or port that is not a DNS name, IPv4 or bracketed IPv6 address.
    Domain { domain: String },
    /// A path component that breaks the grammar (`Nginx`, `-app`, `a//b`, `app_`).
    Component { component: String },
    /// The repository has upper-case letters.
    Uppercase { repository: String },
    /// A tag that breaks `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    Tag { tag: String },
    /// A digest that is not `algorithm:hex` with the algorithm's length of lower-case hex.
    Digest { digest: String },
    /// A digest algorithm other than sha256, sha384 and sha512.
    DigestAlgorithm { algorithm: String },
    /// The normalised name is longer than [`NAME_MAX_LEN`].
    NameTooLong { length: usize },
    /// 64 hexadecimal characters: an image ID, which the grammar refuses as a name.
    ImageId,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceError::Empty => f.write_str("the image reference is empty"),
            ReferenceError::Whitespace => f.write_str("an image reference cannot contain whitespace"),
            ReferenceError::Scheme { scheme } => {
                write!(f, "an image reference has no URL scheme: remove `{scheme}://`")
            }
            ReferenceError::Domain { domain } => {
                write!(
                    f,
                    "`{domain}` is not a registry host (a DNS name or IP address, optionally with `:port`)"
                )
            }
            ReferenceError::Component { component } => write!(
                f,
                "`{component}` is not a valid repository path component (lower-case letters and digits, separated by `.`, `_`, `__` or dashes)"
            ),
            ReferenceError::Uppercase { repository } => {
                write!(f, "repository name `{repository}` must be lowercase")
            }
            ReferenceError::Tag { tag } if tag.is_empty() => f.write_str("the tag after `:` is empty"),
            ReferenceError::Tag { tag } => write!(
                f,
                "`{tag}` is not a valid tag (up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`)"
            ),
            ReferenceError::Digest { digest } => {
                write!(f, "`{digest}` is not a valid digest (`sha256:` and 64 lower-case hex digits)")
            }
            ReferenceError::DigestAlgorithm { algorithm } => {
                write!(f, "unsupported digest algorithm `{algorithm}` (sha256, sha384 or sha512)")
            }
            ReferenceError::NameTooLong { length } => {
                write!(
                    f,
                    "the repository name is {length} characters long; at most {NAME_MAX_LEN} are allowed"
                )
            }
            ReferenceError::ImageId => {
                f.write_str("64 hexadecimal characters are an image ID, not a repository name")
            }
        }
    }
}

impl std::error::Error for ReferenceError {}

impl FromStr for ImageRef {
    type Err = ReferenceError;

    /// Parses `text` exactly (no trimming) by the reference grammar and normalises it.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if text.chars().any(char::is_whitespace) {
            return Err(ReferenceError::Whitespace);
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(ReferenceError::Scheme { scheme: scheme.to_string() });
        }
        if is_image_id(text) {
            return Err(ReferenceError::ImageId);
        }
        let (name_and_tag, digest) = match text.split_once('@') {
            Some((name, digest)) => (name, Some(parse_digest(digest)?)),
            None => (text, None),
        };
        let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
            Some(i) => {
                let at = last_slash + i;
                let tag = &name_and_tag[at + 1..];
                if !is_tag(tag) {
                    return Err(ReferenceError::Tag { tag: tag.to_string() });
                }
                (&name_and_tag[..at], Some(tag.to_string()))
            }
            None => (name_and_tag, None),
        };
        let (registry, path, explicit_registry) = split_domain(name)?;
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(ReferenceError::Uppercase { repository: path.to_string() });
        }
        if let Some(component) = path.split('/').find(|c| !is_path_component(c)) {
            return Err(ReferenceError::Component { component: component.to_string() });
        }
        let registry = if DOCKER_HUB_ALIASES.iter().any(|alias| registry.eq_ignore_ascii_case(alias)) {
            DOCKER_HUB.to_string()
        } else {
            registry.to_string()
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        let length = registry.len() + 1 + repository.len();
        if length > NAME_MAX_LEN {
            return Err(ReferenceError::NameTooLong { length });
        }
        Ok(ImageRef { registry, repository, tag, digest, explicit_registry })
    }
}

impl ImageRef {
    /// Parses a reference the way Docker normalises it, ignoring surrounding whitespace. Returns
    /// `None` for text that cannot be a reference; `text.trim().parse::<ImageRef>()` says why.
    pub fn parse(text: &str) -> Option<ImageRef> {
        text.trim().parse().ok()
    }

    /// Docker Hub official image (`library/...`).
    pub fn is_official(&self) -> bool {
        self.is_docker_hub() && self.repository.starts_with("library/")
    }

    /// Whether the image is on Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// The short name users write: `nginx` for `docker.io/library/nginx`, `bitnami/redis`, and
    /// `registry/repository` elsewhere.
    pub fn familiar_name(&self) -> String {
        if self.is_docker_hub() {
            self.repository.strip_prefix("library/").unwrap_or(&self.repository).to_string()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The registry host without its port, lower-case (`[::1]` for an IPv6 literal).
    pub fn host(&self) -> String {
        let host = if self.registry.starts_with('[') {
            self.registry.find(']').map_or(self.registry.as_str(), |end| &self.registry[..=end])
        } else {
            self.registry.split(':').next().unwrap_or(&self.registry)
        };
        host.to_ascii_lowercase()
    }

    /// The registry's port, when one was written.
    pub fn port(&self) -> Option<u16> {
        let after_host = match self.registry.rfind(']') {
            Some(end) => &self.registry[end + 1..],
            None => &self.registry,
        };
        after_host.rsplit_once(':').and_then(|(_, port)| port.parse().ok())
    }

    /// The repository's first component when it has more than one (`bitnami` of `bitnami/redis`,
    /// `library` of an official image).
    pub fn namespace(&self) -> Option<&str> {
        self.repository.split_once('/').map(|(namespace, _)| namespace)
    }

    /// The repository's last component (`redis` of `bitnami/redis`).
    pub fn base_name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or(&self.repository)
    }

    /// `registry/repository`, fully qualified (`docker.io/library/nginx`).
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The tag a pull resolves: the written tag, else `latest` when there is no digest either.
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }
}

impl ImageRef {
    /// Whether the image lies at or below `pattern`, compared component by component
    /// (registry, then each repository component): a registry (`registry.example.com:5000`,
    /// `docker.io`), a repository prefix (`ghcr.io/acme`, `docker.io/library`), with `*`
    /// matching any run of characters inside one component (`*.example.com`, `ghcr.io/acme/*`),
    /// or `*` alone for every image. Case-insensitive; Docker Hub's other host names
    /// (`index.docker.io`, `hub.docker.com`, ...) stand for `docker.io`; a trailing `/` is
    /// ignored. A registry pattern without a port matches only that registry without a port.
    pub fn matches_pattern(&self, pattern: &str) -> bool {
        let pattern = pattern.trim().trim_end_matches('/').to_ascii_lowercase();
        if pattern == "*" {
            return true;
        }
        let mut parts = pattern.split('/');
        let Some(first) = parts.next() else { return false };
        let first =
            if first == "hub.docker.com" || DOCKER_HUB_ALIASES.contains(&first) { DOCKER_HUB } else { first };
        let registry = self.registry.to_ascii_lowercase();
        let mut name = std::iter::once(registry.as_str()).chain(self.repository.split('/'));
        std::iter::once(first)
            .chain(parts)
            .all(|part| name.next().is_some_and(|component| glob_match(part, component)))
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters other than `/`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn matches(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len())
                .take_while(|&i| i == 0 || text[i - 1] != b'/')
                .any(|i| matches(rest, &text[i..])),
            Some((c, rest)) => text.first() == Some(c) && matches(rest, &text[1..]),
        }
    }
    matches(pattern.as_bytes(), text.as_bytes())
}

impl fmt::Display for ImageRef {
    /// The fully qualified reference: `docker.io/library/nginx:1.27@sha256:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// Whether `text` is an image ID rather than a name: 64 lower-case hex digits, bare or after
/// `sha256:` (as `docker inspect` writes `Config.Image` for a container run by ID).
pub fn is_image_id(text: &str) -> bool {
    let hex = text.strip_prefix("sha256:").unwrap_or(text);
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Splits the registry off `name` as Docker does: `(registry, path, explicit)`.
fn split_domain(name: &str) -> Result<(&str, &str, bool), ReferenceError> {
    if let Some((first, rest)) = name.split_once('/') {
        let looks_like_registry = first.contains(['.', ':', '[']) || first == "localhost";
        let has_uppercase = first.bytes().any(|b| b.is_ascii_uppercase());
        if looks_like_registry || has_uppercase {
            if !is_domain(first) {
                return Err(if looks_like_registry {
                    ReferenceError::Domain { domain: first.to_string() }
                } else {
                    ReferenceError::Uppercase { repository: name.to_string() }
                });
            }
            return Ok((first, rest, true));
        }
    }
    Ok((DOCKER_HUB, name, false))
}

/// `host[:port]` with host a DNS name, IPv4 address or bracketed IPv6 address.
fn is_domain(text: &str) -> bool {
    let (host, port) = if let Some(inner) = text.strip_prefix('[') {
        let Some(end) = inner.find(']') else { return false };
        let address = &inner[..end];
        if address.is_empty() || !address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        let after = &inner[end + 1..];
        match after.strip_prefix(':') {
            Some(port) => (None, Some(port)),
            None if after.is_empty() => (None, None),
            None => return false,
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(text), None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = host.is_none_or(|h| h.split('.').all(is_domain_component));
    port_ok && host_ok
}

/// `[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?`.
fn is_domain_component(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// `[a-z0-9]+` separated by `.`, `_`, `__` or one or more `-`.
fn is_path_component(text: &str) -> bool {
    let bytes = text.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(&bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(&bytes[i]) {
            i += 1;
        }
        let separator = &bytes[start..i];
        let valid = matches!(separator, b"." | b"_" | b"__") || separator.iter().all(|b| *b == b'-');
        if !valid {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(text: &str) -> bool {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let bytes = text.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes.first().is_some_and(word)
        && bytes.iter().all(|b| word(b) || *b == b'.' || *b == b'-')
}

/// `algorithm:hex`, with the algorithm's exact length of lower-case hex.
fn parse_digest(text: &str) -> Result<String, ReferenceError> {
    let invalid = || ReferenceError::Digest { digest: text.to_string() };
    let (algorithm, hex) = text.split_once(':').ok_or_else(invalid)?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['+', '.', '_', '-']).all(|part| {
            part.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
                && part.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !algorithm_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(ReferenceError::DigestAlgorithm { algorithm: algorithm.to_string() }),
    };
    if hex.len() != length || hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(invalid());
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parse(text: &str) -> (String, String, Option<String>, Option<String>) {
        let r: ImageRef = text.parse().unwrap_or_else(|e| panic!("{text} should parse: {e}"));
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn error(text: &str) -> ReferenceError {
        match text.parse::<ImageRef>() {
            Ok(r) => panic!("{text} should not parse, got {r}"),
            Err(e) => e,
        }
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(parse("nginx"), ("docker.io".into(), "library/nginx".into(), None, None));
        assert_eq!(
            parse("nginx:1.27"),
            ("docker.io".into(), "library/nginx".into(), Some("1.27".into()), None)
        );
        assert_eq!(
            parse("bitnami/redis:7"),
            ("docker.io".into(), "bitnami/redis".into(), Some("7".into()), None)
        );
        assert_eq!(parse("localhost:5000/app"), ("localhost:5000".into(), "app".into(), None, None));
        assert_eq!(parse("localhost/app").0, "localhost");
        assert_eq!(parse(&format!("ghcr.io/org/app:v1@{DIGEST}")).3, Some(DIGEST.into()));
        assert_eq!(parse("index.docker.io/library/alpine").0, "docker.io");
        assert_eq!(parse("registry-1.docker.io/nginx").1, "library/nginx");
        assert_eq!(parse("registry.hub.docker.com/bitnami/redis").0, "docker.io");
        assert_eq!(parse("docker.io/nginx").1, "library/nginx");
        assert_eq!(parse("registry:5000/a/b:t").2, Some("t".into()));
        // `localhost:5000` without a slash is the Hub image `localhost` with tag 5000.
        assert_eq!(
            parse("localhost:5000"),
            ("docker.io".into(), "library/localhost".into(), Some("5000".into()), None)
        );
        // An upper-case first component is a registry.
        assert_eq!(parse("Registry/app").0, "Registry");
    }

    #[test]
    fn registry_hosts_and_ports() {
        let r: ImageRef = "[::1]:5000/team/app:1".parse().unwrap();
        assert_eq!(
            (r.registry.as_str(), r.host(), r.port()),
            ("[::1]:5000", "[::1]".to_string(), Some(5000))
        );
        let r: ImageRef = "[fe80::1]/app".parse().unwrap();
        assert_eq!((r.host(), r.port()), ("[fe80::1]".to_string(), None));
        let r: ImageRef = "192.168.1.10:443/app".parse().unwrap();
        assert_eq!((r.host(), r.port()), ("192.168.1.10".to_string(), Some(443)));
        let r: ImageRef = "GHCR.io/org/app".parse().unwrap();
        assert_eq!(r.host(), "ghcr.io");
        assert_eq!(error("[::1/app"), ReferenceError::Domain { domain: "[::1".into() });
        assert_eq!(error("[zz::1]/app"), ReferenceError::Domain { domain: "[zz::1]".into() });
        assert_eq!(
            error("reg.example.com:/app"),
            ReferenceError::Domain { domain: "reg.example.com:".into() }
        );
        assert_eq!(
            error("-reg.example.com/app"),
            ReferenceError::Domain { domain: "-reg.example.com".into() }
        );
        assert_eq!(
            error("reg..example.com/app"),
            ReferenceError::Domain { domain: "reg..example.com".into() }
        );
    }

    #[test]
    fn path_components_follow_the_separators() {
        for good in ["a_b/c", "a__b", "a.b", "a---b", "my-org/my.app_v2", "0/1"] {
            assert!(good.parse::<ImageRef>().is_ok(), "{good}");
        }
        for bad in ["a___b", "a-", "-a", "a..b", "a._b", "_a", "a//b", "a/", "/a", "a_-b"] {
            assert!(matches!(error(bad), ReferenceError::Component { .. }), "{bad}");
        }
        assert_eq!(error("Nginx"), ReferenceError::Uppercase { repository: "Nginx".into() });
        assert_eq!(error("ghcr.io/Org/app"), ReferenceError::Uppercase { repository: "Org/app".into() });
    }

    #[test]
    fn tags_and_digests() {
        assert_eq!(parse("a:_x").2, Some("_x".into()));
        assert_eq!(parse(&format!("a:{}", "x".repeat(128))).2.map(|t| t.len()), Some(128));
        for bad in ["nginx:", "nginx:.1", "nginx:-1", "nginx:a+b"] {
            assert!(matches!(error(bad), ReferenceError::Tag { .. }), "{bad}");
        }
        assert!(matches!(error(&format!("a:{}", "x".repeat(129))), ReferenceError::Tag { .. }));
        assert_eq!(parse(&format!("alpine@{DIGEST}")).2, None);
        let sha512 = format!("a@sha512:{}", "0".repeat(128));
        assert!(sha512.parse::<ImageRef>().is_ok());
        for bad in [
            "x@",
            "x@sha256:abc",
            "x@sha256",
            "x@sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
        ] {
            assert!(matches!(error(bad), ReferenceError::Digest { .. }), "{bad}");
        }
        assert_eq!(
            error(&format!("x@md5:{}", "0".repeat(32))),
            ReferenceError::DigestAlgorithm { algorithm: "md5".into() }
        );
    }

    #[test]
    fn rejects_non_references() {
        assert_eq!(error(""), ReferenceError::Empty);
        assert_eq!(error("a b"), ReferenceError::Whitespace);
        assert_eq!(error("http://reg.example.com/app"), ReferenceError::Scheme { scheme: "http".into() });
        assert_eq!(error(&"a".repeat(64).replace('a', "f")), ReferenceError::ImageId);
        let long = format!("{}/{}", "a".repeat(200), "b".repeat(60));
        assert_eq!(error(&long), ReferenceError::NameTooLong { length: 271 });
        assert!(format!("{}/{}", "a".repeat(150), "b".repeat(94)).parse::<ImageRef>().is_ok());
        for bad in ["", "a b", "Nginx", "nginx:", "a//b", "x@"] {
            assert!(ImageRef::parse(bad).is_none(), "{bad:?}");
        }
        assert!(ImageRef::parse("  nginx:1  ").is_some());
        assert!(error("a b").to_string().contains("whitespace"));
    }

    #[test]
    fn patterns() {
        let matches = |image: &str, pattern: &str| ImageRef::parse(image).unwrap().matches_pattern(pattern);
        assert!(matches("registry.example.com/team/app:1.0", "registry.example.com"));
        assert!(matches(
            "ghcr.io/acme/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io/acme"
        ));
        assert!(matches("GHCR.IO/acme/app:latest", "ghcr.io/acme/"));
        assert!(!matches("ghcr.io/acmecorp/app", "ghcr.io/acme"));
        assert!(matches("ghcr.io/acme/app", "ghcr.io/acme/*"));
        assert!(!matches("ghcr.io/acme", "ghcr.io/acme/*"));
        assert!(matches("nginx:1.27", "docker.io"));
        assert!(matches("nginx:1.27", "index.docker.io/library"));
        assert!(matches("nginx", "hub.docker.com"));
        assert!(!matches("someone/nginx", "docker.io/library"));
        assert!(matches("a.b.example.com/app", "*.example.com"));
        assert!(!matches("example.com/app", "*.example.com"));
        assert!(!matches("registry.example.com.evil.io/app", "registry.example.com"));
        assert!(!matches("registry.example.com.evil.io/app", "*.example.com"));
        assert!(!matches("registry.example.com:5000/app", "registry.example.com"));
        assert!(matches("registry.example.com:5000/app", "registry.example.com:5000"));
        assert!(matches("registry.example.com:5000/app", "registry.example.com:*"));
        assert!(matches("anything/at:all", "*"));
        assert!(glob_match("a*c", "abbc") && !glob_match("a*c", "ab/c"));
    }

    #[test]
    fn image_ids_are_recognised() {
        let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert!(is_image_id(id));
        assert!(is_image_id(&format!("sha256:{id}")));
        assert!(!is_image_id("nginx"));
        assert!(!is_image_id(&id[1..]));
    }

    #[test]
    fn accessors() {
        let r = ImageRef::parse("docker.io/library/node:20").unwrap();
        assert_eq!(r.familiar_name(), "node");
        assert!(r.is_official());
        assert_eq!(r.namespace(), Some("library"));
        assert_eq!(r.base_name(), "node");
        assert_eq!(r.to_string(), "docker.io/library/node:20");
        assert_eq!(r.effective_tag(), Some("20"));
        let r = ImageRef::parse("quay.io/a/b").unwrap();
        assert_eq!(r.familiar_name(), "quay.io/a/b");
        assert_eq!(r.name(), "quay.io/a/b");
        assert_eq!(r.effective_tag(), Some("latest"));
        assert_eq!(ImageRef::parse(&format!("a@{DIGEST}")).unwrap().effective_tag(), None);
    }
}
