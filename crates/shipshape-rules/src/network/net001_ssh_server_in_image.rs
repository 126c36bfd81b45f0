use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;
use crate::shell::Scripts;

declare_rule! {
    /// ## What it does
    /// Flags an image that ships an SSH server: the stage that ships exposes port 22, or a `RUN`
    /// in it installs `openssh-server`, `openssh` (Alpine) or `dropbear`. The finding points at
    /// the port or the package.
    ///
    /// ## Why is this bad?
    /// A container is managed through the engine (`docker exec`, `kubectl exec`), not over SSH.
    /// An SSH daemon is one more network service to patch and attack, brings long-lived
    /// credentials or keys into the image, and usually needs root and an init process.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y openssh-server
    /// EXPOSE 22
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # no SSH server: use `docker exec` or `kubectl exec` to get a shell
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Fix
    /// Remove the SSH server and the exposed port. Not fixed automatically.
    ///
    /// ## References
    /// - Checkov CKV_DOCKER_1 "Ensure port 22 is not exposed"
    pub static SSH_SERVER_IN_IMAGE = {
        code: "NET001",
        name: "ssh-server-in-image",
        layer: Network,
        threat: NetworkAttack,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "the image runs or exposes an SSH server",
        aliases: [(Checkov, "CKV_DOCKER_1"), (Trivy, "DS-0004")],
    }
}

const SSH_SERVERS: &[&str] = &["openssh-server", "openssh", "dropbear", "dropbear-bin"];

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    let Some(stage) = spec.final_stage() else { return };
    for port in &stage.exposed {
        let (Some(first), last) = (port.port, port.port_end) else { continue };
        if port.protocol == "tcp" && first <= 22 && 22 <= last.unwrap_or(first) {
            checker
                .report(&SSH_SERVER_IN_IMAGE, &port.value.origin, "the image exposes the SSH port 22")
                .help = Some("remove `EXPOSE 22`; use `docker exec` or `kubectl exec` for a shell".into());
        }
    }
    for run in scripts.of(stage) {
        for command in &run.script.commands {
            for package in command.packages() {
                if SSH_SERVERS.contains(&package.name.as_str()) {
                    checker
                        .report(
                            &SSH_SERVER_IN_IMAGE,
                            &run.origin(package.word.span),
                            format!("`{}` installs an SSH server in the image", package.name),
                        )
                        .help = Some("do not ship an SSH server; use `docker exec` or `kubectl exec`".into());
                }
            }
        }
    }
}
