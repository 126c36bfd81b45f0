use shipshape_model::declare_rule;
use shipshape_shell::{Ecosystem, PackageSource};

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags language packages installed by name without a version: `pip install flask`,
    /// `npm install -g typescript`, `yarn add left-pad`, `gem install bundler`,
    /// `go install example.com/cmd@latest`, `cargo install ripgrep`. Installs from a
    /// requirements file, a lockfile (`npm ci`, `npm install` without operands), local paths and
    /// URLs are not judged, nor is pip upgrading itself (`pip install -U pip`). `latest` (and for
    /// Go a branch such as `master`, `main` or `HEAD`) is not a version. The finding points at the package.
    ///
    /// ## Why is this bad?
    /// The registry decides what gets installed: a new release (or a hijacked maintainer
    /// account publishing one) lands in the next build unreviewed, and two builds of the same
    /// Dockerfile differ.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask gunicorn
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir --require-hashes -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// Pin a version (`flask==3.0.3`, `typescript@5.4.5`, `gem install bundler -v 2.5.10`), or
    /// better, install from a lockfile with hashes. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub static UNPINNED_LIBRARY_PACKAGE = {
        code: "SUP005",
        name: "unpinned-library-package",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Low,
        fix: None,
        summary: "a language package is installed without a version",
        aliases: [(Hadolint, "DL3013"), (Hadolint, "DL3016"), (Hadolint, "DL3028"), (Hadolint, "DL3062")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in &run.script.commands {
        let packages = command.packages();
        if packages.is_empty() {
            continue;
        }
        let upgrading = command.has_option(&["-U", "--upgrade"]);
        for package in packages {
            if !matches!(
                package.ecosystem,
                Ecosystem::Pip | Ecosystem::Npm | Ecosystem::Gem | Ecosystem::Go | Ecosystem::Cargo
            ) || package.source != PackageSource::Registry
                || package.word.has_expansion
                || package.word.text.is_none()
                || (package.ecosystem == Ecosystem::Pip && upgrading && package.name == "pip")
            {
                continue;
            }
            let version = package.version.as_deref().unwrap_or("").trim();
            if !version.is_empty() && !matches!(version, "latest" | "*" | "master" | "main" | "HEAD") {
                continue;
            }
            let tool = command.command_name().unwrap_or("");
            let example = match package.ecosystem {
                Ecosystem::Pip => format!("{}==<version>", package.name),
                Ecosystem::Npm | Ecosystem::Go => format!("{}@<version>", package.name),
                Ecosystem::Cargo => format!("{} --version <version>", package.name),
                _ => format!("{} -v <version>", package.name),
            };
            checker
                .report(
                    &UNPINNED_LIBRARY_PACKAGE,
                    &run.origin(package.word.span),
                    format!(
                        "`{tool}` installs `{}` at whatever version the registry serves",
                        package.word.value
                    ),
                )
                .help = Some(format!("pin the version: `{example}`, or install from a lockfile"));
        }
    }
}
