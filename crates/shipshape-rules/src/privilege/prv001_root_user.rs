use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;
use crate::describe::quoted;

declare_rule! {
    /// ## What it does
    /// Flags an image whose final stage's effective `USER` is root (`root`, `0`, `root:group`,
    /// `0:0`). Build stages may run as root; only the stage that ships is judged. A `USER` inherited
    /// from a parent stage counts.
    ///
    /// ## Why is this bad?
    /// A process running as root in a container is root on the host as soon as one isolation layer
    /// fails: a kernel bug, a mounted socket, a writable host path, an added capability. Running as
    /// an unprivileged user turns most container escapes into a failed attempt.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY . /app
    /// USER root
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY . /app
    /// USER node
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## Fix
    /// End the final stage with `USER <name or uid>` of an unprivileged user that exists in the
    /// image. Not fixed automatically: the right user depends on the image.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.1 "Ensure that a user for the container has been created"
    /// - CWE-250: Execution with Unnecessary Privileges
    pub static ROOT_USER = {
        code: "PRV001",
        name: "root-user",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the image runs as root",
        aliases: [(Hadolint, "DL3002"), (Checkov, "CKV_DOCKER_8"), (Trivy, "DS-0002"), (Dockle, "CIS-DI-0001"), (CisDocker, "4.1")],
    }
}

/// Whether a `USER` value names root: user `root` or uid `0`, with or without a group.
pub(crate) fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || (!name.is_empty() && name.bytes().all(|b| b == b'0'))
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    let Some(stage) = spec.final_stage() else { return };
    let Some(user) = &stage.user else { return };
    let Some(resolved) = user.get() else { return };
    if is_root_user(resolved) {
        // A built image whose config sets no user runs as the engine default, root.
        let message = if user.raw.trim().is_empty() {
            "the image configures no user, so it runs as root".to_string()
        } else {
            format!("the final stage runs as {}", quoted(user))
        };
        checker.report(&ROOT_USER, &user.origin, message).help =
            Some("switch to an unprivileged user at the end of the final stage, e.g. `USER 10001`".into());
    }
}

#[cfg(test)]
mod tests {
    use super::is_root_user;

    #[test]
    fn recognises_root_spellings() {
        for root in ["root", "0", "root:root", "0:0", "000", " root "] {
            assert!(is_root_user(root), "{root}");
        }
        for other in ["app", "1000", "10001:0", "rooter", "", "r00t"] {
            assert!(!is_root_user(other), "{other}");
        }
    }
}
