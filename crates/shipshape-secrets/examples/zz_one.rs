#![allow(clippy::print_stdout, missing_docs, clippy::unwrap_used)]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let iters: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let data = std::fs::read(path).unwrap();
    let d = shipshape_secrets::Detector::new(Default::default()).unwrap();
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..iters {
        n += d.scan(&data).len();
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "{} findings/iter, wall {:.0} MB/s ({} bytes x {iters})",
        n / iters.max(1),
        data.len() as f64 * iters as f64 / 1e6 / s,
        data.len()
    );
}
