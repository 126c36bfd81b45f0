use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::image::img036_yum_without_yes::check_tool;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `dnf install` and `microdnf install` (also `groupinstall` and `localinstall`)
    /// without `-y`/`--assumeyes`. The finding points at the subcommand.
    ///
    /// ## Why is this bad?
    /// Without an automatic yes, `dnf` asks for confirmation; a build has no terminal, so the
    /// transaction is aborted and the step fails, or the outcome depends on how the build was
    /// started.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install httpd-2.4.57 && dnf clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y httpd-2.4.57 && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Add `-y`.
    ///
    /// ## Fix safety
    /// Safe: `-y` is inserted right after `dnf`. It only answers the prompt the build cannot
    /// answer; what is installed does not change.
    ///
    /// ## References
    /// - dnf(8), `-y, --assumeyes`
    pub static DNF_WITHOUT_YES = {
        code: "IMG037",
        name: "dnf-without-yes",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "`dnf install` may stop to ask for confirmation",
        aliases: [(Hadolint, "DL3038")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    check_tool(run, checker, &DNF_WITHOUT_YES, &["dnf", "microdnf"]);
}
