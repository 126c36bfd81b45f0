use shipshape_dockerfile::Args;
use shipshape_dockerfile::expand::expand_word;
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

/// The build arguments the builder defines in the global scope.
pub(crate) const PLATFORM_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

declare_rule! {
    /// ## What it does
    /// Flags a variable in a `FROM` line (image or `--platform`) that no `ARG` before the first
    /// `FROM` declares and that is not one of the builder's platform arguments
    /// (`BUILDPLATFORM`, `TARGETARCH`, ...). The finding points at the image.
    ///
    /// ## Why is this bad?
    /// `FROM` only sees global `ARG`s. An undeclared variable expands to nothing unless
    /// `--build-arg` happens to set it, so `FROM node:${NODE_VERSION}` quietly becomes `node:`
    /// (a failed build) or the base image a CI variable happens to name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:${NODE_VERSION}-alpine
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG NODE_VERSION=20.12
    /// FROM node:${NODE_VERSION}-alpine
    /// ```
    ///
    /// ## Fix
    /// Declare the argument, with a default, before the first `FROM`. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, "Understand how ARG and FROM interact"
    pub static UNDEFINED_ARG_IN_FROM = {
        code: "IMG060",
        name: "undefined-arg-in-from",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "`FROM` uses a variable no global `ARG` declares",
        aliases: [(BuildKit, "UndefinedArgInFrom")],
    }
}

/// The names of the `ARG`s declared before the first `FROM`.
pub(crate) fn global_args<'a>(syntax: &Syntax<'a>) -> Vec<&'a str> {
    syntax
        .preamble
        .iter()
        .filter_map(|i| match &i.args {
            Args::ArgDecls(decls) => Some(decls.iter().map(|d| d.name.text.as_str())),
            _ => None,
        })
        .flatten()
        .collect()
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let declared = global_args(syntax);
    let known = |name: &str| (declared.contains(&name) || PLATFORM_ARGS.contains(&name)).then(String::new);
    let escape = syntax.dockerfile.escape;
    for stage in &syntax.stages {
        let Some(image) = stage.base() else { continue };
        let platform = stage.from.flag("platform").and_then(|f| f.value.as_deref()).unwrap_or("");
        let mut unset = Vec::new();
        for text in [image.text.as_str(), platform] {
            if let Ok(expanded) = expand_word(text, &known, escape) {
                unset.extend(expanded.unset);
            }
        }
        unset.dedup();
        for name in unset {
            let hint = declared.iter().find(|d| d.eq_ignore_ascii_case(&name));
            let message = match hint {
                Some(d) => {
                    format!("`${name}` in `FROM` is not a declared global `ARG` (did you mean `{d}`?)")
                }
                None => format!("`${name}` in `FROM` is not a declared global `ARG`"),
            };
            checker.report(&UNDEFINED_ARG_IN_FROM, &syntax.origin(image.span), message).help =
                Some(format!("declare `ARG {name}=<default>` before the first `FROM`"));
        }
    }
}
