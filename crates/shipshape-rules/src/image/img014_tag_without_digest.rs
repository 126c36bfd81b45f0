use shipshape_model::declare_rule;

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an image pinned by tag but not by digest (`nginx:1.27` rather than
    /// `nginx:1.27@sha256:...`), wherever an image is pulled: `FROM`, `COPY --from`,
    /// `RUN --mount=from=`, and Compose, Kubernetes and `docker inspect` images. It is a policy:
    /// silent unless digests are required (`--require-digest`, or `[registries] require-digest
    /// = true` in `shipshape.toml`), since most projects pin by tag and a finding on every image
    /// would bury the rest. Untagged and `latest` references are `IMG001` and `IMG002`; the
    /// image a Compose service builds is not judged.
    ///
    /// ## Why is this bad?
    /// A tag is a name the repository's owner can point anywhere at any time: whoever controls
    /// the repository (or its account, if compromised) can push a different image under
    /// `1.27`, and the next build or pull gets it. A digest names the content: a swapped
    /// image no longer matches and the pull fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27.2-alpine
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27.2-alpine@sha256:2140dad235c130ac861018a4e13a6bc8aea3a35f3a40e20c1b060d51a7efd250
    /// ```
    ///
    /// ## Fix
    /// Append the digest of the image you reviewed (`docker buildx imagetools inspect
    /// nginx:1.27.2-alpine` prints it) and let a dependency bot update tag and digest together.
    /// Not fixed automatically: shipshape does not ask a registry.
    ///
    /// ## References
    /// - SLSA, "Pin dependencies by digest"
    /// - CIS Docker Benchmark 4.2
    pub static TAG_WITHOUT_DIGEST = {
        code: "IMG014",
        name: "tag-without-digest",
        layer: Image,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: High,
        fix: None,
        summary: "image is pinned by tag, not by digest",
        aliases: [(CisDocker, "4.2")],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    let Some(reference) = image.reference() else { return };
    let Some(tag) = reference.tag.as_deref() else { return };
    let required = checker.settings.require_digest;
    if !required || !image.site.is_pulled() || reference.digest.is_some() || tag == "latest" {
        return;
    }
    checker
        .report(
            &TAG_WITHOUT_DIGEST,
            &image.origin,
            format!(
                "{} is pinned by tag only, and digests are required: whoever controls `{}` can move the tag",
                image.quoted(),
                reference.familiar_name()
            ),
        )
        .help = Some(format!("pin the digest too: `{}:{tag}@sha256:<digest>`", reference.familiar_name()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::{run, run_with};

    #[test]
    fn tag_without_digest_only_under_the_policy() {
        assert!(run(&TAG_WITHOUT_DIGEST, "nginx:1.27").is_empty(), "no policy, no finding");
        let settings = crate::RuleSettings { require_digest: true, ..Default::default() };
        let findings = run_with(&TAG_WITHOUT_DIGEST, "nginx:1.27", &settings);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("digests are required"));
        let pinned = format!("nginx:1.27@sha256:{}", "a".repeat(64));
        assert!(run_with(&TAG_WITHOUT_DIGEST, &pinned, &settings).is_empty());
        assert!(run_with(&TAG_WITHOUT_DIGEST, "nginx", &settings).is_empty(), "IMG001's");
        assert!(run_with(&TAG_WITHOUT_DIGEST, "nginx:latest", &settings).is_empty(), "IMG002's");
    }
}
