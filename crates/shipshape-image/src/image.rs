//! [`Image`]: an image opened from disk.

use crate::config::{self, ImageConfig};
use crate::digest::Digest;
use crate::error::ImageError;
use crate::inventory::collect::InventoryVisitor;
use crate::inventory::{self, Collected, INVENTORY_PATHS, Inventory, InventoryLimits};
use crate::layer::Layer;
use crate::limits::Limits;
use crate::manifest::{self, ImageFormat, Selection};
use crate::platform::Platform;
use crate::store::Store;
use crate::walk::{self, FinalFile, Visitor, Walk, WalkInput, WalkOptions};
use shipshape_model::{ImageSpec, SourceFile};
use std::path::Path;

/// How to open an image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// The platform to choose from a multi-platform index (default: `linux/amd64`, else the
    /// first image). When given, an image whose config names another platform is an error.
    pub platform: Option<Platform>,
    /// The image to choose from an archive holding several (`docker save a b`), by reference
    /// (`alpine:3.20`) as in `RepoTags` or the index annotations.
    pub reference: Option<String>,
    /// Resource bounds.
    pub limits: Limits,
}

/// An image read from a `docker save` archive or an OCI layout, without extracting anything.
///
/// Opening reads only the JSON documents (index, manifest, config) and checks that every layer
/// blob is there; the layers are streamed by [`Image::walk`], each once per walk.
#[derive(Debug)]
pub struct Image {
    store: Store,
    location: String,
    format: ImageFormat,
    reference: Option<String>,
    manifest_digest: Option<Digest>,
    id: Digest,
    index_platform: Option<Platform>,
    config: ImageConfig,
    spec: ImageSpec,
    source: SourceFile,
    layers: Vec<Layer>,
    limits: Limits,
}

impl Image {
    /// Opens the image at `path` (an archive file or a layout directory), choosing `platform`
    /// from a multi-platform index.
    pub fn open(path: &Path, platform: Option<&Platform>) -> Result<Image, ImageError> {
        Image::open_with(path, &OpenOptions { platform: platform.cloned(), ..OpenOptions::default() })
    }

    /// Opens the image at `path` with options.
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Image, ImageError> {
        let limits = &options.limits;
        let store = Store::open(path, limits)?;
        let location = path.display().to_string();
        let selection =
            Selection { platform: options.platform.as_ref(), reference: options.reference.as_deref() };
        let resolved = manifest::resolve(&store, limits, &selection)?;
        let data = store.read_small(&resolved.config.name, limits.max_json_bytes)?.ok_or_else(|| {
            ImageError::MissingBlob {
                location: location.clone(),
                what: "config".into(),
                name: resolved.config.name.clone(),
            }
        })?;
        manifest::verify_small(&location, "config", &resolved.config, &data)?;
        let id = resolved.config.digest.clone().unwrap_or_else(|| Digest::sha256_of(&data));
        let name = resolved.reference.clone().unwrap_or_else(|| {
            path.file_name().map_or_else(|| location.clone(), |n| n.to_string_lossy().into_owned())
        });
        let parsed = config::parse(&data, &name, &id, resolved.layers.len())?;
        if let Some(wanted) = &options.platform
            && let (Some(os), Some(arch)) = (&parsed.config.os, &parsed.config.architecture)
        {
            // A config without a variant does not contradict an index entry that had one.
            let variant = parsed.config.variant.as_deref().or(wanted.variant.as_deref());
            let offered = Platform::new(os, arch, variant);
            if !wanted.matches(&offered) {
                return Err(ImageError::NoMatchingPlatform {
                    location,
                    wanted: wanted.to_string(),
                    available: offered.to_string(),
                });
            }
        }
        let diff_ids = &parsed.config.diff_ids;
        if diff_ids.len() != resolved.layers.len() {
            return Err(ImageError::invalid(
                parsed.source.path.to_string(),
                format!(
                    "rootfs.diff_ids lists {} layers but the manifest has {}",
                    diff_ids.len(),
                    resolved.layers.len()
                ),
            ));
        }
        let mut layers = Vec::with_capacity(resolved.layers.len());
        for (index, (blob, diff_id)) in resolved.layers.into_iter().zip(diff_ids).enumerate() {
            if !store.exists(&blob.name) {
                return Err(ImageError::MissingBlob {
                    location: location.clone(),
                    what: format!("layer {index}"),
                    name: blob.name,
                });
            }
            layers.push(Layer {
                index,
                blob: blob.name,
                digest: blob.digest,
                media_type: blob.media_type,
                size: blob.size,
                diff_id: Some(diff_id.clone()),
            });
        }
        Ok(Image {
            store,
            location,
            format: resolved.format,
            reference: resolved.reference,
            manifest_digest: resolved.manifest_digest,
            id,
            index_platform: resolved.platform,
            config: parsed.config,
            spec: parsed.spec,
            source: parsed.source,
            layers,
            limits: limits.clone(),
        })
    }

    /// Whether `path` holds an image, judged by content without reading it: an OCI layout
    /// (directory or tar) has `oci-layout`; a `docker save` archive a `manifest.json` naming
    /// `Config` and `Layers`. For finding images among other files.
    pub fn probe(path: &Path) -> bool {
        if path.is_dir() {
            return path.join("oci-layout").is_file();
        }
        let limits = Limits::default();
        let Ok(store) = Store::open(path, &limits) else { return false };
        if !store.is_archive() {
            return false;
        }
        store.exists("oci-layout")
            || store.read_small("manifest.json", 64 * 1024).ok().flatten().is_some_and(|data| {
                let text = String::from_utf8_lossy(&data);
                text.trim_start().starts_with('[')
                    && text.contains("\"Config\"")
                    && text.contains("\"Layers\"")
            })
    }

    /// The parsed image configuration.
    pub fn config(&self) -> &ImageConfig {
        &self.config
    }

    /// The configuration lowered to the security model (one stage, the final one).
    pub fn spec(&self) -> &ImageSpec {
        &self.spec
    }

    /// The config blob's text, named `<image>@sha256:…/config.json`; every origin of
    /// [`Image::spec`] points into it.
    pub fn config_source(&self) -> &SourceFile {
        &self.source
    }

    /// The layers, bottom first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// How the image was stored.
    pub fn format(&self) -> ImageFormat {
        self.format
    }

    /// The image's reference (`RepoTags`, index annotations), when recorded.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// The image ID: the digest of its config blob.
    pub fn id(&self) -> &Digest {
        &self.id
    }

    /// The digest of the image manifest (OCI layouts and Docker ≥ 25 archives).
    pub fn manifest_digest(&self) -> Option<&Digest> {
        self.manifest_digest.as_ref()
    }

    /// The platform the config names, else the one the index entry named.
    pub fn platform(&self) -> Option<Platform> {
        let c = &self.config;
        match (c.os.as_deref(), c.architecture.as_deref()) {
            (Some(os), Some(arch)) => Some(Platform::new(os, arch, c.variant.as_deref())),
            _ => self.index_platform.clone(),
        }
    }

    /// The path the image was opened from, as given.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn input(&self) -> WalkInput<'_> {
        WalkInput { store: &self.store, location: &self.location, layers: &self.layers, limits: &self.limits }
    }

    /// Streams every layer once, bottom first: builds the merged file view, verifies every
    /// layer's digest and diff_id, hands every entry to `visitor`, and keeps the files
    /// `options.capture` asks for. Pass `&mut ()` for no visitor.
    pub fn walk(&self, options: &WalkOptions, visitor: &mut dyn Visitor) -> Result<Walk, ImageError> {
        walk::walk(&self.input(), options, visitor)
    }

    /// Reads files of the final view (`/etc/passwd`, or `/dir/*` for every file of a
    /// directory), following symbolic links inside the image. Files captured by `walk` are
    /// taken from it; others are read by streaming only the layers that hold them. Missing
    /// paths are left out of the result.
    pub fn final_files(&self, walk: &Walk, paths: &[&str]) -> Result<Vec<FinalFile>, ImageError> {
        walk::final_files(&self.input(), walk, paths)
    }

    /// Reads a few files of the final view in one pass over the layers (see
    /// [`Image::final_files`] for the rare second pass).
    pub fn read_paths(&self, paths: &[&str]) -> Result<Vec<FinalFile>, ImageError> {
        let options = WalkOptions {
            capture: paths.iter().map(|p| (*p).to_string()).collect(),
            ..WalkOptions::default()
        };
        let walk = self.walk(&options, &mut ())?;
        self.final_files(&walk, paths)
    }

    /// The OS and OS package inventory, from a walk made with [`WalkOptions::for_inventory`]
    /// (so the databases' history across layers is known). Language packages are found only by
    /// [`Image::scan`], which looks at every file as it streams.
    pub fn inventory(&self, walk: &Walk) -> Result<Inventory, ImageError> {
        let files = self.final_files(walk, INVENTORY_PATHS)?;
        Ok(inventory::build(walk, &files, Collected::default()))
    }

    /// One pass that does everything: walks with `visitor`, capturing the OS package
    /// databases and finding language packages on the way, and builds the whole inventory.
    pub fn scan(&self, visitor: &mut dyn Visitor) -> Result<(Walk, Inventory), ImageError> {
        self.scan_with(visitor, &WalkOptions::for_inventory(), &InventoryLimits::default())
    }

    /// [`Image::scan`] with chosen walk options (`visitor` reads at most
    /// `options.max_file_bytes` of each file, as with [`Image::walk`]) and inventory limits.
    pub fn scan_with(
        &self,
        visitor: &mut dyn Visitor,
        options: &WalkOptions,
        limits: &InventoryLimits,
    ) -> Result<(Walk, Inventory), ImageError> {
        let mut collecting = InventoryVisitor::new(visitor, options.max_file_bytes, limits.clone());
        let mut capture = options.capture.clone();
        for path in INVENTORY_PATHS {
            if !capture.iter().any(|c| c == path) {
                capture.push((*path).to_string());
            }
        }
        let walk_options = WalkOptions {
            max_file_bytes: options.max_file_bytes.max(collecting.collector.max_read()),
            capture,
            ..options.clone()
        };
        let walk = self.walk(&walk_options, &mut collecting)?;
        let collected = collecting.collector.finish(&walk.filesystem);
        let files = self.final_files(&walk, INVENTORY_PATHS)?;
        let inventory = inventory::build(&walk, &files, collected);
        Ok((walk, inventory))
    }
}

impl WalkOptions {
    /// Default options that also capture what [`Image::inventory`] reads.
    pub fn for_inventory() -> WalkOptions {
        WalkOptions {
            capture: INVENTORY_PATHS.iter().map(|p| (*p).to_string()).collect(),
            ..WalkOptions::default()
        }
    }
}
