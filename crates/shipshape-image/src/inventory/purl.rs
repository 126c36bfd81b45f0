//! Package URLs (`pkg:type/namespace/name@version?qualifiers#subpath`) as the purl
//! specification writes them: each namespace segment, the name, the version and every
//! qualifier value percent-encoded (everything but `A-Z a-z 0-9 . - _ ~` and `:`), qualifiers
//! sorted by key, empty ones left out, and each type's own normalisation (PyPI names lower case
//! with `_` as `-`, Composer and deb/apk names lower case).

use super::{OsRelease, Package, PackageManager};
use std::fmt::Write;

/// Percent-encodes one purl component.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A package URL from its parts; `namespace` may hold several `/`-separated segments.
pub fn build(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut out = format!("pkg:{kind}/");
    if let Some(namespace) = namespace.filter(|n| !n.is_empty()) {
        for segment in namespace.split('/').filter(|s| !s.is_empty()) {
            out.push_str(&encode(segment));
            out.push('/');
        }
    }
    out.push_str(&encode(name));
    if let Some(version) = version.filter(|v| !v.is_empty()) {
        out.push('@');
        out.push_str(&encode(version));
    }
    let mut qualifiers: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    qualifiers.sort_by_key(|(k, _)| *k);
    for (index, (key, value)) in qualifiers.into_iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// The distribution qualifier: `debian-12`, `alpine-3.20.3`, `rhel-9.4`.
fn distro(os: Option<&OsRelease>) -> String {
    match os.and_then(|os| Some((os.id.as_deref()?, os.version_id.as_deref()))) {
        Some((id, Some(version))) => format!("{id}-{version}"),
        Some((id, None)) => id.to_string(),
        None => String::new(),
    }
}

/// The package URL of an inventory package.
pub(crate) fn of(package: &Package, os: Option<&OsRelease>) -> String {
    let name = package.name.as_str();
    let version = Some(package.version.as_str());
    let arch = package.architecture.as_deref().unwrap_or("");
    match package.manager {
        PackageManager::Dpkg | PackageManager::Apk => {
            let kind = if package.manager == PackageManager::Dpkg { "deb" } else { "apk" };
            let namespace = os.and_then(|o| o.id.clone()).unwrap_or_else(|| {
                (if package.manager == PackageManager::Dpkg { "debian" } else { "alpine" }).to_string()
            });
            build(
                kind,
                Some(&namespace),
                &name.to_ascii_lowercase(),
                version,
                &[("arch", arch), ("distro", &distro(os))],
            )
        }
        PackageManager::Rpm => {
            // purl's rpm version is `version-release`; the epoch is a qualifier.
            let (epoch, rest) = match package.version.split_once(':') {
                Some((epoch, rest)) if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) => {
                    (epoch, rest)
                }
                _ => ("", package.version.as_str()),
            };
            let namespace = rpm_namespace(os, package.vendor.as_deref());
            build(
                "rpm",
                Some(&namespace),
                name,
                Some(rest),
                &[("arch", arch), ("distro", &distro(os)), ("epoch", epoch)],
            )
        }
        PackageManager::Python => build("pypi", None, &pypi_name(name), version, &[]),
        PackageManager::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, bare)) => build("npm", Some(&format!("@{scope}")), bare, version, &[]),
            None => build("npm", None, name, version, &[]),
        },
        PackageManager::Go => match name.rsplit_once('/') {
            Some((namespace, bare)) => build("golang", Some(namespace), bare, version, &[]),
            None => build("golang", None, name, version, &[]),
        },
        PackageManager::Cargo => build("cargo", None, name, version, &[]),
        PackageManager::Maven => match name.split_once(':') {
            Some((group, artifact)) => build("maven", Some(group), artifact, version, &[]),
            None => build("maven", None, name, version, &[]),
        },
        PackageManager::RubyGems => build("gem", None, name, version, &[]),
        PackageManager::Composer => {
            let lower = name.to_ascii_lowercase();
            match lower.split_once('/') {
                Some((vendor, bare)) => build("composer", Some(vendor), bare, version, &[]),
                None => build("composer", None, &lower, version, &[]),
            }
        }
        PackageManager::NuGet => build("nuget", None, name, version, &[]),
    }
}

/// The purl spec's PyPI name: lower case, `_` written `-`.
fn pypi_name(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

/// The rpm namespace: the distribution (`redhat` for RHEL), else the vendor's first word.
fn rpm_namespace(os: Option<&OsRelease>, vendor: Option<&str>) -> String {
    if let Some(id) = os.and_then(|o| o.id.as_deref()) {
        return match id {
            "rhel" => "redhat".to_string(),
            "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => "opensuse".to_string(),
            "sles" => "suse".to_string(),
            other => other.to_string(),
        };
    }
    vendor
        .and_then(|v| v.split_whitespace().next())
        .map(|v| v.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "rpm".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, version: &str) -> OsRelease {
        OsRelease { id: Some(id.into()), version_id: Some(version.into()), ..OsRelease::default() }
    }

    fn package(manager: PackageManager, name: &str, version: &str, arch: Option<&str>) -> Package {
        let mut p = Package::new(manager, name, version);
        p.architecture = arch.map(str::to_string);
        p
    }

    #[test]
    fn package_urls_per_type() {
        let debian = os("debian", "12");
        let cases = [
            (
                package(PackageManager::Dpkg, "libc6", "2.36-9+deb12u7", Some("amd64")),
                Some(&debian),
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12",
            ),
            (
                package(PackageManager::Apk, "musl", "1.2.5-r0", Some("x86_64")),
                Some(&os("alpine", "3.20.3")),
                "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3",
            ),
            (
                package(PackageManager::Rpm, "openssl-libs", "1:3.0.7-27.el9", Some("x86_64")),
                Some(&os("rhel", "9.4")),
                "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1",
            ),
            (
                package(PackageManager::Rpm, "bash", "5.1.8-9.el9", Some("x86_64")),
                Some(&os("almalinux", "9.4")),
                "pkg:rpm/almalinux/bash@5.1.8-9.el9?arch=x86_64&distro=almalinux-9.4",
            ),
            (
                package(PackageManager::Python, "Typing_Extensions", "4.12.2", None),
                None,
                "pkg:pypi/typing-extensions@4.12.2",
            ),
            (
                package(PackageManager::Npm, "@babel/core", "7.24.0", None),
                None,
                "pkg:npm/%40babel/core@7.24.0",
            ),
            (package(PackageManager::Npm, "lodash", "4.17.21", None), None, "pkg:npm/lodash@4.17.21"),
            (
                package(PackageManager::Go, "github.com/gin-gonic/gin", "v1.9.1", None),
                None,
                "pkg:golang/github.com/gin-gonic/gin@v1.9.1",
            ),
            (package(PackageManager::Go, "stdlib", "1.22.1", None), None, "pkg:golang/stdlib@1.22.1"),
            (package(PackageManager::Cargo, "serde", "1.0.200", None), None, "pkg:cargo/serde@1.0.200"),
            (
                package(PackageManager::Maven, "org.apache.logging.log4j:log4j-core", "2.14.1", None),
                None,
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            ),
            (package(PackageManager::RubyGems, "rack", "3.0.8", None), None, "pkg:gem/rack@3.0.8"),
            (
                package(PackageManager::Composer, "Monolog/Monolog", "3.5.0", None),
                None,
                "pkg:composer/monolog/monolog@3.5.0",
            ),
            (
                package(PackageManager::NuGet, "Newtonsoft.Json", "13.0.1", None),
                None,
                "pkg:nuget/Newtonsoft.Json@13.0.1",
            ),
        ];
        for (package, os, expected) in cases {
            assert_eq!(of(&package, os), expected);
        }
    }

    #[test]
    fn encoding() {
        assert_eq!(encode("a b/c@d?e#f+g%"), "a%20b%2Fc%40d%3Fe%23f%2Bg%25");
        assert_eq!(encode("1:2.0~rc1"), "1:2.0~rc1");
        assert_eq!(encode("ü"), "%C3%BC");
        assert_eq!(
            build("generic", Some("/a//b/"), "n", None, &[("z", "1"), ("a", ""), ("b", "x y")]),
            "pkg:generic/a/b/n?b=x%20y&z=1"
        );
    }
}
