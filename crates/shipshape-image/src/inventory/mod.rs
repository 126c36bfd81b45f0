//! What an image runs on and what it installed, found during the one walk over its layers.
//!
//! * The OS, from `os-release` ([`os`]).
//! * OS package databases, captured at fixed paths ([`INVENTORY_PATHS`]): dpkg
//!   (`/var/lib/dpkg/status`, distroless `/var/lib/dpkg/status.d/*`), apk (`/lib/apk/db/installed`,
//!   `/usr/lib/apk/db/installed`) and rpm (`rpmdb.sqlite`, Berkeley DB `Packages`, NDB
//!   `Packages.db`, under `/var/lib/rpm` and `/usr/lib/sysimage/rpm`). Each package records the
//!   layer that last wrote its database and, where the database's history is known (every version
//!   a layer wrote was captured), the layer that introduced it: the earliest layer from which on
//!   every version of the database lists it with the same version.
//! * Language packages anywhere in the image, recognised by path (or, for binaries, by the ELF
//!   magic) as the walk streams each file ([`collect`]): Python `*.dist-info/METADATA` and
//!   `*.egg-info`, Node `node_modules/**/package.json`, Go build information and cargo-auditable
//!   data in ELF binaries, `Cargo.lock`, Java archives (`pom.properties`, `MANIFEST.MF`, nested
//!   archives), Ruby `specifications/*.gemspec`, Composer `vendor/composer/installed.json`, .NET
//!   `*.deps.json`. Only files still in the final view count, with the layer that wrote them.
//!
//! Every package is one [`Package`] with its OSV ecosystem and a package URL ([`purl`]), listed
//! in [`Inventory::packages`] in a stable order, so SBOM writers and vulnerability matching read
//! one list. [`Inventory::sources`] holds, per file, the text findings about its packages point
//! into: the manifest or database itself, or for binary files a listing with one line per package.
//!
//! Hostile input: every length read from a file is checked against the bytes there, reads are
//! capped ([`InventoryLimits`]), and a file that does not parse is a note, never a panic.

mod apk;
mod bytes;
pub(crate) mod collect;
mod dotnet;
mod dpkg;
mod elf;
mod go;
mod java;
mod node;
mod os;
mod php;
pub mod purl;
mod python;
mod rpm;
mod ruby;
mod rust;
mod zip;

use crate::walk::{CapturedFile, FinalFile, Walk};
use std::collections::HashMap;
use std::fmt;

pub(crate) use collect::Collected;
pub(crate) use os::parse_os_release;

/// Paths a walk must capture for [`Inventory`] (see [`crate::WalkOptions::for_inventory`]).
pub const INVENTORY_PATHS: &[&str] = &[
    "/etc/os-release",
    "/usr/lib/os-release",
    "/var/lib/dpkg/status",
    "/var/lib/dpkg/status.d/*",
    "/lib/apk/db/installed",
    "/usr/lib/apk/db/installed",
    "/var/lib/rpm/rpmdb.sqlite",
    "/var/lib/rpm/Packages",
    "/var/lib/rpm/Packages.db",
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    "/usr/lib/sysimage/rpm/Packages",
    "/usr/lib/sysimage/rpm/Packages.db",
];

/// Bounds of the inventory, so a hostile image costs bounded memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryLimits {
    /// Largest text manifest read (`METADATA`, `package.json`, `installed.json`, …): 8 MiB.
    pub max_manifest_bytes: u64,
    /// Largest ELF binary searched for Go and Rust build data (read whole, one at a time): 128 MiB.
    pub max_binary_bytes: u64,
    /// Largest Java archive read (read whole, one at a time): 128 MiB.
    pub max_archive_bytes: u64,
    /// Most bytes decompressed out of one Java archive, nested archives included: 256 MiB.
    pub max_archive_expansion: u64,
    /// How deep archives nest (a jar in a war in an ear): 3.
    pub max_archive_depth: usize,
    /// Most packages recorded; further ones are counted in a note: 200,000.
    pub max_packages: usize,
    /// Most notes kept; further ones are counted: 200.
    pub max_notes: usize,
    /// Most bytes of manifest text kept for findings to point into; past it, files are
    /// represented by a listing: 64 MiB.
    pub max_source_text_bytes: u64,
}

impl Default for InventoryLimits {
    fn default() -> Self {
        Self {
            max_manifest_bytes: 8 * 1024 * 1024,
            max_binary_bytes: 128 * 1024 * 1024,
            max_archive_bytes: 128 * 1024 * 1024,
            max_archive_expansion: 256 * 1024 * 1024,
            max_archive_depth: 3,
            max_packages: 200_000,
            max_notes: 200,
            max_source_text_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The operating system, from `os-release`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OsRelease {
    /// `ID` (`debian`, `alpine`, `ubuntu`, `rhel`).
    pub id: Option<String>,
    /// `ID_LIKE`, split on spaces.
    pub id_like: Vec<String>,
    /// `NAME`.
    pub name: Option<String>,
    /// `VERSION_ID` (`12`, `3.20.3`, `9.4`).
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`).
    pub version_codename: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// The file read (after following links).
    pub path: String,
    /// The layer that wrote it.
    pub layer: usize,
}

/// Where a package was found: an OS package database or a language's package metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PackageManager {
    /// Debian's dpkg (Debian, Ubuntu, distroless).
    Dpkg,
    /// Alpine's apk (Alpine, Wolfi).
    Apk,
    /// rpm (Red Hat, AlmaLinux, Rocky Linux, Fedora, SUSE, Amazon Linux).
    Rpm,
    /// Python distributions (`*.dist-info`, `*.egg-info`).
    Python,
    /// Node packages (`node_modules/**/package.json`).
    Npm,
    /// Go modules, from a Go binary's build information.
    Go,
    /// Rust crates, from cargo-auditable data in a binary or a `Cargo.lock`.
    Cargo,
    /// Java archives (`pom.properties`, `MANIFEST.MF`).
    Maven,
    /// Ruby gems (`specifications/*.gemspec`).
    RubyGems,
    /// PHP Composer packages (`vendor/composer/installed.json`).
    Composer,
    /// .NET packages (`*.deps.json`).
    NuGet,
}

impl PackageManager {
    /// Whether this is an OS package database (dpkg, apk, rpm).
    pub fn is_os(self) -> bool {
        matches!(self, PackageManager::Dpkg | PackageManager::Apk | PackageManager::Rpm)
    }

    /// The OSV ecosystem of a language package manager (`PyPI`, `npm`, `Go`, `crates.io`,
    /// `Maven`, `RubyGems`, `Packagist`, `NuGet`); `None` for OS databases, whose ecosystem
    /// depends on the OS.
    pub fn language_ecosystem(self) -> Option<&'static str> {
        Some(match self {
            PackageManager::Python => "PyPI",
            PackageManager::Npm => "npm",
            PackageManager::Go => "Go",
            PackageManager::Cargo => "crates.io",
            PackageManager::Maven => "Maven",
            PackageManager::RubyGems => "RubyGems",
            PackageManager::Composer => "Packagist",
            PackageManager::NuGet => "NuGet",
            PackageManager::Dpkg | PackageManager::Apk | PackageManager::Rpm => return None,
        })
    }

    /// A lower-case name for people (`dpkg`, `python`, `maven`).
    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Dpkg => "dpkg",
            PackageManager::Apk => "apk",
            PackageManager::Rpm => "rpm",
            PackageManager::Python => "python",
            PackageManager::Npm => "npm",
            PackageManager::Go => "go",
            PackageManager::Cargo => "cargo",
            PackageManager::Maven => "maven",
            PackageManager::RubyGems => "rubygems",
            PackageManager::Composer => "composer",
            PackageManager::NuGet => "nuget",
        }
    }
}

impl fmt::Display for PackageManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An installed package, of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Where it was found.
    pub manager: PackageManager,
    /// Its OSV ecosystem without release (`Debian`, `Alpine`, `AlmaLinux`, `PyPI`, `Maven`);
    /// `None` for OS packages of an OS OSV does not know.
    pub ecosystem: Option<String>,
    /// Its package URL (`pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12`,
    /// `pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1`).
    pub purl: String,
    /// Its name: the binary package (dpkg, apk, rpm), the distribution (PyPI), `@scope/name`
    /// (npm), the module path (Go), `group:artifact` (Maven), `vendor/name` (Composer).
    pub name: String,
    /// Its version as the package manager writes it; rpm: `[epoch:]version-release`.
    pub version: String,
    /// Its architecture, when the database says.
    pub architecture: Option<String>,
    /// The source package (dpkg `Source`, apk origin, rpm source RPM), else the package's name.
    pub source_name: String,
    /// The source version, else the package's version.
    pub source_version: String,
    /// The licence, when given.
    pub license: Option<String>,
    /// The vendor or supplier, when given (rpm `VENDOR`, Maven `Implementation-Vendor`).
    pub vendor: Option<String>,
    /// The file that lists it: a package database, manifest, archive or binary.
    pub db_path: String,
    /// Inside an archive, where: `BOOT-INF/lib/x.jar!/META-INF/maven/g/a/pom.properties`.
    pub inner_path: Option<String>,
    /// The 1-based line of its entry in the text of its [`PackageSource`].
    pub line: usize,
    /// The layer that last wrote that file.
    pub layer: usize,
    /// The layer that introduced the package at this version, when the database's history is
    /// known (OS databases).
    pub introduced_layer: Option<usize>,
}

impl Package {
    /// A package with the fields every parser sets; the rest are filled in when it is placed.
    pub(crate) fn new(
        manager: PackageManager,
        name: impl Into<String>,
        version: impl Into<String>,
    ) -> Package {
        let name = name.into();
        let version = version.into();
        Package {
            manager,
            ecosystem: manager.language_ecosystem().map(str::to_string),
            purl: String::new(),
            source_name: name.clone(),
            source_version: version.clone(),
            name,
            version,
            architecture: None,
            license: None,
            vendor: None,
            db_path: String::new(),
            inner_path: None,
            line: 1,
            layer: 0,
            introduced_layer: None,
        }
    }
}

/// A file packages were found in, with the text findings about them point into: the file's
/// own text for databases and manifests (cut after the last package's line for one-package
/// manifests), a listing with one line per package for binary databases, archives and
/// executables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSource {
    /// Its path in the image.
    pub path: String,
    /// The layer that wrote it.
    pub layer: usize,
    /// Whether `text` is a listing made by the inventory rather than the file's own text.
    pub listing: bool,
    /// The text.
    pub text: String,
}

/// The OS and packages of an image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inventory {
    /// The OS, when an `os-release` file was found.
    pub os: Option<OsRelease>,
    /// Installed packages, ordered by manager, name, architecture, file, place in the file and
    /// version.
    pub packages: Vec<Package>,
    /// The files the packages came from, ordered by path.
    pub sources: Vec<PackageSource>,
    /// What could not be read (truncated files, damaged databases, limits reached), for people.
    pub notes: Vec<String>,
}

impl Inventory {
    /// The source a package came from.
    pub fn source_of(&self, package: &Package) -> Option<&PackageSource> {
        self.sources.iter().find(|s| s.path == package.db_path && s.layer == package.layer)
    }
}

/// A file that does not have the format it should: what is wrong, for a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) String);

impl Malformed {
    pub(crate) fn new(message: impl Into<String>) -> Malformed {
        Malformed(message.into())
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a parser found in one file: packages at their lines, and a listing when the file is
/// not text.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) packages: Vec<Package>,
    /// The listing findings point into; `None` when lines are those of the file itself.
    pub(crate) listing: Option<String>,
}

impl Parsed {
    fn text(packages: Vec<Package>) -> Parsed {
        Parsed { packages, listing: None }
    }

    /// Packages of a binary file, each given a line of a listing (`name version`, and where
    /// inside the file when known).
    pub(crate) fn listed(mut packages: Vec<Package>) -> Parsed {
        let mut listing = String::new();
        for (index, package) in packages.iter_mut().enumerate() {
            package.line = index + 1;
            listing.push_str(&package.name);
            listing.push(' ');
            listing.push_str(&package.version);
            if let Some(arch) = &package.architecture {
                listing.push(' ');
                listing.push_str(arch);
            }
            if let Some(inner) = &package.inner_path {
                listing.push_str(" (");
                listing.push_str(inner);
                listing.push(')');
            }
            listing.push('\n');
        }
        Parsed { packages, listing: Some(listing) }
    }
}

/// Which OS package database format a captured path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Database {
    Dpkg,
    Apk,
    RpmSqlite,
    RpmBerkeley,
    RpmNdb,
}

impl Database {
    fn of(requested: &str) -> Option<Database> {
        Some(if requested == "/var/lib/dpkg/status" || requested.starts_with("/var/lib/dpkg/status.d/") {
            Database::Dpkg
        } else if requested.ends_with("/apk/db/installed") {
            Database::Apk
        } else if requested.ends_with("/rpmdb.sqlite") {
            Database::RpmSqlite
        } else if requested.ends_with("/Packages.db") {
            Database::RpmNdb
        } else if requested.ends_with("/rpm/Packages") {
            Database::RpmBerkeley
        } else {
            return None;
        })
    }

    fn parse(self, data: &[u8]) -> Result<Parsed, Malformed> {
        match self {
            Database::Dpkg => Ok(Parsed::text(dpkg::parse(&String::from_utf8_lossy(data)))),
            Database::Apk => Ok(Parsed::text(apk::parse(&String::from_utf8_lossy(data)))),
            Database::RpmSqlite => rpm::sqlite::packages(data).map(rpm_listing),
            Database::RpmBerkeley => rpm::bdb::packages(data).map(rpm_listing),
            Database::RpmNdb => rpm::ndb::packages(data).map(rpm_listing),
        }
    }
}

/// An rpm database's packages listed by name, whatever order the database keeps them in.
fn rpm_listing(mut packages: Vec<Package>) -> Parsed {
    packages
        .sort_by(|a, b| (&a.name, &a.version, &a.architecture).cmp(&(&b.name, &b.version, &b.architecture)));
    Parsed::listed(packages)
}

/// Builds the inventory from a walk's captured files, the final files read from the view, and
/// the language packages collected during the walk.
pub(crate) fn build(walk: &Walk, files: &[FinalFile], collected: Collected) -> Inventory {
    let mut inventory = Inventory::default();
    let file = |path: &str| files.iter().find(|f| f.requested == path);
    if let Some(release) = file("/etc/os-release").or_else(|| file("/usr/lib/os-release")) {
        inventory.os =
            Some(parse_os_release(&String::from_utf8_lossy(&release.data), &release.path, release.layer));
    }
    // A database may be reached by several requested paths (`/lib/apk/db` linking to
    // `/usr/lib/apk/db`, `/var/lib/rpm` to `/usr/lib/sysimage/rpm`): read each file once.
    let mut seen: Vec<&str> = Vec::new();
    for f in files {
        let Some(database) = Database::of(&f.requested) else { continue };
        if f.requested.ends_with(".md5sums") || seen.contains(&f.path.as_str()) {
            continue;
        }
        seen.push(&f.path);
        if f.truncated {
            inventory.notes.push(format!("{} is larger than the capture limit; read truncated", f.path));
        }
        add_database(&mut inventory, walk, f, database);
    }
    let os = inventory.os.clone();
    inventory.notes.extend(collected.notes);
    inventory.packages.extend(collected.packages);
    inventory.sources.extend(collected.sources);
    for package in &mut inventory.packages {
        place(package, os.as_ref());
    }
    inventory.packages.sort_by(|a, b| {
        (a.manager, &a.name, &a.architecture, &a.db_path, a.line, &a.inner_path, &a.version).cmp(&(
            b.manager,
            &b.name,
            &b.architecture,
            &b.db_path,
            b.line,
            &b.inner_path,
            &b.version,
        ))
    });
    inventory.sources.sort_by(|a, b| (&a.path, a.layer).cmp(&(&b.path, b.layer)));
    inventory
}

/// Fills in what depends on the OS: the ecosystem of OS packages and every package URL.
fn place(package: &mut Package, os: Option<&OsRelease>) {
    if package.manager.is_os() {
        package.ecosystem = os.and_then(|os| os_ecosystem(os, package.manager)).map(str::to_string);
    }
    package.purl = purl::of(package, os);
}

/// The OSV ecosystem (without release) of an OS's packages.
fn os_ecosystem(os: &OsRelease, manager: PackageManager) -> Option<&'static str> {
    Some(match (os.id.as_deref()?, manager) {
        ("debian", PackageManager::Dpkg) => "Debian",
        ("ubuntu", PackageManager::Dpkg) => "Ubuntu",
        ("alpine", PackageManager::Apk) => "Alpine",
        ("wolfi", PackageManager::Apk) => "Wolfi",
        ("chainguard", PackageManager::Apk) => "Chainguard",
        ("almalinux", PackageManager::Rpm) => "AlmaLinux",
        ("rocky", PackageManager::Rpm) => "Rocky Linux",
        ("rhel", PackageManager::Rpm) => "Red Hat",
        ("opensuse-leap", PackageManager::Rpm) => "openSUSE",
        ("sles", PackageManager::Rpm) => "SUSE",
        ("mageia", PackageManager::Rpm) => "Mageia",
        _ => return None,
    })
}

/// Package identity across database versions: name and architecture.
type Key = (String, Option<String>);

fn add_database(inventory: &mut Inventory, walk: &Walk, file: &FinalFile, database: Database) {
    let parsed = match database.parse(&file.data) {
        Ok(parsed) => parsed,
        Err(error) => {
            inventory.notes.push(format!("{}: cannot read the package database: {error}", file.path));
            return;
        }
    };
    // The database as every earlier layer left it, when each version was captured.
    let history: &[CapturedFile] = walk.captured.versions(&file.path);
    let complete = history.last().is_some_and(|v| v.layer == file.layer);
    let older: Vec<(usize, HashMap<Key, String>)> = if complete {
        history
            .iter()
            .filter(|v| v.layer < file.layer)
            .map(|v| {
                let listed = database.parse(&v.data).map(|p| p.packages).unwrap_or_default();
                (v.layer, listed.into_iter().map(|p| ((p.name, p.architecture), p.version)).collect())
            })
            .collect()
    } else {
        Vec::new()
    };
    for mut package in parsed.packages {
        package.db_path = file.path.clone();
        package.layer = file.layer;
        if complete {
            let key = (package.name.clone(), package.architecture.clone());
            let mut introduced = file.layer;
            for (layer, listed) in older.iter().rev() {
                if listed.get(&key) == Some(&package.version) {
                    introduced = *layer;
                } else {
                    break;
                }
            }
            package.introduced_layer = Some(introduced);
        }
        inventory.packages.push(package);
    }
    let (listing, text) = match parsed.listing {
        Some(listing) => (true, listing),
        None => (false, crate::json::lossy_text(&file.data)),
    };
    inventory.sources.push(PackageSource { path: file.path.clone(), layer: file.layer, listing, text });
}

/// A JSON manifest, parsed with spans; a syntax error names its line.
pub(crate) struct JsonText<'t> {
    pub(crate) root: shipshape_yaml::Node,
    text: &'t str,
    lines: shipshape_model::LineIndex,
}

impl<'t> JsonText<'t> {
    pub(crate) fn parse(text: &'t str) -> Result<JsonText<'t>, Malformed> {
        let lines = shipshape_model::LineIndex::new(text);
        let limits = shipshape_yaml::Limits { max_depth: 128, ..shipshape_yaml::Limits::default() };
        let mut stream = shipshape_yaml::parse(text, &limits);
        if let Some(error) = stream.errors.first() {
            let line = lines.line_of(error.span.start) + 1;
            return Err(Malformed::new(format!("invalid JSON at line {line}: {}", error.message)));
        }
        let document = stream.documents.pop().ok_or_else(|| Malformed::new("empty JSON document"))?;
        Ok(JsonText { root: document.root, text, lines })
    }

    /// The 1-based line a node starts on.
    pub(crate) fn line(&self, node: &shipshape_yaml::Node) -> usize {
        let start = node.span.start.min(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        self.lines.line_of(start) as usize + 1
    }

    /// The 1-based line of `key`'s entry in the mapping `node`.
    pub(crate) fn key_line(&self, node: &shipshape_yaml::Node, key: &str) -> Option<usize> {
        node.entry(key).map(|(k, _)| self.line(k))
    }
}

/// A JSON string value (not a number, boolean or null).
pub(crate) fn json_str<'n>(node: &'n shipshape_yaml::Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(crate::json::string).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_by_path() {
        assert_eq!(Database::of("/var/lib/dpkg/status"), Some(Database::Dpkg));
        assert_eq!(Database::of("/var/lib/dpkg/status.d/libc6"), Some(Database::Dpkg));
        assert_eq!(Database::of("/usr/lib/apk/db/installed"), Some(Database::Apk));
        assert_eq!(Database::of("/usr/lib/sysimage/rpm/rpmdb.sqlite"), Some(Database::RpmSqlite));
        assert_eq!(Database::of("/var/lib/rpm/Packages"), Some(Database::RpmBerkeley));
        assert_eq!(Database::of("/var/lib/rpm/Packages.db"), Some(Database::RpmNdb));
        assert_eq!(Database::of("/etc/os-release"), None);
    }

    #[test]
    fn listing_gives_each_package_a_line() {
        let mut a = Package::new(PackageManager::Go, "github.com/a/b", "v1.2.3");
        a.inner_path = Some("dep".into());
        let parsed = Parsed::listed(vec![Package::new(PackageManager::Go, "stdlib", "1.22.1"), a]);
        assert_eq!(parsed.listing.as_deref(), Some("stdlib 1.22.1\ngithub.com/a/b v1.2.3 (dep)\n"));
        assert_eq!(parsed.packages.iter().map(|p| p.line).collect::<Vec<_>>(), [1, 2]);
    }
}
