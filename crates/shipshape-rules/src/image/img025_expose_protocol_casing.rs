use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::{Edit, Fix, Span, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an `EXPOSE` protocol that is not lower case (`EXPOSE 53/UDP`). The finding points
    /// at the protocol.
    ///
    /// ## Why is this bad?
    /// Docker stores the protocol as written in the image's `ExposedPorts`, while tools and
    /// runtimes compare it with `tcp`/`udp`/`sctp` in lower case, so `80/TCP` and `80/tcp` can
    /// be treated as different ports.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 53/UDP
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 53/udp
    /// ```
    ///
    /// ## Fix
    /// Lower-case the protocol.
    ///
    /// ## Fix safety
    /// Safe: the builder lower-cases the protocol anyway when it parses the port; only the
    /// text changes.
    ///
    /// ## References
    /// - Dockerfile reference, `EXPOSE`
    pub static EXPOSE_PROTOCOL_CASING = {
        code: "IMG025",
        name: "expose-protocol-casing",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Sometimes,
        summary: "an exposed port's protocol is not lower case",
        aliases: [(BuildKit, "ExposeProtoCasing")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let source = syntax.source();
    for stage in &syntax.stages {
        for expose in stage.all(Keyword::Expose) {
            let Args::Words(words) = &expose.args else { continue };
            for word in words.iter().filter(|w| !w.text.contains('$')) {
                let Some((_, protocol)) = word.text.split_once('/') else { continue };
                if protocol == protocol.to_ascii_lowercase() {
                    continue;
                }
                let written = word.span.slice(source);
                let fix = written.rfind(protocol).filter(|_| written == word.text).map(|at| {
                    let start = word.span.start + at as u32;
                    let span = Span::new(start, start + protocol.len() as u32);
                    Fix::safe(vec![Edit::replace(span, protocol.to_ascii_lowercase())])
                });
                let finding = checker.report(
                    &EXPOSE_PROTOCOL_CASING,
                    &syntax.origin(word.span),
                    format!("protocol `{protocol}` in `EXPOSE {}` should be lower case", word.text),
                );
                finding.help = Some(format!("write `{}`", protocol.to_ascii_lowercase()));
                finding.fix = fix;
            }
        }
    }
}
