use shipshape_model::declare_rule;

use crate::checkers::dockerfile::{Syntax, unquote};
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `FROM --platform=` with a constant platform (`--platform=linux/amd64`) unless the
    /// stage's name mentions that OS or architecture (`AS build-amd64`). Platforms from
    /// variables (`--platform=$BUILDPLATFORM`, the cross-compilation idiom) are fine. The
    /// finding points at the flag.
    ///
    /// ## Why is this bad?
    /// A fixed platform ignores the platform the image is built for: on an arm64 machine or in
    /// a multi-platform build the stage still pulls the amd64 image, so the result runs under
    /// emulation, or a binary of the wrong architecture ends up in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 node:20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20
    /// ```
    ///
    /// ## Fix
    /// Drop the flag and choose the platform when building (`docker build --platform`), or use
    /// `$BUILDPLATFORM`/`$TARGETPLATFORM`. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, "Automatic platform ARGs in the global scope"
    pub static CONSTANT_PLATFORM_FLAG = {
        code: "IMG034",
        name: "constant-platform-flag",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "`FROM --platform` pins a constant platform",
        aliases: [(Hadolint, "DL3029"), (BuildKit, "FromPlatformFlagConstDisallowed")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        let Some(flag) = stage.from.flag("platform") else { continue };
        let platform = unquote(flag.value.as_deref().unwrap_or(""));
        if platform.is_empty() || platform.contains('$') {
            continue;
        }
        let name = stage.name().map(|n| n.text.to_ascii_lowercase()).unwrap_or_default();
        let mut parts = platform.split('/');
        let (os, arch) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if !name.is_empty()
            && ((!os.is_empty() && name.contains(os)) || (!arch.is_empty() && name.contains(arch)))
        {
            continue;
        }
        checker
            .report(
                &CONSTANT_PLATFORM_FLAG,
                &syntax.origin(flag.span),
                format!(
                    "`--platform={platform}` builds this stage for one platform whatever the build targets"
                ),
            )
            .help = Some("drop the flag, or use `$BUILDPLATFORM`/`$TARGETPLATFORM`".into());
    }
}
