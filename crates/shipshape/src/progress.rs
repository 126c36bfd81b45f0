//! One self-rewriting status line on stderr (`\r`, then clear to the end of the line) while an
//! image is pulled, exported or walked. Only when stderr is a terminal, and never with `-q`.

use shipshape_image::Digest;
use shipshape_registry::BlobEvent;
use shipshape_scan::image_audit::WalkProgress;
use std::io::{IsTerminal, Write};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Redraws at most this often.
const REDRAW: Duration = Duration::from_millis(100);

/// The status line.
pub(crate) struct StatusLine {
    enabled: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    label: String,
    last_draw: Option<Instant>,
    drawn: bool,
    started: Option<Instant>,
    /// Blobs in flight: digest, bytes received, size.
    active: Vec<(Digest, u64, u64)>,
    blobs: usize,
    done: usize,
    /// Bytes to download, and received so far.
    bytes: u64,
    received: u64,
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

impl StatusLine {
    /// A status line for `label`, drawn only on a terminal and unless `quiet`.
    pub(crate) fn new(quiet: bool) -> StatusLine {
        let stderr = std::io::stderr();
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        StatusLine { enabled: !quiet && stderr.is_terminal() && !dumb, state: Mutex::new(State::default()) }
    }

    /// Starts a new phase for the image `label`.
    pub(crate) fn begin(&self, label: &str) {
        let mut state = self.lock();
        *state = State { label: label.to_string(), started: Some(Instant::now()), ..State::default() };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn draw(&self, state: &mut State, force: bool, line: impl FnOnce(&State) -> String) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if !force && state.last_draw.is_some_and(|t| now.duration_since(t) < REDRAW) {
            return;
        }
        state.last_draw = Some(now);
        state.drawn = true;
        let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()).unwrap_or(80).max(20);
        let text: String = line(state).chars().take(width - 1).collect();
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r{text}\x1b[K");
        let _ = stderr.flush();
    }

    /// Erases the line (before a summary or an error is printed).
    pub(crate) fn clear(&self) {
        let mut state = self.lock();
        if self.enabled && state.drawn {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[K");
            let _ = stderr.flush();
            state.drawn = false;
        }
    }

    /// The layer walk moved on.
    pub(crate) fn walk(&self, progress: &WalkProgress) {
        let mut state = self.lock();
        let force = progress.files == 0 || progress.finished;
        self.draw(&mut state, force, |s| {
            let size = progress.layer_size.map_or_else(String::new, |b| format!(" ({} MB)", megabytes(b)));
            let verb = if progress.finished { "read" } else { "reading" };
            format!(
                "{verb} layer {}/{}{size}  {} files  {}",
                progress.layer + 1,
                progress.layers,
                progress.files,
                s.label
            )
        });
    }

    /// `bytes` of an image exported by the Docker daemon have arrived.
    pub(crate) fn export(&self, bytes: u64) {
        let mut state = self.lock();
        self.draw(&mut state, false, |s| {
            let seconds = s.started.map_or(0.0, |t| t.elapsed().as_secs_f64()).max(0.001);
            format!(
                "exporting from the Docker daemon  {} MB  {:.1} MB/s  {}",
                megabytes(bytes),
                bytes as f64 / 1e6 / seconds,
                s.label
            )
        });
    }
}

impl shipshape_registry::Progress for StatusLine {
    fn event(&self, event: &BlobEvent<'_>) {
        let mut state = self.lock();
        let force = match *event {
            BlobEvent::Resolved { blobs, cached, to_download, .. } => {
                state.blobs = blobs;
                state.done = cached;
                state.bytes = to_download;
                true
            }
            BlobEvent::Received { digest, received, size } => {
                let state = &mut *state;
                match state.active.iter_mut().find(|(d, _, _)| d == digest) {
                    Some(entry) => {
                        state.received += received.saturating_sub(entry.1);
                        entry.1 = received;
                    }
                    None => {
                        state.received += received;
                        state.active.push((digest.clone(), received, size));
                    }
                }
                false
            }
            BlobEvent::Done { digest, .. } => {
                state.active.retain(|(d, _, _)| d != digest);
                state.done += 1;
                true
            }
        };
        self.draw(&mut state, force, |s| {
            let seconds = s.started.map_or(0.0, |t| t.elapsed().as_secs_f64()).max(0.001);
            let mut line = format!(
                "pulling {}/{} blobs  {}/{} MB  {:.1} MB/s ",
                s.done,
                s.blobs,
                megabytes(s.received),
                megabytes(s.bytes),
                s.received as f64 / 1e6 / seconds
            );
            for (digest, received, size) in &s.active {
                let percent = if *size == 0 { 100 } else { received.saturating_mul(100) / size };
                line.push_str(&format!(" {}:{percent}%", digest.hex().get(..8).unwrap_or_default()));
            }
            line.push_str("  ");
            line.push_str(&s.label);
            line
        });
    }
}
