//! Finding the image in an archive or layout: OCI `index.json` (nested indexes, multi-platform
//! selection, Docker manifest lists) or Docker's `manifest.json`, down to one config blob and
//! its layer blobs.

use crate::digest::Digest;
use crate::error::ImageError;
use crate::json::{self, str_of, u64_of};
use crate::limits::Limits;
use crate::platform::Platform;
use crate::store::Store;
use shipshape_model::ImageRef;
use shipshape_yaml::Node;

/// How the image was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// `docker save` before Docker 25: `manifest.json`, `<id>.json`, `<id>/layer.tar`.
    DockerArchive,
    /// `docker save` from Docker 25 on: an OCI layout in a tar with Docker's `manifest.json` too.
    DockerOciArchive,
    /// An OCI image layout packed in a tar (`oci-layout`, `index.json`, `blobs/`).
    OciArchive,
    /// An OCI image layout directory.
    OciLayout,
    /// An extracted `docker save` archive (a directory with `manifest.json`).
    DockerDirectory,
}

/// Media type of an OCI image index.
pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Media type of a Docker manifest list (the Docker form of an index).
pub const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Media type of an OCI image manifest.
pub const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of a Docker image manifest, schema 2.
pub const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// A blob the image consists of: its name in the store and what its descriptor promises.
#[derive(Debug, Clone)]
pub(crate) struct BlobRef {
    pub(crate) name: String,
    pub(crate) digest: Option<Digest>,
    pub(crate) size: Option<u64>,
    pub(crate) media_type: Option<String>,
}

/// The chosen image.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) format: ImageFormat,
    pub(crate) reference: Option<String>,
    pub(crate) manifest_digest: Option<Digest>,
    pub(crate) platform: Option<Platform>,
    pub(crate) config: BlobRef,
    pub(crate) layers: Vec<BlobRef>,
}

/// What to choose when the store holds several images.
pub(crate) struct Selection<'a> {
    pub(crate) platform: Option<&'a Platform>,
    pub(crate) reference: Option<&'a str>,
}

/// A manifest an index offers.
#[derive(Debug, Clone)]
struct Candidate {
    digest: Digest,
    size: Option<u64>,
    platform: Option<Platform>,
    reference: Option<String>,
}

struct Ctx<'a> {
    store: &'a Store,
    limits: &'a Limits,
    location: String,
}

impl Ctx<'_> {
    fn at(&self, what: &str) -> String {
        format!("{}: {what}", self.location)
    }

    /// Reads a JSON blob whole and checks its size and digest.
    fn read_blob(&self, blob: &BlobRef, what: &str) -> Result<Option<Vec<u8>>, ImageError> {
        let Some(data) = self.store.read_small(&blob.name, self.limits.max_json_bytes)? else {
            return Ok(None);
        };
        verify_small(&self.location, what, blob, &data)?;
        Ok(Some(data))
    }

    fn missing(&self, what: &str, name: &str) -> ImageError {
        ImageError::MissingBlob { location: self.location.clone(), what: what.into(), name: name.into() }
    }
}

/// Checks a small blob read whole against its descriptor.
pub(crate) fn verify_small(
    location: &str,
    what: &str,
    blob: &BlobRef,
    data: &[u8],
) -> Result<(), ImageError> {
    if let Some(size) = blob.size
        && size != data.len() as u64
    {
        return Err(ImageError::SizeMismatch {
            location: location.to_string(),
            what: format!("{what} {}", blob.name),
            expected: size,
            actual: data.len() as u64,
        });
    }
    if let Some(expected) = &blob.digest {
        let mut hasher = crate::digest::Hasher::new(expected.algorithm());
        hasher.update(data);
        let actual = hasher.finish();
        if &actual != expected {
            return Err(ImageError::DigestMismatch {
                location: location.to_string(),
                what: format!("{what} {}", blob.name),
                expected: expected.to_string(),
                actual: actual.to_string(),
            });
        }
    }
    Ok(())
}

/// Finds the image in `store`.
pub(crate) fn resolve(
    store: &Store,
    limits: &Limits,
    selection: &Selection<'_>,
) -> Result<Resolved, ImageError> {
    let ctx = Ctx { store, limits, location: store.path().display().to_string() };
    let has_index = store.exists("index.json");
    let has_manifest = store.exists("manifest.json");
    if has_index {
        let format = match (store.is_archive(), has_manifest) {
            (true, true) => ImageFormat::DockerOciArchive,
            (true, false) => ImageFormat::OciArchive,
            (false, _) => ImageFormat::OciLayout,
        };
        match resolve_oci(&ctx, selection, format) {
            // Docker's own manifest.json names exactly the blobs it saved; use it when the
            // index points at manifests that were not saved.
            Err(ImageError::MissingBlob { .. }) if has_manifest => {}
            other => return other,
        }
    }
    if has_manifest {
        let format =
            if store.is_archive() { ImageFormat::DockerArchive } else { ImageFormat::DockerDirectory };
        return resolve_docker(&ctx, selection, format);
    }
    Err(ImageError::NotAnImage {
        path: store.path().to_path_buf(),
        reason: "neither `index.json` (OCI layout) nor `manifest.json` (docker save) found".into(),
    })
}

fn platform_of(node: &Node) -> Option<Platform> {
    let p = node.get("platform")?;
    Some(Platform::new(str_of(p, "os")?, str_of(p, "architecture")?, str_of(p, "variant")))
}

fn reference_annotation(node: &Node) -> Option<String> {
    let annotations = node.get("annotations")?;
    str_of(annotations, "io.containerd.image.name")
        .or_else(|| str_of(annotations, "org.opencontainers.image.ref.name"))
        .map(str::to_string)
}

fn is_attestation(node: &Node) -> bool {
    node.get("annotations")
        .and_then(|a| str_of(a, "vnd.docker.reference.type"))
        .is_some_and(|t| t == "attestation-manifest")
        || node.get("platform").and_then(|p| str_of(p, "os")).is_some_and(|os| os == "unknown")
}

/// Whether the reference `offered` (an annotation or a `RepoTags` entry) names `wanted`.
fn reference_matches(wanted: &str, offered: &str) -> bool {
    if wanted == offered {
        return true;
    }
    // A bare tag annotation (`org.opencontainers.image.ref.name: latest`).
    if !offered.contains(['/', ':', '@']) {
        return wanted.rsplit_once(':').is_some_and(|(_, tag)| tag == offered) || wanted == offered;
    }
    match (ImageRef::parse(wanted), ImageRef::parse(offered)) {
        (Some(w), Some(o)) => {
            let tag =
                |r: &ImageRef| r.tag.clone().or_else(|| r.digest.is_none().then(|| "latest".to_string()));
            w.registry == o.registry
                && w.repository == o.repository
                && tag(&w) == tag(&o)
                && (w.digest.is_none() || w.digest == o.digest)
        }
        _ => false,
    }
}

fn descriptor_digest(ctx: &Ctx<'_>, node: &Node, what: &str) -> Result<Digest, ImageError> {
    let text = str_of(node, "digest")
        .ok_or_else(|| ImageError::invalid(ctx.at(what), "descriptor has no digest"))?;
    Digest::parse(text).ok_or_else(|| {
        if text.contains(':') && !text.starts_with("sha256:") && !text.starts_with("sha512:") {
            ImageError::Unsupported { location: ctx.at(what), what: format!("digest algorithm of `{text}`") }
        } else {
            ImageError::invalid(ctx.at(what), format!("invalid digest `{text}`"))
        }
    })
}

/// Collects the manifests an index offers, expanding nested indexes.
fn collect(
    ctx: &Ctx<'_>,
    index: &Node,
    inherited: Option<&str>,
    depth: usize,
    out: &mut Vec<Candidate>,
) -> Result<(), ImageError> {
    let Some(manifests) = index.get("manifests").and_then(Node::as_sequence) else {
        return Err(ImageError::invalid(ctx.at("index"), "index has no `manifests` array"));
    };
    for entry in manifests {
        if is_attestation(entry) || out.len() >= 4096 {
            continue;
        }
        let digest = descriptor_digest(ctx, entry, "index entry")?;
        let reference = reference_annotation(entry).or_else(|| inherited.map(str::to_string));
        let media = str_of(entry, "mediaType");
        let index_by_type = matches!(media, Some(MEDIA_OCI_INDEX | MEDIA_DOCKER_LIST));
        if index_by_type || media.is_none() {
            let blob = BlobRef {
                name: digest.blob_path(),
                digest: Some(digest.clone()),
                size: u64_of(entry, "size"),
                media_type: None,
            };
            match ctx.read_blob(&blob, "index entry")? {
                Some(data) => {
                    let node = json::parse(&json::lossy_text(&data), &ctx.at(&blob.name))?;
                    if index_by_type || node.get("manifests").is_some() {
                        if depth >= 4 {
                            return Err(ImageError::invalid(
                                ctx.at("index"),
                                "indexes nested more than 4 deep",
                            ));
                        }
                        collect(ctx, &node, reference.as_deref(), depth + 1, out)?;
                        continue;
                    }
                }
                // A nested index that was not saved (other platforms of a multi-platform image).
                None if index_by_type => continue,
                None => {}
            }
        }
        out.push(Candidate { digest, size: u64_of(entry, "size"), platform: platform_of(entry), reference });
    }
    Ok(())
}

fn resolve_oci(
    ctx: &Ctx<'_>,
    selection: &Selection<'_>,
    format: ImageFormat,
) -> Result<Resolved, ImageError> {
    let index_blob = BlobRef { name: "index.json".into(), digest: None, size: None, media_type: None };
    let data = ctx.read_blob(&index_blob, "index")?.ok_or_else(|| ctx.missing("index", "index.json"))?;
    let index = json::parse(&json::lossy_text(&data), &ctx.at("index.json"))?;
    let mut candidates = Vec::new();
    collect(ctx, &index, None, 0, &mut candidates)?;
    if candidates.is_empty() {
        return Err(ImageError::invalid(ctx.at("index.json"), "the index lists no image manifest"));
    }
    if let Some(wanted) = selection.reference {
        let available = list(candidates.iter().filter_map(|c| c.reference.clone()));
        candidates.retain(|c| c.reference.as_deref().is_some_and(|r| reference_matches(wanted, r)));
        if candidates.is_empty() {
            return Err(ImageError::NoMatchingReference {
                location: ctx.location.clone(),
                wanted: wanted.to_string(),
                available,
            });
        }
    }
    let available = list(candidates.iter().filter_map(|c| c.platform.as_ref().map(ToString::to_string)));
    let ordered: Vec<&Candidate> = match selection.platform {
        Some(wanted) => {
            let matching =
                candidates.iter().filter(|c| c.platform.as_ref().is_some_and(|p| wanted.matches(p)));
            // Entries without a platform are checked against their config once read.
            let unknown = candidates.iter().filter(|c| c.platform.is_none());
            matching.chain(unknown).collect()
        }
        None => {
            let default = Platform::linux_amd64();
            let preferred =
                candidates.iter().filter(|c| c.platform.as_ref().is_some_and(|p| default.matches(p)));
            let rest = candidates.iter().filter(|c| !c.platform.as_ref().is_some_and(|p| default.matches(p)));
            preferred.chain(rest).collect()
        }
    };
    if ordered.is_empty() {
        return Err(ImageError::NoMatchingPlatform {
            location: ctx.location.clone(),
            wanted: selection.platform.map(ToString::to_string).unwrap_or_default(),
            available,
        });
    }
    let mut first_missing = None;
    for candidate in ordered {
        let blob = BlobRef {
            name: candidate.digest.blob_path(),
            digest: Some(candidate.digest.clone()),
            size: candidate.size,
            media_type: None,
        };
        let Some(data) = ctx.read_blob(&blob, "manifest")? else {
            first_missing.get_or_insert(blob.name);
            continue;
        };
        let node = json::parse(&json::lossy_text(&data), &ctx.at(&blob.name))?;
        let (config, layers) = manifest_blobs(ctx, &node, &blob.name)?;
        return Ok(Resolved {
            format,
            reference: candidate.reference.clone(),
            manifest_digest: Some(candidate.digest.clone()),
            platform: candidate.platform.clone(),
            config,
            layers,
        });
    }
    Err(ctx.missing("manifest", &first_missing.unwrap_or_default()))
}

fn list(items: impl Iterator<Item = String>) -> String {
    let mut all: Vec<String> = items.collect();
    all.dedup();
    if all.is_empty() { "none".to_string() } else { all.join(", ") }
}

/// The config and layer descriptors of an image manifest.
fn manifest_blobs(ctx: &Ctx<'_>, node: &Node, name: &str) -> Result<(BlobRef, Vec<BlobRef>), ImageError> {
    let location = ctx.at(name);
    if u64_of(node, "schemaVersion") == Some(1) {
        return Err(ImageError::Unsupported { location, what: "Docker image manifest schema 1".into() });
    }
    match str_of(node, "mediaType") {
        None | Some(MEDIA_OCI_MANIFEST | MEDIA_DOCKER_MANIFEST) => {}
        Some(other) => {
            return Err(ImageError::invalid(
                location,
                format!("expected an image manifest, found `{other}`"),
            ));
        }
    }
    let config =
        node.get("config").ok_or_else(|| ImageError::invalid(location.clone(), "manifest has no config"))?;
    let config_digest = descriptor_digest(ctx, config, "config descriptor")?;
    let config = BlobRef {
        name: config_digest.blob_path(),
        digest: Some(config_digest),
        size: u64_of(config, "size"),
        media_type: str_of(config, "mediaType").map(str::to_string),
    };
    let mut layers = Vec::new();
    for layer in node.get("layers").and_then(Node::as_sequence).unwrap_or_default() {
        let digest = descriptor_digest(ctx, layer, "layer descriptor")?;
        layers.push(BlobRef {
            name: digest.blob_path(),
            digest: Some(digest),
            size: u64_of(layer, "size"),
            media_type: str_of(layer, "mediaType").map(str::to_string),
        });
        if layers.len() > ctx.limits.max_layers {
            return Err(ImageError::LimitExceeded {
                location,
                what: "the number of layers".into(),
                limit: ctx.limits.max_layers as u64,
            });
        }
    }
    Ok((config, layers))
}

/// A digest named by a member path: `blobs/sha256/<hex>` or legacy `<hex>.json`.
fn digest_from_name(name: &str) -> Option<Digest> {
    let name = crate::store::normalize_member(name);
    if let Some(rest) = name.strip_prefix("blobs/")
        && let Some((algorithm, hex)) = rest.split_once('/')
    {
        return Digest::parse(&format!("{algorithm}:{hex}"));
    }
    name.strip_suffix(".json").filter(|stem| !stem.contains('/')).and_then(Digest::sha256_hex)
}

fn resolve_docker(
    ctx: &Ctx<'_>,
    selection: &Selection<'_>,
    format: ImageFormat,
) -> Result<Resolved, ImageError> {
    let blob = BlobRef { name: "manifest.json".into(), digest: None, size: None, media_type: None };
    let data = ctx.read_blob(&blob, "manifest")?.ok_or_else(|| ctx.missing("manifest", "manifest.json"))?;
    let root = json::parse(&json::lossy_text(&data), &ctx.at("manifest.json"))?;
    let entries = root.as_sequence().filter(|e| !e.is_empty()).ok_or_else(|| {
        ImageError::invalid(ctx.at("manifest.json"), "expected a non-empty array of images")
    })?;
    let tags = |entry: &Node| {
        json::strings_of(entry, "RepoTags").into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let mut chosen: Vec<&Node> = entries.iter().collect();
    if let Some(wanted) = selection.reference {
        chosen.retain(|e| tags(e).iter().any(|t| reference_matches(wanted, t)));
        if chosen.is_empty() {
            return Err(ImageError::NoMatchingReference {
                location: ctx.location.clone(),
                wanted: wanted.to_string(),
                available: list(entries.iter().flat_map(tags)),
            });
        }
    }
    let mut picked = chosen.first().copied();
    if chosen.len() > 1 {
        // Several images: read each config's platform and choose as for an index.
        let wanted = selection.platform.cloned().unwrap_or_else(Platform::linux_amd64);
        let mut offered = Vec::new();
        for entry in &chosen {
            let (config, _) = docker_blobs(ctx, entry)?;
            let Some(data) = ctx.read_blob(&config, "config")? else { continue };
            let node = json::parse(&json::lossy_text(&data), &ctx.at(&config.name))?;
            if let (Some(os), Some(arch)) = (str_of(&node, "os"), str_of(&node, "architecture")) {
                let platform = Platform::new(os, arch, str_of(&node, "variant"));
                if wanted.matches(&platform) {
                    picked = Some(entry);
                    offered.clear();
                    break;
                }
                offered.push(platform.to_string());
            }
        }
        if selection.platform.is_some() && !offered.is_empty() {
            return Err(ImageError::NoMatchingPlatform {
                location: ctx.location.clone(),
                wanted: wanted.to_string(),
                available: list(offered.into_iter()),
            });
        }
    }
    let entry = picked.ok_or_else(|| ImageError::invalid(ctx.at("manifest.json"), "no image entry"))?;
    let (config, layers) = docker_blobs(ctx, entry)?;
    let reference = match selection.reference {
        Some(wanted) => tags(entry).into_iter().find(|t| reference_matches(wanted, t)),
        None => tags(entry).into_iter().next(),
    };
    Ok(Resolved { format, reference, manifest_digest: None, platform: None, config, layers })
}

fn docker_blobs(ctx: &Ctx<'_>, entry: &Node) -> Result<(BlobRef, Vec<BlobRef>), ImageError> {
    let location = ctx.at("manifest.json");
    let config_name = str_of(entry, "Config")
        .ok_or_else(|| ImageError::invalid(location.clone(), "entry has no Config"))?;
    let config = BlobRef {
        name: crate::store::normalize_member(config_name),
        digest: digest_from_name(config_name),
        size: None,
        media_type: None,
    };
    let names = json::strings_of(entry, "Layers");
    if names.len() > ctx.limits.max_layers {
        return Err(ImageError::LimitExceeded {
            location,
            what: "the number of layers".into(),
            limit: ctx.limits.max_layers as u64,
        });
    }
    let layers = names
        .into_iter()
        .map(|name| BlobRef {
            name: crate::store::normalize_member(name),
            digest: digest_from_name(name).filter(|_| name.contains("blobs/")),
            size: None,
            media_type: None,
        })
        .collect();
    Ok((config, layers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert!(reference_matches("alpine", "alpine:latest"));
        assert!(reference_matches("alpine:3.20", "docker.io/library/alpine:3.20"));
        assert!(reference_matches("ghcr.io/a/b:1", "ghcr.io/a/b:1"));
        assert!(reference_matches("x/app:1.0", "1.0"));
        assert!(!reference_matches("alpine:3.19", "alpine:3.20"));
        assert!(!reference_matches("alpine", "busybox"));
    }

    #[test]
    fn digests_from_names() {
        let hex = "a".repeat(64);
        assert_eq!(
            digest_from_name(&format!("blobs/sha256/{hex}")).map(|d| d.hex().to_string()),
            Some(hex.clone())
        );
        assert_eq!(digest_from_name(&format!("{hex}.json")).map(|d| d.hex().to_string()), Some(hex.clone()));
        assert_eq!(digest_from_name(&format!("x/{hex}.json")), None);
        assert_eq!(digest_from_name("config.json"), None);
    }
}
