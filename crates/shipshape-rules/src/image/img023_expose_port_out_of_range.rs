use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an `EXPOSE` port (or either end of a port range) above 65535. Ports written with
    /// variables are not judged. The finding points at the port.
    ///
    /// ## Why is this bad?
    /// TCP and UDP ports are 16-bit numbers; the builder rejects the instruction, or a typo
    /// (`80800` for `8080`) documents a port the service never listens on.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80800
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Fix
    /// Correct the port. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `EXPOSE`
    pub static EXPOSE_PORT_OUT_OF_RANGE = {
        code: "IMG023",
        name: "expose-port-out-of-range",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "an exposed port is outside 0-65535",
        aliases: [(Hadolint, "DL3011"), (Trivy, "DS-0008")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    for stage in &syntax.stages {
        for expose in stage.all(Keyword::Expose) {
            let Args::Words(words) = &expose.args else { continue };
            for word in words.iter().filter(|w| !w.text.contains('$')) {
                let ports = word.text.split('/').next().unwrap_or("");
                let container = ports.rsplit(':').next().unwrap_or(ports);
                let too_big = container
                    .split('-')
                    .filter_map(|p| p.trim_matches(['"', '\'']).parse::<u64>().ok())
                    .any(|p| p > 65535);
                if too_big {
                    checker
                        .report(
                            &EXPOSE_PORT_OUT_OF_RANGE,
                            &syntax.origin(word.span),
                            format!("`{}` is not a port: ports range from 0 to 65535", word.text),
                        )
                        .help = Some("correct the port number".into());
                }
            }
        }
    }
}
