//! What a scan found installed or pinned: the components of a software bill of materials.
//!
//! Front ends that read package databases (image inventories) and lockfiles report each package
//! as a [`Component`]; SBOM renderers (CycloneDX, SPDX) list them under the scan's [`Subject`].

use serde::Serialize;

/// What kind of thing a component is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// The operating system of an image (from `os-release`).
    OperatingSystem,
    /// A package: an OS package, a language library.
    Library,
    /// A program with its own build (a Go or Rust binary).
    Application,
}

/// One installed or pinned package.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Component {
    pub kind: ComponentKind,
    /// The name as installed or pinned (`openssl`, `org.slf4j:slf4j-api`, `@babel/core`).
    pub name: String,
    pub version: String,
    /// The OSV ecosystem (`Debian:12`, `npm`, `Maven`), when known.
    pub ecosystem: Option<String>,
    /// The package URL with version and qualifiers (`pkg:deb/debian/openssl@3.0.11-1?arch=amd64`).
    pub purl: Option<String>,
    /// Declared licences as written by the package (not necessarily SPDX ids).
    pub licenses: Vec<String>,
    /// The source package, when it differs from the name (dpkg `Source:`, apk origin).
    pub source_name: Option<String>,
    /// The file that lists it (a lockfile, a package database, a `METADATA` file).
    pub path: String,
    /// The image layer that introduced it, for images.
    pub layer: Option<String>,
}

/// What an SBOM describes: an image, or a directory of source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// The image reference or archive path, or the scanned directory.
    pub name: String,
    pub kind: SubjectKind,
    /// The image's config digest (`sha256:…`), for images.
    pub digest: Option<String>,
}

/// See [`Subject`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    Container,
    Source,
}

/// A package URL without its version, qualifiers and subpath, with a percent-encoded `@` in the
/// namespace decoded and in lower case: what two spellings of one package have in common.
pub fn purl_base(purl: &str) -> String {
    let without_subpath = purl.split(['?', '#']).next().unwrap_or(purl);
    // The version starts at the last `@` after the type (an npm scope is `%40`-encoded).
    let end = without_subpath.rfind('@').filter(|&at| at > "pkg:".len()).unwrap_or(without_subpath.len());
    without_subpath[..end].replace("%40", "@").to_ascii_lowercase()
}

/// A package URL without its qualifiers and subpath (`pkg:deb/debian/curl@7.88.1-10?arch=amd64`
/// → `pkg:deb/debian/curl@7.88.1-10`), for matching a finding's package to a component.
pub fn purl_without_qualifiers(purl: &str) -> &str {
    purl.split(['?', '#']).next().unwrap_or(purl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_parts() {
        assert_eq!(purl_base("pkg:npm/%40babel/core@7.1.0"), "pkg:npm/@babel/core");
        assert_eq!(purl_base("pkg:deb/debian/curl@7.88.1-10?arch=amd64"), "pkg:deb/debian/curl");
        assert_eq!(purl_base("pkg:pypi/Requests"), "pkg:pypi/requests");
        assert_eq!(
            purl_without_qualifiers("pkg:deb/debian/curl@7.88.1-10?arch=amd64"),
            "pkg:deb/debian/curl@7.88.1-10"
        );
    }
}
