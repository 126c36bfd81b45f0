//! Never panics, stays linear, keeps every span inside the input: random bytes, shell-shaped
//! noise, hostile nesting, and every `RUN` of BuildKit's conformance Dockerfiles.

mod common;

use shipshape_model::Span;
use shipshape_shell::{RunInput, Script, Word, parse_run, parse_script};
use std::path::Path;
use std::time::{Duration, Instant};

/// Every span of `script` lies inside `text` on character boundaries.
fn check_spans(script: &Script, text: &str, what: &str) {
    let ok = |span: Span| {
        span.start <= span.end
            && (span.end as usize) <= text.len()
            && text.is_char_boundary(span.start as usize)
            && text.is_char_boundary(span.end as usize)
    };
    let word = |w: &Word| {
        assert!(ok(w.span), "{what}: word {:?} span {:?} outside input", w.raw, w.span);
        if !w.value.is_empty() {
            for range in [0..1.min(w.value.len()), 0..w.value.len()] {
                if w.value.is_char_boundary(range.end) {
                    let s = w.span_of(range);
                    assert!(ok(s), "{what}: span_of in {:?}: {s:?}", w.raw);
                }
            }
        }
    };
    for c in &script.commands {
        assert!(ok(c.span), "{what}: command span {:?}", c.span);
        word(&c.name);
        c.args.iter().for_each(word);
        c.assignments.iter().for_each(|a| word(&a.value));
        for r in &c.redirects {
            assert!(ok(r.span));
            word(&r.target);
            if let Some(b) = &r.heredoc {
                assert!(ok(b.span));
            }
        }
        let _ = (c.is("apt-get"), c.subcommand(), c.options(), c.operands(), c.packages());
    }
    for p in &script.pipelines {
        assert!(ok(p.span), "{what}: pipeline {:?}", p.span);
        assert!(p.stages.iter().all(|s| ok(*s)));
    }
    for k in &script.compounds {
        assert!(ok(k.span), "{what}: compound {:?}", k.span);
    }
    for e in &script.errors {
        assert!(ok(e.span), "{what}: error {} at {:?}", e.message, e.span);
    }
    for b in &script.bare {
        assert!(ok(b.span));
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    " ", " ", "\n", "\t", "a", "apt-get", "install", "-y", "sh", "-c", "bash", "'", "\"", "\\", "\\\n", "$",
    "$(", "${", "`", "(", ")", "{", "}", "[[", "]]", "|", "||", "&&", "&", ";", ";;", "<", ">", ">>", "<<",
    "<<-", "<<<", "EOF", "\nEOF\n", "#", "=", "if", "then", "fi", "else", "elif", "for", "in", "do", "done",
    "while", "case", "esac", "!", "x=1", "$'\\x41'", "*", "~", "é", "sudo", "env", "xargs", "eval", "su",
    "-c", "set", "-o", "pipefail", "function", "((", "))", "$((", "<(", "2>&1",
];

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check_spans(&parse_script(&text), &text, "bytes");
        let escape = if rng.below(2) == 0 { '\\' } else { '`' };
        let input = RunInput { escape: Some(escape), ..RunInput::new(&text, 0) };
        check_spans(&parse_run(&input), &text, "bytes/run");
    }
}

#[test]
fn shell_shaped_noise_never_panics() {
    let mut rng = Rng(42);
    for _ in 0..6000 {
        let n = rng.below(60);
        let text: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        if let Ok(log) = std::env::var("NOISE_LOG") {
            std::fs::write(log, &text).ok();
        }
        let script = parse_script(&text);
        check_spans(&script, &text, &text);
        let input = RunInput::new(&text, 0);
        check_spans(&parse_run(&input), &text, &text);
    }
}

#[test]
fn hostile_nesting_is_bounded() {
    let cases = [
        "(".repeat(100_000),
        "$(".repeat(50_000),
        "`".repeat(10_001),
        "{ ".repeat(50_000),
        "if true; then ".repeat(20_000),
        "\"$(echo \"".repeat(20_000),
        "${".repeat(50_000),
        "$((".repeat(30_000),
        "case x in x) ".repeat(20_000),
        "<<EOF ".repeat(50_000),
        "a | ".repeat(50_000),
        "! ".repeat(50_000),
        "f() ".repeat(50_000),
    ];
    for text in &cases {
        let started = Instant::now();
        let script = parse_script(text);
        check_spans(&script, text, &text[..12.min(text.len())]);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?} took {:?}", &text[..10], started.elapsed());
    }
    // sh -c inside sh -c, 12 levels: parsed to the limit, no deeper.
    let mut nested = String::from("apt-get install -y x");
    for _ in 0..12 {
        nested = format!("sh -c {}", double_quote(&nested));
    }
    let script = parse_script(&nested);
    check_spans(&script, &nested, "nested sh -c");
    let depth = script.commands.iter().map(|c| c.context.nested).max().unwrap_or(0);
    assert!((8..=9).contains(&depth), "nested depth {depth}");
}

fn double_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn nested_quoting_maps_every_level_back() {
    let mut text = String::from("curl -k https://x");
    for _ in 0..5 {
        text = format!("bash -c {}", shell_quote(&text));
    }
    let script = parse_script(&text);
    let curl = script.find("curl").next().expect("curl found at depth 5");
    assert_eq!(curl.context.nested, 5);
    assert_eq!(curl.name.span.slice(&text), "curl");
    let k = curl.options().into_iter().find(|o| o.name == "-k").expect("-k");
    assert_eq!(k.span.slice(&text), "k");
}

#[test]
fn time_is_linear() {
    let unit = "apt-get install -y --no-install-recommends pkg=1.0 && echo \"$(date) ${X:-y}\" | tee -a /log 2>&1 && ";
    let small: String = unit.repeat(2_000) + "true";
    let large: String = unit.repeat(16_000) + "true";
    let time = |text: &str| {
        let started = Instant::now();
        let script = parse_script(text);
        assert!(script.is_clean());
        started.elapsed()
    };
    let _ = time(&small);
    let t_small = time(&small).max(Duration::from_micros(200));
    let t_large = time(&large);
    // 8x the input: allow generous noise, but not quadratic growth (64x).
    assert!(t_large < t_small * 24, "small {t_small:?}, large {t_large:?}");
}

fn conformance_dockerfiles() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/buildkit-dockerfile-conformance");
    assert!(root.is_dir(), "BuildKit conformance suite missing at {}", root.display());
    let mut files = Vec::new();
    for dir in ["testfiles", "testfiles-negative"] {
        let entries = std::fs::read_dir(root.join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
        for entry in entries.flatten() {
            let path = entry.path().join("Dockerfile");
            if let Ok(text) = std::fs::read_to_string(&path) {
                files.push((path.display().to_string(), text));
            }
        }
    }
    let line = root.join("testfile-line/Dockerfile");
    files.push((line.display().to_string(), std::fs::read_to_string(&line).expect("testfile-line")));
    files.sort();
    files
}

#[test]
fn conformance_runs_parse_with_spans_in_the_file() {
    let files = conformance_dockerfiles();
    assert!(files.len() >= 35, "only {} conformance Dockerfiles", files.len());
    let mut runs = 0;
    let mut commands = 0;
    let mut with_errors = Vec::new();
    for (path, text) in &files {
        for script in common::runs(text) {
            runs += 1;
            commands += script.commands.len();
            check_spans(&script, text, path);
            // Top-level words on one line are exactly their text in the file.
            for c in script.commands.iter().filter(|c| c.context.nested == 0) {
                for w in std::iter::once(&c.name).chain(&c.args) {
                    let slice = w.span.slice(text);
                    if !slice.contains('\n') {
                        assert_eq!(slice, w.raw, "{path}");
                    }
                }
            }
            if !script.errors.is_empty() {
                with_errors.push((path.clone(), script.errors.clone()));
            }
        }
    }
    assert!(runs >= 60, "only {runs} RUNs");
    assert!(commands >= runs);
    // The RUNs of the suite are valid shell (the negative cases are Dockerfile errors).
    for (path, errors) in &with_errors {
        eprintln!("{path}: {errors:?}");
    }
    eprintln!("{} files, {runs} RUNs, {commands} commands", files.len());
    assert!(with_errors.is_empty(), "{} RUNs with shell errors", with_errors.len());
}

const NOISE: &[u8] = b"\\\n'\"$(){}|&;`<#";

#[test]
fn conformance_file_mutations_never_panic() {
    let files = conformance_dockerfiles();
    let mut rng = Rng(7);
    for (path, text) in files.iter().take(40) {
        for _ in 0..20 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..1 + rng.below(8) {
                if bytes.is_empty() {
                    break;
                }
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = NOISE[rng.below(NOISE.len())],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, NOISE[rng.below(NOISE.len())]),
                }
            }
            let mutated = String::from_utf8_lossy(&bytes).into_owned();
            for script in common::runs(&mutated) {
                check_spans(&script, &mutated, path);
            }
        }
    }
}
