//! The image-reference rules: one set of rules for every place an image is named, whatever
//! platform names it (a Dockerfile's `FROM`, `COPY --from` and `RUN --mount=from=`, a Compose
//! service's, Kubernetes container's or `docker inspect` container's `image`).

use shipshape_model::{
    ExternalImage, Finding, ImageRef, ImageSpec, ImageUseKind, Origin, Platform, ReferenceError, RuleMeta,
    Value, Workload, is_image_id,
};

use crate::context::Checker;
use crate::image::{
    img001_untagged_base_image, img002_latest_base_tag, img013_invalid_image_reference,
    img014_tag_without_digest, img015_end_of_life_image,
};
use crate::supply_chain::{sup009_typosquatted_image, sup010_untrusted_registry, sup011_plaintext_registry};

/// Where an image is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSite {
    /// A build pulls it: a stage's base, `COPY --from`, `RUN --mount=from=`.
    Build(ImageUseKind),
    /// A container runs it.
    Workload(Platform),
    /// A Compose service builds it and names the result (`build:` with `image:`); Compose pulls
    /// the name first and builds only when the pull fails.
    BuildOutput,
}

impl ImageSite {
    /// Whether the image is pulled as named rather than built (pinning and trust apply).
    pub fn is_pulled(self) -> bool {
        !matches!(self, ImageSite::BuildOutput)
    }

    /// What the image is to the one who names it, for messages: `base image`, `image`.
    pub fn noun(self) -> &'static str {
        match self {
            ImageSite::Build(ImageUseKind::Base) => "base image",
            ImageSite::Build(_) => "build image",
            ImageSite::Workload(_) | ImageSite::BuildOutput => "image",
        }
    }

    /// When a moving reference is resolved again: `every build`, `every deploy`.
    pub fn when_pulled(self) -> &'static str {
        match self {
            ImageSite::Build(_) => "every build",
            ImageSite::Workload(_) | ImageSite::BuildOutput => "every new pull",
        }
    }
}

/// One place an image is named, as the image-reference rules see it.
#[derive(Debug, Clone)]
pub struct NamedImage {
    pub site: ImageSite,
    /// As written (`$BASE`, `nginx:1.27`).
    pub written: String,
    /// As resolved, without a URL scheme.
    pub text: String,
    /// A URL scheme written before the reference (`http`), which Docker refuses.
    pub scheme: Option<String>,
    pub origin: Origin,
    pub reference: Result<ImageRef, ReferenceError>,
}

impl NamedImage {
    /// The reference in backticks as written, with what it resolved to when that differs.
    pub fn quoted(&self) -> String {
        let resolved = match &self.scheme {
            Some(scheme) => format!("{scheme}://{}", self.text),
            None => self.text.clone(),
        };
        if resolved == self.written {
            format!("`{}`", self.written)
        } else {
            format!("`{}` (= `{resolved}`)", self.written)
        }
    }

    /// The parsed reference, when it parsed.
    pub fn reference(&self) -> Option<&ImageRef> {
        self.reference.as_ref().ok()
    }

    fn new(site: ImageSite, written: &str, resolved: &str, origin: Origin) -> NamedImage {
        let (scheme, text) = match resolved.split_once("://") {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
            {
                (Some(scheme.to_ascii_lowercase()), rest)
            }
            _ => (None, resolved),
        };
        let reference = text.parse::<ImageRef>();
        NamedImage { site, written: written.to_string(), text: text.to_string(), scheme, origin, reference }
    }

    fn from_build(image: ExternalImage, value_raw: Option<&Value>) -> NamedImage {
        let written = value_raw.map_or(image.text.as_str(), |v| v.raw.as_str()).to_string();
        let mut named = NamedImage::new(ImageSite::Build(image.kind), &written, &image.text, image.origin);
        if named.scheme.is_none() {
            named.reference = image.reference;
        }
        named
    }
}

/// Every image `spec` pulls, as [`NamedImage`]s.
pub fn images_of_spec(spec: &ImageSpec) -> Vec<NamedImage> {
    spec.external_images()
        .into_iter()
        .map(|image| {
            let base_value = match (image.kind, spec.stages.get(image.stage)) {
                (ImageUseKind::Base, Some(stage)) => Some(stage.base.value()),
                _ => None,
            };
            NamedImage::from_build(image, base_value)
        })
        .collect()
}

/// The image `workload` runs, when it names one (an image ID names no image).
pub fn image_of_workload(workload: &Workload) -> Option<NamedImage> {
    let image = workload.image.as_ref()?;
    let text = image.value.trim();
    if text.is_empty() || is_image_id(text) {
        return None;
    }
    let site = if workload.build.is_some() {
        ImageSite::BuildOutput
    } else {
        ImageSite::Workload(workload.platform)
    };
    Some(NamedImage::new(site, &image.value, text, image.origin.clone()))
}

type Rule = fn(&NamedImage, &mut Checker<'_>);

/// Every image-reference rule, in code order.
static RULES: &[(&RuleMeta, Rule)] = &[
    (&img001_untagged_base_image::UNTAGGED_BASE_IMAGE, img001_untagged_base_image::check),
    (&img002_latest_base_tag::LATEST_BASE_TAG, img002_latest_base_tag::check),
    (&img013_invalid_image_reference::INVALID_IMAGE_REFERENCE, img013_invalid_image_reference::check),
    (&img014_tag_without_digest::TAG_WITHOUT_DIGEST, img014_tag_without_digest::check),
    (&img015_end_of_life_image::END_OF_LIFE_IMAGE, img015_end_of_life_image::check),
    (&sup009_typosquatted_image::TYPOSQUATTED_IMAGE, sup009_typosquatted_image::check),
    (&sup010_untrusted_registry::UNTRUSTED_REGISTRY, sup010_untrusted_registry::check),
    (&sup011_plaintext_registry::PLAINTEXT_REGISTRY, sup011_plaintext_registry::check),
];

/// Runs every enabled image-reference rule over each of `images`.
pub fn check_images(images: &[NamedImage], checker: &mut Checker<'_>) {
    for (meta, check) in RULES {
        if checker.enabled(meta) {
            for image in images {
                check(image, checker);
            }
        }
    }
}

/// Whether any image-reference rule is enabled (callers skip collecting images otherwise).
pub fn any_enabled(checker: &Checker<'_>) -> bool {
    RULES.iter().any(|(meta, _)| checker.enabled(meta))
}

/// The metadata of every image-reference rule, in code order.
pub fn image_ref_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|(meta, _)| *meta)
}

/// Convenience: checks `images` with every rule enabled and `settings`.
pub fn check_images_with(images: &[NamedImage], settings: &crate::RuleSettings) -> Vec<Finding> {
    let all = |_: &RuleMeta| true;
    let mut checker = Checker::new(settings, &all);
    check_images(images, &mut checker);
    checker.into_findings()
}

/// Builders shared by the image-reference rules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use shipshape_model::Span;
    use std::sync::Arc;

    /// A Kubernetes container's `image: <text>` at offset 0.
    pub(crate) fn workload_image(text: &str) -> NamedImage {
        let origin = Origin::new(Arc::from("pod.yaml"), Span::new(0, 1));
        NamedImage::new(ImageSite::Workload(Platform::Kubernetes), text, text, origin)
    }

    /// Findings of `rule` for `text` as a workload image, with `settings`.
    pub(crate) fn run_with(
        rule: &'static RuleMeta,
        text: &str,
        settings: &crate::RuleSettings,
    ) -> Vec<Finding> {
        let only = |r: &RuleMeta| r.code == rule.code;
        let mut checker = Checker::new(settings, &only);
        check_images(&[workload_image(text)], &mut checker);
        checker.into_findings()
    }

    /// Findings of `rule` for `text` as a workload image, with default settings.
    pub(crate) fn run(rule: &'static RuleMeta, text: &str) -> Vec<Finding> {
        run_with(rule, text, &crate::RuleSettings::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_code_order() {
        let codes: Vec<&str> = image_ref_rules().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn schemes_are_split_off_and_image_ids_skipped() {
        let image = testing::workload_image("http://reg.example.com:5000/app:1");
        assert_eq!(image.scheme.as_deref(), Some("http"));
        assert_eq!(image.reference().map(ImageRef::name), Some("reg.example.com:5000/app".to_string()));
        assert_eq!(image.quoted(), "`http://reg.example.com:5000/app:1`");
        let mut workload = Workload::new("c", Platform::DockerInspect, image.origin.clone());
        workload.image = Some(shipshape_model::Setting::new(
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
            image.origin.clone(),
        ));
        assert!(image_of_workload(&workload).is_none());
        workload.image = Some(shipshape_model::Setting::new("app:1".into(), image.origin.clone()));
        workload.build = Some(shipshape_model::BuildLink {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            target: None,
            origin: image.origin.clone(),
        });
        assert_eq!(image_of_workload(&workload).map(|i| i.site), Some(ImageSite::BuildOutput));
    }
}
