//! Where the image a `shipshape image` argument names comes from: a path on disk, the local
//! Docker daemon (`GET /images/get`, a `docker save` tar streamed to a temporary file), or a
//! registry (pulled into the blob cache). A reference is looked up in the `--image-src` order,
//! daemon first by default as Trivy and Grype do: the image you built or pulled is the one
//! you run.

use crate::args::{ImageArgs, ImageSource};
use crate::progress::StatusLine;
use anyhow::{Context, Result, anyhow, bail};
use shipshape_image::{Limits, OpenOptions, Platform};
use shipshape_registry::{PullOptions, Pulled, Reference};
use std::io::Write;
use std::path::{Path, PathBuf};

/// An image ready to open, and what keeps its files alive until the scan is done.
pub(crate) struct Located {
    pub(crate) path: PathBuf,
    /// What findings call it: the path or reference as given.
    pub(crate) label: String,
    pub(crate) options: OpenOptions,
    /// The pulled layout, removed when dropped.
    _pulled: Option<Box<Pulled>>,
    /// The exported tar, removed when dropped.
    _exported: Option<tempfile::TempPath>,
}

/// What keeps a located image's files.
enum Keep {
    Pulled(Box<Pulled>),
    Exported(tempfile::TempPath),
}

/// Finds the image `argument` names.
pub(crate) fn locate(
    argument: &Path,
    args: &ImageArgs,
    platform: Option<&Platform>,
    status: &StatusLine,
) -> Result<Located> {
    let options = OpenOptions { platform: platform.cloned(), reference: None, limits: Limits::default() };
    let text = argument.to_str();
    let forced = text.and_then(|t| {
        t.strip_prefix("docker://")
            .or_else(|| t.strip_prefix("docker-daemon:"))
            .map(|name| (ImageSource::Daemon, name))
            .or_else(|| t.strip_prefix("registry://").map(|name| (ImageSource::Registry, name)))
    });
    let (sources, name) = match forced {
        Some((source, name)) => (vec![source], name),
        None if argument.exists() => {
            let label = argument.display().to_string();
            return Ok(Located {
                path: argument.to_path_buf(),
                label,
                options,
                _pulled: None,
                _exported: None,
            });
        }
        None => {
            let text = text.ok_or_else(|| anyhow!("{}: no such file or directory", argument.display()))?;
            (args.image_src.clone(), text)
        }
    };
    let reference = Reference::parse(name).map_err(|e| {
        if forced.is_none() {
            anyhow!("{}: no such file or directory, and {e}", argument.display())
        } else {
            anyhow!(e)
        }
    })?;
    let mut misses = Vec::new();
    for source in &sources {
        let attempt = match source {
            ImageSource::Daemon => from_daemon(name, &reference, platform, args, status),
            ImageSource::Registry => from_registry(&reference, platform, args, status).map(Some),
        };
        status.clear();
        match attempt {
            Ok(Some((path, keep))) => {
                let label = text.unwrap_or(name).to_string();
                let (_pulled, _exported) = match keep {
                    Keep::Pulled(pulled) => (Some(pulled), None),
                    Keep::Exported(file) => (None, Some(file)),
                };
                return Ok(Located { path, label, options, _pulled, _exported });
            }
            Ok(None) => misses.push(format!("the Docker daemon has no image `{name}`")),
            // The only source asked for: its error is the answer.
            Err(error) if sources.len() == 1 => return Err(error),
            Err(error) => misses.push(format!("{error:#}")),
        }
    }
    bail!("cannot find the image `{name}`: {}", misses.join("; "))
}

/// Exports `name` from the local Docker daemon to a temporary `docker save` tar. `None` when the
/// daemon has no such image, or not for the platform asked for.
fn from_daemon(
    name: &str,
    reference: &Reference,
    platform: Option<&Platform>,
    args: &ImageArgs,
    status: &StatusLine,
) -> Result<Option<(PathBuf, Keep)>> {
    let client = crate::docker_cmd::client(None).context("the Docker daemon")?;
    let Some(inspect) = client.inspect_image(name).context("the Docker daemon")? else {
        return Ok(None);
    };
    if let Some(wanted) = platform {
        let value: serde_json::Value = serde_json::from_slice(&inspect).unwrap_or_default();
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        let offered = Platform::new(text("Os"), text("Architecture"), Some(text("Variant")));
        if !wanted.matches(&offered) {
            return Ok(None);
        }
    }
    let limit = Limits::default().max_uncompressed_bytes;
    let mut file = tempfile::Builder::new()
        .prefix("shipshape-daemon-")
        .suffix(".tar")
        .tempfile()
        .context("a temporary file for the exported image")?;
    status.begin(&reference.text);
    let started = std::time::Instant::now();
    let bytes = client
        .save_image(name, file.as_file_mut(), limit, &mut |bytes| status.export(bytes))
        .with_context(|| format!("exporting `{name}` from the Docker daemon"))?;
    file.as_file_mut().flush().context("writing the exported image")?;
    status.clear();
    if !args.report.quiet {
        let seconds = started.elapsed().as_secs_f64();
        let _ = writeln!(
            std::io::stderr(),
            "shipshape: exported {name} from the Docker daemon ({:.1} MB in {seconds:.2} s)",
            bytes as f64 / 1e6
        );
    }
    Ok(Some((file.path().to_path_buf(), Keep::Exported(file.into_temp_path()))))
}

/// Pulls `reference` into the blob cache (or a temporary directory with `--no-cache`).
fn from_registry(
    reference: &Reference,
    platform: Option<&Platform>,
    args: &ImageArgs,
    status: &StatusLine,
) -> Result<(PathBuf, Keep)> {
    let cache_dir = if args.no_cache { None } else { shipshape_registry::default_cache_dir() };
    let options = PullOptions {
        platform: platform.cloned(),
        insecure: args.insecure,
        cache_dir,
        docker_config_dir: shipshape_engine::Environment::from_process().config_dir,
        ..PullOptions::default()
    };
    status.begin(&reference.text);
    let pulled = shipshape_registry::pull(reference, &options, status)?;
    status.clear();
    if !args.report.quiet {
        let stats = pulled.stats();
        let seconds = stats.elapsed.as_secs_f64();
        let platform = pulled.platform().map(|p| format!("{p}, ")).unwrap_or_default();
        let rate = if stats.downloaded > 0 {
            format!(" ({:.1} MB/s)", stats.downloaded as f64 / 1e6 / seconds.max(0.001))
        } else {
            String::new()
        };
        let _ = writeln!(
            std::io::stderr(),
            "shipshape: pulled {reference} ({platform}{}): {} blobs, {:.1} MB downloaded in {seconds:.2} s{rate}, {} from the cache",
            pulled.manifest_digest().short(),
            stats.blobs,
            stats.downloaded as f64 / 1e6,
            stats.cached,
        );
    }
    Ok((pulled.path().to_path_buf(), Keep::Pulled(Box::new(pulled))))
}
