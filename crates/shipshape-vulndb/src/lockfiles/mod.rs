//! Lockfile and manifest parsers: each gives the packages it pins as `(ecosystem, name,
//! version, line)`, the line being the 1-based line that declares the package.
//!
//! | file | ecosystem | notes |
//! |---|---|---|
//! | `Cargo.lock` | crates.io | packages without `source` (workspace members, paths) skipped |
//! | `package-lock.json`, `npm-shrinkwrap.json` | npm | v1 (`dependencies` tree), v2 and v3 (`packages`); links and local packages skipped |
//! | `yarn.lock` | npm | v1 (its own format) and berry (YAML); workspace, link, file and git resolutions skipped |
//! | `pnpm-lock.yaml` | npm | lockfile versions 5 to 9; peer suffixes removed |
//! | `requirements*.txt` | PyPI | `==`/`===` pins; every other requirement is reported in [`Lockfile::unpinned`] |
//! | `poetry.lock`, `uv.lock` | PyPI | local directory, editable and virtual packages skipped |
//! | `Pipfile.lock` | PyPI | `default` and `develop` |
//! | `go.mod` | Go | `require` (lines and blocks) with `replace` applied; `stdlib` from `toolchain` or `go` |
//! | `Gemfile.lock` | RubyGems | `GEM` and `GIT` specs; platform suffixes removed; `PATH` gems skipped |
//! | `composer.lock` | Packagist | `packages` and `packages-dev` |
//! | `pom.xml` | Maven | explicit versions in dependencies, dependency management and profiles; `${properties}` resolved; ranges and inherited versions skipped |
//!
//! The parsers are tolerant: an entry they cannot use is skipped with a warning naming its line;
//! a file that is malformed as a whole (invalid JSON, TOML or YAML) is an error naming the line.

mod cargo;
mod go;
mod maven;
mod npm;
mod php;
mod pnpm;
mod python;
mod ruby;
mod yarn;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use shipshape_yaml::{Limits, Node};

/// The kinds of files understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockfileKind {
    /// `Cargo.lock`.
    CargoLock,
    /// `package-lock.json` or `npm-shrinkwrap.json`.
    PackageLockJson,
    /// `yarn.lock`, v1 or berry.
    YarnLock,
    /// `pnpm-lock.yaml`.
    PnpmLock,
    /// `requirements.txt` and variants (`requirements-dev.txt`, `requirements/base.txt`).
    RequirementsTxt,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `go.mod`.
    GoMod,
    /// `Gemfile.lock` or `gems.locked`.
    GemfileLock,
    /// `composer.lock`.
    ComposerLock,
    /// `pom.xml` (dependencies with explicit versions).
    PomXml,
}

impl LockfileKind {
    /// Every kind.
    pub const ALL: [LockfileKind; 12] = [
        LockfileKind::CargoLock,
        LockfileKind::PackageLockJson,
        LockfileKind::YarnLock,
        LockfileKind::PnpmLock,
        LockfileKind::RequirementsTxt,
        LockfileKind::PoetryLock,
        LockfileKind::UvLock,
        LockfileKind::PipfileLock,
        LockfileKind::GoMod,
        LockfileKind::GemfileLock,
        LockfileKind::ComposerLock,
        LockfileKind::PomXml,
    ];

    /// The kind a file is, by its path: its name, and for requirements files also a
    /// `requirements/` parent directory.
    pub fn detect(path: &Path) -> Option<LockfileKind> {
        let name = path.file_name()?.to_str()?;
        let kind = match name {
            "Cargo.lock" => LockfileKind::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => LockfileKind::PackageLockJson,
            "yarn.lock" => LockfileKind::YarnLock,
            "pnpm-lock.yaml" => LockfileKind::PnpmLock,
            "poetry.lock" => LockfileKind::PoetryLock,
            "uv.lock" => LockfileKind::UvLock,
            "Pipfile.lock" => LockfileKind::PipfileLock,
            "go.mod" => LockfileKind::GoMod,
            "Gemfile.lock" | "gems.locked" => LockfileKind::GemfileLock,
            "composer.lock" => LockfileKind::ComposerLock,
            "pom.xml" => LockfileKind::PomXml,
            _ => {
                let in_requirements_dir = path
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|p| p.to_str().is_some_and(|p| p.starts_with("requirements")));
                let is_txt = name.ends_with(".txt");
                let named = name.starts_with("requirements") || name.ends_with("requirements.txt");
                if is_txt && (named || in_requirements_dir) {
                    LockfileKind::RequirementsTxt
                } else {
                    return None;
                }
            }
        };
        Some(kind)
    }

    /// The OSV ecosystem of the packages.
    pub fn ecosystem(self) -> &'static str {
        match self {
            LockfileKind::CargoLock => "crates.io",
            LockfileKind::PackageLockJson | LockfileKind::YarnLock | LockfileKind::PnpmLock => "npm",
            LockfileKind::RequirementsTxt
            | LockfileKind::PoetryLock
            | LockfileKind::UvLock
            | LockfileKind::PipfileLock => "PyPI",
            LockfileKind::GoMod => "Go",
            LockfileKind::GemfileLock => "RubyGems",
            LockfileKind::ComposerLock => "Packagist",
            LockfileKind::PomXml => "Maven",
        }
    }

    /// The usual file name.
    pub fn file_name(self) -> &'static str {
        match self {
            LockfileKind::CargoLock => "Cargo.lock",
            LockfileKind::PackageLockJson => "package-lock.json",
            LockfileKind::YarnLock => "yarn.lock",
            LockfileKind::PnpmLock => "pnpm-lock.yaml",
            LockfileKind::RequirementsTxt => "requirements.txt",
            LockfileKind::PoetryLock => "poetry.lock",
            LockfileKind::UvLock => "uv.lock",
            LockfileKind::PipfileLock => "Pipfile.lock",
            LockfileKind::GoMod => "go.mod",
            LockfileKind::GemfileLock => "Gemfile.lock",
            LockfileKind::ComposerLock => "composer.lock",
            LockfileKind::PomXml => "pom.xml",
        }
    }
}

impl fmt::Display for LockfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// A package pinned by a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LockedPackage {
    /// The OSV ecosystem (`npm`, `PyPI`, `crates.io`, ...).
    pub ecosystem: String,
    /// The name as the lockfile writes it.
    pub name: String,
    /// The exact version.
    pub version: String,
    /// The 1-based line declaring it.
    pub line: usize,
}

/// A requirement without an exact version (`requirements.txt` only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpinned {
    /// The package name.
    pub name: String,
    /// The requirement as written, without comments and options.
    pub requirement: String,
    /// The 1-based line.
    pub line: usize,
}

/// Something skipped while parsing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The 1-based line.
    pub line: usize,
    /// What was skipped and why.
    pub message: String,
}

/// The result of parsing one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockfile {
    /// What kind of file it was.
    pub kind: LockfileKind,
    /// The pinned packages, in file order.
    pub packages: Vec<LockedPackage>,
    /// Requirements without an exact version.
    pub unpinned: Vec<Unpinned>,
    /// Entries skipped.
    pub warnings: Vec<Warning>,
}

impl Lockfile {
    fn new(kind: LockfileKind) -> Lockfile {
        Lockfile { kind, packages: Vec::new(), unpinned: Vec::new(), warnings: Vec::new() }
    }

    fn add(&mut self, name: &str, version: &str, line: usize) {
        self.packages.push(LockedPackage {
            ecosystem: self.kind.ecosystem().to_owned(),
            name: name.to_owned(),
            version: version.to_owned(),
            line,
        });
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning { line, message: message.into() });
    }
}

/// A file that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}line {line}: {message}", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
pub struct LockfileError {
    /// The file, when known.
    pub file: Option<PathBuf>,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl LockfileError {
    fn new(line: usize, message: impl Into<String>) -> LockfileError {
        LockfileError { file: None, line, message: message.into() }
    }
}

/// Reads and parses `path`, its kind detected from its name.
pub fn parse_file(path: &Path) -> Result<Lockfile, LockfileError> {
    let with_file = |mut e: LockfileError| {
        e.file = Some(path.to_owned());
        e
    };
    let kind = LockfileKind::detect(path)
        .ok_or_else(|| with_file(LockfileError::new(1, "not a known lockfile or manifest name")))?;
    let bytes = std::fs::read(path).map_err(|e| with_file(LockfileError::new(1, e.to_string())))?;
    let text = String::from_utf8_lossy(&bytes);
    parse_kind(kind, &text).map_err(with_file)
}

/// Parses the text of `path` (not read from disk), its kind detected from its name.
pub fn parse(path: &Path, text: &str) -> Result<Lockfile, LockfileError> {
    let with_file = |mut e: LockfileError| {
        e.file = Some(path.to_owned());
        e
    };
    let kind = LockfileKind::detect(path)
        .ok_or_else(|| with_file(LockfileError::new(1, "not a known lockfile or manifest name")))?;
    parse_kind(kind, text).map_err(with_file)
}

/// Parses `text` as a file of `kind`.
pub fn parse_kind(kind: LockfileKind, text: &str) -> Result<Lockfile, LockfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lock = Lockfile::new(kind);
    match kind {
        LockfileKind::CargoLock => cargo::parse(text, &mut lock)?,
        LockfileKind::PackageLockJson => npm::parse(text, &mut lock)?,
        LockfileKind::YarnLock => yarn::parse(text, &mut lock)?,
        LockfileKind::PnpmLock => pnpm::parse(text, &mut lock)?,
        LockfileKind::RequirementsTxt => python::parse_requirements(text, &mut lock),
        LockfileKind::PoetryLock => python::parse_poetry(text, &mut lock)?,
        LockfileKind::UvLock => python::parse_uv(text, &mut lock)?,
        LockfileKind::PipfileLock => python::parse_pipfile(text, &mut lock)?,
        LockfileKind::GoMod => go::parse(text, &mut lock)?,
        LockfileKind::GemfileLock => ruby::parse(text, &mut lock),
        LockfileKind::ComposerLock => php::parse(text, &mut lock)?,
        LockfileKind::PomXml => maven::parse(text, &mut lock)?,
    }
    Ok(lock)
}

/// Byte offset → 1-based line.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).max(1)
    }

    pub(crate) fn of(&self, node: &Node) -> usize {
        self.line(node.source_span().start as usize)
    }
}

/// Parses YAML or JSON into its first document's root; a syntax error is an error with its
/// line.
pub(crate) fn yaml_root(text: &str, lines: &Lines, what: &str) -> Result<Node, LockfileError> {
    let stream = shipshape_yaml::parse(text, &Limits::default());
    if let Some(error) = stream.errors.first() {
        return Err(LockfileError::new(
            lines.line(error.span.start as usize),
            format!("invalid {what}: {}", error.message),
        ));
    }
    let root = stream.documents.into_iter().next().map(|d| d.root);
    match root {
        Some(root) if root.as_mapping().is_some() => Ok(root),
        Some(root) => Err(LockfileError::new(lines.of(&root), format!("{what} is not a mapping"))),
        None => Err(LockfileError::new(1, format!("empty {what}"))),
    }
}

/// A TOML syntax or shape error, with its line.
pub(crate) fn toml_error(text: &str, error: &toml::de::Error) -> LockfileError {
    let line = error.span().map_or(1, |span| Lines::new(text).line(span.start));
    LockfileError::new(line, format!("invalid TOML: {}", error.message().trim()))
}

/// Splits `name@version`-style text at the first `@` that is not the first character (scoped
/// npm names start with `@`; the version part may hold more `@`s: `npm:real@^1`).
pub(crate) fn split_at_version(text: &str) -> Option<(&str, &str)> {
    let at = text.get(1..)?.find('@')? + 1;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        let cases = [
            ("Cargo.lock", Some(LockfileKind::CargoLock)),
            ("web/package-lock.json", Some(LockfileKind::PackageLockJson)),
            ("npm-shrinkwrap.json", Some(LockfileKind::PackageLockJson)),
            ("requirements.txt", Some(LockfileKind::RequirementsTxt)),
            ("requirements-dev.txt", Some(LockfileKind::RequirementsTxt)),
            ("dev-requirements.txt", Some(LockfileKind::RequirementsTxt)),
            ("requirements/base.txt", Some(LockfileKind::RequirementsTxt)),
            ("notes.txt", None),
            ("gems.locked", Some(LockfileKind::GemfileLock)),
            ("go.sum", None),
        ];
        for (path, kind) in cases {
            assert_eq!(LockfileKind::detect(Path::new(path)), kind, "{path}");
        }
    }

    #[test]
    fn lines_and_versions() {
        let lines = Lines::new("a\nb\n\nc");
        assert_eq!([0, 1, 2, 3, 4, 5, 6].map(|o| lines.line(o)), [1, 1, 2, 2, 3, 4, 4]);
        assert_eq!(split_at_version("@babel/core@7.1.0"), Some(("@babel/core", "7.1.0")));
        assert_eq!(split_at_version("lodash@4.17.21"), Some(("lodash", "4.17.21")));
        assert_eq!(split_at_version("@scope/no-version"), None);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let error =
            parse(Path::new("app/composer.lock"), "{\n  \"packages\": [\n    {,\n  ]\n}").unwrap_err();
        assert_eq!(error.file.as_deref(), Some(Path::new("app/composer.lock")));
        assert_eq!(error.line, 3, "{error}");
        assert!(error.to_string().starts_with("app/composer.lock: line 3: invalid JSON"), "{error}");
    }
}
