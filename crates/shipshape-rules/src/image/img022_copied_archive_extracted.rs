use shipshape_model::{FileCopyKind, ImageSpec, declare_rule};

use crate::context::Checker;
use crate::shell::Scripts;

/// The archive suffixes `ADD` unpacks by itself (tar, plain or compressed).
const TAR_SUFFIXES: &[&str] = &[".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz"];

declare_rule! {
    /// ## What it does
    /// Flags a `COPY` of a local tar archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz`,
    /// ...) that a later `RUN` of the same stage unpacks with `tar -x`. The finding points at
    /// the `COPY`. Zip files and remote files are not flagged: `ADD` does not unpack them.
    ///
    /// ## Why is this bad?
    /// The archive stays in the `COPY` layer even after it is unpacked and deleted, so the image
    /// carries the software twice. `ADD` unpacks a local tar archive in one step and one layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ADD app.tar.gz /opt/
    /// ```
    ///
    /// ## Fix
    /// `ADD` the archive to the directory it is unpacked into, or unpack it in a build stage and
    /// `COPY --from` the result. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `ADD` ("local tar archives are unpacked")
    pub static COPIED_ARCHIVE_EXTRACTED = {
        code: "IMG022",
        name: "copied-archive-extracted",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: None,
        summary: "a copied archive is unpacked by a later step and stays in the image",
        aliases: [(Hadolint, "DL3010")],
    }
}

fn basename(path: &str) -> &str {
    let path = path.trim_matches(['"', '\'']);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn is_tar_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TAR_SUFFIXES.iter().any(|s| lower.ends_with(s) && lower.len() > s.len())
}

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for copy in stage.files.iter().filter(|f| f.kind == FileCopyKind::Copy && f.from.is_none()) {
            let destination = copy.destination.get().unwrap_or(&copy.destination.raw);
            let mut archives: Vec<&str> = copy
                .sources
                .iter()
                .map(|s| basename(s.get().unwrap_or(&s.raw)))
                .filter(|name| is_tar_archive(name))
                .collect();
            if is_tar_archive(basename(destination)) {
                archives.push(basename(destination));
            }
            if archives.is_empty() {
                continue;
            }
            let extracted = scripts
                .of(stage)
                .iter()
                .filter(|r| r.run.origin.span.start > copy.origin.span.start)
                .find_map(|run| {
                    run.commands(&["tar"]).find_map(|tar| {
                        let args = tar.parse_args();
                        let extracts = args.has(&["-x", "--extract", "--get"])
                            || args.positionals.first().is_some_and(|w| {
                                let t = w.value.as_str();
                                !t.starts_with('-')
                                    && t.contains('x')
                                    && t.chars().all(|c| c.is_ascii_alphabetic())
                            });
                        let names: Vec<&str> =
                            tar.command_args().iter().map(|w| basename(&w.value)).collect();
                        let archive = archives.iter().find(|a| {
                            names
                                .iter()
                                .any(|n| n == *a || n.strip_prefix("-f").is_some_and(|rest| rest == **a))
                        })?;
                        extracts.then_some(*archive)
                    })
                });
            if let Some(archive) = extracted {
                checker
                    .report(
                        &COPIED_ARCHIVE_EXTRACTED,
                        &copy.origin,
                        format!("`{archive}` is copied and then unpacked, so the image keeps both"),
                    )
                    .help = Some(format!("`ADD {archive} <directory>/` unpacks it in one layer"));
            }
        }
    }
}
