use shipshape_model::{ArgDecl, ImageSpec, declare_rule, redact};

use crate::context::Checker;
use crate::secrets::sec100_secret_in_environment::{is_literal_secret, is_secret_name};
use crate::secrets::sec101_known_credential_format::find_credential;

declare_rule! {
    /// ## What it does
    /// Flags credentials handed to a build through `ENV` or `ARG`:
    /// - `ENV` whose name says it holds a credential (`DB_PASSWORD`, `GITHUB_TOKEN`,
    ///   `AWS_SECRET_ACCESS_KEY`) and whose value is a literal, not a reference or a file path;
    /// - `ENV` or an `ARG` default whose value contains a credential in a well-known format
    ///   (see `SEC101`), whatever the name;
    /// - `ARG` whose name says it holds a credential, with or without a default.
    ///
    /// The message never shows the value.
    ///
    /// ## Why is this bad?
    /// `ENV` values are part of the image configuration: anyone who can pull the image reads
    /// them with `docker inspect`. Build arguments are recorded in the image history of every
    /// `RUN` that uses them (`docker history --no-trunc`) and in build provenance. Either way
    /// the credential ships with the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Fix
    /// Pass build credentials as BuildKit secrets (`RUN --mount=type=secret`), and run-time
    /// credentials from the deployment (secret files, an orchestrator's secrets). Revoke any
    /// credential that was already built into an image. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    pub static SECRET_IN_BUILD_CONFIG = {
        code: "SEC001",
        name: "secret-in-build-config",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a credential is passed through `ENV` or `ARG`",
        aliases: [(BuildKit, "SecretsUsedInArgOrEnv"), (CisDocker, "4.10"), (Trivy, "DS-0031")],
    }
}

const HELP: &str =
    "use `RUN --mount=type=secret` for build credentials and runtime secrets for the container";

fn check_arg(arg: &ArgDecl, checker: &mut Checker<'_>) {
    let default = arg.default.as_ref().map(|d| d.get().unwrap_or(&d.raw));
    let message = if let Some(found) = default.and_then(find_credential) {
        format!("`ARG {}` defaults to {} (`{}`)", arg.name, found.kind, redact(found.text))
    } else if is_secret_name(&arg.name) {
        format!("`ARG {}` passes a credential that is recorded in the image history", arg.name)
    } else {
        return;
    };
    checker.report(&SECRET_IN_BUILD_CONFIG, &arg.origin, message).help = Some(HELP.into());
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for arg in &spec.global_args {
        check_arg(arg, checker);
    }
    for stage in &spec.stages {
        for var in &stage.env {
            let value = var.value.get().unwrap_or(&var.value.raw);
            let message = if let Some(found) = find_credential(value) {
                format!(
                    "`ENV {}` holds {} (`{}`), readable in the image configuration",
                    var.name,
                    found.kind,
                    redact(found.text)
                )
            } else if is_secret_name(&var.name) && !value.trim().is_empty() && is_literal_secret(value) {
                format!("`ENV {}` stores a credential in the image configuration", var.name)
            } else {
                continue;
            };
            checker.report(&SECRET_IN_BUILD_CONFIG, &var.origin, message).help = Some(HELP.into());
        }
        for arg in &stage.args {
            check_arg(arg, checker);
        }
    }
}
