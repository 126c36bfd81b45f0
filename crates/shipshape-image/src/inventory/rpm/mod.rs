//! rpm databases: SQLite (`rpmdb.sqlite`, rpm ≥ 4.16), Berkeley DB hash (`Packages`, older
//! releases, read here without any Berkeley DB library) and NDB (`Packages.db`, SUSE). Each
//! holds one header blob per installed package; [`header`] reads the tags the inventory needs.
//!
//! `gpg-pubkey` entries (imported signing keys, not packages) are left out.

pub(crate) mod bdb;
pub(crate) mod header;
pub(crate) mod ndb;
pub(crate) mod sqlite;

use super::{Malformed, Package, PackageManager};

/// Most packages one database may list (a full distribution has ~60,000 binary packages).
const MAX_PACKAGES: usize = 500_000;

/// Turns a header blob into a package; `None` for `gpg-pubkey` pseudo-packages.
pub(crate) fn package_of(blob: &[u8]) -> Result<Option<Package>, Malformed> {
    let header = header::Header::parse(blob)?;
    let name = header.string(header::NAME)?.ok_or_else(|| Malformed::new("a header without NAME"))?;
    if name == "gpg-pubkey" {
        return Ok(None);
    }
    let version = header.string(header::VERSION)?.unwrap_or_default();
    let release = header.string(header::RELEASE)?;
    let epoch = header.int32(header::EPOCH)?;
    let mut evr = String::new();
    if let Some(epoch) = epoch {
        evr.push_str(&format!("{epoch}:"));
    }
    evr.push_str(&version);
    if let Some(release) = &release {
        evr.push('-');
        evr.push_str(release);
    }
    let mut package = Package::new(PackageManager::Rpm, name, evr);
    package.architecture = header.string(header::ARCH)?;
    package.license = header.string(header::LICENSE)?;
    package.vendor = header.string(header::VENDOR)?;
    if let Some(source) = header.string(header::SOURCERPM)?
        && let Some((name, version, release)) = split_source_rpm(&source)
    {
        package.source_name = name.to_string();
        package.source_version = match epoch {
            Some(epoch) => format!("{epoch}:{version}-{release}"),
            None => format!("{version}-{release}"),
        };
    }
    Ok(Some(package))
}

/// `openssl-3.0.7-27.el9.src.rpm` → (`openssl`, `3.0.7`, `27.el9`).
fn split_source_rpm(file: &str) -> Option<(&str, &str, &str)> {
    let stem = file.strip_suffix(".src.rpm").or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty()).then_some((name, version, release))
}

/// Collects the packages of header blobs, bounded.
pub(crate) fn collect<'a>(
    blobs: impl IntoIterator<Item = Result<std::borrow::Cow<'a, [u8]>, Malformed>>,
) -> Result<Vec<Package>, Malformed> {
    let mut packages = Vec::new();
    for (index, blob) in blobs.into_iter().enumerate() {
        if index >= MAX_PACKAGES {
            return Err(Malformed::new(format!("more than {MAX_PACKAGES} headers")));
        }
        let blob = blob?;
        let package = package_of(&blob).map_err(|e| Malformed::new(format!("header {}: {e}", index + 1)))?;
        packages.extend(package);
    }
    Ok(packages)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// What `rpm -qa --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}'` says
    /// about the fixture databases (see tests/fixtures/rpm/PROVENANCE.md).
    pub(crate) const FIXTURE_PACKAGES: &[(&str, &str, &str, &str, &str)] = &[
        ("big-docs", "4.5.6-2", "noarch", "big-docs", "4.5.6-2"),
        ("hello-shipshape", "1:2.12.1-5.el9", "x86_64", "hello-shipshape", "1:2.12.1-5.el9"),
        ("openssl-libs", "1:3.0.7-27.el9", "x86_64", "openssl", "1:3.0.7-27.el9"),
        ("tiny-lib", "0.9-1", "noarch", "tiny-lib", "0.9-1"),
    ];

    /// The packages sorted by name, as (name, version, arch, source name, source version).
    pub(crate) fn summary(packages: &[Package]) -> Vec<(&str, &str, &str, &str, &str)> {
        let mut out: Vec<_> = packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.architecture.as_deref().unwrap_or(""),
                    p.source_name.as_str(),
                    p.source_version.as_str(),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Checks licence and vendor of the fixture packages.
    pub(crate) fn check_details(packages: &[Package]) {
        let find = |name: &str| packages.iter().find(|p| p.name == name);
        let hello = find("hello-shipshape").map(|p| (p.license.as_deref(), p.vendor.as_deref()));
        assert_eq!(hello, Some((Some("GPL-3.0-or-later"), Some("Shipshape Test Vendor"))));
        let tiny = find("tiny-lib").map(|p| (p.license.as_deref(), p.vendor.as_deref()));
        assert_eq!(tiny, Some((Some("MIT AND (Apache-2.0 OR BSD-3-Clause)"), None)));
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(split_source_rpm("openssl-3.0.7-27.el9.src.rpm"), Some(("openssl", "3.0.7", "27.el9")));
        assert_eq!(
            split_source_rpm("python3.11-3.11.5-1.el9.src.rpm"),
            Some(("python3.11", "3.11.5", "1.el9"))
        );
        assert_eq!(split_source_rpm("kernel-5.14.0-1.nosrc.rpm"), Some(("kernel", "5.14.0", "1")));
        assert_eq!(split_source_rpm("weird.src.rpm"), None);
        assert_eq!(split_source_rpm("a-b.rpm"), None);
    }
}
