//! The image configuration (OCI image config, Docker image JSON) parsed with spans, and lowered
//! to a single-stage [`ImageSpec`] so the rules that judge Dockerfiles judge built images too.
//!
//! Every value's [`Origin`] points into the config blob's text, kept as a [`SourceFile`] named
//! `<image>@sha256:<config digest>/config.json`.
//!
//! Lowering choices:
//!
//! * `User` empty or absent means the runtime default, root: the stage's `user` is then a value
//!   written `""` that resolves to `root` (origin: the `User` value, else the `config` object),
//!   so root-user rules fire on built images that never switched user.
//! * The base image is not recorded in a config; it is [`BaseImage::Unresolved`] unless the
//!   `org.opencontainers.image.base.name` label names it.
//! * `Healthcheck.Test` `["NONE"]` is a disabled healthcheck, `["CMD", ...]` an exec-form check,
//!   `["CMD-SHELL", cmd]` a shell-form check; durations are given as Go duration strings.
//! * History entries whose `created_by` is a `RUN` (BuildKit's `RUN ... # buildkit`, the classic
//!   builder's `/bin/sh -c ...`) become the stage's `runs`, in shell form; the history itself,
//!   with each entry's layer, is [`ImageConfig::history`].

use crate::digest::Digest;
use crate::error::ImageError;
use crate::json::{get_any, str_of, string};
use shipshape_model::{
    BaseImage, Command, CommandForm, EnvVar, ExposedPort, Healthcheck, ImageRef, ImageSpec, Label, Origin,
    Run, SourceFile, Span, Stage, Value,
};
use shipshape_yaml::{Node, ScalarStyle};
use std::sync::Arc;

/// `Healthcheck` of a config.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthConfig {
    /// `Test`: `["NONE"]`, `["CMD", args...]` or `["CMD-SHELL", command]`.
    pub test: Vec<String>,
    /// Nanoseconds between checks.
    pub interval: Option<i64>,
    /// Nanoseconds before a check is considered hung.
    pub timeout: Option<i64>,
    /// Nanoseconds of start-up grace.
    pub start_period: Option<i64>,
    /// Nanoseconds between checks during start-up.
    pub start_interval: Option<i64>,
    /// Consecutive failures before unhealthy.
    pub retries: Option<i64>,
}

/// One `history` entry: a build step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Position in `history`.
    pub index: usize,
    /// `created`, as written (RFC 3339).
    pub created: Option<String>,
    /// `created_by`: the instruction that made the step, with its origin in the config text.
    pub created_by: Option<Value>,
    /// `author`.
    pub author: Option<String>,
    /// `comment` (`buildkit.dockerfile.v0`, `debuerreotype 0.15`, ...).
    pub comment: Option<String>,
    /// `empty_layer`: the step changed only configuration.
    pub empty_layer: bool,
    /// The layer the step produced, when it produced one and history and layers line up.
    pub layer: Option<usize>,
    /// The Dockerfile instruction the step ran (`RUN`, `COPY`, `ADD`, `ENV`, ...), when known.
    pub instruction: Option<String>,
    /// For `RUN` steps: the command (`/bin/sh -c` and BuildKit's decorations removed).
    pub command: Option<String>,
}

/// The parsed image configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageConfig {
    /// `architecture`.
    pub architecture: Option<String>,
    /// `os`.
    pub os: Option<String>,
    /// `variant`.
    pub variant: Option<String>,
    /// `created`.
    pub created: Option<String>,
    /// `author`.
    pub author: Option<String>,
    /// `config.User` (`None` when absent).
    pub user: Option<String>,
    /// `config.Env`, as `(name, value)`; an entry without `=` has no value.
    pub env: Vec<(String, Option<String>)>,
    /// `config.Entrypoint`.
    pub entrypoint: Option<Vec<String>>,
    /// `config.Cmd`.
    pub cmd: Option<Vec<String>>,
    /// `config.Shell`.
    pub shell: Option<Vec<String>>,
    /// `config.ExposedPorts` keys (`80/tcp`).
    pub exposed_ports: Vec<String>,
    /// `config.Volumes` keys.
    pub volumes: Vec<String>,
    /// `config.WorkingDir`.
    pub working_dir: Option<String>,
    /// `config.Labels`.
    pub labels: Vec<(String, String)>,
    /// `config.Healthcheck`.
    pub healthcheck: Option<HealthConfig>,
    /// `config.StopSignal`.
    pub stop_signal: Option<String>,
    /// `config.OnBuild`.
    pub on_build: Vec<String>,
    /// `history`, with each step's layer.
    pub history: Vec<HistoryEntry>,
    /// Whether the non-empty history steps are exactly as many as the layers (so
    /// [`HistoryEntry::layer`] is reliable).
    pub history_matches_layers: bool,
    /// `rootfs.diff_ids`: digests of the uncompressed layers, bottom first.
    pub diff_ids: Vec<Digest>,
}

/// A parsed config: typed values, the lowered spec, and the source they point into.
pub(crate) struct ParsedConfig {
    pub(crate) config: ImageConfig,
    pub(crate) spec: ImageSpec,
    pub(crate) source: SourceFile,
}

/// The source name of a config: `<image>@<digest>/config.json`.
pub(crate) fn source_name(image: &str, digest: &Digest) -> String {
    format!("{image}@{digest}/config.json")
}

struct Lower<'a> {
    path: Arc<str>,
    text: &'a str,
}

impl Lower<'_> {
    fn origin(&self, span: Span) -> Origin {
        Origin::new(self.path.clone(), span)
    }

    fn value(&self, node: &Node, text: &str) -> Value {
        Value::literal(text, self.origin(node.span))
    }

    /// The span of the text inside a JSON string's quotes, when it has no escapes (so bytes map
    /// one to one), else the whole string token.
    fn inner_span(&self, node: &Node, start_in_value: usize, len: usize) -> Span {
        let span = node.span;
        let token = span.slice(self.text);
        let plain = node.as_scalar().is_some_and(|s| s.style == ScalarStyle::DoubleQuoted)
            && token.len() >= 2
            && !token.contains('\\');
        if !plain {
            return span;
        }
        let start = span.start as usize + 1 + start_in_value;
        let end = (start + len).min(span.end as usize - 1);
        Span::from_range(start.min(end)..end)
    }
}

fn strings(node: Option<&Node>) -> Option<Vec<(String, &Node)>> {
    let node = node?;
    if node.is_null() {
        return None;
    }
    Some(node.as_sequence()?.iter().filter_map(|n| string(n).map(|s| (s.to_string(), n))).collect())
}

fn map_keys(node: Option<&Node>) -> Vec<(String, &Node)> {
    node.and_then(Node::as_mapping)
        .map(|entries| entries.iter().filter_map(|(k, _)| string(k).map(|s| (s.to_string(), k))).collect())
        .unwrap_or_default()
}

fn int(node: Option<&Node>) -> Option<i64> {
    node.and_then(Node::int)
}

/// A Go duration string for nanoseconds (`30s`, `1m30s`, `500ms`), as Docker prints them.
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    if n < 1_000 {
        return format!("{sign}{n}ns");
    }
    if n < 1_000_000 {
        return format!("{sign}{}µs", trim_fraction(n, 1_000));
    }
    if n < 1_000_000_000 {
        return format!("{sign}{}ms", trim_fraction(n, 1_000_000));
    }
    let hours = n / 3_600_000_000_000;
    let minutes = (n / 60_000_000_000) % 60;
    let seconds = trim_fraction(n % 60_000_000_000, 1_000_000_000);
    let mut out = sign.to_string();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&format!("{seconds}s"));
    out
}

fn trim_fraction(value: u64, unit: u64) -> String {
    let whole = value / unit;
    let fraction = value % unit;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = unit.to_string().len() - 1;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Parses a config blob. `name` is the image's display name for the source path.
pub(crate) fn parse(
    data: &[u8],
    image: &str,
    digest: &Digest,
    layers: usize,
) -> Result<ParsedConfig, ImageError> {
    let path: Arc<str> = source_name(image, digest).into();
    let text = crate::json::lossy_text(data);
    let root = crate::json::parse(&text, &path)?;
    if root.as_mapping().is_none() {
        return Err(ImageError::invalid(path.to_string(), "the image config is not a JSON object"));
    }
    let (config, spec) = lower_config(&root, &path, &text, layers)?;
    let source = SourceFile::new(path, text);
    Ok(ParsedConfig { config, spec, source })
}

/// Lowers a configuration already parsed with spans: an image config blob (`config`, `rootfs`,
/// `history`) or a `docker image inspect` object (`Config`), found in `text` (the file `path`).
/// `layers` is the number of layers the image has, for lining history up with them (0 when
/// unknown).
pub fn lower_config(
    root: &Node,
    path: &Arc<str>,
    text: &str,
    layers: usize,
) -> Result<(ImageConfig, ImageSpec), ImageError> {
    let text = text.to_string();
    let lower = Lower { path: path.clone(), text: &text };
    let container = get_any(root, &["config", "Config"]).filter(|n| n.as_mapping().is_some());
    let field = |key: &str| container.and_then(|c| c.get(key)).filter(|n| !n.is_null());

    let mut config = ImageConfig {
        architecture: str_of(root, "architecture").map(str::to_string),
        os: str_of(root, "os").map(str::to_string),
        variant: str_of(root, "variant").map(str::to_string),
        created: str_of(root, "created").map(str::to_string),
        author: str_of(root, "author").map(str::to_string),
        user: field("User").and_then(string).map(str::to_string),
        ..ImageConfig::default()
    };
    let stage_origin = lower.origin(root.span);
    let config_origin = container.map_or_else(|| stage_origin.clone(), |c| lower.origin(c.span));
    let mut stage = Stage::new(
        0,
        stage_origin.clone(),
        BaseImage::Unresolved { value: Value { raw: String::new(), resolved: None, origin: stage_origin } },
    );
    if let (Some(os), Some(arch)) = (&config.os, &config.architecture) {
        let platform = match &config.variant {
            Some(v) => format!("{os}/{arch}/{v}"),
            None => format!("{os}/{arch}"),
        };
        let node = root.get("architecture").unwrap_or(root);
        stage.platform = Some(lower.value(node, &platform));
    }

    // User: empty means root.
    stage.user = Some(match field("User") {
        Some(node) => {
            let raw = string(node).unwrap_or_default();
            let resolved = if raw.trim().is_empty() { "root" } else { raw.trim() };
            Value {
                raw: raw.to_string(),
                resolved: Some(resolved.to_string()),
                origin: lower.origin(node.span),
            }
        }
        None => Value { raw: String::new(), resolved: Some("root".into()), origin: config_origin },
    });

    for (entry, node) in strings(field("Env")).unwrap_or_default() {
        let (name, value) = match entry.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (entry.clone(), None),
        };
        config.env.push((name.clone(), value.clone()));
        let origin = lower.origin(node.span);
        let value = match value {
            Some(v) => {
                let span = lower.inner_span(node, name.len() + 1, v.len());
                Value::literal(v, lower.origin(span))
            }
            None => Value { raw: String::new(), resolved: None, origin: origin.clone() },
        };
        stage.env.push(EnvVar { name, value, origin });
    }

    if let Some(labels) = field("Labels").and_then(Node::as_mapping) {
        for (key, value) in labels {
            let (Some(k), Some(v)) = (string(key), string(value)) else { continue };
            config.labels.push((k.to_string(), v.to_string()));
            stage.labels.push(Label {
                key: k.to_string(),
                value: lower.value(value, v),
                origin: lower.origin(key.span.cover(value.span)),
            });
            if k == "org.opencontainers.image.base.name"
                && let Some(reference) = ImageRef::parse(v)
            {
                stage.base = BaseImage::Image { reference, value: lower.value(value, v) };
            }
        }
    }

    for (port, node) in map_keys(field("ExposedPorts")) {
        let (number, end, protocol) = shipshape_model::ExposedPort::parse_spec(&port);
        stage.exposed.push(ExposedPort {
            value: lower.value(node, &port),
            port: number,
            port_end: end,
            protocol,
        });
        config.exposed_ports.push(port);
    }
    for (volume, node) in map_keys(field("Volumes")) {
        stage.volumes.push(lower.value(node, &volume));
        config.volumes.push(volume);
    }
    if let Some(node) = field("WorkingDir")
        && let Some(dir) = string(node).filter(|d| !d.is_empty())
    {
        config.working_dir = Some(dir.to_string());
        stage.workdir = Some(lower.value(node, dir));
    }
    if let Some(node) = field("StopSignal")
        && let Some(signal) = string(node).filter(|d| !d.is_empty())
    {
        config.stop_signal = Some(signal.to_string());
        stage.stop_signal = Some(lower.value(node, signal));
    }
    let command = |key: &str| -> Option<(Vec<String>, Command)> {
        let node = field(key)?;
        let words: Vec<String> = strings(Some(node))?.into_iter().map(|(s, _)| s).collect();
        let origin = lower.origin(node.span);
        Some((words.clone(), Command { form: CommandForm::Exec(words), origin }))
    };
    if let Some((words, cmd)) = command("Entrypoint") {
        config.entrypoint = Some(words);
        stage.entrypoint = Some(cmd);
    }
    if let Some((words, cmd)) = command("Cmd") {
        config.cmd = Some(words);
        stage.cmd = Some(cmd);
    }
    if let Some((words, cmd)) = command("Shell") {
        config.shell = Some(words);
        stage.shell = Some(cmd);
    }
    for (trigger, node) in strings(field("OnBuild")).unwrap_or_default() {
        config.on_build.push(trigger);
        stage.onbuild.push(lower.origin(node.span));
    }
    if let Some(node) = field("Healthcheck") {
        let test: Vec<(String, &Node)> = strings(node.get("Test")).unwrap_or_default();
        let health = HealthConfig {
            test: test.iter().map(|(s, _)| s.clone()).collect(),
            interval: int(node.get("Interval")),
            timeout: int(node.get("Timeout")),
            start_period: int(node.get("StartPeriod")),
            start_interval: int(node.get("StartInterval")),
            retries: int(node.get("Retries")),
        };
        let origin = lower.origin(node.span);
        let mut options = Vec::new();
        for (key, name) in [
            ("Interval", "interval"),
            ("Timeout", "timeout"),
            ("StartPeriod", "start-period"),
            ("StartInterval", "start-interval"),
        ] {
            if let Some(value) = node.get(key)
                && let Some(nanos) = value.int().filter(|n| *n != 0)
            {
                let raw = value.span.slice(&text).to_string();
                options.push((
                    name.to_string(),
                    Value { raw, resolved: Some(go_duration(nanos)), origin: lower.origin(value.span) },
                ));
            }
        }
        if let Some(value) = node.get("Retries")
            && let Some(retries) = value.int().filter(|n| *n != 0)
        {
            options.push(("retries".to_string(), lower.value(value, &retries.to_string())));
        }
        stage.healthcheck = match test.first().map(|(s, _)| s.as_str()) {
            Some("NONE") => Some(Healthcheck::Disabled { origin }),
            Some("CMD") => Some(Healthcheck::Check {
                command: Command {
                    form: CommandForm::Exec(test.iter().skip(1).map(|(s, _)| s.clone()).collect()),
                    origin,
                },
                options,
            }),
            Some("CMD-SHELL") => Some(Healthcheck::Check {
                command: Command {
                    form: CommandForm::Shell(
                        test.iter().skip(1).map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(" "),
                    ),
                    origin,
                },
                options,
            }),
            _ => None,
        };
        config.healthcheck = Some(health);
    }

    let rootfs = root.get("rootfs");
    for node in rootfs.and_then(|r| r.get("diff_ids")).and_then(Node::as_sequence).unwrap_or_default() {
        let text_value = string(node).unwrap_or_default();
        let digest = Digest::parse(text_value).ok_or_else(|| {
            ImageError::invalid(
                path.to_string(),
                format!("rootfs.diff_ids has an invalid digest `{text_value}`"),
            )
        })?;
        config.diff_ids.push(digest);
    }

    let history_nodes = root.get("history").and_then(Node::as_sequence).unwrap_or_default();
    let non_empty = history_nodes
        .iter()
        .filter(|h| !h.get("empty_layer").and_then(Node::bool_yaml12).unwrap_or(false))
        .count();
    config.history_matches_layers = non_empty == layers && !history_nodes.is_empty();
    let mut next_layer = 0usize;
    for (index, node) in history_nodes.iter().enumerate() {
        let empty_layer = node.get("empty_layer").and_then(Node::bool_yaml12).unwrap_or(false);
        let layer = if empty_layer || next_layer >= layers {
            None
        } else {
            next_layer += 1;
            Some(next_layer - 1)
        };
        let created_by = node.get("created_by").and_then(|n| string(n).map(|text| lower.value(n, text)));
        let (instruction, command) = created_by
            .as_ref()
            .map(|v| classify(&v.raw))
            .map_or((None, None), |(i, c)| (Some(i.to_string()), c));
        if let (Some("RUN"), Some(cmd), Some(value)) = (instruction.as_deref(), &command, &created_by) {
            let origin = value.origin.clone();
            stage.runs.push(Run {
                command: Command { form: CommandForm::Shell(cmd.clone()), origin: origin.clone() },
                source: None,
                escape: '\\',
                heredocs: Vec::new(),
                mounts: Vec::new(),
                network: None,
                security: None,
                shell: None,
                origin,
            });
        }
        config.history.push(HistoryEntry {
            index,
            created: str_of(node, "created").map(str::to_string),
            created_by,
            author: str_of(node, "author").map(str::to_string),
            comment: str_of(node, "comment").map(str::to_string),
            empty_layer,
            layer,
            instruction,
            command,
        });
    }
    if !config.history_matches_layers {
        for entry in &mut config.history {
            entry.layer = None;
        }
    }
    let spec =
        ImageSpec { path: path.clone(), global_args: Vec::new(), stages: vec![stage], target: Some(0) };
    Ok((config, spec))
}

/// The instruction of a `created_by` and, for `RUN`, its command.
///
/// Forms: BuildKit `RUN /bin/sh -c cmd # buildkit`, `RUN |2 A=1 B=2 /bin/sh -c cmd # buildkit`,
/// `COPY src dst # buildkit`, `ENV K=V`, `CMD ["x"]`; classic builder `/bin/sh -c #(nop)  CMD
/// ["x"]`, `/bin/sh -c cmd`, `|1 A=1 /bin/sh -c cmd`; base images `ADD file:… in /`.
pub(crate) fn classify(created_by: &str) -> (&'static str, Option<String>) {
    const KEYWORDS: [&str; 16] = [
        "RUN",
        "COPY",
        "ADD",
        "ENV",
        "ARG",
        "CMD",
        "ENTRYPOINT",
        "LABEL",
        "EXPOSE",
        "USER",
        "WORKDIR",
        "VOLUME",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
        "ONBUILD",
    ];
    let text = created_by.trim();
    let text = text.strip_suffix("# buildkit").map_or(text, str::trim_end);
    // Classic builder metadata steps.
    for prefix in ["/bin/sh -c #(nop) ", "/bin/sh -c #(nop)"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let rest = rest.trim_start();
            let word = rest.split_whitespace().next().unwrap_or_default();
            let keyword = KEYWORDS.iter().find(|k| k.eq_ignore_ascii_case(word)).copied().unwrap_or("NOP");
            return (keyword, None);
        }
    }
    let (keyword, rest) = match text.split_once(char::is_whitespace) {
        Some((word, rest)) => match KEYWORDS.iter().find(|k| **k == word) {
            Some(k) => (*k, rest.trim_start()),
            None => ("RUN", text),
        },
        None => match KEYWORDS.iter().find(|k| **k == text) {
            Some(k) => (*k, ""),
            None => ("RUN", text),
        },
    };
    if keyword != "RUN" {
        return (keyword, None);
    }
    (keyword, Some(run_command(rest)))
}

/// `|2 A=1 B=2 /bin/sh -c cmd` → `cmd`.
fn run_command(text: &str) -> String {
    let mut rest = text.trim_start();
    if let Some(counted) = rest.strip_prefix('|') {
        let (count, after) = counted.split_once(char::is_whitespace).unwrap_or((counted, ""));
        if let Ok(n) = count.parse::<usize>() {
            let mut after = after.trim_start();
            for _ in 0..n {
                after = after.split_once(char::is_whitespace).map_or("", |(_, r)| r.trim_start());
            }
            rest = after;
        }
    }
    for shell in ["/bin/sh -c ", "/bin/bash -c ", "cmd /S /C "] {
        if let Some(command) = rest.strip_prefix(shell) {
            return command.trim().to_string();
        }
    }
    rest.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_by_forms() {
        assert_eq!(classify("/bin/sh -c #(nop)  CMD [\"sh\"]"), ("CMD", None));
        assert_eq!(classify("/bin/sh -c #(nop) ADD file:abc in / "), ("ADD", None));
        assert_eq!(classify("/bin/sh -c apk add curl"), ("RUN", Some("apk add curl".into())));
        assert_eq!(classify("|2 A=1 B=two /bin/sh -c make install"), ("RUN", Some("make install".into())));
        assert_eq!(
            classify("RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit"),
            ("RUN", Some("apt-get update && apt-get install -y curl".into()))
        );
        assert_eq!(
            classify("RUN |1 TOKEN=x /bin/sh -c echo $TOKEN # buildkit"),
            ("RUN", Some("echo $TOKEN".into()))
        );
        assert_eq!(classify("COPY app /app # buildkit"), ("COPY", None));
        assert_eq!(classify("ENV PATH=/usr/bin"), ("ENV", None));
        assert_eq!(classify("USER 1000"), ("USER", None));
        assert_eq!(classify("RUN echo hi"), ("RUN", Some("echo hi".into())));
    }

    #[test]
    fn durations() {
        assert_eq!(go_duration(30_000_000_000), "30s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(500_000_000), "500ms");
        assert_eq!(go_duration(0), "0s");
    }

    #[test]
    fn ports() {
        assert_eq!(shipshape_model::ExposedPort::parse_spec("80/tcp"), (Some(80), None, "tcp".into()));
        assert_eq!(shipshape_model::ExposedPort::parse_spec("53/UDP"), (Some(53), None, "udp".into()));
        assert_eq!(
            shipshape_model::ExposedPort::parse_spec("8000-8010/tcp"),
            (Some(8000), Some(8010), "tcp".into())
        );
    }
}
