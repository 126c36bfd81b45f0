//! Image configurations (`docker image inspect`, the Engine API's `GET /images/{id}/json`, and the
//! `config` of an OCI/Docker image config blob) lowered to a single-stage [`ImageSpec`], so the
//! rules that judge a Dockerfile's final stage judge a built image too.
//!
//! The configuration holds the effective values (`User`, `Env`, `ExposedPorts`, `Healthcheck`,
//! `Entrypoint`, `Cmd`, `Labels`, `WorkingDir`, `Volumes`, `StopSignal`, `OnBuild`); every value
//! keeps the span of its JSON node. The base image is not recorded in a built image, so the stage's
//! base is the image itself, marked unresolved: rules about base images do not apply.

use shipshape_model::{
    BaseImage, Command, CommandForm, EnvVar, ExposedPort, Healthcheck, ImageSpec, Label, Origin, Stage, Value,
};
use shipshape_yaml::Node;
use std::sync::Arc;

/// Whether `object` is an image as `docker image inspect` prints it.
pub fn is_image_object(object: &Node) -> bool {
    object.get("HostConfig").is_none() && (object.get("RootFS").is_some() || object.get("RepoTags").is_some())
}

/// The name an image object is reported under: its first tag, else its short id.
pub fn image_name(object: &Node) -> String {
    object
        .get("RepoTags")
        .and_then(Node::as_sequence)
        .and_then(|tags| tags.iter().find_map(|t| t.as_str().filter(|s| !s.is_empty())))
        .map(str::to_string)
        .or_else(|| {
            object
                .get("Id")
                .and_then(Node::as_str)
                .map(|id| id.trim_start_matches("sha256:").chars().take(12).collect())
        })
        .unwrap_or_else(|| "image".to_string())
}

/// Lowers an image object (`docker image inspect`: `{Id, RepoTags, Config, ...}`) read from `path`.
pub fn lower_image(object: &Node, path: &Arc<str>) -> ImageSpec {
    let config = object.get("Config").or_else(|| object.get("config")).filter(|c| c.as_mapping().is_some());
    let name = image_name(object);
    lower_config(config, object, &name, path)
}

/// Lowers a config mapping (`Config` of an image inspect object, or `config` of an image config
/// blob); `whole` is the object the stage's origin points at.
pub fn lower_config(config: Option<&Node>, whole: &Node, name: &str, path: &Arc<str>) -> ImageSpec {
    let origin = |node: &Node| Origin::new(path.clone(), node.source_span());
    let text = |node: &Node| node.as_str().map(str::to_string);
    let stage_origin = origin(whole);
    let mut stage = Stage {
        index: 0,
        name: None,
        origin: stage_origin.clone(),
        base: BaseImage::Unresolved { value: Value::literal(name, stage_origin.clone()) },
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
    };
    let field = |key: &str| config.and_then(|c| c.get(key)).filter(|n| !n.is_null());
    if let Some(user) = field("User").and_then(|n| text(n).filter(|u| !u.is_empty()).map(|u| (n, u))) {
        stage.user = Some(Value::literal(user.1, origin(user.0)));
    }
    for entry in field("Env").and_then(Node::as_sequence).unwrap_or_default() {
        let Some(line) = entry.as_str() else { continue };
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        stage.env.push(EnvVar {
            name: key.to_string(),
            value: Value::literal(value, origin(entry)),
            origin: origin(entry),
        });
    }
    for (key, value) in field("Labels").and_then(Node::as_mapping).unwrap_or_default() {
        if let Some(label) = key.as_str() {
            let text = value.as_str().unwrap_or_default();
            stage.labels.push(Label {
                key: label.to_string(),
                value: Value::literal(text, origin(value)),
                origin: origin(key),
            });
        }
    }
    for (key, _) in field("ExposedPorts").and_then(Node::as_mapping).unwrap_or_default() {
        let Some(spec) = key.as_str() else { continue };
        let (ports, protocol) = spec.split_once('/').unwrap_or((spec, "tcp"));
        let (start, end) = ports.split_once('-').map_or((ports, None), |(a, b)| (a, Some(b)));
        stage.exposed.push(ExposedPort {
            value: Value::literal(spec, origin(key)),
            port: start.parse().ok(),
            port_end: end.and_then(|e| e.parse().ok()),
            protocol: protocol.to_ascii_lowercase(),
        });
    }
    if let Some(check) = field("Healthcheck") {
        let test: Vec<String> = check
            .get("Test")
            .and_then(Node::as_sequence)
            .unwrap_or_default()
            .iter()
            .filter_map(text)
            .collect();
        stage.healthcheck = match test.first().map(String::as_str) {
            Some("NONE") => Some(Healthcheck::Disabled { origin: origin(check) }),
            Some("CMD-SHELL") => Some(Healthcheck::Check {
                command: Command {
                    form: CommandForm::Shell(test.get(1).cloned().unwrap_or_default()),
                    origin: origin(check),
                },
                options: Vec::new(),
            }),
            Some("CMD") => Some(Healthcheck::Check {
                command: Command {
                    form: CommandForm::Exec(test.iter().skip(1).cloned().collect()),
                    origin: origin(check),
                },
                options: Vec::new(),
            }),
            // An empty test inherits the base image's check, which the image config already holds.
            _ => None,
        };
    }
    let command = |node: &Node| {
        let args: Vec<String> = node.as_sequence().unwrap_or_default().iter().filter_map(text).collect();
        Command { form: CommandForm::Exec(args), origin: origin(node) }
    };
    stage.entrypoint = field("Entrypoint").filter(|n| n.as_sequence().is_some()).map(command);
    stage.cmd = field("Cmd").filter(|n| n.as_sequence().is_some()).map(command);
    stage.shell = field("Shell").filter(|n| n.as_sequence().is_some()).map(command);
    stage.workdir = field("WorkingDir")
        .and_then(|n| text(n).filter(|w| !w.is_empty()).map(|w| Value::literal(w, origin(n))));
    stage.stop_signal = field("StopSignal").and_then(|n| text(n).map(|s| Value::literal(s, origin(n))));
    for (key, _) in field("Volumes").and_then(Node::as_mapping).unwrap_or_default() {
        if let Some(volume) = key.as_str() {
            stage.volumes.push(Value::literal(volume, origin(key)));
        }
    }
    stage.onbuild =
        field("OnBuild").and_then(Node::as_sequence).unwrap_or_default().iter().map(origin).collect();
    ImageSpec { path: path.clone(), global_args: Vec::new(), stages: vec![stage], target: Some(0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: &str = r#"[{
  "Id": "sha256:0123456789abcdef0123",
  "RepoTags": ["example/app:1.0"],
  "Config": {
    "User": "",
    "Env": ["PATH=/usr/bin", "API_TOKEN=abc"],
    "ExposedPorts": {"8080/tcp": {}, "53/udp": {}},
    "Healthcheck": {"Test": ["NONE"]},
    "Cmd": ["/app"],
    "Labels": {"maintainer": "ops"}
  },
  "RootFS": {"Type": "layers"}
}]"#;

    #[test]
    fn lowers_config_fields_with_their_lines() {
        let stream = shipshape_yaml::parse(IMAGE, &shipshape_yaml::Limits::default());
        let root = &stream.documents[0].root;
        let object = &root.as_sequence().expect("array")[0];
        assert!(is_image_object(object));
        assert_eq!(image_name(object), "example/app:1.0");
        let path: Arc<str> = Arc::from("images.json");
        let spec = lower_image(object, &path);
        let stage = spec.final_stage().expect("stage");
        assert!(stage.user.is_none(), "an empty User is the default, root");
        assert_eq!(stage.env.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["PATH", "API_TOKEN"]);
        assert_eq!(
            stage.exposed.iter().map(|p| (p.port, p.protocol.as_str())).collect::<Vec<_>>(),
            [(Some(8080), "tcp"), (Some(53), "udp")]
        );
        assert!(matches!(stage.healthcheck, Some(Healthcheck::Disabled { .. })));
        let env_line = IMAGE[..stage.env[1].origin.span.start as usize].matches('\n').count() + 1;
        assert_eq!(env_line, 6);
        assert!(matches!(stage.base, BaseImage::Unresolved { .. }));
    }
}
