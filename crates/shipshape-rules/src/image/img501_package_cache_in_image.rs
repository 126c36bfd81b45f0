use shipshape_model::{ImageFiles, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags package-manager caches left in the image's final view, with their size and the
    /// layer that filled them: apt package lists and downloaded packages
    /// (`/var/lib/apt/lists`, `/var/cache/apt`), the apk cache (`/var/cache/apk`,
    /// `/etc/apk/cache`), yum and dnf caches, pip's (`~/.cache/pip`), npm's (`~/.npm`), Yarn's
    /// (`~/.cache/yarn`, `/usr/local/share/.cache/yarn`, `.yarn/berry/cache`) and Go's build cache
    /// (`~/.cache/go-build`). Empty caches (lock files) are not reported.
    ///
    /// ## Why is this bad?
    /// Caches are dead weight: larger images to store, pull and scan, and stale package indexes
    /// that make a later `apt-get install` in a derived image install outdated versions. A
    /// cache of downloaded packages can also hold private packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// RUN pip install flask
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// RUN pip install --no-cache-dir flask
    /// ```
    ///
    /// ## Fix
    /// Clean the cache in the same `RUN` that fills it, use `--no-cache` options, or a BuildKit
    /// cache mount (`RUN --mount=type=cache,target=/root/.cache/pip`). Not fixed automatically.
    ///
    /// ## References
    /// - Dockle DKL-DI-0005 "Clear apt-get caches"
    /// - Dockle DKL-DI-0004 "Use apk add with --no-cache"
    pub static PACKAGE_CACHE_IN_IMAGE = {
        code: "IMG501",
        name: "package-cache-in-image",
        layer: Image,
        threat: ResourceExhaustion,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "a package-manager cache is left in the image",
        aliases: [(Dockle, "DKL-DI-0005"), (Dockle, "DKL-DI-0004")],
    }
}

/// System-wide cache directories.
const SYSTEM_CACHES: &[&str] = &[
    "/var/lib/apt/lists",
    "/var/cache/apt",
    "/var/cache/apk",
    "/etc/apk/cache",
    "/var/cache/yum",
    "/var/cache/dnf",
    "/usr/local/share/.cache/yarn",
];

/// Per-user cache directories, under any home (`/root/.cache/pip`, `/home/app/.npm`).
const USER_CACHES: &[&str] =
    &["/.cache/pip", "/.npm", "/.cache/yarn", "/.yarn/berry/cache", "/.cache/go-build"];

/// The cache directory a regular file at `path` belongs to, when it is in one.
pub(crate) fn cache_root(path: &str) -> Option<String> {
    for root in SYSTEM_CACHES {
        if path.strip_prefix(root).is_some_and(|rest| rest.starts_with('/')) {
            return Some((*root).to_owned());
        }
    }
    for marker in USER_CACHES {
        let mut from = 0;
        while let Some(at) = path.get(from..).and_then(|rest| rest.find(marker)) {
            let end = from + at + marker.len();
            if path.get(end..).is_some_and(|rest| rest.starts_with('/')) {
                return path.get(..end).map(str::to_owned);
            }
            from = end;
        }
    }
    None
}

/// `12.3 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    for cache in files.caches.iter().filter(|c| c.bytes > 0) {
        checker
            .report(
                &PACKAGE_CACHE_IN_IMAGE,
                &cache.origin,
                format!(
                    "package cache `{}` holds {} in {} files, left by {}",
                    cache.path,
                    size(cache.bytes),
                    cache.files,
                    files.layer_label(cache.layer)
                ),
            )
            .help = Some("clean it in the same `RUN` that fills it, or use a BuildKit cache mount".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(cache_root("/var/lib/apt/lists/deb_Packages").as_deref(), Some("/var/lib/apt/lists"));
        assert_eq!(cache_root("/root/.cache/pip/http/a/b").as_deref(), Some("/root/.cache/pip"));
        assert_eq!(cache_root("/home/app/.npm/_cacache/x").as_deref(), Some("/home/app/.npm"));
        assert_eq!(cache_root("/var/lib/apt/listsx/y"), None);
        assert_eq!(cache_root("/var/lib/apt/lists"), None);
        assert_eq!(cache_root("/app/.npmrc"), None);
        assert_eq!(size(1_500_000), "1.5 MB");
    }
}
