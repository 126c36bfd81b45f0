use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::{Edit, Fix, declare_rule};

use crate::checkers::dockerfile::{Syntax, unquote, unquoted_span};
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a `COPY` or `ADD` with more than one source whose destination does not end with
    /// `/`. Destinations written with variables are not judged. The finding points at the
    /// destination.
    ///
    /// ## Why is this bad?
    /// Several sources can only go into a directory, and the builder only treats the
    /// destination as one when it ends with `/`: the build fails ("When using COPY with more
    /// than one source file, the destination must be a directory and end with a /").
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json yarn.lock /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY package.json yarn.lock /app/
    /// ```
    ///
    /// ## Fix
    /// Add the trailing `/`.
    ///
    /// ## Fix safety
    /// Safe: the instruction cannot build without it, and with it the files land where the
    /// destination names.
    ///
    /// ## References
    /// - Dockerfile reference, `COPY` ("if multiple source resources are specified ... it must
    ///   end with a slash")
    pub static COPY_MANY_TO_FILE = {
        code: "IMG029",
        name: "copy-many-to-file",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: Sometimes,
        summary: "several files are copied to a destination that is not a directory",
        aliases: [(Hadolint, "DL3021"), (Trivy, "DS-0011")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let source = syntax.source();
    for stage in &syntax.stages {
        for copy in stage.body.iter().filter(|i| matches!(i.keyword, Keyword::Copy | Keyword::Add)) {
            let Args::Paths(paths) = &copy.args else { continue };
            let Some(destination) = paths.destination() else { continue };
            let text = unquote(&destination.text);
            if paths.sources().len() < 2
                || text.ends_with(['/', '\\'])
                || text.contains('$')
                || text.is_empty()
            {
                continue;
            }
            let end = unquoted_span(destination, source).end;
            let finding = checker.report(
                &COPY_MANY_TO_FILE,
                &syntax.origin(destination.span),
                format!(
                    "{} sources cannot be copied to `{text}`: a destination for several files must end with `/`",
                    paths.sources().len()
                ),
            );
            finding.help = Some(format!("write `{text}/`"));
            if destination.span.slice(source).trim_matches(['"', '\'']) == text {
                finding.fix = Some(Fix::safe(vec![Edit::insert(end, "/")]));
            }
        }
    }
}
