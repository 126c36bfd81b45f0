//! JSON goes through the same parser: `docker inspect` output and JSON Kubernetes manifests.
#![allow(clippy::unwrap_used)]

use shipshape_yaml::{Limits, Node, ScalarStyle, parse};

/// Trimmed-down but realistic `docker inspect <container>` output.
const INSPECT: &str = r#"[
    {
        "Id": "4f66ad9a0b2e5f1c3d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d",
        "Created": "2024-05-01T10:20:30.123456789Z",
        "Path": "/docker-entrypoint.sh",
        "Args": ["nginx", "-g", "daemon off;"],
        "State": {"Status": "running", "Running": true, "Pid": 4242, "ExitCode": 0},
        "Image": "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6",
        "Name": "/web-café",
        "HostConfig": {
            "Binds": ["/var/run/docker.sock:/var/run/docker.sock:ro"],
            "NetworkMode": "host",
            "Privileged": true,
            "PidMode": "",
            "CapAdd": ["NET_ADMIN", "SYS_PTRACE"],
            "CapDrop": null,
            "SecurityOpt": ["seccomp=unconfined"],
            "ReadonlyRootfs": false,
            "Memory": 0,
            "NanoCpus": 1500000000,
            "CpuShares": 0,
            "PidsLimit": null,
            "Ulimits": [],
            "LogConfig": {"Type": "json-file", "Config": {}}
        },
        "Mounts": [
            {
                "Type": "bind",
                "Source": "/var/run/docker.sock",
                "Destination": "/var/run/docker.sock",
                "Mode": "ro",
                "RW": false,
                "Propagation": "rprivate"
            }
        ],
        "Config": {
            "Hostname": "4f66ad9a0b2e",
            "User": "",
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin", "GREETING=h\u00e9llo \"quoted\""],
            "Cmd": ["nginx", "-g", "daemon off;"],
            "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "Interval": 30000000000},
            "Labels": {"com.docker.compose.project": "shop", "maintainer": "NGINX <docker-maint@nginx.com>"},
            "StopSignal": "SIGQUIT",
            "Ratio": 0.75,
            "Exp": 1e-3
        }
    }
]
"#;

fn container() -> (shipshape_yaml::Stream, Node) {
    let stream = parse(INSPECT, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    assert_eq!(stream.documents.len(), 1);
    let first = stream.documents[0].root.as_sequence().unwrap()[0].clone();
    (stream, first)
}

#[test]
fn inspect_array_values() {
    let (stream, c) = container();
    assert_eq!(stream.documents[0].root.span.slice(INSPECT), INSPECT.trim_end());
    let host = c.get("HostConfig").unwrap();
    assert_eq!(host.get("Privileged").unwrap().bool_yaml12(), Some(true));
    assert_eq!(host.get("ReadonlyRootfs").unwrap().bool_yaml12(), Some(false));
    assert_eq!(host.get("NetworkMode").unwrap().as_str(), Some("host"));
    assert!(host.get("CapDrop").unwrap().is_null());
    assert!(host.get("PidsLimit").unwrap().is_null());
    assert_eq!(host.get("NanoCpus").unwrap().int(), Some(1_500_000_000));
    assert_eq!(host.get("Memory").unwrap().int(), Some(0));
    assert_eq!(host.get("Ulimits").unwrap().as_sequence().unwrap().len(), 0);
    let caps: Vec<&str> =
        host.get("CapAdd").unwrap().as_sequence().unwrap().iter().filter_map(Node::as_str).collect();
    assert_eq!(caps, ["NET_ADMIN", "SYS_PTRACE"]);
    assert_eq!(c.get_path(&["State", "Pid"]).unwrap().int(), Some(4242));
    assert_eq!(c.get("Name").unwrap().as_str(), Some("/web-café"));
    let config = c.get("Config").unwrap();
    assert_eq!(config.get("Ratio").unwrap().float(), Some(0.75));
    assert_eq!(config.get("Exp").unwrap().float(), Some(0.001));
    let env = config.get("Env").unwrap().as_sequence().unwrap();
    assert_eq!(env[1].as_str(), Some("GREETING=héllo \"quoted\""));
    assert_eq!(env[1].as_scalar().unwrap().style, ScalarStyle::DoubleQuoted);
    assert_eq!(config.get("User").unwrap().as_str(), Some(""));
    let mount = &c.get("Mounts").unwrap().as_sequence().unwrap()[0];
    assert_eq!(mount.get("RW").unwrap().bool_yaml12(), Some(false));
    // JSON strings are never booleans or numbers.
    assert_eq!(c.get_path(&["State", "Status"]).unwrap().bool_yaml11(), None);
}

#[test]
fn inspect_spans_on_keys_and_values() {
    let (_, c) = container();
    let host = c.get("HostConfig").unwrap();
    let (key, value) = host.entry("Privileged").unwrap();
    assert_eq!(key.span.slice(INSPECT), "\"Privileged\"");
    assert_eq!(key.span.start as usize, INSPECT.find("\"Privileged\"").unwrap());
    assert_eq!(value.span.slice(INSPECT), "true");
    let (_, binds) = host.entry("Binds").unwrap();
    assert_eq!(binds.span.slice(INSPECT), "[\"/var/run/docker.sock:/var/run/docker.sock:ro\"]");
    let (_, security) = host.entry("SecurityOpt").unwrap();
    assert_eq!(security.as_sequence().unwrap()[0].span.slice(INSPECT), "\"seccomp=unconfined\"");
    // After a non-ASCII character, offsets stay byte offsets.
    let (key, value) = c.get("Config").unwrap().entry("Env").unwrap();
    assert_eq!(key.span.start as usize, INSPECT.find("\"Env\"").unwrap());
    assert_eq!(value.as_sequence().unwrap()[1].span.slice(INSPECT), r#""GREETING=h\u00e9llo \"quoted\"""#);
    let (_, labels) = c.get("Config").unwrap().entry("Labels").unwrap();
    assert!(labels.span.slice(INSPECT).starts_with("{\"com.docker.compose.project\""));
    assert!(labels.span.slice(INSPECT).ends_with("<docker-maint@nginx.com>\"}"));
    let (_, host_span) = c.entry("HostConfig").unwrap();
    assert!(host_span.span.slice(INSPECT).starts_with('{') && host_span.span.slice(INSPECT).ends_with('}'));
}

#[test]
fn json_kubernetes_manifest_and_compact_json() {
    let text = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"hostPID":true,"containers":[{"name":"c","image":"busybox","securityContext":{"privileged":true,"runAsUser":0}}]}}"#;
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let root = &stream.documents[0].root;
    assert_eq!(root.get("kind").unwrap().as_str(), Some("Pod"));
    assert_eq!(root.get_path(&["spec", "hostPID"]).unwrap().bool_yaml11(), Some(true));
    let container = &root.get_path(&["spec", "containers"]).unwrap().as_sequence().unwrap()[0];
    let (key, value) = container.get("securityContext").unwrap().entry("runAsUser").unwrap();
    assert_eq!((key.span.slice(text), value.span.slice(text)), ("\"runAsUser\"", "0"));
    assert_eq!(value.int(), Some(0));
    assert_eq!(
        container.span.slice(text),
        r#"{"name":"c","image":"busybox","securityContext":{"privileged":true,"runAsUser":0}}"#
    );
}

#[test]
fn broken_json_reports_a_position() {
    let text = "[{\"a\": 1,, \"b\": 2}]";
    let stream = parse(text, &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert!((8..=11).contains(&stream.errors[0].span.start), "{:?}", stream.errors[0]);
}

#[test]
fn json_surrogate_pairs_are_decoded() {
    // Python's json.dumps writes astral characters as UTF-16 surrogate pairs; saphyr rejects
    // them, so the front end re-reads them as `\U` escapes without moving any offset.
    let text = "{\"a\": \"\\ud83d\\ude00 café \\uD83D\\uDE01!\", \"b\": \"x\",\n \"c\": [\"\\ud83d\\ude80\"], \"é\": \"\\\\ud83d\"}\n";
    let stream = parse(text, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let root = &stream.documents[0].root;
    let a = root.get("a").unwrap();
    assert_eq!(a.as_str(), Some("😀 café 😁!"));
    assert_eq!(a.span.slice(text), r#""\ud83d\ude00 café \uD83D\uDE01!""#);
    let (key, value) = root.entry("b").unwrap();
    assert_eq!((key.span.slice(text), value.span.slice(text)), ("\"b\"", "\"x\""));
    let c = root.get("c").unwrap();
    assert_eq!(c.span.slice(text), r#"["\ud83d\ude80"]"#);
    assert_eq!(c.as_sequence().unwrap()[0].as_str(), Some("🚀"));
    // An escaped backslash is not the start of an escape.
    assert_eq!(root.get("é").unwrap().as_str(), Some("\\ud83d"));
    assert_eq!(root.span.slice(text), text.trim_end());

    // A lone surrogate is an error.
    let stream = parse("{\"a\": \"\\ud83d alone\"}\n", &Limits::default());
    assert_eq!(stream.errors.len(), 1);
    assert!(stream.errors[0].message.contains("Unicode"));
}
