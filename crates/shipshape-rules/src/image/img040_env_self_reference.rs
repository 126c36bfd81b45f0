use shipshape_dockerfile::expand::expand_word;
use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::declare_rule;

use crate::checkers::dockerfile::{Syntax, unquote};
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an `ENV` whose value refers to a variable set by an earlier pair of the same
    /// instruction (`ENV DIR=/opt/app BIN=$DIR/bin`). A variable referring to itself
    /// (`PATH=$PATH:/opt/bin`) is fine. The finding points at the value.
    ///
    /// ## Why is this bad?
    /// Every value of one `ENV` is expanded with the variables as they were before the
    /// instruction, so `$DIR` is not `/opt/app` there but its previous value, usually empty:
    /// `BIN` becomes `/bin`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV DIR=/opt/app BIN=$DIR/bin
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ENV DIR=/opt/app
    /// ENV BIN=$DIR/bin
    /// ```
    ///
    /// ## Fix
    /// Split the instruction so the variable is set before it is used. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, "Environment replacement"
    pub static ENV_SELF_REFERENCE = {
        code: "IMG040",
        name: "env-self-reference",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "an `ENV` value uses a variable set by the same instruction",
        aliases: [(Hadolint, "DL3044")],
    }
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let escape = syntax.dockerfile.escape;
    for stage in &syntax.stages {
        for env in stage.all(Keyword::Env) {
            let Args::KeyValues(pairs) = &env.args else { continue };
            for (k, pair) in pairs.iter().enumerate().skip(1) {
                let Ok(expanded) = expand_word(&pair.value.text, &|_| None, escape) else { continue };
                let own = unquote(&pair.key.text);
                let earlier = expanded.unset.iter().find(|var| {
                    var.as_str() != own && pairs.iter().take(k).any(|p| unquote(&p.key.text) == var.as_str())
                });
                if let Some(var) = earlier {
                    checker
                        .report(
                            &ENV_SELF_REFERENCE,
                            &syntax.origin(pair.value.span),
                            format!(
                                "`${var}` here is its value before this `ENV`, not the one set just before"
                            ),
                        )
                        .help = Some(format!("set `{var}` in an earlier `ENV`"));
                }
            }
        }
    }
}
