//! `GEN` codes: findings about the scan itself rather than about a container.
//!
//! Front ends, the configuration loader and the suppression engine report through these, so a file
//! that could not be read or parsed shows up in every report instead of vanishing.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a part of a file that could not be parsed. Parsing resumes at the next line or
    /// instruction, so the rest of the file is still checked.
    ///
    /// ## Why is this bad?
    /// What cannot be parsed cannot be checked: a privileged flag or a secret may hide in the
    /// unparsed part. Builders may also reject the file outright.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN ["echo", "unterminated"
    /// ```
    ///
    /// ## Fix
    /// Correct the syntax shown in the message.
    pub static PARSE_ERROR = {
        code: "GEN001",
        name: "parse-error",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: High,
        fix: None,
        summary: "part of the file could not be parsed",
        aliases: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an instruction keyword the builder does not know.
    ///
    /// ## Why is this bad?
    /// BuildKit fails the build on an unknown instruction; a typo such as `USR app` silently
    /// leaves the image running as root in tools that skip the line.
    ///
    /// ## Example
    /// ```dockerfile
    /// USR app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// USER app
    /// ```
    ///
    /// ## Fix
    /// Spell the instruction as BuildKit documents it.
    pub static UNKNOWN_INSTRUCTION = {
        code: "GEN002",
        name: "unknown-instruction",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: High,
        fix: None,
        summary: "unknown instruction",
        aliases: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a flag an instruction does not accept, such as `COPY --chmown=app`.
    ///
    /// ## Why is this bad?
    /// BuildKit rejects the build; a misspelt security flag (`--chown`, `--checksum`) does not
    /// do what its author believes.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --chmown=app:app src /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY --chown=app:app src /app
    /// ```
    ///
    /// ## Fix
    /// Use a flag the instruction documents.
    pub static UNKNOWN_FLAG = {
        code: "GEN003",
        name: "unknown-flag",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "unknown flag for this instruction",
        aliases: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a target that could not be read: missing, unreadable, a directory loop, a binary
    /// file, or a file larger than the configured limit.
    ///
    /// ## Why is this bad?
    /// The target was not checked at all.
    ///
    /// ## Example
    /// A `Dockerfile` without read permission, or a 100 MB file named `Dockerfile`.
    ///
    /// ## Fix
    /// Make the file readable, or exclude it with `.gitignore` or an `[[ignore]]` entry.
    pub static UNREADABLE_TARGET = {
        code: "GEN004",
        name: "unreadable-target",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: High,
        fix: None,
        summary: "target could not be read",
        aliases: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an inline suppression (`# shipshape: ignore=...`, `# hadolint ignore=...`,
    /// `# checkov:skip=...`) that suppressed nothing.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real finding of that rule on that line.
    ///
    /// ## Example
    /// ```dockerfile
    /// # shipshape: ignore=PRV001 -- runs as app already
    /// USER app
    /// ```
    ///
    /// ## Fix
    /// Delete the suppression.
    pub static UNUSED_SUPPRESSION = {
        code: "GEN005",
        name: "unused-suppression",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "suppression matches no finding",
        aliases: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an `[[ignore]]` entry of `shipshape.toml` whose `expires` date has passed. The
    /// entry stops suppressing on that date.
    ///
    /// ## Why is this bad?
    /// Time-boxed exceptions are how teams accept a risk for a while; an expired one means the
    /// accepted risk needs a new decision.
    ///
    /// ## Example
    /// ```toml
    /// [[ignore]]
    /// paths = ["legacy/**"]
    /// rules = ["PRV001"]
    /// reason = "migrating to a non-root base"
    /// expires = "2025-01-31"
    /// ```
    ///
    /// ## Fix
    /// Fix the findings, or renew the entry with a new reason and date.
    pub static EXPIRED_IGNORE = {
        code: "GEN006",
        name: "expired-ignore",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "ignore entry has expired",
        aliases: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an invalid `shipshape.toml` or inline pragma: unknown key, unknown rule code,
    /// malformed date or severity.
    ///
    /// ## Why is this bad?
    /// A misspelt rule code in an ignore list ignores nothing; a misspelt key is silently
    /// unused by tools that do not check.
    ///
    /// ## Example
    /// ```toml
    /// [rules]
    /// ignroe = ["PRV001"]
    /// ```
    ///
    /// ## Fix
    /// Use the spelling the message suggests.
    pub static CONFIG_ERROR = {
        code: "GEN007",
        name: "config-error",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: High,
        fix: None,
        summary: "invalid configuration",
        aliases: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports bytes that are not valid UTF-8. Each such byte is read as `?` so the rest of the
    /// file is still parsed and checked with correct positions.
    ///
    /// ## Why is this bad?
    /// Builders read Dockerfiles as UTF-8; an invalid byte usually means a corrupted file or
    /// one saved in a legacy encoding, and it may change what an instruction means.
    ///
    /// ## Example
    /// A Dockerfile saved as Latin-1 with `LABEL author="José"`.
    ///
    /// ## Fix
    /// Save the file as UTF-8.
    pub static INVALID_ENCODING = {
        code: "GEN008",
        name: "invalid-encoding",
        layer: General,
        threat: UncheckedInput,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "file is not valid UTF-8",
        aliases: [],
    }
}

/// Every `GEN` rule, in code order.
pub static GENERAL_RULES: [&crate::RuleMeta; 8] = [
    &PARSE_ERROR,
    &UNKNOWN_INSTRUCTION,
    &UNKNOWN_FLAG,
    &UNREADABLE_TARGET,
    &UNUSED_SUPPRESSION,
    &EXPIRED_IGNORE,
    &CONFIG_ERROR,
    &INVALID_ENCODING,
];
