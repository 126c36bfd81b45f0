//! `ImageSpec`: an image as built, whatever it was built from.
//!
//! A Dockerfile lowers to one `ImageSpec` with a `Stage` per `FROM`; an image's config and history
//! lower to a single-stage `ImageSpec`. Every field carries the [`Origin`] that set it, so a rule's
//! finding points at the exact instruction or argument.

pub use crate::image_ref::ImageRef;
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

    /// Every image the build pulls from a registry, in file order: each stage's base image, and
    /// each `COPY --from=` and `RUN --mount=from=` that names neither a stage nor `scratch`.
    /// Values that stay unresolved (a build argument without default) are left out: what they
    /// name is unknowable. A base image that does not parse is not here either (the parser
    /// reports it); a `--from` that does not parse is, with its error.
    pub fn external_images(&self) -> Vec<ExternalImage> {
        let mut images = Vec::new();
        for stage in &self.stages {
            if let BaseImage::Image { reference, value } = &stage.base {
                images.push(ExternalImage {
                    kind: ImageUseKind::Base,
                    stage: stage.index,
                    text: value.get().unwrap_or(&value.raw).to_string(),
                    origin: value.origin.clone(),
                    reference: Ok(reference.clone()),
                });
            }
            let copies = stage
                .files
                .iter()
                .filter_map(|copy| copy.from.as_ref())
                .filter_map(|from| Some((ImageUseKind::CopyFrom, from.get()?.to_string(), &from.origin)));
            let mounts = stage.runs.iter().flat_map(|run| &run.mounts).filter_map(|mount| {
                let from = mount.option("from").filter(|from| !from.contains('$'))?;
                Some((ImageUseKind::MountFrom, from.to_string(), &mount.origin))
            });
            for (kind, text, origin) in copies.chain(mounts) {
                if text.eq_ignore_ascii_case("scratch") || self.stage_by_name(&text).is_some() {
                    continue;
                }
                let reference = text.parse::<ImageRef>();
                images.push(ExternalImage {
                    kind,
                    stage: stage.index,
                    text,
                    origin: origin.clone(),
                    reference,
                });
            }
        }
        images
    }
}

/// How a build uses an image it pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageUseKind {
    /// A stage's `FROM`.
    Base,
    /// `COPY --from=<image>`.
    CopyFrom,
    /// `RUN --mount=from=<image>`.
    MountFrom,
}

/// An image a build pulls (see [`ImageSpec::external_images`]).
#[derive(Debug, Clone)]
pub struct ExternalImage {
    pub kind: ImageUseKind,
    /// The stage that uses it.
    pub stage: usize,
    /// The reference as resolved (build arguments expanded).
    pub text: String,
    /// Where it is written: the `FROM` argument, the `--from` value, the `--mount` flag.
    pub origin: Origin,
    /// The reference parsed, or why it is not one.
    pub reference: Result<ImageRef, crate::image_ref::ReferenceError>,
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
