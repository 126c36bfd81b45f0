//! Hostile inputs: huge lines and floods of keywords finish in bounded time with no finding.
//!
//! The bounds are loose (the tests run unoptimised); what they catch is super-linear behaviour,
//! which on these sizes would take minutes or hours.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use shipshape_secrets::vectors::expand;
use shipshape_secrets::{Detector, DetectorConfig, READ_CHUNK};

const BOUND: Duration = Duration::from_secs(120);

fn detector() -> Detector {
    Detector::new(DetectorConfig::default()).unwrap()
}

fn timed(name: &str, f: impl FnOnce() -> usize) {
    let start = Instant::now();
    let n = f();
    let took = start.elapsed();
    assert_eq!(n, 0, "{name}: unexpected findings");
    assert!(took < BOUND, "{name}: took {took:?}");
}

#[test]
fn hundred_megabyte_line() {
    let d = detector();
    let line = vec![b'a'; 100 << 20];
    timed("100 MB of a", || d.scan(&line).len());
    timed("100 MB of a, streamed", || d.scan_reader(&line[..]).unwrap().len());
}

#[test]
fn a_million_keywords_on_one_line() {
    let d = detector();
    let text = "password token secret api_key aws eyJ ://x ".repeat(1_000_000 / 7);
    timed("keywords on one line", || d.scan(text.as_bytes()).len());
}

#[test]
fn a_million_keyword_lines() {
    let d = detector();
    let text = "token = getToken()\n".repeat(1_000_000);
    timed("keyword lines", || d.scan(text.as_bytes()).len());
}

#[test]
fn a_million_assignments_without_separators() {
    let d = detector();
    let text = "password=".repeat(1_000_000);
    timed("password=password=…", || d.scan(text.as_bytes()).len());
}

#[test]
fn pem_headers_without_end() {
    let d = detector();
    let text = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n".repeat(100_000);
    timed("unterminated PEM blocks", || d.scan(text.as_bytes()).len());
}

#[test]
fn long_base64_run_near_context_words() {
    let d = detector();
    let mut text = String::from("aws_secret_access_key = ");
    text.push_str(&"AbCd0123+/".repeat(2_000_000));
    text.push_str(" aws");
    timed("20 MB base64 run between aws keywords", || d.scan(text.as_bytes()).len());
}

#[test]
fn url_scheme_flood() {
    let d = detector();
    let text = "a://b:c".repeat(1_000_000);
    timed("scheme flood", || d.scan(text.as_bytes()).len());
}

#[test]
fn secrets_across_stream_buffer_boundaries() {
    // Secrets placed around every multiple of the read chunk, read in odd-sized pieces: the
    // streamed findings equal the in-memory ones, with absolute offsets and lines.
    let d = detector();
    let filler = "let x = compute(y); // nothing to see here\n";
    let mut text = String::new();
    let mut planted = Vec::new();
    let mut seed = 0;
    while text.len() < 4 * READ_CHUNK {
        let next_boundary = (text.len() / READ_CHUNK + 1) * READ_CHUNK;
        while text.len() + filler.len() < next_boundary - 30 {
            text.push_str(filler);
        }
        seed += 1;
        let e = expand("GITHUB_TOKEN=«ghp_{A:36}»\n", seed);
        let start = text.len() + e.secret.clone().unwrap().start;
        planted.push(start);
        text.push_str(&e.text);
        text.push_str(filler);
    }
    let direct = d.scan(text.as_bytes());
    assert_eq!(direct.iter().map(|m| m.span.start).collect::<Vec<_>>(), planted);

    struct Dribble<'a>(&'a [u8], usize);
    impl std::io::Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 += 1;
            let n = buf.len().min(self.0.len()).min(4093 + self.1 % 7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let streamed = d.scan_reader(Dribble(text.as_bytes(), 0)).unwrap();
    assert_eq!(direct, streamed);
    for m in &direct {
        let line = 1 + text[..m.span.start].matches('\n').count();
        assert_eq!(m.line, line);
        assert_eq!(m.column, "GITHUB_TOKEN=".len() + 1);
    }
}
