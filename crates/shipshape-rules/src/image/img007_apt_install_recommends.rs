use shipshape_model::{Applicability, declare_rule};

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `apt-get install` without `--no-install-recommends` (or
    /// `-o APT::Install-Recommends=false`). The finding points at `install`.
    ///
    /// ## Why is this bad?
    /// By default APT also installs every package the requested ones merely recommend: often
    /// dozens of extra packages, each one more thing to patch, more attack surface and more
    /// megabytes in every layer pulled.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Add `--no-install-recommends` and install what is really needed by name.
    ///
    /// ## Fix safety
    /// Unsafe: the fix inserts `--no-install-recommends`, and the image then lacks packages the
    /// software may rely on. Applied only with `--unsafe-fixes`; build and test the image after.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    pub static APT_INSTALL_RECOMMENDS = {
        code: "IMG007",
        name: "apt-install-recommends",
        layer: Image,
        threat: VulnerableDependency,
        asset: Application,
        severity: Info,
        fix: Sometimes,
        summary: "`apt-get install` also installs recommended packages",
        aliases: [(Hadolint, "DL3015"), (Trivy, "DS-0029")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for command in run.commands(&["apt-get"]) {
        let args = command.parse_args();
        let Some(sub) = args.subcommand().filter(|s| s.is("install")) else { continue };
        let off = args.has(&["--no-install-recommends"])
            || args.all(&["-o", "--option"]).any(|o| {
                o.value.as_deref().is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    v.starts_with("apt::install-recommends=") && (v.ends_with("=false") || v.ends_with("=0"))
                })
            });
        if !off {
            // Unsafe: the image then lacks the recommended packages, which the software may need.
            let fix = run.insert_after(sub, "--no-install-recommends", Applicability::Unsafe);
            let finding = checker.report(
                &APT_INSTALL_RECOMMENDS,
                &run.origin(sub.span),
                "`apt-get install` without `--no-install-recommends` pulls in recommended packages",
            );
            finding.help = Some("add `--no-install-recommends`".into());
            finding.fix = fix;
        }
    }
}
