//! Any other text file of a scanned directory (source code, scripts, crontabs, configuration,
//! `.env` files): read for credentials and malware (reverse shells, miners, droppers,
//! persistence). Files larger than the size limit are skipped silently; binary files only when
//! no malware signature for binaries matches them (see `crate::binary_malware`). The image
//! front end reads layers separately.

use shipshape_model::SourceFile;

use super::{Frontend, FrontendContext, FrontendOutput};

/// Text files no other front end claims.
pub struct TextFrontend;

/// Extensions that are never text worth reading (checked before opening the file).
const BINARY_EXTENSIONS: [&str; 44] = [
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "svgz", "pdf", "zip", "gz", "tgz", "xz",
    "bz2", "zst", "7z", "rar", "jar", "war", "ear", "class", "so", "dylib", "dll", "exe", "o", "a", "lib",
    "pyc", "pyo", "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "mov", "avi", "wasm", "iso", "sqlite",
    "db",
];

/// Whether a file of this name could be text worth reading for secrets.
pub fn may_be_text(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    match lower.rsplit_once('.') {
        Some((_, extension)) => !BINARY_EXTENSIONS.contains(&extension),
        None => true,
    }
}

impl Frontend for TextFrontend {
    fn kind(&self) -> &'static str {
        "text"
    }

    fn claims(&self, _file_name: &str) -> bool {
        false
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let mut output = FrontendOutput::default();
        let detector: Option<&shipshape_secrets::Detector> = match context.secrets {
            Some(configured) => Some(configured),
            None => super::detector(),
        };
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        if let Some(detector) = detector {
            shipshape_rules::checkers::check_text(source, detector, &mut checker);
        }
        if let Some(detector) = super::malware_detector() {
            shipshape_rules::checkers::check_malware_text(source, detector, &mut checker);
        }
        output.findings.extend(checker.into_findings());
        output
    }
}

#[cfg(test)]
mod tests {
    use super::may_be_text;

    #[test]
    fn binary_extensions_are_not_read() {
        assert!(may_be_text("deploy.sh") && may_be_text(".env") && may_be_text("Makefile"));
        assert!(!may_be_text("logo.PNG") && !may_be_text("app.jar") && !may_be_text("lib.so"));
    }
}
