//! `shipshape image REF` against a real registry: Debian's `docker-registry` (the CNCF
//! distribution registry) on 127.0.0.1, images pushed with skopeo. `.ci/run` installs both;
//! locally the tests skip (saying so) when either is missing, but under CI (`CI` set) they fail.

mod images;

use images::{docker_save_archive, layer_tar, oci_layout};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn tools_available() -> bool {
    let missing: Vec<&str> = ["docker-registry", "skopeo"]
        .into_iter()
        .filter(|tool| Command::new(tool).arg("--version").output().map_or(true, |o| !o.status.success()))
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{missing:?} required under CI: .ci/run installs docker-registry and skopeo"
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipping: {missing:?} not installed (apt-get install docker-registry skopeo)"
    );
    false
}

/// A `docker-registry serve` on a free 127.0.0.1 port, storage in a temporary directory;
/// stopped when dropped.
struct Registry {
    child: Child,
    host: String,
    dir: tempfile::TempDir,
}

impl Registry {
    fn start(auth: &str) -> Registry {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: shipshape-test\n{auth}",
            dir.path().join("storage").display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("registry.log")).expect("log"))
            .spawn()
            .expect("start docker-registry");
        let registry = Registry { child, host: format!("127.0.0.1:{port}"), dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while http_status(&registry.host, "/v2/").is_none() {
            assert!(Instant::now() < deadline, "docker-registry did not start: {}", registry.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Pushes `source` (a skopeo transport reference) to `repository` on this registry.
    fn push(&self, source: &str, repository: &str, extra: &[&str]) {
        let output = Command::new("skopeo")
            .args(["copy", "--quiet", "--dest-tls-verify=false"])
            .args(extra)
            .arg(source)
            .arg(format!("docker://{}/{repository}", self.host))
            .output()
            .expect("skopeo");
        assert!(
            output.status.success(),
            "skopeo copy {source}: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of `GET path`, or `None` when nothing answers.
fn http_status(host: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    String::from_utf8_lossy(&head[9..12]).parse().ok()
}

/// Runs shipshape in `dir` with its own image cache and Docker configuration directory.
fn shipshape(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shipshape"));
    command
        .args(args)
        .current_dir(dir)
        .env("SHIPSHAPE_IMAGE_CACHE", dir.join("cache"))
        .env("DOCKER_CONFIG", dir.join("docker"))
        .env("SHIPSHAPE_DB_DIR", dir.join("db"));
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run shipshape")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// (code, path with the image's name replaced by `IMAGE`, line) of every finding.
fn findings(output: &Output, label: &str) -> Vec<(String, String, u64)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(output)));
    let mut found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["location"]["path"].as_str().unwrap_or_default().replace(label, "IMAGE"),
                f["location"]["region"]["start_line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    found
}

/// An image with a token in a file a later layer deletes, running as root.
fn planted(dir: &Path) -> PathBuf {
    let token = format!("ghp_{}", "Q7mZ2xR9pL4vT8nW3kB6yC1dF5gH0jS2aE7u");
    let dotenv = format!("APP_MODE=prod\nGITHUB_TOKEN={token}\n");
    let added = layer_tar(&[("app/.env", dotenv.as_bytes()), ("app/main.sh", b"#!/bin/sh\necho hi\n")]);
    let removed = layer_tar(&[("app/.wh..env", b"")]);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "", "Env": ["PATH=/usr/bin"], "Cmd": ["/app/main.sh"]},
        "history": [{"created_by": "COPY . /app # buildkit"}, {"created_by": "RUN /bin/sh -c rm /app/.env # buildkit"}]
    });
    let archive = dir.join("planted.tar");
    std::fs::write(&archive, docker_save_archive(&[added, removed], config, "planted:1")).expect("write");
    archive
}

#[test]
fn a_pulled_image_finds_what_its_archive_finds_and_is_cached() {
    if !tools_available() {
        return;
    }
    let registry = Registry::start("");
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = planted(dir.path());
    registry.push(&format!("docker-archive:{}", archive.display()), "team/app:1.0", &[]);
    let reference = format!("{}/team/app:1.0", registry.host);

    let from_archive = shipshape(dir.path(), &["image", "planted.tar", "-f", "json"], &[]);
    assert_eq!(from_archive.status.code(), Some(1), "{}", stderr(&from_archive));
    let pulled = shipshape(dir.path(), &["image", "--insecure", &reference, "-f", "json"], &[]);
    assert_eq!(pulled.status.code(), Some(1), "{}", stderr(&pulled));
    let expected = findings(&from_archive, "planted.tar");
    // The config document is named after the reference in both (`planted:1@sha256:…`).
    let expected: Vec<_> =
        expected.into_iter().map(|(c, p, l)| (c, p.replace("planted:1@", "IMAGE@"), l)).collect();
    assert_eq!(findings(&pulled, &reference), expected);
    assert!(
        expected
            .iter()
            .any(|(c, p, l)| c == "SEC110" && p == "IMAGE!/layer-0/app/.env (deleted by layer 1)" && *l == 2),
        "{expected:?}"
    );
    assert!(expected.iter().any(|(c, _, _)| c == "PRV001"), "{expected:?}");
    assert!(
        stderr(&pulled).contains(": 3 blobs,") && stderr(&pulled).contains(", 0 from the cache"),
        "{}",
        stderr(&pulled)
    );
    assert!(
        !String::from_utf8_lossy(&pulled.stdout).contains("ghp_Q7mZ2x"),
        "the token is never printed whole"
    );

    let again = shipshape(
        dir.path(),
        &["image", "--insecure", &reference, "-f", "json", "--image-src", "registry"],
        &[],
    );
    assert_eq!(findings(&again, &reference), findings(&pulled, &reference));
    assert!(
        stderr(&again).contains("0.0 MB downloaded") && stderr(&again).contains("3 from the cache"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("cache/layouts")).expect("layouts").count(),
        0,
        "layouts are removed"
    );

    let fresh = tempfile::tempdir().expect("tempdir");
    let uncached =
        shipshape(fresh.path(), &["image", "--insecure", "--no-cache", &reference, "-f", "json"], &[]);
    assert_eq!(findings(&uncached, &reference), findings(&pulled, &reference));
    assert!(!fresh.path().join("cache").exists(), "--no-cache keeps nothing");

    let missing =
        shipshape(dir.path(), &["image", "--insecure", &format!("{}/team/app:2.0", registry.host)], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("tag `2.0` not found"), "{}", stderr(&missing));
    let strict = shipshape(dir.path(), &["image", "--image-src", "registry", &reference], &[]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(stderr(&strict).contains("pass --insecure"), "{}", stderr(&strict));
}

#[test]
fn basic_auth_from_docker_credentials_and_a_credential_helper() {
    if !tools_available() {
        return;
    }
    let htpasswd_dir = tempfile::tempdir().expect("tempdir");
    let htpasswd = htpasswd_dir.path().join("htpasswd");
    // bcrypt of `wonder land`.
    std::fs::write(&htpasswd, "alice:$2b$05$U/iQANe3pjCOjHWCt1Kkh.aFvRFGdu/jvVyftTeDKLJYHkie/2vfO\n")
        .expect("write");
    let registry = Registry::start(&format!(
        "auth:\n  htpasswd:\n    realm: shipshape-test\n    path: {}\n",
        htpasswd.display()
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = planted(dir.path());
    registry.push(
        &format!("docker-archive:{}", archive.display()),
        "team/private:1",
        &["--dest-creds", "alice:wonder land"],
    );
    let reference = format!("{}/team/private:1", registry.host);
    let args = ["image", "--insecure", "--image-src", "registry", &reference, "-f", "json"];

    let anonymous = shipshape(dir.path(), &args, &[]);
    assert_eq!(anonymous.status.code(), Some(2));
    assert!(
        stderr(&anonymous).contains(&format!("run `docker login {}`", registry.host)),
        "{}",
        stderr(&anonymous)
    );

    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).expect("mkdir");
    let auth = |user_pass: &str| shipshape_secrets::encode_base64(user_pass.as_bytes());
    std::fs::write(
        docker.join("config.json"),
        format!(r#"{{"auths": {{"{}": {{"auth": "{}"}}}}}}"#, registry.host, auth("alice:wonder land")),
    )
    .expect("write");
    let with_auth = shipshape(dir.path(), &args, &[]);
    assert_eq!(with_auth.status.code(), Some(1), "{}", stderr(&with_auth));
    assert!(findings(&with_auth, &reference).iter().any(|(c, _, _)| c == "SEC110"));

    std::fs::write(
        docker.join("config.json"),
        format!(r#"{{"auths": {{"{}": {{"auth": "{}"}}}}}}"#, registry.host, auth("alice:not-it")),
    )
    .expect("write");
    let wrong = shipshape(dir.path(), &args, &[]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(stderr(&wrong).contains("with the credentials of user `alice`"), "{}", stderr(&wrong));
    assert!(!stderr(&wrong).contains("not-it"), "the password is never printed");

    // A credential helper, as `docker login` with `credsStore` leaves it.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let helper = bin.join("docker-credential-shipshapetest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\nif [ \"$server\" = \"{}\" ]; then\n  echo '{{\"ServerURL\":\"'$server'\",\"Username\":\"alice\",\"Secret\":\"wonder land\"}}'\nelse\n  echo 'credentials not found in native keychain'; exit 1\nfi\n",
            registry.host
        ),
    )
    .expect("write");
    let executable = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
    std::fs::set_permissions(&helper, executable).expect("chmod");
    std::fs::write(docker.join("config.json"), r#"{"auths": {}, "credsStore": "shipshapetest"}"#)
        .expect("write");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let helped = shipshape(dir.path(), &args, &[("PATH", &path)]);
    assert_eq!(helped.status.code(), Some(1), "{}", stderr(&helped));
    assert_eq!(findings(&helped, &reference), findings(&with_auth, &reference));
}

#[test]
fn multi_platform_indexes_and_the_platform_flag() {
    if !tools_available() {
        return;
    }
    let registry = Registry::start("");
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = dir.path().join("layout");
    let image = |arch: &str, user: &str| {
        let layers = vec![layer_tar(&[("etc/arch", arch.as_bytes())])];
        let config = serde_json::json!({"architecture": arch, "os": "linux",
            "config": {"User": user, "Cmd": ["/bin/true"], "Healthcheck": {"Test": ["CMD", "/bin/true"]}}});
        (layers, config)
    };
    oci_layout(&layout, &[image("amd64", "app"), image("arm64", "")], "multi");
    registry.push(&format!("oci:{}:multi", layout.display()), "team/multi:1.0", &["--all"]);
    let reference = format!("{}/team/multi:1.0", registry.host);
    let codes =
        |output: &Output| findings(output, &reference).into_iter().map(|(c, _, _)| c).collect::<Vec<_>>();

    let default = shipshape(dir.path(), &["image", "--insecure", &reference, "-f", "json"], &[]);
    assert!(stderr(&default).contains("(linux/amd64, sha256:"), "{}", stderr(&default));
    assert!(
        !codes(&default).contains(&"PRV001".to_string()),
        "the amd64 image runs as `app`: {:?}",
        codes(&default)
    );
    let arm = shipshape(
        dir.path(),
        &["image", "--insecure", "--platform", "linux/arm64", &reference, "-f", "json"],
        &[],
    );
    assert_eq!(arm.status.code(), Some(1), "{}", stderr(&arm));
    assert!(stderr(&arm).contains("(linux/arm64, sha256:"), "{}", stderr(&arm));
    assert!(codes(&arm).contains(&"PRV001".to_string()), "the arm64 image runs as root: {:?}", codes(&arm));
    let none = shipshape(dir.path(), &["image", "--insecure", "--platform", "linux/s390x", &reference], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("no image for platform linux/s390x (available: linux/amd64, linux/arm64)"),
        "{}",
        stderr(&none)
    );
}

fn base64url(bytes: &[u8]) -> String {
    shipshape_secrets::encode_base64(bytes).trim_end_matches('=').replace('+', "-").replace('/', "_")
}

/// A JWT for `docker-registry`'s token authentication, granting pull and push on `repository`,
/// signed (RS256, by openssl) with a key whose self-signed certificate the registry trusts.
fn signed_token(dir: &Path, repository: &str) -> String {
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl");
        assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        output.stdout
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-subj",
        "/CN=shipshape-test-token-issuer",
    ]);
    let der = openssl(&["x509", "-in", "cert.pem", "-outform", "DER"]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let header =
        serde_json::json!({"alg": "RS256", "typ": "JWT", "x5c": [shipshape_secrets::encode_base64(&der)]});
    let claims = serde_json::json!({
        "iss": "shipshape-test-issuer", "sub": "alice", "aud": "shipshape-registry",
        "exp": now + 3600, "nbf": now - 60, "iat": now - 60, "jti": format!("t{now}"),
        "access": [{"type": "repository", "name": repository, "actions": ["pull", "push"]}],
    });
    let signing_input =
        format!("{}.{}", base64url(header.to_string().as_bytes()), base64url(claims.to_string().as_bytes()));
    std::fs::write(dir.join("input"), &signing_input).expect("write");
    let signature = openssl(&["dgst", "-sha256", "-sign", "key.pem", "input"]);
    format!("{signing_input}.{}", base64url(&signature))
}

/// A token server on 127.0.0.1 that hands `token` to `alice:wonder land` and 401 to anyone
/// else; returns its address.
fn token_server(token: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr").to_string();
    let expected = format!(
        "authorization: basic {}",
        shipshape_secrets::encode_base64(b"alice:wonder land").to_ascii_lowercase()
    );
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
            let (status, body) = if text.lines().any(|l| l.trim() == expected) {
                ("200 OK", format!(r#"{{"token":"{token}","expires_in":3600}}"#))
            } else {
                ("401 Unauthorized", r#"{"details":"bad credentials"}"#.to_string())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    address
}

#[test]
fn bearer_tokens_from_a_token_server_with_docker_credentials() {
    if !tools_available() {
        return;
    }
    let keys = tempfile::tempdir().expect("tempdir");
    let token = signed_token(keys.path(), "team/tokened");
    let token_address = token_server(token);
    let registry = Registry::start(&format!(
        "auth:\n  token:\n    realm: http://{token_address}/token\n    service: shipshape-registry\n    issuer: shipshape-test-issuer\n    rootcertbundle: {}\n",
        keys.path().join("cert.pem").display()
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = planted(dir.path());
    registry.push(
        &format!("docker-archive:{}", archive.display()),
        "team/tokened:1",
        &["--dest-creds", "alice:wonder land"],
    );
    let reference = format!("{}/team/tokened:1", registry.host);
    let args = ["image", "--insecure", "--image-src", "registry", &reference, "-f", "json"];

    let anonymous = shipshape(dir.path(), &args, &[]);
    assert_eq!(anonymous.status.code(), Some(2));
    assert!(
        stderr(&anonymous).contains(&format!("run `docker login {}`", registry.host)),
        "{}",
        stderr(&anonymous)
    );

    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).expect("mkdir");
    std::fs::write(
        docker.join("config.json"),
        format!(
            r#"{{"auths": {{"{}": {{"username": "alice", "password": "wonder land"}}}}}}"#,
            registry.host
        ),
    )
    .expect("write");
    let pulled = shipshape(dir.path(), &args, &[]);
    assert_eq!(pulled.status.code(), Some(1), "{}\n{}", stderr(&pulled), registry.log());
    assert!(
        findings(&pulled, &reference)
            .iter()
            .any(|(c, p, _)| c == "SEC110" && p.contains("deleted by layer 1"))
    );

    std::fs::write(
        docker.join("config.json"),
        format!(r#"{{"auths": {{"{}": {{"username": "alice", "password": "guess"}}}}}}"#, registry.host),
    )
    .expect("write");
    let rejected = shipshape(dir.path(), &args, &[]);
    assert_eq!(rejected.status.code(), Some(2));
    assert!(stderr(&rejected).contains("rejected the credentials of user `alice`"), "{}", stderr(&rejected));
}
