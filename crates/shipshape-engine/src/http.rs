//! One keep-alive HTTP/1.1 connection to the daemon: requests with bounded bodies, and
//! line-by-line reading of streaming responses.

use crate::endpoint::{Endpoint, TlsFiles};
use crate::{EngineError, MAX_BODY};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Duration;

/// The longest line of a streaming response kept (an event is a few KiB).
const MAX_LINE: usize = 1024 * 1024;
/// How long a request may wait for the daemon.
const TIMEOUT: Duration = Duration::from_secs(120);

enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Unix(s) => s.flush(),
            Stream::Tcp(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

impl Stream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> std::io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_read_timeout(timeout),
            Stream::Tcp(s) => s.set_read_timeout(timeout),
            Stream::Tls(s) => s.sock.set_read_timeout(timeout),
        }
    }
}

/// A response with its whole (bounded) body.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One connection to the daemon, reused across requests.
pub struct Connection {
    endpoint: Endpoint,
    reader: Option<BufReader<Stream>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

impl Connection {
    /// Connects to `endpoint`.
    pub fn open(endpoint: &Endpoint) -> Result<Connection, EngineError> {
        let stream = connect(endpoint)?;
        Ok(Connection { endpoint: endpoint.clone(), reader: Some(BufReader::new(stream)) })
    }

    fn stream(&mut self) -> Result<&mut BufReader<Stream>, EngineError> {
        if self.reader.is_none() {
            self.reader = Some(BufReader::new(connect(&self.endpoint)?));
        }
        self.reader.as_mut().ok_or_else(|| EngineError::Protocol("no connection".into()))
    }

    /// Sends `method path` and reads the whole response. A kept-alive connection the daemon
    /// closed meanwhile is reopened once.
    pub fn request(&mut self, method: &str, path: &str) -> Result<Response, EngineError> {
        match self.try_request(method, path) {
            Err(EngineError::Io(_)) => {
                self.reader = None;
                self.try_request(method, path)
            }
            other => other,
        }
    }

    fn try_request(&mut self, method: &str, path: &str) -> Result<Response, EngineError> {
        let reader = self.stream()?;
        reader.get_ref().set_read_timeout(Some(TIMEOUT))?;
        send(reader.get_mut(), method, path)?;
        let (status, headers) = read_head(reader)?;
        let body = read_body(reader, &headers)?;
        let close = headers.iter().any(|(n, v)| n == "connection" && v.eq_ignore_ascii_case("close"));
        if close {
            self.reader = None;
        }
        Ok(Response { status, headers, body })
    }

    /// Sends `GET path` and returns the streaming body's lines as they arrive (`/events`). The
    /// connection is consumed: a stream lasts until the daemon ends it.
    pub fn stream_lines(self, path: &str) -> Result<LineStream, EngineError> {
        let body = self.stream_body(path, None)?;
        Ok(LineStream { body, pending: Vec::new() })
    }

    /// Sends `GET path` and returns the body as a reader, for responses too large to hold
    /// (`/images/get`, a `docker save` tar); each read waits at most `read_timeout` (`None`:
    /// forever). A non-2xx status is an error with the daemon's message. The connection is
    /// consumed.
    pub fn stream_body(
        mut self,
        path: &str,
        read_timeout: Option<Duration>,
    ) -> Result<BodyReader, EngineError> {
        let mut reader =
            self.reader.take().map_or_else(|| connect(&self.endpoint).map(BufReader::new), Ok)?;
        reader.get_ref().set_read_timeout(read_timeout)?;
        send(reader.get_mut(), "GET", path)?;
        let (status, headers) = read_head(&mut reader)?;
        if !(200..300).contains(&status) {
            let body = read_body(&mut reader, &headers).unwrap_or_default();
            return Err(EngineError::Status {
                path: path.to_string(),
                status,
                message: crate::error_message(&body),
            });
        }
        let chunked = is_chunked(&headers);
        let remaining = if chunked {
            None
        } else {
            headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<u64>().ok())
        };
        Ok(BodyReader { reader, chunked, chunk_left: 0, remaining, done: false })
    }
}

fn send(stream: &mut Stream, method: &str, path: &str) -> Result<(), EngineError> {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: shipshape/{}\r\nAccept: application/json\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    stream.write_all(request.as_bytes())?;
    stream.flush()?;
    Ok(())
}

fn read_line(reader: &mut impl BufRead) -> Result<String, EngineError> {
    let mut line = Vec::new();
    let read = reader.take(64 * 1024).read_until(b'\n', &mut line)?;
    if read == 0 {
        return Err(EngineError::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed",
        )));
    }
    Ok(String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_string())
}

fn read_head(reader: &mut impl BufRead) -> Result<(u16, Vec<(String, String)>), EngineError> {
    let status_line = read_line(reader)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| EngineError::Protocol(format!("status line `{status_line}`")))?;
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        if headers.len() > 200 {
            return Err(EngineError::Protocol("too many headers".into()));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    Ok((status, headers))
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"))
}

fn too_large() -> EngineError {
    EngineError::Protocol(format!("a response larger than {MAX_BODY} bytes"))
}

fn read_body(reader: &mut impl BufRead, headers: &[(String, String)]) -> Result<Vec<u8>, EngineError> {
    let mut body = Vec::new();
    if is_chunked(headers) {
        loop {
            let size_line = read_line(reader)?;
            let size_text = size_line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| EngineError::Protocol(format!("chunk size `{size_line}`")))?;
            if size == 0 {
                // Trailers, then the empty line.
                while !read_line(reader)?.is_empty() {}
                break;
            }
            if body.len() + size > MAX_BODY {
                return Err(too_large());
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(body.get_mut(start..).unwrap_or_default())?;
            read_line(reader)?;
        }
    } else if let Some(length) = headers.iter().find(|(n, _)| n == "content-length").map(|(_, v)| v) {
        let length: usize =
            length.parse().map_err(|_| EngineError::Protocol(format!("content-length `{length}`")))?;
        if length > MAX_BODY {
            return Err(too_large());
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else {
        reader.take(MAX_BODY as u64 + 1).read_to_end(&mut body)?;
        if body.len() > MAX_BODY {
            return Err(too_large());
        }
    }
    Ok(body)
}

/// The body of a streaming response, de-chunked.
pub struct BodyReader {
    reader: BufReader<Stream>,
    chunked: bool,
    chunk_left: usize,
    /// Bytes left of a body with a `Content-Length`.
    remaining: Option<u64>,
    done: bool,
}

impl std::fmt::Debug for BodyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyReader").field("chunked", &self.chunked).finish_non_exhaustive()
    }
}

impl BodyReader {
    /// Reads up to one chunk's worth of body bytes; `Ok(0)` at the end of the body.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, EngineError> {
        if self.done {
            return Ok(0);
        }
        if !self.chunked {
            let want = match self.remaining {
                Some(0) => {
                    self.done = true;
                    return Ok(0);
                }
                Some(left) => buf.len().min(usize::try_from(left).unwrap_or(usize::MAX)),
                None => buf.len(),
            };
            let n = self.reader.read(buf.get_mut(..want).unwrap_or_default())?;
            if n == 0 && self.remaining.is_some() {
                return Err(EngineError::Io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the daemon closed the connection mid-body",
                )));
            }
            self.done = n == 0;
            if let Some(left) = &mut self.remaining {
                *left -= n as u64;
            }
            return Ok(n);
        }
        if self.chunk_left == 0 {
            let size_line = read_line(&mut self.reader)?;
            if size_line.is_empty() {
                // The CRLF after the previous chunk.
                return self.fill(buf);
            }
            let size_text = size_line.split(';').next().unwrap_or_default().trim();
            self.chunk_left = usize::from_str_radix(size_text, 16)
                .map_err(|_| EngineError::Protocol(format!("chunk size `{size_line}`")))?;
            if self.chunk_left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf.len().min(self.chunk_left);
        let n = self.reader.read(buf.get_mut(..want).unwrap_or_default())?;
        if n == 0 {
            return Err(EngineError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the daemon closed the connection mid-chunk",
            )));
        }
        self.chunk_left -= n;
        Ok(n)
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.fill(buf).map_err(|e| match e {
            EngineError::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        })
    }
}

/// The lines of a streaming response.
pub struct LineStream {
    body: BodyReader,
    pending: Vec<u8>,
}

impl Iterator for LineStream {
    type Item = Result<String, EngineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = [0u8; 8192];
        loop {
            if let Some(newline) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=newline).collect();
                let text = String::from_utf8_lossy(&line).trim().to_string();
                if text.is_empty() {
                    continue;
                }
                return Some(Ok(text));
            }
            if self.pending.len() > MAX_LINE {
                self.pending.clear();
                return Some(Err(EngineError::Protocol(format!(
                    "an event line longer than {MAX_LINE} bytes"
                ))));
            }
            match self.body.fill(&mut buf) {
                Ok(0) => {
                    let rest = std::mem::take(&mut self.pending);
                    let text = String::from_utf8_lossy(&rest).trim().to_string();
                    return (!text.is_empty()).then_some(Ok(text));
                }
                Ok(n) => self.pending.extend_from_slice(buf.get(..n).unwrap_or_default()),
                Err(error) => {
                    self.body.done = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

fn connect(endpoint: &Endpoint) -> Result<Stream, EngineError> {
    match endpoint {
        Endpoint::Unix(path) => UnixStream::connect(path).map(Stream::Unix).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => EngineError::SocketMissing { path: path.clone() },
            std::io::ErrorKind::PermissionDenied => EngineError::PermissionDenied { path: path.clone() },
            _ => EngineError::Connect { endpoint: endpoint.to_string(), source: e },
        }),
        Endpoint::Tcp { host, port, tls } => {
            let tcp = TcpStream::connect((host.as_str(), *port))
                .map_err(|e| EngineError::Connect { endpoint: endpoint.to_string(), source: e })?;
            tcp.set_nodelay(true).ok();
            match tls {
                None => Ok(Stream::Tcp(tcp)),
                Some(files) => tls_stream(endpoint, host, files, tcp),
            }
        }
    }
}

fn tls_stream(
    endpoint: &Endpoint,
    host: &str,
    files: &TlsFiles,
    mut tcp: TcpStream,
) -> Result<Stream, EngineError> {
    let fail = |message: String| EngineError::Tls { endpoint: endpoint.to_string(), message };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(e.to_string()))?;
    let builder = if files.verify {
        let ca = files.ca.as_ref().ok_or_else(|| {
            fail("DOCKER_TLS_VERIFY is set but there is no ca.pem in DOCKER_CERT_PATH (or the context's TLS directory)".into())
        })?;
        let mut roots = rustls::RootCertStore::empty();
        let certs = CertificateDer::pem_file_iter(ca).map_err(|e| fail(format!("{}: {e}", ca.display())))?;
        for cert in certs {
            let cert = cert.map_err(|e| fail(format!("{}: {e}", ca.display())))?;
            roots.add(cert).map_err(|e| fail(format!("{}: {e}", ca.display())))?;
        }
        builder.with_root_certificates(roots)
    } else {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(Unverified(provider)))
    };
    let config = match &files.client {
        Some((cert, key)) => {
            let chain: Result<Vec<_>, _> = CertificateDer::pem_file_iter(cert)
                .map_err(|e| fail(format!("{}: {e}", cert.display())))?
                .collect();
            let chain = chain.map_err(|e| fail(format!("{}: {e}", cert.display())))?;
            let key_der =
                PrivateKeyDer::from_pem_file(key).map_err(|e| fail(format!("{}: {e}", key.display())))?;
            builder.with_client_auth_cert(chain, key_der).map_err(|e| fail(e.to_string()))?
        }
        None => builder.with_no_client_auth(),
    };
    let name =
        ServerName::try_from(host.to_string()).map_err(|e| fail(format!("server name `{host}`: {e}")))?;
    let mut connection =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| fail(e.to_string()))?;
    tcp.set_read_timeout(Some(TIMEOUT)).ok();
    while connection.is_handshaking() {
        connection.complete_io(&mut tcp).map_err(|e| fail(e.to_string()))?;
    }
    Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(connection, tcp))))
}

/// Encrypts without authenticating the daemon (TLS without `DOCKER_TLS_VERIFY`, as the docker CLI
/// allows); handshake signatures are still checked.
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn chunked_and_sized_bodies() {
        let mut chunked = Cursor::new(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                .to_vec(),
        );
        let (status, headers) = read_head(&mut chunked).expect("head");
        assert_eq!(status, 200);
        assert_eq!(read_body(&mut chunked, &headers).expect("body"), b"hello world");
        let mut sized = Cursor::new(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nnoEXTRA".to_vec());
        let (status, headers) = read_head(&mut sized).expect("head");
        assert_eq!((status, read_body(&mut sized, &headers).expect("body")), (404, b"no".to_vec()));
        let mut broken = Cursor::new(b"garbage\r\n\r\n".to_vec());
        assert!(read_head(&mut broken).is_err());
        let mut huge =
            Cursor::new(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", MAX_BODY + 1).into_bytes());
        let (_, headers) = read_head(&mut huge).expect("head");
        assert!(read_body(&mut huge, &headers).is_err());
    }

    #[test]
    fn missing_socket_says_what_to_do() {
        let error =
            Connection::open(&Endpoint::Unix("/nonexistent/docker.sock".into())).expect_err("no socket");
        assert!(error.to_string().contains("Is the daemon running?"), "{error}");
    }
}
