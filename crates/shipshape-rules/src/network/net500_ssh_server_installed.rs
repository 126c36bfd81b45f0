use shipshape_model::{ImageFile, ImageFiles, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an SSH server in the image's final view: an `sshd` or `dropbear` executable, or,
    /// when no such file is found, an installed `openssh-server`, `openssh` (Alpine's
    /// meta-package pulls in the server) or `dropbear` package. The finding names the layer
    /// that added it. `ssh-server-in-image` judges the Dockerfile; this rule judges what the
    /// image really holds, whatever built it.
    ///
    /// ## Why is this bad?
    /// A container is managed through the engine (`docker exec`, `kubectl exec`), not over SSH.
    /// An SSH daemon is one more network service to patch and attack, usually comes with host
    /// keys baked into the image (the same in every container) and long-lived credentials, and
    /// needs root and an init process.
    ///
    /// ## Example
    /// ```text
    /// -rwxr-xr-x 0:0 1011328 layer 2 /usr/sbin/sshd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # no SSH server: `docker exec` or `kubectl exec` for a shell
    /// RUN apt-get purge -y openssh-server
    /// ```
    ///
    /// ## Fix
    /// Remove the SSH server from the image. Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.6 "Ensure sshd is not run within containers"
    pub static SSH_SERVER_INSTALLED = {
        code: "NET500",
        name: "ssh-server-installed",
        layer: Network,
        threat: NetworkAttack,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "the image holds an SSH server",
        aliases: [(CisDocker, "5.6")],
    }
}

const PACKAGES: &[&str] = &["openssh-server", "openssh", "dropbear", "dropbear-bin"];

/// Whether an installed package named `name` is an SSH server.
pub(crate) fn is_server_package(name: &str) -> bool {
    PACKAGES.contains(&name)
}

pub(crate) fn matches(file: &ImageFile) -> bool {
    file.kind.is_file()
        && file.mode & 0o111 != 0
        && file.removed_by.is_none()
        && matches!(file.name(), "sshd" | "dropbear")
        && matches!(file.path.rsplit('/').nth(1), Some("sbin" | "bin"))
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    let mut reported = false;
    for file in files.files.iter().filter(|f| matches(f)) {
        reported = true;
        checker
            .report(
                &SSH_SERVER_INSTALLED,
                &file.origin,
                format!(
                    "SSH server `{}` ships in the image, added by {}",
                    file.path,
                    files.layer_label(file.layer)
                ),
            )
            .help = Some("remove the SSH server; use `docker exec` or `kubectl exec`".into());
    }
    if reported {
        return;
    }
    for package in files.packages.iter().filter(|p| is_server_package(&p.name)) {
        checker
            .report(
                &SSH_SERVER_INSTALLED,
                &package.origin,
                format!(
                    "SSH server package `{}` {} is installed, by {}",
                    package.name,
                    package.version,
                    files.layer_label(package.layer)
                ),
            )
            .help = Some("remove the SSH server; use `docker exec` or `kubectl exec`".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::RuleSettings;
    use shipshape_model::{ImageFileKind, ImagePackage, Origin, Span};

    fn origin(line: u32) -> Origin {
        Origin::new("img!/files".into(), Span::new(line, line + 1))
    }

    #[test]
    fn a_package_counts_when_no_server_binary_is_found() {
        let package = ImagePackage {
            name: "openssh-server".into(),
            version: "1:9.2p1-2".into(),
            layer: 1,
            origin: origin(1),
        };
        let mut files = ImageFiles { packages: vec![package], ..ImageFiles::default() };
        let settings = RuleSettings::default();
        let all = |_: &shipshape_model::RuleMeta| true;
        let mut checker = Checker::new(&settings, &all);
        check(&files, &mut checker);
        let findings = checker.into_findings();
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains("`openssh-server` 1:9.2p1-2 is installed, by layer 1"),
            "{}",
            findings[0].message
        );

        files.files.push(ImageFile {
            path: "/usr/sbin/sshd".into(),
            kind: ImageFileKind::Regular,
            mode: 0o755,
            uid: 0,
            gid: 0,
            size: 10,
            layer: 1,
            removed_by: None,
            notes: Vec::new(),
            origin: origin(2),
        });
        let mut checker = Checker::new(&settings, &all);
        check(&files, &mut checker);
        let findings = checker.into_findings();
        assert_eq!(findings.len(), 1, "the binary is reported, not the package too");
        assert_eq!(findings[0].location.span, Span::new(2, 3));
    }
}
