//! Exact version ordering for every OSV ecosystem.
//!
//! An OSV ecosystem string (`Debian:12`, `Alpine:v3.19`, `Red Hat:enterprise_linux:9::appstream`,
//! `PyPI`, ...) is parsed into an [`Ecosystem`] and an optional release with
//! [`ParsedEcosystem::parse`]; each ecosystem belongs to an [`EcosystemFamily`], which names
//! the comparison rules. [`compare`] orders two version strings of a family; [`Version`] is the
//! parsed form, for comparing one version against many.
//!
//! Every function here accepts any text, never panics, and orders garbage deterministically.

mod apk;
mod dpkg;
mod maven;
mod numeric;
mod packagist;
mod pep440;
mod rpm;
mod rubygems;
mod semver;
mod text;

use std::cmp::Ordering;
use std::fmt;

pub use apk::ApkVersion;
pub use dpkg::DpkgVersion;
pub use maven::MavenVersion;
pub use numeric::NumericVersion;
pub use packagist::PackagistVersion;
pub use pep440::Pep440Version;
pub use rpm::RpmVersion;
pub use rubygems::GemVersion;
pub use semver::{SemverFlavor, SemverVersion};

/// A set of version comparison rules shared by one or more ecosystems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EcosystemFamily {
    /// Debian package versions (`dpkg --compare-versions`): Debian, Ubuntu.
    Dpkg,
    /// apk package versions: Alpine, Wolfi, Chainguard, Alpaquita, MinimOS.
    Apk,
    /// RPM package versions (`rpmvercmp`): Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE,
    /// Mageia, openEuler, Photon OS, Azure Linux.
    Rpm,
    /// PEP 440: PyPI.
    Pep440,
    /// Semantic Versioning: npm, crates.io, Go, Hex, and SemVer-typed OSV ranges.
    SemVer,
    /// Dart's Pub: SemVer where build metadata orders equal versions.
    Pub,
    /// NuGet: SemVer with four numeric parts and case-insensitive labels.
    NuGet,
    /// Maven's `ComparableVersion`.
    Maven,
    /// RubyGems' `Gem::Version`.
    RubyGems,
    /// Packagist: PHP `version_compare` with Composer normalisation.
    Packagist,
    /// CRAN: R's `package_version`.
    Cran,
    /// Hackage: Haskell's `Data.Version`.
    Hackage,
}

impl EcosystemFamily {
    /// Every family, in declaration order.
    pub const ALL: [EcosystemFamily; 12] = [
        EcosystemFamily::Dpkg,
        EcosystemFamily::Apk,
        EcosystemFamily::Rpm,
        EcosystemFamily::Pep440,
        EcosystemFamily::SemVer,
        EcosystemFamily::Pub,
        EcosystemFamily::NuGet,
        EcosystemFamily::Maven,
        EcosystemFamily::RubyGems,
        EcosystemFamily::Packagist,
        EcosystemFamily::Cran,
        EcosystemFamily::Hackage,
    ];

    /// Parses a version of this family.
    pub fn parse(self, text: &str) -> Version<'_> {
        Version::parse(self, text)
    }
}

/// Orders two version strings with the rules of `family`.
///
/// Total and panic-free on any input: text that is not a valid version of the family still
/// gets a deterministic place (see each family's parser for how).
pub fn compare(family: EcosystemFamily, a: &str, b: &str) -> Ordering {
    Version::parse(family, a).cmp(&Version::parse(family, b))
}

/// A version parsed once with the rules of its family; borrows the text it was parsed from.
///
/// Versions of the same family compare with the family's rules. Versions of different families
/// have no meaningful order; they are ordered by family so that the order stays total.
#[derive(Debug, Clone)]
pub enum Version<'a> {
    /// A Debian or Ubuntu version.
    Dpkg(DpkgVersion<'a>),
    /// An apk version.
    Apk(ApkVersion<'a>),
    /// An RPM version.
    Rpm(RpmVersion<'a>),
    /// A Python version.
    Pep440(Pep440Version<'a>),
    /// A SemVer-style version and the dialect to compare it in.
    SemVer(SemverVersion<'a>, SemverFlavor),
    /// A Maven version.
    Maven(MavenVersion<'a>),
    /// A RubyGems version.
    RubyGems(GemVersion<'a>),
    /// A Packagist version.
    Packagist(PackagistVersion<'a>),
    /// A CRAN version.
    Cran(NumericVersion<'a>),
    /// A Hackage version.
    Hackage(NumericVersion<'a>),
}

impl<'a> Version<'a> {
    /// Parses `text` with the rules of `family`.
    pub fn parse(family: EcosystemFamily, text: &'a str) -> Self {
        match family {
            EcosystemFamily::Dpkg => Version::Dpkg(DpkgVersion::parse(text)),
            EcosystemFamily::Apk => Version::Apk(ApkVersion::parse(text)),
            EcosystemFamily::Rpm => Version::Rpm(RpmVersion::parse(text)),
            EcosystemFamily::Pep440 => Version::Pep440(Pep440Version::parse(text)),
            EcosystemFamily::SemVer => Version::SemVer(SemverVersion::parse(text), SemverFlavor::SemVer),
            EcosystemFamily::Pub => Version::SemVer(SemverVersion::parse(text), SemverFlavor::Pub),
            EcosystemFamily::NuGet => Version::SemVer(SemverVersion::parse(text), SemverFlavor::NuGet),
            EcosystemFamily::Maven => Version::Maven(MavenVersion::parse(text)),
            EcosystemFamily::RubyGems => Version::RubyGems(GemVersion::parse(text)),
            EcosystemFamily::Packagist => Version::Packagist(PackagistVersion::parse(text)),
            EcosystemFamily::Cran => Version::Cran(NumericVersion::parse_cran(text)),
            EcosystemFamily::Hackage => Version::Hackage(NumericVersion::parse_hackage(text)),
        }
    }

    /// The family whose rules this version was parsed with.
    pub fn family(&self) -> EcosystemFamily {
        match self {
            Version::Dpkg(_) => EcosystemFamily::Dpkg,
            Version::Apk(_) => EcosystemFamily::Apk,
            Version::Rpm(_) => EcosystemFamily::Rpm,
            Version::Pep440(_) => EcosystemFamily::Pep440,
            Version::SemVer(_, SemverFlavor::SemVer) => EcosystemFamily::SemVer,
            Version::SemVer(_, SemverFlavor::Pub) => EcosystemFamily::Pub,
            Version::SemVer(_, SemverFlavor::NuGet) => EcosystemFamily::NuGet,
            Version::Maven(_) => EcosystemFamily::Maven,
            Version::RubyGems(_) => EcosystemFamily::RubyGems,
            Version::Packagist(_) => EcosystemFamily::Packagist,
            Version::Cran(_) => EcosystemFamily::Cran,
            Version::Hackage(_) => EcosystemFamily::Hackage,
        }
    }
}

impl PartialEq for Version<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version<'_> {}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Version::Dpkg(a), Version::Dpkg(b)) => a.cmp_version(b),
            (Version::Apk(a), Version::Apk(b)) => a.cmp_version(b),
            (Version::Rpm(a), Version::Rpm(b)) => a.cmp_version(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp_version(b),
            (Version::SemVer(a, flavor), Version::SemVer(b, other_flavor)) if flavor == other_flavor => {
                a.cmp_version(b, *flavor)
            }
            (Version::Maven(a), Version::Maven(b)) => a.cmp_version(b),
            (Version::RubyGems(a), Version::RubyGems(b)) => a.cmp_version(b),
            (Version::Packagist(a), Version::Packagist(b)) => a.cmp_version(b),
            (Version::Cran(a), Version::Cran(b)) | (Version::Hackage(a), Version::Hackage(b)) => {
                a.cmp_version(b)
            }
            _ => self.family().cmp(&other.family()),
        }
    }
}

/// An OSV ecosystem (the part of the `ecosystem` field before the first `:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    /// AlmaLinux.
    AlmaLinux,
    /// BellSoft Alpaquita Linux.
    Alpaquita,
    /// Alpine Linux.
    Alpine,
    /// Android.
    Android,
    /// Microsoft Azure Linux.
    AzureLinux,
    /// Bioconductor.
    Bioconductor,
    /// Bitnami.
    Bitnami,
    /// Chainguard.
    Chainguard,
    /// ConanCenter.
    ConanCenter,
    /// CRAN.
    Cran,
    /// crates.io.
    CratesIo,
    /// Debian.
    Debian,
    /// Echo.
    Echo,
    /// GitHub Actions.
    GitHubActions,
    /// Go modules.
    Go,
    /// Hackage.
    Hackage,
    /// Hex.
    Hex,
    /// The Linux kernel.
    Linux,
    /// Mageia.
    Mageia,
    /// Maven.
    Maven,
    /// MinimOS.
    MinimOs,
    /// npm.
    Npm,
    /// NuGet.
    NuGet,
    /// openEuler.
    OpenEuler,
    /// openSUSE.
    OpenSuse,
    /// OSS-Fuzz.
    OssFuzz,
    /// Packagist.
    Packagist,
    /// Photon OS.
    PhotonOs,
    /// Pub.
    Pub,
    /// PyPI.
    PyPi,
    /// Red Hat.
    RedHat,
    /// Rocky Linux.
    RockyLinux,
    /// RubyGems.
    RubyGems,
    /// SUSE.
    Suse,
    /// Swift packages by URL.
    SwiftUrl,
    /// Ubuntu.
    Ubuntu,
    /// Wolfi.
    Wolfi,
    /// An ecosystem this crate does not know, as written.
    Other(String),
}

/// Known ecosystems with their OSV spelling.
const NAMES: [(Ecosystem, &str); 37] = [
    (Ecosystem::AlmaLinux, "AlmaLinux"),
    (Ecosystem::Alpaquita, "Alpaquita"),
    (Ecosystem::Alpine, "Alpine"),
    (Ecosystem::Android, "Android"),
    (Ecosystem::AzureLinux, "Azure Linux"),
    (Ecosystem::Bioconductor, "Bioconductor"),
    (Ecosystem::Bitnami, "Bitnami"),
    (Ecosystem::Chainguard, "Chainguard"),
    (Ecosystem::ConanCenter, "ConanCenter"),
    (Ecosystem::Cran, "CRAN"),
    (Ecosystem::CratesIo, "crates.io"),
    (Ecosystem::Debian, "Debian"),
    (Ecosystem::Echo, "Echo"),
    (Ecosystem::GitHubActions, "GitHub Actions"),
    (Ecosystem::Go, "Go"),
    (Ecosystem::Hackage, "Hackage"),
    (Ecosystem::Hex, "Hex"),
    (Ecosystem::Linux, "Linux"),
    (Ecosystem::Mageia, "Mageia"),
    (Ecosystem::Maven, "Maven"),
    (Ecosystem::MinimOs, "MinimOS"),
    (Ecosystem::Npm, "npm"),
    (Ecosystem::NuGet, "NuGet"),
    (Ecosystem::OpenEuler, "openEuler"),
    (Ecosystem::OpenSuse, "openSUSE"),
    (Ecosystem::OssFuzz, "OSS-Fuzz"),
    (Ecosystem::Packagist, "Packagist"),
    (Ecosystem::PhotonOs, "Photon OS"),
    (Ecosystem::Pub, "Pub"),
    (Ecosystem::PyPi, "PyPI"),
    (Ecosystem::RedHat, "Red Hat"),
    (Ecosystem::RockyLinux, "Rocky Linux"),
    (Ecosystem::RubyGems, "RubyGems"),
    (Ecosystem::Suse, "SUSE"),
    (Ecosystem::SwiftUrl, "SwiftURL"),
    (Ecosystem::Ubuntu, "Ubuntu"),
    (Ecosystem::Wolfi, "Wolfi"),
];

impl Ecosystem {
    /// Looks an ecosystem name up (without release suffix): exact OSV spelling first, then
    /// ignoring ASCII case; anything else is [`Ecosystem::Other`].
    pub fn from_name(name: &str) -> Ecosystem {
        let name = name.trim();
        NAMES
            .iter()
            .find(|(_, spelling)| *spelling == name)
            .or_else(|| NAMES.iter().find(|(_, spelling)| spelling.eq_ignore_ascii_case(name)))
            .map_or_else(|| Ecosystem::Other(name.to_owned()), |(ecosystem, _)| ecosystem.clone())
    }

    /// The OSV spelling of the ecosystem.
    pub fn name(&self) -> &str {
        match self {
            Ecosystem::Other(name) => name,
            known => NAMES.iter().find(|(e, _)| e == known).map_or("", |(_, spelling)| spelling),
        }
    }

    /// The comparison rules for versions of this ecosystem, or `None` when OSV defines none
    /// (ranges of such ecosystems can only be matched through explicit `versions` lists).
    pub fn family(&self) -> Option<EcosystemFamily> {
        Some(match self {
            Ecosystem::Debian | Ecosystem::Ubuntu => EcosystemFamily::Dpkg,
            Ecosystem::Alpine
            | Ecosystem::Wolfi
            | Ecosystem::Chainguard
            | Ecosystem::Alpaquita
            | Ecosystem::MinimOs => EcosystemFamily::Apk,
            Ecosystem::RedHat
            | Ecosystem::AlmaLinux
            | Ecosystem::RockyLinux
            | Ecosystem::Suse
            | Ecosystem::OpenSuse
            | Ecosystem::Mageia
            | Ecosystem::OpenEuler
            | Ecosystem::PhotonOs
            | Ecosystem::AzureLinux => EcosystemFamily::Rpm,
            Ecosystem::PyPi => EcosystemFamily::Pep440,
            Ecosystem::Npm
            | Ecosystem::CratesIo
            | Ecosystem::Go
            | Ecosystem::Hex
            | Ecosystem::Bitnami
            | Ecosystem::Bioconductor
            | Ecosystem::ConanCenter
            | Ecosystem::SwiftUrl => EcosystemFamily::SemVer,
            Ecosystem::Pub => EcosystemFamily::Pub,
            Ecosystem::NuGet => EcosystemFamily::NuGet,
            Ecosystem::Maven => EcosystemFamily::Maven,
            Ecosystem::RubyGems => EcosystemFamily::RubyGems,
            Ecosystem::Packagist => EcosystemFamily::Packagist,
            Ecosystem::Cran => EcosystemFamily::Cran,
            Ecosystem::Hackage => EcosystemFamily::Hackage,
            Ecosystem::Echo
            | Ecosystem::Android
            | Ecosystem::GitHubActions
            | Ecosystem::Linux
            | Ecosystem::OssFuzz
            | Ecosystem::Other(_) => return None,
        })
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An OSV `ecosystem` value split into the ecosystem and its release suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParsedEcosystem {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// Everything after the first `:`, when present and non-empty: `12` for `Debian:12`,
    /// `v3.19` for `Alpine:v3.19`, `Pro:18.04:LTS` for `Ubuntu:Pro:18.04:LTS`,
    /// `enterprise_linux:9::appstream` for `Red Hat:enterprise_linux:9::appstream`.
    pub release: Option<String>,
}

impl ParsedEcosystem {
    /// Splits an OSV ecosystem string at its first `:`.
    pub fn parse(text: &str) -> ParsedEcosystem {
        let (name, release) = match text.split_once(':') {
            Some((name, release)) => (name, Some(release.trim()).filter(|r| !r.is_empty())),
            None => (text, None),
        };
        ParsedEcosystem { ecosystem: Ecosystem::from_name(name), release: release.map(str::to_owned) }
    }

    /// The comparison rules of the ecosystem, if it has any.
    pub fn family(&self) -> Option<EcosystemFamily> {
        self.ecosystem.family()
    }
}

impl fmt::Display for ParsedEcosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.release {
            Some(release) => write!(f, "{}:{release}", self.ecosystem),
            None => write!(f, "{}", self.ecosystem),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_strings_with_releases() {
        let cases = [
            ("Debian:12", Ecosystem::Debian, Some("12"), Some(EcosystemFamily::Dpkg)),
            ("Alpine:v3.19", Ecosystem::Alpine, Some("v3.19"), Some(EcosystemFamily::Apk)),
            ("Ubuntu:22.04:LTS", Ecosystem::Ubuntu, Some("22.04:LTS"), Some(EcosystemFamily::Dpkg)),
            ("Ubuntu:Pro:18.04:LTS", Ecosystem::Ubuntu, Some("Pro:18.04:LTS"), Some(EcosystemFamily::Dpkg)),
            ("AlmaLinux:9", Ecosystem::AlmaLinux, Some("9"), Some(EcosystemFamily::Rpm)),
            ("Rocky Linux:9", Ecosystem::RockyLinux, Some("9"), Some(EcosystemFamily::Rpm)),
            (
                "Red Hat:enterprise_linux:9::appstream",
                Ecosystem::RedHat,
                Some("enterprise_linux:9::appstream"),
                Some(EcosystemFamily::Rpm),
            ),
            (
                "SUSE:Linux Enterprise Server 15 SP5",
                Ecosystem::Suse,
                Some("Linux Enterprise Server 15 SP5"),
                Some(EcosystemFamily::Rpm),
            ),
            ("openSUSE:Leap 15.5", Ecosystem::OpenSuse, Some("Leap 15.5"), Some(EcosystemFamily::Rpm)),
            ("crates.io", Ecosystem::CratesIo, None, Some(EcosystemFamily::SemVer)),
            ("PyPI", Ecosystem::PyPi, None, Some(EcosystemFamily::Pep440)),
            ("npm", Ecosystem::Npm, None, Some(EcosystemFamily::SemVer)),
            ("Go", Ecosystem::Go, None, Some(EcosystemFamily::SemVer)),
            ("Maven", Ecosystem::Maven, None, Some(EcosystemFamily::Maven)),
            ("Wolfi", Ecosystem::Wolfi, None, Some(EcosystemFamily::Apk)),
            ("Chainguard", Ecosystem::Chainguard, None, Some(EcosystemFamily::Apk)),
            ("Pub", Ecosystem::Pub, None, Some(EcosystemFamily::Pub)),
            ("GIT", Ecosystem::Other("GIT".into()), None, None),
            ("Debian:", Ecosystem::Debian, None, Some(EcosystemFamily::Dpkg)),
        ];
        for (text, ecosystem, release, family) in cases {
            let parsed = ParsedEcosystem::parse(text);
            assert_eq!(parsed.ecosystem, ecosystem, "{text}");
            assert_eq!(parsed.release.as_deref(), release, "{text}");
            assert_eq!(parsed.family(), family, "{text}");
        }
        assert_eq!(ParsedEcosystem::parse("Ubuntu:Pro:18.04:LTS").to_string(), "Ubuntu:Pro:18.04:LTS");
        assert_eq!(Ecosystem::from_name("pypi"), Ecosystem::PyPi);
    }

    /// Odd inputs: empty, separators only, non-ASCII, huge numbers, control characters.
    const GARBAGE: &[&str] = &[
        "",
        " ",
        "0",
        "00",
        "-",
        "--",
        ".",
        "..1..",
        ":",
        "::",
        "1:",
        ":1",
        "~",
        "^",
        "_",
        "+",
        "+-",
        "v",
        "V",
        "!",
        "1!",
        "!1",
        "-r",
        "_p",
        "1-r-",
        "é",
        "1.é.2",
        "αβγ",
        "1\u{0}2",
        "\t1.0\n",
        "99999999999999999999999999999999999999.1",
        "1.0.0-alpha.01",
        "1.0.0+",
        "1.0.0-",
        "1a-b_c+d~e^f:g",
        "dev-master",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
        "latest",
        "*",
    ];

    #[test]
    fn every_family_is_total_and_antisymmetric_on_garbage() {
        for family in EcosystemFamily::ALL {
            for a in GARBAGE {
                assert_eq!(compare(family, a, a), Ordering::Equal, "{family:?}: {a:?} = itself");
                for b in GARBAGE {
                    assert_eq!(
                        compare(family, a, b),
                        compare(family, b, a).reverse(),
                        "{family:?}: {a:?} vs {b:?} is not antisymmetric"
                    );
                }
            }
        }
    }

    #[test]
    fn mixed_families_still_order_totally() {
        let a = Version::parse(EcosystemFamily::Dpkg, "1.0");
        let b = Version::parse(EcosystemFamily::Rpm, "1.0");
        assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        assert_ne!(a.cmp(&b), Ordering::Equal);
    }
}
