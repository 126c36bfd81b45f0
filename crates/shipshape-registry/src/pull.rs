//! [`pull`]: from a reference to an OCI layout on disk, downloading only what the cache lacks.

use crate::RegistryError;
use crate::auth::DockerConfig;
use crate::cache::{BlobStore, Layout};
use crate::client::{Client, Fetched};
use crate::reference::Reference;
use shipshape_image::{
    Digest, Limits, MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
    OpenOptions, Platform,
};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// Indexes nested deeper than this are refused.
const MAX_INDEX_DEPTH: usize = 4;

/// How to pull.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// The platform to choose from a multi-platform index (default `linux/amd64`, else the
    /// first image).
    pub platform: Option<Platform>,
    /// Allow HTTPS without certificate checks, then plain HTTP (`--insecure`).
    pub insecure: bool,
    /// The blob cache; `None`: download into a temporary directory removed after the scan.
    pub cache_dir: Option<PathBuf>,
    /// Docker's configuration directory (`$DOCKER_CONFIG`, else `~/.docker`) for credentials;
    /// `None`: pull anonymously.
    pub docker_config_dir: Option<PathBuf>,
    /// Bounds: manifests and config by `max_json_bytes`, the layers together by
    /// `max_uncompressed_bytes`, their number by `max_layers`.
    pub limits: Limits,
    /// Blobs downloaded at once.
    pub concurrency: usize,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            platform: None,
            insecure: false,
            cache_dir: None,
            docker_config_dir: None,
            limits: Limits::default(),
            concurrency: 3,
        }
    }
}

/// What happened to one blob, for a progress display. Events of different blobs interleave
/// when several download at once.
#[derive(Debug, Clone, Copy)]
pub enum BlobEvent<'a> {
    /// The image is resolved: `blobs` blobs (config and layers) of `bytes` bytes, `cached` of
    /// them already in the cache, `to_download` bytes to fetch.
    Resolved {
        /// Blobs of the image.
        blobs: usize,
        /// Their total size.
        bytes: u64,
        /// Blobs already cached.
        cached: usize,
        /// Bytes of the blobs not cached.
        to_download: u64,
    },
    /// `received` of `size` bytes of `digest` are in.
    Received {
        /// The blob.
        digest: &'a Digest,
        /// Bytes so far.
        received: u64,
        /// Its size.
        size: u64,
    },
    /// `digest` is complete and verified.
    Done {
        /// The blob.
        digest: &'a Digest,
        /// Its size.
        size: u64,
    },
}

/// Receives [`BlobEvent`]s (from several download threads).
pub trait Progress: Sync {
    /// One event.
    fn event(&self, event: &BlobEvent<'_>);
}

/// No progress display.
impl Progress for () {
    fn event(&self, _event: &BlobEvent<'_>) {}
}

/// What a pull cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullStats {
    /// Blobs of the image (config and layers).
    pub blobs: usize,
    /// Of those, found in the cache.
    pub cached: usize,
    /// Their total size.
    pub bytes: u64,
    /// Bytes downloaded (blobs only).
    pub downloaded: u64,
    /// Whether the registry was contacted at all (a digest reference whose blobs are all cached
    /// needs no network).
    pub contacted_registry: bool,
    /// Wall time.
    pub elapsed: Duration,
}

/// A pulled image: an OCI layout on disk, removed when this is dropped.
#[derive(Debug)]
pub struct Pulled {
    layout: Layout,
    reference: Reference,
    manifest_digest: Digest,
    platform: Option<Platform>,
    stats: PullStats,
    open: OpenOptions,
}

impl Pulled {
    /// The OCI layout directory.
    pub fn path(&self) -> &Path {
        &self.layout.dir
    }

    /// The reference pulled.
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The digest of the image manifest chosen (the platform's, for an index).
    pub fn manifest_digest(&self) -> &Digest {
        &self.manifest_digest
    }

    /// The platform the index entry named, if the reference was an index.
    pub fn platform(&self) -> Option<&Platform> {
        self.platform.as_ref()
    }

    /// What the pull cost.
    pub fn stats(&self) -> PullStats {
        self.stats
    }

    /// Options for `Image::open_with` on [`Pulled::path`]: the platform and limits asked for.
    pub fn open_options(&self) -> &OpenOptions {
        &self.open
    }
}

/// A blob a manifest names.
#[derive(Debug, Clone)]
struct Descriptor {
    digest: Digest,
    size: u64,
}

/// Pulls `reference` into an OCI layout, downloading only blobs the cache lacks.
pub fn pull(
    reference: &Reference,
    options: &PullOptions,
    progress: &dyn Progress,
) -> Result<Pulled, RegistryError> {
    let started = Instant::now();
    let store = match &options.cache_dir {
        Some(dir) => BlobStore::open(dir)?,
        None => BlobStore::temporary()?,
    };
    let layout = store.layout()?;
    let session = Session { reference, options, store: &store, client: OnceLock::new() };
    let max_json = options.limits.max_json_bytes;

    let mut fetched = session.manifest(&reference.target(), None, max_json)?;
    let mut chosen_platform = None;
    let mut depth = 0;
    let manifest = loop {
        let node = parse_json(reference, &fetched)?;
        if node.get("schemaVersion").and_then(serde_json::Value::as_u64) == Some(1) {
            return Err(RegistryError::Protocol {
                registry: reference.registry.clone(),
                message: format!(
                    "{reference} has a schema 1 manifest, which registries stopped serving in 2020; re-push the image"
                ),
            });
        }
        let media = media_type(&node, &fetched);
        if media == MEDIA_OCI_INDEX || media == MEDIA_DOCKER_LIST || node.get("manifests").is_some() {
            depth += 1;
            if depth > MAX_INDEX_DEPTH {
                return Err(RegistryError::Protocol {
                    registry: reference.registry.clone(),
                    message: format!("{reference}: indexes nested more than {MAX_INDEX_DEPTH} deep"),
                });
            }
            let (entry, platform) = choose(reference, &node, options.platform.as_ref())?;
            chosen_platform = platform;
            fetched = session.manifest(&entry.digest.to_string(), Some(entry.size), max_json)?;
            continue;
        }
        if media != MEDIA_OCI_MANIFEST && media != MEDIA_DOCKER_MANIFEST {
            return Err(RegistryError::Protocol {
                registry: reference.registry.clone(),
                message: format!("{reference} is a `{media}`, not a container image"),
            });
        }
        break node;
    };
    let manifest_media = media_type(&manifest, &fetched);
    let (config, layers) = blobs_of(reference, &manifest, &options.limits)?;

    let mut blobs: Vec<Descriptor> = Vec::with_capacity(layers.len() + 1);
    for blob in std::iter::once(&config).chain(&layers) {
        if !blobs.iter().any(|b| b.digest == blob.digest) {
            blobs.push(blob.clone());
        }
    }
    let missing: Vec<Descriptor> = blobs.iter().filter(|b| !store.has(&b.digest, b.size)).cloned().collect();
    let bytes = blobs.iter().map(|b| b.size).sum();
    progress.event(&BlobEvent::Resolved {
        blobs: blobs.len(),
        bytes,
        cached: blobs.len() - missing.len(),
        to_download: missing.iter().map(|b| b.size).sum(),
    });
    let downloaded = session.download(&missing, progress)?;

    layout.write("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    layout.add(&store, &fetched.digest)?;
    for blob in &blobs {
        layout.add(&store, &blob.digest)?;
    }
    let mut entry = serde_json::json!({
        "mediaType": manifest_media,
        "digest": fetched.digest.to_string(),
        "size": fetched.bytes.len(),
        "annotations": {"io.containerd.image.name": reference.text},
    });
    if let Some(platform) = &chosen_platform {
        let mut node = serde_json::json!({"os": platform.os, "architecture": platform.architecture});
        if let Some(variant) = &platform.variant {
            node["variant"] = serde_json::Value::from(variant.clone());
        }
        entry["platform"] = node;
    }
    let index = serde_json::json!({"schemaVersion": 2, "mediaType": MEDIA_OCI_INDEX, "manifests": [entry]});
    layout.write("index.json", index.to_string().as_bytes())?;

    let stats = PullStats {
        blobs: blobs.len(),
        cached: blobs.len() - missing.len(),
        bytes,
        downloaded,
        contacted_registry: session.client.get().is_some(),
        elapsed: started.elapsed(),
    };
    let open =
        OpenOptions { platform: options.platform.clone(), reference: None, limits: options.limits.clone() };
    Ok(Pulled {
        layout,
        reference: reference.clone(),
        manifest_digest: fetched.digest,
        platform: chosen_platform,
        stats,
        open,
    })
}

/// One pull's state: the cache, and the registry connection made the first time it is needed.
struct Session<'a> {
    reference: &'a Reference,
    options: &'a PullOptions,
    store: &'a BlobStore,
    client: OnceLock<Client>,
}

impl Session<'_> {
    fn client(&self) -> Result<&Client, RegistryError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let credential = match &self.options.docker_config_dir {
            Some(dir) => DockerConfig::load(dir)?.credential_for(self.reference.auth_key())?,
            None => None,
        };
        let client = Client::connect(self.reference, credential, self.options.insecure)?;
        Ok(self.client.get_or_init(|| client))
    }

    /// A manifest by tag or digest: from the cache when named by digest, else from the
    /// registry (and then cached).
    fn manifest(&self, target: &str, size: Option<u64>, max_json: u64) -> Result<Fetched, RegistryError> {
        if let Some(size) = size
            && size > max_json
        {
            return Err(RegistryError::TooLarge {
                what: format!("manifest {target}"),
                size,
                limit: max_json,
                unit: " bytes",
            });
        }
        if let Some(digest) = Digest::parse(target)
            && let Some(bytes) = self.store.read_small(&digest, max_json)
            && size.is_none_or(|s| s == bytes.len() as u64)
        {
            return Ok(Fetched { bytes, media_type: None, digest });
        }
        let fetched = self.client()?.manifest(self.reference, target, max_json)?;
        if let Some(size) = size
            && size != fetched.bytes.len() as u64
        {
            return Err(RegistryError::SizeMismatch {
                what: format!("manifest {target}"),
                expected: size,
                actual: fetched.bytes.len() as u64,
            });
        }
        self.store.put(&fetched.digest, &fetched.bytes)?;
        Ok(fetched)
    }

    /// Downloads `blobs` into the cache, `concurrency` at once; returns the bytes downloaded.
    fn download(&self, blobs: &[Descriptor], progress: &dyn Progress) -> Result<u64, RegistryError> {
        if blobs.is_empty() {
            return Ok(0);
        }
        let client = self.client()?;
        let queue = Mutex::new(blobs.iter().collect::<VecDeque<_>>());
        let failure: Mutex<Option<RegistryError>> = Mutex::new(None);
        let workers = self.options.concurrency.clamp(1, 8).min(blobs.len());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        if failure.lock().unwrap_or_else(PoisonError::into_inner).is_some() {
                            return;
                        }
                        let Some(blob) = queue.lock().unwrap_or_else(PoisonError::into_inner).pop_front()
                        else {
                            return;
                        };
                        let mut report = |received| {
                            progress.event(&BlobEvent::Received {
                                digest: &blob.digest,
                                received,
                                size: blob.size,
                            });
                        };
                        let result = self.store.write(&blob.digest, &mut |out| {
                            client.blob(&blob.digest, blob.size, out, &mut report)
                        });
                        match result {
                            Ok(()) => {
                                progress.event(&BlobEvent::Done { digest: &blob.digest, size: blob.size })
                            }
                            Err(e) => {
                                failure.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
                                return;
                            }
                        }
                    }
                });
            }
        });
        match failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(error) => Err(error),
            None => Ok(blobs.iter().map(|b| b.size).sum()),
        }
    }
}

fn parse_json(reference: &Reference, fetched: &Fetched) -> Result<serde_json::Value, RegistryError> {
    serde_json::from_slice(&fetched.bytes).map_err(|e| RegistryError::Protocol {
        registry: reference.registry.clone(),
        message: format!("manifest {} of {reference} is not JSON: {e}", fetched.digest),
    })
}

/// The manifest's own `mediaType`, else the `Content-Type` it was served with, else an OCI
/// manifest (the field is optional there).
fn media_type(node: &serde_json::Value, fetched: &Fetched) -> String {
    node.get("mediaType")
        .and_then(|m| m.as_str())
        .map(str::to_string)
        .or_else(|| fetched.media_type.clone().filter(|m| m.starts_with("application/vnd.")))
        .unwrap_or_else(|| MEDIA_OCI_MANIFEST.to_string())
}

fn descriptor(
    reference: &Reference,
    node: &serde_json::Value,
    what: &str,
) -> Result<Descriptor, RegistryError> {
    let bad = |message: String| RegistryError::Protocol { registry: reference.registry.clone(), message };
    let text = node
        .get("digest")
        .and_then(|d| d.as_str())
        .ok_or_else(|| bad(format!("{reference}: {what} has no digest")))?;
    let digest = Digest::parse(text)
        .ok_or_else(|| bad(format!("{reference}: {what} has an unusable digest `{text}`")))?;
    let size = node
        .get("size")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| bad(format!("{reference}: {what} has no size")))?;
    Ok(Descriptor { digest, size })
}

fn platform_of(entry: &serde_json::Value) -> Option<Platform> {
    let p = entry.get("platform")?;
    let text = |k: &str| p.get(k).and_then(|v| v.as_str());
    Some(Platform::new(text("os")?, text("architecture")?, text("variant")))
}

/// The index entry for `wanted` (default `linux/amd64`, else the first image); attestation
/// manifests are never chosen.
fn choose(
    reference: &Reference,
    index: &serde_json::Value,
    wanted: Option<&Platform>,
) -> Result<(Descriptor, Option<Platform>), RegistryError> {
    let entries = index.get("manifests").and_then(|m| m.as_array()).map(Vec::as_slice).unwrap_or_default();
    let images: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| {
            let attestation = e
                .get("annotations")
                .and_then(|a| a.get("vnd.docker.reference.type"))
                .and_then(|t| t.as_str())
                == Some("attestation-manifest");
            !attestation && platform_of(e).is_none_or(|p| p.os != "unknown")
        })
        .collect();
    let available = {
        let mut names: Vec<String> =
            images.iter().filter_map(|e| platform_of(e).map(|p| p.to_string())).collect();
        names.dedup();
        if names.is_empty() { "none".to_string() } else { names.join(", ") }
    };
    let default = Platform::linux_amd64();
    let found = match wanted {
        Some(wanted) => images.iter().find(|e| platform_of(e).is_some_and(|p| wanted.matches(&p))),
        None => {
            images.iter().find(|e| platform_of(e).is_some_and(|p| default.matches(&p))).or(images.first())
        }
    };
    let Some(entry) = found else {
        return Err(RegistryError::NoMatchingPlatform {
            reference: reference.to_string(),
            wanted: wanted.map_or_else(|| default.to_string(), ToString::to_string),
            available,
        });
    };
    Ok((descriptor(reference, entry, "an index entry")?, platform_of(entry)))
}

/// The config and layer descriptors of an image manifest, checked against the limits.
fn blobs_of(
    reference: &Reference,
    manifest: &serde_json::Value,
    limits: &Limits,
) -> Result<(Descriptor, Vec<Descriptor>), RegistryError> {
    let config_node = manifest.get("config").ok_or_else(|| RegistryError::Protocol {
        registry: reference.registry.clone(),
        message: format!("{reference}: the manifest has no config"),
    })?;
    let config = descriptor(reference, config_node, "the config")?;
    if config.size > limits.max_json_bytes {
        return Err(RegistryError::TooLarge {
            what: format!("the config of {reference}"),
            size: config.size,
            limit: limits.max_json_bytes,
            unit: " bytes",
        });
    }
    let nodes = manifest.get("layers").and_then(|l| l.as_array()).map(Vec::as_slice).unwrap_or_default();
    if nodes.len() > limits.max_layers {
        return Err(RegistryError::TooLarge {
            what: format!("the layer count of {reference}"),
            size: nodes.len() as u64,
            limit: limits.max_layers as u64,
            unit: "",
        });
    }
    let mut layers = Vec::with_capacity(nodes.len());
    let mut total = 0u64;
    for (index, node) in nodes.iter().enumerate() {
        let layer = descriptor(reference, node, &format!("layer {index}"))?;
        total = total.saturating_add(layer.size);
        layers.push(layer);
    }
    if total > limits.max_uncompressed_bytes {
        return Err(RegistryError::TooLarge {
            what: format!("the layers of {reference}"),
            size: total,
            limit: limits.max_uncompressed_bytes,
            unit: " bytes",
        });
    }
    Ok((config, layers))
}
