use std::collections::HashMap;

use shipshape_dockerfile::Args;
use shipshape_dockerfile::expand::expand_word;
use shipshape_model::{ImageRef, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a `FROM` whose image, built from global `ARG`s, is not a valid reference when
    /// every argument keeps its default (`ARG TAG` without default, then `FROM alpine:$TAG`
    /// gives `alpine:`). The finding points at the image.
    ///
    /// ## Why is this bad?
    /// The file only builds when the right `--build-arg` is passed; a plain `docker build`, a
    /// tool that resolves base images (scanners, Dependabot, Renovate) or a colleague gets an
    /// error or, with a partly empty reference, a different image than intended.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG TAG
    /// FROM alpine:$TAG
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG TAG=3.20
    /// FROM alpine:$TAG
    /// ```
    ///
    /// ## Fix
    /// Give the argument a default that makes a valid reference. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, "Understand how ARG and FROM interact"
    pub static INVALID_DEFAULT_ARG_IN_FROM = {
        code: "IMG061",
        name: "invalid-default-arg-in-from",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "`FROM` is not a valid image when its arguments keep their defaults",
        aliases: [(BuildKit, "InvalidDefaultArgInFrom")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let escape = syntax.dockerfile.escape;
    // The global arguments' defaults, expanded in order as the builder does.
    let mut defaults: HashMap<&str, String> = [
        ("BUILDPLATFORM", "linux/amd64"),
        ("BUILDOS", "linux"),
        ("BUILDARCH", "amd64"),
        ("TARGETPLATFORM", "linux/amd64"),
        ("TARGETOS", "linux"),
        ("TARGETARCH", "amd64"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    for instruction in syntax.preamble {
        let Args::ArgDecls(decls) = &instruction.args else { continue };
        for decl in decls {
            let Some(default) = &decl.default else { continue };
            let lookup = |name: &str| defaults.get(name).cloned();
            if let Ok(value) = expand_word(&default.text, &lookup, escape) {
                defaults.insert(decl.name.text.as_str(), value.value);
            }
        }
    }
    let lookup = |name: &str| defaults.get(name).cloned();
    for stage in &syntax.stages {
        let Some(image) = stage.base() else { continue };
        if !image.text.contains('$') {
            continue;
        }
        let Ok(expanded) = expand_word(&image.text, &lookup, escape) else { continue };
        let result = expanded.value;
        let is_stage = syntax
            .stages
            .iter()
            .take(stage.index)
            .any(|s| s.name().is_some_and(|n| n.text.eq_ignore_ascii_case(&result)));
        if result.eq_ignore_ascii_case("scratch") || is_stage || ImageRef::parse(&result).is_some() {
            continue;
        }
        checker
            .report(
                &INVALID_DEFAULT_ARG_IN_FROM,
                &syntax.origin(image.span),
                format!(
                    "with its arguments' defaults, `{}` becomes `{result}`, which is not an image reference",
                    image.text
                ),
            )
            .help = Some("give the global `ARG`s defaults that make a valid reference".into());
    }
}
