//! The findings sink: where raw findings become the findings a scan reports.
//!
//! For each file, [`Sink::process`] takes what rules and the front end reported, with the file,
//! its pragmas and its configuration, and
//!
//! 1. locates every finding (lines and columns) and fingerprints it (before anything is
//!    dropped, so suppressing one finding does not renumber the others);
//! 2. drops findings of rules the configuration disables (`[rules]`);
//! 3. drops findings an inline pragma covers, then findings an `[[ignore]]` entry covers; an
//!    expired entry no longer suppresses, and the findings it would have covered are counted for
//!    its `EXPIRED_IGNORE` finding;
//! 4. adds `UNUSED_SUPPRESSION` findings for pragma codes that suppressed nothing (these obey
//!    `[rules]` and `[[ignore]]` like any finding) and `CONFIG_ERROR` findings for pragma codes
//!    that name no rule;
//! 5. drops findings whose fingerprint is in the baseline;
//! 6. applies `[severity]` overrides, with a related location pointing at the override;
//! 7. sorts by (path, start offset, code).
//!
//! [`Sink::finish`] then returns the scan-level findings, once per scan however many files each
//! configuration covered: the `CONFIG_ERROR` findings of every configuration used and one
//! `EXPIRED_IGNORE` finding per expired `[[ignore]]` entry (at its `expires` value), plus totals.
//!
//! `config-error` and `expired-ignore` findings pass every filter: no selection, pragma,
//! `[[ignore]]` entry or baseline removes them, so nothing can hide that the configuration is
//! broken or an exception has run out. The other `GEN` findings (parse errors, unused
//! suppressions, ...) are filtered like rule findings.
//!
//! The sink is `Sync`: files may be processed in parallel.

use crate::baseline::Baseline;
use crate::config::{Config, PathIgnore};
use crate::fingerprint::assign_fingerprints;
use crate::suppress::{InlineSuppressions, ScopedPragma};
use serde::Serialize;
use shipshape_model::date::Date;
use shipshape_model::general::EXPIRED_IGNORE;
use shipshape_model::{Finding, Location, Region, RelatedLocation, RuleMeta, SourceFile};
use std::collections::{BTreeMap, HashSet};
use std::ops::AddAssign;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// Everything the sink needs about one file.
#[derive(Debug)]
pub struct FileInput<'a> {
    /// The file as read. For a target that could not be read, an empty `SourceFile` with its path.
    pub source: &'a SourceFile,
    /// Where it is on disk (absolute, or relative to the process's working directory), for
    /// `[[ignore]]` globs; `None` for standard input, whose display path is matched instead.
    pub fs_path: Option<&'a Path>,
    /// The configuration that covers it.
    pub config: &'a Config,
    /// Raw findings from rules and the front end, including malformed-pragma errors.
    pub findings: Vec<Finding>,
    /// The file's suppression pragmas.
    pub pragmas: Vec<ScopedPragma>,
}

/// How many findings went where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Reported.
    pub reported: usize,
    /// Dropped because `[rules]` disables their rule.
    pub disabled: usize,
    /// Suppressed by an inline pragma.
    pub suppressed_inline: usize,
    /// Suppressed by an `[[ignore]]` entry.
    pub suppressed_by_config: usize,
    /// Known from the baseline.
    pub baselined: usize,
}

impl Counts {
    /// All suppressed findings: inline, by configuration and by baseline.
    pub fn suppressed(&self) -> usize {
        self.suppressed_inline + self.suppressed_by_config + self.baselined
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.reported += other.reported;
        self.disabled += other.disabled;
        self.suppressed_inline += other.suppressed_inline;
        self.suppressed_by_config += other.suppressed_by_config;
        self.baselined += other.baselined;
    }
}

/// The result for one file.
#[derive(Debug)]
pub struct FileOutcome {
    /// The findings to report, sorted.
    pub findings: Vec<Finding>,
    /// What happened to this file's findings.
    pub counts: Counts,
}

/// The end of a scan.
#[derive(Debug)]
pub struct ScanOutcome {
    /// Scan-level findings (configuration errors, expired ignores), sorted.
    pub findings: Vec<Finding>,
    /// Totals over every file, including the scan-level findings.
    pub counts: Counts,
    /// Baseline entries no finding of this scan matched (fixed, or outside what was scanned).
    pub stale_baseline_entries: usize,
}

/// Turns raw findings into reported findings; see the module documentation.
#[derive(Debug)]
pub struct Sink<'r> {
    rules: &'r [&'static RuleMeta],
    today: Date,
    baseline: Option<Baseline>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    counts: Counts,
    /// By configuration path.
    configs: BTreeMap<Arc<str>, ConfigState>,
    baseline_hits: HashSet<String>,
}

#[derive(Debug)]
struct ConfigState {
    diagnostics: Vec<Finding>,
    expired: Vec<ExpiredEntry>,
}

#[derive(Debug)]
struct ExpiredEntry {
    /// Index into `Config::ignores`.
    index: usize,
    finding: Finding,
    patterns: String,
    hits: usize,
}

impl<'r> Sink<'r> {
    /// A sink for a scan over `rules` (every registered rule, for resolving pragma codes) on the
    /// day `today` (normally [`Date::today`]).
    pub fn new(rules: &'r [&'static RuleMeta], today: Date) -> Self {
        Self { rules, today, baseline: None, state: Mutex::default() }
    }

    /// Reports only findings not in `baseline`.
    pub fn with_baseline(mut self, baseline: Baseline) -> Self {
        self.baseline = Some(baseline);
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes `config`'s scan-level findings part of this scan even if it covers no file
    /// ([`Sink::process`] does this for each file's configuration). Idempotent.
    pub fn register_config(&self, config: &Config) {
        let Some(path) = &config.path else { return };
        if self.state().configs.contains_key(path) {
            return;
        }
        let mut diagnostics = config.diagnostics.clone();
        let mut drafts = Vec::new();
        let mut entries = Vec::new();
        for (index, entry) in config.ignores.iter().enumerate() {
            let (Some(expires), Some(origin)) = (entry.expires, &entry.expires_origin) else { continue };
            if !entry.is_expired(self.today) {
                continue;
            }
            let patterns = entry.patterns.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
            let message = format!(
                "`[[ignore]]` entry for {patterns} expired on {expires} and no longer suppresses findings (reason given: {})",
                entry.reason
            );
            let finding = Finding::new(&EXPIRED_IGNORE, origin, message)
                .with_related(&entry.origin, "the expired entry")
                .with_help("fix the findings, or renew the entry with a new reason and a later `expires`");
            drafts.push(finding);
            entries.push((index, patterns));
        }
        if let Some(source) = &config.source {
            for finding in &mut drafts {
                finding.locate(source);
            }
            assign_fingerprints(&mut drafts, source);
        }
        for finding in diagnostics.iter_mut().chain(drafts.iter_mut()) {
            apply_severity(finding, config);
        }
        let expired = drafts
            .into_iter()
            .zip(entries)
            .map(|(finding, (index, patterns))| ExpiredEntry { index, finding, patterns, hits: 0 })
            .collect();
        let mut state = self.state();
        state.configs.entry(path.clone()).or_insert(ConfigState { diagnostics, expired });
    }

    /// Filters one file's findings; see the module documentation.
    pub fn process(&self, input: FileInput<'_>) -> FileOutcome {
        let FileInput { source, fs_path, config, mut findings, pragmas } = input;
        self.register_config(config);
        let mut counts = Counts::default();

        let (mut inline, mut pragma_errors) = InlineSuppressions::new(&pragmas, self.rules);
        findings.append(&mut pragma_errors);
        for finding in &mut findings {
            finding.locate(source);
        }
        assign_fingerprints(&mut findings, source);

        let ignores = PathIgnores::new(config, fs_path, source, self.today);
        let mut expired_hits = vec![0usize; config.ignores.len()];
        let mut kept = Vec::with_capacity(findings.len());
        for finding in findings {
            if !config.selection.is_enabled(finding.rule) {
                counts.disabled += 1;
            } else if crate::is_unsuppressible(finding.rule) {
                kept.push(finding);
            } else if inline.suppress(&finding) {
                counts.suppressed_inline += 1;
            } else if ignores.suppresses(&finding, &mut expired_hits) {
                counts.suppressed_by_config += 1;
            } else {
                kept.push(finding);
            }
        }

        let mut unused = inline.unused(&config.selection);
        for finding in &mut unused {
            finding.locate(source);
        }
        assign_fingerprints(&mut unused, source);
        for finding in unused {
            if !config.selection.is_enabled(finding.rule) {
                counts.disabled += 1;
            } else if ignores.suppresses(&finding, &mut expired_hits) {
                counts.suppressed_by_config += 1;
            } else {
                kept.push(finding);
            }
        }

        let mut baseline_hits = Vec::new();
        let mut reported = Vec::with_capacity(kept.len());
        for mut finding in kept {
            let known = !crate::is_unsuppressible(finding.rule)
                && self.baseline.as_ref().is_some_and(|b| b.contains(&finding.fingerprint));
            if known {
                counts.baselined += 1;
                baseline_hits.push(finding.fingerprint);
                continue;
            }
            apply_severity(&mut finding, config);
            reported.push(finding);
        }
        counts.reported = reported.len();
        sort_findings(&mut reported);

        let mut state = self.state();
        state.counts += counts;
        state.baseline_hits.extend(baseline_hits);
        if let Some(config_state) = config.path.as_ref().and_then(|p| state.configs.get_mut(p)) {
            for entry in &mut config_state.expired {
                entry.hits += expired_hits.get(entry.index).copied().unwrap_or(0);
            }
        }
        FileOutcome { findings: reported, counts }
    }

    /// Ends the scan: scan-level findings and totals.
    pub fn finish(self) -> ScanOutcome {
        let state = self.state.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut findings = Vec::new();
        for config in state.configs.into_values() {
            findings.extend(config.diagnostics);
            for entry in config.expired {
                let mut finding = entry.finding;
                if entry.hits > 0 {
                    let noun = if entry.hits == 1 { "finding" } else { "findings" };
                    finding.message.push_str(&format!(
                        "; it would have covered {} {noun} under {} in this scan",
                        entry.hits, entry.patterns
                    ));
                }
                findings.push(finding);
            }
        }
        sort_findings(&mut findings);
        let mut counts = state.counts;
        counts.reported += findings.len();
        let stale_baseline_entries = self.baseline.as_ref().map_or(0, |baseline| {
            let mut fingerprints: Vec<&str> =
                baseline.entries().iter().map(|e| e.fingerprint.as_str()).collect();
            fingerprints.sort_unstable();
            fingerprints.dedup();
            fingerprints.iter().filter(|fp| !state.baseline_hits.contains(**fp)).count()
        });
        ScanOutcome { findings, counts, stale_baseline_entries }
    }
}

/// The `[[ignore]]` entries whose globs match one file.
struct PathIgnores<'c> {
    /// (index into `Config::ignores`, entry) for entries matching the file's own path.
    matching: Vec<(usize, &'c PathIgnore)>,
    config: &'c Config,
    source_path: &'c str,
    today: Date,
}

impl<'c> PathIgnores<'c> {
    fn new(config: &'c Config, fs_path: Option<&Path>, source: &'c SourceFile, today: Date) -> Self {
        let relative = config.relative_path(fs_path, &source.path);
        let matching = config.ignores.iter().enumerate().filter(|(_, e)| e.matches_path(&relative)).collect();
        Self { matching, config, source_path: &source.path, today }
    }

    /// Whether a live entry covers `finding`; counts expired entries that would have.
    fn suppresses(&self, finding: &Finding, expired_hits: &mut [usize]) -> bool {
        let foreign: Vec<(usize, &PathIgnore)>;
        let candidates = if *finding.location.path == *self.source_path {
            &self.matching
        } else {
            // Reported with this file but about another: match that file's path.
            let relative = self.config.relative_path(None, &finding.location.path);
            foreign =
                self.config.ignores.iter().enumerate().filter(|(_, e)| e.matches_path(&relative)).collect();
            &foreign
        };
        let mut expired = Vec::new();
        for &(index, entry) in candidates {
            if !entry.matches_finding(finding) {
                continue;
            }
            if !entry.is_expired(self.today) {
                return true;
            }
            expired.push(index);
        }
        for index in expired {
            if let Some(hits) = expired_hits.get_mut(index) {
                *hits += 1;
            }
        }
        false
    }
}

/// Applies `config`'s `[severity]` override for the finding's rule, pointing at it.
fn apply_severity(finding: &mut Finding, config: &Config) {
    let Some(entry) = config.severity_for(finding.rule) else { return };
    if entry.severity == finding.severity {
        return;
    }
    finding.severity = entry.severity;
    let region = config.source.as_ref().map_or_else(Region::default, |s| Region::of(s, entry.origin.span));
    finding.related.push(RelatedLocation {
        location: Location { path: entry.origin.path.clone(), span: entry.origin.span, region },
        label: format!("severity set to {} here", entry.severity),
    });
}

/// Sorts findings by path, start offset and code (then end offset and message, so the order is
/// total).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key =
            |f: &Finding| (f.location.path.clone(), f.location.span.start, f.rule.code, f.location.span.end);
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::write_baseline;
    use crate::selection::tests::{CAPABILITIES, LATEST_TAG, NO_HEALTHCHECK, ROOT_USER, UNPINNED_APT, rules};
    use crate::suppress::parse_pragma;
    use shipshape_model::general::{CONFIG_ERROR, PARSE_ERROR};
    use shipshape_model::{Origin, Severity, Span};
    use std::path::PathBuf;

    const DOCKERFILE: &str = "\
FROM debian:latest
# shipshape: ignore=IMG004 -- pinned by the base image's snapshot
RUN apt-get install -y curl
RUN apt-get install -y git
# hadolint ignore=DL3002
USER app
USER root
";

    fn today() -> Date {
        Date::parse("2027-06-01").unwrap()
    }

    fn config(text: &str) -> Config {
        Config::parse(text, "shipshape.toml", PathBuf::from("/repo"), &rules())
    }

    fn span_of(text: &str, needle: &str, nth: usize) -> Span {
        let start = text.match_indices(needle).nth(nth).unwrap().0;
        Span::from_range(start..start + needle.len())
    }

    fn at(source: &SourceFile, rule: &'static RuleMeta, needle: &str, nth: usize) -> Finding {
        let span = span_of(&source.text, needle, nth);
        Finding::new(rule, &Origin::new(source.path.clone(), span), format!("{} at {needle}", rule.name))
    }

    /// The pragmas of `text`, each applying to the next line, as a front end would scope them.
    fn pragmas(source: &SourceFile) -> Vec<ScopedPragma> {
        let mut out = Vec::new();
        let mut offset = 0;
        let lines: Vec<&str> = source.text.split_inclusive('\n').collect();
        for (i, line) in lines.iter().enumerate() {
            let comment = line.trim_end();
            if let Some(Ok(pragma)) = parse_pragma(comment) {
                let next_start = offset + line.len();
                let next_len = lines.get(i + 1).map_or(0, |l| l.trim_end().len());
                out.push(ScopedPragma {
                    pragma,
                    comment: Origin::new(
                        source.path.clone(),
                        Span::from_range(offset..offset + comment.len()),
                    ),
                    applies_to: Span::from_range(next_start..next_start + next_len),
                });
            }
            offset += line.len();
        }
        out
    }

    /// The Dockerfile's raw findings: IMG004 on both RUNs, PRV001 on the final USER,
    /// IMG001 on FROM.
    fn raw(source: &SourceFile) -> Vec<Finding> {
        vec![
            at(source, &ROOT_USER, "USER root", 0),
            at(source, &UNPINNED_APT, "RUN apt-get install -y curl", 0),
            at(source, &UNPINNED_APT, "RUN apt-get install -y git", 0),
            at(source, &LATEST_TAG, "FROM debian:latest", 0),
        ]
    }

    fn run(sink: &Sink<'_>, source: &SourceFile, config: &Config, fs_path: Option<&Path>) -> FileOutcome {
        sink.process(FileInput { source, fs_path, config, findings: raw(source), pragmas: pragmas(source) })
    }

    fn summary(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{} {} {}",
                    f.location.region.start_line, f.location.region.start_column, f.rule.code, f.severity
                )
            })
            .collect()
    }

    #[test]
    fn inline_pragmas_suppress_and_unused_ones_are_reported() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let source = SourceFile::new("Dockerfile", DOCKERFILE);
        let outcome = run(&sink, &source, &Config::default(), None);
        // IMG004 on the first RUN is suppressed; the hadolint pragma covers `USER app`, where no
        // PRV001 is reported, so it is unused while `USER root` is still reported.
        assert_eq!(
            summary(&outcome.findings),
            ["1:1 IMG001 medium", "4:1 IMG004 low", "5:1 GEN005 low", "7:1 PRV001 high"]
        );
        assert_eq!(
            outcome.findings[2].message,
            "unused suppression: no `DL3002` (PRV001) finding on the next statement"
        );
        assert_eq!(outcome.counts, Counts { reported: 4, suppressed_inline: 1, ..Counts::default() });
        assert!(outcome.findings.iter().all(|f| f.fingerprint.len() == 16 && f.location.is_located()));
    }

    #[test]
    fn disabled_rules_are_dropped_and_their_unused_pragmas_stay_quiet() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let source = SourceFile::new("Dockerfile", DOCKERFILE);
        let config = config("[rules]\nselect = [\"IMG\"]\n");
        let outcome = run(&sink, &source, &config, None);
        assert_eq!(summary(&outcome.findings), ["1:1 IMG001 medium", "4:1 IMG004 low"]);
        assert_eq!(outcome.counts.disabled, 1);
    }

    #[test]
    fn severity_overrides_point_at_the_configuration() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let source = SourceFile::new("Dockerfile", DOCKERFILE);
        let config = config("[severity]\nroot-user = \"critical\"\nDL3008 = \"low\"\n");
        let outcome = run(&sink, &source, &config, None);
        let root = outcome.findings.iter().find(|f| f.rule.code == "PRV001").unwrap();
        assert_eq!(root.severity, Severity::Critical);
        assert_eq!(root.related.len(), 1);
        assert_eq!(root.related[0].label, "severity set to critical here");
        assert_eq!(&*root.related[0].location.path, "shipshape.toml");
        assert_eq!(
            (root.related[0].location.region.start_line, root.related[0].location.region.start_column),
            (2, 13)
        );
        // An override equal to the default adds nothing.
        let apt = outcome.findings.iter().find(|f| f.rule.code == "IMG004").unwrap();
        assert!(apt.related.is_empty());
    }

    #[test]
    fn path_ignores_apply_relative_to_the_config_dir() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let config = config(
            "[[ignore]]\npaths = [\"legacy/**\"]\nrules = [\"IMG\"]\nreason = \"frozen\"\n[[ignore]]\npaths = [\"legacy/old\"]\nreason = \"everything\"\n",
        );
        let source = SourceFile::new("legacy/Dockerfile", DOCKERFILE);
        let outcome = run(&sink, &source, &config, Some(Path::new("/repo/legacy/Dockerfile")));
        // IMG001 and the second IMG004 go; the first IMG004 was already suppressed inline.
        assert_eq!(summary(&outcome.findings), ["5:1 GEN005 low", "7:1 PRV001 high"]);
        assert_eq!(outcome.counts.suppressed_by_config, 2);
        assert_eq!(outcome.counts.suppressed_inline, 1);

        let old = SourceFile::new("legacy/old/Dockerfile", DOCKERFILE);
        let outcome = run(&sink, &old, &config, Some(Path::new("/repo/legacy/old/Dockerfile")));
        assert_eq!(
            summary(&outcome.findings),
            Vec::<String>::new(),
            "an entry without rules covers all, GEN005 too"
        );

        let elsewhere = SourceFile::new("src/Dockerfile", DOCKERFILE);
        let outcome = run(&sink, &elsewhere, &config, Some(Path::new("/repo/src/Dockerfile")));
        assert_eq!(outcome.counts.suppressed_by_config, 0);
    }

    #[test]
    fn expired_ignores_stop_suppressing_and_are_reported_once() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let config = config(
            "[[ignore]]\npaths = [\"legacy/**\"]\nrules = [\"PRV001\"]\nreason = \"migrating base image\"\nexpires = \"2027-05-31\"\n[[ignore]]\npaths = [\"legacy/**\"]\nrules = [\"IMG001\"]\nreason = \"until the end of june\"\nexpires = \"2027-06-01\"\n",
        );
        for name in ["legacy/a/Dockerfile", "legacy/b/Dockerfile"] {
            let source = SourceFile::new(name, DOCKERFILE);
            let outcome = run(&sink, &source, &config, Some(&Path::new("/repo").join(name)));
            assert!(outcome.findings.iter().any(|f| f.rule.code == "PRV001"), "expired: reported again");
            assert!(
                outcome.findings.iter().all(|f| f.rule.code != "IMG001"),
                "expires today: still suppressing"
            );
        }
        let end = sink.finish();
        assert_eq!(end.findings.len(), 1);
        let expired = &end.findings[0];
        assert_eq!(expired.rule.code, "GEN006");
        assert_eq!(&*expired.location.path, "shipshape.toml");
        assert_eq!((expired.location.region.start_line, expired.location.region.start_column), (5, 11));
        assert_eq!(
            expired.message,
            "`[[ignore]]` entry for `legacy/**` expired on 2027-05-31 and no longer suppresses findings (reason given: migrating base image); it would have covered 2 findings under `legacy/**` in this scan"
        );
        assert_eq!(expired.related[0].location.region.start_line, 1);
        assert_eq!(expired.fingerprint.len(), 16);
        // Per file: IMG004 (git), GEN005 (hadolint) and PRV001; then the GEN006.
        assert_eq!(end.counts.reported, 2 * 3 + 1);
    }

    #[test]
    fn config_errors_are_reported_once_per_scan_and_pass_every_filter() {
        let rules = rules();
        let baseline_text = {
            let mut out = Vec::new();
            let broken = config("[rules]\nselct = []\n");
            write_baseline(&broken.diagnostics, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(!baseline_text.contains("GEN007"));
        // Even a baseline listing the error's fingerprint does not hide it.
        let broken = config("[rules]\nselct = []\nignore = [\"GEN\"]\n");
        let fingerprint = broken.diagnostics[0].fingerprint.clone();
        let baseline = crate::baseline::Baseline::parse(
            &format!("{{\"version\":1,\"findings\":[{{\"fingerprint\":\"{fingerprint}\",\"code\":\"GEN007\",\"path\":\"shipshape.toml\",\"message\":\"\"}}]}}"),
            Path::new("b.json"),
        )
        .unwrap();
        let sink = Sink::new(&rules, today()).with_baseline(baseline);
        for name in ["a/Dockerfile", "b/Dockerfile"] {
            let source = SourceFile::new(name, DOCKERFILE);
            let outcome = run(&sink, &source, &broken, None);
            assert!(outcome.findings.iter().all(|f| f.rule.code != "GEN007"));
        }
        let end = sink.finish();
        assert_eq!(summary(&end.findings), ["2:1 GEN007 high"]);
        assert_eq!(end.findings[0].message, "unknown key `selct` in `[rules]`; did you mean `select`?");
    }

    #[test]
    fn pragma_errors_are_config_errors_that_cannot_be_suppressed() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let text = "FROM a\n# shipshape: ignore-file=PRV01,GEN007\nUSER root\n";
        let source = SourceFile::new("Dockerfile", text);
        let config = config("[[ignore]]\npaths = [\"**\"]\nreason = \"ignore everything\"\n");
        let outcome = sink.process(FileInput {
            source: &source,
            fs_path: Some(Path::new("/repo/Dockerfile")),
            config: &config,
            findings: vec![at(&source, &ROOT_USER, "USER root", 0)],
            pragmas: pragmas(&source),
        });
        let messages: Vec<(&str, &str)> =
            outcome.findings.iter().map(|f| (f.rule.code, f.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                ("GEN007", "unknown rule `PRV01` in suppression comment; did you mean `PRV001`?"),
                ("GEN007", "`GEN007` (config-error) cannot be suppressed: fix what it reports instead"),
            ]
        );
        assert_eq!(outcome.findings[0].location.region.start_column, 26);
    }

    #[test]
    fn baseline_hides_known_findings_and_keeps_new_ones() {
        let rules = rules();
        let source = SourceFile::new("Dockerfile", DOCKERFILE);
        let first = run(&Sink::new(&rules, today()), &source, &Config::default(), None);
        let mut json = Vec::new();
        write_baseline(&first.findings, &mut json).unwrap();
        let baseline =
            crate::baseline::Baseline::parse(std::str::from_utf8(&json).unwrap(), Path::new("b.json"))
                .unwrap();

        // Later: lines added above, one more finding, one finding fixed.
        let edited = format!(
            "# syntax=docker/dockerfile:1\n{}",
            DOCKERFILE.replace("FROM debian:latest", "FROM debian:12")
        );
        let source = SourceFile::new("Dockerfile", edited.as_str());
        let sink = Sink::new(&rules, today()).with_baseline(baseline);
        let findings = vec![
            at(&source, &ROOT_USER, "USER root", 0),
            at(&source, &UNPINNED_APT, "RUN apt-get install -y curl", 0),
            at(&source, &UNPINNED_APT, "RUN apt-get install -y git", 0),
            at(&source, &CAPABILITIES, "USER app", 0),
        ];
        let outcome = sink.process(FileInput {
            source: &source,
            fs_path: None,
            config: &Config::default(),
            findings,
            pragmas: pragmas(&source),
        });
        assert_eq!(summary(&outcome.findings), ["7:1 PRV010 medium"]);
        assert_eq!(outcome.counts.baselined, 3, "PRV001, IMG004 and GEN005 were known");
        let end = sink.finish();
        assert_eq!(end.stale_baseline_entries, 1, "the fixed IMG001");
        assert_eq!(end.counts.baselined, 3);
    }

    #[test]
    fn unused_suppression_obeys_selection_and_path_ignores() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let source = SourceFile::new("Dockerfile", DOCKERFILE);
        let outcome = run(&sink, &source, &config("[rules]\nignore = [\"unused-suppression\"]\n"), None);
        assert!(outcome.findings.iter().all(|f| f.rule.code != "GEN005"));
        assert_eq!(outcome.counts.disabled, 1);
    }

    #[test]
    fn gen_findings_from_front_ends_are_filtered_like_rules() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let source = SourceFile::new("Dockerfile", "FROM a\nRUN [\"x\"\n");
        let parse_error = at(&source, &PARSE_ERROR, "RUN [\"x\"", 0);
        let outcome = sink.process(FileInput {
            source: &source,
            fs_path: None,
            config: &config("[rules]\nselect = [\"PRV\"]\n"),
            findings: vec![parse_error.clone()],
            pragmas: vec![],
        });
        assert_eq!(summary(&outcome.findings), ["2:1 GEN001 high"], "select does not drop GEN");
        let outcome = sink.process(FileInput {
            source: &source,
            fs_path: None,
            config: &config("[rules]\nignore = [\"GEN001\"]\n"),
            findings: vec![parse_error],
            pragmas: vec![],
        });
        assert!(outcome.findings.is_empty());
    }

    #[test]
    fn fingerprints_ignore_suppression() {
        // Suppressing the first of two identical findings must not renumber the second.
        let rules = rules();
        let text = "FROM a\nUSER root\nFROM b\n# shipshape: ignore=PRV001\nUSER root\n";
        let plain = SourceFile::new("Dockerfile", text.replace("# shipshape: ignore=PRV001\n", "#\n"));
        let with_pragma = SourceFile::new("Dockerfile", text);
        let process = |source: &SourceFile| {
            let findings =
                vec![at(source, &ROOT_USER, "USER root", 0), at(source, &ROOT_USER, "USER root", 1)];
            Sink::new(&rules, today()).process(FileInput {
                source,
                fs_path: None,
                config: &Config::default(),
                findings,
                pragmas: pragmas(source),
            })
        };
        let all = process(&plain).findings;
        let one = process(&with_pragma).findings;
        assert_eq!(all.len(), 2);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].fingerprint, all[0].fingerprint);
    }

    #[test]
    fn sorts_by_path_offset_and_code() {
        let a = SourceFile::new("a/Dockerfile", "FROM x\nUSER root\n");
        let b = SourceFile::new("b/Dockerfile", "FROM x\n");
        let mut findings = vec![
            at(&b, &LATEST_TAG, "FROM x", 0),
            at(&a, &ROOT_USER, "USER root", 0),
            at(&a, &NO_HEALTHCHECK, "FROM x", 0),
            at(&a, &LATEST_TAG, "FROM x", 0),
        ];
        sort_findings(&mut findings);
        let order: Vec<(&str, &str)> = findings.iter().map(|f| (&*f.location.path, f.rule.code)).collect();
        assert_eq!(
            order,
            [
                ("a/Dockerfile", "IMG001"),
                ("a/Dockerfile", "MON001"),
                ("a/Dockerfile", "PRV001"),
                ("b/Dockerfile", "IMG001")
            ]
        );
    }

    #[test]
    fn registering_a_config_without_files_still_reports_its_errors() {
        let rules = rules();
        let sink = Sink::new(&rules, today());
        let broken = config("fail-on = \"hihg\"\n");
        sink.register_config(&broken);
        sink.register_config(&broken);
        let end = sink.finish();
        assert_eq!(end.findings.len(), 1);
        assert_eq!(end.findings[0].rule, &CONFIG_ERROR);
    }

    #[test]
    fn sink_is_shareable_across_threads() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<Sink<'static>>();
    }
}
