//! Which files make up a Compose project, as `docker compose` finds them.

use crate::fs::FileSystem;
use std::path::{Path, PathBuf};

/// The default file names, in the order `docker compose` v2 tries them; the first that exists
/// wins (checked against `docker compose` v2.40.3: `docker-compose.yml` before `.yaml`).
pub const DEFAULT_FILE_NAMES: [&str; 4] =
    ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/// The override files `docker compose` loads after the main default file, in the order tried
/// whatever the main file's name; the first that exists wins and only one is loaded.
pub const OVERRIDE_FILE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Finds the main Compose file of `dir` and its override, as `docker compose` without `-f`
/// does. Returns an empty list when no default file exists.
pub fn discover(fs: &dyn FileSystem, dir: &Path) -> Vec<PathBuf> {
    let Some(main) = DEFAULT_FILE_NAMES.iter().map(|name| dir.join(name)).find(|p| fs.is_file(p)) else {
        return Vec::new();
    };
    let mut files = vec![main];
    if let Some(over) = OVERRIDE_FILE_NAMES.iter().map(|name| dir.join(name)).find(|p| fs.is_file(p)) {
        files.push(over);
    }
    files
}

/// Whether a file name looks like a Compose file that a scanner should pick up: the default
/// names, their overrides, and variants such as `docker-compose.prod.yml`, `compose.dev.yaml`
/// or `docker-compose-prod.yaml`. Case-insensitive; `.yml` and `.yaml` only.
pub fn is_compose_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower.strip_suffix(".yaml").or_else(|| lower.strip_suffix(".yml")) else {
        return false;
    };
    for base in ["docker-compose", "compose"] {
        if let Some(rest) = stem.strip_prefix(base) {
            if rest.is_empty() {
                return true;
            }
            if let Some(variant) = rest.strip_prefix('.').or_else(|| rest.strip_prefix('-')) {
                return !variant.is_empty()
                    && variant.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    #[test]
    fn names() {
        for yes in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
            "docker-compose.override.yml",
            "compose.override.yaml",
            "docker-compose.prod.yml",
            "compose.dev.yaml",
            "docker-compose-ci.yml",
            "Docker-Compose.YML",
        ] {
            assert!(is_compose_file_name(yes), "{yes}");
        }
        for no in ["compose.json", "docker-compose", "mycompose.yml", "compose..yml", "compose.txt", "x.yml"]
        {
            assert!(!is_compose_file_name(no), "{no}");
        }
    }

    #[test]
    fn discovery_order() {
        let fs = MemFs::new()
            .with("p/docker-compose.yml", "")
            .with("p/compose.yml", "")
            .with("p/compose.override.yml", "")
            .with("p/docker-compose.override.yml", "");
        let files = discover(&fs, Path::new("p"));
        assert_eq!(files, vec![PathBuf::from("p/compose.yml"), PathBuf::from("p/compose.override.yml")]);
        // Checked with `docker compose` v2.40.3: `.yml` before `.yaml` for the docker-compose
        // names, and any override name goes with any main file.
        let fs = MemFs::new()
            .with("p/docker-compose.yaml", "")
            .with("p/docker-compose.yml", "")
            .with("p/docker-compose.override.yaml", "")
            .with("p/docker-compose.override.yml", "");
        let files = discover(&fs, Path::new("p"));
        assert_eq!(
            files,
            vec![PathBuf::from("p/docker-compose.yml"), PathBuf::from("p/docker-compose.override.yml")]
        );
        let fs = MemFs::new().with("p/compose.yaml", "").with("p/docker-compose.override.yaml", "");
        assert_eq!(discover(&fs, Path::new("p")).len(), 2);
        assert!(discover(&MemFs::new(), Path::new("p")).is_empty());
    }
}
