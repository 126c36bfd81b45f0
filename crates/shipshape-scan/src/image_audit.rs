//! An image read in place (`docker save` archive, OCI layout): its configuration checked by the
//! image rules, and every regular file of every layer read once for credentials and malware,
//! including files a later layer deletes (a secret or a miner in any layer ships with the image).
//!
//! The documents handed to the pipeline are the config blob (`<image>@sha256:…/config.json`) and,
//! for each layer file holding a credential or matching a malware signature, the file itself
//! (invalid UTF-8 bytes read as `?` in place), named `<image>!/layer-<n>/<path>` (with
//! ` (deleted by layer <m>)` when it is not in the final view), so findings point at the layer
//! and line.

use crate::frontend::{OsPackage, OsPackages};
use shipshape_image::{
    Fate, Image, ImageError, Inventory, OpenOptions, PackageManager, Platform, VisitEntry, VisitResult,
    Visitor, Walk,
};
use shipshape_model::SourceFile;
use std::io::Read;
use std::path::Path;

/// What reading one image produced.
#[derive(Debug)]
pub struct ImageDocuments {
    /// (document, front-end kind) for [`crate::scan_documents`].
    pub documents: Vec<(SourceFile, &'static str)>,
    /// The package databases (dpkg `status`, apk `installed`) with their packages, for
    /// [`crate::scan_documents_with_packages`].
    pub packages: Vec<(SourceFile, OsPackages)>,
    /// Findings made from layer files' raw bytes (YARA matches), each naming its document.
    pub findings: Vec<shipshape_model::Finding>,
    /// Layers streamed, regular files read, bytes read.
    pub layers: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Collects the layer files in which the detector finds a credential or the malware detector
/// a signature.
struct SecretFiles<'d> {
    detector: Option<&'d shipshape_secrets::Detector>,
    malware: Option<&'d shipshape_malware::Detector>,
    yara: Option<&'d dyn crate::yara::Scanner>,
    image: String,
    /// (layer, path, content, YARA matches) of each file to report on.
    found: Vec<(usize, String, Vec<u8>, Vec<crate::yara::RuleMatch>)>,
    files: usize,
    bytes: u64,
}

impl Visitor for SecretFiles<'_> {
    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        let name = format!("{}!/layer-{}{}", self.image, file.layer.index, file.path);
        let secret = self.detector.is_some_and(|d| d.scan_path(&name, &bytes).iter().any(|m| !m.is_example));
        let malware = !secret
            && self
                .malware
                .is_some_and(|d| d.scan_path(Some(file.path), &bytes).iter().any(|m| !m.is_example));
        let yara = self.yara.map(|rules| rules.scan(&bytes)).unwrap_or_default();
        if secret || malware || !yara.is_empty() {
            self.found.push((file.layer.index, file.path.to_string(), bytes, yara));
        }
        Ok(())
    }
}

/// Opens the image at `path` and gathers its documents; `platform` picks from a multi-platform
/// index (`linux/arm64`).
pub fn image_documents(path: &Path, platform: Option<&Platform>) -> Result<ImageDocuments, ImageError> {
    image_documents_with(path, platform, None)
}

/// [`image_documents`], with YARA rules run over every layer file in the same walk.
pub fn image_documents_with(
    path: &Path,
    platform: Option<&Platform>,
    yara: Option<&dyn crate::yara::Scanner>,
) -> Result<ImageDocuments, ImageError> {
    let options = OpenOptions { platform: platform.cloned(), ..OpenOptions::default() };
    let image = Image::open_with(path, &options)?;
    let mut documents = vec![(image.config_source().clone(), "image-config")];
    let label = path.display().to_string();
    let mut visitor = SecretFiles {
        detector: crate::frontend::detector(),
        malware: crate::frontend::malware_detector(),
        yara,
        image: label.clone(),
        found: Vec::new(),
        files: 0,
        bytes: 0,
    };
    let (walk, inventory) = image.scan(&mut visitor)?;
    let packages = package_documents(&image, &walk, &inventory, &label)?;
    let mut findings = Vec::new();
    for (layer, file_path, bytes, yara) in visitor.found {
        let deleted = match walk.filesystem.fate(layer, &file_path) {
            Some(Fate::Shadowed { by, .. }) => format!(" (deleted by layer {by})"),
            _ => String::new(),
        };
        let name: std::sync::Arc<str> = format!("{label}!/layer-{layer}{file_path}{deleted}").into();
        // Every rule: the sink drops those the configuration disables.
        let settings = shipshape_rules::RuleSettings::default();
        findings.extend(crate::yara::findings_of(yara, &name, &settings, &|_| true));
        documents.push((SourceFile::new(name, crate::read::text_in_place(bytes).0), "text"));
    }
    Ok(ImageDocuments {
        documents,
        findings,
        packages,
        layers: image.layers().len(),
        files: visitor.files,
        bytes: visitor.bytes,
    })
}

/// The OSV ecosystems (with release) of an image's OS packages, from `os-release`: `Debian:12`,
/// `Ubuntu:22.04:LTS` then `Ubuntu:22.04`, `Alpine:v3.19`. Empty when the release is unknown.
pub fn os_ecosystems(inventory: &Inventory) -> Vec<String> {
    let Some(os) = &inventory.os else { return Vec::new() };
    let (Some(id), Some(version)) = (os.id.as_deref(), os.version_id.as_deref()) else { return Vec::new() };
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next();
    match id {
        "debian" => vec![format!("Debian:{major}")],
        "ubuntu" => {
            let lts = minor == Some("04") && major.parse::<u32>().is_ok_and(|y| y % 2 == 0);
            if lts {
                vec![format!("Ubuntu:{version}:LTS"), format!("Ubuntu:{version}")]
            } else {
                vec![format!("Ubuntu:{version}")]
            }
        }
        "alpine" => match minor {
            Some(minor) => vec![format!("Alpine:v{major}.{minor}")],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `layer 2 (RUN apt-get install -y curl)`: the layer and the build step that made it, when the
/// history says.
fn layer_label(image: &Image, layer: usize) -> String {
    let step = image.config().history.iter().find(|h| h.layer == Some(layer)).and_then(|h| {
        match (&h.instruction, &h.command) {
            (Some(instruction), Some(command)) => Some(format!("{instruction} {command}")),
            _ => h.created_by.as_ref().and_then(|c| c.get()).map(str::to_owned),
        }
    });
    match step.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty()) {
        Some(step) if step.chars().count() > 80 => {
            format!("layer {layer} ({}…)", step.chars().take(79).collect::<String>())
        }
        Some(step) => format!("layer {layer} ({step})"),
        None => format!("layer {layer}"),
    }
}

/// One document per package database of the image, with its packages at their stanza lines.
fn package_documents(
    image: &Image,
    walk: &Walk,
    inventory: &Inventory,
    label: &str,
) -> Result<Vec<(SourceFile, OsPackages)>, ImageError> {
    let ecosystems = os_ecosystems(inventory);
    let os_id = inventory.os.as_ref().and_then(|o| o.id.clone()).unwrap_or_else(|| "linux".to_owned());
    let mut paths: Vec<&str> = inventory.packages.iter().map(|p| p.db_path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths {
        let Some(file) = image.final_files(walk, &[path])?.into_iter().next() else { continue };
        let text = String::from_utf8_lossy(&file.data).into_owned();
        let mut packages = Vec::new();
        let mut manager = PackageManager::Dpkg;
        for package in inventory.packages.iter().filter(|p| p.db_path == path) {
            manager = package.manager;
            let needle = match package.manager {
                PackageManager::Dpkg => format!("Package: {}", package.name),
                PackageManager::Apk => format!("P:{}", package.name),
            };
            let line = text.lines().position(|l| l.trim_end() == needle).map_or(1, |i| i + 1);
            packages.push(OsPackage {
                name: package.name.clone(),
                version: package.version.clone(),
                source_name: package.source_name.clone(),
                source_version: package.source_version.clone(),
                line,
                layer: layer_label(image, package.introduced_layer.unwrap_or(package.layer)),
            });
        }
        let purl_prefix = match manager {
            PackageManager::Dpkg => format!("deb/{os_id}"),
            PackageManager::Apk => format!("apk/{os_id}"),
        };
        let name = format!("{label}!/layer-{}{}", file.layer, file.path);
        out.push((
            SourceFile::new(name, text),
            OsPackages { ecosystems: ecosystems.clone(), purl_prefix, packages },
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::os_ecosystems;
    use shipshape_image::{Inventory, OsRelease};

    fn ecosystems(id: &str, version: Option<&str>) -> Vec<String> {
        let os = OsRelease {
            id: Some(id.to_owned()),
            version_id: version.map(str::to_owned),
            ..OsRelease::default()
        };
        os_ecosystems(&Inventory { os: Some(os), ..Inventory::default() })
    }

    #[test]
    fn releases_are_spelled_as_osv_names_them() {
        assert_eq!(ecosystems("debian", Some("12")), ["Debian:12"]);
        assert_eq!(ecosystems("ubuntu", Some("22.04")), ["Ubuntu:22.04:LTS", "Ubuntu:22.04"]);
        assert_eq!(ecosystems("ubuntu", Some("23.10")), ["Ubuntu:23.10"]);
        assert_eq!(ecosystems("ubuntu", Some("23.04")), ["Ubuntu:23.04"]);
        assert_eq!(ecosystems("alpine", Some("3.19.1")), ["Alpine:v3.19"]);
        assert!(ecosystems("debian", None).is_empty(), "sid: no release, nothing matched");
        assert!(ecosystems("fedora", Some("40")).is_empty());
        assert!(os_ecosystems(&Inventory::default()).is_empty());
    }
}
