//! The detector: keyword prefilter, windowed regex matching, checks, and findings.

use std::io::{self, Read};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use crate::keywords::KeywordSet;
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Input, util::syntax};

use crate::base64::{Base64Error, decode_with_positions};
use crate::builtin::BUILTIN_RULES;
use crate::config::{ConfigError, DetectorConfig, is_kebab};
use crate::entropy::shannon;
use crate::finding::{CustomRuleInfo, RuleRef, SecretMatch, fingerprint, redact};
use crate::glob::glob_match;
use crate::heuristics::is_example;
use crate::rule::{Candidate, Extract, RuleKind, Scope, Validator};

/// Longest stretch of a line, on either side of a keyword hit, that a line-scoped rule looks at.
/// Longer lines (minified code, base64 blobs) are cut there, which keeps the work per hit
/// bounded.
pub const MAX_LINE_WINDOW: usize = 4096;

/// How much of the start of an input is sniffed for binary content.
pub const SNIFF_LEN: usize = 8192;

/// Buffer size of [`Detector::scan_reader`], not counting the overlap.
pub const READ_CHUNK: usize = 1 << 20;

/// Bytes kept between two buffers of [`Detector::scan_reader`]: twice the widest rule window,
/// so every finding is seen whole, with its context, by the buffer that reports it.
pub const READ_OVERLAP: usize = 128 << 10;

/// Reads from `reader` until `buf` holds `cap` bytes or the input ends (retrying interrupted
/// reads); `true` at the end of the input. The chunk loop of the streaming scanners (this
/// crate's and `shipshape-malware`'s).
pub fn fill_buffer<R: Read>(reader: &mut R, buf: &mut Vec<u8>, cap: usize) -> io::Result<bool> {
    while buf.len() < cap {
        let filled = buf.len();
        buf.resize(cap, 0);
        match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => {
                buf.truncate(filled);
                return Ok(true);
            }
            Ok(n) => buf.truncate(filled + n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(filled),
            Err(e) => {
                buf.truncate(filled);
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// Whether `data` looks binary: a NUL byte, or more than 10% of bytes in invalid UTF-8
/// sequences, in its first [`SNIFF_LEN`] bytes.
pub fn is_binary(data: &[u8]) -> bool {
    let sample = data.get(..SNIFF_LEN).unwrap_or(data);
    if memchr::memchr(0, sample).is_some() {
        return true;
    }
    let mut bad = 0usize;
    let mut rest = sample;
    while let Err(e) = std::str::from_utf8(rest) {
        // A sequence cut by the end of the sample is not an error.
        let Some(len) = e.error_len() else { break };
        bad += len;
        rest = rest.get(e.valid_up_to() + len..).unwrap_or_default();
    }
    bad * 10 > sample.len()
}

fn build_regex(pattern: &str) -> Result<Regex, String> {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(Regex::config().utf8_empty(false))
        .build(pattern)
        .map_err(|e| e.to_string())
}

/// The built-in regexes, compiled once per process.
fn builtin_regexes() -> &'static [Result<Regex, String>] {
    static COMPILED: OnceLock<Vec<Result<Regex, String>>> = OnceLock::new();
    COMPILED.get_or_init(|| BUILTIN_RULES.iter().map(|r| build_regex(r.regex)).collect())
}

struct Compiled {
    rule: RuleRef,
    regex: Regex,
    secret_group: usize,
    name_group: Option<usize>,
    scope: Scope,
    min_entropy: Option<f64>,
    validator: Option<Validator>,
    binary: bool,
    kind: RuleKind,
    extract: Extract,
    /// The secret group is the whole match (`\b(…)\b`): no capture engine needed.
    whole_match: bool,
}

struct CompiledAllow {
    path: Option<String>,
    value: Option<Regex>,
    rules: Vec<String>,
}

/// A match before resolution.
struct Raw {
    rule: usize,
    span: Range<usize>,
    match_span: Range<usize>,
    entropy: Option<f64>,
    /// Validation left for after overlap resolution (generic rules: most of their candidates
    /// on secret-dense text are hidden by a vendor finding anyway).
    deferred: Option<Deferred>,
}

struct Deferred {
    name: Option<Range<usize>>,
    window: Range<usize>,
}

/// Line number and absolute line-start offset at the first byte of a buffer.
#[derive(Clone, Copy)]
struct LineBase {
    line: usize,
    line_start: usize,
}

/// The secret detector. Build it once ([`Detector::new`]) and share it: scanning takes `&self`
/// and the detector is `Send + Sync`.
pub struct Detector {
    rules: Vec<Compiled>,
    keywords: Option<KeywordSet>,
    by_keyword: Vec<Vec<usize>>,
    unkeyed: Vec<usize>,
    allow: Vec<CompiledAllow>,
    generic: GenericRules,
}

#[derive(Default)]
struct GenericRules {
    password: Option<usize>,
    secret: Option<usize>,
    token: Option<usize>,
    api_key: Option<usize>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector").field("rules", &self.rules.len()).finish_non_exhaustive()
    }
}

fn check_keyword(rule_id: &str, k: &str) -> Result<(), ConfigError> {
    if k.is_empty() || !k.is_ascii() || k.contains(['\n', '\r']) {
        return Err(ConfigError::InvalidKeyword { rule_id: rule_id.to_string(), keyword: k.to_string() });
    }
    Ok(())
}

impl Detector {
    /// Builds a detector: the enabled built-in rules, then the custom rules, behind one keyword
    /// automaton. Fails on a bad custom regex, id, keyword or allowlist entry, naming it.
    pub fn new(config: DetectorConfig) -> Result<Detector, ConfigError> {
        let mut known: Vec<String> = BUILTIN_RULES.iter().map(|r| r.id.to_string()).collect();
        for c in &config.custom_rules {
            if !is_kebab(&c.id) {
                return Err(ConfigError::InvalidRuleId { rule_id: c.id.clone() });
            }
            if known.contains(&c.id) {
                return Err(ConfigError::DuplicateRuleId { rule_id: c.id.clone() });
            }
            known.push(c.id.clone());
        }
        for id in &config.disabled_rules {
            if !known.contains(id) {
                return Err(ConfigError::UnknownRule { rule_id: id.clone() });
            }
        }
        let disabled = |id: &str| config.disabled_rules.iter().any(|d| d == id);

        let mut rules = Vec::new();
        let mut keyword_list: Vec<String> = Vec::new();
        let mut by_keyword: Vec<Vec<usize>> = Vec::new();
        let mut unkeyed = Vec::new();
        let mut add_keywords = |rule_index: usize, keywords: &mut dyn Iterator<Item = String>| {
            let mut any = false;
            for k in keywords {
                any = true;
                let k = k.to_ascii_lowercase();
                match keyword_list.iter().position(|x| *x == k) {
                    Some(i) => by_keyword.get_mut(i).into_iter().for_each(|v| v.push(rule_index)),
                    None => {
                        keyword_list.push(k);
                        by_keyword.push(vec![rule_index]);
                    }
                }
            }
            any
        };

        for (rule, regex) in BUILTIN_RULES.iter().zip(builtin_regexes()) {
            if disabled(rule.id) {
                continue;
            }
            let regex = regex
                .clone()
                .map_err(|message| ConfigError::InvalidRegex { rule_id: rule.id.to_string(), message })?;
            for k in rule.keywords {
                check_keyword(rule.id, k)?;
            }
            let compiled = compile(
                RuleRef::Builtin(rule),
                rule.regex,
                regex,
                rule.secret_group,
                rule.scope,
                rule.min_entropy,
                rule.validator,
                rule.binary,
                rule.kind,
                rule.extract,
            )?;
            let index = rules.len();
            rules.push(compiled);
            add_keywords(index, &mut rule.keywords.iter().map(|k| (*k).to_string()));
        }
        for c in &config.custom_rules {
            if disabled(&c.id) {
                continue;
            }
            for k in &c.keywords {
                check_keyword(&c.id, k)?;
            }
            let regex = build_regex(&c.regex)
                .map_err(|message| ConfigError::InvalidRegex { rule_id: c.id.clone(), message })?;
            let info = CustomRuleInfo { id: c.id.clone(), title: c.title.clone(), severity: c.severity };
            let compiled = compile(
                RuleRef::Custom(Arc::new(info)),
                &c.regex,
                regex,
                c.secret_group,
                Scope::Line,
                c.min_entropy,
                None,
                false,
                RuleKind::Vendor,
                Extract::Groups,
            )?;
            let index = rules.len();
            rules.push(compiled);
            if !add_keywords(index, &mut c.keywords.iter().cloned()) {
                unkeyed.push(index);
            }
        }

        let keywords = if keyword_list.is_empty() {
            None
        } else {
            Some(KeywordSet::new(&keyword_list).map_err(|message| ConfigError::Keywords { message })?)
        };

        let mut allow = Vec::new();
        for (index, a) in config.allowlist.iter().enumerate() {
            if a.path.is_none() && a.value.is_none() {
                return Err(ConfigError::InvalidAllow {
                    index,
                    message: "needs a path glob or a value regex".into(),
                });
            }
            for r in &a.rules {
                if !known.contains(r) {
                    return Err(ConfigError::UnknownRule { rule_id: r.clone() });
                }
            }
            let value = match &a.value {
                Some(v) => Some(build_regex(v).map_err(|m| ConfigError::InvalidAllow {
                    index,
                    message: format!("invalid value regex: {m}"),
                })?),
                None => None,
            };
            allow.push(CompiledAllow { path: a.path.clone(), value, rules: a.rules.clone() });
        }

        let find = |id: &str| rules.iter().position(|r: &Compiled| r.rule.id() == id);
        let generic = GenericRules {
            password: find("generic-password"),
            secret: find("generic-secret"),
            token: find("generic-token"),
            api_key: find("generic-api-key"),
        };
        Ok(Detector { rules, keywords, by_keyword, unkeyed, allow, generic })
    }

    /// Ids of the rules this detector runs, built-in first.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.rule.id())
    }

    /// Scans `input`. Binary input (see [`is_binary`]) is only scanned by the rules that target
    /// binaries (private keys and long prefixed tokens). Findings are sorted by position.
    pub fn scan(&self, input: &[u8]) -> Vec<SecretMatch> {
        let raws = self.scan_raw(input, is_binary(input));
        self.finish(input, raws, None, 0..input.len(), 0, LineBase { line: 1, line_start: 0 })
    }

    /// Like [`scan`](Self::scan), for a file at `path`: allowlist entries with a path glob
    /// apply.
    pub fn scan_path(&self, path: &str, input: &[u8]) -> Vec<SecretMatch> {
        let path = path.replace('\\', "/");
        let raws = self.scan_raw(input, is_binary(input));
        self.finish(input, raws, Some(&path), 0..input.len(), 0, LineBase { line: 1, line_start: 0 })
    }

    /// Scans a stream with a bounded buffer ([`READ_CHUNK`] plus [`READ_OVERLAP`] bytes),
    /// reporting absolute offsets, lines and columns. A secret longer than half the overlap, or
    /// a rule window wider than it, could be cut; no built-in rule comes close.
    pub fn scan_reader<R: Read>(&self, mut reader: R) -> io::Result<Vec<SecretMatch>> {
        let cap = READ_CHUNK + READ_OVERLAP;
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        let mut offset = 0usize;
        let mut base = LineBase { line: 1, line_start: 0 };
        let mut own_from = 0usize;
        let mut binary = None;
        let mut out = Vec::new();
        loop {
            let eof = fill_buffer(&mut reader, &mut buf, cap)?;
            let is_bin = *binary.get_or_insert_with(|| is_binary(&buf));
            let own_to = if eof { buf.len() } else { buf.len() - READ_OVERLAP / 2 };
            let raws = self.scan_raw(&buf, is_bin);
            out.extend(self.finish(&buf, raws, None, own_from..own_to, offset, base));
            if eof {
                return Ok(out);
            }
            let cut = buf.len() - READ_OVERLAP;
            let head = buf.get(..cut).unwrap_or_default();
            let newlines = memchr::memchr_iter(b'\n', head).count();
            if let Some(last) = memchr::memrchr(b'\n', head) {
                base = LineBase { line: base.line + newlines, line_start: offset + last + 1 };
            }
            buf.drain(..cut);
            offset += cut;
            own_from = own_to - cut;
        }
    }

    /// Scans one key/value pair (a Dockerfile `ENV`/`ARG`, a Compose `environment` entry, a
    /// Kubernetes `env` value). Besides the rules that run on any text, the variable name
    /// serves as context: `DB_PASSWORD` with a value that passes the generic password checks is
    /// reported by `generic-password` (and `*_SECRET`, `*_TOKEN`, `*_API_KEY` likewise), with
    /// the span covering the value.
    pub fn scan_value(&self, name: Option<&str>, value: &str) -> Vec<SecretMatch> {
        let input = value.as_bytes();
        let raws = self.scan_value_raw(name, input);
        self.finish(input, raws, None, 0..input.len(), 0, LineBase { line: 1, line_start: 0 })
    }

    /// Scans a base64-encoded value, as in a Kubernetes Secret's `data` (or a `.dockerconfigjson`
    /// entry): decodes it, scans the decoded bytes like [`scan_value`](Self::scan_value) (with
    /// `name`, the data key, as context), and maps each finding back to the encoded text:
    /// `span`, `match_span`, `line` and `column` refer to `encoded` (spans rounded out to whole
    /// base64 groups), while `redacted`, `fingerprint` and `entropy` are those of the decoded
    /// secret, so the fingerprint equals the one a plain-text occurrence would get.
    pub fn scan_base64_value(
        &self,
        name: Option<&str>,
        encoded: &str,
    ) -> Result<Vec<SecretMatch>, Base64Error> {
        let decoded = decode_with_positions(encoded.as_bytes())?;
        let bytes = &decoded.bytes;
        let raws = match std::str::from_utf8(bytes) {
            Ok(_) => self.scan_value_raw(name, bytes),
            Err(_) => self.scan_raw(bytes, is_binary(bytes)),
        };
        let mut found =
            self.finish(bytes, raws, None, 0..bytes.len(), 0, LineBase { line: 1, line_start: 0 });
        let enc = encoded.as_bytes();
        for m in &mut found {
            m.span = decoded.encoded_span(m.span.start, m.span.end);
            m.match_span = decoded.encoded_span(m.match_span.start, m.match_span.end);
            let before = enc.get(..m.span.start).unwrap_or_default();
            m.line = 1 + memchr::memchr_iter(b'\n', before).count();
            m.column = m.span.start - memchr::memrchr(b'\n', before).map_or(0, |i| i + 1) + 1;
        }
        Ok(found)
    }

    fn scan_value_raw(&self, name: Option<&str>, input: &[u8]) -> Vec<Raw> {
        let mut raws = self.scan_raw(input, false);
        let Some(name) = name else { return raws };
        let Some(rule) = self.generic_rule_for(name) else { return raws };
        let (start, end) = trim_quotes(input);
        let secret = input.get(start..end).unwrap_or_default();
        let cand = Candidate { secret, matched: input, name: Some(name.as_bytes()), window: input };
        let password = Some(rule) == self.generic.password;
        if !secret.is_empty() && crate::validators::generic_literal(&cand, password) {
            raws.push(Raw {
                rule,
                span: start..end,
                match_span: 0..input.len(),
                entropy: Some(shannon(secret)),
                deferred: None,
            });
        }
        raws
    }

    fn generic_rule_for(&self, name: &str) -> Option<usize> {
        let n = name.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        if has(&["password", "passwd", "passphrase", "pwd"]) {
            self.generic.password
        } else if has(&["api_key", "apikey", "api-key", "access_key", "accesskey", "access-key"]) {
            self.generic.api_key
        } else if has(&["secret", "private_key", "privatekey", "private-key"]) {
            self.generic.secret
        } else if has(&["token"]) {
            self.generic.token
        } else {
            None
        }
    }

    /// Keyword prefilter, windows, regexes and per-rule checks.
    fn scan_raw(&self, hay: &[u8], binary: bool) -> Vec<Raw> {
        let mut out = Vec::new();
        let mut caps: Vec<Option<Captures>> = (0..self.rules.len()).map(|_| None).collect();
        for &ri in &self.unkeyed {
            self.run_rule(ri, hay, 0, hay.len(), &mut caps, &mut out);
        }
        let Some(keywords) = &self.keywords else { return out };
        let mut open: Vec<Option<(usize, usize)>> = vec![None; self.rules.len()];
        let mut lines = LineTracker::new(hay);
        keywords.for_each_hit(hay, |hit| {
            let (hs, he) = (hit.start, hit.end);
            let Some(rule_indexes) = self.by_keyword.get(hit.keyword) else { return };
            let mut line_window = None;
            for &ri in rule_indexes {
                let Some(rule) = self.rules.get(ri) else { continue };
                if binary && !rule.binary {
                    continue;
                }
                let (ws, we) = match rule.scope {
                    Scope::Line => *line_window.get_or_insert_with(|| lines.window(hs, he)),
                    Scope::Around { before, after } => {
                        (hs.saturating_sub(before as usize), he.saturating_add(after as usize).min(hay.len()))
                    }
                };
                match open.get_mut(ri) {
                    // Adjacent windows merge too: line-scoped regexes never match across a
                    // line break, so one search over consecutive lines finds the same matches
                    // as one search per line, with less overhead.
                    Some(Some((s, e))) if ws <= *e => {
                        *s = (*s).min(ws);
                        *e = (*e).max(we);
                    }
                    Some(slot) => {
                        if let Some((s, e)) = slot.replace((ws, we)) {
                            self.run_rule(ri, hay, s, e, &mut caps, &mut out);
                        }
                    }
                    None => {}
                }
            }
        });
        for (ri, slot) in open.into_iter().enumerate() {
            if let Some((s, e)) = slot {
                self.run_rule(ri, hay, s, e, &mut caps, &mut out);
            }
        }
        out
    }

    /// Runs rule `ri` on `hay[ws..we]` (look-around sees the bytes outside the window).
    fn run_rule(
        &self,
        ri: usize,
        hay: &[u8],
        ws: usize,
        we: usize,
        caps: &mut [Option<Captures>],
        out: &mut Vec<Raw>,
    ) {
        let (Some(rule), Some(slot)) = (self.rules.get(ri), caps.get_mut(ri)) else { return };
        let caps = slot.get_or_insert_with(|| rule.regex.create_captures());
        let mut input = Input::new(hay).span(ws..we);
        loop {
            // Assignments are split by hand; other rules need the capture engine.
            let (m, group, name) = if rule.extract == Extract::Assignment {
                let Some(m) = rule.regex.search(&input) else { break };
                let (name, value) = split_assignment(hay, m.range());
                (m, Some(value), Some(name))
            } else if rule.whole_match {
                let Some(m) = rule.regex.search(&input) else { break };
                (m, Some(m.range()), None)
            } else {
                rule.regex.search_captures(&input, caps);
                let Some(m) = caps.get_match() else { break };
                let group = if rule.secret_group == 0 {
                    Some(m.range())
                } else {
                    (rule.secret_group..caps.group_len())
                        .filter(|&g| Some(g) != rule.name_group)
                        .find_map(|g| caps.get_group(g))
                        .map(|s| s.range())
                };
                (m, group, rule.name_group.and_then(|i| caps.get_group(i)).map(|s| s.range()))
            };
            let next = group.as_ref().map_or(m.end(), |g| g.end).max(m.start() + 1);
            if let Some(g) = group {
                let (s, e) = trim_secret(hay, g.start, g.end);
                if s < e {
                    self.check(ri, rule, hay, s..e, m.range(), name, ws..we, out);
                }
            }
            if next > we {
                break;
            }
            input.set_start(next);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        ri: usize,
        rule: &Compiled,
        hay: &[u8],
        span: Range<usize>,
        match_span: Range<usize>,
        name: Option<Range<usize>>,
        window: Range<usize>,
        out: &mut Vec<Raw>,
    ) {
        if rule.kind == RuleKind::Generic {
            let deferred = Some(Deferred { name, window });
            out.push(Raw { rule: ri, span, match_span, entropy: None, deferred });
            return;
        }
        let raw = Raw { rule: ri, span, match_span, entropy: None, deferred: None };
        if let Some(raw) = self.validate(rule, hay, raw, name, window) {
            out.push(raw);
        }
    }

    /// Entropy minimum and validator of a candidate; the candidate with its entropy if it passes.
    fn validate(
        &self,
        rule: &Compiled,
        hay: &[u8],
        mut raw: Raw,
        name: Option<Range<usize>>,
        window: Range<usize>,
    ) -> Option<Raw> {
        let secret = hay.get(raw.span.clone()).unwrap_or_default();
        let mut entropy = rule.min_entropy.map(|_| shannon(secret));
        if let (Some(min), Some(e)) = (rule.min_entropy, entropy)
            && e < min
        {
            return None;
        }
        if let Some(validate) = rule.validator {
            let cand = Candidate {
                secret,
                matched: hay.get(raw.match_span.clone()).unwrap_or_default(),
                name: name.and_then(|n| hay.get(n)),
                window: hay.get(window).unwrap_or_default(),
            };
            if !validate(&cand) {
                return None;
            }
        }
        if rule.kind == RuleKind::Generic && entropy.is_none() {
            entropy = Some(shannon(secret));
        }
        raw.entropy = entropy;
        raw.deferred = None;
        Some(raw)
    }

    /// Deduplication, overlap resolution, allowlist, ownership (for streaming), and the
    /// construction of findings with lines and columns.
    fn finish(
        &self,
        hay: &[u8],
        mut raws: Vec<Raw>,
        path: Option<&str>,
        owned: Range<usize>,
        offset: usize,
        base: LineBase,
    ) -> Vec<SecretMatch> {
        raws.sort_by_key(|r| (r.span.start, r.span.end, r.rule));
        raws.dedup_by(|a, b| a.rule == b.rule && a.span == b.span);

        // Findings of a more specific kind hide overlapping ones of a less specific kind.
        let kind_of = |r: &Raw| self.rules.get(r.rule).map_or(RuleKind::Vendor, |c| c.kind);
        let vendor = merged(raws.iter().filter(|r| kind_of(r) == RuleKind::Vendor).map(|r| r.span.clone()));
        let family = merged(raws.iter().filter(|r| kind_of(r) >= RuleKind::Family).map(|r| r.span.clone()));
        raws.retain(|r| match kind_of(r) {
            RuleKind::Vendor => true,
            RuleKind::Family => !overlaps(&vendor, &r.span),
            RuleKind::Generic => !overlaps(&family, &r.span),
        });
        raws.retain(|r| owned.contains(&r.match_span.start));
        let raws: Vec<Raw> = raws
            .into_iter()
            .filter_map(|mut r| match r.deferred.take() {
                None => Some(r),
                Some(d) => {
                    self.rules.get(r.rule).and_then(|rule| self.validate(rule, hay, r, d.name, d.window))
                }
            })
            .collect();

        let mut out = Vec::with_capacity(raws.len());
        let mut pos = 0usize;
        let mut line = base.line;
        let mut line_start = base.line_start;
        for r in raws {
            let Some(rule) = self.rules.get(r.rule) else { continue };
            let secret = hay.get(r.span.clone()).unwrap_or_default();
            if self.allowed(r.rule, rule, secret, path) {
                continue;
            }
            if r.span.start >= pos {
                let seg = hay.get(pos..r.span.start).unwrap_or_default();
                let n = memchr::memchr_iter(b'\n', seg).count();
                if n > 0 {
                    line += n;
                    line_start = offset + pos + memchr::memrchr(b'\n', seg).map_or(0, |i| i + 1);
                }
                pos = r.span.start;
            }
            let matched = hay.get(r.match_span.clone()).unwrap_or_default();
            let id = rule.rule.id();
            out.push(SecretMatch {
                rule: rule.rule.clone(),
                span: offset + r.span.start..offset + r.span.end,
                match_span: offset + r.match_span.start..offset + r.match_span.end,
                line,
                column: offset + r.span.start - line_start + 1,
                entropy: r.entropy,
                is_example: is_example(secret, matched),
                redacted: redact(secret),
                fingerprint: fingerprint(id, secret),
            });
        }
        out
    }

    fn allowed(&self, _ri: usize, rule: &Compiled, secret: &[u8], path: Option<&str>) -> bool {
        self.allow.iter().any(|a| {
            (a.rules.is_empty() || a.rules.iter().any(|r| r == rule.rule.id()))
                && a.path.as_ref().is_none_or(|g| path.is_some_and(|p| glob_match(g, p)))
                && a.value.as_ref().is_none_or(|re| re.is_match(Input::new(secret)))
        })
    }
}

/// Compiles a rule's regex metadata.
#[allow(clippy::too_many_arguments)]
fn compile(
    rule: RuleRef,
    pattern: &str,
    regex: Regex,
    secret_group: usize,
    scope: Scope,
    min_entropy: Option<f64>,
    validator: Option<Validator>,
    binary: bool,
    kind: RuleKind,
    extract: Extract,
) -> Result<Compiled, ConfigError> {
    let info = regex.group_info();
    let groups = info.group_len(regex_automata::PatternID::ZERO);
    if secret_group >= groups {
        return Err(ConfigError::MissingSecretGroup {
            rule_id: rule.id().to_string(),
            group: secret_group,
            groups,
        });
    }
    let name_group = info.to_index(regex_automata::PatternID::ZERO, "name");
    let whole_match = secret_group == 0 || (secret_group == 1 && groups == 2 && wraps_in_group(pattern));
    Ok(Compiled {
        rule,
        regex,
        secret_group,
        name_group,
        scope,
        min_entropy,
        validator,
        binary,
        kind,
        extract,
        whole_match,
    })
}

/// Whether `pattern` is `\b(…)\b` or `(…)` with the first group spanning all of it, so that
/// (given a single capture group) the group always equals the whole match.
fn wraps_in_group(pattern: &str) -> bool {
    let inner = pattern.strip_prefix(r"\b").unwrap_or(pattern);
    let inner = inner.strip_suffix(r"\b").unwrap_or(inner);
    let Some(body) = inner.strip_prefix('(').and_then(|b| b.strip_suffix(')')) else { return false };
    if body.starts_with('?') {
        return false;
    }
    // The group's closing parenthesis must be the last one: depth never drops below zero.
    let mut depth = 0i32;
    let mut bytes = body.bytes();
    let mut in_class = false;
    while let Some(b) = bytes.next() {
        match b {
            b'\\' => {
                bytes.next();
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => depth += 1,
            b')' if !in_class => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !in_class
}

/// Splits an assignment match `name [quote] op [quote] value [quote]` (see the generic rules)
/// into the name and value spans, without a capture engine.
fn split_assignment(hay: &[u8], m: Range<usize>) -> (Range<usize>, Range<usize>) {
    let text = hay.get(m.clone()).unwrap_or_default();
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let name_end = text.iter().position(|b| !is_name(b)).unwrap_or(text.len());
    let mut i = name_end;
    let skip = |i: &mut usize, set: &[u8]| {
        while text.get(*i).is_some_and(|b| set.contains(b)) {
            *i += 1;
        }
    };
    skip(&mut i, b"\"'`");
    skip(&mut i, b" \t");
    skip(&mut i, b"=:?|>");
    skip(&mut i, b" \t");
    let mut end = text.len();
    if let Some(&q) = text.get(i)
        && matches!(q, b'"' | b'\'' | b'`')
        && end > i + 1
        && text.get(end - 1) == Some(&q)
    {
        i += 1;
        end -= 1;
    }
    (m.start..m.start + name_end, m.start + i.min(end)..m.start + end)
}

/// Trims ASCII whitespace and literal `\n`, `\r`, `\t` escapes (as in JSON strings) from both
/// ends of `hay[s..e]`.
fn trim_secret(hay: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    let escape = |b: &u8| matches!(b, b'n' | b'r' | b't');
    loop {
        match hay.get(s..e).unwrap_or_default() {
            [b, ..] if b.is_ascii_whitespace() => s += 1,
            [b'\\', b, ..] if escape(b) => s += 2,
            _ => break,
        }
    }
    loop {
        match hay.get(s..e).unwrap_or_default() {
            [.., b] if b.is_ascii_whitespace() => e -= 1,
            [.., b'\\', b] if escape(b) => e -= 2,
            _ => break,
        }
    }
    (s, e.max(s))
}

/// The span of a value without surrounding whitespace and one pair of matching quotes.
fn trim_quotes(v: &[u8]) -> (usize, usize) {
    let (mut s, mut e) = trim_secret(v, 0, v.len());
    if e >= s + 2 {
        let (first, last) = (v.get(s).copied(), v.get(e - 1).copied());
        if first == last && matches!(first, Some(b'"' | b'\'')) {
            s += 1;
            e -= 1;
        }
    }
    (s, e)
}

/// Sorted, merged intervals.
fn merged(spans: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut v: Vec<Range<usize>> = spans.collect();
    v.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Whether `span` overlaps one of the sorted, merged `intervals`.
fn overlaps(intervals: &[Range<usize>], span: &Range<usize>) -> bool {
    let i = intervals.partition_point(|r| r.end <= span.start);
    intervals.get(i).is_some_and(|r| r.start < span.end)
}

/// Finds line windows for keyword hits in increasing order, in linear total time: every byte is
/// searched for a newline at most once backwards and once forwards.
///
/// ```
/// let text = b"first line\nsecond keyword line\nthird\n";
/// let mut lines = shipshape_secrets::LineTracker::new(text);
/// let (start, end) = lines.window(18, 25);
/// assert_eq!(&text[start..end], b"second keyword line\n");
/// ```
pub struct LineTracker<'h> {
    hay: &'h [u8],
    /// `known_start` is the (possibly clamped) start of the line holding `known_pos - 1`.
    known_pos: usize,
    known_start: usize,
    /// The next newline at or after some earlier position, if found.
    next_nl: Option<usize>,
    /// No newline in `[.., clear_until)` past the last search start.
    clear_until: usize,
}

impl<'h> LineTracker<'h> {
    /// A tracker over `hay`.
    pub fn new(hay: &'h [u8]) -> Self {
        LineTracker { hay, known_pos: 0, known_start: 0, next_nl: None, clear_until: 0 }
    }

    /// The window for a keyword at `start..end`: its line (including the newline), cut to
    /// [`MAX_LINE_WINDOW`] bytes on either side. Calls are cheapest in increasing order of
    /// `end`.
    pub fn window(&mut self, start: usize, end: usize) -> (usize, usize) {
        let ws = self.line_start(end).min(start);
        let we = self.line_end(end);
        (ws, we)
    }

    fn line_start(&mut self, end: usize) -> usize {
        let lo = end.saturating_sub(MAX_LINE_WINDOW);
        if end < self.known_pos {
            let seg = self.hay.get(lo..end).unwrap_or_default();
            return memchr::memrchr(b'\n', seg).map_or(lo, |i| lo + i + 1);
        }
        let from = self.known_pos.max(lo);
        let seg = self.hay.get(from..end).unwrap_or_default();
        let start = match memchr::memrchr(b'\n', seg) {
            Some(i) => from + i + 1,
            None if self.known_pos >= lo => self.known_start.max(lo),
            None => lo,
        };
        self.known_pos = end;
        self.known_start = start;
        start
    }

    fn line_end(&mut self, pos: usize) -> usize {
        let hi = pos.saturating_add(MAX_LINE_WINDOW).min(self.hay.len());
        if let Some(nl) = self.next_nl
            && nl >= pos
        {
            return (nl + 1).min(hi.max(pos));
        }
        let from = pos.max(self.clear_until);
        if from >= hi {
            return hi;
        }
        match memchr::memchr(b'\n', self.hay.get(from..hi).unwrap_or_default()) {
            Some(i) => {
                self.next_nl = Some(from + i);
                from + i + 1
            }
            None => {
                self.next_nl = None;
                self.clear_until = hi;
                hi
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_sniffing() {
        assert!(!is_binary(b"plain text\n"));
        assert!(is_binary(b"ELF\0\0\0"));
        assert!(is_binary(&[0xff; 100]));
        assert!(!is_binary("héllo wörld".as_bytes()));
        // A multi-byte sequence cut at the end of the sample is fine.
        let mut s = vec![b'a'; SNIFF_LEN - 1];
        s.extend_from_slice("é".as_bytes());
        assert!(!is_binary(&s));
    }

    #[test]
    fn line_windows() {
        let hay = b"first line\nsecond token line\nthird";
        let mut t = LineTracker::new(hay);
        let p = 18; // "token"
        assert_eq!(&hay[p..p + 5], b"token");
        let (s, e) = t.window(p, p + 5);
        assert_eq!(&hay[s..e], b"second token line\n");
        let (s, e) = t.window(29, 34);
        assert_eq!(&hay[s..e], b"third");
    }

    #[test]
    fn long_lines_are_cut() {
        let mut hay = vec![b'a'; 3 * MAX_LINE_WINDOW];
        hay[MAX_LINE_WINDOW * 3 / 2..MAX_LINE_WINDOW * 3 / 2 + 5].copy_from_slice(b"token");
        let mut t = LineTracker::new(&hay);
        let p = MAX_LINE_WINDOW * 3 / 2;
        let (s, e) = t.window(p, p + 5);
        assert_eq!(s, p + 5 - MAX_LINE_WINDOW);
        assert_eq!(e, p + 5 + MAX_LINE_WINDOW);
    }

    #[test]
    fn trims() {
        assert_eq!(trim_secret(b"\\n abc\\n ", 0, 9), (3, 6));
        assert_eq!(trim_quotes(b" \"abc\" "), (2, 5));
        assert_eq!(trim_quotes(b"'"), (0, 1));
    }

    #[test]
    fn whole_group_patterns() {
        assert!(wraps_in_group(r"\b(ghp_[A-Za-z0-9]{36})\b"));
        assert!(wraps_in_group(r"\b(dp\.(?:pt|st)\.[a-z]+)\b"));
        assert!(wraps_in_group(r"(abc[()])"));
        assert!(!wraps_in_group(r"\b(a)b(c)\b"));
        assert!(!wraps_in_group(r"(a)(?:x|$)"));
        assert!(!wraps_in_group(r"(?:x)"));
        assert!(!wraps_in_group(r"x(a)"));
    }

    #[test]
    fn intervals() {
        let m = merged([5..10, 0..3, 8..12].into_iter());
        assert_eq!(m, vec![0..3, 5..12]);
        assert!(overlaps(&m, &(2..4)));
        assert!(!overlaps(&m, &(3..5)));
        assert!(overlaps(&m, &(11..20)));
        assert!(!overlaps(&m, &(12..20)));
    }
}
