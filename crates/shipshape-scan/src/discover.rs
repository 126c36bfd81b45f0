//! Finding targets: walking directories (honouring `.gitignore`, like ripgrep) and deciding which
//! front end reads each file.

use std::path::{Path, PathBuf};

/// A file to scan and the front end that claimed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    pub path: PathBuf,
    /// Index into the front-end registry.
    pub frontend: usize,
    /// Named on the command line (scanned even if no front end claims its name).
    pub explicit: bool,
    /// A container image (an image archive or an OCI layout directory), read by
    /// [`crate::image_audit`] rather than by a front end.
    pub image: bool,
}

/// A path that could not be walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// How front ends claim files: by name, or by the first bytes of a file with an extension that
/// may hold configuration of several kinds (`.json`, `.yaml`, `.yml`).
pub struct Claims<'a> {
    pub by_name: &'a dyn Fn(&str) -> Option<usize>,
    pub by_content: &'a dyn Fn(&str, &str) -> Option<usize>,
    /// The front end for a file in a walked directory that neither claims (the text files read
    /// for secrets), by file name.
    pub unclaimed: &'a dyn Fn(&str) -> Option<usize>,
    /// Find container images: image archives (`*.tar` in walked directories, any file named on
    /// the command line) and OCI layout directories, claimed by content.
    pub images: bool,
}

/// Bytes read to decide what a `.json`/`.yaml` file is.
pub const SNIFF_LEN: usize = 8 * 1024;

/// Extensions whose files are sniffed when no front end claims their name.
const SNIFFED_EXTENSIONS: [&str; 3] = ["json", "yaml", "yml"];

/// Walks `roots`. A root that is a file is always returned (with `fallback` as its front end when
/// no front end claims it); files inside directories only when a front end claims them.
/// `.gitignore`, `.ignore` and hidden-file rules apply inside directories, as in ripgrep.
pub fn discover(
    roots: &[PathBuf],
    claims: &Claims<'_>,
    fallback: usize,
) -> (Vec<Discovered>, Vec<WalkError>) {
    discover_with(roots, claims, &|_: &Path| fallback)
}

/// [`discover`], with the front end of an explicitly named file nothing claims chosen by
/// `fallback` (which may look at the file).
pub fn discover_with(
    roots: &[PathBuf],
    claims: &Claims<'_>,
    fallback: &dyn Fn(&Path) -> usize,
) -> (Vec<Discovered>, Vec<WalkError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(_) if claims.images && shipshape_image::Image::probe(root) => {
                found.push(Discovered { path: root.clone(), frontend: 0, explicit: true, image: true });
            }
            Ok(meta) if meta.is_file() => {
                let frontend = claim_file(root, claims).unwrap_or_else(|| fallback(root));
                found.push(Discovered { path: root.clone(), frontend, explicit: true, image: false });
            }
            Ok(_) => walk_dir(root, claims, &mut found, &mut errors),
            Err(e) => errors.push(WalkError { path: root.clone(), message: e.to_string() }),
        }
    }
    (found, errors)
}

fn claim_file(path: &Path, claims: &Claims<'_>) -> Option<usize> {
    let name = file_name(path)?;
    if let Some(frontend) = (claims.by_name)(name) {
        return Some(frontend);
    }
    let extension = path.extension().and_then(|e| e.to_str())?.to_ascii_lowercase();
    if !SNIFFED_EXTENSIONS.contains(&extension.as_str()) {
        return None;
    }
    let head = read_head(path)?;
    (claims.by_content)(name, &head)
}

/// The first bytes of a file, as text.
pub fn read_head(path: &Path) -> Option<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut buffer = Vec::with_capacity(SNIFF_LEN);
    file.take(SNIFF_LEN as u64).read_to_end(&mut buffer).ok()?;
    Some(String::from_utf8_lossy(&buffer).into_owned())
}

/// Whether a walked file may be an image archive worth opening.
fn may_be_image_archive(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("tar"))
}

fn walk_dir(root: &Path, claims: &Claims<'_>, found: &mut Vec<Discovered>, errors: &mut Vec<WalkError>) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder.require_git(false).follow_links(false);
    // An OCI layout directory is one image: claimed whole, its blobs never walked.
    let layouts = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    if claims.images {
        let seen = layouts.clone();
        builder.filter_entry(move |entry| {
            let layout = entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_dir())
                && entry.path().join("oci-layout").is_file();
            if layout {
                seen.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(entry.path().to_path_buf());
            }
            !layout
        });
    }
    let mut local = Vec::new();
    for entry in builder.build() {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                if claims.images
                    && may_be_image_archive(entry.path())
                    && shipshape_image::Image::probe(entry.path())
                {
                    local.push(Discovered {
                        path: entry.into_path(),
                        frontend: 0,
                        explicit: false,
                        image: true,
                    });
                    continue;
                }
                let frontend = claim_file(entry.path(), claims)
                    .or_else(|| file_name(entry.path()).and_then(|name| (claims.unclaimed)(name)));
                if let Some(frontend) = frontend {
                    local.push(Discovered {
                        path: entry.into_path(),
                        frontend,
                        explicit: false,
                        image: false,
                    });
                }
            }
            Err(e) => {
                let path = error_path(&e).unwrap_or_else(|| root.to_path_buf());
                errors.push(WalkError { path, message: e.to_string() });
            }
        }
    }
    let layouts = std::mem::take(&mut *layouts.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    local.extend(layouts.into_iter().map(|path| Discovered {
        path,
        frontend: 0,
        explicit: false,
        image: true,
    }));
    local.sort_by(|a, b| a.path.cmp(&b.path));
    found.extend(local);
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

/// Whether a file name is a Dockerfile by convention: `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`,
/// `*.dockerfile`, `Containerfile`, `Containerfile.*` (case-insensitive), but not the
/// `Dockerfile.dockerignore` files BuildKit pairs with them, nor documentation about them.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore")
        || lower.ends_with(".md")
        || lower.ends_with(".orig")
        || lower.ends_with(".rej")
    {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower.strip_prefix(base).is_some_and(|rest| rest.starts_with('.') && rest.len() > 1)
            || lower.strip_suffix(base).is_some_and(|rest| rest.ends_with('.') && rest.len() > 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.prod",
            "api.Dockerfile",
            "web.dockerfile",
            "Containerfile",
            "Containerfile.dev",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "Dockerfile.md",
            "Dockerfiles",
            "dockerfile.",
            ".dockerfile",
            "mydockerfile",
            "docker-compose.yml",
            "Dockerfile.orig",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn walks_respecting_gitignore_and_keeps_explicit_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("svc/api")).expect("mkdir");
        std::fs::create_dir_all(root.join("build")).expect("mkdir");
        std::fs::write(root.join("svc/api/Dockerfile"), "FROM a\n").expect("write");
        std::fs::write(root.join("svc/web.dockerfile"), "FROM a\n").expect("write");
        std::fs::write(root.join("build/Dockerfile"), "FROM a\n").expect("write");
        std::fs::write(root.join("notes.txt"), "x").expect("write");
        std::fs::write(root.join(".gitignore"), "build/\n").expect("write");
        std::fs::write(root.join("svc/inspect.json"), "[{\"Id\": \"x\", \"HostConfig\": {}}]")
            .expect("write");
        std::fs::write(root.join("svc/package.json"), "{\"name\": \"x\"}").expect("write");
        let by_name = |name: &str| is_dockerfile_name(name).then_some(0);
        let by_content = |_: &str, head: &str| head.contains("HostConfig").then_some(1);
        let claims =
            Claims { by_name: &by_name, by_content: &by_content, unclaimed: &|_| None, images: false };
        let (found, errors) = discover(&[root.to_path_buf(), root.join("notes.txt")], &claims, 7);
        assert!(errors.is_empty(), "{errors:?}");
        let rel: Vec<(String, usize, bool)> = found
            .iter()
            .map(|d| {
                let p = d.path.strip_prefix(root).unwrap_or(&d.path).to_string_lossy().replace('\\', "/");
                (p, d.frontend, d.explicit)
            })
            .collect();
        assert_eq!(
            rel,
            vec![
                ("svc/api/Dockerfile".to_string(), 0, false),
                ("svc/inspect.json".to_string(), 1, false),
                ("svc/web.dockerfile".to_string(), 0, false),
                ("notes.txt".to_string(), 7, true),
            ]
        );
    }

    #[test]
    fn missing_root_is_an_error_not_a_panic() {
        let none = |_: &str| None;
        let none_by_content = |_: &str, _: &str| None;
        let claims =
            Claims { by_name: &none, by_content: &none_by_content, unclaimed: &|_| None, images: false };
        let (found, errors) = discover(&[PathBuf::from("/nonexistent/shipshape/x")], &claims, 0);
        assert!(found.is_empty());
        assert_eq!(errors.len(), 1);
    }
}
