//! Lowering to `ImageSpec`: stages, base images, variable scoping, and every instruction's model.

use shipshape_dockerfile::{DiagnosticKind, Lowered, check_spec_spans, lower_with_diagnostics, parse};
use shipshape_model::{
    BaseImage, CommandForm, FileCopyKind, Healthcheck, ImageRef, ImageSpec, ImageUseKind, Stage, Value,
};

fn spec(text: &str) -> ImageSpec {
    spec_with(text, &[]).spec
}

fn spec_with(text: &str, build_args: &[(&str, &str)]) -> Lowered {
    let args: Vec<(String, String)> =
        build_args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let lowered = lower_with_diagnostics(&parse(text), "Dockerfile".into(), &args);
    if let Err(problem) = check_spec_spans(text, &lowered.spec) {
        panic!("{problem}");
    }
    lowered
}

fn resolved(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::get)
}

fn env<'a>(stage: &'a Stage, name: &str) -> Option<&'a Value> {
    stage.env.iter().rev().find(|e| e.name == name).map(|e| &e.value)
}

/// Every value's origin must slice to its raw text (for words without continuations).
fn assert_origin(text: &str, value: &Value) {
    assert_eq!(value.origin.span.slice(text), value.raw, "origin of {value:?}");
}

#[test]
fn global_arg_resolves_from() {
    let text = "ARG BASE=node:20\nFROM $BASE\n";
    let spec = spec(text);
    let stage = &spec.stages[0];
    let BaseImage::Image { reference, value } = &stage.base else { panic!("{:?}", stage.base) };
    assert_eq!(Some(reference.clone()), ImageRef::parse("node:20"));
    assert_eq!((value.raw.as_str(), value.get()), ("$BASE", Some("node:20")));
    assert_origin(text, value);
    assert_eq!(spec.global_args[0].name, "BASE");
    assert_eq!(resolved(spec.global_args[0].default.as_ref()), Some("node:20"));
    assert_eq!(spec.target, Some(0));
}

#[test]
fn arg_without_default_is_unresolved_unless_given() {
    let text = "ARG TAG\nFROM alpine:${TAG}\n";
    assert!(matches!(spec(text).stages[0].base, BaseImage::Unresolved { .. }));
    let lowered = spec_with(text, &[("TAG", "3.20")]);
    let BaseImage::Image { reference, .. } = &lowered.spec.stages[0].base else { panic!() };
    assert_eq!(reference.tag.as_deref(), Some("3.20"));
    // A build argument overrides a default.
    let lowered = spec_with("ARG TAG=3.19\nFROM alpine:$TAG\n", &[("TAG", "edge")]);
    assert_eq!(lowered.spec.stages[0].base.value().get(), Some("alpine:edge"));
    // Undeclared build arguments are not visible in FROM.
    let lowered = spec_with("FROM alpine:$TAG\n", &[("TAG", "edge")]);
    assert!(matches!(lowered.spec.stages[0].base, BaseImage::Unresolved { .. }));
    let lowered = spec_with("FROM a AS x\nFROM b AS X\nFROM x\n", &[]);
    assert_eq!(lowered.diagnostics.len(), 1);
    assert!(lowered.diagnostics[0].message.contains("duplicate stage name"));
    // The first stage of the name is the one later references mean.
    assert!(matches!(lowered.spec.stages[2].base, BaseImage::Stage { index: 0, .. }));
}

#[test]
fn stage_graph() {
    let text = "FROM golang:1.22 AS build\nRUN go build\nFROM build AS test\nFROM scratch\nCOPY --from=build /out /app\nCOPY --from=1 /report /r\nRUN --mount=type=bind,from=test,target=/t true\nCOPY --from=nginx:latest /etc/nginx /etc/nginx\n";
    let spec = spec(text);
    assert_eq!(spec.stages.len(), 3);
    assert!(matches!(spec.stages[1].base, BaseImage::Stage { index: 0, .. }));
    assert_eq!(spec.stages[1].depends_on, [0]);
    assert!(matches!(spec.stages[2].base, BaseImage::Scratch { .. }));
    assert_eq!(spec.stages[2].depends_on, [0, 1]);
    assert_eq!(spec.target, Some(2));
    assert_eq!(spec.stage_by_name("BUILD").map(|s| s.index), Some(0));
    assert!(spec.is_final(&spec.stages[2]));
}

#[test]
fn external_images_are_bases_and_froms_that_name_no_stage() {
    let text = "ARG BASE=debian:12\nARG UNSET\nFROM ${BASE} AS build\nFROM $UNSET AS other\nFROM build\nCOPY --from=BUILD /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=scratch / /\nCOPY --from=Bad_Ref / /\nRUN --mount=type=bind,from=golang:1.22,target=/go true\nRUN --mount=from=other,target=/o true\n";
    let spec = spec(text);
    let images = spec.external_images();
    let seen: Vec<(ImageUseKind, &str, bool)> =
        images.iter().map(|i| (i.kind, i.text.as_str(), i.reference.is_ok())).collect();
    assert_eq!(
        seen,
        [
            (ImageUseKind::Base, "debian:12", true),
            (ImageUseKind::CopyFrom, "nginx:1.27", true),
            (ImageUseKind::CopyFrom, "Bad_Ref", false),
            (ImageUseKind::MountFrom, "golang:1.22", true),
        ]
    );
    assert_eq!(images[0].origin.span.slice(text), "${BASE}");
    assert_eq!(images[1].origin.span.slice(text), "nginx:1.27");
    assert_eq!(images[1].stage, 2);
}

#[test]
fn user_and_config_inherit_from_parent_stage() {
    let text = "FROM alpine AS base\nUSER app\nENV HOME_DIR=/home/app\nWORKDIR /srv\nHEALTHCHECK CMD true\nFROM base\nRUN echo\nWORKDIR data\nENV LOG=$HOME_DIR/log\n";
    let spec = spec(text);
    let child = &spec.stages[1];
    assert_eq!(resolved(child.user.as_ref()), Some("app"));
    assert_eq!(child.user.as_ref().map(|u| u.origin.span.slice(text)), Some("app"));
    assert!(matches!(child.healthcheck, Some(Healthcheck::Check { .. })));
    assert_eq!(resolved(child.workdir.as_ref()), Some("/srv/data"));
    assert_eq!(resolved(env(child, "LOG")), Some("/home/app/log"));
    // Only the child's own ENV is listed.
    assert_eq!(child.env.len(), 1);
}

#[test]
fn env_scoping() {
    let text = "FROM a\nENV A=1\nENV A=2 B=$A\nENV C=\"$A and ${B}\" D=$UNKNOWN E=${UNKNOWN:-fallback}\nWORKDIR /w/$C\n";
    let spec = spec(text);
    let stage = &spec.stages[0];
    // Pairs of one ENV see the environment from before it, as in BuildKit.
    assert_eq!(resolved(env(stage, "B")), Some("1"));
    assert_eq!(resolved(env(stage, "C")), Some("2 and 1"));
    assert_eq!(resolved(env(stage, "D")), None);
    assert_eq!(resolved(env(stage, "E")), Some("fallback"));
    assert_eq!(resolved(stage.workdir.as_ref()), Some("/w/2 and 1"));
    assert_eq!(
        stage.env.iter().find(|e| e.name == "C").map(|e| e.value.raw.as_str()),
        Some("\"$A and ${B}\"")
    );
}

#[test]
fn arg_scoping() {
    let text = "ARG VERSION=1.0\nARG ONLY_GLOBAL=g\nFROM a\nRUN true\nLABEL before=$VERSION\nARG VERSION\nARG LOCAL=$VERSION-local\nLABEL after=$VERSION global=$ONLY_GLOBAL local=$LOCAL\nENV VERSION=env-wins\nLABEL env=$VERSION\nFROM b\nLABEL next=$LOCAL\n";
    let spec = spec(text);
    let labels: Vec<(&str, Option<&str>)> =
        spec.stages[0].labels.iter().map(|l| (l.key.as_str(), l.value.get())).collect();
    assert_eq!(
        labels,
        [
            ("before", None),
            ("after", Some("1.0")),
            ("global", None),
            ("local", Some("1.0-local")),
            ("env", Some("env-wins"))
        ]
    );
    // ARGs do not reach other stages.
    assert_eq!(spec.stages[1].labels[0].value.get(), None);
    assert_eq!(spec.stages[0].args.len(), 2);
    // A build argument overrides a stage ARG default.
    let lowered = spec_with("FROM a\nARG MODE=dev\nLABEL m=$MODE\n", &[("MODE", "prod")]);
    assert_eq!(lowered.spec.stages[0].labels[0].value.get(), Some("prod"));
}

#[test]
fn expose_ports() {
    let spec = spec("FROM a\nARG P=8443\nEXPOSE 80 53/udp 8000-8010/TCP $P ${Q}/udp\n");
    let ports: Vec<(Option<u16>, Option<u16>, &str)> =
        spec.stages[0].exposed.iter().map(|p| (p.port, p.port_end, p.protocol.as_str())).collect();
    assert_eq!(
        ports,
        [
            (Some(80), None, "tcp"),
            (Some(53), None, "udp"),
            (Some(8000), Some(8010), "tcp"),
            (Some(8443), None, "tcp"),
            (None, None, "udp")
        ]
    );
}

#[test]
fn healthchecks_and_commands() {
    let text = "FROM a\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN make\nENTRYPOINT [\"/entry\"]\nCMD serve --port 80\nFROM a\nHEALTHCHECK NONE\nCMD [\"x\"]\nENTRYPOINT /e\n";
    let spec = spec(text);
    let stage = &spec.stages[0];
    let Some(Healthcheck::Check { command, options }) = &stage.healthcheck else { panic!() };
    assert_eq!(command.form, CommandForm::Shell("curl -f http://localhost/".into()));
    let options: Vec<(&str, Option<&str>)> = options.iter().map(|(k, v)| (k.as_str(), v.get())).collect();
    assert_eq!(options, [("interval", Some("30s")), ("retries", Some("3"))]);
    assert_eq!(
        stage.runs[0].shell.as_deref(),
        Some(&["/bin/bash", "-o", "pipefail", "-c"].map(String::from)[..])
    );
    assert_eq!(stage.entrypoint.as_ref().map(|c| &c.form), Some(&CommandForm::Exec(vec!["/entry".into()])));
    assert_eq!(stage.cmd.as_ref().map(|c| &c.form), Some(&CommandForm::Shell("serve --port 80".into())));
    assert_eq!(stage.cmd.as_ref().map(|c| c.origin.span.slice(text)), Some("CMD serve --port 80"));
    let second = &spec.stages[1];
    assert!(matches!(second.healthcheck, Some(Healthcheck::Disabled { .. })));
    // ENTRYPOINT after CMD in the same stage keeps the CMD.
    assert!(second.cmd.is_some() && second.entrypoint.is_some());
}

#[test]
fn run_details() {
    let text = "FROM a\nRUN --mount=type=cache,target=/root/.cache,sharing=locked --mount=type=secret,id=npm,required --network=none --security=insecure <<EOF\nnpm ci\nEOF\nRUN [\"echo\", \"exec\"]\n";
    let spec = spec(text);
    let run = &spec.stages[0].runs[0];
    assert_eq!(run.command.form, CommandForm::Shell("<<EOF".into()));
    assert_eq!(run.heredocs.len(), 1);
    assert_eq!((run.heredocs[0].name.as_str(), run.heredocs[0].body.as_str()), ("EOF", "npm ci\n"));
    assert_eq!(run.heredocs[0].origin.span.slice(text), "npm ci\n");
    let kinds: Vec<&str> = run.mounts.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["cache", "secret"]);
    assert_eq!(run.mounts[0].target(), Some("/root/.cache"));
    assert_eq!(run.mounts[1].option("required"), Some("true"));
    assert_eq!(run.mounts[1].origin.span.slice(text), "--mount=type=secret,id=npm,required");
    assert_eq!(resolved(run.network.as_ref()), Some("none"));
    assert_eq!(resolved(run.security.as_ref()), Some("insecure"));
    assert_eq!(run.shell, None);
    assert!(run.origin.span.slice(text).ends_with("npm ci\nEOF"));
    let exec = &spec.stages[0].runs[1];
    assert_eq!(exec.command.form, CommandForm::Exec(vec!["echo".into(), "exec".into()]));
}

#[test]
fn copy_and_add_details() {
    let text = "FROM a\nARG USER=app\nCOPY --chown=$USER:$USER --chmod=0644 --link --exclude=*.md src/ lib/ /app/\nADD --checksum=sha256:abc --keep-git-dir=true https://example.com/x.tgz /x/\nCOPY <<-EOF /etc/motd\n\thello\n\tEOF\nCOPY [\"a b\", \"/dst dir/\"]\n";
    let spec = spec(text);
    let files = &spec.stages[0].files;
    let copy = &files[0];
    assert_eq!(copy.kind, FileCopyKind::Copy);
    let sources: Vec<&str> = copy.sources.iter().filter_map(Value::get).collect();
    assert_eq!(sources, ["src/", "lib/"]);
    assert_eq!(copy.destination.get(), Some("/app/"));
    assert_eq!(resolved(copy.chown.as_ref()), Some("app:app"));
    assert_eq!(copy.chown.as_ref().map(|c| c.origin.span.slice(text)), Some("$USER:$USER"));
    assert_eq!(resolved(copy.chmod.as_ref()), Some("0644"));
    assert_eq!(copy.flags, [("link".to_string(), None), ("exclude".to_string(), Some("*.md".to_string()))]);
    assert_eq!(copy.origin.span.slice(text).get(..4), Some("COPY"));
    for value in copy.sources.iter().chain([&copy.destination]) {
        assert_origin(text, value);
    }
    let add = &files[1];
    assert_eq!(add.kind, FileCopyKind::Add);
    assert_eq!(resolved(add.checksum.as_ref()), Some("sha256:abc"));
    assert_eq!(add.flags, [("keep-git-dir".to_string(), Some("true".to_string()))]);
    let heredoc_copy = &files[2];
    assert!(heredoc_copy.sources.is_empty());
    assert_eq!(heredoc_copy.heredocs[0].body, "hello\n");
    assert_eq!(heredoc_copy.destination.get(), Some("/etc/motd"));
    let json = &files[3];
    assert_eq!(json.sources[0].get(), Some("a b"));
    assert_eq!(json.destination.get(), Some("/dst dir/"));
}

#[test]
fn labels_volumes_stopsignal_onbuild() {
    let text = "FROM a\nLABEL org.opencontainers.image.source=\"https://x\" maintainer=me\nVOLUME /data [\"/not-json\"]\nVOLUME [\"/v1\", \"/v2\"]\nSTOPSIGNAL SIGQUIT\nONBUILD COPY . /src\nMAINTAINER someone\n";
    let spec = spec(text);
    let stage = &spec.stages[0];
    let labels: Vec<(&str, Option<&str>)> =
        stage.labels.iter().map(|l| (l.key.as_str(), l.value.get())).collect();
    assert_eq!(labels, [("org.opencontainers.image.source", Some("https://x")), ("maintainer", Some("me"))]);
    let volumes: Vec<&str> = stage.volumes.iter().filter_map(Value::get).collect();
    assert_eq!(volumes, ["/data", "[/not-json]", "/v1", "/v2"]);
    assert_eq!(resolved(stage.stop_signal.as_ref()), Some("SIGQUIT"));
    assert_eq!(stage.onbuild.len(), 1);
    assert_eq!(stage.onbuild[0].span.slice(text), "ONBUILD COPY . /src");
    // The ONBUILD trigger is not a COPY of this stage.
    assert!(stage.files.is_empty());
}

#[test]
fn lowering_diagnostics() {
    let lowered = spec_with("FROM Not_A/Ref\nFROM a\nENV X=${Y?required} Z=${}\nCOPY --from=5 a b\n", &[]);
    let kinds: Vec<DiagnosticKind> = lowered.diagnostics.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [DiagnosticKind::InvalidReference, DiagnosticKind::Expansion, DiagnosticKind::InvalidReference]
    );
    assert!(matches!(lowered.spec.stages[0].base, BaseImage::Unresolved { .. }));
}

#[test]
fn broken_files_still_lower() {
    for text in ["", "RUN x\n", "FROM\n", "FROM a\nCOPY x\n", "FROM a\nENV\n", "FROM a b c d\nUSER\n"] {
        let spec = spec(text);
        assert_eq!(spec.target, spec.stages.len().checked_sub(1), "{text:?}");
    }
}
