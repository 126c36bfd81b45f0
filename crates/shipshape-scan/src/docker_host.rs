//! A live Docker host, audited through the Engine API: every container inspected (concurrently),
//! optionally every local image, and the daemon's `/info`; the documents are checked by the same
//! front ends as `docker inspect` files, so one rule set serves files and live hosts.
//!
//! Documents are named `docker://<host>/containers.json`, `.../images.json` and `.../info.json`
//! and pretty-printed, so a finding points at the line of the container's setting.

use serde_json::Value;
use shipshape_engine::{Client, Connection, Endpoint, EngineError};
use shipshape_model::SourceFile;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What to audit.
#[derive(Debug, Clone)]
pub struct HostAuditOptions {
    /// Stopped containers too (`docker ps --all`).
    pub all: bool,
    /// Local images too.
    pub images: bool,
    /// Concurrent inspect calls.
    pub workers: usize,
    /// `docker ps --filter` pairs (`name`, `web`), applied to containers.
    pub filters: Vec<(String, String)>,
    /// Audit the daemon's own configuration too.
    pub daemon: bool,
    /// The daemon.json to read for a local daemon (default `/etc/docker/daemon.json`).
    pub daemon_json: Option<std::path::PathBuf>,
}

impl Default for HostAuditOptions {
    fn default() -> Self {
        Self { all: false, images: false, workers: 16, filters: Vec::new(), daemon: true, daemon_json: None }
    }
}

/// Engine API `filters` JSON for `docker ps --filter`-style pairs: `{"name":["web"]}`.
pub fn filters_json(filters: &[(String, String)]) -> String {
    let mut map: serde_json::Map<String, Value> = serde_json::Map::new();
    for (key, value) in filters {
        let entry = map.entry(key.clone()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(Value::String(value.clone()));
        }
    }
    Value::Object(map).to_string()
}

/// The documents fetched from a daemon, ready for [`crate::scan_documents`].
#[derive(Debug)]
pub struct HostSnapshot {
    /// (document, front-end kind).
    pub documents: Vec<(SourceFile, &'static str)>,
    /// How many containers and images were inspected.
    pub containers: usize,
    pub images: usize,
    /// Containers or images that vanished between listing and inspecting.
    pub vanished: usize,
    /// Registries the daemon reaches without TLS verification (`docker info` index
    /// configurations marked insecure), for `ScanOptions::insecure_registries`.
    pub insecure_registries: Vec<String>,
}

/// A short label for the daemon in document names: `local` for a unix socket, else `host:port`.
pub fn host_label(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Unix(_) => "local".to_string(),
        Endpoint::Tcp { host, port, .. } => format!("{host}:{port}"),
    }
}

/// Lists and inspects containers (and images) of the daemon behind `client`.
pub fn snapshot(client: &Client, options: &HostAuditOptions) -> Result<HostSnapshot, EngineError> {
    let label = host_label(client.endpoint());
    let mut connection = client.connection()?;
    let mut documents = Vec::new();
    let mut list = format!("/containers/json?all={}", if options.all { "true" } else { "false" });
    if !options.filters.is_empty() {
        list.push_str(&format!(
            "&filters={}",
            shipshape_engine::encode_query(&filters_json(&options.filters))
        ));
    }
    let ids = ids_of(&client.get_json(&mut connection, &list)?)?;
    let (containers, vanished_containers) = inspect_all(client, &ids, "/containers", options.workers)?;
    let count = containers.len();
    documents.push((document(&label, "containers.json", containers), "docker-inspect"));
    let mut images_count = 0;
    let mut vanished_images = 0;
    if options.images {
        let ids = ids_of(&client.get_json(&mut connection, "/images/json")?)?;
        let (images, vanished) = inspect_all(client, &ids, "/images", options.workers)?;
        images_count = images.len();
        vanished_images = vanished;
        documents.push((document(&label, "images.json", images), "docker-inspect"));
    }
    let mut insecure_registries = Vec::new();
    if options.daemon {
        let daemon = daemon_document(client, &mut connection, &label, options)?;
        insecure_registries = insecure_registries_of(&daemon.text);
        documents.push((daemon, "docker-daemon"));
    }
    Ok(HostSnapshot {
        documents,
        containers: count,
        images: images_count,
        vanished: vanished_containers + vanished_images,
        insecure_registries,
    })
}

/// The daemon's configuration as one snapshot document (see
/// `shipshape_docker::daemon::lower_snapshot`): `/info`, `/version`, the default bridge network,
/// the local daemon.json when readable, the socket's mode and owner, and the endpoint used.
fn daemon_document(
    client: &Client,
    connection: &mut Connection,
    label: &str,
    options: &HostAuditOptions,
) -> Result<SourceFile, EngineError> {
    let json = |body: Vec<u8>| serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
    let info = json(client.get_json(connection, "/info")?);
    let version = json(client.get_json(connection, "/version")?);
    let bridge = match client.get_json(connection, "/networks/bridge") {
        Ok(body) => json(body),
        Err(EngineError::Status { status: 404, .. }) => Value::Null,
        Err(error) => return Err(error),
    };
    let mut snapshot = serde_json::Map::new();
    let (address, tls) = match client.endpoint() {
        Endpoint::Unix(path) => (format!("unix://{}", path.display()), "none"),
        Endpoint::Tcp { host, port, tls } => (
            format!("tcp://{host}:{port}"),
            match tls {
                None => "none",
                Some(files) if files.verify => "verify",
                Some(_) => "no-verify",
            },
        ),
    };
    // A unix socket is local: the daemon's config file and the socket itself can be looked at.
    if let Endpoint::Unix(path) = client.endpoint() {
        if let Some(socket) = socket_stat(path) {
            snapshot.insert("socket".into(), socket);
        }
        let daemon_json = options.daemon_json.clone().unwrap_or_else(|| "/etc/docker/daemon.json".into());
        if let Ok(text) = std::fs::read(&daemon_json)
            && let Ok(value) = serde_json::from_slice::<Value>(&text)
        {
            snapshot.insert("daemon".into(), value);
        }
    } else {
        snapshot.insert("endpoint".into(), serde_json::json!({"address": address, "tls": tls}));
    }
    snapshot.insert("info".into(), info);
    snapshot.insert("version".into(), version);
    snapshot.insert("bridge".into(), bridge);
    let text = serde_json::to_string_pretty(&Value::Object(snapshot)).unwrap_or_else(|_| "{}".to_string());
    Ok(SourceFile::new(format!("docker://{label}/engine.json"), text))
}

/// The registries `docker info` marks insecure (`RegistryConfig.IndexConfigs.*.Secure: false`)
/// in a daemon snapshot document.
fn insecure_registries_of(snapshot: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(snapshot) else { return Vec::new() };
    let Some(indexes) = value.pointer("/info/RegistryConfig/IndexConfigs").and_then(Value::as_object) else {
        return Vec::new();
    };
    indexes
        .iter()
        .filter(|(_, config)| config.get("Secure").and_then(Value::as_bool) == Some(false))
        .map(|(name, _)| name.clone())
        .collect()
}

/// The socket's permission bits and owner, with user and group names where the local
/// `/etc/passwd` and `/etc/group` know them.
fn socket_stat(path: &std::path::Path) -> Option<Value> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    let name = |file: &str, id: u32| {
        std::fs::read_to_string(file)
            .ok()
            .and_then(|text| {
                text.lines().find_map(|line| {
                    let mut fields = line.split(':');
                    let name = fields.next()?;
                    let _password = fields.next()?;
                    (fields.next()? == id.to_string()).then(|| name.to_string())
                })
            })
            .unwrap_or_else(|| id.to_string())
    };
    Some(serde_json::json!({
        "path": path.display().to_string(),
        "mode": metadata.mode() & 0o7777,
        "owner": name("/etc/passwd", metadata.uid()),
        "group": name("/etc/group", metadata.gid()),
    }))
}

/// The `Id` of each object of a list response.
fn ids_of(body: &[u8]) -> Result<Vec<String>, EngineError> {
    let list: Value = serde_json::from_slice(body)
        .map_err(|e| EngineError::Protocol(format!("a list that is not JSON: {e}")))?;
    let items = list.as_array().ok_or_else(|| EngineError::Protocol("a list that is not an array".into()))?;
    Ok(items.iter().filter_map(|item| item.get("Id").and_then(Value::as_str).map(str::to_string)).collect())
}

/// Inspects every id on `workers` connections at once; keeps the list's order. Objects removed in
/// the meantime (404) are counted, not errors.
fn inspect_all(
    client: &Client,
    ids: &[String],
    collection: &str,
    workers: usize,
) -> Result<(Vec<Value>, usize), EngineError> {
    let results: Mutex<Vec<Option<Value>>> = Mutex::new(vec![None; ids.len()]);
    let next = AtomicUsize::new(0);
    let vanished = AtomicUsize::new(0);
    let first_error: Mutex<Option<EngineError>> = Mutex::new(None);
    let workers = workers.clamp(1, 64).min(ids.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut connection: Option<Connection> = None;
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(index) else { break };
                    let outcome = match connection.take().map_or_else(|| client.connection(), Ok) {
                        Ok(mut conn) => {
                            let body = client.get_json(&mut conn, &format!("{collection}/{id}/json"));
                            connection = Some(conn);
                            body
                        }
                        Err(error) => Err(error),
                    };
                    match outcome {
                        Ok(body) => match serde_json::from_slice::<Value>(&body) {
                            Ok(value) => {
                                if let Ok(mut results) = results.lock()
                                    && let Some(slot) = results.get_mut(index)
                                {
                                    *slot = Some(value);
                                }
                            }
                            Err(e) => {
                                record(&first_error, EngineError::Protocol(format!("{collection}/{id}: {e}")))
                            }
                        },
                        Err(EngineError::Status { status: 404, .. }) => {
                            vanished.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(error) => {
                            record(&first_error, error);
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = first_error.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        return Err(error);
    }
    let results = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok((results.into_iter().flatten().collect(), vanished.into_inner()))
}

fn record(slot: &Mutex<Option<EngineError>>, error: EngineError) {
    if let Ok(mut slot) = slot.lock()
        && slot.is_none()
    {
        *slot = Some(error);
    }
}

/// A pretty-printed JSON array as a document named `docker://<label>/<name>`.
fn document(label: &str, name: &str, objects: Vec<Value>) -> SourceFile {
    let text = serde_json::to_string_pretty(&Value::Array(objects)).unwrap_or_else(|_| "[]".to_string());
    SourceFile::new(format!("docker://{label}/{name}"), text)
}

/// A daemon event that launches something worth checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// A container was created or started.
    Container {
        /// Container id.
        id: String,
        /// Its name.
        name: String,
        /// `create` or `start`.
        action: String,
    },
    /// A process was `docker exec`ed into a container.
    Exec {
        /// The exec instance's id.
        exec_id: String,
        /// The container's name.
        container: String,
        /// The command line, as the event gives it.
        command: String,
    },
}

/// Reads one `/events` line: the launch it reports (if any) and the event's time (unix seconds).
pub fn parse_event(line: &str) -> (Option<Launch>, Option<i64>) {
    let Ok(event) = serde_json::from_str::<Value>(line) else { return (None, None) };
    let time = event.get("time").and_then(Value::as_i64);
    if event.get("Type").and_then(Value::as_str) != Some("container") {
        return (None, time);
    }
    let action = event.get("Action").and_then(Value::as_str).unwrap_or_default();
    let actor = event.get("Actor");
    let attribute = |key: &str| {
        actor
            .and_then(|a| a.pointer(&format!("/Attributes/{key}")))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let id = actor.and_then(|a| a.get("ID")).and_then(Value::as_str).unwrap_or_default().to_string();
    let launch = if action == "create" || action == "start" {
        Some(Launch::Container { id, name: attribute("name").to_string(), action: action.to_string() })
    } else if let Some(command) = action.strip_prefix("exec_create:") {
        let exec_id = attribute("execID").to_string();
        (!exec_id.is_empty()).then(|| Launch::Exec {
            exec_id,
            container: attribute("name").to_string(),
            command: command.trim().to_string(),
        })
    } else {
        None
    };
    (launch, time)
}

/// Follows the daemon's events, calling `on_launch` for each launch, until `on_launch` returns
/// `false`. When the stream breaks (the daemon restarts), reconnects with exponential backoff (1 s
/// up to 30 s), resuming from the last event seen so none is missed; `on_reconnect` hears about
/// each attempt. Fails only if the very first connection fails.
pub fn follow(
    client: &Client,
    since: Option<String>,
    filters: &[(String, String)],
    on_launch: &mut dyn FnMut(Launch) -> bool,
    on_reconnect: &mut dyn FnMut(&EngineError, std::time::Duration),
) -> Result<(), EngineError> {
    let mut since = since;
    let mut connected_once = false;
    let mut backoff = std::time::Duration::from_secs(1);
    loop {
        let mut event_filters = vec![
            ("type".to_string(), "container".to_string()),
            ("event".to_string(), "create".to_string()),
            ("event".to_string(), "start".to_string()),
            ("event".to_string(), "exec_create".to_string()),
        ];
        // `docker ps` filter names map onto event filters: a container `name` is `container`.
        for (key, value) in filters {
            let key = if key == "name" || key == "id" { "container" } else { key.as_str() };
            event_filters.push((key.to_string(), value.clone()));
        }
        let mut path =
            format!("/events?filters={}", shipshape_engine::encode_query(&filters_json(&event_filters)));
        if let Some(since) = &since {
            path.push_str(&format!("&since={}", shipshape_engine::encode_query(since)));
        }
        let stream = client.connection().and_then(|c| c.stream_lines(&client.versioned(&path)));
        let error = match stream {
            Ok(lines) => {
                connected_once = true;
                backoff = std::time::Duration::from_secs(1);
                let mut ended_by = None;
                for line in lines {
                    match line {
                        Ok(line) => {
                            let (launch, time) = parse_event(&line);
                            if let Some(time) = time {
                                // Resume after this second; events of the same second may repeat.
                                since = Some(time.to_string());
                            }
                            if let Some(launch) = launch
                                && !on_launch(launch)
                            {
                                return Ok(());
                            }
                        }
                        Err(error) => {
                            ended_by = Some(error);
                            break;
                        }
                    }
                }
                ended_by.unwrap_or_else(|| EngineError::Protocol("the daemon ended the event stream".into()))
            }
            Err(error) if !connected_once => return Err(error),
            Err(error) => error,
        };
        on_reconnect(&error, backoff);
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(std::time::Duration::from_secs(30));
    }
}

/// The document to check for a launch: the container's inspect output, or for an exec a
/// container-shaped object holding the exec's privileges (`Privileged`, `User`). `None` when the
/// container or exec is already gone.
pub fn launch_document(client: &Client, launch: &Launch) -> Result<Option<SourceFile>, EngineError> {
    let label = host_label(client.endpoint());
    let mut connection = client.connection()?;
    let fetched = match launch {
        Launch::Container { id, .. } => client.get_json(&mut connection, &format!("/containers/{id}/json")),
        Launch::Exec { exec_id, .. } => client.get_json(&mut connection, &format!("/exec/{exec_id}/json")),
    };
    let body = match fetched {
        Ok(body) => body,
        Err(EngineError::Status { status: 404, .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let value: Value = serde_json::from_slice(&body).map_err(|e| EngineError::Protocol(e.to_string()))?;
    Ok(Some(match launch {
        Launch::Container { name, .. } => document(&label, &format!("containers/{name}.json"), vec![value]),
        Launch::Exec { exec_id, container, command } => {
            let process = value.get("ProcessConfig").cloned().unwrap_or(Value::Null);
            let short: String = exec_id.chars().take(12).collect();
            let object = serde_json::json!({
                "Id": exec_id,
                "Name": format!("/{container} (exec {short}: {command})"),
                "Config": {"User": process.get("user").cloned().unwrap_or(Value::Null)},
                "HostConfig": {"Privileged": process.get("privileged").cloned().unwrap_or(Value::Bool(false))},
                "ProcessConfig": process,
            });
            document(&label, &format!("execs/{container}-{short}.json"), vec![object])
        }
    }))
}

/// The rules that judge an exec: only what an exec can change (its privileges).
pub const EXEC_RULES: [&str; 1] = ["PRV100"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_registries_come_from_the_index_configurations() {
        let snapshot = r#"{"info": {"RegistryConfig": {"IndexConfigs": {
            "docker.io": {"Name": "docker.io", "Secure": true},
            "registry.lan:5000": {"Name": "registry.lan:5000", "Secure": false}}}}}"#;
        assert_eq!(insecure_registries_of(snapshot), ["registry.lan:5000"]);
        assert!(insecure_registries_of("{}").is_empty());
    }

    #[test]
    fn filters_group_by_key() {
        let pairs = [
            ("name".to_string(), "a".to_string()),
            ("name".to_string(), "b".to_string()),
            ("label".to_string(), "x=1".to_string()),
        ];
        assert_eq!(filters_json(&pairs), r#"{"label":["x=1"],"name":["a","b"]}"#);
    }

    #[test]
    fn events_become_launches() {
        let create = r#"{"status":"create","id":"d158","Type":"container","Action":"create","Actor":{"ID":"d158","Attributes":{"image":"busybox","name":"evtest"}},"time":1795990719}"#;
        assert_eq!(
            parse_event(create),
            (
                Some(Launch::Container { id: "d158".into(), name: "evtest".into(), action: "create".into() }),
                Some(1795990719)
            )
        );
        let exec = r#"{"Type":"container","Action":"exec_create: sh -c id ","Actor":{"ID":"d158","Attributes":{"execID":"2b8c","name":"evtest"}},"time":5}"#;
        assert_eq!(
            parse_event(exec).0,
            Some(Launch::Exec {
                exec_id: "2b8c".into(),
                container: "evtest".into(),
                command: "sh -c id".into()
            })
        );
        let network = r#"{"Type":"network","Action":"connect","Actor":{"ID":"f5"},"time":7}"#;
        assert_eq!(parse_event(network), (None, Some(7)));
        assert_eq!(parse_event("not json"), (None, None));
    }
}

#[cfg(test)]
mod reconnect_tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A daemon that answers the ping, then serves one event per `/events` request and hangs up,
    /// as a restarting daemon does.
    fn flaky_daemon() -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            let mut served = 0;
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let response = if request.contains("/_ping") {
                    "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"
                        .to_string()
                } else {
                    served += 1;
                    let event = format!(
                        "{{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{{\"ID\":\"c{served}\",\"Attributes\":{{\"name\":\"n{served}\"}}}},\"time\":{served}}}\n"
                    );
                    format!("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{event}")
                };
                let _ = stream.write_all(response.as_bytes());
            }
        });
        Endpoint::Tcp { host: "127.0.0.1".into(), port, tls: None }
    }

    #[test]
    fn follow_reconnects_when_the_stream_breaks_and_resumes_from_the_last_event() {
        let client = Client::connect(flaky_daemon()).expect("client");
        let mut launches = Vec::new();
        let mut reconnects = 0;
        follow(
            &client,
            None,
            &[],
            &mut |launch| {
                launches.push(launch);
                launches.len() < 2
            },
            &mut |_, wait| {
                reconnects += 1;
                assert_eq!(wait, std::time::Duration::from_secs(1), "backoff restarts after a good stream");
            },
        )
        .expect("follow");
        assert_eq!(reconnects, 1);
        let names: Vec<&str> = launches
            .iter()
            .map(|l| match l {
                Launch::Container { name, .. } => name.as_str(),
                Launch::Exec { container, .. } => container.as_str(),
            })
            .collect();
        assert_eq!(names, ["n1", "n2"]);
    }
}
