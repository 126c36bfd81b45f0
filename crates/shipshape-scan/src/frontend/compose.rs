//! The Compose front end: a Compose project (main file, override, `extends`, `include`, `.env`,
//! `env_file`s) lowered to a `Deployment`, each service's `build:` linked to its Dockerfile.

use shipshape_compose::discover::{DEFAULT_FILE_NAMES, OVERRIDE_FILE_NAMES};
use shipshape_compose::fs::{FileSystem, OS_FS};
use shipshape_compose::{LoadOptions, is_compose_file_name, load_project, process_env};
use shipshape_model::general::PARSE_ERROR;
use shipshape_model::{SourceFile, Workload};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::yaml_pragmas::scope_pragmas;
use super::{Frontend, FrontendContext, FrontendOutput, check_workloads};
use crate::read;

/// Compose files.
pub struct ComposeFrontend;

/// Largest Dockerfile read through a `build:` link.
const MAX_LINKED_DOCKERFILE: u64 = 8 * 1024 * 1024;

/// The real file system, except that the file being scanned is served from the text already read
/// (standard input has no file; a file may have changed since).
struct Overlay<'a> {
    path: &'a Path,
    text: &'a str,
}

impl FileSystem for Overlay<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if path == self.path { Ok(self.text.as_bytes().to_vec()) } else { OS_FS.read(path) }
    }

    fn is_file(&self, path: &Path) -> bool {
        path == self.path || OS_FS.is_file(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        OS_FS.is_dir(path)
    }
}

fn lower_name(path: &Path) -> String {
    path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase()
}

/// The files `docker compose` would load for `path`, or `None` when `path` is an override file
/// that its directory's main file already brings in.
fn project_files(path: &Path) -> Option<Vec<PathBuf>> {
    let name = lower_name(path);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let discovered = shipshape_compose::discover(&OS_FS, dir);
    if OVERRIDE_FILE_NAMES.contains(&name.as_str()) {
        return if discovered.is_empty() { Some(vec![path.to_path_buf()]) } else { None };
    }
    if DEFAULT_FILE_NAMES.contains(&name.as_str())
        && discovered.first().is_some_and(|main| lower_name(main) == name)
    {
        let mut files = vec![path.to_path_buf()];
        files.extend(discovered.into_iter().skip(1));
        return Some(files);
    }
    Some(vec![path.to_path_buf()])
}

impl Frontend for ComposeFrontend {
    fn kind(&self) -> &'static str {
        "compose"
    }

    fn claims(&self, file_name: &str) -> bool {
        is_compose_file_name(file_name)
    }

    fn claims_content(&self, file_name: &str, head: &str) -> bool {
        let lower = file_name.to_ascii_lowercase();
        (lower.ends_with(".yaml") || lower.ends_with(".yml"))
            && head.lines().any(|line| line.trim_end() == "services:")
            && !head.lines().any(|line| line.starts_with("apiVersion:") || line.starts_with("kind:"))
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let path = Path::new(&*source.path);
        let Some(files) = project_files(path) else {
            return FrontendOutput { covered: true, ..FrontendOutput::default() };
        };
        let overlay = Overlay { path, text: &source.text };
        let env_files = (!context.env_files.is_empty()).then(|| context.env_files.to_vec());
        let options =
            LoadOptions { files, env: process_env(), env_files, ..LoadOptions::default() }.with_fs(&overlay);
        let project = load_project(&options);

        let mut output = FrontendOutput::default();
        for diagnostic in &project.diagnostics {
            if diagnostic.rule == &PARSE_ERROR {
                output.parse_errors += 1;
            }
        }
        output.findings.extend(project.diagnostics.iter().cloned());
        for read_source in &project.sources {
            let comments = project.comments.iter().filter(|(p, _)| *p == read_source.path).map(|(_, c)| c);
            let (pragmas, errors) = scope_pragmas(read_source, comments);
            output.pragmas.extend(pragmas);
            output.findings.extend(errors);
        }
        output.related_sources.extend(project.sources.iter().filter(|s| s.path != source.path).cloned());

        let Some(mut deployment) = project.deployment else { return output };
        for workload in &mut deployment.workloads {
            if let Some(dockerfile) = link_dockerfile(workload, context) {
                output.related_sources.push(dockerfile);
            }
        }
        check_workloads(&deployment, context, &mut output);
        output
    }
}

/// Reads and lowers the Dockerfile a service builds from, so the service inherits its user,
/// ports and healthcheck. Returns the Dockerfile's source when it was read.
fn link_dockerfile(workload: &mut Workload, context: &FrontendContext<'_>) -> Option<SourceFile> {
    let build = workload.build.as_ref()?;
    let path = Path::new(&build.dockerfile);
    let display: Arc<str> = Arc::from(build.dockerfile.strip_prefix("./").unwrap_or(&build.dockerfile));
    let decoded = read::read_path(path, display, MAX_LINKED_DOCKERFILE).ok()?;
    let dockerfile = shipshape_dockerfile::parse(&decoded.source.text);
    let mut spec = shipshape_dockerfile::lower(&dockerfile, decoded.source.path.clone(), context.build_args);
    if let Some(target) = &build.target
        && let Some(stage) = spec.stage_by_name(target)
    {
        spec.target = Some(stage.index);
    }
    workload.image_spec = Some(Arc::new(spec));
    Some(decoded.source)
}
