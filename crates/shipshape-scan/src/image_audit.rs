//! An image read in place (`docker save` archive, OCI layout): its configuration checked by the
//! image rules, and every regular file of every layer read once for credentials and malware,
//! including files a later layer deletes (a secret or a miner in any layer ships with the image).
//!
//! The documents handed to the pipeline are the config blob (`<image>@sha256:…/config.json`) and,
//! for each layer file holding a credential or matching a malware signature, the file itself
//! (invalid UTF-8 bytes read as `?` in place), named `<image>!/layer-<n>/<path>` (with
//! ` (deleted by layer <m>)` when it is not in the final view), so findings point at the layer
//! and line. Every file the inventory found packages in (an OS
//! package database, a `METADATA` or `package.json`, a jar, a Go binary) is a document of the
//! same naming with its packages attached, matched in their ecosystem. The filesystem checks add
//! the documents of [`crate::image_files`] (`<image>!/files` and the account databases).

use crate::frontend::{OsPackage, OsPackages};
use crate::image_files::{FileFacts, Tee, account_db};
use shipshape_image::{
    Fate, Image, ImageError, Inventory, Layer, LayerStats, OpenOptions, Package, PackageManager, Platform,
    VisitEntry, VisitResult, Visitor, Walk,
};
use shipshape_model::{Component, ComponentKind, SourceFile};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

/// What reading one image produced.
#[derive(Debug)]
pub struct ImageDocuments {
    /// (document, front-end kind) for [`crate::scan_documents`].
    pub documents: Vec<(SourceFile, &'static str)>,
    /// The files listing packages (OS package databases, language manifests, archives,
    /// binaries) with their packages, for [`crate::scan_documents_with_packages`].
    pub packages: Vec<(SourceFile, OsPackages)>,
    /// The image's config digest (`sha256:…`).
    pub digest: String,
    /// The operating system (from `os-release`) as an SBOM component.
    pub os: Option<Component>,
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
    read_image(path, &path.display().to_string(), &options, yara, &mut |_| {})
}

/// Where the layer walk is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkProgress {
    /// The layer being streamed (0-based) and how many there are.
    pub layer: usize,
    pub layers: usize,
    /// The layer blob's size, when the manifest says.
    pub layer_size: Option<u64>,
    /// Regular files read in this layer so far.
    pub files: u64,
    /// The layer has been streamed and verified.
    pub finished: bool,
}

/// Tells `progress` about each layer while `inner` visits it.
struct Reporting<'a> {
    inner: &'a mut dyn Visitor,
    progress: &'a mut dyn FnMut(&WalkProgress),
    state: WalkProgress,
}

impl Visitor for Reporting<'_> {
    fn layer_start(&mut self, layer: &Layer) -> VisitResult {
        self.state = WalkProgress {
            layer: layer.index,
            layer_size: layer.size,
            files: 0,
            finished: false,
            ..self.state
        };
        (self.progress)(&self.state);
        self.inner.layer_start(layer)
    }

    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        self.state.files += 1;
        if self.state.files.is_multiple_of(256) {
            (self.progress)(&self.state);
        }
        self.inner.file(file, content)
    }

    fn entry(&mut self, entry: &VisitEntry<'_>) -> VisitResult {
        self.inner.entry(entry)
    }

    fn whiteout(&mut self, layer: &Layer, target: &str, opaque: bool) -> VisitResult {
        self.inner.whiteout(layer, target, opaque)
    }

    fn layer_end(&mut self, layer: &Layer, stats: &LayerStats) -> VisitResult {
        self.state.finished = true;
        (self.progress)(&self.state);
        self.inner.layer_end(layer, stats)
    }
}

/// Opens the image at `path` (an archive, or a layout such as a registry pull) and gathers its
/// documents, naming them after `label` (`app.tar`, `alpine:3.20`); `progress` follows the
/// layer walk.
pub fn read_image(
    path: &Path,
    label: &str,
    options: &OpenOptions,
    yara: Option<&dyn crate::yara::Scanner>,
    progress: &mut dyn FnMut(&WalkProgress),
) -> Result<ImageDocuments, ImageError> {
    let image = Image::open_with(path, options)?;
    let mut documents = vec![(image.config_source().clone(), "image-config")];
    let label = label.to_string();
    let state =
        WalkProgress { layer: 0, layers: image.layers().len(), layer_size: None, files: 0, finished: false };
    let mut facts = FileFacts::default();
    let mut visitor = SecretFiles {
        detector: crate::frontend::detector(),
        malware: crate::frontend::malware_detector(),
        yara,
        image: label.clone(),
        found: Vec::new(),
        files: 0,
        bytes: 0,
    };
    let mut tee = Tee(&mut visitor, &mut facts);
    let mut reporting = Reporting { inner: &mut tee, progress, state };
    let (walk, inventory) = image.scan(&mut reporting)?;
    let packages = package_documents(&image, &inventory, &label);
    documents.extend(os_release_document(&image, &walk, &inventory, &label)?);
    let reported: HashSet<(usize, String)> =
        visitor.found.iter().map(|(layer, path, _, _)| (*layer, path.clone())).collect();
    documents.extend(filesystem_documents(&image, &label, &walk, &inventory, &facts, &reported));
    let mut findings = Vec::new();
    for (layer, file_path, bytes, yara) in visitor.found {
        // The filesystem rules judge the password hashes of the final account databases.
        if yara.is_empty()
            && account_db(&file_path).is_some()
            && walk.filesystem.fate(layer, &file_path) == Some(Fate::Visible)
        {
            continue;
        }
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
        digest: image.id().to_string(),
        os: os_component(&inventory, &label),
        layers: image.layers().len(),
        files: visitor.files,
        bytes: visitor.bytes,
    })
}

/// The image's operating system as an SBOM component (`pkg:generic/debian@12`-style names are
/// not standard: the OS is identified by name and version only).
fn os_component(inventory: &Inventory, label: &str) -> Option<Component> {
    let os = inventory.os.as_ref()?;
    let name = os.id.clone()?;
    Some(Component {
        kind: ComponentKind::OperatingSystem,
        name,
        version: os.version_id.clone().unwrap_or_default(),
        ecosystem: os_ecosystems(inventory).into_iter().next(),
        purl: None,
        licenses: Vec::new(),
        source_name: None,
        path: format!("{label}!/layer-{}{}", os.layer, os.path),
        layer: Some(format!("layer {}", os.layer)),
    })
}

/// The OSV ecosystems (with release) of an image's OS packages, from `os-release`: `Debian:12`,
/// `Ubuntu:22.04:LTS` then `Ubuntu:22.04`, `Alpine:v3.19`, `AlmaLinux:9`, `Rocky Linux:9`,
/// `Red Hat:enterprise_linux:9::baseos` and `::appstream`, `openSUSE:Leap 15.5`,
/// `SUSE:Linux Enterprise Server 15 SP5`, `Mageia:9`. Empty when the release is unknown.
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
        "almalinux" => vec![format!("AlmaLinux:{major}")],
        "rocky" => vec![format!("Rocky Linux:{major}")],
        "rhel" => vec![
            format!("Red Hat:enterprise_linux:{major}::baseos"),
            format!("Red Hat:enterprise_linux:{major}::appstream"),
        ],
        "opensuse-leap" => vec![format!("openSUSE:Leap {version}")],
        "sles" => match minor.filter(|m| *m != "0") {
            Some(minor) => vec![format!("SUSE:Linux Enterprise Server {major} SP{minor}")],
            None => vec![format!("SUSE:Linux Enterprise Server {major}")],
        },
        "mageia" => vec![format!("Mageia:{major}")],
        _ => Vec::new(),
    }
}

/// The image's `os-release` as a document for the `os-release` front end (end-of-life
/// releases), named after the layer that wrote it.
fn os_release_document(
    image: &Image,
    walk: &Walk,
    inventory: &Inventory,
    label: &str,
) -> Result<Option<(SourceFile, &'static str)>, ImageError> {
    let Some(os) = &inventory.os else { return Ok(None) };
    let Some(file) = image.final_files(walk, &[os.path.as_str()])?.into_iter().next() else {
        return Ok(None);
    };
    let name = format!("{label}!/layer-{}{}", file.layer, file.path);
    Ok(Some((SourceFile::new(name, String::from_utf8_lossy(&file.data).into_owned()), "os-release")))
}

/// The `image-files` documents of the filesystem checks.
fn filesystem_documents(
    image: &Image,
    label: &str,
    walk: &Walk,
    inventory: &Inventory,
    facts: &FileFacts,
    secrets_reported: &HashSet<(usize, String)>,
) -> Vec<(SourceFile, &'static str)> {
    let layers: Vec<String> = (0..image.layers().len()).map(|i| layer_label(image, i)).collect();
    crate::image_files::documents(label, &layers, walk, inventory, facts, secrets_reported)
        .into_iter()
        .map(|source| (source, "image-files"))
        .collect()
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

/// What a package is looked up as: OS packages of dpkg and apk by their source package (the
/// distributions' records name those), rpm packages by their binary package (as AlmaLinux,
/// Rocky Linux and Red Hat name them), language packages by name in their ecosystem. `None`
/// for packages no record can name: development builds, Maven artifacts without a group.
fn lookup(package: &Package) -> Option<(String, String)> {
    match package.manager {
        PackageManager::Dpkg | PackageManager::Apk => {
            Some((package.source_name.clone(), package.source_version.clone()))
        }
        PackageManager::Go => {
            let version = package.version.strip_prefix('v').unwrap_or(&package.version);
            (!version.is_empty() && version != "(devel)").then(|| (package.name.clone(), version.to_owned()))
        }
        PackageManager::Maven if !package.name.contains(':') => None,
        _ => (!package.version.is_empty()).then(|| (package.name.clone(), package.version.clone())),
    }
}

/// One document per file the inventory found packages in, with its packages at their lines.
fn package_documents(image: &Image, inventory: &Inventory, label: &str) -> Vec<(SourceFile, OsPackages)> {
    let os_ecosystems = os_ecosystems(inventory);
    let mut out = Vec::new();
    for source in &inventory.sources {
        let listed: Vec<&Package> = inventory
            .packages
            .iter()
            .filter(|p| p.db_path == source.path && p.layer == source.layer)
            .collect();
        let Some(first) = listed.first() else { continue };
        let ecosystems = match first.manager.language_ecosystem() {
            Some(ecosystem) => vec![ecosystem.to_owned()],
            None => os_ecosystems.clone(),
        };
        let packages = listed
            .iter()
            .filter_map(|package| {
                let (source_name, source_version) = lookup(package)?;
                Some(OsPackage {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    source_name,
                    source_version,
                    line: package.line,
                    layer: layer_label(image, package.introduced_layer.unwrap_or(package.layer)),
                    purl: package.purl.clone(),
                    license: package.license.clone(),
                })
            })
            .collect();
        let name = format!("{label}!/layer-{}{}", source.layer, source.path);
        out.push((SourceFile::new(name, source.text.clone()), OsPackages { ecosystems, packages }));
    }
    out
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
        assert_eq!(ecosystems("almalinux", Some("9.4")), ["AlmaLinux:9"]);
        assert_eq!(ecosystems("rocky", Some("8.10")), ["Rocky Linux:8"]);
        assert_eq!(
            ecosystems("rhel", Some("9.4")),
            ["Red Hat:enterprise_linux:9::baseos", "Red Hat:enterprise_linux:9::appstream"]
        );
        assert_eq!(ecosystems("opensuse-leap", Some("15.5")), ["openSUSE:Leap 15.5"]);
        assert_eq!(ecosystems("sles", Some("15.5")), ["SUSE:Linux Enterprise Server 15 SP5"]);
        assert_eq!(ecosystems("sles", Some("15")), ["SUSE:Linux Enterprise Server 15"]);
        assert!(os_ecosystems(&Inventory::default()).is_empty());
    }
}
