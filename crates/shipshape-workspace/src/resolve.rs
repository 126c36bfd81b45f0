//! Finding the configuration for each target.
//!
//! Without `--config`, the configuration of a target is the nearest `shipshape.toml` (or
//! `.shipshape.toml`) found by walking up from the target's directory to the file-system root;
//! with none found, the built-in defaults apply. Results are cached per directory and each file
//! is read once. With `--config FILE`, that file applies to every target, and failing to read it
//! is an error (the user asked for it); a discovered file that cannot be read instead yields the
//! defaults plus a `CONFIG_ERROR` finding, so the scan goes on.

use crate::config::{CONFIG_FILE_NAMES, Config, ConfigError, normalize_path};
use shipshape_model::RuleMeta;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Finds and caches configurations; safe to share between threads.
#[derive(Debug)]
pub struct ConfigResolver {
    rules: Vec<&'static RuleMeta>,
    cwd: PathBuf,
    explicit: Option<Arc<Config>>,
    default: Arc<Config>,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    /// Directory → the configuration that covers it (`None`: defaults).
    dirs: HashMap<PathBuf, Option<Arc<Config>>>,
    /// Configuration file → its parsed contents.
    files: HashMap<PathBuf, Arc<Config>>,
}

impl ConfigResolver {
    /// Discovers configurations relative to the working directory `cwd` (relative target paths
    /// are resolved against it, and configuration paths are displayed relative to it).
    pub fn discover(rules: &[&'static RuleMeta], cwd: impl Into<PathBuf>) -> Self {
        Self {
            rules: rules.to_vec(),
            cwd: normalize_path(&cwd.into()),
            explicit: None,
            default: Arc::new(Config::default()),
            cache: Mutex::default(),
        }
    }

    /// Uses `file` for every target (`--config FILE`).
    pub fn explicit(
        rules: &[&'static RuleMeta],
        cwd: impl Into<PathBuf>,
        file: &Path,
    ) -> Result<Self, ConfigError> {
        let mut resolver = Self::discover(rules, cwd);
        let display = file.to_string_lossy().into_owned();
        let absolute = resolver.absolute(file);
        resolver.explicit = Some(Arc::new(Config::load(&absolute, display, rules)?));
        Ok(resolver)
    }

    /// The configuration covering the file `target`.
    pub fn for_file(&self, target: &Path) -> Arc<Config> {
        let absolute = self.absolute(target);
        self.for_dir(absolute.parent().unwrap_or(Path::new("/")))
    }

    /// The configuration covering files directly in `dir` (e.g. the working directory for
    /// standard input).
    pub fn for_dir(&self, dir: &Path) -> Arc<Config> {
        if let Some(explicit) = &self.explicit {
            return explicit.clone();
        }
        let dir = self.absolute(dir);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let mut visited = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(known) = cache.dirs.get(ancestor) {
                found = known.clone();
                break;
            }
            visited.push(ancestor.to_path_buf());
            let candidate =
                CONFIG_FILE_NAMES.iter().map(|name| ancestor.join(name)).find(|path| path.is_file());
            if let Some(file) = candidate {
                found = Some(self.load_cached(&mut cache, &file));
                break;
            }
            if crate::hadolint::exists(ancestor) {
                found = self.load_hadolint_only(&mut cache, ancestor);
                break;
            }
        }
        for visited_dir in visited {
            cache.dirs.insert(visited_dir, found.clone());
        }
        found.unwrap_or_else(|| self.default.clone())
    }

    fn load_cached(&self, cache: &mut Cache, file: &Path) -> Arc<Config> {
        if let Some(config) = cache.files.get(file) {
            return config.clone();
        }
        let display = self.display(file);
        let config = Arc::new(match Config::load(file, display.as_str(), &self.rules) {
            Ok(config) => config,
            Err(ConfigError::Read { source, .. }) => Config::unreadable(file, display, &source),
        });
        cache.files.insert(file.to_path_buf(), config.clone());
        config
    }

    /// A directory whose only configuration is hadolint's.
    fn load_hadolint_only(&self, cache: &mut Cache, dir: &Path) -> Option<Arc<Config>> {
        if let Some(config) = cache.files.get(dir) {
            return Some(config.clone());
        }
        let display = self.display(&dir.join("x"));
        let display_dir = display.rsplit_once('/').map_or("", |(d, _)| d);
        let config = Arc::new(Config::from_hadolint(dir, display_dir, &self.rules)?);
        cache.files.insert(dir.to_path_buf(), config.clone());
        Some(config)
    }

    fn absolute(&self, path: &Path) -> PathBuf {
        normalize_path(&self.cwd.join(path))
    }

    /// `file` relative to the working directory when below it, else absolute; `/`-separated.
    fn display(&self, file: &Path) -> String {
        let shown = file.strip_prefix(&self.cwd).unwrap_or(file);
        shown.to_string_lossy().replace('\\', "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::tests::{ROOT_USER, rules};

    /// A scratch directory tree, removed on drop.
    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str) -> Self {
            let root = std::env::temp_dir().join(format!("shipshape-resolve-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            std::fs::create_dir_all(&root).unwrap();
            Tree(root)
        }

        fn write(&self, relative: &str, text: &str) -> PathBuf {
            let path = self.0.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            path
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn nearest_configuration_wins() {
        let tree = Tree::new("nearest");
        tree.write("shipshape.toml", "fail-on = \"low\"\n");
        tree.write("svc/a/.shipshape.toml", "fail-on = \"critical\"\n");
        tree.write("svc/a/deep/Dockerfile", "FROM x\n");
        let resolver = ConfigResolver::discover(&rules(), &tree.0);

        let root = resolver.for_file(Path::new("Dockerfile"));
        assert_eq!(root.fail_on, Some(shipshape_model::Severity::Low));
        assert_eq!(root.path.as_deref(), Some("shipshape.toml"));
        let sibling = resolver.for_file(&tree.0.join("svc/b/Dockerfile"));
        assert!(Arc::ptr_eq(&root, &sibling), "read once, shared");

        let deep = resolver.for_file(Path::new("svc/a/deep/Dockerfile"));
        assert_eq!(deep.fail_on, Some(shipshape_model::Severity::Critical));
        assert_eq!(deep.path.as_deref(), Some("svc/a/.shipshape.toml"));
        assert_eq!(deep.dir.as_deref(), Some(tree.0.join("svc/a").as_path()));
        assert!(Arc::ptr_eq(&deep, &resolver.for_file(Path::new("svc/a/x/../deep/Dockerfile"))));
    }

    #[test]
    fn hadolint_trusted_registries_beside_the_configuration_count() {
        let tree = Tree::new("hadolint");
        tree.write("svc/shipshape.toml", "[registries]\ntrusted = [\"ghcr.io/acme\"]\n");
        tree.write("svc/.hadolint.yaml", "trustedRegistries:\n  - \"*.corp.example\"\n  - [nested]\n");
        tree.write(".hadolint.yaml", "trustedRegistries: [elsewhere.example]\n");
        let resolver = ConfigResolver::discover(&rules(), &tree.0);
        let config = resolver.for_file(Path::new("svc/Dockerfile"));
        assert_eq!(config.trusted_registries, ["ghcr.io/acme", "*.corp.example"]);
        assert!(config.is_trusted_registry("eu.corp.example/app:1"));
        let problems: Vec<(&str, u32)> =
            config.diagnostics.iter().map(|d| (&*d.location.path, d.location.region.start_line)).collect();
        assert_eq!(problems, [("svc/.hadolint.yaml", 3)]);
        // No shipshape.toml in the root: the lone .hadolint.yaml is the configuration there.
        let root = resolver.for_file(Path::new("Dockerfile"));
        assert_eq!(root.trusted_registries, ["elsewhere.example"]);
        assert_eq!(root.path.as_deref(), Some(".hadolint.yaml"));
        tree.write("lone/.hadolint.yaml", "ignored: [DL9999]\nfailure-threshold: style\n");
        let lone = resolver.for_file(Path::new("lone/Dockerfile"));
        assert_eq!(lone.fail_on, Some(shipshape_model::Severity::Info));
        let problems: Vec<(&str, &str)> =
            lone.diagnostics.iter().map(|d| (&*d.location.path, d.message.as_str())).collect();
        assert_eq!(problems, [("lone/.hadolint.yaml", "no shipshape rule has the alias `DL9999`")]);
    }

    #[test]
    fn no_configuration_means_defaults() {
        let tree = Tree::new("none");
        tree.write("sub/Dockerfile", "FROM x\n");
        // The walk goes up to the root; the temp dir's ancestors have no shipshape.toml.
        let resolver = ConfigResolver::discover(&rules(), tree.0.join("sub"));
        let config = resolver.for_file(Path::new("Dockerfile"));
        assert!(config.path.is_none());
        assert!(config.selection.is_enabled(&ROOT_USER));
    }

    #[test]
    fn explicit_configuration_applies_everywhere() {
        let tree = Tree::new("explicit");
        tree.write("ci/strict.toml", "[rules]\nignore = [\"PRV001\"]\n");
        tree.write("svc/shipshape.toml", "fail-on = \"low\"\n");
        let resolver = ConfigResolver::explicit(&rules(), &tree.0, Path::new("ci/strict.toml")).unwrap();
        let config = resolver.for_file(Path::new("svc/Dockerfile"));
        assert!(!config.selection.is_enabled(&ROOT_USER));
        assert_eq!(config.path.as_deref(), Some("ci/strict.toml"));
        assert_eq!(config.dir.as_deref(), Some(tree.0.join("ci").as_path()));

        let missing = ConfigResolver::explicit(&rules(), &tree.0, Path::new("nope.toml")).unwrap_err();
        assert!(missing.to_string().contains("nope.toml"), "{missing}");
    }

    #[test]
    fn an_unreadable_discovered_configuration_is_a_finding() {
        let tree = Tree::new("unreadable");
        // A directory named shipshape.toml is not a file: skipped. Invalid UTF-8 cannot be read.
        std::fs::create_dir_all(tree.0.join("a/shipshape.toml")).unwrap();
        let path = tree.0.join("b/shipshape.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"fail-on = \"\xff\"\n").unwrap();
        let resolver = ConfigResolver::discover(&rules(), &tree.0);
        assert!(resolver.for_file(Path::new("a/Dockerfile")).path.is_none());
        let config = resolver.for_file(Path::new("b/Dockerfile"));
        assert_eq!(config.diagnostics.len(), 1);
        assert!(
            config.diagnostics[0].message.starts_with("cannot read b/shipshape.toml: "),
            "{}",
            config.diagnostics[0].message
        );
    }
}
