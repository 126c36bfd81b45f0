//! An image read in place (`docker save` archive, OCI layout): its configuration checked by the
//! image rules, and every regular file of every layer read once for credentials, including files
//! a later layer deletes (a secret in any layer ships with the image).
//!
//! The documents handed to the pipeline are the config blob (`<image>@sha256:…/config.json`) and,
//! for each layer file holding a credential, the file itself, named
//! `<image>!/layer-<n>/<path>` (with ` (deleted by layer <m>)` when it is not in the final view),
//! so findings point at the layer and line.

use shipshape_image::{
    Fate, Image, ImageError, OpenOptions, Platform, VisitEntry, VisitResult, Visitor, WalkOptions,
};
use shipshape_model::SourceFile;
use std::io::Read;
use std::path::Path;

/// What reading one image produced.
#[derive(Debug)]
pub struct ImageDocuments {
    /// (document, front-end kind) for [`crate::scan_documents`].
    pub documents: Vec<(SourceFile, &'static str)>,
    /// Layers streamed, regular files read, bytes read.
    pub layers: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Collects the layer files in which the detector finds a credential.
struct SecretFiles<'d> {
    detector: &'d shipshape_secrets::Detector,
    image: String,
    found: Vec<(usize, String, Vec<u8>)>,
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
        if self.detector.scan_path(&name, &bytes).iter().any(|m| !m.is_example) {
            self.found.push((file.layer.index, file.path.to_string(), bytes));
        }
        Ok(())
    }
}

/// Opens the image at `path` and gathers its documents; `platform` picks from a multi-platform
/// index (`linux/arm64`).
pub fn image_documents(path: &Path, platform: Option<&Platform>) -> Result<ImageDocuments, ImageError> {
    let options = OpenOptions { platform: platform.cloned(), ..OpenOptions::default() };
    let image = Image::open_with(path, &options)?;
    let mut documents = vec![(image.config_source().clone(), "image-config")];
    let label = path.display().to_string();
    let Some(detector) = crate::frontend::detector() else {
        return Ok(ImageDocuments { documents, layers: image.layers().len(), files: 0, bytes: 0 });
    };
    let mut visitor = SecretFiles { detector, image: label.clone(), found: Vec::new(), files: 0, bytes: 0 };
    let walk = image.walk(&WalkOptions::default(), &mut visitor)?;
    for (layer, file_path, bytes) in visitor.found {
        let deleted = match walk.filesystem.fate(layer, &file_path) {
            Some(Fate::Shadowed { by, .. }) => format!(" (deleted by layer {by})"),
            _ => String::new(),
        };
        let name = format!("{label}!/layer-{layer}{file_path}{deleted}");
        documents.push((SourceFile::new(name, String::from_utf8_lossy(&bytes).into_owned()), "text"));
    }
    Ok(ImageDocuments { documents, layers: image.layers().len(), files: visitor.files, bytes: visitor.bytes })
}
