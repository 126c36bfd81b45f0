use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `RUN --security=insecure`. The finding points at the flag's value.
    ///
    /// ## Why is this bad?
    /// An insecure `RUN` executes without the build sandbox: with all capabilities, without
    /// seccomp or AppArmor, as root on the builder's host in all but name. A compromised
    /// dependency or script fetched by that step owns the build machine, its caches and its
    /// credentials, and every image built there afterwards.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN --security=insecure mount -t tmpfs none /mnt && make
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=tmpfs,target=/mnt make
    /// ```
    ///
    /// ## Fix
    /// Use BuildKit mounts (`--mount=type=tmpfs|cache|bind`) instead of privileged operations,
    /// or move the step out of the image build. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `RUN --security`
    /// - CWE-250: Execution with Unnecessary Privileges
    pub static INSECURE_BUILD_SECURITY = {
        code: "PRV005",
        name: "insecure-build-security",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "a build step runs without the build sandbox",
        aliases: [],
    }
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for run in &stage.runs {
            let Some(security) = &run.security else { continue };
            if security.get().is_some_and(|v| v.eq_ignore_ascii_case("insecure")) {
                checker
                    .report(
                        &INSECURE_BUILD_SECURITY,
                        &security.origin,
                        "`RUN --security=insecure` runs outside the build sandbox",
                    )
                    .help =
                    Some("use `--mount=type=tmpfs|cache|bind` instead of privileged operations".into());
            }
        }
    }
}
