//! Checks image references read from standard input (one a line) for typosquats and prints the
//! hits, the number of names checked and the time per check:
//!
//! ```text
//! grep -h '^FROM' Dockerfiles... | awk '{print $2}' | cargo run --release -p shipshape-rules --example typosquat
//! ```

use shipshape_model::ImageRef;
use shipshape_rules::typosquat::KnownImages;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let mut names = BTreeMap::new();
    let mut invalid = 0usize;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        match ImageRef::parse(text) {
            Some(reference) => {
                names.insert(reference.to_string(), reference);
            }
            None => invalid += 1,
        }
    }
    let known = KnownImages::bundled();
    let names: Vec<ImageRef> = names.into_values().collect();
    let started = Instant::now();
    let rounds = 100;
    let mut hits = Vec::new();
    for round in 0..rounds {
        for reference in &names {
            let suspicion = known.check(reference);
            if round == 0
                && let Some(suspicion) = suspicion
            {
                hits.push((reference.to_string(), suspicion.intended));
            }
        }
    }
    let per_check = started.elapsed().as_secs_f64() / (rounds * names.len().max(1)) as f64;
    let mut out = std::io::stdout().lock();
    for (name, intended) in &hits {
        writeln!(out, "hit: {name} -> {intended}")?;
    }
    writeln!(
        out,
        "{} distinct references checked ({invalid} lines not references), {} hits, {:.2} µs per check",
        names.len(),
        hits.len(),
        per_check * 1e6
    )?;
    Ok(())
}
