use shipshape_dockerfile::{Args, Keyword};
use shipshape_model::{Edit, Fix, declare_rule};

use crate::checkers::dockerfile::Syntax;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `ENV` and `LABEL` in the legacy form without `=` (`ENV NODE_ENV production`).
    /// The finding points at the pair.
    ///
    /// ## Why is this bad?
    /// The legacy form takes the whole rest of the line as one value, so `ENV A 1 B 2` sets
    /// `A` to `1 B 2` rather than two variables. It is deprecated and reads differently from
    /// every other key-value instruction.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV NODE_ENV production
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ENV NODE_ENV=production
    /// ```
    ///
    /// ## Fix
    /// Write `key=value`, quoting the value when it holds blanks.
    ///
    /// ## Fix safety
    /// Safe: offered when the value has no quotes or escape characters inside it (it is then
    /// wrapped in double quotes if it holds blanks, where variables expand and blanks are kept
    /// exactly as in the legacy form), or is one quoted string (kept as it is).
    ///
    /// ## References
    /// - Dockerfile reference, `ENV` ("alternative syntax ... may be removed in a future
    ///   release")
    pub static LEGACY_KEY_VALUE_FORMAT = {
        code: "IMG055",
        name: "legacy-key-value-format",
        layer: Image,
        threat: UncheckedInput,
        asset: Application,
        severity: Info,
        fix: Sometimes,
        summary: "`ENV`/`LABEL` uses the legacy `key value` form",
        aliases: [(BuildKit, "LegacyKeyValueFormat")],
    }
}

/// The value as it reads after `key=`, when rewriting it provably keeps its meaning.
fn rewritten(value: &str, escape: char) -> Option<String> {
    let quotes = value.chars().filter(|c| *c == '"' || *c == '\'').count();
    if quotes == 0 && !value.contains(escape) {
        return Some(if value.contains(char::is_whitespace) {
            format!("\"{value}\"")
        } else {
            value.to_string()
        });
    }
    let single_quoted = |q: char| {
        value.len() >= 2
            && value.starts_with(q)
            && value.ends_with(q)
            && quotes == 2
            && (q == '\'' || !value.contains(escape))
    };
    (single_quoted('"') || single_quoted('\'')).then(|| value.to_string())
}

pub(crate) fn check(syntax: &Syntax<'_>, checker: &mut Checker<'_>) {
    let escape = syntax.dockerfile.escape;
    let source = syntax.source();
    for instruction in &syntax.dockerfile.instructions {
        if !matches!(instruction.keyword, Keyword::Env | Keyword::Label) {
            continue;
        }
        let Args::KeyValues(pairs) = &instruction.args else { continue };
        for pair in pairs.iter().filter(|p| p.legacy) {
            let keyword = instruction.keyword.as_str();
            let finding = checker.report(
                &LEGACY_KEY_VALUE_FORMAT,
                &syntax.origin(pair.span),
                format!("`{keyword} {} ...` uses the legacy form without `=`", pair.key.text),
            );
            finding.help = Some(format!("write `{keyword} {}=<value>`", pair.key.text));
            let value = pair.value.span.slice(source);
            if value != pair.value.text || pair.key.span.slice(source) != pair.key.text {
                continue; // continuation lines inside: leave to the author
            }
            if let Some(value) = rewritten(value, escape) {
                finding.fix =
                    Some(Fix::safe(vec![Edit::replace(pair.span, format!("{}={value}", pair.key.text))]));
            }
        }
    }
}
