use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::supply_chain::sup100_vulnerable_package::VulnerablePackage;

declare_rule! {
    /// ## What it does
    /// Flags a package that is malware: a package pinned by a lockfile or installed in an image
    /// that an OSV `MAL-` record of the vulnerability database (`shipshape db update` or
    /// `shipshape db import`) lists as malicious, such as the typosquats and hijacked releases on
    /// npm and PyPI published by the OpenSSF malicious-packages project. A record counts when
    /// its id or one of its aliases is a `MAL-` id. The package and version are matched as for
    /// `SUP100`; `--ignore-unfixed` does not hide these findings (a malicious release is never
    /// fixed), and they are always critical.
    ///
    /// ## Why is this bad?
    /// A malicious package is not a bug to patch: its install scripts or import-time code ran on
    /// every machine that installed it (developer laptops, CI, the image build), typically to
    /// steal credentials, open a backdoor or mine cryptocurrency.
    ///
    /// ## Example
    /// ```text
    /// ctx==0.2.6
    /// ```
    ///
    /// Use instead: remove the package, or depend on the legitimate package it imitates.
    ///
    /// ## Fix
    /// Remove the package and rebuild. Treat every machine that installed it as compromised:
    /// rotate the credentials it could read (environment variables, cloud and registry
    /// credentials, SSH keys) and look for what it left behind.
    ///
    /// ## References
    /// - CWE-506: Embedded Malicious Code
    /// - OpenSSF malicious packages, <https://github.com/ossf/malicious-packages>
    /// - OSV schema, `MAL-` ids, <https://ossf.github.io/osv-schema/>
    pub static MALICIOUS_PACKAGE = {
        code: "SUP101",
        name: "malicious-package",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Critical,
        fix: None,
        summary: "a package is known malware",
        aliases: [],
    }
}

/// Whether a vulnerability id is a malicious-package id (`MAL-2022-1234`).
pub fn is_malicious_id(id: &str) -> bool {
    id.starts_with("MAL-")
}

/// Whether a match is a malicious-package record: its id or an alias is a `MAL-` id.
pub(crate) fn is_malicious(package: &VulnerablePackage) -> bool {
    std::iter::once(&package.id).chain(&package.aliases).any(|id| is_malicious_id(id))
}

pub(crate) fn check(packages: &[VulnerablePackage], checker: &mut Checker<'_>) {
    for package in packages.iter().filter(|p| is_malicious(p)) {
        let mal_id = std::iter::once(&package.id)
            .chain(&package.aliases)
            .find(|id| is_malicious_id(id))
            .unwrap_or(&package.id);
        let others: Vec<&str> = std::iter::once(&package.id)
            .chain(&package.aliases)
            .filter(|id| *id != mal_id)
            .map(String::as_str)
            .collect();
        let also =
            if others.is_empty() { String::new() } else { format!("; also known as {}", others.join(", ")) };
        let summary = package.summary.as_deref().map(|s| format!(": {s}")).unwrap_or_default();
        let layer = package.layer.as_deref().map(|l| format!(", installed by {l}")).unwrap_or_default();
        checker
            .report(
                &MALICIOUS_PACKAGE,
                &package.origin,
                format!("{} {} is malware ({mal_id}){layer}{summary}{also}", package.name, package.version),
            )
            .help = Some(format!(
            "remove {} and rebuild; treat machines that installed it as compromised and rotate the credentials they held",
            package.name
        ));
    }
}
