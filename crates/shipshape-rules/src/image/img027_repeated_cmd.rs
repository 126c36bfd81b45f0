use shipshape_dockerfile::Keyword;
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;
use crate::image::img026_repeated_healthcheck::check_repeated;

declare_rule! {
    /// ## What it does
    /// Flags a second (third, ...) `CMD` in one stage. The finding points at the later
    /// instruction; the earlier one is the one that has no effect.
    ///
    /// ## Why is this bad?
    /// Only the last `CMD` of a stage counts. The earlier one reads like the command the
    /// container runs but is not, so a review of the Dockerfile (or an edit to the wrong line)
    /// misjudges what the image starts.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// CMD ["node", "--enable-source-maps", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "--enable-source-maps", "server.js"]
    /// ```
    ///
    /// ## Fix
    /// Delete the earlier `CMD`.
    ///
    /// ## Fix safety
    /// Safe: the deleted instruction is overridden by the later one in the same stage, so the
    /// built image's configuration is unchanged (only its history loses an empty entry). Not
    /// offered when the earlier instruction shares a line with something else.
    ///
    /// ## References
    /// - Dockerfile reference, `CMD`
    pub static REPEATED_CMD = {
        code: "IMG027",
        name: "repeated-cmd",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: Sometimes,
        summary: "a stage has more than one `CMD`; only the last counts",
        aliases: [(Hadolint, "DL4003"), (BuildKit, "MultipleInstructionsDisallowed"), (Trivy, "DS-0016")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    check_repeated(syntax, checker, &REPEATED_CMD, Keyword::Cmd);
}
