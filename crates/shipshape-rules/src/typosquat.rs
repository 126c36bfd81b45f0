//! Typosquat detection for image references: is a name that is not on the bundled list of
//! widely used images and registries (`resources/known-images.txt`) a likely typo of one that is?
//!
//! The list is parsed once. Candidates are bucketed by length, so a lookup compares a name only
//! with known names of about its length; each comparison is a weighted edit distance bounded by
//! a budget that grows with the intended name's length:
//!
//! | edit | cost (half-edits) |
//! |---|---|
//! | homoglyph substitution (`0`/`o`, `1`/`l`/`i`, `5`/`s`) | 1 |
//! | doubled or undoubled letter (`nginxx`, `reddis`) | 1 |
//! | adjacent-key substitution (QWERTY), insertion, deletion, swap of neighbours | 2 |
//! | any other substitution | 3 |
//!
//! The first letter must be kept (or swapped with the second, or be a look-alike): people rarely
//! mistype it, and names that differ in it are mostly different words (`rocker`, `docker`).
//!
//! Besides, two names with the same *skeleton* (multi-letter homoglyphs `rn`/`m`, `vv`/`w`,
//! `cl`/`d` folded, separators dropped, runs of a letter collapsed) are one edit apart whatever
//! their length. Registry hosts are compared by registrable domain (`ghrc.io` for `ghcr.io`), and
//! a domain whose name part is a known registry's brand under another suffix (`docker.com`,
//! `dockerhub.io`) is a lookalike. A namespace is compared only with known namespaces of the same
//! registry, and names below a known namespace, on a private registry or on a registry whose
//! namespaces only its operator creates (`mcr.microsoft.com`) are not compared: nobody else can
//! publish there.

use shipshape_model::{ImageRef, glob_match};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const DATA: &str = include_str!("../resources/known-images.txt");

/// Registries on which a Docker Hub-style namespace check runs (anyone can create namespaces).
const DOCKER_HUB: &str = "docker.io";

/// What looks squatted, and what was probably meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspicion {
    pub kind: SquatKind,
    /// The part that looks wrong, as written (`ngnix`, `ghrc.io`, `bitnmai`).
    pub written: String,
    /// The known name it resembles (`nginx`, `ghcr.io`, `bitnami`).
    pub resembles: String,
    /// The image probably meant, in familiar form (`nginx`, `ghcr.io/org/app`, `bitnami/redis`).
    pub intended: String,
}

/// Which part of the reference looks squatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SquatKind {
    /// The registry host (`ghrc.io`, `docker.com`).
    Registry,
    /// A Docker Hub official image name (`ngnix`, `library/ngnix`).
    OfficialName,
    /// A publisher namespace (`bitnmai/redis`).
    Namespace,
    /// An official image written under a namespace of its own name (`nginx/nginx`).
    AddedNamespace,
    /// A publisher image written without its namespace (`grafana` for `grafana/grafana`).
    DroppedNamespace,
}

/// Names bucketed by length, each with its skeleton computed once.
#[derive(Debug, Default)]
struct Candidates {
    by_len: Vec<Vec<Candidate>>,
}

#[derive(Debug)]
struct Candidate {
    name: String,
    skeleton: String,
}

impl Candidates {
    fn push(&mut self, name: &str) {
        if self.by_len.len() <= name.len() {
            self.by_len.resize_with(name.len() + 1, Vec::new);
        }
        self.by_len[name.len()].push(Candidate { name: name.to_string(), skeleton: skeleton(name) });
    }

    /// The candidates whose length is within two of `len` (no others can be within budget).
    fn near(&self, len: usize) -> impl Iterator<Item = &Candidate> {
        let end = (len + 3).min(self.by_len.len());
        let start = len.saturating_sub(2).min(end);
        self.by_len[start..end].iter().flatten()
    }
}

/// The bundled list, indexed for lookups.
#[derive(Debug, Default)]
pub struct KnownImages {
    official: Vec<String>,
    official_candidates: Candidates,
    official_set: HashSet<String>,
    /// Familiar names of publisher images (`bitnami/redis`, `quay.io/prometheus/prometheus`).
    images: HashSet<String>,
    /// Namespaces per registry (`docker.io` → `bitnami`, ...).
    namespaces: HashMap<String, Candidates>,
    namespace_set: HashSet<String>,
    /// Docker Hub publisher images by their last component (`grafana` → `grafana/grafana`).
    by_base_name: HashMap<String, Vec<String>>,
    hosts: HashSet<String>,
    host_patterns: Vec<String>,
    closed_hosts: HashSet<String>,
    /// Registrable domains of the known hosts (`docker.io`, `ghcr.io`, `microsoft.com`) with the
    /// host to suggest for each.
    registrable: Vec<(String, String)>,
}

impl KnownImages {
    /// The bundled list, parsed on first use.
    pub fn bundled() -> &'static KnownImages {
        static KNOWN: OnceLock<KnownImages> = OnceLock::new();
        KNOWN.get_or_init(|| KnownImages::parse(DATA))
    }

    /// Parses the list format of `resources/known-images.txt`. Lines outside a known section are
    /// ignored.
    pub fn parse(text: &str) -> KnownImages {
        let mut known = KnownImages::default();
        let mut section = "";
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default().trim().to_ascii_lowercase();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match name {
                    "official" => "official",
                    "images" => "images",
                    "namespaces" => "namespaces",
                    "hosts" => "hosts",
                    "host-patterns" => "host-patterns",
                    "closed-hosts" => "closed-hosts",
                    _ => "",
                };
                continue;
            }
            match section {
                "official" if known.official_set.insert(line.clone()) => {
                    known.official_candidates.push(&line);
                    known.official.push(line);
                }
                "images" => {
                    let (host, path) = split_host(&line);
                    if let Some((namespace, _)) = path.rsplit_once('/') {
                        known.add_namespace(host, namespace);
                    }
                    if host == DOCKER_HUB {
                        let base = path.rsplit('/').next().unwrap_or(path).to_string();
                        known.by_base_name.entry(base).or_default().push(line.clone());
                    }
                    known.images.insert(line);
                }
                "namespaces" => {
                    let (host, namespace) = split_host(&line);
                    known.add_namespace(host, namespace);
                }
                "hosts" => {
                    known.hosts.insert(line);
                }
                "host-patterns" => known.host_patterns.push(line),
                "closed-hosts" => {
                    known.hosts.insert(line.clone());
                    known.closed_hosts.insert(line);
                }
                _ => {}
            }
        }
        // Docker Hub's other names stand for `docker.io` (`registry.hub.docker.com` must not make
        // `docker.com` a known domain).
        let mut hosts: Vec<&String> = known
            .hosts
            .iter()
            .filter(|h| {
                ImageRef::parse(&format!("{h}/x"))
                    .is_none_or(|r| r.registry != DOCKER_HUB || *h == DOCKER_HUB)
            })
            .collect();
        hosts.sort_unstable_by_key(|h| (h.len(), h.as_str()));
        for host in hosts {
            let domain = registrable_domain(host).to_string();
            if !known.registrable.iter().any(|(d, _)| *d == domain) {
                known.registrable.push((domain, host.clone()));
            }
        }
        known
    }

    fn add_namespace(&mut self, host: &str, namespace: &str) {
        if self.namespace_set.insert(format!("{host}/{namespace}")) {
            self.namespaces.entry(host.to_string()).or_default().push(namespace);
        }
    }

    /// How many names and hosts the list holds (official, publisher images, namespaces, hosts).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (self.official.len(), self.images.len(), self.namespace_set.len(), self.hosts.len())
    }

    /// Whether `host` is a known registry host (or matches a known pattern).
    pub fn is_known_host(&self, host: &str) -> bool {
        self.hosts.contains(host) || self.host_patterns.iter().any(|pattern| glob_match(pattern, host))
    }

    /// Judges one reference: `None` when nothing looks squatted.
    pub fn check(&self, reference: &ImageRef) -> Option<Suspicion> {
        let host = reference.host();
        if reference.explicit_registry && reference.registry != DOCKER_HUB {
            if !self.is_known_host(&host) {
                return self.lookalike_host(&host, reference);
            }
            if self.closed_hosts.contains(&host) {
                return None;
            }
        }
        if reference.is_docker_hub() {
            return self.check_docker_hub(reference);
        }
        self.check_namespace(&host, reference)
    }

    fn lookalike_host(&self, host: &str, reference: &ImageRef) -> Option<Suspicion> {
        if !host.contains('.')
            || host.starts_with('[')
            || host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        {
            return None;
        }
        let domain = registrable_domain(host);
        if self.registrable.iter().any(|(d, _)| d == domain) {
            return None;
        }
        let (brand, _) = domain.split_once('.').unwrap_or((domain, ""));
        let brand_plain: String = brand.chars().filter(|c| *c != '-').collect();
        let candidates = self.registrable.iter().map(|(d, h)| (d.as_str(), h.as_str()));
        let mut best: Option<(u32, &str)> = None;
        for (known_domain, known_host) in candidates {
            let (known_brand, _) = known_domain.split_once('.').unwrap_or((known_domain, ""));
            let same_brand = known_brand.len() >= 3
                && (brand_plain == known_brand
                    || ["hub", "io", "registry"].iter().any(|extra| {
                        brand_plain == format!("{known_brand}{extra}")
                            || brand_plain == format!("{extra}{known_brand}")
                    }));
            let cost =
                if same_brand { Some(2) } else { typo_cost(domain, known_domain, name_budget(known_domain)) };
            if let Some(cost) = cost
                && best.is_none_or(|(c, _)| cost < c)
            {
                best = Some((cost, known_host));
            }
        }
        let (_, intended_host) = best?;
        Some(Suspicion {
            kind: SquatKind::Registry,
            written: host.to_string(),
            resembles: intended_host.to_string(),
            intended: format!("{intended_host}/{}", reference.repository),
        })
    }

    fn check_docker_hub(&self, reference: &ImageRef) -> Option<Suspicion> {
        let repository = reference.repository.as_str();
        if self.images.contains(repository) {
            return None;
        }
        let (namespace, name) = repository.split_once('/')?;
        if namespace == "library" {
            if name.contains('/') || self.official_set.contains(name) {
                return None;
            }
            if let Some(official) = nearest(name, &self.official_candidates, name_budget) {
                return Some(Suspicion {
                    kind: SquatKind::OfficialName,
                    written: name.to_string(),
                    resembles: official.to_string(),
                    intended: official.to_string(),
                });
            }
            // Only where the namespace is the name's own (`grafana/grafana`, `prom/prometheus`):
            // a generic word (`base`, `server`) is more likely a local image.
            let publisher = self.by_base_name.get(name)?.iter().find(|image| {
                let namespace = skeleton(image.split('/').next().unwrap_or_default());
                let plain = skeleton(name);
                plain.starts_with(&namespace) || namespace.starts_with(&plain)
            })?;
            return Some(Suspicion {
                kind: SquatKind::DroppedNamespace,
                written: name.to_string(),
                resembles: publisher.clone(),
                intended: publisher.clone(),
            });
        }
        if !name.contains('/')
            && self.official_set.contains(name)
            && (namespace == name || typo_cost(namespace, name, name_budget(name)).is_some())
        {
            return Some(Suspicion {
                kind: SquatKind::AddedNamespace,
                written: repository.to_string(),
                resembles: name.to_string(),
                intended: name.to_string(),
            });
        }
        self.check_namespace(DOCKER_HUB, reference)
    }

    /// A namespace one typo from a known namespace of the same registry.
    fn check_namespace(&self, host: &str, reference: &ImageRef) -> Option<Suspicion> {
        let familiar = reference.familiar_name();
        if self.images.contains(&familiar) {
            return None;
        }
        let (namespace, rest) = reference.repository.split_once('/')?;
        if self.namespace_set.contains(&format!("{host}/{namespace}")) {
            return None;
        }
        let known = self.namespaces.get(host)?;
        let resembles = nearest(namespace, known, namespace_budget)?;
        let intended_repository = format!("{resembles}/{rest}");
        let intended = if host == DOCKER_HUB {
            intended_repository
        } else {
            format!("{}/{intended_repository}", reference.registry)
        };
        Some(Suspicion {
            kind: SquatKind::Namespace,
            written: namespace.to_string(),
            resembles: resembles.to_string(),
            intended,
        })
    }
}

/// The candidate `typed` most plausibly mistypes, within each candidate's budget.
fn nearest<'k>(typed: &str, candidates: &'k Candidates, budget: fn(&str) -> u32) -> Option<&'k str> {
    let typed_skeleton = skeleton(typed);
    let mut best: Option<(u32, &'k str)> = None;
    for candidate in candidates.near(typed.len()) {
        let cost = if typed == candidate.name {
            None
        } else if typed_skeleton == candidate.skeleton {
            Some(1)
        } else {
            edit_cost(typed, &candidate.name, budget(&candidate.name))
        };
        if let Some(cost) = cost
            && best.is_none_or(|(c, _)| cost < c)
        {
            best = Some((cost, candidate.name.as_str()));
        }
    }
    best.map(|(_, name)| name)
}

/// `(host, path)` of a list entry: Docker Hub when its first component is not a host.
fn split_host(entry: &str) -> (&str, &str) {
    match entry.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') => (first, rest),
        _ => (DOCKER_HUB, entry),
    }
}

/// The last two labels of a host (`ghcr.io`, `microsoft.com`), three under a country's
/// second-level domain (`example.co.uk`).
fn registrable_domain(host: &str) -> &str {
    const SECOND_LEVEL: [&str; 10] =
        ["co.uk", "org.uk", "com.au", "com.br", "com.cn", "co.jp", "co.kr", "co.in", "com.tw", "co.nz"];
    let labels = if SECOND_LEVEL.iter().any(|suffix| host.ends_with(&format!(".{suffix}"))) { 3 } else { 2 };
    match host.char_indices().rev().filter(|(_, c)| *c == '.').map(|(i, _)| i).nth(labels - 1) {
        Some(dot) => &host[dot + 1..],
        None => host,
    }
}

/// Budget (half-edits) for a mistyped image name or domain, by the intended name's length.
fn name_budget(intended: &str) -> u32 {
    match intended.len() {
        0..=3 => 1,
        4..=5 => 2,
        6..=9 => 3,
        _ => 4,
    }
}

/// Budget for a namespace: stricter, as many organisations' names lie near each other.
fn namespace_budget(intended: &str) -> u32 {
    match intended.len() {
        0..=4 => 1,
        5..=7 => 2,
        8..=11 => 3,
        _ => 4,
    }
}

/// The weighted cost of turning `intended` into `typed`, if within `budget` (see the module
/// docs); `None` when over budget or when the two are equal.
pub(crate) fn typo_cost(typed: &str, intended: &str, budget: u32) -> Option<u32> {
    if typed == intended {
        return None;
    }
    if skeleton(typed) == skeleton(intended) {
        return Some(1);
    }
    edit_cost(typed, intended, budget)
}

/// The weighted edit distance alone (no skeleton comparison), if within `budget`.
fn edit_cost(typed: &str, intended: &str, budget: u32) -> Option<u32> {
    let a = typed.as_bytes();
    let b = intended.as_bytes();
    // People rarely mistype a name's first letter (`rocker` is not a typo of `docker`), but do
    // swap the first two or use a look-alike.
    let first_kept = match (a, b) {
        ([x, ..], [y, ..]) if x == y || is_homoglyph(*x, *y) => true,
        ([x0, x1, ..], [y0, y1, ..]) => x0 == y1 && x1 == y0,
        _ => false,
    };
    if !first_kept {
        return None;
    }
    if a.len().abs_diff(b.len()) * 2 > budget as usize {
        return None;
    }
    let width = b.len() + 1;
    let mut d = vec![0u32; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        d[at(i, 0)] = 2 * i as u32;
    }
    for j in 0..=b.len() {
        d[at(0, j)] = 2 * j as u32;
    }
    for i in 1..=a.len() {
        let mut row_min = u32::MAX;
        for j in 1..=b.len() {
            let substitute = d[at(i - 1, j - 1)] + substitution_cost(a[i - 1], b[j - 1]);
            // An extra letter in `typed` costs less when it doubles its neighbour.
            let extra = if i >= 2 && a[i - 1] == a[i - 2] { 1 } else { 2 };
            let missing = if j >= 2 && b[j - 1] == b[j - 2] { 1 } else { 2 };
            let mut best = substitute.min(d[at(i - 1, j)] + extra).min(d[at(i, j - 1)] + missing);
            if i >= 2 && j >= 2 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[at(i - 2, j - 2)] + 2);
            }
            d[at(i, j)] = best;
            row_min = row_min.min(best);
        }
        if row_min > budget {
            return None;
        }
    }
    let cost = d[at(a.len(), b.len())];
    (cost <= budget).then_some(cost)
}

fn substitution_cost(typed: u8, intended: u8) -> u32 {
    if typed == intended {
        0
    } else if is_homoglyph(typed, intended) {
        1
    } else if keys_adjacent(typed, intended) {
        2
    } else {
        3
    }
}

fn is_homoglyph(a: u8, b: u8) -> bool {
    const PAIRS: [(u8, u8); 5] = [(b'0', b'o'), (b'1', b'l'), (b'1', b'i'), (b'l', b'i'), (b'5', b's')];
    PAIRS.iter().any(|&(x, y)| (a, b) == (x, y) || (a, b) == (y, x))
}

/// Whether two keys touch on a QWERTY keyboard (same row neighbours, or the rows above/below).
fn keys_adjacent(a: u8, b: u8) -> bool {
    const ROWS: [&[u8]; 4] = [b"1234567890-", b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let position = |key: u8| {
        ROWS.iter()
            .enumerate()
            .find_map(|(row, keys)| keys.iter().position(|&k| k == key).map(|col| (row, col)))
    };
    let (Some((row_a, col_a)), Some((row_b, col_b))) = (position(a), position(b)) else { return false };
    // Each row starts about half a key right of the one above, so row r's column c touches
    // columns c and c + 1 of the row above.
    match row_a.abs_diff(row_b) {
        0 => col_a.abs_diff(col_b) == 1,
        1 => {
            let (upper, lower) = if row_a < row_b { (col_a, col_b) } else { (col_b, col_a) };
            upper == lower || upper == lower + 1
        }
        _ => false,
    }
}

/// The name with look-alike letters folded, separators dropped and runs collapsed.
fn skeleton(text: &str) -> String {
    let folded = text.replace("rn", "m").replace("vv", "w").replace("cl", "d");
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        let c = match c {
            '0' => 'o',
            '1' | 'i' => 'l',
            '5' => 's',
            '-' | '_' | '.' => continue,
            c => c,
        };
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Option<Suspicion> {
        let reference = ImageRef::parse(text).unwrap_or_else(|| panic!("{text}"));
        KnownImages::bundled().check(&reference)
    }

    fn intended(text: &str) -> Option<String> {
        check(text).map(|s| s.intended)
    }

    #[test]
    fn the_list_loads() {
        let (official, images, namespaces, hosts) = KnownImages::bundled().counts();
        assert!(official >= 170, "{official} official images");
        assert!(images >= 150, "{images} publisher images");
        assert!(namespaces >= 80, "{namespaces} namespaces");
        assert!(hosts >= 30, "{hosts} hosts");
    }

    #[test]
    fn every_known_name_is_clean() {
        let known = KnownImages::bundled();
        for name in &known.official {
            assert_eq!(check(name), None, "{name}");
            assert_eq!(check(&format!("library/{name}:1")), None, "{name}");
        }
        for name in &known.images {
            assert_eq!(check(name), None, "{name}");
        }
    }

    #[test]
    fn real_world_names_are_clean() {
        let names = include_str!("../resources/typosquat-negatives.txt");
        let mut checked = 0;
        for line in names.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let Some(reference) = ImageRef::parse(line) else { continue };
            checked += 1;
            assert_eq!(KnownImages::bundled().check(&reference), None, "{line}");
        }
        assert!(checked > 750, "{checked}");
    }

    #[test]
    fn damerau_levenshtein_swaps_drops_and_additions() {
        assert_eq!(intended("ngnix"), Some("nginx".into()));
        assert_eq!(intended("nignx:1.27"), Some("nginx".into()));
        assert_eq!(intended("ngix"), Some("nginx".into()));
        assert_eq!(intended("alpin"), Some("alpine".into()));
        assert_eq!(intended("pyhton:3.12"), Some("python".into()));
        assert_eq!(intended("postgress"), Some("postgres".into()));
        assert_eq!(intended("ubunut:22.04"), Some("ubuntu".into()));
        assert_eq!(intended("elasticsaerch"), Some("elasticsearch".into()));
        // Too far for the name's length.
        assert_eq!(check("ngx"), None);
        assert_eq!(check("pythn3"), None);
        assert_eq!(check("mongodb"), None, "two letters added to a five-letter name");
    }

    #[test]
    fn keyboard_neighbours_are_cheap_other_substitutions_are_not() {
        assert_eq!(intended("redos"), Some("redis".into()), "o is next to i");
        assert_eq!(check("rezis"), None, "z is far from d on a five-letter name");
        assert_eq!(intended("ubuntj"), Some("ubuntu".into()));
        assert!(keys_adjacent(b'q', b'w') && keys_adjacent(b'a', b'q') && keys_adjacent(b'b', b'h'));
        assert!(!keys_adjacent(b'q', b'p') && !keys_adjacent(b'a', b'm'));
    }

    #[test]
    fn homoglyphs() {
        assert_eq!(intended("ng1nx"), Some("nginx".into()));
        assert_eq!(intended("n0de:20"), Some("node".into()));
        assert_eq!(intended("rnysql"), Some("mysql".into()));
        assert_eq!(skeleton("modern"), "modem", "rn folds to m");
        assert_eq!(intended("go1ang"), Some("golang".into()));
        assert_eq!(intended("php"), None);
    }

    #[test]
    fn doubled_letters_and_separators() {
        assert_eq!(intended("nginxx"), Some("nginx".into()));
        assert_eq!(intended("reddis"), Some("redis".into()));
        assert_eq!(intended("eclipse-mosquito"), Some("eclipse-mosquitto".into()));
        assert_eq!(intended("helloworld"), Some("hello-world".into()));
    }

    #[test]
    fn namespaces() {
        assert_eq!(intended("bitnmai/redis:7"), Some("bitnami/redis".into()));
        assert_eq!(intended("bitnam1/postgresql"), Some("bitnami/postgresql".into()));
        assert_eq!(intended("grafna/grafana"), Some("grafana/grafana".into()));
        assert_eq!(intended("hashicrop/vault"), Some("hashicorp/vault".into()));
        assert_eq!(intended("quay.io/prometeus/prometheus"), Some("quay.io/prometheus/prometheus".into()));
        // Known namespaces own every name below them; organisations far from any are theirs.
        assert_eq!(check("bitnami/some-new-chart"), None);
        assert_eq!(check("nginxinc/nginx-unprivileged:stable"), None);
        assert_eq!(check("nodered/node-red:3"), None);
        assert_eq!(check("acme/api:1.4"), None);
        assert_eq!(check("acme/nginx"), None);
        assert_eq!(check("myorg/redis"), None);
        assert_eq!(check("prism/app"), None);
        assert_eq!(check("rocker/r-ver:4.4"), None, "a different first letter is a different word");
        assert_eq!(check("gcr.io/google_samples/gb-frontend:v4"), None);
    }

    #[test]
    fn added_and_dropped_namespaces() {
        let s = check("nginx/nginx:1.27").expect("nginx/nginx");
        assert_eq!((s.kind, s.intended.as_str()), (SquatKind::AddedNamespace, "nginx"));
        assert_eq!(intended("library/ngnix"), Some("nginx".into()));
        assert_eq!(intended("docker.io/library/ngnix"), Some("nginx".into()));
        let s = check("grafana").expect("grafana");
        assert_eq!((s.kind, s.intended.as_str()), (SquatKind::DroppedNamespace, "grafana/grafana"));
        assert_eq!(check("caddy/caddy"), None, "a real image");
        assert_eq!(check("mysql/mysql-server"), None);
    }

    #[test]
    fn registry_hosts() {
        let s = check("ghrc.io/acme/app:1").expect("ghrc.io");
        assert_eq!(
            (s.kind, s.resembles.as_str(), s.intended.as_str()),
            (SquatKind::Registry, "ghcr.io", "ghcr.io/acme/app")
        );
        assert_eq!(check("dockerhub.io/library/nginx").map(|s| s.resembles), Some("docker.io".into()));
        assert_eq!(check("docker.com/nginx").map(|s| s.resembles), Some("docker.io".into()));
        assert_eq!(check("qauy.io/org/app").map(|s| s.resembles), Some("quay.io".into()));
        assert_eq!(check("registry.k8.io/pause:3.9").map(|s| s.resembles), Some("registry.k8s.io".into()));
        // Known, regional, pattern-matched, private and local registries are fine.
        for clean in [
            "ghcr.io/acme/app:1",
            "us.gcr.io/proj/app",
            "europe-west1-docker.pkg.dev/proj/repo/app:1",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
            "myregistry.azurecr.io/app:1",
            "registry.example.com/team/app:1",
            "docker.mycompany.com/app:1",
            "localhost:5000/app",
            "10.0.0.5:5000/app",
            "[::1]:5000/app",
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "mcr.microsoft.com/anything/new:1",
            "registry-1.docker.io/bitnami/redis",
            "public.ecr.aws/lambda/python:3.12",
            "cgr.dev/chainguard/static",
        ] {
            assert_eq!(check(clean), None, "{clean}");
        }
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("registry.k8s.io"), "k8s.io");
        assert_eq!(registrable_domain("example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("registry.example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("ghcr.io"), "ghcr.io");
    }
}
