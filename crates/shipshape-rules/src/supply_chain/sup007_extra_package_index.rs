use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;
use crate::shell::{Scripts, option_span};

declare_rule! {
    /// ## What it does
    /// Flags `pip install --extra-index-url` and the variable `PIP_EXTRA_INDEX_URL` (in `ENV`,
    /// as an `ARG` default or in a `RUN`). The finding points at the option or variable.
    ///
    /// ## Why is this bad?
    /// pip searches every index and installs the highest version it finds. A private package
    /// name published on PyPI with a higher version wins over the private index: the
    /// "dependency confusion" attack that has compromised builds at many companies.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --extra-index-url https://pypi.internal.example.com/simple internal-lib==1.4.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --index-url https://pypi.internal.example.com/simple internal-lib==1.4.0
    /// ```
    ///
    /// ## Fix
    /// Use a single `--index-url` that proxies the public index (Artifactory, Nexus, devpi), and
    /// install with `--require-hashes`. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-427: Uncontrolled Search Path Element
    pub static EXTRA_PACKAGE_INDEX = {
        code: "SUP007",
        name: "extra-package-index",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "pip searches an extra index (dependency confusion)",
        aliases: [],
    }
}

const HELP: &str = "use one `--index-url` that proxies PyPI, and pin with hashes";

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for var in stage.env.iter().filter(|v| v.name == "PIP_EXTRA_INDEX_URL") {
            checker
                .report(
                    &EXTRA_PACKAGE_INDEX,
                    &var.origin,
                    "`PIP_EXTRA_INDEX_URL` makes pip search a second index",
                )
                .help = Some(HELP.into());
        }
        for arg in stage.args.iter().filter(|a| a.name == "PIP_EXTRA_INDEX_URL" && a.default.is_some()) {
            checker
                .report(
                    &EXTRA_PACKAGE_INDEX,
                    &arg.origin,
                    "`PIP_EXTRA_INDEX_URL` makes pip search a second index",
                )
                .help = Some(HELP.into());
        }
        for run in scripts.of(stage) {
            for command in &run.script.commands {
                for assignment in command.assignments.iter().filter(|a| a.name == "PIP_EXTRA_INDEX_URL") {
                    checker
                        .report(
                            &EXTRA_PACKAGE_INDEX,
                            &run.origin(assignment.span),
                            "`PIP_EXTRA_INDEX_URL` makes pip search a second index",
                        )
                        .help = Some(HELP.into());
                }
                if !command.is("pip") && !command.is("pipx") {
                    continue;
                }
                for option in command.options().iter().filter(|o| o.name == "--extra-index-url") {
                    checker
                        .report(
                            &EXTRA_PACKAGE_INDEX,
                            &run.origin(option_span(option)),
                            "`pip --extra-index-url` lets a public package shadow a private one",
                        )
                        .help = Some(HELP.into());
                }
            }
        }
    }
}
