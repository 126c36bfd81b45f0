use shipshape_model::{Origin, Severity, VulnerabilityRef, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a package with a known vulnerability: a package pinned by a lockfile (`Cargo.lock`,
    /// `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, `requirements*.txt`, `poetry.lock`,
    /// `uv.lock`, `Pipfile.lock`, `go.mod`, `Gemfile.lock`, `composer.lock`) or installed in an
    /// image (by dpkg, apk or rpm, or found as a Python distribution, Node package, Go or Rust
    /// binary, Java archive, gem, Composer or NuGet package), whose version an OSV record of the
    /// local vulnerability database (`shipshape db update` or `shipshape db import`) says is
    /// affected. Versions are compared with the ecosystem's exact rules; dpkg and apk packages
    /// are matched by their *source* package, rpm packages by name, against the records of the
    /// image's release (`Debian:12`, `Ubuntu:22.04`, `Alpine:v3.19`, `AlmaLinux:9`), so a
    /// backported fix counts. A finding in an image points at the file that lists the package
    /// (the database stanza, the `METADATA` or `package.json`, or a line of the listing of a jar
    /// or binary) and names the layer that installed it. The severity of each finding is the
    /// vulnerability's: the highest CVSS score of its records, else the rating the database
    /// gives. Debian `unimportant` and Ubuntu `negligible` issues are hidden unless
    /// `--show-negligible`; `--ignore-unfixed` hides issues without a fixed version; an OpenVEX
    /// document (`--vex`) can declare a vulnerability `not_affected`.
    ///
    /// Without a database, lockfiles give no findings and the scan says so once.
    ///
    /// ## Why is this bad?
    /// A published vulnerability in a shipped dependency is the cheapest way into a container:
    /// the exploit is public, and the vulnerable code runs with the application's privileges.
    ///
    /// ## Example
    /// ```text
    /// requests==2.19.0
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// requests==2.32.3
    /// ```
    ///
    /// ## Fix
    /// Upgrade to the fixed version the finding names (or rebuild the image on a base with the
    /// fixed OS package). When there is no fix yet, judge the exposure and record the decision
    /// with an `[[ignore]]` entry naming the vulnerability (`vulnerabilities = ["CVE-…"]`, a
    /// `reason` and an `expires` date) or a VEX statement.
    ///
    /// ## References
    /// - CWE-1395: Dependency on Vulnerable Third-Party Component
    /// - OSV: Open Source Vulnerabilities schema, <https://ossf.github.io/osv-schema/>
    /// - OWASP Top 10 A06:2021 Vulnerable and Outdated Components
    pub static VULNERABLE_PACKAGE = {
        code: "SUP100",
        name: "vulnerable-package",
        layer: SupplyChain,
        threat: VulnerableDependency,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "a package has a known vulnerability",
        aliases: [],
    }
}

/// One package found affected by one vulnerability: what the checker needs to report it.
#[derive(Debug, Clone)]
pub struct VulnerablePackage {
    /// Where the package is declared (the lockfile line, the package database stanza).
    pub origin: Origin,
    /// The package name as declared.
    pub name: String,
    /// The installed or pinned version.
    pub version: String,
    /// The source package, when it differs from the name (OS packages).
    pub source_name: Option<String>,
    /// The vulnerability's preferred id (a CVE id when there is one).
    pub id: String,
    /// The vulnerability's other ids.
    pub aliases: Vec<String>,
    /// The lowest version that fixes it, when known.
    pub fixed: Option<String>,
    /// The vulnerability's severity; `None`: the rule's default.
    pub severity: Option<Severity>,
    /// Where the severity comes from (a CVSS vector with its score, a rating).
    pub severity_source: Option<String>,
    /// The record's summary.
    pub summary: Option<String>,
    /// The image layer that introduced the package (`layer 2`), for packages in images.
    pub layer: Option<String>,
    /// The package URL with version, when known.
    pub purl: Option<String>,
}

pub(crate) fn check(packages: &[VulnerablePackage], checker: &mut Checker<'_>) {
    for package in packages {
        let fix = match &package.fixed {
            Some(fixed) => format!("fixed in {fixed}"),
            None => "no fix yet".to_owned(),
        };
        let source = match &package.source_name {
            Some(source) if *source != package.name => format!(" (source package {source})"),
            _ => String::new(),
        };
        let aliases = if package.aliases.is_empty() {
            String::new()
        } else {
            format!("; also known as {}", package.aliases.join(", "))
        };
        let summary = package.summary.as_deref().map(|s| format!(": {s}")).unwrap_or_default();
        let layer = package.layer.as_deref().map(|l| format!(", installed by {l}")).unwrap_or_default();
        let finding = checker.report(
            &VULNERABLE_PACKAGE,
            &package.origin,
            format!(
                "{} in {} {}{source} ({fix}){layer}{summary}{aliases}",
                package.id, package.name, package.version
            ),
        );
        if let Some(severity) = package.severity {
            finding.severity = severity;
        }
        finding.vulnerability = Some(Box::new(VulnerabilityRef {
            id: package.id.clone(),
            aliases: package.aliases.clone(),
            package: package.name.clone(),
            version: package.version.clone(),
            purl: package.purl.clone(),
            fixed: package.fixed.clone(),
        }));
        finding.help = Some(match (&package.fixed, &package.severity_source) {
            (Some(fixed), Some(rated)) => {
                format!("upgrade {} to {fixed} or later (severity from {rated})", package.name)
            }
            (Some(fixed), None) => format!("upgrade {} to {fixed} or later", package.name),
            (None, _) => format!(
                "no fixed version of {} is known yet: limit exposure, or record the decision with an [[ignore]] entry or a VEX statement",
                package.name
            ),
        });
    }
}
