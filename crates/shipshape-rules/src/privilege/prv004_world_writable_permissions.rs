use shipshape_model::{FileCopy, ImageSpec, declare_rule};

use crate::context::Checker;
use crate::shell::Scripts;

declare_rule! {
    /// ## What it does
    /// Flags permissions that let every user write: `chmod 777`, `chmod -R 666 /app`,
    /// `chmod a+w`, `chmod o+rwx` in a `RUN`, and `COPY --chmod=777`/`ADD --chmod=...` that
    /// give others write access. Sticky directories (`1777`, `+t`, as `/tmp` has) are not
    /// flagged. The finding points at the mode.
    ///
    /// ## Why is this bad?
    /// Any process in the container, whatever its user, can then replace the files: a
    /// compromised low-privilege process rewrites scripts or binaries that a more privileged
    /// one (root, a cron job, the entrypoint) later runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN chmod -R 777 /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN chown -R app:app /app/data && chmod -R u=rwX,go=rX /app
    /// ```
    ///
    /// ## Fix
    /// Give write access to the owning user (and group) only, and only where the application
    /// writes. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub static WORLD_WRITABLE_PERMISSIONS = {
        code: "PRV004",
        name: "world-writable-permissions",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "files are made writable by every user",
        aliases: [],
    }
}

/// Whether a chmod mode (octal or symbolic) gives others write access without the sticky bit.
pub(crate) fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let Ok(bits) = u32::from_str_radix(mode, 8) else { return false };
        return bits & 0o002 != 0 && bits & 0o1000 == 0;
    }
    // Symbolic: `a+w`, `o+rwx`, `+w` (umask-dependent, but usually not others), `ugo=rwx`.
    let mut writable = false;
    for clause in mode.split(',') {
        let Some(at) = clause.find(['+', '=']) else { continue };
        let (who, perms) = clause.split_at(at);
        let others = who.contains(['a', 'o']);
        if others && perms.get(1..).is_some_and(|p| p.contains('w')) {
            writable = true;
        }
        if perms.contains('t') {
            return false;
        }
    }
    writable
}

fn check_copy(file: &FileCopy, checker: &mut Checker<'_>) {
    let Some(chmod) = &file.chmod else { return };
    let Some(mode) = chmod.get() else { return };
    if world_writable(mode) {
        checker
            .report(
                &WORLD_WRITABLE_PERMISSIONS,
                &chmod.origin,
                format!("`--chmod={mode}` lets every user write the files"),
            )
            .help = Some("drop write access for others, e.g. `--chmod=755` or `--chmod=644`".into());
    }
}

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for file in &stage.files {
            check_copy(file, checker);
        }
        for run in scripts.of(stage) {
            for chmod in run.commands(&["chmod"]) {
                let Some(mode) = chmod.operands().into_iter().find(|w| !w.value.starts_with('-')) else {
                    continue;
                };
                let Some(text) = mode.as_str() else { continue };
                if world_writable(text) {
                    checker
                        .report(
                            &WORLD_WRITABLE_PERMISSIONS,
                            &run.origin(mode.span),
                            format!("`chmod {text}` lets every user write the files"),
                        )
                        .help = Some("give write access to the owner only, e.g. `chmod 755`".into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn modes() {
        for yes in ["777", "0777", "666", "2777", "a+w", "o+rwx", "ugo=rwx", "u+x,o+w"] {
            assert!(world_writable(yes), "{yes}");
        }
        for no in ["755", "644", "1777", "0775", "u+w", "g+w", "+x", "a+rx", "a+rwxt", "o-w"] {
            assert!(!world_writable(no), "{no}");
        }
    }
}
