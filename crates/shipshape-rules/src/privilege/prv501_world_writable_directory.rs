use shipshape_model::{ImageFile, ImageFileKind, ImageFiles, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a directory of the image's final view that everyone may write to but that lacks
    /// the sticky bit (`drwxrwxrwx` rather than `drwxrwxrwt`, as `/tmp` is), with the layer
    /// that created it.
    ///
    /// ## Why is this bad?
    /// Without the sticky bit any user may delete or rename anyone's files in the directory:
    /// another process of the container (or a compromised one running as a different user) can
    /// replace a program, a configuration or a socket that a more privileged process then trusts.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN mkdir /srv/uploads && chmod 777 /srv/uploads
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN mkdir /srv/uploads && chown app:app /srv/uploads && chmod 750 /srv/uploads
    /// ```
    ///
    /// ## Fix
    /// Give the directory to the user that writes to it (`chown`, `chmod 750`), or add the sticky
    /// bit (`chmod 1777`) when it really is shared scratch space. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub static WORLD_WRITABLE_DIRECTORY = {
        code: "PRV501",
        name: "world-writable-directory",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "a directory of the image is world-writable without the sticky bit",
        aliases: [],
    }
}

pub(crate) fn matches(file: &ImageFile) -> bool {
    file.kind == ImageFileKind::Directory
        && file.mode & 0o002 != 0
        && file.mode & 0o1000 == 0
        && file.removed_by.is_none()
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    for file in files.files.iter().filter(|f| matches(f)) {
        checker
            .report(
                &WORLD_WRITABLE_DIRECTORY,
                &file.origin,
                format!(
                    "directory `{}` is world-writable without the sticky bit ({}), created by {}",
                    file.path,
                    file.mode_string(),
                    files.layer_label(file.layer)
                ),
            )
            .help = Some("give it to its user and `chmod 750`, or add the sticky bit (`chmod 1777`)".into());
    }
    if let Some(more) = files.overflow_of(WORLD_WRITABLE_DIRECTORY.code) {
        checker.report(
            &WORLD_WRITABLE_DIRECTORY,
            &more.origin,
            format!("{} more world-writable directories are not listed", more.count),
        );
    }
}
