use shipshape_model::{BaseImage, ImageSpec, declare_rule};

use crate::context::Checker;
use crate::describe::quoted;

declare_rule! {
    /// ## What it does
    /// Flags an image whose final stage never sets `USER` (neither itself nor through a parent
    /// stage), so it runs as whatever user the base image chose: root for almost every official
    /// image. `FROM scratch` images are judged the same way (their default user is root).
    ///
    /// ## Why is this bad?
    /// See `root-user`: root in the container is one isolation failure away from root on the host.
    /// Relying on the base image's user is fragile: a base image update can change it silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --system --uid 10001 app
    /// COPY app.py /app/
    /// USER 10001
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// ## Fix
    /// Create an unprivileged user and add `USER` at the end of the final stage. Not fixed
    /// automatically: the user must exist in the image.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.1
    pub static MISSING_USER = {
        code: "PRV002",
        name: "missing-user",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the image never sets a user and likely runs as root",
        aliases: [(Checkov, "CKV_DOCKER_3"), (Trivy, "DS-0002"), (CisDocker, "4.1")],
    }
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    let Some(stage) = spec.final_stage() else { return };
    if stage.user.is_some() {
        return;
    }
    let base = match &stage.base {
        BaseImage::Image { reference, .. } => format!("`{}`", reference.familiar_name()),
        BaseImage::Scratch { .. } => "`scratch`".to_string(),
        BaseImage::Stage { value, .. } | BaseImage::Unresolved { value } => quoted(value),
    };
    checker
        .report(
            &MISSING_USER,
            &stage.origin,
            format!("the final stage never sets USER, so it runs as {base}'s default user (root unless that image sets one)"),
        )
        .help = Some("add `USER <unprivileged user>` at the end of the final stage".into());
}
