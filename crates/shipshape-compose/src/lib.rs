//! The Docker Compose loader of shipshape.
//!
//! Reads a Compose project the way `docker compose` (v2, compose-go) does and lowers every
//! service to a [`shipshape_model::Workload`]:
//!
//! 1. **Discovery** ([`discover()`]): `compose.yaml`, `compose.yml`, `docker-compose.yml`,
//!    `docker-compose.yaml` (the first that exists) and one override file; or an explicit list.
//! 2. **Environment**: `.env` in the project directory (or the given env files), parsed with
//!    Compose's dotenv rules ([`dotenv`]); the caller's environment ([`LoadOptions::env`], a
//!    map, so results are deterministic) wins over it.
//! 3. **Per file**: YAML (with anchors, aliases and `<<` merge keys expanded by
//!    `shipshape-yaml`), then [`interpolate`] on every scalar value, then `extends`, then
//!    `include`, then the merge onto the earlier files with compose-go's rules: mappings merge
//!    recursively; `ports`, `expose`, `dns`, `tmpfs`, ... append; `environment`, `labels`,
//!    `sysctls`, `extra_hosts` merge by key (list and map syntax alike); `volumes` and
//!    `devices` by container path, `secrets` and `configs` by target; `command`,
//!    `entrypoint` and `healthcheck.test` are replaced; `!reset` removes and `!override`
//!    replaces an inherited value. Duplicates keep their first position and last value.
//! 4. **Typing** of each service into a `Workload`, with every field's [`Origin`] pointing at
//!    the file and span that set it (an override file, an `extends` base, an included file or
//!    an `env_file`).
//!
//! Errors never abort the load: each becomes a GEN001 (`parse-error`) finding with a span in
//! the right file, and the rest of the project still loads. Files that cannot be read are
//! GEN004, invalid UTF-8 is GEN008.
//!
//! **Profiles.** Services whose `profiles` are not enabled are inactive for `docker compose
//! up`, but a scanner should see everything: by default every service is lowered and
//! [`ServiceInfo::active`] tells which are inactive. Set [`LoadOptions::active_only`] to drop
//! inactive services as `docker compose config` does.
//!
//! **Differences from `docker compose config`, on purpose.** A pass-through environment entry
//! (`environment: [TOKEN]`) stays `value: None` instead of being filled from the scanning
//! machine's environment (which is not the deployment's). Values Compose rejects (`user: 1000`,
//! `privileged: 1`) are reported; strings are still used, invalid booleans are left unset.

#![warn(missing_docs)]

pub mod discover;
pub mod dotenv;
pub mod fs;
pub mod interpolate;
mod load;
mod lower;
mod merge;
pub mod syntax;
mod tree;

pub use discover::{discover, is_compose_file_name};
pub use fs::{FileSystem, MemFs, OsFs};
pub use shipshape_yaml::Comment;

use load::{Env, Loader, display, parent_dir};
use shipshape_model::{Deployment, Finding, Origin, Setting, SourceFile, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bounds on what one load may read, against hostile input.
#[derive(Debug, Clone)]
pub struct LoadLimits {
    /// Limits of the YAML parser, per file.
    pub yaml: shipshape_yaml::Limits,
    /// Most files (Compose, env, included, extended) read for one project (default 256).
    pub max_files: usize,
    /// Deepest `extends` chain and `include` nesting (default 32).
    pub max_depth: usize,
    /// Largest file read, in bytes (default 16 MiB).
    pub max_file_bytes: u64,
}

impl Default for LoadLimits {
    fn default() -> Self {
        Self {
            yaml: shipshape_yaml::Limits::default(),
            max_files: 256,
            max_depth: 32,
            max_file_bytes: 16 << 20,
        }
    }
}

/// What to load and how.
#[derive(Clone)]
pub struct LoadOptions<'a> {
    /// The project directory (`--project-directory`): where files are discovered, `.env` is
    /// read, and relative paths resolve. Default: the directory of the first file, else `.`.
    pub project_dir: Option<PathBuf>,
    /// Compose files in order (`-f`): the main file, then overrides. Empty: discover them in
    /// the project directory (or use `COMPOSE_FILE` from the environment).
    pub files: Vec<PathBuf>,
    /// The caller's environment (what `docker compose` would see). It wins over `.env`.
    pub env: HashMap<String, String>,
    /// `--env-file` list; `None`: `.env` in the project directory when it exists.
    pub env_files: Option<Vec<PathBuf>>,
    /// Profiles to enable (`--profile`); `*` enables all. `COMPOSE_PROFILES` is added.
    pub profiles: Vec<String>,
    /// `-p`: the project name, over `COMPOSE_PROJECT_NAME`, `name:` and the directory name.
    pub project_name: Option<String>,
    /// Drop services whose profiles are not enabled (default `false`: keep and mark them).
    pub active_only: bool,
    /// Where files are read from.
    pub fs: &'a dyn FileSystem,
    /// Bounds against hostile input.
    pub limits: LoadLimits,
}

impl Default for LoadOptions<'_> {
    fn default() -> Self {
        Self {
            project_dir: None,
            files: Vec::new(),
            env: HashMap::new(),
            env_files: None,
            profiles: Vec::new(),
            project_name: None,
            active_only: false,
            fs: &fs::OS_FS,
            limits: LoadLimits::default(),
        }
    }
}

impl<'a> LoadOptions<'a> {
    /// Options for discovering the project in `dir`, on the real file system, with an empty
    /// environment.
    pub fn for_dir(dir: impl Into<PathBuf>) -> Self {
        Self { project_dir: Some(dir.into()), ..Self::default() }
    }

    /// Options for an explicit list of files (`-f a -f b`).
    pub fn for_files(files: impl IntoIterator<Item = impl Into<PathBuf>>) -> Self {
        Self { files: files.into_iter().map(Into::into).collect(), ..Self::default() }
    }

    /// Reads through `fs` instead of the real file system.
    pub fn with_fs(mut self, fs: &'a dyn FileSystem) -> Self {
        self.fs = fs;
        self
    }

    /// Sets the caller's environment.
    pub fn with_env(mut self, env: HashMap<String, String>) -> Self {
        self.env = env;
        self
    }
}

/// The process environment as a map (what `docker compose` would see), for
/// [`LoadOptions::env`]. Variables whose name or value is not UTF-8 are skipped.
pub fn process_env() -> HashMap<String, String> {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect()
}

/// A variable that interpolation found unset and replaced with `""` (Compose warns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVariable {
    /// The variable's name.
    pub name: String,
    /// The value that referenced it.
    pub origin: Origin,
}

/// A secret mounted into a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSecret {
    /// The top-level secret's name.
    pub source: String,
    /// Where it is mounted (`/run/secrets/<source>` unless `target` says otherwise).
    pub target: String,
    /// The `secrets:` entry.
    pub origin: Origin,
}

/// What the loader knows about a service beyond [`shipshape_model::Workload`].
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInfo {
    /// The service's name.
    pub name: String,
    /// The service's key.
    pub origin: Origin,
    /// `profiles:` as written.
    pub profiles: Vec<Setting<String>>,
    /// Whether the service runs with the enabled profiles (no `profiles`, or one enabled).
    pub active: bool,
    /// `env_file` paths, resolved (also the optional ones that do not exist).
    pub env_files: Vec<Setting<String>>,
    /// Secrets mounted, with their targets.
    pub secrets: Vec<ServiceSecret>,
    /// `memswap_limit` in bytes (`u64::MAX` for `-1`, unlimited swap).
    pub memswap_limit: Option<Setting<u64>>,
    /// `labels`, de-duplicated.
    pub labels: Vec<Setting<(String, String)>>,
    /// `extra_hosts` entries as `host=address` or as written.
    pub extra_hosts: Vec<Setting<String>>,
    /// Supplementary groups (`group_add`).
    pub group_add: Vec<Setting<String>>,
    /// OCI runtime (`runtime: runsc`, ...).
    pub runtime: Option<Setting<String>>,
    /// `cgroup_parent`.
    pub cgroup_parent: Option<Setting<String>>,
    /// `container_name`.
    pub container_name: Option<Setting<String>>,
    /// `init: true` (an init process as PID 1).
    pub init: Option<Setting<bool>>,
    /// `build.dockerfile_inline` (no `BuildLink` is made for an inline Dockerfile).
    pub dockerfile_inline: Option<Setting<String>>,
    /// `volumes_from` entries as written (`service`, `container:name`, with `:ro`/`:rw`): the
    /// service also gets every mount of those.
    pub volumes_from: Vec<Setting<String>>,
}

impl ServiceInfo {
    fn new(name: String, origin: Origin) -> Self {
        Self {
            name,
            origin,
            profiles: Vec::new(),
            active: true,
            env_files: Vec::new(),
            secrets: Vec::new(),
            memswap_limit: None,
            labels: Vec::new(),
            extra_hosts: Vec::new(),
            group_add: Vec::new(),
            runtime: None,
            cgroup_parent: None,
            container_name: None,
            init: None,
            dockerfile_inline: None,
            volumes_from: Vec::new(),
        }
    }
}

/// The result of a load: the deployment, and everything read on the way.
#[derive(Debug, Clone)]
pub struct LoadedProject {
    /// `None` when no Compose file could be read at all.
    pub deployment: Option<Deployment>,
    /// Per service, in the order of `deployment.workloads`.
    pub services: Vec<ServiceInfo>,
    /// Every file read (Compose files, overrides, extended and included files, `.env` and
    /// `env_file`s), with the display paths used in origins.
    pub sources: Vec<SourceFile>,
    /// GEN findings (parse errors, unreadable files, invalid values), with spans in the file
    /// they concern. Not yet located: call [`Finding::locate`] with the matching source.
    pub diagnostics: Vec<Finding>,
    /// Every YAML comment of every Compose file read, with that file's path.
    pub comments: Vec<(Arc<str>, Comment)>,
    /// Variables interpolation found unset.
    pub missing_variables: Vec<MissingVariable>,
}

impl LoadedProject {
    /// The source with display path `path`.
    pub fn source(&self, path: &str) -> Option<&SourceFile> {
        self.sources.iter().find(|s| &*s.path == path)
    }

    /// The `ServiceInfo` of service `name`.
    pub fn service(&self, name: &str) -> Option<&ServiceInfo> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Fills in the lines and columns of every diagnostic from the sources.
    pub fn locate_diagnostics(&mut self) {
        for finding in &mut self.diagnostics {
            for source in &self.sources {
                finding.locate(source);
            }
        }
    }
}

/// Loads a Compose project. Never fails: problems are in [`LoadedProject::diagnostics`].
///
/// ```no_run
/// use shipshape_compose::{load_project, process_env, LoadOptions};
/// let project = load_project(&LoadOptions::for_dir("examples/app").with_env(process_env()));
/// for workload in project.deployment.iter().flat_map(|d| &d.workloads) {
///     println!("{} privileged={}", workload.name, workload.is_privileged());
/// }
/// ```
pub fn load_project(options: &LoadOptions<'_>) -> LoadedProject {
    let mut loader = Loader::new(options.fs, &options.limits);
    let project_dir = match (&options.project_dir, options.files.first()) {
        (Some(dir), _) => display(dir),
        (None, Some(first)) => parent_dir(&display(first)),
        (None, None) => ".".to_string(),
    };

    // The environment: `.env` (or --env-file) under the caller's variables.
    let mut env = Env { vars: options.env.clone() };
    let env_files: Vec<String> = match &options.env_files {
        Some(files) => files.iter().map(|f| display(f)).collect(),
        None => vec![syntax::join_path(&project_dir, ".env")],
    };
    let from_files = loader.read_env_files(&env_files, &env, options.env_files.is_some());
    for (key, value) in from_files {
        env.vars.entry(key).or_insert(value);
    }

    let mut files: Vec<String> = options.files.iter().map(|f| display(f)).collect();
    if files.is_empty() {
        if let Some(list) = env.get("COMPOSE_FILE").filter(|l| !l.is_empty()) {
            let separator = env.get("COMPOSE_PATH_SEPARATOR").unwrap_or_else(|| ":".to_string());
            files = list.split(separator.as_str()).map(|f| syntax::join_path(&project_dir, f)).collect();
        } else {
            files = discover(options.fs, Path::new(&project_dir)).iter().map(|p| display(p)).collect();
        }
    }
    let Some(first) = files.first().cloned() else {
        let origin = Origin::new(Arc::from(project_dir.as_str()), Span::default());
        loader.report(
            &shipshape_model::general::UNREADABLE_TARGET,
            &origin,
            format!(
                "no Compose file found in {project_dir} (looked for {})",
                discover::DEFAULT_FILE_NAMES.join(", ")
            ),
        );
        return finish(loader, None, Vec::new());
    };

    let mut profiles = options.profiles.clone();
    if let Some(list) = env.get("COMPOSE_PROFILES") {
        profiles.extend(list.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string));
    }

    let model = loader.load_model(&files, &env, &project_dir, &[]);
    let Some(model) = model else { return finish(loader, None, Vec::new()) };
    let first: Arc<str> = Arc::from(first.as_str());
    for entry in model.as_map().unwrap_or(&[]) {
        if !entry.key.starts_with("x-") && !lower::TOP_LEVEL_KEYS.contains(&entry.key.as_str()) {
            let message = format!("additional properties '{}' not allowed at the top level", entry.key);
            loader.error(&entry.key_origin, message);
        }
    }
    const PROJECT_KEYS: [&str; 8] =
        ["services", "networks", "volumes", "secrets", "configs", "include", "name", "version"];
    // A project may define only networks or volumes, or only include other files
    // (`docker compose config` accepts those); anything else is not a Compose file.
    if PROJECT_KEYS.iter().all(|key| model.get(key).is_none()) {
        let origin = Origin::new(first.clone(), model.origin.span);
        loader.error(
            &origin,
            "not a Compose file: no top-level `services` key (this YAML file defines no containers)",
        );
    }
    let name = options
        .project_name
        .clone()
        .or_else(|| env.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()))
        .or_else(|| model.get("name").and_then(tree::Val::scalar_text))
        .unwrap_or_else(|| lower::dir_name(&project_dir));
    let name = lower::normalize_project_name(&name);
    let deployment_origin = lower::deployment_origin(&model, &first);
    let mut lowerer = lower::Lowerer { loader: &mut loader, project_dir, env: &env, profiles: &profiles };
    let (mut deployment, mut services) = lowerer.lower(&model, name, deployment_origin);
    if options.active_only {
        let keep: Vec<bool> = services.iter().map(|s| s.active).collect();
        let mut flags = keep.iter();
        deployment.workloads.retain(|_| flags.next().copied().unwrap_or(true));
        services.retain(|s| s.active);
    }
    finish(loader, Some(deployment), services)
}

fn finish(loader: Loader<'_>, deployment: Option<Deployment>, services: Vec<ServiceInfo>) -> LoadedProject {
    LoadedProject {
        deployment,
        services,
        sources: loader.sources,
        diagnostics: loader.diagnostics,
        comments: loader.comments,
        missing_variables: loader.missing,
    }
}

/// Loads a single Compose file given as text (stdin, tests, fuzzing), with the environment
/// `env` and no `.env`. Nothing is read from disk: `extends` of other files, `include` and
/// `env_file` are reported as unreadable. Relative paths resolve against `path`'s directory.
pub fn load_file_text(path: &str, text: &str, env: &HashMap<String, String>) -> LoadedProject {
    let mut fs = MemFs::new();
    fs.insert(path, text.as_bytes());
    let options = LoadOptions {
        files: vec![PathBuf::from(path)],
        env: env.clone(),
        env_files: Some(Vec::new()),
        fs: &fs,
        ..LoadOptions::default()
    };
    load_project(&options)
}

/// A file system that serves one file from memory and everything else from another file
/// system: lets a scanner load text it already holds while still following `extends`,
/// `include` and `env_file` on disk.
pub struct OverlayFs<'a> {
    path: PathBuf,
    contents: Vec<u8>,
    inner: &'a dyn FileSystem,
}

impl<'a> OverlayFs<'a> {
    /// Serves `contents` at `path`, and delegates every other path to `inner`.
    pub fn new(path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>, inner: &'a dyn FileSystem) -> Self {
        let path = PathBuf::from(syntax::clean_path(&path.into().to_string_lossy()));
        Self { path, contents: contents.into(), inner }
    }

    fn is_overlay(&self, path: &Path) -> bool {
        Path::new(&syntax::clean_path(&path.to_string_lossy())) == self.path
    }
}

impl FileSystem for OverlayFs<'_> {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        if self.is_overlay(path) { Ok(self.contents.clone()) } else { self.inner.read(path) }
    }

    fn is_file(&self, path: &Path) -> bool {
        self.is_overlay(path) || self.inner.is_file(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.inner.is_dir(path)
    }
}
