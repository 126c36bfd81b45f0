use shipshape_model::{Edit, FileCopy, FileCopyKind, Fix, ImageSpec, Span, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `ADD` whose sources are all local files or directories. `ADD` of a URL or a git
    /// repository, `ADD` with a heredoc, and sources behind unresolved variables are not judged.
    ///
    /// ## Why is this bad?
    /// `ADD` silently unpacks local archives and can fetch remote content; `COPY` does exactly
    /// one thing. Using `ADD` where `COPY` suffices makes a reviewer check for surprises, and a
    /// file that later becomes an archive changes what lands in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD requirements.txt /app/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY requirements.txt /app/
    /// ```
    ///
    /// ## Fix safety
    /// Replacing `ADD` with `COPY` is safe when no source is an archive `ADD` would unpack
    /// (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz`, `.tar.zst`, ...) and no `ADD`-only flag is
    /// used; only then is the fix offered, and it is applied by `--fix`.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.9 "Ensure that COPY is used instead of ADD in Dockerfiles"
    pub static ADD_LOCAL_FILES = {
        code: "IMG003",
        name: "add-local-files",
        layer: Image,
        threat: MaliciousImage,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "ADD used for local files where COPY suffices",
        aliases: [(Hadolint, "DL3020"), (Checkov, "CKV_DOCKER_4"), (Trivy, "DS-0005"), (CisDocker, "4.9")],
    }
}

const ARCHIVE_SUFFIXES: [&str; 13] =
    [".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".xz", ".txz", ".zst", ".tzst", ".lz4", ".lzma", ".z"];
const ADD_ONLY_FLAGS: [&str; 3] = ["checksum", "keep-git-dir", "unpack"];

fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "git@", "git://", "ssh://"].iter().any(|p| lower.starts_with(p))
}

fn is_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for copy in stage.files.iter().filter(|f| f.kind == FileCopyKind::Add) {
            check_add(copy, checker);
        }
    }
}

fn check_add(add: &FileCopy, checker: &mut Checker<'_>) {
    if add.sources.is_empty() || !add.heredocs.is_empty() {
        return;
    }
    let mut resolved = Vec::with_capacity(add.sources.len());
    for source in &add.sources {
        match source.get() {
            Some(s) if !is_remote(s) => resolved.push(s),
            _ => return,
        }
    }
    let archive = resolved.iter().any(|s| is_archive(s));
    let add_only_flag = add.checksum.is_some()
        || add.flags.iter().any(|(name, _)| ADD_ONLY_FLAGS.iter().any(|f| name.eq_ignore_ascii_case(f)));
    let finding = checker.report(
        &ADD_LOCAL_FILES,
        &add.origin,
        if archive {
            "ADD of a local archive unpacks it implicitly".to_string()
        } else {
            "ADD of local files: COPY does the same without ADD's implicit unpacking and downloads"
                .to_string()
        },
    );
    if archive || add_only_flag {
        finding.help = Some(
            "if the archive should be unpacked, keep ADD and say so in a comment; otherwise use COPY".into(),
        );
    } else {
        finding.help = Some("replace ADD with COPY".into());
        let keyword = Span::new(add.origin.span.start, add.origin.span.start + 3);
        finding.fix = Some(Fix::safe(vec![Edit::replace(keyword, "COPY")]));
    }
}

#[cfg(test)]
mod tests {
    use super::{is_archive, is_remote};

    #[test]
    fn classifies_sources() {
        assert!(is_remote("https://example.com/a.tgz"));
        assert!(is_remote("git@github.com:org/repo.git"));
        assert!(!is_remote("./https"));
        assert!(is_archive("rootfs.tar.gz") && is_archive("X.TGZ"));
        assert!(!is_archive("app.py") && !is_archive("dir/"));
    }
}
