use shipshape_model::{ImageFile, ImageFiles, Severity, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Lists every setuid or setgid file in the final view of an image, with its owner, mode and
    /// the layer that added it. Programs a distribution ships setuid for a reason (`su`,
    /// `passwd`, `mount`, `chsh`, `unix_chkpwd`, ...) in a system directory are reported at low
    /// severity so the list stays complete; anything else is medium. Setgid directories are not
    /// reported. Files a later layer deleted cannot run and are left out.
    ///
    /// ## Why is this bad?
    /// A setuid program runs as its owner, usually root, whoever starts it. A bug in any of
    /// them (or in how it handles its environment) turns a foothold in the container into root,
    /// unless the container runs with `no-new-privileges`. Few containers need any of them.
    ///
    /// ## Example
    /// ```text
    /// -rwsr-xr-x 0:0 59976 layer 0 /usr/bin/passwd
    /// -rwsr-xr-x 0:0 18736 layer 2 /usr/local/bin/helper
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +
    /// ```
    ///
    /// ## Fix
    /// Remove the bits (`chmod a-s`) or the programs, or run containers with
    /// `--security-opt no-new-privileges`. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - CIS Docker Benchmark 4.8 "Ensure setuid and setgid permissions are removed"
    /// - Dockle CIS-DI-0008 "Confirm safety of setuid/setgid files"
    pub static SETUID_FILE = {
        code: "PRV500",
        name: "setuid-file",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "the image holds a setuid or setgid file",
        aliases: [(Dockle, "CIS-DI-0008"), (CisDocker, "4.8")],
    }
}

/// Programs distributions ship setuid or setgid on purpose.
const EXPECTED: &[&str] = &[
    "su",
    "passwd",
    "mount",
    "umount",
    "chsh",
    "chfn",
    "gpasswd",
    "newgrp",
    "expiry",
    "chage",
    "unix_chkpwd",
    "ssh-agent",
    "ssh-keysign",
    "wall",
    "write",
    "bsd-write",
    "crontab",
    "dotlockfile",
    "ping",
    "ping6",
    "fusermount",
    "fusermount3",
    "dbus-daemon-launch-helper",
    "utempter",
];

const SYSTEM_DIRS: &[&str] =
    &["/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/lib/", "/usr/libexec/", "/lib/"];

pub(crate) fn matches(file: &ImageFile) -> bool {
    file.kind.is_file() && file.mode & 0o6000 != 0 && file.removed_by.is_none()
}

fn is_expected(file: &ImageFile) -> bool {
    file.uid == 0
        && EXPECTED.contains(&file.name())
        && SYSTEM_DIRS.iter().any(|dir| file.path.starts_with(dir))
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    for file in files.files.iter().filter(|f| matches(f)) {
        let bits = match (file.mode & 0o4000 != 0, file.mode & 0o2000 != 0) {
            (true, true) => format!("setuid (uid {}) and setgid (gid {})", file.uid, file.gid),
            (true, false) if file.uid == 0 => "setuid root".to_owned(),
            (true, false) => format!("setuid (uid {})", file.uid),
            _ => format!("setgid (gid {})", file.gid),
        };
        let expected = is_expected(file);
        let finding = checker.report(
            &SETUID_FILE,
            &file.origin,
            format!(
                "`{}` is {bits} ({}), added by {}{}",
                file.path,
                file.mode_string(),
                files.layer_label(file.layer),
                if expected { "; a distribution default" } else { "" }
            ),
        );
        if expected {
            finding.severity = Severity::Low;
        }
        finding.help = Some(
            "remove the bit (`chmod a-s`) unless the container needs it; run with no-new-privileges".into(),
        );
    }
    if let Some(more) = files.overflow_of(SETUID_FILE.code) {
        checker.report(
            &SETUID_FILE,
            &more.origin,
            format!("{} more setuid or setgid files are not listed", more.count),
        );
    }
}
