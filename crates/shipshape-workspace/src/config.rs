//! `shipshape.toml`: schema, parsing and validation.
//!
//! # Schema
//!
//! ```toml
//! fail-on = "high"                 # critical|high|medium|low|info: exit 1 at or above this
//!
//! [rules]
//! select = ["PRV", "IMG001"]       # codes, prefixes (PRV, PRV0), names (root-user) or aliases
//!                                  # (DL3002, CKV_DOCKER_8); default: all; "ALL" = all
//! ignore = ["DL3008"]              # same forms; see `crate::selection` for precedence
//!
//! [severity]                       # per-rule overrides; keys are codes, names or aliases
//! PRV001 = "critical"
//!
//! [[ignore]]                       # per-path ignores, any number of entries
//! paths = ["legacy/**", "vendor/*/Dockerfile"]   # globs relative to this file's directory
//! rules = ["PRV001"]               # optional, same forms as `select`; omitted = all rules
//! reason = "migrating base image"  # required
//! expires = "2027-03-31"           # optional; after this day the entry stops suppressing
//!                                  # and yields one GEN006 finding
//!
//! [[ignore]]                       # accepted vulnerabilities: by id (or any alias), optionally
//! vulnerabilities = ["CVE-2023-4911", "GHSA-jfh8-c2jp-5v3q"]   # only in some packages and
//! packages = ["glibc"]             # paths; `paths` is optional when `vulnerabilities` or
//! reason = "not reachable: no setuid binaries"   # `packages` is given (then: every path)
//! expires = "2027-01-31"
//!
//! [registries]
//! trusted = ["registry.example.com", "ghcr.io/acme", "*.corp.example", "quay.io/team/*"]
//!                                  # plus `trustedRegistries` of a `.hadolint.yaml` beside this file
//! require-digest = true            # every image must be pinned by digest (IMG014 at high)
//! ```
//!
//! Globs use `globset` syntax with `*` not crossing `/` and `**` crossing any number of
//! directories; a glob matching a directory matches everything below it (`paths = ["legacy"]`).
//! `expires` may also be a bare TOML date (`expires = 2027-03-31`).
//!
//! # Errors never abort
//!
//! Every problem (invalid TOML, unknown key, unknown rule code, bad severity, bad date, missing
//! `reason`, invalid glob) becomes a [`CONFIG_ERROR`] finding in [`Config::diagnostics`] pointing
//! at the exact key or value, with "did you mean ...?" where a valid spelling is near. The rest
//! of the file still applies: an unknown code is dropped from its list, an invalid override is
//! skipped. An `[[ignore]]` entry that is missing `paths` or `reason`, or whose `expires` cannot
//! be read, suppresses nothing (a broken exception must not hide findings); an entry whose
//! `rules` are all invalid suppresses nothing too (rather than everything).
//!
//! Files are not merged: the nearest `shipshape.toml` (see [`crate::resolve`]) is the whole
//! configuration for the targets below it.

use crate::distance::did_you_mean;
use crate::fingerprint::assign_fingerprints;
use crate::selection::{RuleSelection, Selector, resolve_rules, suggest_rule};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use shipshape_model::date::Date;
use shipshape_model::general::CONFIG_ERROR;
use shipshape_model::{Finding, Origin, RuleMeta, Severity, SourceFile, Span};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// File names searched in each directory, in order.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["shipshape.toml", ".shipshape.toml"];

const TOP_KEYS: [&str; 7] = ["fail-on", "rules", "severity", "ignore", "registries", "kubernetes", "secrets"];
const SECRETS_KEYS: [&str; 3] = ["disable", "rules", "allow"];
const SECRET_RULE_KEYS: [&str; 7] = ["id", "title", "regex", "keywords", "severity", "group", "min-entropy"];
const SECRET_ALLOW_KEYS: [&str; 4] = ["paths", "values", "rules", "reason"];
const KUBERNETES_KEYS: [&str; 1] = ["pod-security"];
const RULES_KEYS: [&str; 2] = ["select", "ignore"];
const IGNORE_KEYS: [&str; 6] = ["paths", "rules", "vulnerabilities", "packages", "reason", "expires"];
const REGISTRIES_KEYS: [&str; 2] = ["trusted", "require-digest"];
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// Reading a configuration file failed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read configuration {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A validated configuration: what applies to the targets it covers.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Display path of the file; `None` for the built-in defaults.
    pub path: Option<Arc<str>>,
    /// Absolute directory `[[ignore]]` globs are relative to.
    pub dir: Option<PathBuf>,
    /// The file's text, for locating findings that point into it.
    pub source: Option<SourceFile>,
    /// `fail-on`, if set.
    pub fail_on: Option<Severity>,
    /// `[rules] select` and `ignore`.
    pub selection: RuleSelection,
    /// `[severity]` overrides, in file order.
    pub severity: Vec<SeverityOverride>,
    /// `[[ignore]]` entries that are valid, in file order.
    pub ignores: Vec<PathIgnore>,
    /// `[registries] trusted`, normalised (lower-case, no trailing `/`), then `trustedRegistries`
    /// of a `.hadolint.yaml`/`.hadolint.yml` in the same directory.
    pub trusted_registries: Vec<String>,
    /// `[registries] require-digest`.
    pub require_digest: bool,
    /// `[kubernetes] pod-security`: the Pod Security level (and version) pods are held to.
    pub pod_security: Option<shipshape_kube::pod_security::Policy>,
    /// `[secrets]`: the credential detector with this file's disabled detectors, custom detectors
    /// and allowlist; `None` when the file has no (valid) `[secrets]` table.
    pub secrets: Option<Arc<shipshape_secrets::Detector>>,
    /// `CONFIG_ERROR` findings about this file, located and sorted by position.
    pub diagnostics: Vec<Finding>,
}

/// One `[severity]` entry.
#[derive(Debug, Clone)]
pub struct SeverityOverride {
    /// The rule whose findings get the severity.
    pub rule: &'static RuleMeta,
    /// The new severity.
    pub severity: Severity,
    /// The value in the configuration file that set it.
    pub origin: Origin,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    /// The globs as written (after dropping a leading `./` or `/`).
    pub patterns: Vec<String>,
    globs: GlobSet,
    /// `None`: every rule.
    pub rules: Option<Vec<Selector>>,
    /// Vulnerability ids (any alias matches); `None`: any finding, vulnerability or not.
    pub vulnerabilities: Option<Vec<String>>,
    /// Package names (vulnerability findings only); `None`: any package.
    pub packages: Option<Vec<String>>,
    /// Why the findings are accepted.
    pub reason: String,
    /// The last day the entry suppresses.
    pub expires: Option<Date>,
    /// Where `expires` is written, for the `EXPIRED_IGNORE` finding.
    pub expires_origin: Option<Origin>,
    /// The entry's `[[ignore]]` header.
    pub origin: Origin,
}

impl PathIgnore {
    /// Whether `relative` (a `/`-separated path relative to the configuration's directory), or
    /// one of its parent directories, matches a glob of the entry. An entry without `paths`
    /// matches every path.
    pub fn matches_path(&self, relative: &str) -> bool {
        if self.patterns.is_empty() {
            return true;
        }
        let mut candidate = relative.trim_end_matches('/');
        loop {
            if !candidate.is_empty() && self.globs.is_match(candidate) {
                return true;
            }
            match candidate.rfind('/') {
                Some(slash) => candidate = &candidate[..slash],
                None => return false,
            }
        }
    }

    /// Whether the entry covers findings of `rule`.
    pub fn matches_rule(&self, rule: &RuleMeta) -> bool {
        self.rules.as_ref().is_none_or(|selectors| selectors.iter().any(|s| s.matches(rule)))
    }

    /// Whether the entry covers `finding` (its path aside): its rule, and when the entry names
    /// vulnerabilities or packages, the finding's vulnerability and package.
    pub fn matches_finding(&self, finding: &Finding) -> bool {
        if !self.matches_rule(finding.rule) {
            return false;
        }
        if self.vulnerabilities.is_none() && self.packages.is_none() {
            return true;
        }
        let Some(vulnerability) = finding.vulnerability.as_deref() else { return false };
        let named =
            self.vulnerabilities.as_ref().is_none_or(|ids| ids.iter().any(|id| vulnerability.is_named(id)));
        let in_package = self
            .packages
            .as_ref()
            .is_none_or(|names| names.iter().any(|name| name.eq_ignore_ascii_case(&vulnerability.package)));
        named && in_package
    }

    /// Whether `today` is after `expires`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| today > expires)
    }
}

impl Config {
    /// Reads and validates `file`; `display` is the path findings show for it. Only a read
    /// failure is an error; everything else becomes [`Config::diagnostics`].
    pub fn load(
        file: &Path,
        display: impl Into<Arc<str>>,
        rules: &[&'static RuleMeta],
    ) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file)
            .map_err(|source| ConfigError::Read { path: file.to_path_buf(), source })?;
        let display: Arc<str> = display.into();
        let dir = config_dir(file);
        let mut config = Config::parse(&text, display.clone(), dir.clone(), rules);
        let display_dir = display.rsplit_once('/').map_or("", |(d, _)| d);
        if let Some(hadolint) = crate::hadolint::load(&dir, display_dir, rules) {
            config.add_hadolint(hadolint);
        }
        Ok(config)
    }

    /// The configuration of a directory holding only a hadolint configuration: the defaults
    /// with its settings.
    pub fn from_hadolint(dir: &Path, display_dir: &str, rules: &[&'static RuleMeta]) -> Option<Config> {
        let hadolint = crate::hadolint::load(dir, display_dir, rules)?;
        let path = Some(Arc::from(hadolint.display.as_str()));
        let mut config = Config { dir: Some(dir.to_path_buf()), path, ..Config::default() };
        config.add_hadolint(hadolint);
        Some(config)
    }

    /// Adds a hadolint configuration's settings; this file's own settings win.
    fn add_hadolint(&mut self, hadolint: crate::hadolint::HadolintTrust) {
        self.trusted_registries.extend(hadolint.trusted_registries.iter().map(|t| normalize_registry(t)));
        self.selection.add_ignored(hadolint.ignored);
        let own = std::mem::take(&mut self.severity);
        self.severity = hadolint.overrides;
        self.severity.extend(own);
        self.fail_on = self.fail_on.or(hadolint.failure_threshold);
        self.diagnostics.extend(hadolint.diagnostics);
    }

    /// Validates `text`, the contents of a configuration file shown as `display` whose globs are
    /// relative to `dir`.
    pub fn parse(
        text: &str,
        display: impl Into<Arc<str>>,
        dir: PathBuf,
        rules: &[&'static RuleMeta],
    ) -> Config {
        let source = SourceFile::new(display, text);
        let mut validator = Validator::new(&source, rules);
        let mut config = validator.document(text);
        config.dir = Some(dir);
        config.diagnostics = validator.finish();
        config.path = Some(source.path.clone());
        config.source = Some(source);
        config
    }

    /// The built-in defaults plus one `CONFIG_ERROR` saying `file` could not be read; used when
    /// a discovered file is unreadable so the scan goes on.
    pub fn unreadable(file: &Path, display: impl Into<Arc<str>>, error: &std::io::Error) -> Config {
        let source = SourceFile::new(display, "");
        let origin = Origin::new(source.path.clone(), Span::empty_at(0));
        let mut finding = Finding::new(
            &CONFIG_ERROR,
            &origin,
            format!(
                "cannot read {}: {error}; the targets it covers are checked with the defaults",
                source.path
            ),
        );
        finding.locate(&source);
        let mut diagnostics = vec![finding];
        assign_fingerprints(&mut diagnostics, &source);
        Config {
            path: Some(source.path.clone()),
            dir: Some(config_dir(file)),
            source: Some(source),
            diagnostics,
            ..Config::default()
        }
    }

    /// The `[severity]` override for `rule`, if any (the last one wins).
    pub fn severity_for(&self, rule: &RuleMeta) -> Option<&SeverityOverride> {
        self.severity.iter().rev().find(|o| o.rule == rule)
    }

    /// The path `[[ignore]]` globs are matched against: `fs_path` relative to the
    /// configuration's directory when it lies below it, else `display` as given (both with `/`
    /// separators and without a leading `./`).
    pub fn relative_path(&self, fs_path: Option<&Path>, display: &str) -> String {
        if let (Some(dir), Some(path)) = (&self.dir, fs_path) {
            let absolute = std::path::absolute(path).map(|p| normalize_path(&p));
            if let Some(relative) = absolute.ok().as_deref().and_then(|p| p.strip_prefix(dir).ok()) {
                return slash_path(&relative.to_string_lossy());
            }
        }
        slash_path(display)
    }

    /// Whether an image reference (`ghcr.io/acme/app:1.2`, `nginx`) comes from a trusted
    /// registry: it matches an entry (see `ImageRef::matches_pattern`: a registry, a repository
    /// prefix, `*` inside a component). Docker Hub short names expand to
    /// `docker.io/library/...`. A text that is not a reference is not trusted.
    pub fn is_trusted_registry(&self, image: &str) -> bool {
        let Some(reference) = shipshape_model::ImageRef::parse(&image.to_ascii_lowercase()) else {
            return false;
        };
        self.trusted_registries.iter().any(|trusted| reference.matches_pattern(trusted))
    }
}

/// The absolute, lexically normalised directory containing `file`.
fn config_dir(file: &Path) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    normalize_path(absolute.parent().unwrap_or(Path::new("/")))
}

/// Removes `.` and resolves `..` without touching the file system.
pub(crate) fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn slash_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_owned()
}

/// `ghcr.io/acme/app:1@sha256:..` → `ghcr.io/acme/app`; `nginx` → `docker.io/library/nginx`.
fn normalize_registry(entry: &str) -> String {
    let entry = entry.trim().trim_end_matches('/').to_ascii_lowercase();
    for alias in ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"] {
        if let Some(rest) = entry.strip_prefix(alias)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return format!("docker.io{rest}");
        }
    }
    entry
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    Span::from_range(spanned.span())
}

fn overlaps(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Walks the spanned TOML document, collecting a [`Config`] and `CONFIG_ERROR` findings.
struct Validator<'a> {
    source: &'a SourceFile,
    rules: &'a [&'static RuleMeta],
    syntax_errors: Vec<Span>,
    diagnostics: Vec<Finding>,
}

impl<'a> Validator<'a> {
    fn new(source: &'a SourceFile, rules: &'a [&'static RuleMeta]) -> Self {
        Self { source, rules, syntax_errors: Vec::new(), diagnostics: Vec::new() }
    }

    fn finish(mut self) -> Vec<Finding> {
        for finding in &mut self.diagnostics {
            finding.locate(self.source);
        }
        self.diagnostics.sort_by(|a, b| {
            (a.location.span.start, a.location.span.end, &a.message).cmp(&(
                b.location.span.start,
                b.location.span.end,
                &b.message,
            ))
        });
        assign_fingerprints(&mut self.diagnostics, self.source);
        self.diagnostics
    }

    fn push(&mut self, span: Span, message: String, help: Option<String>) {
        let origin = Origin::new(self.source.path.clone(), span);
        let mut finding = Finding::new(&CONFIG_ERROR, &origin, message);
        finding.help = help;
        self.diagnostics.push(finding);
    }

    /// A semantic error; dropped when it lies where TOML recovery already reported a syntax
    /// error (recovery turns broken text into odd values that would only add noise).
    fn error(&mut self, span: Span, message: String) {
        self.error_with_help(span, message, None);
    }

    fn error_with_help(&mut self, span: Span, message: String, help: Option<String>) {
        if !self.syntax_errors.iter().any(|&s| overlaps(s, span)) {
            self.push(span, message, help);
        }
    }

    fn document(&mut self, text: &str) -> Config {
        let (root, errors) = DeTable::parse_recoverable(text);
        // Recovery often reports a cascade of errors for one mistake: keep the first per line.
        let mut seen_lines = Vec::new();
        let mut errors: Vec<_> = errors
            .into_iter()
            .map(|e| (e.span().map_or(Span::empty_at(0), Span::from_range), e.message().to_owned()))
            .collect();
        errors.sort_by_key(|(span, _)| (span.start, span.end));
        for (span, message) in errors {
            let line = self.source.line_index().line_of(span.start);
            self.syntax_errors.push(span);
            if !seen_lines.contains(&line) {
                seen_lines.push(line);
                self.push(span, format!("invalid TOML: {message}"), None);
            }
        }

        let mut config = Config::default();
        let mut select = None;
        let mut ignore = Vec::new();
        for (key, value) in root.get_ref() {
            match key.get_ref().as_ref() {
                "fail-on" => config.fail_on = self.severity_value(value, "fail-on"),
                "rules" => {
                    if let Some(table) = self.table(value, "[rules]") {
                        self.check_keys(table, &RULES_KEYS, "[rules]");
                        if let Some(list) = table.get("select") {
                            select = Some(self.selectors(list, "rules.select", false));
                        }
                        if let Some(list) = table.get("ignore") {
                            ignore = self.selectors(list, "rules.ignore", true);
                        }
                    }
                }
                "severity" => {
                    if let Some(table) = self.table(value, "[severity]") {
                        config.severity = self.severity_table(table);
                    }
                }
                "ignore" => config.ignores = self.ignore_entries(value),
                "registries" => {
                    if let Some(table) = self.table(value, "[registries]") {
                        self.check_keys(table, &REGISTRIES_KEYS, "[registries]");
                        if let Some(list) = table.get("trusted") {
                            config.trusted_registries = self.registries(list);
                        }
                        if let Some(value) = table.get("require-digest") {
                            match value.get_ref().as_bool() {
                                Some(required) => config.require_digest = required,
                                None => self.type_error(value, "registries.require-digest", "true or false"),
                            }
                        }
                    }
                }
                "secrets" => {
                    if let Some(table) = self.table(value, "[secrets]") {
                        config.secrets = self.secrets_table(table, span_of(value));
                    }
                }
                "kubernetes" => {
                    if let Some(table) = self.table(value, "[kubernetes]") {
                        self.check_keys(table, &KUBERNETES_KEYS, "[kubernetes]");
                        if let Some(value) = table.get("pod-security")
                            && let Some(text) = self.string(value, "kubernetes.pod-security")
                        {
                            match shipshape_kube::pod_security::Policy::parse(text) {
                                Ok(policy) => config.pod_security = Some(policy),
                                Err(message) => self.error(span_of(value), message),
                            }
                        }
                    }
                }
                other => self.unknown_key(key, other, &TOP_KEYS, "at the top level"),
            }
        }
        config.selection = RuleSelection::new(select, ignore);
        config
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        name: &str,
        valid: &[&str],
        context: &str,
    ) {
        let suggestion = did_you_mean(name, valid.iter().copied());
        self.error_with_help(
            span_of(key),
            format!("unknown key `{name}` {context}{suggestion}"),
            Some(format!("valid keys: {}", valid.join(", "))),
        );
    }

    fn check_keys(&mut self, table: &DeTable<'_>, valid: &[&str], context: &str) {
        for (key, _) in table {
            let name = key.get_ref().as_ref();
            if !valid.contains(&name) {
                let context = format!("in `{context}`");
                self.unknown_key(key, name, valid, &context);
            }
        }
    }

    fn type_error(&mut self, value: &Spanned<DeValue<'_>>, what: &str, expected: &str) {
        let found = value.get_ref().type_str();
        self.error(span_of(value), format!("`{what}` must be {expected}, found {found}"));
    }

    fn table<'v>(&mut self, value: &'v Spanned<DeValue<'v>>, what: &str) -> Option<&'v DeTable<'v>> {
        let table = value.get_ref().as_table();
        if table.is_none() {
            self.type_error(value, what, "a table");
        }
        table
    }

    fn string<'v>(&mut self, value: &'v Spanned<DeValue<'v>>, what: &str) -> Option<&'v str> {
        let string = value.get_ref().as_str();
        if string.is_none() {
            self.type_error(value, what, "a string");
        }
        string
    }

    /// The strings of an array, with their spans; other elements are reported and skipped.
    fn strings<'v>(&mut self, value: &'v Spanned<DeValue<'v>>, what: &str) -> Vec<(&'v str, Span)> {
        let Some(array) = value.get_ref().as_array() else {
            self.type_error(value, what, "an array of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in array.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push((s, span_of(item))),
                None => self.type_error(item, &format!("{what}[..]"), "a string"),
            }
        }
        out
    }

    fn severity_value(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<Severity> {
        let text = self.string(value, what)?;
        let severity = Severity::parse(text);
        if severity.is_none() {
            let suggestion = did_you_mean(text, SEVERITIES);
            self.error_with_help(
                span_of(value),
                format!("unknown severity `{text}` for `{what}`{suggestion}"),
                Some(format!("use one of {}", SEVERITIES.join(", "))),
            );
        }
        severity
    }

    fn selectors(&mut self, value: &Spanned<DeValue<'_>>, what: &str, ignoring: bool) -> Vec<Selector> {
        let mut selectors = Vec::new();
        for (text, span) in self.strings(value, what) {
            match Selector::parse(text, self.rules) {
                Ok(selector) => {
                    if ignoring {
                        self.check_not_unsuppressible(&selector, text, span);
                    }
                    selectors.push(selector);
                }
                Err(unknown) => self.error(
                    span,
                    format!("unknown rule or prefix `{}` in `{what}`{}", unknown.text, unknown.suggestion),
                ),
            }
        }
        selectors
    }

    fn check_not_unsuppressible(&mut self, selector: &Selector, text: &str, span: Span) {
        if let Selector::Rules(codes) = selector
            && let Some(rule) =
                self.rules.iter().find(|r| codes.contains(&r.code) && crate::is_unsuppressible(r))
        {
            self.error(
                span,
                format!("`{text}` ({}) cannot be ignored: fix what it reports instead", rule.name),
            );
        }
    }

    fn severity_table(&mut self, table: &DeTable<'_>) -> Vec<SeverityOverride> {
        let mut overrides = Vec::new();
        for (key, value) in table {
            let id = key.get_ref().as_ref();
            let rules = resolve_rules(id, self.rules);
            if rules.is_empty() {
                let suggestion = suggest_rule(id, self.rules, false);
                self.error(span_of(key), format!("unknown rule `{id}` in `[severity]`{suggestion}"));
                continue;
            }
            let Some(severity) = self.severity_value(value, &format!("severity.{id}")) else { continue };
            let origin = Origin::new(self.source.path.clone(), span_of(value));
            overrides.extend(rules.into_iter().map(|rule| SeverityOverride {
                rule,
                severity,
                origin: origin.clone(),
            }));
        }
        // The map iterates keys alphabetically; keep file order so "the last one wins" holds.
        overrides.sort_by_key(|o| o.origin.span.start);
        overrides
    }

    fn ignore_entries(&mut self, value: &Spanned<DeValue<'_>>) -> Vec<PathIgnore> {
        let Some(array) = value.get_ref().as_array() else {
            let found = value.get_ref().type_str();
            self.error(
                span_of(value),
                format!(
                    "`ignore` must be an array of tables, found {found}: write each entry as `[[ignore]]`"
                ),
            );
            return Vec::new();
        };
        let mut entries = Vec::new();
        for item in array.iter() {
            let Some(table) = item.get_ref().as_table() else {
                self.type_error(item, "ignore[..]", "a table");
                continue;
            };
            if let Some(entry) = self.ignore_entry(table, span_of(item)) {
                entries.push(entry);
            }
        }
        entries
    }

    /// An optional non-empty array of strings (`vulnerabilities`, `packages` of an ignore entry);
    /// an empty array is an error (it would accept nothing, surely not what was meant).
    fn named_list(&mut self, table: &DeTable<'_>, key: &str) -> Option<Vec<String>> {
        let value = table.get(key)?;
        let names: Vec<String> =
            self.strings(value, key).into_iter().map(|(text, _)| text.trim().to_owned()).collect();
        if names.is_empty() && value.get_ref().is_array() {
            self.error(span_of(value), format!("`{key}` is empty: list what this entry accepts"));
        }
        Some(names)
    }

    fn ignore_entry(&mut self, table: &DeTable<'_>, header: Span) -> Option<PathIgnore> {
        self.check_keys(table, &IGNORE_KEYS, "[[ignore]]");
        let mut valid = true;

        let vulnerabilities = self.named_list(table, "vulnerabilities");
        let packages = self.named_list(table, "packages");
        let mut patterns = Vec::new();
        let mut builder = GlobSetBuilder::new();
        match table.get("paths") {
            None if vulnerabilities.is_some() || packages.is_some() => {}
            None => {
                self.error(
                    header,
                    "`[[ignore]]` entry has no `paths`: list the files it covers (or the `vulnerabilities` it accepts)"
                        .into(),
                );
                valid = false;
            }
            Some(value) => {
                let globs = self.strings(value, "paths");
                if globs.is_empty() && value.get_ref().is_array() {
                    self.error(span_of(value), "`paths` is empty: list the files this entry covers".into());
                }
                for (text, span) in globs {
                    let pattern = text.trim().trim_start_matches("./").trim_start_matches('/');
                    match GlobBuilder::new(pattern).literal_separator(true).build() {
                        Ok(glob) if !pattern.is_empty() => {
                            builder.add(glob);
                            patterns.push(pattern.to_owned());
                        }
                        Ok(_) => self.error(span, "empty glob".into()),
                        Err(err) => self.error(span, format!("invalid glob `{text}`: {}", err.kind())),
                    }
                }
                valid &= !patterns.is_empty();
            }
        }
        let globs = match builder.build() {
            Ok(set) => set,
            Err(err) => {
                self.error(header, format!("invalid globs: {err}"));
                return None;
            }
        };

        let rules = table.get("rules").map(|value| self.selectors(value, "ignore.rules", true));

        let reason = match table.get("reason") {
            None => {
                self.error(
                    header,
                    "`[[ignore]]` entry has no `reason`: say why these findings are accepted".into(),
                );
                valid = false;
                String::new()
            }
            Some(value) => match self.string(value, "reason") {
                Some(text) if !text.trim().is_empty() => text.trim().to_owned(),
                Some(_) => {
                    self.error(
                        span_of(value),
                        "`reason` is empty: say why these findings are accepted".into(),
                    );
                    valid = false;
                    String::new()
                }
                None => {
                    valid = false;
                    String::new()
                }
            },
        };

        let mut expires = None;
        let mut expires_origin = None;
        if let Some(value) = table.get("expires") {
            let text = match value.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                DeValue::Datetime(d) => Some(d.to_string()),
                _ => None,
            };
            let span = span_of(value);
            match text.as_deref().map(Date::parse) {
                Some(Ok(date)) => {
                    expires = Some(date);
                    expires_origin = Some(Origin::new(self.source.path.clone(), span));
                }
                Some(Err(err)) => {
                    self.error(span, format!("invalid `expires` date `{}`: {err}", text.unwrap_or_default()));
                    valid = false;
                }
                None => {
                    self.type_error(value, "expires", "a date string like \"2027-03-31\"");
                    valid = false;
                }
            }
        }

        valid &= vulnerabilities.as_ref().is_none_or(|v| !v.is_empty());
        valid &= packages.as_ref().is_none_or(|p| !p.is_empty());
        valid.then(|| PathIgnore {
            patterns,
            globs,
            rules,
            vulnerabilities,
            packages,
            reason,
            expires,
            expires_origin,
            origin: Origin::new(self.source.path.clone(), header),
        })
    }

    /// `[secrets]`: `disable = [...]`, `[[secrets.rules]]`, `[[secrets.allow]]`, compiled into a
    /// detector; problems (unknown detector ids, bad regexes, an allow entry without a reason) are
    /// reported at their key.
    fn secrets_table(
        &mut self,
        table: &DeTable<'_>,
        header: Span,
    ) -> Option<Arc<shipshape_secrets::Detector>> {
        use shipshape_secrets::{
            Allow, ConfigError, CustomRule, Detector, DetectorConfig, Severity as SecretSeverity,
        };
        self.check_keys(table, &SECRETS_KEYS, "[secrets]");
        let mut detector_config = DetectorConfig::default();
        let mut disabled_spans = Vec::new();
        if let Some(list) = table.get("disable") {
            for (id, span) in self.strings(list, "secrets.disable") {
                detector_config.disabled_rules.push(id.to_string());
                disabled_spans.push((id.to_string(), span));
            }
        }
        let mut rule_spans = Vec::new();
        if let Some(rules) = table.get("rules") {
            for item in rules.get_ref().as_array().map(|a| a.iter().collect::<Vec<_>>()).unwrap_or_default() {
                let Some(entry) = item.get_ref().as_table() else {
                    self.type_error(item, "secrets.rules[..]", "a table");
                    continue;
                };
                self.check_keys(entry, &SECRET_RULE_KEYS, "[[secrets.rules]]");
                let text = |this: &mut Self, key: &str| {
                    entry.get(key).and_then(|v| this.string(v, key)).map(str::to_string)
                };
                let (Some(id), Some(regex)) = (text(self, "id"), text(self, "regex")) else {
                    self.error(span_of(item), "a `[[secrets.rules]]` entry needs `id` and `regex`".into());
                    continue;
                };
                let severity = match text(self, "severity").as_deref() {
                    None | Some("high") => SecretSeverity::High,
                    Some("critical") => SecretSeverity::Critical,
                    Some("medium") => SecretSeverity::Medium,
                    Some("low") => SecretSeverity::Low,
                    Some(other) => {
                        let span = entry.get("severity").map_or(span_of(item), span_of);
                        self.error(
                            span,
                            format!("unknown severity `{other}`: critical, high, medium or low"),
                        );
                        SecretSeverity::High
                    }
                };
                let keywords = entry
                    .get("keywords")
                    .map(|k| self.strings(k, "keywords").into_iter().map(|(k, _)| k.to_string()).collect())
                    .unwrap_or_default();
                let group = entry
                    .get("group")
                    .and_then(|g| g.get_ref().as_integer())
                    .and_then(|g| g.as_str().parse::<usize>().ok());
                let min_entropy = entry
                    .get("min-entropy")
                    .and_then(|e| e.get_ref().as_float())
                    .and_then(|f| f.as_str().parse::<f64>().ok());
                rule_spans.push((id.clone(), span_of(item)));
                detector_config.custom_rules.push(CustomRule {
                    title: text(self, "title").unwrap_or_default(),
                    id,
                    regex,
                    keywords,
                    severity,
                    secret_group: group.unwrap_or(0),
                    min_entropy,
                });
            }
        }
        let mut allow_spans = Vec::new();
        if let Some(allows) = table.get("allow") {
            for item in allows.get_ref().as_array().map(|a| a.iter().collect::<Vec<_>>()).unwrap_or_default()
            {
                let Some(entry) = item.get_ref().as_table() else {
                    self.type_error(item, "secrets.allow[..]", "a table");
                    continue;
                };
                self.check_keys(entry, &SECRET_ALLOW_KEYS, "[[secrets.allow]]");
                let list = |this: &mut Self, key: &str| -> Vec<String> {
                    entry
                        .get(key)
                        .map(|v| this.strings(v, key).into_iter().map(|(s, _)| s.to_string()).collect())
                        .unwrap_or_default()
                };
                let paths = list(self, "paths");
                let values = list(self, "values");
                let rules = list(self, "rules");
                let reason = entry.get("reason").and_then(|r| self.string(r, "reason")).map(str::to_string);
                let Some(reason) = reason.filter(|r| !r.trim().is_empty()) else {
                    self.error(
                        span_of(item),
                        "`[[secrets.allow]]` entry has no `reason`: say why these values are accepted".into(),
                    );
                    continue;
                };
                if paths.is_empty() && values.is_empty() {
                    self.error(span_of(item), "`[[secrets.allow]]` entry needs `paths` or `values`".into());
                    continue;
                }
                let paths: Vec<Option<String>> =
                    if paths.is_empty() { vec![None] } else { paths.into_iter().map(Some).collect() };
                let values: Vec<Option<String>> =
                    if values.is_empty() { vec![None] } else { values.into_iter().map(Some).collect() };
                for path in &paths {
                    for value in &values {
                        allow_spans.push(span_of(item));
                        detector_config.allowlist.push(Allow {
                            path: path.clone(),
                            value: value.clone(),
                            rules: rules.clone(),
                            reason: reason.clone(),
                        });
                    }
                }
            }
        }
        match Detector::new(detector_config) {
            Ok(detector) => Some(Arc::new(detector)),
            Err(error) => {
                let rule_span = |id: &str| {
                    rule_spans
                        .iter()
                        .chain(disabled_spans.iter())
                        .find(|(r, _)| r == id)
                        .map_or(header, |(_, span)| *span)
                };
                let (span, message) = match &error {
                    ConfigError::InvalidRegex { rule_id, .. }
                    | ConfigError::MissingSecretGroup { rule_id, .. }
                    | ConfigError::InvalidRuleId { rule_id }
                    | ConfigError::DuplicateRuleId { rule_id }
                    | ConfigError::InvalidKeyword { rule_id, .. }
                    | ConfigError::UnknownRule { rule_id } => (rule_span(rule_id), error.to_string()),
                    ConfigError::InvalidAllow { index, .. } => {
                        (allow_spans.get(*index).copied().unwrap_or(header), error.to_string())
                    }
                    _ => (header, error.to_string()),
                };
                self.error(span, format!("[secrets]: {message}"));
                None
            }
        }
    }

    fn registries(&mut self, value: &Spanned<DeValue<'_>>) -> Vec<String> {
        let mut trusted = Vec::new();
        for (text, span) in self.strings(value, "registries.trusted") {
            let entry = normalize_registry(text);
            if let Some((_, rest)) = entry.split_once("://") {
                self.error(
                    span,
                    format!(
                        "registry `{text}` has a URL scheme; write it as `{}`",
                        rest.trim_end_matches('/')
                    ),
                );
            } else if entry.is_empty() || entry.contains(char::is_whitespace) {
                self.error(span, format!("`{text}` is not a registry host or repository prefix"));
            } else {
                trusted.push(entry);
            }
        }
        trusted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::tests::{CAPABILITIES, LATEST_TAG, ROOT_USER, UNPINNED_APT, rules};

    fn parse(text: &str) -> Config {
        Config::parse(text, "shipshape.toml", PathBuf::from("/repo"), &rules())
    }

    #[test]
    fn secrets_table_builds_a_detector_and_reports_its_errors() {
        let good = parse(
            "[secrets]\ndisable = [\"jwt\"]\n[[secrets.rules]]\nid = \"acme-key\"\nregex = 'acme_[a-z0-9]{32}'\nkeywords = [\"acme_\"]\nseverity = \"critical\"\n[[secrets.allow]]\npaths = [\"tests/**\"]\nreason = \"fixtures\"\n",
        );
        assert!(good.diagnostics.is_empty(), "{:?}", good.diagnostics);
        let detector = good.secrets.expect("detector");
        let text = format!("key = acme_{}\n", "0123456789abcdefghijklmnopqrstuv");
        assert!(detector.scan(text.as_bytes()).iter().any(|m| m.rule.id() == "acme-key"));
        assert!(detector.scan_path("tests/data/x.txt", text.as_bytes()).is_empty(), "allowlisted path");
        let bad = parse("[secrets]\ndisable = [\"no-such-detector\"]\n");
        let messages: Vec<&str> = bad.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("no-such-detector")), "{messages:?}");
        assert!(bad.secrets.is_none());
        let unreasoned = parse("[secrets]\n[[secrets.allow]]\nvalues = ['^test-']\n");
        assert!(
            unreasoned.diagnostics.iter().any(|d| d.message.contains("no `reason`")),
            "{:?}",
            unreasoned.diagnostics
        );
        let regex = parse("[secrets]\n[[secrets.rules]]\nid = \"broken\"\nregex = '(unclosed'\n");
        assert!(regex.diagnostics.iter().any(|d| d.message.contains("broken")), "{:?}", regex.diagnostics);
    }

    #[test]
    fn kubernetes_pod_security_level() {
        let config = parse("[kubernetes]\npod-security = \"restricted:v1.30\"\n");
        assert!(config.diagnostics.is_empty(), "{:?}", config.diagnostics);
        assert_eq!(config.pod_security.map(|p| p.to_string()), Some("restricted:v1.30".into()));
        let bad = parse("[kubernetes]\npod-security = \"strict\"\npss = 1\n");
        let messages: Vec<&str> = bad.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("not a Pod Security level")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("unknown key `pss`")), "{messages:?}");
    }

    /// Each diagnostic as `line:col: message` plus the exact text it points at.
    fn errors(config: &Config) -> Vec<(String, String)> {
        let source = config.source.as_ref().unwrap();
        config
            .diagnostics
            .iter()
            .map(|f| {
                assert_eq!(f.rule.code, "GEN007");
                assert!(f.location.is_located());
                assert_eq!(f.fingerprint.len(), 16);
                let r = f.location.region;
                (
                    format!("{}:{}: {}", r.start_line, r.start_column, f.message),
                    source.slice(f.location.span).to_owned(),
                )
            })
            .collect()
    }

    const VALID: &str = r#"
fail-on = "medium"

[rules]
select = ["PRV", "IMG001", "DL3008"]
ignore = ["root-user"]

[severity]
PRV010 = "critical"
DL3008 = "info"

[[ignore]]
paths = ["legacy/**", "./vendor/*/Dockerfile"]
rules = ["PRV001"]
reason = "migrating base image"
expires = "2027-03-31"

[[ignore]]
paths = ["third_party"]
reason = "not ours"

[registries]
trusted = ["registry.example.com", "GHCR.io/acme/"]
"#;

    #[test]
    fn valid_file_has_no_diagnostics_and_applies_everything() {
        let config = parse(VALID);
        assert_eq!(errors(&config), Vec::<(String, String)>::new());
        assert_eq!(config.fail_on, Some(Severity::Medium));
        assert!(config.selection.is_enabled(&CAPABILITIES));
        assert!(config.selection.is_enabled(&LATEST_TAG));
        assert!(config.selection.is_enabled(&UNPINNED_APT));
        assert!(!config.selection.is_enabled(&ROOT_USER));
        assert_eq!(config.severity_for(&CAPABILITIES).map(|o| o.severity), Some(Severity::Critical));
        assert_eq!(config.severity_for(&UNPINNED_APT).map(|o| o.severity), Some(Severity::Info));
        let source = config.source.as_ref().unwrap();
        assert_eq!(source.slice(config.severity_for(&CAPABILITIES).unwrap().origin.span), "\"critical\"");
        assert_eq!(config.severity_for(&ROOT_USER).map(|o| o.severity), None);

        assert_eq!(config.ignores.len(), 2);
        let legacy = &config.ignores[0];
        assert_eq!(legacy.patterns, ["legacy/**", "vendor/*/Dockerfile"]);
        assert_eq!(legacy.reason, "migrating base image");
        assert_eq!(legacy.expires, Date::parse("2027-03-31").ok());
        assert_eq!(source.slice(legacy.expires_origin.as_ref().unwrap().span), "\"2027-03-31\"");
        assert_eq!(source.slice(legacy.origin.span), "[[ignore]]");
        assert!(legacy.matches_rule(&ROOT_USER) && !legacy.matches_rule(&CAPABILITIES));
        assert!(config.ignores[1].rules.is_none() && config.ignores[1].matches_rule(&CAPABILITIES));
        assert_eq!(config.trusted_registries, ["registry.example.com", "ghcr.io/acme"]);
    }

    #[test]
    fn globs_are_relative_and_anchored() {
        let config = parse(VALID);
        let legacy = &config.ignores[0];
        assert!(legacy.matches_path("legacy/Dockerfile"));
        assert!(legacy.matches_path("legacy/a/b/Dockerfile"));
        assert!(legacy.matches_path("vendor/x/Dockerfile"));
        assert!(!legacy.matches_path("vendor/x/y/Dockerfile"), "`*` does not cross `/`");
        assert!(!legacy.matches_path("src/legacy/Dockerfile"), "globs are anchored at the config dir");
        assert!(!legacy.matches_path("legacyapp/Dockerfile"));
        let third_party = &config.ignores[1];
        assert!(third_party.matches_path("third_party/x/Dockerfile"), "a directory covers its contents");
        assert!(!third_party.matches_path("third_party_x/Dockerfile"));
    }

    #[test]
    fn relative_path_strips_the_config_dir() {
        let config = parse(VALID);
        assert_eq!(
            config.relative_path(Some(Path::new("/repo/legacy/./a/../Dockerfile")), "x"),
            "legacy/Dockerfile"
        );
        assert_eq!(
            config.relative_path(Some(Path::new("/elsewhere/Dockerfile")), "./o/Dockerfile"),
            "o/Dockerfile"
        );
        assert_eq!(config.relative_path(None, "./svc\\Dockerfile"), "svc/Dockerfile");
    }

    #[test]
    fn expiry_is_inclusive_of_the_last_day() {
        let config = parse(VALID);
        let legacy = &config.ignores[0];
        assert!(!legacy.is_expired(Date::parse("2027-03-31").unwrap()));
        assert!(legacy.is_expired(Date::parse("2027-04-01").unwrap()));
        assert!(!config.ignores[1].is_expired(Date::parse("2999-01-01").unwrap()));
    }

    #[test]
    fn unknown_keys_point_at_the_key_and_suggest() {
        let config = parse(
            "fial-on = \"high\"\n[rules]\nignroe = [\"PRV001\"]\n[[ignore]]\npath = [\"a\"]\nreason = \"r\"\n[registry]\ntrusted = []\n[registries.mirror]\n",
        );
        assert_eq!(
            errors(&config),
            [
                (
                    "1:1: unknown key `fial-on` at the top level; did you mean `fail-on`?".into(),
                    "fial-on".into()
                ),
                ("3:1: unknown key `ignroe` in `[rules]`; did you mean `ignore`?".into(), "ignroe".into()),
                (
                    "4:1: `[[ignore]]` entry has no `paths`: list the files it covers (or the `vulnerabilities` it accepts)".into(),
                    "[[ignore]]".into()
                ),
                ("5:1: unknown key `path` in `[[ignore]]`; did you mean `paths`?".into(), "path".into()),
                (
                    "7:2: unknown key `registry` at the top level; did you mean `registries`?".into(),
                    "registry".into()
                ),
                ("9:13: unknown key `mirror` in `[registries]`".into(), "mirror".into()),
            ]
        );
        assert_eq!(
            config.diagnostics[0].help.as_deref(),
            Some("valid keys: fail-on, rules, severity, ignore, registries, kubernetes, secrets")
        );
        assert!(config.ignores.is_empty(), "an entry without paths suppresses nothing");
        assert_eq!(config.fail_on, None);
    }

    #[test]
    fn unknown_codes_point_at_the_value_and_keep_the_rest() {
        let config = parse(
            "[rules]\nselect = [\"PRV\", \"IMG01\", \"DL3002\"]\nignore = [\"DL3020\", 7]\n[severity]\nPRV01 = \"critical\"\nroot-user = \"hihg\"\nIMG001 = \"low\"\n",
        );
        assert_eq!(
            errors(&config),
            [
                (
                    "2:18: unknown rule or prefix `IMG01` in `rules.select`; did you mean `IMG001`?".into(),
                    "\"IMG01\"".into()
                ),
                (
                    "3:11: unknown rule or prefix `DL3020` in `rules.ignore`; did you mean `DL3002`?".into(),
                    "\"DL3020\"".into()
                ),
                ("3:21: `rules.ignore[..]` must be a string, found integer".into(), "7".into()),
                ("5:1: unknown rule `PRV01` in `[severity]`; did you mean `PRV001`?".into(), "PRV01".into()),
                (
                    "6:13: unknown severity `hihg` for `severity.root-user`; did you mean `high`?".into(),
                    "\"hihg\"".into()
                ),
            ]
        );
        assert!(config.selection.is_enabled(&ROOT_USER));
        assert!(!config.selection.is_enabled(&UNPINNED_APT));
        assert_eq!(config.severity.len(), 1);
        assert_eq!(config.severity_for(&LATEST_TAG).map(|o| o.severity), Some(Severity::Low));
    }

    #[test]
    fn bad_ignore_entries_are_reported_and_do_not_suppress() {
        let config = parse(
            r#"[[ignore]]
paths = ["legacy/**"]
[[ignore]]
paths = ["a/[", "b/**"]
rules = ["PRV00X"]
reason = "  "
[[ignore]]
paths = ["c"]
reason = "ok"
expires = "2027-02-30"
[[ignore]]
paths = ["d"]
reason = "ok"
expires = 2027-03-31
rules = ["CKV_DOCKER_8"]
[[ignore]]
paths = []
reason = "nothing"
"#,
        );
        assert_eq!(
            errors(&config),
            [
                (
                    "1:1: `[[ignore]]` entry has no `reason`: say why these findings are accepted".into(),
                    "[[ignore]]".into()
                ),
                ("4:10: invalid glob `a/[`: unclosed character class; missing ']'".into(), "\"a/[\"".into()),
                (
                    "5:10: unknown rule or prefix `PRV00X` in `ignore.rules`; did you mean `PRV001`?".into(),
                    "\"PRV00X\"".into()
                ),
                ("6:10: `reason` is empty: say why these findings are accepted".into(), "\"  \"".into()),
                (
                    "10:11: invalid `expires` date `2027-02-30`: 2027-02 has no day 30".into(),
                    "\"2027-02-30\"".into()
                ),
                ("17:9: `paths` is empty: list the files this entry covers".into(), "[]".into()),
            ]
        );
        assert_eq!(config.ignores.len(), 1, "only the entry with a bare TOML date is valid");
        assert_eq!(config.ignores[0].patterns, ["d"]);
        assert_eq!(config.ignores[0].expires, Date::parse("2027-03-31").ok());
        assert!(config.ignores[0].matches_rule(&ROOT_USER));
    }

    #[test]
    fn vulnerability_entries_need_no_paths_and_match_by_alias_and_package() {
        use shipshape_model::{Finding, Origin, Span, VulnerabilityRef};
        let config = parse(
            "[[ignore]]\nvulnerabilities = [\"CVE-2021-44228\"]\npackages = [\"log4j-core\"]\nreason = \"r\"\n\
             [[ignore]]\nvulnerabilities = []\nreason = \"r\"\n",
        );
        let messages: Vec<String> = config.diagnostics.iter().map(|d| d.message.clone()).collect();
        assert_eq!(messages, ["`vulnerabilities` is empty: list what this entry accepts"]);
        assert_eq!(config.ignores.len(), 1, "the empty list accepts nothing");
        let entry = &config.ignores[0];
        assert!(entry.matches_path("any/where/pom.xml"));
        let mut finding = Finding::new(&ROOT_USER, &Origin::new("pom.xml".into(), Span::empty_at(0)), "m");
        assert!(!entry.matches_finding(&finding), "not a vulnerability finding");
        let vulnerability = |package: &str| VulnerabilityRef {
            id: "GHSA-jfh8-c2jp-5v3q".into(),
            aliases: vec!["cve-2021-44228".into()],
            package: package.into(),
            version: "2.14.1".into(),
            purl: None,
            fixed: None,
        };
        finding.vulnerability = Some(Box::new(vulnerability("log4j-core")));
        assert!(entry.matches_finding(&finding));
        finding.vulnerability = Some(Box::new(vulnerability("log4j-api")));
        assert!(!entry.matches_finding(&finding));
    }

    #[test]
    fn an_entry_whose_rules_are_all_unknown_covers_no_rule() {
        let config = parse("[[ignore]]\npaths = [\"**\"]\nrules = [\"NOPE999\"]\nreason = \"r\"\n");
        assert_eq!(config.diagnostics.len(), 1);
        assert!(!config.ignores[0].matches_rule(&ROOT_USER));
    }

    #[test]
    fn config_error_and_expired_ignore_cannot_be_ignored() {
        let config = parse(
            "[rules]\nignore = [\"GEN007\"]\n[[ignore]]\npaths = [\"**\"]\nrules = [\"expired-ignore\"]\nreason = \"r\"\n",
        );
        assert_eq!(
            errors(&config),
            [
                (
                    "2:11: `GEN007` (config-error) cannot be ignored: fix what it reports instead".into(),
                    "\"GEN007\"".into()
                ),
                (
                    "5:10: `expired-ignore` (expired-ignore) cannot be ignored: fix what it reports instead"
                        .into(),
                    "\"expired-ignore\"".into()
                ),
            ]
        );
    }

    #[test]
    fn type_errors_name_the_key() {
        let config = parse(
            "fail-on = 3\nrules = [\"PRV\"]\n[[ignore]]\npaths = \"legacy\"\nreason = \"r\"\nexpires = 20270331\n[registries]\ntrusted = [\"https://ghcr.io/acme/\", \"a b\"]\n",
        );
        assert_eq!(
            errors(&config),
            [
                ("1:11: `fail-on` must be a string, found integer".into(), "3".into()),
                ("2:9: `[rules]` must be a table, found array".into(), "[\"PRV\"]".into()),
                ("4:9: `paths` must be an array of strings, found string".into(), "\"legacy\"".into()),
                (
                    "6:11: `expires` must be a date string like \"2027-03-31\", found integer".into(),
                    "20270331".into()
                ),
                (
                    "8:12: registry `https://ghcr.io/acme/` has a URL scheme; write it as `ghcr.io/acme`"
                        .into(),
                    "\"https://ghcr.io/acme/\"".into()
                ),
                ("8:37: `a b` is not a registry host or repository prefix".into(), "\"a b\"".into()),
            ]
        );
        let config = parse("ignore = { paths = [\"a\"] }\n");
        assert_eq!(
            errors(&config)[0].0,
            "1:10: `ignore` must be an array of tables, found table: write each entry as `[[ignore]]`"
        );
    }

    #[test]
    fn broken_toml_is_reported_at_the_mistake_and_the_rest_still_applies() {
        let config = parse(
            "fail-on = \"low\"\n[rules]\nselect = [\"PRV\" \"IMG01\"]\n[severity]\nIMG001 = \"critical\"\n",
        );
        assert_eq!(
            errors(&config),
            [(
                "3:17: invalid TOML: missing comma between array elements, expected `,`".into(),
                String::new()
            )],
            "the misspelt IMG01 touching the syntax error is not reported on top"
        );
        assert_eq!(config.fail_on, Some(Severity::Low));
        assert!(config.selection.is_enabled(&ROOT_USER));
        assert_eq!(config.severity_for(&LATEST_TAG).map(|o| o.severity), Some(Severity::Critical));
    }

    #[test]
    fn toml_error_cascades_are_cut_to_one_per_line() {
        // An unclosed array swallows the following lines; recovery reports many errors.
        let config =
            parse("fail-on = \"low\"\n[rules]\nselect = [\"PRV\"\nignore = [\"PRV001\"]\nbogus = 1\n");
        let errors = errors(&config);
        assert!(errors.len() >= 2, "{errors:?}");
        assert!(errors.iter().all(|(m, _)| m.contains("invalid TOML")), "no semantic noise: {errors:?}");
        let lines: Vec<_> = config.diagnostics.iter().map(|f| f.location.region.start_line).collect();
        let mut deduped = lines.clone();
        deduped.dedup();
        assert_eq!(lines, deduped, "one error per line");
        assert_eq!(config.fail_on, Some(Severity::Low));
    }

    #[test]
    fn an_unterminated_string_points_at_its_line() {
        let config = parse("fail-on = \"high\n[rules]\nselect = [\"PRV\"]\n");
        let (message, _) = &errors(&config)[0];
        assert!(message.starts_with("1:"), "{message}");
        assert!(message.contains("invalid TOML"), "{message}");
        assert!(config.selection.select().is_some(), "the [rules] table after the broken line still applies");
    }

    #[test]
    fn unreadable_file_yields_one_located_error() {
        let error = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let config = Config::unreadable(Path::new("/repo/shipshape.toml"), "shipshape.toml", &error);
        assert_eq!(config.diagnostics.len(), 1);
        assert_eq!(config.diagnostics[0].location.region.start_line, 1);
        assert!(config.diagnostics[0].message.starts_with("cannot read shipshape.toml: permission denied"));
        assert_eq!(config.dir.as_deref(), Some(Path::new("/repo")));
    }

    #[test]
    fn load_reports_missing_files_with_their_path() {
        let err = Config::load(Path::new("/nonexistent/shipshape.toml"), "x", &rules()).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot read configuration /nonexistent/shipshape.toml: "),
            "{err}"
        );
    }

    #[test]
    fn trusted_registries_match_whole_path_segments() {
        let config = parse(
            "[registries]\ntrusted = [\"registry.example.com\", \"ghcr.io/acme\", \"index.docker.io/library\"]\n",
        );
        assert!(config.is_trusted_registry("registry.example.com/team/app:1.0"));
        assert!(config.is_trusted_registry(
            "ghcr.io/acme/app:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ));
        assert!(config.is_trusted_registry("GHCR.IO/acme/app:latest"));
        assert!(!config.is_trusted_registry("ghcr.io/acmecorp/app"));
        assert!(!config.is_trusted_registry("ghcr.io/other/app"));
        assert!(config.is_trusted_registry("nginx:1.27"));
        assert!(config.is_trusted_registry("docker.io/library/nginx"));
        assert!(!config.is_trusted_registry("someone/nginx"));
        assert!(!config.is_trusted_registry("registry.example.com.evil.io/app"));
        assert!(!parse("").is_trusted_registry("registry.example.com:5000/app"));
        let wildcards = parse(
            "[registries]\ntrusted = [\"*.corp.example\", \"quay.io/team/*\"]\nrequire-digest = true\n",
        );
        assert!(wildcards.diagnostics.is_empty(), "{:?}", wildcards.diagnostics);
        assert!(wildcards.require_digest);
        assert!(wildcards.is_trusted_registry("eu.corp.example/app:1"));
        assert!(!wildcards.is_trusted_registry("corp.example/app:1"));
        assert!(wildcards.is_trusted_registry("quay.io/team/app:1"));
        assert!(!wildcards.is_trusted_registry("quay.io/other/app:1"));
        let bad = parse("[registries]\nrequire-digest = \"yes\"\n");
        assert_eq!(bad.diagnostics.len(), 1);
        assert!(!bad.require_digest);
    }
}
