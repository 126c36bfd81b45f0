//! Shared test helpers: OSV record JSON, zip fixtures, and a tiny HTTP server on 127.0.0.1.

// Test support: a failure here should fail the test at once.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use shipshape_vulndb::zip::ZipWriter;

/// A valid OSV record affecting `name` in `ecosystem` from `introduced` until `fixed`.
pub(crate) fn record_json(id: &str, ecosystem: &str, name: &str, fixed: &str, aliases: &[&str]) -> String {
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": "2024-05-01T00:00:00Z",
        "aliases": aliases,
        "summary": format!("{id} in {name}"),
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]
        }]
    })
    .to_string()
}

/// A zip archive (in memory) of `(entry name, content)`.
pub(crate) fn zip_bytes(entries: &[(String, String)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Vec::new());
    for (name, content) in entries {
        writer.add(name, content.as_bytes(), true).unwrap();
    }
    writer.finish().unwrap()
}

/// An OSV-style export: one `<id>.json` entry per record.
pub(crate) fn export(records: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let entries: Vec<(String, String)> = records
        .iter()
        .map(|(id, ecosystem, name, fixed)| {
            (format!("{id}.json"), record_json(id, ecosystem, name, fixed, &[]))
        })
        .collect();
    zip_bytes(&entries)
}

pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> PathBuf {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
    path.to_owned()
}

/// A request the server received.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) path: String,
    pub(crate) headers: HashMap<String, String>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

/// A response the server sends.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// Send only this many body bytes (with the full Content-Length), then close.
    pub(crate) cut_after: Option<usize>,
}

impl Response {
    pub(crate) fn status(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: Vec::new(), cut_after: None }
    }

    pub(crate) fn ok(body: Vec<u8>) -> Response {
        Response { body, ..Response::status(200) }
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn cut_after(mut self, bytes: usize) -> Response {
        self.cut_after = Some(bytes);
        self
    }
}

type Handler = Box<dyn Fn(&Request, usize) -> Response + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1 (a free port) answering each path with its handler (given
/// the request and how many requests that path had before it), `404` for unknown paths, one
/// request per connection.
pub(crate) struct TestServer {
    pub(crate) base: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    pub(crate) fn start(routes: Vec<(&str, Handler)>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: HashMap<String, Handler> = routes.into_iter().map(|(p, h)| (p.to_owned(), h)).collect();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopping) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut counts: HashMap<String, usize> = HashMap::new();
            // Bounded: no test sends anywhere near this many requests.
            for stream in listener.incoming().take(500) {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let Some(request) = read_request(&stream) else { continue };
                let count = counts.entry(request.path.clone()).or_insert(0);
                let response = match routes.get(&request.path) {
                    Some(handler) => handler(&request, *count),
                    None => Response::status(404),
                };
                *count += 1;
                log.lock().unwrap().push(request);
                write_response(stream, &response);
            }
        });
        TestServer { base: format!("http://{addr}"), requests, stop, addr, thread: Some(thread) }
    }

    pub(crate) fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub(crate) fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.take(64 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    Some(Request { path, headers })
}

fn write_response(mut stream: TcpStream, response: &Response) {
    let mut head = format!("HTTP/1.1 {} Test\r\nConnection: close\r\n", response.status);
    if response.status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    }
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let body = match response.cut_after {
        Some(n) => &response.body[..n.min(response.body.len())],
        None => &response.body[..],
    };
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

/// A handler that always answers with the same response.
pub(crate) fn always(response: Response) -> Handler {
    Box::new(move |_, _| response.clone())
}

/// A handler that answers the n-th request with `responses[n]` (the last one repeats).
pub(crate) fn sequence(responses: Vec<Response>) -> Handler {
    Box::new(move |_, n| responses[n.min(responses.len() - 1)].clone())
}

/// A handler serving `body` with an ETag and Last-Modified, and `304` to a request whose
/// `If-None-Match` is that ETag.
pub(crate) fn with_etag(body: Vec<u8>, etag: &str) -> Handler {
    let etag = etag.to_owned();
    Box::new(move |request, _| {
        if request.header("if-none-match") == Some(etag.as_str()) {
            Response::status(304).header("ETag", &etag)
        } else {
            Response::ok(body.clone())
                .header("ETag", &etag)
                .header("Last-Modified", "Wed, 01 May 2024 10:00:00 GMT")
        }
    })
}
