use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an `EXPOSE` entry with an IP address or a host port (`EXPOSE 8080:80`,
    /// `EXPOSE 127.0.0.1:80:80`). The finding points at the entry.
    ///
    /// ## Why is this bad?
    /// `EXPOSE` only documents the container's ports; the host side is chosen when the
    /// container is run (`-p`, `ports:`). The builder drops the host part, so the image does not
    /// do what the line says: nothing is bound to that address or host port.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 127.0.0.1:8080:80
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 80
    /// ```
    ///
    /// ## Fix
    /// Keep the container port and publish it at run time (`docker run -p 127.0.0.1:8080:80`).
    /// Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `EXPOSE`
    pub static EXPOSE_HOST_MAPPING = {
        code: "IMG024",
        name: "expose-host-mapping",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "`EXPOSE` names a host address or port, which the builder ignores",
        aliases: [(BuildKit, "ExposeInvalidFormat")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        for expose in stage.all(Keyword::Expose) {
            let Args::Words(words) = &expose.args else { continue };
            for word in words.iter().filter(|w| w.text.contains(':')) {
                checker
                    .report(
                        &EXPOSE_HOST_MAPPING,
                        &syntax.origin(word.span),
                        format!(
                            "`EXPOSE {}` names a host side; `EXPOSE` only documents container ports",
                            word.text
                        ),
                    )
                    .help = Some("expose the container port and publish it with `-p` at run time".into());
            }
        }
    }
}
