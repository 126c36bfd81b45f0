use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;
use crate::shell::Scripts;

declare_rule! {
    /// ## What it does
    /// Flags a build step that sets the setuid or setgid bit: `chmod u+s`, `chmod g+s` on a
    /// file, `chmod +s`, `chmod 4755`, `chmod 2755`, and `COPY --chmod=4755`. Setgid on a
    /// directory is common and harmless but cannot be told apart from a file here, so `g+s`
    /// counts too. The finding points at the mode.
    ///
    /// ## Why is this bad?
    /// A setuid program runs as its owner, usually root, whoever starts it. Any bug in it (or
    /// in how it handles its environment) lets an unprivileged process in the container become
    /// root, which is one step from the host when other defences are off.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN chmod u+s /usr/local/bin/helper
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # grant the one capability the helper needs at run time instead
    /// RUN setcap cap_net_bind_service=+ep /usr/local/bin/helper
    /// ```
    ///
    /// ## Fix
    /// Remove the bit; run the program as the user it needs, or give it a file capability.
    /// Consider also running containers with `no-new-privileges`. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - CIS Docker Benchmark 4.8 "Ensure setuid and setgid permissions are removed"
    pub static SETUID_BIT_SET = {
        code: "PRV006",
        name: "setuid-bit-set",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a build step makes a program setuid or setgid",
        aliases: [(CisDocker, "4.8")],
    }
}

/// Whether a chmod mode sets the setuid or setgid bit.
pub(crate) fn sets_id_bit(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return u32::from_str_radix(mode, 8).is_ok_and(|bits| mode.len() >= 4 && bits & 0o6000 != 0);
    }
    mode.split(',').any(|clause| {
        clause.find(['+', '=']).is_some_and(|at| clause.get(at + 1..).is_some_and(|p| p.contains('s')))
    })
}

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for file in &stage.files {
            let Some(chmod) = &file.chmod else { continue };
            if chmod.get().is_some_and(sets_id_bit) {
                checker
                    .report(
                        &SETUID_BIT_SET,
                        &chmod.origin,
                        format!("`--chmod={}` makes the files setuid or setgid", chmod.raw),
                    )
                    .help = Some("drop the setuid/setgid bit".into());
            }
        }
        for run in scripts.of(stage) {
            for chmod in run.commands(&["chmod"]) {
                let Some(mode) = chmod.operands().into_iter().find(|w| !w.value.starts_with('-')) else {
                    continue;
                };
                let Some(text) = mode.as_str() else { continue };
                if sets_id_bit(text) {
                    checker
                        .report(
                            &SETUID_BIT_SET,
                            &run.origin(mode.span),
                            format!("`chmod {text}` makes a program setuid or setgid"),
                        )
                        .help = Some("drop the setuid/setgid bit; use a file capability if needed".into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sets_id_bit;

    #[test]
    fn modes() {
        for yes in ["4755", "2755", "6755", "u+s", "+s", "g+s", "u=rwxs"] {
            assert!(sets_id_bit(yes), "{yes}");
        }
        for no in ["755", "0755", "1777", "u-s", "a+rx", "u+x"] {
            assert!(!sets_id_bit(no), "{no}");
        }
    }
}
