#![allow(clippy::print_stdout, missing_docs, clippy::unwrap_used)]
fn main() {
    let data = std::fs::read(std::env::args().nth(1).unwrap()).unwrap().to_ascii_lowercase();
    let mut kws: Vec<String> = shipshape_secrets::BUILTIN_RULES
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_string()))
        .collect();
    kws.sort();
    kws.dedup();
    let ac = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&kws)
        .unwrap();
    let mut c = vec![0usize; kws.len()];
    for m in ac.find_overlapping_iter(&data) {
        c[m.pattern().as_usize()] += 1;
    }
    let mut v: Vec<_> = kws.iter().zip(c).collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    let total: usize = v.iter().map(|x| x.1).sum();
    println!("{} bytes, {} hits (1 per {} bytes)", data.len(), total, data.len() / total.max(1));
    for (k, n) in v.iter().take(25) {
        println!("{n:8} {k}");
    }
}
