use shipshape_model::{ImageFile, ImageFiles, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a regular file of the image's final view that everyone may write to (`-rw-rw-rw-`,
    /// `-rwxrwxrwx`), with the layer that added it. Symbolic links (always `rwxrwxrwx`) and
    /// device nodes are not judged.
    ///
    /// ## Why is this bad?
    /// Any process of the container, whatever its user, can change the file: a world-writable
    /// program or script becomes code that more privileged processes run, a world-writable
    /// configuration becomes settings an attacker chooses.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --chmod=777 entrypoint.sh /usr/local/bin/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY --chmod=755 entrypoint.sh /usr/local/bin/
    /// ```
    ///
    /// ## Fix
    /// Drop the write bit for others (`chmod o-w`). Not fixed automatically.
    ///
    /// ## References
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub static WORLD_WRITABLE_FILE = {
        code: "PRV502",
        name: "world-writable-file",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "a file of the image is world-writable",
        aliases: [],
    }
}

pub(crate) fn matches(file: &ImageFile) -> bool {
    file.kind.is_file() && file.mode & 0o002 != 0 && file.removed_by.is_none()
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    for file in files.files.iter().filter(|f| matches(f)) {
        checker
            .report(
                &WORLD_WRITABLE_FILE,
                &file.origin,
                format!(
                    "`{}` is world-writable ({}), added by {}",
                    file.path,
                    file.mode_string(),
                    files.layer_label(file.layer)
                ),
            )
            .help = Some("drop the write bit for others: `chmod o-w`".into());
    }
    if let Some(more) = files.overflow_of(WORLD_WRITABLE_FILE.code) {
        checker.report(
            &WORLD_WRITABLE_FILE,
            &more.origin,
            format!("{} more world-writable files are not listed", more.count),
        );
    }
}
