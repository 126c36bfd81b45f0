use shipshape_dockerfile::expand::expand_word;
use shipshape_dockerfile::{Args, Instruction, Keyword, Word};
use shipshape_model::{BaseImage, declare_rule};

use crate::checkers::dockerfile::{Syntax, SyntaxStage};
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a variable used in `ADD`, `COPY`, `ENV`, `EXPOSE`, `LABEL`, `STOPSIGNAL`, `USER`,
    /// `VOLUME`, `WORKDIR` or an `ARG` default that nothing defines at that point: no `ENV` or
    /// `ARG` before it in the stage or the stages it is built on. Only stages built from
    /// `scratch` (directly or through other stages) are judged, since any other base image may
    /// set variables in its own environment that the Dockerfile does not show; `PATH` is always
    /// defined. A global `ARG` counts only once the stage declares it again. The finding points
    /// at the word.
    ///
    /// ## Why is this bad?
    /// An undefined variable expands to nothing, so `COPY app /opt/$APP_DIR/` copies to
    /// `/opt/`; usually it is a typo or a global `ARG` that the stage forgot to declare again.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG VERSION=1.2
    /// FROM scratch
    /// LABEL version=$VERSION
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG VERSION=1.2
    /// FROM scratch
    /// ARG VERSION
    /// LABEL version=$VERSION
    /// ```
    ///
    /// ## Fix
    /// Declare the variable (`ARG NAME` inside the stage for a global argument) or fix its
    /// name. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, "Environment replacement" and "ARG scope"
    pub static UNDEFINED_VARIABLE = {
        code: "IMG063",
        name: "undefined-variable",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "a variable is used where nothing defines it",
        aliases: [(BuildKit, "UndefinedVar")],
    }
}

/// The words of `instruction` that the builder expands, and the names it defines.
fn words_and_names(instruction: &Instruction) -> (Vec<&Word>, Vec<&str>) {
    match (&instruction.keyword, &instruction.args) {
        (Keyword::Env | Keyword::Label, Args::KeyValues(pairs)) => {
            let names = if instruction.keyword == Keyword::Env {
                pairs.iter().map(|p| p.key.text.as_str()).collect()
            } else {
                Vec::new()
            };
            (pairs.iter().flat_map(|p| [&p.key, &p.value]).collect(), names)
        }
        (Keyword::Arg, Args::ArgDecls(decls)) => (
            decls.iter().filter_map(|d| d.default.as_ref()).collect(),
            decls.iter().map(|d| d.name.text.as_str()).collect(),
        ),
        (Keyword::Add | Keyword::Copy | Keyword::Volume, Args::Paths(paths)) => {
            (paths.paths.iter().collect(), Vec::new())
        }
        (Keyword::Expose, Args::Words(words)) => (words.iter().collect(), Vec::new()),
        (Keyword::Stopsignal | Keyword::User | Keyword::Workdir, Args::Text(word)) => {
            (vec![word], Vec::new())
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// Whether `stage`'s environment is fully known: it is built from `scratch`, directly or
/// through other stages of the file.
fn rooted_at_scratch(syntax: &Syntax<'_>, stage: &SyntaxStage<'_>) -> bool {
    syntax
        .lineage(stage)
        .last()
        .and_then(|root| syntax.model(root))
        .is_some_and(|s| matches!(s.base, BaseImage::Scratch { .. }))
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let escape = syntax.dockerfile.escape;
    for stage in syntax.stages.iter().filter(|s| rooted_at_scratch(syntax, s)) {
        let lineage = syntax.lineage(stage);
        let mut defined: Vec<&str> = vec!["PATH"];
        for parent in lineage.iter().skip(1) {
            for instruction in parent.body {
                defined.extend(words_and_names(instruction).1);
            }
        }
        for instruction in stage.body {
            let (words, names) = words_and_names(instruction);
            let lookup = |name: &str| defined.contains(&name).then(String::new);
            for word in words {
                let Ok(expanded) = expand_word(&word.text, &lookup, escape) else { continue };
                for name in expanded
                    .unset
                    .iter()
                    .filter(|n| n.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_'))
                {
                    checker
                        .report(
                            &UNDEFINED_VARIABLE,
                            &syntax.origin(word.span),
                            format!("`${name}` is not defined here and expands to nothing"),
                        )
                        .help = Some(format!("declare it first (`ARG {name}` or `ENV {name}=...`)"));
                }
            }
            defined.extend(names);
        }
    }
}
