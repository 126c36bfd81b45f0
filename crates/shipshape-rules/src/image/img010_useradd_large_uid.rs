use shipshape_model::declare_rule;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags `useradd -u <uid>` with a large UID (above 65535) and without `-l`/`--no-log-init`.
    /// The finding points at the UID.
    ///
    /// ## Why is this bad?
    /// `useradd` records the new user in `/var/log/lastlog` and `/var/log/faillog`, files indexed
    /// by UID. With a large UID they become sparse files of gigabytes; image layers do not keep
    /// files sparse, so the build writes them out in full and may exhaust the disk.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN useradd -u 123456789 app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN useradd --no-log-init -u 123456789 app
    /// ```
    ///
    /// ## Fix
    /// Add `-l` (`--no-log-init`). Not fixed automatically.
    ///
    /// ## References
    /// - useradd(8), `-l, --no-log-init`
    pub static USERADD_LARGE_UID = {
        code: "IMG010",
        name: "useradd-large-uid",
        layer: Image,
        threat: ResourceExhaustion,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "`useradd` with a large UID writes huge log files",
        aliases: [(Hadolint, "DL3046")],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    for useradd in run.commands(&["useradd"]) {
        let options = useradd.options();
        if options.iter().any(|o| o.name == "-l" || o.name == "--no-log-init") {
            continue;
        }
        for option in options.iter().filter(|o| o.name == "-u" || o.name == "--uid") {
            let Some(uid) = option.value.as_deref().and_then(|v| v.parse::<u64>().ok()) else { continue };
            if uid > 65_535 {
                let span = option.value_word.map_or(option.word.span, |w| w.span);
                checker
                    .report(
                        &USERADD_LARGE_UID,
                        &run.origin(span),
                        format!("`useradd -u {uid}` without `-l` fills `/var/log/lastlog` up to that UID"),
                    )
                    .help = Some("add `--no-log-init`".into());
            }
        }
    }
}
