use shipshape_model::declare_rule;

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an image name that is not a valid reference by the distribution reference grammar
    /// (`[registry[:port]/]path[:tag][@digest]`): upper-case repository names, empty or
    /// malformed path components, tags longer than 128 characters or starting with `.` or `-`,
    /// digests of the wrong length or algorithm, names over 255 characters, a URL scheme other
    /// than `http://` (which `SUP011` reports). It judges Compose, Kubernetes and `docker
    /// inspect` `image` values and `COPY --from=` / `RUN --mount=from=` values that name no
    /// stage; an invalid `FROM` is already a parse error (`GEN001`).
    ///
    /// ## Why is this bad?
    /// The engine refuses the reference (`invalid reference format`), so the service, pod or
    /// build fails when it is deployed rather than when it is reviewed, and no other image rule
    /// can judge what was meant. In a Dockerfile a `--from` value that was meant as a stage name
    /// but is misspelt is read as an image to pull.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: MyOrg/Web:1.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: myorg/web:1.0
    /// ```
    ///
    /// ## Fix
    /// Write the reference as the registry names it: lower-case repository, a valid tag, a full
    /// `sha256:` digest. Not fixed automatically.
    ///
    /// ## References
    /// - distribution/reference, the reference grammar
    pub static INVALID_IMAGE_REFERENCE = {
        code: "IMG013",
        name: "invalid-image-reference",
        layer: Image,
        threat: UncheckedInput,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "image name is not a valid reference",
        aliases: [],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    let problem = match (&image.reference, image.scheme.as_deref()) {
        (Err(shipshape_model::ReferenceError::Empty), _) => {
            checker.report(&INVALID_IMAGE_REFERENCE, &image.origin, "the image reference is empty");
            return;
        }
        (Err(error), _) => error.to_string(),
        (Ok(_), Some(scheme)) if scheme != "http" => {
            format!("an image reference has no URL scheme: remove `{scheme}://`")
        }
        _ => return,
    };
    checker.report(
        &INVALID_IMAGE_REFERENCE,
        &image.origin,
        format!("{} is not a valid image reference: {problem}", image.quoted()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::run;

    #[test]
    fn invalid_references() {
        let message = |text: &str| run(&INVALID_IMAGE_REFERENCE, text).first().map(|f| f.message.clone());
        assert!(
            message("MyOrg/Web:1.0").is_some_and(|m| m.contains("must be lowercase")),
            "{:?}",
            message("MyOrg/Web:1.0")
        );
        assert!(message("nginx:-1").is_some_and(|m| m.contains("not a valid tag")));
        assert!(message("nginx@sha256:abc").is_some_and(|m| m.contains("not a valid digest")));
        assert!(message("https://ghcr.io/a/b:1").is_some_and(|m| m.contains("remove `https://`")));
        assert_eq!(message("http://ghcr.io/a/b:1"), None, "SUP011's");
        assert_eq!(message("nginx:1.27"), None);
        assert_eq!(message("[::1]:5000/app:1"), None);
    }
}
