//! `ImageSpec`: an image as built, whatever it was built from.
//!
//! A Dockerfile lowers to one `ImageSpec` with a `Stage` per `FROM`; an image's config and history
//! lower to a single-stage `ImageSpec`. Every field carries the [`Origin`] that set it, so a rule's
//! finding points at the exact instruction or argument.

use crate::span::{Origin, Spanned};
use serde::Serialize;
use std::sync::Arc;

/// A value as written and, when every variable in it could be resolved, as it evaluates.
///
/// `resolved == None` means the value depends on something shipshape cannot know (a build
/// argument without default, a variable set at run time). Rules must not guess such values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Value {
    pub raw: String,
    pub resolved: Option<String>,
    pub origin: Origin,
}

impl Value {
    pub fn literal(text: impl Into<String>, origin: Origin) -> Self {
        let text = text.into();
        Self { raw: text.clone(), resolved: Some(text), origin }
    }

    /// The resolved value, if known.
    pub fn get(&self) -> Option<&str> {
        self.resolved.as_deref()
    }
}

/// An image as built: every stage of a build, the last one being the image that ships.
#[derive(Debug, Clone, Serialize)]
pub struct ImageSpec {
    pub path: Arc<str>,
    /// `ARG`s declared before the first `FROM`; usable in `FROM` lines.
    pub global_args: Vec<ArgDecl>,
    pub stages: Vec<Stage>,
    /// Index of the stage that produces the image (the last one unless a target is chosen).
    pub target: Option<usize>,
}

impl ImageSpec {
    /// The stage whose result is the shipped image.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.target.and_then(|i| self.stages.get(i))
    }

    pub fn is_final(&self, stage: &Stage) -> bool {
        self.target == Some(stage.index)
    }

    /// The stage named `name` (case-insensitive, as BuildKit compares stage names) or numbered `name`.
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        if let Ok(index) = name.parse::<usize>() {
            return self.stages.get(index);
        }
        self.stages.iter().find(|s| s.name.as_ref().is_some_and(|n| n.raw.eq_ignore_ascii_case(name)))
    }
}

/// One `FROM` and everything up to the next.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, as written.
    pub name: Option<Value>,
    /// The whole `FROM` instruction.
    pub origin: Origin,
    pub base: BaseImage,
    pub platform: Option<Value>,
    /// The last `USER` in effect: set in this stage, or inherited from a parent stage.
    /// `None` means the base image's own user (root for most images).
    pub user: Option<Value>,
    pub env: Vec<EnvVar>,
    pub args: Vec<ArgDecl>,
    pub labels: Vec<Label>,
    pub exposed: Vec<ExposedPort>,
    pub healthcheck: Option<Healthcheck>,
    pub entrypoint: Option<Command>,
    pub cmd: Option<Command>,
    pub shell: Option<Command>,
    pub workdir: Option<Value>,
    pub volumes: Vec<Value>,
    pub stop_signal: Option<Value>,
    pub runs: Vec<Run>,
    pub files: Vec<FileCopy>,
    /// Triggers registered with `ONBUILD`, as their instruction origins.
    pub onbuild: Vec<Origin>,
    /// Stages this one reads from: its base, `COPY --from` and `RUN --mount=from=`.
    pub depends_on: Vec<usize>,
}

impl Stage {
    /// A stage with nothing in it yet but its position, `FROM` instruction and base.
    pub fn new(index: usize, origin: Origin, base: BaseImage) -> Stage {
        Stage {
            index,
            name: None,
            origin,
            base,
            platform: None,
            user: None,
            env: Vec::new(),
            args: Vec::new(),
            labels: Vec::new(),
            exposed: Vec::new(),
            healthcheck: None,
            entrypoint: None,
            cmd: None,
            shell: None,
            workdir: None,
            volumes: Vec::new(),
            stop_signal: None,
            runs: Vec::new(),
            files: Vec::new(),
            onbuild: Vec::new(),
            depends_on: Vec::new(),
        }
    }
}

/// What a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BaseImage {
    /// An image from a registry.
    Image { reference: ImageRef, value: Value },
    /// An earlier stage of the same build.
    Stage { index: usize, value: Value },
    /// `FROM scratch`.
    Scratch { value: Value },
    /// A reference with variables that could not be resolved.
    Unresolved { value: Value },
}

impl BaseImage {
    pub fn value(&self) -> &Value {
        match self {
            BaseImage::Image { value, .. }
            | BaseImage::Stage { value, .. }
            | BaseImage::Scratch { value }
            | BaseImage::Unresolved { value } => value,
        }
    }
}

/// A parsed, normalised image reference (`[registry/]repository[:tag][@digest]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ImageRef {
    /// Registry host, `docker.io` when none was written.
    pub registry: String,
    /// Repository path; Docker Hub official images get `library/`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// Whether the registry was written explicitly.
    pub explicit_registry: bool,
}

impl ImageRef {
    /// Parses a reference the way Docker normalises it. Returns `None` for text that cannot be a
    /// reference (empty, whitespace, upper case in the repository, empty components).
    pub fn parse(text: &str) -> Option<ImageRef> {
        let text = text.trim();
        if text.is_empty() || text.chars().any(char::is_whitespace) {
            return None;
        }
        let (name_and_tag, digest) = match text.split_once('@') {
            Some((n, d)) if !d.is_empty() => (n, Some(d.to_string())),
            Some(_) => return None,
            None => (text, None),
        };
        let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
            Some(i) => {
                let at = last_slash + i;
                (&name_and_tag[..at], Some(name_and_tag[at + 1..].to_string()))
            }
            None => (name_and_tag, None),
        };
        if tag.as_deref() == Some("") || name.is_empty() {
            return None;
        }
        let (registry, path, explicit_registry) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_string(), rest.to_string(), true)
            }
            _ => ("docker.io".to_string(), name.to_string(), false),
        };
        let registry = if registry == "index.docker.io" { "docker.io".to_string() } else { registry };
        if path.split('/').any(str::is_empty) || path.chars().any(|c| c.is_ascii_uppercase()) {
            return None;
        }
        let repository =
            if registry == "docker.io" && !path.contains('/') { format!("library/{path}") } else { path };
        Some(ImageRef { registry, repository, tag, digest, explicit_registry })
    }

    /// Docker Hub official image (`library/...`).
    pub fn is_official(&self) -> bool {
        self.registry == "docker.io" && self.repository.starts_with("library/")
    }

    /// The short name users write: `nginx` for `docker.io/library/nginx`.
    pub fn familiar_name(&self) -> String {
        if self.registry == "docker.io" {
            self.repository.strip_prefix("library/").unwrap_or(&self.repository).to_string()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }
}

/// `ARG name[=default]`.
#[derive(Debug, Clone, Serialize)]
pub struct ArgDecl {
    pub name: String,
    pub default: Option<Value>,
    pub origin: Origin,
}

/// `ENV name=value`.
#[derive(Debug, Clone, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: Value,
    pub origin: Origin,
}

/// `LABEL key=value`.
#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub key: String,
    pub value: Value,
    pub origin: Origin,
}

/// One port of an `EXPOSE`.
#[derive(Debug, Clone, Serialize)]
pub struct ExposedPort {
    pub value: Value,
    /// The port number, when it resolved to one (the first of a range).
    pub port: Option<u16>,
    /// The last port of a range such as `8000-8010`.
    pub port_end: Option<u16>,
    /// `tcp` unless written otherwise.
    pub protocol: String,
}

impl ExposedPort {
    /// Reads `80`, `80/udp`, `8000-8010/tcp` (as `EXPOSE` and image configs write ports): first
    /// port, last port of a range, protocol (lower-case, `tcp` when absent).
    pub fn parse_spec(text: &str) -> (Option<u16>, Option<u16>, String) {
        let (ports, protocol) = match text.split_once('/') {
            Some((ports, protocol)) if !protocol.is_empty() => (ports, protocol.to_ascii_lowercase()),
            Some((ports, _)) => (ports, "tcp".to_string()),
            None => (text, "tcp".to_string()),
        };
        match ports.split_once('-') {
            Some((first, last)) => (first.parse().ok(), last.parse().ok(), protocol),
            None => (ports.parse().ok(), None, protocol),
        }
    }
}

/// A command as written: exec form (JSON array) or shell form (run by the stage's `SHELL`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "args", rename_all = "kebab-case")]
pub enum CommandForm {
    Exec(Vec<String>),
    Shell(String),
}

/// `CMD`, `ENTRYPOINT`, `SHELL`, `HEALTHCHECK CMD` or the command of a `RUN`.
#[derive(Debug, Clone, Serialize)]
pub struct Command {
    pub form: CommandForm,
    /// The whole instruction.
    pub origin: Origin,
}

/// `HEALTHCHECK`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: inherited healthchecks are disabled.
    Disabled { origin: Origin },
    Check {
        command: Command,
        /// `--interval`, `--timeout`, `--start-period`, `--start-interval`, `--retries` as written.
        options: Vec<(String, Value)>,
    },
}

/// A `--mount` of `RUN`.
#[derive(Debug, Clone, Serialize)]
pub struct RunMount {
    /// `bind`, `cache`, `tmpfs`, `secret` or `ssh` (`bind` when not given).
    pub kind: String,
    /// Every `key=value` as written, in order (`from`, `source`, `target`, `id`, `required`, ...).
    pub options: Vec<(String, String)>,
    pub origin: Origin,
}

impl RunMount {
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    /// The mount's target path (`target`, `dst` or `destination`).
    pub fn target(&self) -> Option<&str> {
        self.option("target").or_else(|| self.option("dst")).or_else(|| self.option("destination"))
    }
}

/// A heredoc attached to an instruction (`RUN <<EOF`, `COPY <<EOF /dst`).
#[derive(Debug, Clone, Serialize)]
pub struct Heredoc {
    pub name: String,
    /// The body as the builder uses it (with `<<-`, leading tabs removed).
    pub body: String,
    /// The body exactly as written in the file, at `origin.span` (for parsers that map
    /// offsets back to the file).
    pub content: String,
    /// Whether variables in the body expand (the delimiter was not quoted).
    pub expand: bool,
    pub origin: Origin,
}

/// `RUN`.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub command: Command,
    /// The shell-form command exactly as written, from after the flags to the end of its last
    /// line (continuation lines and comment lines inside them included), with its span in the
    /// file: what a shell parser reads to report file offsets. `None` for exec form and for
    /// runs not read from a file (image history).
    pub source: Option<Spanned<String>>,
    /// The file's escape character (`\` unless `# escape=` chose the backtick).
    pub escape: char,
    pub heredocs: Vec<Heredoc>,
    pub mounts: Vec<RunMount>,
    /// `--network=default|none|host`.
    pub network: Option<Value>,
    /// `--security=sandbox|insecure`.
    pub security: Option<Value>,
    /// The `SHELL` in effect: set in this stage or inherited from a parent stage.
    pub shell: Option<Vec<String>>,
    pub origin: Origin,
}

/// Whether a file instruction was `COPY` or `ADD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileCopyKind {
    Copy,
    Add,
}

/// `COPY` or `ADD`.
#[derive(Debug, Clone, Serialize)]
pub struct FileCopy {
    pub kind: FileCopyKind,
    pub sources: Vec<Value>,
    pub destination: Value,
    pub heredocs: Vec<Heredoc>,
    /// `--from=` stage name, index or image.
    pub from: Option<Value>,
    pub chown: Option<Value>,
    pub chmod: Option<Value>,
    /// `ADD --checksum=`.
    pub checksum: Option<Value>,
    /// Every other flag as written (`--link`, `--parents`, `--exclude=`, `--keep-git-dir=`, ...).
    pub flags: Vec<(String, Option<String>)>,
    pub origin: Origin,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (String, String, Option<String>, Option<String>) {
        let r = ImageRef::parse(text).unwrap_or_else(|| panic!("{text} should parse"));
        (r.registry, r.repository, r.tag, r.digest)
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
        assert_eq!(parse("ghcr.io/org/app:v1@sha256:abc").3, Some("sha256:abc".into()));
        assert_eq!(parse("index.docker.io/library/alpine").0, "docker.io");
        assert_eq!(parse("registry:5000/a/b:t").2, Some("t".into()));
    }

    #[test]
    fn rejects_non_references() {
        for bad in ["", "a b", "Nginx", "nginx:", "a//b", "x@"] {
            assert!(ImageRef::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn familiar_name_drops_defaults() {
        assert_eq!(
            ImageRef::parse("docker.io/library/node:20").map(|r| r.familiar_name()),
            Some("node".into())
        );
        assert_eq!(ImageRef::parse("quay.io/a/b").map(|r| r.familiar_name()), Some("quay.io/a/b".into()));
    }
}

#[cfg(test)]
mod port_tests {
    use super::ExposedPort;

    #[test]
    fn port_specs() {
        assert_eq!(ExposedPort::parse_spec("80"), (Some(80), None, "tcp".into()));
        assert_eq!(ExposedPort::parse_spec("53/UDP"), (Some(53), None, "udp".into()));
        assert_eq!(ExposedPort::parse_spec("8000-8010/tcp"), (Some(8000), Some(8010), "tcp".into()));
        assert_eq!(ExposedPort::parse_spec("http"), (None, None, "tcp".into()));
    }
}
