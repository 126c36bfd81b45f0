//! `pull` against an in-process registry on 127.0.0.1: the bearer-token flow, basic auth,
//! identity tokens, multi-platform indexes, redirects, the cache, and every refusal.

use shipshape_image::{Digest, Image, Platform};
use shipshape_registry::{PullOptions, Reference, RegistryError, pull};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn reply(status: u16, body: impl Into<Vec<u8>>) -> Reply {
    Reply { status, headers: Vec::new(), body: body.into() }
}

impl Reply {
    fn with(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

type Handler = dyn Fn(&Request, &str) -> Reply + Send + Sync;

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 that records every request.
struct Server {
    host: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(handler: impl Fn(&Request, &str) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let host = listener.local_addr().expect("addr").to_string();
        let base = format!("http://{host}");
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (thread_log, thread_base) = (log.clone(), base.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, log, base) = (handler.clone(), thread_log.clone(), thread_base.clone());
                std::thread::spawn(move || serve(stream, &*handler, &log, &base));
            }
        });
        Server { host, log }
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().expect("log").clone()
    }

    fn count(&self, prefix: &str) -> usize {
        self.requests().iter().filter(|r| r.path.starts_with(prefix)).count()
    }

    fn clear(&self) {
        self.log.lock().expect("log").clear();
    }
}

fn serve(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>, base: &str) {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).is_ok_and(|n| n == 1) && first[0] == 0x16 {
        // A TLS ClientHello on a plain-HTTP port: answer as Go's net/http (docker-registry) does.
        let _ = stream
            .write_all(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
        return;
    }
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) =
        (parts.next().unwrap_or_default().to_string(), parts.next().unwrap_or_default().to_string());
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let request = Request { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() };
    log.lock().expect("log").push(request.clone());
    let answer = handler(&request, base);
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&answer.body);
}

/// A small real image: config, layers and manifest, all content-addressed.
#[derive(Clone)]
struct TestImage {
    blobs: HashMap<String, Vec<u8>>,
    manifest: Vec<u8>,
    manifest_digest: Digest,
}

fn layer(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, text.as_bytes()).expect("append");
    }
    builder.into_inner().expect("tar")
}

fn image(architecture: &str, marker: &str) -> TestImage {
    let layers = [layer(&[("etc/marker", marker)]), layer(&[("app/run.sh", "#!/bin/sh\necho hi\n")])];
    let diff_ids: Vec<String> = layers.iter().map(|l| Digest::sha256_of(l).to_string()).collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": architecture, "os": "linux",
        "config": {"User": "app", "Cmd": ["/app/run.sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .expect("config");
    let mut blobs = HashMap::new();
    let descriptor = |bytes: &[u8], media: &str| serde_json::json!({"mediaType": media, "digest": Digest::sha256_of(bytes).to_string(), "size": bytes.len()});
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor(&config, "application/vnd.oci.image.config.v1+json"),
        "layers": layers.iter().map(|l| descriptor(l, "application/vnd.oci.image.layer.v1.tar")).collect::<Vec<_>>(),
    }))
    .expect("manifest");
    blobs.insert(Digest::sha256_of(&config).to_string(), config);
    for l in layers {
        blobs.insert(Digest::sha256_of(&l).to_string(), l);
    }
    let manifest_digest = Digest::sha256_of(&manifest);
    TestImage { blobs, manifest, manifest_digest }
}

/// An index of an amd64 and an arm64 image plus an attestation manifest.
fn multi_arch() -> (Vec<u8>, TestImage, TestImage) {
    let (amd, arm) = (image("amd64", "amd64\n"), image("arm64", "arm64\n"));
    let entry = |img: &TestImage, arch: &str, variant: Option<&str>| {
        let mut platform = serde_json::json!({"os": "linux", "architecture": arch});
        if let Some(v) = variant {
            platform["variant"] = v.into();
        }
        serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": img.manifest_digest.to_string(), "size": img.manifest.len(), "platform": platform})
    };
    let attestation = serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": format!("sha256:{}", "0".repeat(64)), "size": 10,
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest"}});
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [attestation, entry(&arm, "arm64", Some("v8")), entry(&amd, "amd64", None)],
    }))
    .expect("index");
    (index, amd, arm)
}

/// Serves `images` (manifests by digest, blobs) plus `index` for tag `1.0`, with the blob of
/// the first layer redirected to `/storage/`.
fn registry_routes(
    request: &Request,
    base: &str,
    tag_manifest: &[u8],
    images: &[TestImage],
    authorized: &dyn Fn(&Request) -> bool,
    challenge: &str,
) -> Reply {
    let path = request.path.as_str();
    if let Some(digest) = path.strip_prefix("/storage/") {
        return images
            .iter()
            .find_map(|i| i.blobs.get(digest))
            .map_or_else(|| reply(404, "gone"), |b| reply(200, b.clone()));
    }
    if !path.starts_with("/v2/") {
        return reply(404, "no");
    }
    if !authorized(request) {
        return reply(401, r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
            .with("WWW-Authenticate", &challenge.replace("BASE", base));
    }
    if path == "/v2/" {
        return reply(200, "{}");
    }
    let Some(rest) = path.strip_prefix("/v2/team/app/") else {
        return reply(
            404,
            r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#,
        );
    };
    if let Some(target) = rest.strip_prefix("manifests/") {
        let found = if target == "1.0" {
            Some(tag_manifest.to_vec())
        } else {
            images.iter().find(|i| i.manifest_digest.to_string() == target).map(|i| i.manifest.clone())
        };
        let Some(bytes) = found else {
            return reply(404, r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#);
        };
        let media = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["mediaType"].as_str().map(str::to_string));
        return reply(200, bytes.clone())
            .with("Content-Type", &media.unwrap_or_default())
            .with("Docker-Content-Digest", &Digest::sha256_of(&bytes).to_string());
    }
    if let Some(digest) = rest.strip_prefix("blobs/") {
        let first_layer = images.iter().any(|i| {
            serde_json::from_slice::<serde_json::Value>(&i.manifest)
                .ok()
                .and_then(|m| m["layers"][0]["digest"].as_str().map(str::to_string))
                .as_deref()
                == Some(digest)
        });
        if first_layer {
            return reply(307, "").with("Location", &format!("{base}/storage/{digest}"));
        }
        return images.iter().find_map(|i| i.blobs.get(digest)).map_or_else(
            || reply(404, r#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#),
            |b| reply(200, b.clone()),
        );
    }
    reply(404, "?")
}

fn options(cache: &Path) -> PullOptions {
    PullOptions { insecure: true, cache_dir: Some(cache.to_path_buf()), ..PullOptions::default() }
}

fn marker(path: &Path, open: &shipshape_image::OpenOptions) -> String {
    let image = Image::open_with(path, open).expect("the pulled layout opens");
    let files = image.read_paths(&["/etc/marker"]).expect("read");
    String::from_utf8_lossy(&files[0].data).into_owned()
}

#[test]
fn anonymous_bearer_tokens_platforms_redirects_and_the_cache() {
    let (index, amd, arm) = multi_arch();
    let images = vec![amd.clone(), arm.clone()];
    let server = Server::start(move |request, base| {
        if request.path.starts_with("/token") {
            let scoped = request.path.contains("scope=repository%3Ateam%2Fapp%3Apull")
                && request.path.contains("service=mock");
            return if scoped {
                reply(200, r#"{"token":"anon-token","expires_in":300}"#)
            } else {
                reply(400, "bad scope")
            };
        }
        let authorized = |r: &Request| r.header("authorization") == Some("Bearer anon-token");
        registry_routes(
            request,
            base,
            &index,
            &images,
            &authorized,
            r#"Bearer realm="BASE/token",service="mock""#,
        )
    });
    let cache = tempfile::tempdir().expect("cache");
    let reference = Reference::parse(&format!("{}/team/app:1.0", server.host)).expect("reference");

    let pulled = pull(&reference, &options(cache.path()), &()).expect("pull amd64");
    assert_eq!(pulled.manifest_digest(), &amd.manifest_digest, "linux/amd64 is the default");
    assert_eq!(marker(pulled.path(), pulled.open_options()), "amd64\n");
    let stats = pulled.stats();
    assert_eq!((stats.blobs, stats.cached), (3, 0));
    assert!(stats.downloaded > 0 && stats.contacted_registry);
    let storage: Vec<Request> =
        server.requests().into_iter().filter(|r| r.path.starts_with("/storage/")).collect();
    assert_eq!(storage.len(), 1, "the redirected layer was fetched from storage");
    assert_eq!(storage[0].header("authorization"), None, "credentials never follow a redirect");
    let layout = pulled.path().to_path_buf();
    drop(pulled);
    assert!(!layout.exists(), "the layout goes with the image");

    let arm64 = PullOptions { platform: Platform::parse("linux/arm64"), ..options(cache.path()) };
    let pulled = pull(&reference, &arm64, &()).expect("pull arm64");
    assert_eq!(pulled.manifest_digest(), &arm.manifest_digest);
    assert_eq!(pulled.platform().map(ToString::to_string).as_deref(), Some("linux/arm64/v8"));
    assert_eq!(marker(pulled.path(), pulled.open_options()), "arm64\n");
    assert_eq!(pulled.stats().cached, 1, "the identical app layer is shared with amd64");

    server.clear();
    let again = pull(&reference, &options(cache.path()), &()).expect("second pull");
    assert_eq!((again.stats().cached, again.stats().downloaded), (3, 0));
    assert_eq!(
        server.count("/v2/team/app/blobs/") + server.count("/storage/"),
        0,
        "nothing downloaded twice"
    );

    server.clear();
    let by_digest =
        Reference::parse(&format!("{}/team/app@{}", server.host, Digest::sha256_of(&multi_arch().0)))
            .expect("ref");
    let offline = pull(&by_digest, &options(cache.path()), &()).expect("pull by digest");
    assert!(!offline.stats().contacted_registry, "a cached digest needs no network");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert_eq!(marker(offline.path(), offline.open_options()), "amd64\n");

    let s390x = PullOptions { platform: Platform::parse("linux/s390x"), ..options(cache.path()) };
    let error = pull(&reference, &s390x, &()).expect_err("no such platform").to_string();
    assert!(
        error.contains("no image for platform linux/s390x") && error.contains("linux/arm64/v8, linux/amd64"),
        "{error}"
    );
}

#[test]
fn basic_auth_with_docker_credentials() {
    let img = image("amd64", "basic\n");
    let manifest = img.manifest.clone();
    let images = vec![img];
    let expected = format!("Basic {}", shipshape_secrets::encode_base64(b"alice:wonder land"));
    let server = Server::start(move |request, base| {
        let authorized = |r: &Request| {
            r.path.starts_with("/storage/") || r.header("authorization") == Some(expected.as_str())
        };
        registry_routes(request, base, &manifest, &images, &authorized, r#"Basic realm="Registry""#)
    });
    let reference = Reference::parse(&format!("{}/team/app:1.0", server.host)).expect("reference");
    let cache = tempfile::tempdir().expect("cache");

    let anonymous = pull(&reference, &options(cache.path()), &()).expect_err("needs credentials").to_string();
    assert!(anonymous.contains(&format!("run `docker login {}`", server.host)), "{anonymous}");

    let docker = tempfile::tempdir().expect("docker config");
    let auth = shipshape_secrets::encode_base64(b"alice:wonder land");
    std::fs::write(
        docker.path().join("config.json"),
        format!(r#"{{"auths": {{"http://{}": {{"auth": "{auth}"}}}}}}"#, server.host),
    )
    .expect("write");
    let with_config =
        PullOptions { docker_config_dir: Some(docker.path().to_path_buf()), ..options(cache.path()) };
    let pulled = pull(&reference, &with_config, &()).expect("pull with credentials");
    assert_eq!(marker(pulled.path(), pulled.open_options()), "basic\n");

    std::fs::write(
        docker.path().join("config.json"),
        format!(r#"{{"auths": {{"{}": {{"username": "alice", "password": "wrong"}}}}}}"#, server.host),
    )
    .expect("write");
    let rejected = pull(&reference, &with_config, &()).expect_err("wrong password").to_string();
    assert!(
        rejected.contains("with the credentials of user `alice`") && !rejected.contains("wrong"),
        "{rejected}"
    );
}

#[test]
fn identity_tokens_are_exchanged_and_bad_credentials_rejected() {
    let img = image("amd64", "oauth\n");
    let manifest = img.manifest.clone();
    let images = vec![img];
    let server = Server::start(move |request, base| {
        if request.path.starts_with("/token") {
            let good = request.method == "POST"
                && request.body.contains("grant_type=refresh_token")
                && request.body.contains("refresh_token=refresh-123")
                && request.body.contains("scope=repository%3Ateam%2Fapp%3Apull");
            return if good {
                reply(200, r#"{"access_token":"exchanged"}"#)
            } else {
                reply(401, r#"{"details":"invalid refresh token"}"#)
            };
        }
        let authorized = |r: &Request| r.header("authorization") == Some("Bearer exchanged");
        registry_routes(
            request,
            base,
            &manifest,
            &images,
            &authorized,
            r#"Bearer realm="BASE/token",service="mock""#,
        )
    });
    let reference = Reference::parse(&format!("{}/team/app:1.0", server.host)).expect("reference");
    let cache = tempfile::tempdir().expect("cache");
    let docker = tempfile::tempdir().expect("docker config");
    let write = |token: &str| {
        std::fs::write(
            docker.path().join("config.json"),
            format!(r#"{{"auths": {{"{}": {{"identitytoken": "{token}"}}}}}}"#, server.host),
        )
        .expect("write");
    };
    let with_config =
        PullOptions { docker_config_dir: Some(docker.path().to_path_buf()), ..options(cache.path()) };
    write("refresh-123");
    let pulled = pull(&reference, &with_config, &()).expect("identity token");
    assert_eq!(marker(pulled.path(), pulled.open_options()), "oauth\n");
    write("revoked-456");
    let error = pull(&reference, &with_config, &()).expect_err("revoked").to_string();
    assert!(error.contains("rejected the identity token") && !error.contains("revoked-456"), "{error}");
}

#[test]
fn refusals_say_what_to_do_and_keep_nothing() {
    let good = image("amd64", "good\n");
    let mut tampered = good.clone();
    let config_digest =
        serde_json::from_slice::<serde_json::Value>(&good.manifest).expect("manifest")["config"]["digest"]
            .as_str()
            .expect("digest")
            .to_string();
    let mut flipped = good.blobs[&config_digest].clone();
    flipped[0] ^= 0x20;
    tampered.blobs.insert(config_digest.clone(), flipped);
    let mut padded = good.clone();
    let mut longer = good.blobs[&config_digest].clone();
    longer.extend_from_slice(b"    ");
    padded.blobs.insert(config_digest.clone(), longer);
    let variants: Arc<Mutex<TestImage>> = Arc::new(Mutex::new(tampered.clone()));
    let current = variants.clone();
    let server = Server::start(move |request, base| {
        let img = current.lock().expect("img").clone();
        registry_routes(request, base, &img.manifest.clone(), &[img], &|_| true, "")
    });
    let cache = tempfile::tempdir().expect("cache");
    let at = |tag: &str| Reference::parse(&format!("{}/team/app:{tag}", server.host)).expect("reference");

    let error = pull(&at("1.0"), &options(cache.path()), &()).expect_err("tampered config");
    assert!(matches!(error, RegistryError::DigestMismatch { .. }), "{error}");
    let blobs = cache.path().join("blobs/sha256");
    let cached: Vec<String> = std::fs::read_dir(&blobs)
        .expect("blobs")
        .flatten()
        .map(|e| format!("sha256:{}", e.file_name().to_string_lossy()))
        .collect();
    assert!(!cached.contains(&config_digest), "a blob that failed verification is not kept");
    assert_eq!(std::fs::read_dir(cache.path().join("tmp")).expect("tmp").count(), 0);
    assert_eq!(std::fs::read_dir(cache.path().join("layouts")).expect("layouts").count(), 0);

    *variants.lock().expect("img") = padded;
    let error = pull(&at("1.0"), &options(cache.path()), &()).expect_err("longer than promised");
    assert!(matches!(error, RegistryError::SizeMismatch { .. }), "{error}");

    let missing = pull(&at("nope"), &options(cache.path()), &()).expect_err("no such tag").to_string();
    assert!(missing.contains("tag `nope` not found") && missing.contains("MANIFEST_UNKNOWN"), "{missing}");
    let other = Reference::parse(&format!("{}/team/other:1", server.host)).expect("reference");
    let unknown = pull(&other, &options(cache.path()), &()).expect_err("no such repository").to_string();
    assert!(unknown.contains("repository `team/other` not found"), "{unknown}");

    let strict = PullOptions { insecure: false, ..options(cache.path()) };
    let tls = pull(&at("1.0"), &strict, &()).expect_err("plain HTTP without --insecure").to_string();
    assert!(tls.contains("TLS") && tls.contains("--insecure"), "{tls}");

    let closed = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let refused = Reference::parse(&format!("{closed}/team/app:1")).expect("reference");
    let error = pull(&refused, &options(cache.path()), &()).expect_err("nothing listens").to_string();
    assert!(error.contains("connection refused") && error.contains("Is the registry running?"), "{error}");
}

#[test]
fn oversized_manifests_and_layer_sets_are_refused() {
    let img = image("amd64", "big\n");
    let manifest = img.manifest.clone();
    let images = vec![img];
    let server =
        Server::start(move |request, base| registry_routes(request, base, &manifest, &images, &|_| true, ""));
    let reference = Reference::parse(&format!("{}/team/app:1.0", server.host)).expect("reference");
    let cache = tempfile::tempdir().expect("cache");
    let mut tight = options(cache.path());
    tight.limits.max_json_bytes = 100;
    let error = pull(&reference, &tight, &()).expect_err("manifest over the limit").to_string();
    assert!(error.contains("over the limit of 100"), "{error}");
    let mut few = options(cache.path());
    few.limits.max_layers = 1;
    let error = pull(&reference, &few, &()).expect_err("too many layers").to_string();
    assert!(error.contains("layer count"), "{error}");
    let mut small = options(cache.path());
    small.limits.max_uncompressed_bytes = 1000;
    let error = pull(&reference, &small, &()).expect_err("layers over the limit").to_string();
    assert!(error.contains("the layers of"), "{error}");
    assert_eq!(server.count("/v2/team/app/blobs/"), 0, "nothing downloaded past a limit");
}
