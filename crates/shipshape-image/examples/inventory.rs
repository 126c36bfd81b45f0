//! Lists the packages of an image, one package URL per line with its layer and file, and says
//! how long the walk took without and with the inventory:
//!
//! ```text
//! cargo run --release -p shipshape-image --example inventory -- image.tar [--walk-only|--scan-only]
//! ```
//!
//! `--walk-only` and `--scan-only` run just one of the two, for measuring peak memory.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line example

use shipshape_image::{Image, WalkOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: inventory IMAGE [--walk-only|--scan-only]");
        return ExitCode::from(2);
    };
    let mode = args.next().unwrap_or_default();
    let image = match Image::open(&path, None) {
        Ok(image) => image,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    if mode != "--scan-only" {
        let started = Instant::now();
        if let Err(error) = image.walk(&WalkOptions::for_inventory(), &mut ()) {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
        eprintln!("walk: {:.3} s", started.elapsed().as_secs_f64());
    }
    if mode != "--walk-only" {
        let started = Instant::now();
        let inventory = match image.scan(&mut ()) {
            Ok((_, inventory)) => inventory,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!("walk with inventory: {:.3} s", started.elapsed().as_secs_f64());
        for package in &inventory.packages {
            println!("{}\tlayer {}\t{}", package.purl, package.layer, package.db_path);
        }
        for note in &inventory.notes {
            eprintln!("note: {note}");
        }
        eprintln!("{} packages from {} files", inventory.packages.len(), inventory.sources.len());
    }
    ExitCode::SUCCESS
}
