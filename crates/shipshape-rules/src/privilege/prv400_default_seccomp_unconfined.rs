use shipshape_model::{EngineConfig, SeccompDefault, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon whose containers get no seccomp filter unless they bring their own:
    /// `name=seccomp,profile=unconfined` in `docker info`'s `SecurityOptions`, daemon.json
    /// `"seccomp-profile": "unconfined"` (Docker 23 and later), or a Linux daemon that lists no
    /// seccomp support at all (a kernel or build without seccomp, where no container can be
    /// filtered). A custom default profile is not flagged.
    ///
    /// ## Why is this bad?
    /// Docker's default profile blocks about 50 rarely needed system calls (`keyctl`, `bpf`,
    /// `unshare`, `mount`, `kexec_load`, ...) that account for a large share of the kernel
    /// exploits used to escape containers. Switching it off daemon-wide removes that layer from
    /// every container at once, including ones whose authors never asked for it.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "seccomp-profile": "unconfined"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "seccomp-profile": "builtin"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Remove `seccomp-profile` (or set `builtin`, or a custom profile file that allows what
    /// your workloads need) and restart the daemon. Containers that truly need a call the
    /// default blocks can run with their own profile (`--security-opt seccomp=profile.json`).
    /// Without seccomp support, use a kernel and a Docker build that have it.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.17 "Ensure that a daemon-wide custom seccomp profile is applied if appropriate"
    /// - Docker documentation, "Seccomp security profiles for Docker"
    pub static DEFAULT_SECCOMP_UNCONFINED = {
        code: "PRV400",
        name: "default-seccomp-unconfined",
        layer: Privilege,
        threat: ContainerEscape,
        asset: Host,
        severity: High,
        fix: None,
        summary: "containers run without a seccomp filter by default",
        aliases: [(CisDocker, "2.17")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(seccomp) = &config.seccomp else { return };
    let message = match &seccomp.value {
        SeccompDefault::Unconfined => {
            "the default seccomp profile is `unconfined`: containers reach every system call unless they bring a profile"
        }
        SeccompDefault::Unsupported => {
            "the daemon reports no seccomp support: no container can be confined by a seccomp filter"
        }
        SeccompDefault::Builtin | SeccompDefault::Custom(_) => return,
    };
    checker.report(&DEFAULT_SECCOMP_UNCONFINED, &seccomp.origin, message).help =
        Some("use the built-in default profile (remove `seccomp-profile`) or a custom profile".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{run, set, starts, unknown};

    #[test]
    fn flags_unconfined_and_unsupported() {
        let mut config = unknown();
        assert!(run(&DEFAULT_SECCOMP_UNCONFINED, &config).is_empty());
        for clean in [SeccompDefault::Builtin, SeccompDefault::Custom("/etc/docker/seccomp.json".into())] {
            config.seccomp = Some(set(clean, 2));
            assert!(run(&DEFAULT_SECCOMP_UNCONFINED, &config).is_empty());
        }
        for bad in [SeccompDefault::Unconfined, SeccompDefault::Unsupported] {
            config.seccomp = Some(set(bad, 2));
            assert_eq!(starts(&run(&DEFAULT_SECCOMP_UNCONFINED, &config)), [2]);
        }
    }
}
