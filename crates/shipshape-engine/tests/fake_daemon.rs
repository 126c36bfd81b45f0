//! The client against a scripted daemon on 127.0.0.1: version negotiation, error bodies, chunked
//! and keep-alive responses, event streams, TLS failures. Responses are recorded shapes of the
//! Engine API for versions the live test daemon cannot show.

use shipshape_engine::{Client, Endpoint, EngineError, TlsFiles};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// Serves `responses` in order, one per request, on keep-alive connections; returns the endpoint.
fn serve(responses: Vec<String>) -> Endpoint {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut responses = responses.into_iter();
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut writer = stream;
            loop {
                let mut line = String::new();
                // Request line and headers, up to the blank line.
                let mut got_request = false;
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    got_request = true;
                    if line == "\r\n" {
                        break;
                    }
                    line.clear();
                }
                if !got_request {
                    break;
                }
                let Some(response) = responses.next() else { return };
                if writer.write_all(response.as_bytes()).is_err() {
                    break;
                }
            }
        }
    });
    Endpoint::Tcp { host: "127.0.0.1".into(), port, tls: None }
}

fn ping(version: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nApi-Version: {version}\r\nContent-Length: 2\r\n\r\nOK")
}

fn json(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn too_old_daemons_are_refused_with_a_plain_answer() {
    let endpoint = serve(vec![ping("1.23")]);
    let error = Client::connect(endpoint).expect_err("too old");
    assert!(matches!(error, EngineError::ApiTooOld { .. }), "{error}");
    assert!(error.to_string().contains("Engine API 1.23, older than 1.24"), "{error}");
}

#[test]
fn version_is_negotiated_and_capped() {
    let endpoint = serve(vec![ping("1.51")]);
    assert_eq!(Client::connect(endpoint).expect("client").api_version(), "1.47");
    let endpoint = serve(vec![ping("1.24"), json("200 OK", r#"{"ServerVersion":"1.12.6"}"#)]);
    let client = Client::connect(endpoint).expect("client");
    assert_eq!(client.api_version(), "1.24");
    let mut connection = client.connection().expect("connection");
    let body = client.get_json(&mut connection, "/info").expect("info");
    assert_eq!(body, br#"{"ServerVersion":"1.12.6"}"#);
}

#[test]
fn chunked_bodies_keep_alive_and_error_messages() {
    let chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n[{}\r\n2\r\n,{\r\n2\r\n}]\r\n0\r\n\r\n"
            .to_string();
    let missing = json("404 Not Found", r#"{"message":"No such container: abc"}"#);
    let endpoint = serve(vec![ping("1.44"), chunked, missing]);
    let client = Client::connect(endpoint).expect("client");
    let mut connection = client.connection().expect("connection");
    // Both requests travel over the same connection.
    assert_eq!(client.get_json(&mut connection, "/containers/json").expect("list"), b"[{},{}]");
    let error = client.get_json(&mut connection, "/containers/abc/json").expect_err("404");
    assert!(matches!(error, EngineError::Status { status: 404, .. }));
    assert!(error.to_string().contains("No such container: abc"), "{error}");
}

#[test]
fn event_streams_yield_lines_as_they_come() {
    let events = concat!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "21\r\n{\"Type\":\"container\",\"Action\":\"c\"}\r\n",
        "1\r\n\n\r\n",
        "f\r\n{\"Type\":\"networ\r\n",
        "11\r\nk\",\"Action\":\"x\"}\n\r\n",
        "0\r\n\r\n"
    )
    .to_string();
    let endpoint = serve(vec![ping("1.41"), events]);
    let client = Client::connect(endpoint).expect("client");
    let lines: Vec<String> = client
        .connection()
        .expect("connection")
        .stream_lines(&client.versioned("/events"))
        .expect("stream")
        .map(|l| l.expect("line"))
        .collect();
    assert_eq!(lines, [r#"{"Type":"container","Action":"c"}"#, r#"{"Type":"network","Action":"x"}"#]);
}

#[test]
fn tls_against_a_plain_daemon_fails_clearly() {
    let Endpoint::Tcp { host, port, .. } = serve(vec![ping("1.41")]) else { panic!("tcp") };
    let endpoint =
        Endpoint::Tcp { host, port, tls: Some(TlsFiles { ca: None, client: None, verify: false }) };
    let error = Client::connect(endpoint).expect_err("no TLS there");
    assert!(matches!(error, EngineError::Tls { .. } | EngineError::Io(_)), "{error}");
    let verify = Endpoint::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
        tls: Some(TlsFiles { ca: None, client: None, verify: true }),
    };
    let error = Client::connect(verify).expect_err("no daemon");
    assert!(error.to_string().contains("cannot connect"), "{error}");
}

#[test]
fn saved_images_stream_through_chunks_and_limits() {
    let tar = "x".repeat(5000);
    let mut chunked =
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_string();
    for piece in tar.as_bytes().chunks(1500) {
        chunked.push_str(&format!("{:x}\r\n{}\r\n", piece.len(), String::from_utf8_lossy(piece)));
    }
    chunked.push_str("0\r\n\r\n");
    let sized = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{tar}", tar.len());
    let missing = json("404 Not Found", r#"{"message":"No such image: nope:1"}"#);
    let endpoint = serve(vec![
        ping("1.44"),
        chunked,
        sized.clone(),
        missing,
        json("200 OK", r#"{"Id":"sha256:abc"}"#),
        sized,
    ]);
    let client = Client::connect(endpoint).expect("client");
    let mut out = Vec::new();
    let mut seen = 0;
    let size = client.save_image("app:1", &mut out, 1 << 20, &mut |n| seen = n).expect("chunked save");
    assert_eq!((size, seen, out.len()), (5000, 5000, 5000));
    let mut small = Vec::new();
    let error =
        client.save_image("app:1", &mut small, 4096, &mut |_| {}).expect_err("over the limit").to_string();
    assert!(error.contains("larger than the limit of 4096"), "{error}");
    assert_eq!(client.inspect_image("nope:1").expect("404 is no image"), None);
    assert!(client.inspect_image("app:1").expect("inspect").is_some());
    let error = client.save_image("app:1", &mut Vec::new(), 10, &mut |_| {}).expect_err("limit");
    assert!(matches!(error, EngineError::Protocol(_)), "{error}");
}
