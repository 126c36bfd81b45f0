//! What an image runs on and what it installed: the OS from `os-release`, and the packages of
//! the dpkg database (`/var/lib/dpkg/status`, distroless `/var/lib/dpkg/status.d/*`) and the apk
//! database (`/lib/apk/db/installed`, `/usr/lib/apk/db/installed`).
//!
//! Each package records the layer that last wrote its database file and, where the database's
//! history is known (every version a layer wrote was captured during the walk), the layer that
//! introduced the package: the earliest layer from which on every version of the database lists
//! it with the same version.
//!
//! rpm databases (Berkeley DB, NDB, SQLite) are not read yet; their presence is noted.

use crate::walk::{CapturedFile, FinalFile, Walk};
use std::collections::HashMap;

/// Paths a walk must capture for [`Inventory`] (see [`crate::WalkOptions::for_inventory`]).
pub const INVENTORY_PATHS: &[&str] = &[
    "/etc/os-release",
    "/usr/lib/os-release",
    "/var/lib/dpkg/status",
    "/var/lib/dpkg/status.d/*",
    "/lib/apk/db/installed",
    "/usr/lib/apk/db/installed",
];

/// rpm databases, noted when present.
const RPM_PATHS: &[&str] = &[
    "/var/lib/rpm/Packages",
    "/var/lib/rpm/Packages.db",
    "/var/lib/rpm/rpmdb.sqlite",
    "/usr/lib/sysimage/rpm/Packages.db",
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
];

/// The operating system, from `os-release`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OsRelease {
    /// `ID` (`debian`, `alpine`, `ubuntu`).
    pub id: Option<String>,
    /// `ID_LIKE`, split on spaces.
    pub id_like: Vec<String>,
    /// `NAME`.
    pub name: Option<String>,
    /// `VERSION_ID` (`12`, `3.20.3`).
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

/// Which package database listed a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PackageManager {
    /// Debian's dpkg (Debian, Ubuntu, distroless).
    Dpkg,
    /// Alpine's apk.
    Apk,
}

/// An installed package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The database it came from.
    pub manager: PackageManager,
    /// `Package` / `P`.
    pub name: String,
    /// `Version` / `V` (with epoch, as written).
    pub version: String,
    /// `Architecture` / `A`.
    pub architecture: Option<String>,
    /// The source package (`Source` / `o`), else the package's own name.
    pub source_name: String,
    /// The source version (`Source: foo (1.2-3)`), else the package's version.
    pub source_version: String,
    /// `L` (apk) license.
    pub license: Option<String>,
    /// The database file that lists it.
    pub db_path: String,
    /// The layer that last wrote that file.
    pub layer: usize,
    /// The layer that introduced the package at this version, when the database's history is
    /// known.
    pub introduced_layer: Option<usize>,
}

/// The OS and packages of an image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inventory {
    /// The OS, when an `os-release` file was found.
    pub os: Option<OsRelease>,
    /// Installed packages, ordered by manager, name and architecture.
    pub packages: Vec<Package>,
    /// What could not be read (rpm databases, truncated files), for people.
    pub notes: Vec<String>,
}

/// Builds the inventory from a walk's captured files and the final files read from the view.
pub(crate) fn build(walk: &Walk, files: &[FinalFile]) -> Inventory {
    let mut inventory = Inventory::default();
    let file = |path: &str| files.iter().find(|f| f.requested == path);
    if let Some(release) = file("/etc/os-release").or_else(|| file("/usr/lib/os-release")) {
        inventory.os =
            Some(parse_os_release(&String::from_utf8_lossy(&release.data), &release.path, release.layer));
    }
    for f in files {
        if f.truncated && !f.requested.ends_with("os-release") {
            inventory.notes.push(format!("{} is larger than the capture limit; read truncated", f.path));
        }
    }
    if let Some(status) = file("/var/lib/dpkg/status") {
        add_database(&mut inventory, walk, status, PackageManager::Dpkg);
    }
    for f in files.iter().filter(|f| f.requested.starts_with("/var/lib/dpkg/status.d/")) {
        if f.requested.ends_with(".md5sums") {
            continue;
        }
        add_database(&mut inventory, walk, f, PackageManager::Dpkg);
    }
    // `/lib/apk/db` is often a link to `/usr/lib/apk/db`: read the database once.
    let apk = file("/lib/apk/db/installed");
    if let Some(db) = apk {
        add_database(&mut inventory, walk, db, PackageManager::Apk);
    }
    if let Some(db) = file("/usr/lib/apk/db/installed").filter(|f| apk.is_none_or(|a| a.path != f.path)) {
        add_database(&mut inventory, walk, db, PackageManager::Apk);
    }
    for rpm in RPM_PATHS {
        if walk.filesystem.resolve(rpm).is_some() {
            inventory
                .notes
                .push(format!("rpm database {rpm} found but not read: rpm packages are not inventoried yet"));
        }
    }
    inventory.packages.sort_by(|a, b| {
        (a.manager, &a.name, &a.architecture, &a.db_path).cmp(&(
            b.manager,
            &b.name,
            &b.architecture,
            &b.db_path,
        ))
    });
    inventory
}

/// Package identity across database versions: name and architecture.
type Key = (String, Option<String>);

fn add_database(inventory: &mut Inventory, walk: &Walk, file: &FinalFile, manager: PackageManager) {
    let text = String::from_utf8_lossy(&file.data);
    let parse = |text: &str| match manager {
        PackageManager::Dpkg => parse_dpkg(text),
        PackageManager::Apk => parse_apk(text),
    };
    let packages = parse(&text);
    // The database as every earlier layer left it, when each version was captured.
    let history: &[CapturedFile] = walk.captured.versions(&file.path);
    let complete = history.last().is_some_and(|v| v.layer == file.layer);
    let older: Vec<(usize, HashMap<Key, String>)> = if complete {
        history
            .iter()
            .filter(|v| v.layer < file.layer)
            .map(|v| {
                let parsed = parse(&String::from_utf8_lossy(&v.data));
                (v.layer, parsed.into_iter().map(|p| ((p.name, p.architecture), p.version)).collect())
            })
            .collect()
    } else {
        Vec::new()
    };
    for mut package in packages {
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
}

/// `KEY=value` lines; values may be quoted (`"..."` with `\` escapes, or `'...'`).
pub(crate) fn parse_os_release(text: &str, path: &str, layer: usize) -> OsRelease {
    let mut release = OsRelease { path: path.to_string(), layer, ..OsRelease::default() };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else { continue };
        let value = unquote(raw.trim());
        let slot = match key.trim() {
            "ID" => &mut release.id,
            "NAME" => &mut release.name,
            "VERSION_ID" => &mut release.version_id,
            "VERSION_CODENAME" => &mut release.version_codename,
            "PRETTY_NAME" => &mut release.pretty_name,
            "ID_LIKE" => {
                release.id_like = value.split_whitespace().map(str::to_string).collect();
                continue;
            }
            _ => continue,
        };
        *slot = Some(value);
    }
    release
}

fn unquote(raw: &str) -> String {
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some(next @ ('"' | '\\' | '$' | '`')) => out.push(next),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.to_string();
    }
    raw.to_string()
}

/// Stanzas of a deb822-style file: fields (lower-cased names) with continuation lines joined.
fn stanzas(text: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            current.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Installed packages of a dpkg `status` file (or one distroless `status.d` file).
pub(crate) fn parse_dpkg(text: &str) -> Vec<Package> {
    let mut packages = Vec::new();
    for stanza in stanzas(text) {
        let field = |name: &str| stanza.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let (Some(name), Some(version)) = (field("package"), field("version")) else { continue };
        if let Some(status) = field("status")
            && status.split_whitespace().nth(2) != Some("installed")
        {
            continue;
        }
        let (source_name, source_version) = match field("source") {
            Some(source) => match source.split_once('(') {
                Some((n, v)) => (n.trim().to_string(), v.trim_end_matches(')').trim().to_string()),
                None => (source.trim().to_string(), version.to_string()),
            },
            None => (name.to_string(), version.to_string()),
        };
        packages.push(Package {
            manager: PackageManager::Dpkg,
            name: name.to_string(),
            version: version.to_string(),
            architecture: field("architecture").map(str::to_string),
            source_name,
            source_version,
            license: None,
            db_path: String::new(),
            layer: 0,
            introduced_layer: None,
        });
    }
    packages
}

/// Packages of an apk `installed` database (`P:`, `V:`, `A:`, `o:`, `L:` lines).
pub(crate) fn parse_apk(text: &str) -> Vec<Package> {
    let mut packages = Vec::new();
    let mut fields: HashMap<char, String> = HashMap::new();
    let mut flush = |fields: &mut HashMap<char, String>| {
        if let (Some(name), Some(version)) = (fields.get(&'P'), fields.get(&'V')) {
            packages.push(Package {
                manager: PackageManager::Apk,
                name: name.clone(),
                version: version.clone(),
                architecture: fields.get(&'A').cloned(),
                source_name: fields.get(&'o').cloned().unwrap_or_else(|| name.clone()),
                source_version: version.clone(),
                license: fields.get(&'L').cloned(),
                db_path: String::new(),
                layer: 0,
                introduced_layer: None,
            });
        }
        fields.clear();
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut fields);
            continue;
        }
        let mut chars = line.chars();
        if let (Some(key), Some(':')) = (chars.next(), chars.next())
            && matches!(key, 'P' | 'V' | 'A' | 'o' | 'L')
        {
            fields.entry(key).or_insert_with(|| chars.as_str().trim().to_string());
        }
    }
    flush(&mut fields);
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n\
                    VERSION_CODENAME=bookworm\nID=debian\n# comment\nID_LIKE='rhel fedora'\nBAD LINE\n";
        let r = parse_os_release(text, "/usr/lib/os-release", 0);
        assert_eq!(r.id.as_deref(), Some("debian"));
        assert_eq!(r.version_id.as_deref(), Some("12"));
        assert_eq!(r.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(r.pretty_name.as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
        assert_eq!(r.id_like, ["rhel", "fedora"]);
        assert_eq!(unquote(r#""a \"b\" \$c \n""#), "a \"b\" $c \\n");
    }

    #[test]
    fn dpkg_status() {
        let text = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc (2.36-9+deb12u4)\n\
                    Version: 2.36-9+deb12u7\nDescription: GNU C Library\n continued line\n\n\
                    Package: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\n\
                    Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n\
                    Package: zlib1g\nStatus: install ok installed\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";
        let packages = parse_dpkg(text);
        let summary: Vec<_> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.source_name.as_str(), p.source_version.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("libc6", "2.36-9+deb12u7", "glibc", "2.36-9+deb12u4"),
                ("bash", "5.2.15-2+b2", "bash", "5.2.15-2+b2"),
                ("zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1"),
            ]
        );
        // Distroless status.d files have no Status field.
        assert_eq!(parse_dpkg("Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n").len(), 1);
    }

    #[test]
    fn apk_installed() {
        let text = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:100\nL:MIT\no:musl\nF:lib\nR:libc.musl-x86_64.so.1\n\n\
                    P:ssl_client\nV:3.3.1-r0\nA:x86_64\nL:MIT AND Apache-2.0\no:openssl\n";
        let packages = parse_apk(text);
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[1].source_name, "openssl");
        assert_eq!(packages[1].license.as_deref(), Some("MIT AND Apache-2.0"));
        assert_eq!(packages[0].architecture.as_deref(), Some("x86_64"));
    }
}
