//! Lockfiles and manifests that pin packages (`Cargo.lock`, `package-lock.json`, `yarn.lock`,
//! `pnpm-lock.yaml`, `requirements*.txt`, `poetry.lock`, `uv.lock`, `Pipfile.lock`, `go.mod`,
//! `Gemfile.lock`, `composer.lock`, `pom.xml`), and the files of images that list installed packages (OS
//! package databases, language manifests, archives, binaries): their packages matched against
//! the vulnerability database.
//!
//! A lockfile that cannot be parsed is a `parse-error` finding at the line the parser names.
//! Without a database, nothing is matched (the scan prints one notice).

use std::path::Path;

use shipshape_model::general::PARSE_ERROR;
use shipshape_model::{Component, ComponentKind, Finding, Origin, SourceFile};
use shipshape_vulndb::lockfiles::{self, LockfileKind};
use shipshape_vulndb::{LockedPackage, Lockfile};

use super::{Frontend, FrontendContext, FrontendOutput};
use crate::vuln::{Candidate, line_span, match_candidates};

/// Lockfiles, claimed by name; image package databases, handed over by the image audit.
pub struct LockfileFrontend;

/// The packages one file of an image lists (an OS package database, a language manifest, an
/// archive, a binary), and the ecosystems they are matched in.
#[derive(Debug, Clone, Default)]
pub struct OsPackages {
    /// The OSV ecosystem: for OS packages with the release (`Debian:12`, `Alpine:v3.19`), then
    /// other spellings of the same release (`Ubuntu:22.04` for `Ubuntu:22.04:LTS`); for language
    /// packages the language's (`PyPI`, `npm`). Empty: the release is unknown and nothing is
    /// matched.
    pub ecosystems: Vec<String>,
    /// The packages.
    pub packages: Vec<OsPackage>,
}

/// One installed package.
#[derive(Debug, Clone)]
pub struct OsPackage {
    /// The package as installed.
    pub name: String,
    /// Its version as installed.
    pub version: String,
    /// The name the ecosystem's records use: the source package of dpkg and apk packages,
    /// else the package's name.
    pub source_name: String,
    /// The version looked up with it.
    pub source_version: String,
    /// The 1-based line of the package's stanza in the document.
    pub line: usize,
    /// The layer that introduced (or last wrote) the package.
    pub layer: String,
    /// Its package URL (with version and qualifiers), for VEX statements and SBOMs.
    pub purl: String,
    /// Its licence as the package declares it.
    pub license: Option<String>,
}

/// The package URL type of an OSV ecosystem.
fn purl_type(ecosystem: &str) -> Option<&'static str> {
    Some(match ecosystem {
        "crates.io" => "cargo",
        "npm" => "npm",
        "PyPI" => "pypi",
        "Go" => "golang",
        "RubyGems" => "gem",
        "Packagist" => "composer",
        "Maven" => "maven",
        "NuGet" => "nuget",
        _ => return None,
    })
}

/// A package name as a package URL writes it: Maven's `group:artifact` as `group/artifact`,
/// npm's `@scope` with its `@` percent-encoded.
fn purl_name(name: &str) -> String {
    match name.strip_prefix('@') {
        Some(scoped) => format!("%40{scoped}"),
        None => name.replace(':', "/"),
    }
}

fn lockfile_candidates(source: &SourceFile, lock: &Lockfile) -> Vec<Candidate> {
    lock.packages
        .iter()
        .map(|package: &LockedPackage| Candidate {
            lookup: package.clone(),
            also: Vec::new(),
            name: package.name.clone(),
            version: package.version.clone(),
            origin: Origin::new(source.path.clone(), line_span(&source.text, package.line)),
            layer: None,
            purl: purl_type(&package.ecosystem)
                .map(|t| format!("pkg:{t}/{}@{}", purl_name(&package.name), package.version)),
        })
        .collect()
}

fn os_candidates(source: &SourceFile, os: &OsPackages) -> Vec<Candidate> {
    let Some((first, rest)) = os.ecosystems.split_first() else { return Vec::new() };
    os.packages
        .iter()
        .map(|package| Candidate {
            lookup: LockedPackage {
                ecosystem: first.clone(),
                name: package.source_name.clone(),
                version: package.source_version.clone(),
                line: package.line,
            },
            also: rest.to_vec(),
            name: package.name.clone(),
            version: package.version.clone(),
            origin: Origin::new(source.path.clone(), line_span(&source.text, package.line)),
            layer: Some(package.layer.clone()),
            purl: Some(package.purl.clone()),
        })
        .collect()
}

/// The SBOM component of a package a lockfile pins.
fn lockfile_component(source: &SourceFile, candidate: &Candidate) -> Component {
    Component {
        kind: ComponentKind::Library,
        name: candidate.name.clone(),
        version: candidate.version.clone(),
        ecosystem: Some(candidate.lookup.ecosystem.clone()),
        purl: candidate.purl.clone(),
        licenses: Vec::new(),
        source_name: None,
        path: source.path.to_string(),
        layer: None,
    }
}

/// The SBOM components of an image's package listing, matched or not.
fn installed_components(source: &SourceFile, os: &OsPackages) -> Vec<Component> {
    os.packages
        .iter()
        .map(|package| Component {
            kind: ComponentKind::Library,
            name: package.name.clone(),
            version: package.version.clone(),
            ecosystem: os.ecosystems.first().cloned(),
            purl: Some(package.purl.clone()),
            licenses: package.license.iter().cloned().collect(),
            source_name: (package.source_name != package.name).then(|| package.source_name.clone()),
            path: source.path.to_string(),
            layer: Some(package.layer.clone()),
        })
        .collect()
}

impl Frontend for LockfileFrontend {
    fn kind(&self) -> &'static str {
        "lockfile"
    }

    fn claims(&self, file_name: &str) -> bool {
        LockfileKind::detect(Path::new(file_name)).is_some()
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let mut output = FrontendOutput::default();
        let candidates = match context.os_packages {
            Some(os) => os_candidates(source, os),
            None => match lockfiles::parse(Path::new(&*source.path), &source.text) {
                Ok(lock) => lockfile_candidates(source, &lock),
                Err(error) => {
                    output.parse_errors += 1;
                    let origin = Origin::new(source.path.clone(), line_span(&source.text, error.line.max(1)));
                    output.findings.push(Finding::new(&PARSE_ERROR, &origin, error.message.clone()));
                    return output;
                }
            },
        };
        output.components = match context.os_packages {
            Some(os) => installed_components(source, os),
            None => candidates.iter().map(|candidate| lockfile_component(source, candidate)).collect(),
        };
        if candidates.is_empty() {
            return output;
        }
        let Some(shared) = context.vuln else { return output };
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        if !checker.enabled(&shipshape_rules::VULNERABLE_PACKAGE) {
            return output;
        }
        let Some(db) = shared.get() else { return output };
        let vulnerable = match_candidates(shared, db, &candidates);
        shipshape_rules::checkers::check_vulnerabilities(&vulnerable, &mut checker);
        output.findings.extend(checker.into_findings());
        output
    }
}
