use shipshape_model::{Edit, Fix, declare_rule};

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `yum install` (also `groupinstall` and `localinstall`) without `-y`/`--assumeyes`.
    /// The finding points at the subcommand.
    ///
    /// ## Why is this bad?
    /// Without an automatic yes, `yum` asks for confirmation; a build has no terminal, so `yum`
    /// gives up ("Exiting on user command") and the step fails, or the outcome depends on how
    /// the build was started.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// ## Fix
    /// Add `-y`.
    ///
    /// ## Fix safety
    /// Safe: `-y` is inserted right after `yum`. It only answers the prompt the build cannot
    /// answer; what is installed does not change.
    ///
    /// ## References
    /// - yum(8), `-y, --assumeyes`
    pub static YUM_WITHOUT_YES = {
        code: "IMG036",
        name: "yum-without-yes",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "`yum install` may stop to ask for confirmation",
        aliases: [(Hadolint, "DL3030")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    check_tool(run, checker, &YUM_WITHOUT_YES, &["yum"]);
}

/// Flags `tools` installing without `-y`/`--assumeyes`; shared by `yum` and `dnf`.
pub(crate) fn check_tool(
    run: &RunScript<'_>,
    checker: &mut Checker<'_>,
    rule: &'static shipshape_model::RuleMeta,
    tools: &[&str],
) {
    for command in run.commands(tools) {
        let args = command.parse_args();
        let Some(sub) = args.subcommand() else { continue };
        if !["install", "groupinstall", "localinstall"].iter().any(|s| sub.is(s)) {
            continue;
        }
        if args.has(&["-y", "--assumeyes"]) {
            continue;
        }
        let name = command.command_name().unwrap_or(tools.first().copied().unwrap_or("yum"));
        let fix =
            run.file_span(command.command().span).map(|span| Fix::safe(vec![Edit::insert(span.end, " -y")]));
        let finding = checker.report(
            rule,
            &run.origin(sub.span),
            format!("`{name} {}` without `-y` waits for a confirmation nobody gives", sub.value),
        );
        finding.help = Some("add `-y`".into());
        finding.fix = fix;
    }
}
