//! TLS with client certificates, as `dockerd --tlsverify` requires: a scripted daemon behind
//! rustls, with a CA, server and client certificates made by `openssl` at test time.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use shipshape_engine::{Client, Endpoint, EngineError, TlsFiles};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl").args(args).current_dir(dir).output().is_ok_and(|o| o.status.success())
}

/// ca.pem, server-cert.pem/server-key.pem (for 127.0.0.1), cert.pem/key.pem (client), and a
/// second, unrelated CA in other-ca.pem. `false` when openssl is not available.
fn make_certificates(dir: &Path) -> bool {
    let ext = dir.join("server.ext");
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n").expect("ext");
    let client_ext = dir.join("client.ext");
    std::fs::write(&client_ext, "extendedKeyUsage=clientAuth\n").expect("ext");
    let steps: [&[&str]; 6] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=test-ca",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server-key.pem",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-out",
            "server-cert.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "client.csr",
            "-subj",
            "/CN=client",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "client.ext",
        ],
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other-key.pem",
            "-out",
            "other-ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=other-ca",
        ],
    ];
    steps.iter().all(|args| openssl(dir, args))
}

/// A TLS daemon requiring client certificates signed by `ca.pem`; answers `/_ping` forever.
fn serve_tls(dir: &Path) -> u16 {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server-cert.pem"))
        .expect("cert")
        .map(|c| c.expect("cert"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server-key.pem")).expect("key");
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(dir.join("ca.pem")).expect("ca") {
        roots.add(ca.expect("ca")).expect("add ca");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .expect("client verifier");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .expect("server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { return };
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else { return };
                let mut tls = rustls::StreamOwned::new(connection, tcp);
                loop {
                    let mut reader = BufReader::new(&mut tls);
                    let mut line = String::new();
                    let mut seen = false;
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                        seen = true;
                        if line == "\r\n" {
                            break;
                        }
                        line.clear();
                    }
                    if !seen {
                        return;
                    }
                    let response = "HTTP/1.1 200 OK\r\nApi-Version: 1.45\r\nContent-Length: 2\r\n\r\nOK";
                    if tls.write_all(response.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

#[test]
fn tls_with_client_certificates_and_verification() {
    let dir = tempfile::tempdir().expect("dir");
    if !make_certificates(dir.path()) {
        assert!(std::env::var_os("CI").is_none(), "openssl is required under CI to make test certificates");
        let _ = writeln!(std::io::stderr(), "skipping: openssl is not installed");
        return;
    }
    let port = serve_tls(dir.path());
    let files = |ca: &str, client: bool| TlsFiles {
        ca: Some(dir.path().join(ca)),
        client: client.then(|| (dir.path().join("cert.pem"), dir.path().join("key.pem"))),
        verify: true,
    };
    let endpoint = |tls| Endpoint::Tcp { host: "127.0.0.1".into(), port, tls: Some(tls) };
    let client =
        Client::connect(endpoint(files("ca.pem", true))).expect("verified TLS with a client certificate");
    assert_eq!(client.api_version(), "1.45");
    // A daemon whose certificate another CA signed is refused.
    let error = Client::connect(endpoint(files("other-ca.pem", true))).expect_err("wrong CA");
    assert!(matches!(error, EngineError::Tls { .. }), "{error}");
    assert!(error.to_string().contains("TLS with the Docker daemon"), "{error}");
    // Without a client certificate the daemon refuses the handshake.
    let error = Client::connect(endpoint(files("ca.pem", false))).expect_err("no client certificate");
    assert!(matches!(error, EngineError::Tls { .. } | EngineError::Io(_)), "{error}");
}
