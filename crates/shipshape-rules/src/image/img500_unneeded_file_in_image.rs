use shipshape_model::{ImageFile, ImageFileKind, ImageFiles, Severity, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags files that belong to a source tree or an editor, not to an image, in any layer:
    /// version-control directories (`.git`, `.svn`, `.hg`), editor folders (`.vscode`,
    /// `.idea`), editor swap files (`*.swp`, `*.swo`), `.DS_Store`, and build files (`Dockerfile`,
    /// `*.Dockerfile`, `.dockerignore`). A `.git` directory is medium severity, the rest low.
    /// Files a later layer deleted count too: the lower layer still carries them.
    ///
    /// ## Why is this bad?
    /// A `.git` directory carries the project's whole history, including every secret ever
    /// committed and later removed, and the remote's URL (sometimes with a token). Editor and
    /// build files show internal paths, build arguments and tooling, and make the image larger.
    /// They arrive by `COPY . .` without a `.dockerignore`.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # .dockerignore lists .git, .vscode, .idea, *.swp, Dockerfile
    /// COPY . /app
    /// ```
    ///
    /// ## Fix
    /// List the files in `.dockerignore` (or copy only what the application needs) and rebuild.
    /// Not fixed automatically.
    ///
    /// ## References
    /// - CWE-527: Exposure of Version-Control Repository to an Unauthorized Control Sphere
    /// - Dockle DKL-LI-0003 "Only put necessary files"
    pub static UNNEEDED_FILE_IN_IMAGE = {
        code: "IMG500",
        name: "unneeded-file-in-image",
        layer: Image,
        threat: SecretExposure,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "a source-control, editor or build file ships in the image",
        aliases: [(Dockle, "DKL-LI-0003")],
    }
}

const VCS_DIRS: &[&str] = &[".git", ".svn", ".hg"];
const EDITOR_DIRS: &[&str] = &[".vscode", ".idea"];

/// What `file` is, when it should not ship. Only the top of a tree counts (`.git`, not
/// `.git/config`).
fn unneeded(file: &ImageFile) -> Option<&'static str> {
    let parents = file.path.rsplit('/').skip(1);
    if parents.clone().any(|p| VCS_DIRS.contains(&p) || EDITOR_DIRS.contains(&p)) {
        return None;
    }
    let name = file.name();
    let is_dir = file.kind == ImageFileKind::Directory;
    if VCS_DIRS.contains(&name) && (is_dir || name == ".git") {
        return Some("a version-control directory");
    }
    if EDITOR_DIRS.contains(&name) && is_dir {
        return Some("an editor folder");
    }
    if !file.kind.is_file() {
        return None;
    }
    if name.ends_with(".swp") || name.ends_with(".swo") {
        return Some("an editor swap file");
    }
    if name == ".DS_Store" {
        return Some("a macOS folder file");
    }
    if name == "Dockerfile"
        || name.ends_with(".Dockerfile")
        || name.starts_with("Dockerfile.")
        || name == ".dockerignore"
    {
        return Some("a build file");
    }
    None
}

pub(crate) fn matches(file: &ImageFile) -> bool {
    unneeded(file).is_some()
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    for file in &files.files {
        let Some(kind) = unneeded(file) else { continue };
        let finding = checker.report(
            &UNNEEDED_FILE_IN_IMAGE,
            &file.origin,
            format!(
                "`{}` is {kind}, added by {}{}",
                file.path,
                files.layer_label(file.layer),
                ImageFiles::removal_note(file)
            ),
        );
        if kind == "a version-control directory" {
            finding.severity = Severity::Medium;
        }
        finding.help = Some("list it in `.dockerignore` and rebuild".into());
    }
    if let Some(more) = files.overflow_of(UNNEEDED_FILE_IN_IMAGE.code) {
        checker.report(
            &UNNEEDED_FILE_IN_IMAGE,
            &more.origin,
            format!("{} more unneeded files are not listed", more.count),
        );
    }
}
