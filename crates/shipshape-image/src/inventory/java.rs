//! Java archives (`.jar`, `.war`, `.ear`, Jenkins `.hpi`/`.jpi`): every
//! `META-INF/maven/<group>/<artifact>/pom.properties` is a package (`groupId`, `artifactId`,
//! `version`); an archive without one is named by its `META-INF/MANIFEST.MF`
//! (`Implementation-*`, then `Bundle-*`) and file name. Archives inside archives (`WEB-INF/lib`,
//! Spring Boot's `BOOT-INF/lib`, an ear's modules) are read too, to a bounded depth and within
//! a budget of decompressed bytes.

use super::dpkg::stanzas;
use super::zip::Archive;
use super::{InventoryLimits, Malformed, Package, PackageManager};

/// Largest `pom.properties` or `MANIFEST.MF` read.
const MAX_METADATA: u64 = 1024 * 1024;

/// Whether `path` names a Java archive.
pub(crate) fn is_archive(path: &str) -> bool {
    let Some((_, extension)) = path.rsplit_once('.') else { return false };
    ["jar", "war", "ear", "hpi", "jpi"].iter().any(|e| extension.eq_ignore_ascii_case(e))
}

/// The packages in a Java archive, with notes on nested archives that could not be read.
pub(crate) fn packages(
    data: &[u8],
    file_name: &str,
    limits: &InventoryLimits,
) -> Result<(Vec<Package>, Vec<String>), Malformed> {
    let mut scan =
        Scan { limits, budget: limits.max_archive_expansion, packages: Vec::new(), notes: Vec::new() };
    scan.archive(data, file_name, "", 0)?;
    Ok((scan.packages, scan.notes))
}

struct Scan<'l> {
    limits: &'l InventoryLimits,
    /// Decompressed bytes still allowed.
    budget: u64,
    packages: Vec<Package>,
    notes: Vec<String>,
}

impl Scan<'_> {
    fn read(
        &mut self,
        archive: &Archive<'_>,
        entry: &super::zip::Entry,
        limit: u64,
    ) -> Result<Vec<u8>, Malformed> {
        let bytes = archive.read(entry, limit.min(self.budget))?;
        self.budget = self.budget.saturating_sub(bytes.len() as u64);
        Ok(bytes)
    }

    /// Reads one archive; `prefix` is where it sits in the outer archive (`lib/a.jar!/`).
    fn archive(&mut self, data: &[u8], file_name: &str, prefix: &str, depth: usize) -> Result<(), Malformed> {
        let archive = Archive::open(data)?;
        let mut found_pom = false;
        let mut manifest = None;
        let mut nested = Vec::new();
        for entry in &archive.entries {
            let name = entry.name.as_str();
            if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
                let text = self.read(&archive, entry, MAX_METADATA)?;
                if let Some(mut package) = pom_properties(&String::from_utf8_lossy(&text)) {
                    package.inner_path = Some(format!("{prefix}{name}"));
                    self.packages.push(package);
                    found_pom = true;
                }
            } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                manifest = Some(entry);
            } else if is_archive(name) && !name.ends_with('/') {
                nested.push(entry);
            }
        }
        if !found_pom && let Some(entry) = manifest {
            let text = self.read(&archive, entry, MAX_METADATA)?;
            if let Some(mut package) = from_manifest(&String::from_utf8_lossy(&text), file_name) {
                package.inner_path = Some(format!("{prefix}META-INF/MANIFEST.MF"));
                self.packages.push(package);
            }
        }
        for entry in nested {
            let inner = format!("{prefix}{}", entry.name);
            if depth + 1 > self.limits.max_archive_depth {
                self.notes.push(format!(
                    "{inner}: archives nested deeper than {} are not read",
                    self.limits.max_archive_depth
                ));
                continue;
            }
            let bytes = match self.read(&archive, entry, self.limits.max_archive_bytes) {
                Ok(bytes) => bytes,
                Err(error) => {
                    self.notes.push(format!("{inner}: {error}"));
                    continue;
                }
            };
            let file = entry.name.rsplit('/').next().unwrap_or(&entry.name);
            if let Err(error) = self.archive(&bytes, file, &format!("{inner}!/"), depth + 1) {
                self.notes.push(format!("{inner}: {error}"));
            }
        }
        Ok(())
    }
}

/// `groupId`, `artifactId` and `version` of a `pom.properties` (`key=value` or `key: value`).
fn pom_properties(text: &str) -> Option<Package> {
    let mut values = std::collections::HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with(['#', '!']) {
            continue;
        }
        if let Some((key, value)) = line.split_once(['=', ':']) {
            values.entry(key.trim()).or_insert(value.trim());
        }
    }
    let (group, artifact, version) =
        (values.get("groupId")?, values.get("artifactId")?, values.get("version")?);
    if group.is_empty() || artifact.is_empty() || version.is_empty() {
        return None;
    }
    Some(Package::new(PackageManager::Maven, format!("{group}:{artifact}"), *version))
}

/// `commons-lang3-3.12.0.jar` → (`commons-lang3`, `3.12.0`): the version starts at the first
/// `-` followed by a digit.
fn split_file_name(file_name: &str) -> (&str, Option<&str>) {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem);
    let bytes = stem.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        if *byte == b'-' && bytes.get(index + 1).is_some_and(u8::is_ascii_digit) {
            return (stem.get(..index).unwrap_or(stem), stem.get(index + 1..));
        }
    }
    (stem, None)
}

/// A package named by the manifest's main section and the file name.
fn from_manifest(text: &str, file_name: &str) -> Option<Package> {
    let main = stanzas(text, true).into_iter().next()?;
    let (file_artifact, file_version) = split_file_name(file_name);
    let version = main
        .field("implementation-version")
        .or_else(|| main.field("bundle-version"))
        .or(file_version)
        .filter(|v| !v.is_empty())?;
    let artifact = if file_artifact.is_empty() {
        main.field("implementation-title").or_else(|| main.field("bundle-symbolicname"))?
    } else {
        file_artifact
    };
    let name = match main.field("implementation-vendor-id").filter(|g| !g.is_empty()) {
        Some(group) => format!("{group}:{artifact}"),
        None => artifact.to_string(),
    };
    let mut package = Package::new(PackageManager::Maven, name, version);
    package.vendor =
        main.field("implementation-vendor").or_else(|| main.field("bundle-vendor")).map(str::to_string);
    package.license = main.field("bundle-license").map(str::to_string);
    Some(package)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::zip::build;

    fn summary(packages: &[Package]) -> Vec<(&str, &str, &str)> {
        packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.inner_path.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn poms_manifests_and_nested_archives() {
        let log4j = build(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nImplementation-Version: 2.14.1\n", true),
            (
                "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
                b"#Generated by Maven\ngroupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n",
                true,
            ),
        ]);
        let plain = build(&[(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\r\nImplementation-Vendor-Id: com.example\r\nImplementation-Vendor: Example Inc\r\n\r\nName: x\r\nImplementation-Version: 9\r\n",
            false,
        )]);
        let boot = build(&[
            ("BOOT-INF/lib/log4j-core-2.14.1.jar", &log4j, false),
            ("BOOT-INF/lib/plain-lib-1.2.3.jar", &plain, false),
            ("BOOT-INF/lib/broken-1.0.jar", b"not a zip", false),
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nStart-Class: app.Main\n", true),
        ]);
        let (found, notes) = packages(&boot, "app.jar", &InventoryLimits::default()).unwrap();
        assert_eq!(
            summary(&found),
            [
                (
                    "org.apache.logging.log4j:log4j-core",
                    "2.14.1",
                    "BOOT-INF/lib/log4j-core-2.14.1.jar!/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties"
                ),
                ("com.example:plain-lib", "1.2.3", "BOOT-INF/lib/plain-lib-1.2.3.jar!/META-INF/MANIFEST.MF"),
            ]
        );
        assert_eq!(found[1].vendor.as_deref(), Some("Example Inc"));
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("BOOT-INF/lib/broken-1.0.jar: not a ZIP"), "{notes:?}");

        // Depth and budget are bounded.
        let tight = InventoryLimits { max_archive_depth: 0, ..InventoryLimits::default() };
        let (shallow, notes) = packages(&boot, "app.jar", &tight).unwrap();
        assert!(shallow.is_empty());
        assert_eq!(notes.len(), 3);
        let poor = InventoryLimits { max_archive_expansion: 100, ..InventoryLimits::default() };
        let (_, notes) = packages(&boot, "app.jar", &poor).unwrap();
        assert!(notes.iter().any(|n| n.contains("budget")), "{notes:?}");
    }

    #[test]
    fn file_names() {
        assert_eq!(split_file_name("commons-lang3-3.12.0.jar"), ("commons-lang3", Some("3.12.0")));
        assert_eq!(split_file_name("app.jar"), ("app", None));
        assert!(is_archive("/opt/app/App.WAR"));
        assert!(!is_archive("/opt/app/jar"));
    }
}
