use shipshape_model::declare_rule;

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;
use crate::typosquat::{KnownImages, SquatKind};

declare_rule! {
    /// ## What it does
    /// Flags an image whose name is not on shipshape's list of widely used images and registries
    /// but is one typo away from a name that is: `ngnix` for `nginx`, `library/ngnix`,
    /// `bitnmai/redis` for `bitnami/redis`, `nginx/nginx` for the official `nginx`, `grafana`
    /// for `grafana/grafana`, `ghrc.io` for `ghcr.io`, `dockerhub.io` or `docker.com` for
    /// `docker.io`. The finding names the image probably meant. It judges every image named:
    /// `FROM`, `COPY --from`, `RUN --mount=from=`, and Compose, Kubernetes and `docker inspect`
    /// images (a Compose `image` with `build:` too: Compose pulls that name before it builds).
    ///
    /// A typo is an edit weighted by how people mistype: swapped neighbours, a dropped, added
    /// or doubled letter, a neighbouring key, a look-alike character (`0`/`o`, `1`/`l`,
    /// `rn`/`m`), a changed separator; short names allow fewer edits than long ones. Names on
    /// the list, names below a known publisher's namespace (`bitnami/anything`), organisation
    /// images far from any known name (`acme/api`, `acme/nginx`), private registries, and
    /// registries whose namespaces only their operator creates (`mcr.microsoft.com`) are never
    /// flagged. The list (`resources/known-images.txt`: every Docker Hub official image, the
    /// most-pulled publisher images and namespaces, the public registries' hosts) is bundled
    /// with its compilation date.
    ///
    /// ## Why is this bad?
    /// Anyone can publish under an unclaimed name on Docker Hub, GitHub's or Quay's registry,
    /// and attackers register the misspellings of popular images, often as working copies with
    /// a miner or a backdoor added. One typo in a `FROM` or a manifest runs their code in your
    /// build or your cluster, with everything it can reach. A look-alike registry host serves
    /// whatever its owner wants under any name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ngnix:1.27
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Correct the name to the image you meant, and pin it by digest. If the name is really
    /// yours, suppress the finding where it is written. Not fixed automatically.
    ///
    /// ## References
    /// - MITRE ATT&CK T1195.002 "Compromise Software Supply Chain"; T1036.005 "Match Legitimate
    ///   Name or Location"
    pub static TYPOSQUATTED_IMAGE = {
        code: "SUP009",
        name: "typosquatted-image",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: High,
        fix: None,
        summary: "image name looks like a typo of a well-known image",
        aliases: [],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    let Some(reference) = image.reference() else { return };
    let Some(suspicion) = KnownImages::bundled().check(reference) else { return };
    let what = match suspicion.kind {
        SquatKind::Registry => {
            format!("registry `{}` looks like `{}`", suspicion.written, suspicion.resembles)
        }
        SquatKind::OfficialName => {
            format!("`{}` looks like the official image `{}`", suspicion.written, suspicion.resembles)
        }
        SquatKind::Namespace => {
            format!("namespace `{}` looks like the publisher `{}`", suspicion.written, suspicion.resembles)
        }
        SquatKind::AddedNamespace => format!(
            "`{}` puts the official image `{}` under a namespace of its own name",
            suspicion.written, suspicion.resembles
        ),
        SquatKind::DroppedNamespace => format!(
            "`{}` is not an official image; the well-known image of that name is `{}`",
            suspicion.written, suspicion.resembles
        ),
    };
    checker
        .report(
            &TYPOSQUATTED_IMAGE,
            &image.origin,
            format!(
                "{}: {what}, so it may be a typosquat; did you mean `{}`?",
                image.quoted(),
                suspicion.intended
            ),
        )
        .help = Some(format!(
        "use `{}` if that is what you meant; if the name is right, suppress this here",
        suspicion.intended
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::run;

    #[test]
    fn names_the_likely_intended_image() {
        let findings = run(&TYPOSQUATTED_IMAGE, "ngnix:1.27");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "`ngnix:1.27`: `ngnix` looks like the official image `nginx`, so it may be a typosquat; did you mean `nginx`?"
        );
        let host = run(&TYPOSQUATTED_IMAGE, "ghrc.io/acme/app:1");
        assert!(host[0].message.contains("registry `ghrc.io` looks like `ghcr.io`"), "{}", host[0].message);
        assert!(host[0].message.ends_with("did you mean `ghcr.io/acme/app`?"));
        assert!(run(&TYPOSQUATTED_IMAGE, "nginx:1.27").is_empty());
        assert!(run(&TYPOSQUATTED_IMAGE, "acme/api:1").is_empty());
        assert!(run(&TYPOSQUATTED_IMAGE, "Ngnix").is_empty(), "not a reference: IMG013's");
    }
}
