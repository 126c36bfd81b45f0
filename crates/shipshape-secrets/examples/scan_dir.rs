//! Walks a directory with `std::fs`, scans every regular file, and prints the findings count per
//! rule, the number of files and bytes, and the throughput.
//!
//! ```text
//! cargo run --release -p shipshape-secrets --example scan_dir -- DIR [--json] [--list] [--examples]
//! ```
//!
//! `--list` prints one line per finding (path:line:column rule redacted), `--examples` counts
//! findings flagged as documentation examples too, `--json` prints the summary as JSON.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shipshape_secrets::{Detector, DetectorConfig};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        let path = e.path();
        if ft.is_dir() {
            if e.file_name() != ".git" && e.file_name() != "target" {
                walk(&path, out);
            }
        } else if ft.is_file() {
            out.push(path);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: scan_dir DIR [--json] [--list] [--examples]");
        std::process::exit(2);
    };
    let json = args.iter().any(|a| a == "--json");
    let list = args.iter().any(|a| a == "--list");
    let examples = args.iter().any(|a| a == "--examples");

    let detector = match Detector::new(DetectorConfig::default()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let mut files = Vec::new();
    walk(Path::new(dir), &mut files);

    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut bytes = 0u64;
    let mut scan_time = Duration::ZERO;
    let mut findings = 0usize;
    let mut files_with = 0usize;
    let total = Instant::now();
    for path in &files {
        let Ok(data) = fs::read(path) else { continue };
        bytes += data.len() as u64;
        let t = Instant::now();
        let found = detector.scan_path(&path.to_string_lossy(), &data);
        scan_time += t.elapsed();
        let mut any = false;
        for m in found.iter().filter(|m| examples || !m.is_example) {
            any = true;
            findings += 1;
            *per_rule.entry(m.rule.id().to_string()).or_default() += 1;
            if list {
                println!("{}:{}:{} {} {}", path.display(), m.line, m.column, m.rule.id(), m.redacted);
            }
        }
        files_with += usize::from(any);
    }
    let wall = total.elapsed();
    let mbps = bytes as f64 / 1e6 / scan_time.as_secs_f64().max(1e-9);
    if json {
        let rules: Vec<String> = per_rule.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
        println!(
            "{{\"files\": {}, \"bytes\": {bytes}, \"findings\": {findings}, \"files_with_findings\": {files_with}, \"scan_seconds\": {:.4}, \"wall_seconds\": {:.4}, \"mb_per_s\": {mbps:.1}, \"rules\": {{{}}}}}",
            files.len(),
            scan_time.as_secs_f64(),
            wall.as_secs_f64(),
            rules.join(", ")
        );
    } else {
        for (rule, n) in &per_rule {
            println!("{n:6}  {rule}");
        }
        println!(
            "{} files, {:.1} MB, {findings} findings in {files_with} files; scan {:.3}s ({mbps:.0} MB/s), wall {:.3}s",
            files.len(),
            bytes as f64 / 1e6,
            scan_time.as_secs_f64(),
            wall.as_secs_f64()
        );
    }
}
