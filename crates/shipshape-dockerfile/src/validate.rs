//! The checks of BuildKit's `instructions` package: which flags each instruction accepts, how
//! many arguments it takes, `RUN --mount` options, `HEALTHCHECK` durations. BuildKit stops at the
//! first problem; we report all of them.

use crate::ast::*;
use crate::heredoc::parse_marker;
use shipshape_model::Span;

#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagType {
    Bool,
    Text,
    /// May be repeated (`--mount`, `--exclude`).
    Repeated,
}

use FlagType::{Bool, Repeated, Text};

const ADD_FLAGS: &[(&str, FlagType)] = &[
    ("chown", Text),
    ("chmod", Text),
    ("link", Bool),
    ("keep-git-dir", Bool),
    ("checksum", Text),
    ("exclude", Repeated),
    ("unpack", Bool),
];
const COPY_FLAGS: &[(&str, FlagType)] = &[
    ("chown", Text),
    ("from", Text),
    ("chmod", Text),
    ("link", Bool),
    ("parents", Bool),
    ("exclude", Repeated),
];
const FROM_FLAGS: &[(&str, FlagType)] = &[("platform", Text)];
const RUN_FLAGS: &[(&str, FlagType)] =
    &[("mount", Repeated), ("network", Text), ("security", Text), ("device", Repeated)];
const HEALTHCHECK_FLAGS: &[(&str, FlagType)] = &[
    ("interval", Text),
    ("timeout", Text),
    ("start-period", Text),
    ("start-interval", Text),
    ("retries", Text),
];

/// `RUN --mount` types.
pub(crate) const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];
const MOUNT_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "src",
    "target",
    "dst",
    "destination",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "required",
    "size",
    "id",
    "sharing",
    "mode",
    "uid",
    "gid",
    "env",
];

/// Checks one top-level instruction (and its `ONBUILD` triggers).
pub(crate) fn instruction(instruction: &Instruction, diagnostics: &mut Vec<Diagnostic>) {
    let mut current = Some(instruction);
    while let Some(instruction) = current {
        check(instruction, diagnostics);
        current = instruction.onbuild_trigger();
    }
}

fn error(diagnostics: &mut Vec<Diagnostic>, kind: DiagnosticKind, message: impl Into<String>, span: Span) {
    diagnostics.push(Diagnostic::error(kind, message, span));
}

fn check(instruction: &Instruction, diagnostics: &mut Vec<Diagnostic>) {
    if let Keyword::Unknown(text) = &instruction.keyword {
        let names: Vec<&str> = Keyword::ALL.iter().map(Keyword::as_str).collect();
        let mut message = format!("unknown instruction: {}", shorten(&text.to_uppercase()));
        if let Some(better) = suggest(&text.to_uppercase(), &names) {
            message.push_str(&format!(" (did you mean {better}?)"));
        }
        error(diagnostics, DiagnosticKind::UnknownInstruction, message, instruction.keyword_span);
        return;
    }
    if let Some(spec) = flag_spec(instruction) {
        check_flags(instruction, spec, diagnostics);
    }
    check_args(instruction, diagnostics);
}

fn flag_spec(instruction: &Instruction) -> Option<&'static [(&'static str, FlagType)]> {
    match (&instruction.keyword, &instruction.args) {
        (Keyword::Add, _) => Some(ADD_FLAGS),
        (Keyword::Copy, _) => Some(COPY_FLAGS),
        (Keyword::From, _) => Some(FROM_FLAGS),
        (Keyword::Run, _) => Some(RUN_FLAGS),
        // BuildKit never reads the flags of `HEALTHCHECK NONE` and `STOPSIGNAL`.
        (Keyword::Healthcheck, Args::Healthcheck(h)) if h.is_none() => None,
        (Keyword::Healthcheck, _) => Some(HEALTHCHECK_FLAGS),
        (Keyword::Stopsignal | Keyword::Unknown(_), _) => None,
        _ => Some(&[]),
    }
}

fn check_flags(instruction: &Instruction, spec: &[(&str, FlagType)], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for flag in &instruction.flags {
        let name = flag.name.as_str();
        let first_use = seen.insert(name);
        let Some(&(_, kind)) = spec.iter().find(|(known, _)| *known == name) else {
            let mut message = format!("unknown flag: {}", shorten(name));
            let names: Vec<&str> = spec.iter().map(|(n, _)| *n).collect();
            if let Some(better) = suggest(name, &names) {
                message.push_str(&format!(" (did you mean --{better}?)"));
            } else if spec.is_empty() {
                message.push_str(&format!(" ({} takes no flags)", instruction.keyword));
            }
            error(diagnostics, DiagnosticKind::UnknownFlag, message, flag.span);
            continue;
        };
        if kind != Repeated && !first_use {
            error(
                diagnostics,
                DiagnosticKind::InvalidFlag,
                format!("duplicate flag specified: {name}"),
                flag.span,
            );
        }
        match (kind, flag.value.as_deref()) {
            (Bool, Some("")) | (Text | Repeated, None) => {
                error(
                    diagnostics,
                    DiagnosticKind::InvalidFlag,
                    format!("missing a value on flag: {name}"),
                    flag.span,
                );
            }
            (Bool, Some(value))
                if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") =>
            {
                let message = format!("expecting boolean value for flag {name}, not: {value}");
                error(diagnostics, DiagnosticKind::InvalidFlag, message, flag.span);
            }
            _ => {}
        }
    }
}

/// Number of arguments BuildKit's `nodeArgs` would list.
fn arg_count(args: &Args) -> usize {
    match args {
        Args::Empty => 0,
        Args::Command(CommandArgs::Exec(words)) | Args::Words(words) => words.len(),
        Args::Command(CommandArgs::Shell(_)) | Args::Text(_) | Args::Raw(_) | Args::Invalid(_) => 1,
        Args::KeyValues(pairs) => pairs.len(),
        Args::ArgDecls(decls) => decls.len(),
        Args::From(from) => from.words.len(),
        Args::Paths(paths) => paths.paths.len(),
        Args::Healthcheck(health) => 1 + health.command.as_ref().map_or(0, command_len),
        Args::Onbuild(_) => 1,
    }
}

fn command_len(command: &CommandArgs) -> usize {
    match command {
        CommandArgs::Exec(words) => words.len(),
        CommandArgs::Shell(_) => 1,
    }
}

fn check_args(instruction: &Instruction, diagnostics: &mut Vec<Diagnostic>) {
    let keyword = &instruction.keyword;
    let span = if instruction.args_span.is_empty() { instruction.span } else { instruction.args_span };
    let args = &instruction.args;
    if matches!(args, Args::Invalid(_)) {
        return;
    }
    let count = arg_count(args);
    let mut fail =
        |message: String, span: Span| error(diagnostics, DiagnosticKind::InvalidArguments, message, span);
    match keyword {
        Keyword::Env
        | Keyword::Label
        | Keyword::Arg
        | Keyword::Expose
        | Keyword::Volume
        | Keyword::Onbuild
        | Keyword::Healthcheck
            if count == 0 =>
        {
            fail(format!("{keyword} requires at least one argument"), span);
        }
        Keyword::Maintainer | Keyword::User | Keyword::Workdir | Keyword::Stopsignal if count != 1 => {
            fail(format!("{keyword} requires exactly one argument"), span);
        }
        Keyword::Add | Keyword::Copy if count < 2 => fail(
            format!(
                "{keyword} requires at least two arguments, but only one was provided. Destination could not be determined."
            ),
            span,
        ),
        Keyword::Add | Keyword::Copy => {
            if let Args::Paths(paths) = args
                && let Some(dest) = paths.destination()
                && matches!(parse_marker(&dest.text), Ok(Some(_)))
            {
                fail(format!("{keyword} cannot accept a heredoc as a destination"), dest.span);
            }
        }
        Keyword::Env | Keyword::Label => {
            if let Args::KeyValues(pairs) = args {
                for pair in pairs.iter().filter(|p| p.key.text.is_empty()) {
                    fail(format!("{keyword} names can not be blank"), pair.span);
                }
            }
        }
        Keyword::Arg => {
            if let Args::ArgDecls(decls) = args {
                for decl in decls.iter().filter(|d| d.name.text.is_empty()) {
                    fail("ARG names can not be blank".to_string(), decl.word.span);
                }
            }
        }
        Keyword::Volume => {
            if let Args::Paths(paths) = args {
                for path in paths.paths.iter().filter(|p| p.text.trim().is_empty()) {
                    fail("VOLUME specified can not be an empty string".to_string(), path.span);
                }
            }
        }
        Keyword::From => check_from(args, span, &mut fail),
        Keyword::Onbuild => {
            if let Some(trigger) = instruction.onbuild_trigger() {
                match trigger.keyword {
                    Keyword::Onbuild => {
                        let message = "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string();
                        error(
                            diagnostics,
                            DiagnosticKind::InvalidOnbuildTrigger,
                            message,
                            trigger.keyword_span,
                        );
                    }
                    Keyword::From | Keyword::Maintainer => {
                        let message = format!("{} isn't allowed as an ONBUILD trigger", trigger.keyword);
                        error(
                            diagnostics,
                            DiagnosticKind::InvalidOnbuildTrigger,
                            message,
                            trigger.keyword_span,
                        );
                    }
                    _ => {}
                }
            }
        }
        Keyword::Shell => match args {
            Args::Empty => fail("SHELL requires at least one argument".to_string(), span),
            Args::Command(CommandArgs::Exec(words)) if words.is_empty() => {
                fail("SHELL requires at least one argument".to_string(), span);
            }
            Args::Command(CommandArgs::Shell(_)) => {
                fail("SHELL requires the arguments to be in JSON form".to_string(), span);
            }
            _ => {}
        },
        Keyword::Healthcheck => {
            if let Args::Healthcheck(health) = args {
                check_healthcheck(instruction, health, &mut fail);
            }
        }
        Keyword::Run => check_run(instruction, diagnostics),
        _ => {}
    }
}

fn check_from(args: &Args, span: Span, fail: &mut impl FnMut(String, Span)) {
    let Args::From(from) = args else {
        fail("FROM requires either one or three arguments".to_string(), span);
        return;
    };
    match from.words.as_slice() {
        [_] => {}
        [_, as_word, name] if as_word.text.eq_ignore_ascii_case("as") => {
            let lower = name.text.to_lowercase();
            let mut chars = lower.chars();
            let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && chars
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
            if !valid {
                let message = format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    crate::dump::go_quote(&name.text)
                );
                fail(message, name.span);
            }
        }
        _ => fail("FROM requires either one or three arguments".to_string(), span),
    }
}

fn check_healthcheck(
    instruction: &Instruction,
    health: &HealthcheckArgs,
    fail: &mut impl FnMut(String, Span),
) {
    let kind = health.kind.text.to_uppercase();
    let command_args = health.command.as_ref().map_or(0, command_len);
    if kind == "NONE" {
        if command_args != 0 {
            fail("HEALTHCHECK NONE takes no arguments".to_string(), instruction.args_span);
        }
        return;
    }
    if kind != "CMD" {
        let message = format!("Unknown type {} in HEALTHCHECK (try CMD)", crate::dump::go_quote(&kind));
        fail(message, health.kind.span);
        return;
    }
    if command_args == 0 {
        fail("Missing command after HEALTHCHECK CMD".to_string(), instruction.args_span);
    }
    for flag in &instruction.flags {
        let Some(value) = flag.value.as_deref().filter(|v| !v.is_empty()) else { continue };
        let span = flag.value_span.unwrap_or(flag.span);
        match flag.name.as_str() {
            "interval" | "timeout" | "start-period" | "start-interval" => match go_duration_nanos(value) {
                None => fail(format!("time: invalid duration {}", crate::dump::go_quote(value)), span),
                Some(nanos) if nanos != 0.0 && nanos < 1_000_000.0 => {
                    fail(
                        format!("Interval {} cannot be less than 1ms", crate::dump::go_quote(&flag.name)),
                        span,
                    );
                }
                Some(_) => {}
            },
            "retries" => match value.parse::<i32>() {
                Err(_) => fail(
                    format!("strconv.ParseInt: parsing {}: invalid syntax", crate::dump::go_quote(value)),
                    span,
                ),
                Ok(n) if n < 0 => fail(format!("--retries cannot be negative ({n})"), span),
                Ok(_) => {}
            },
            _ => {}
        }
    }
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub(crate) fn go_duration_nanos(text: &str) -> Option<f64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        let number = rest.get(..number_len)?;
        if number.matches('.').count() > 1 || !number.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let value: f64 = if number.ends_with('.') {
            number.trim_end_matches('.').parse().ok()?
        } else if let Some(fraction) = number.strip_prefix('.') {
            format!("0.{fraction}").parse().ok()?
        } else {
            number.parse().ok()?
        };
        rest = rest.get(number_len..)?;
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match rest.get(..unit_len)? {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * scale;
        rest = rest.get(unit_len..)?;
    }
    Some(if negative { -total } else { total })
}

fn check_run(instruction: &Instruction, diagnostics: &mut Vec<Diagnostic>) {
    for flag in &instruction.flags {
        let Some(value) = flag.value.as_deref() else { continue };
        let span = flag.value_span.unwrap_or(flag.span);
        let mut fail = |message: String| error(diagnostics, DiagnosticKind::InvalidFlag, message, span);
        match flag.name.as_str() {
            "mount" => {
                for message in mount_problems(value) {
                    fail(message);
                }
            }
            "network" if !value.contains('$') && !matches!(value, "default" | "none" | "host") => {
                fail(format!("unsupported network mode {}", crate::dump::go_quote(value)));
            }
            "security" if !value.contains('$') && !matches!(value, "sandbox" | "insecure") => {
                fail(format!("unsupported security mode {}", crate::dump::go_quote(value)));
            }
            _ => {}
        }
    }
}

/// The fields of a `--mount` value, read as one CSV record like Go's `encoding/csv`.
pub(crate) fn csv_fields(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Err("EOF".to_string());
    }
    let mut fields = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("extraneous or missing \" in quoted-field".to_string()),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(_) => return Err("extraneous or missing \" in quoted-field".to_string()),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => return Err("bare \" in non-quoted-field".to_string()),
                    Some(c) => field.push(c),
                }
            }
            fields.push(field);
        }
    }
}

/// What BuildKit would reject in a `--mount` value. Keys are accepted in any order (BuildKit
/// reads `type` first only if it is written first).
fn mount_problems(value: &str) -> Vec<String> {
    let fields = match csv_fields(value) {
        Ok(fields) => fields,
        Err(e) => return vec![format!("failed to parse csv mounts: {e}")],
    };
    let mut problems = Vec::new();
    let mut kind = "bind".to_string();
    for field in &fields {
        if let Some((key, v)) = field.split_once('=')
            && key.eq_ignore_ascii_case("type")
        {
            let lowered = v.to_ascii_lowercase();
            if !v.contains('$') && !MOUNT_TYPES.contains(&lowered.as_str()) {
                problems.push(format!("unsupported mount type {}", crate::dump::go_quote(v)));
            }
            kind = lowered;
        }
    }
    let file_info_allowed = matches!(kind.as_str(), "secret" | "ssh" | "cache");
    for field in &fields {
        let (key, v) = match field.split_once('=') {
            Some((key, v)) => (key.to_ascii_lowercase(), Some(v)),
            None => (field.to_ascii_lowercase(), None),
        };
        if !MOUNT_KEYS.contains(&key.as_str()) {
            problems.push(format!("unexpected key '{key}' in '{field}'"));
            continue;
        }
        let Some(v) = v else {
            match key.as_str() {
                "readonly" | "ro" | "readwrite" | "rw" => {}
                "required" if matches!(kind.as_str(), "secret" | "ssh") => {}
                "required" => problems.push(format!("unexpected key 'required' for mount type '{kind}'")),
                _ => problems.push(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        let variable = v.contains('$');
        match key.as_str() {
            "from" if variable => {
                problems.push(
                    "'from' doesn't support variable expansion, define alias stage instead".to_string(),
                );
            }
            "from" if kind == "secret" => problems.push("secret mount should not have a from".to_string()),
            "required" if !matches!(kind.as_str(), "secret" | "ssh") => {
                problems.push(format!("unexpected key 'required' for mount type '{kind}'"));
            }
            "size" if kind != "tmpfs" => {
                problems.push(format!("unexpected key 'size' for mount type '{kind}'"))
            }
            "sharing" if kind != "cache" => {
                problems.push(format!("invalid cache sharing set for {kind} mount"))
            }
            "sharing"
                if !variable
                    && !matches!(v.to_ascii_lowercase().as_str(), "shared" | "private" | "locked") =>
            {
                problems.push(format!("unsupported sharing value {}", crate::dump::go_quote(v)));
            }
            "mode" | "uid" | "gid" if !file_info_allowed => {
                problems.push(format!("{key} not allowed for {} type mounts", crate::dump::go_quote(&kind)));
            }
            "mode" if !variable && u32::from_str_radix(v, 8).is_err() => {
                problems.push(format!("invalid value {v} for mode"));
            }
            "uid" | "gid" if !variable && v.parse::<u32>().is_err() => {
                problems.push(format!("invalid value {v} for {key}"));
            }
            "readonly" | "ro" | "readwrite" | "rw" | "required"
                if !variable && go_parse_bool(v).is_none() =>
            {
                problems.push(format!("invalid value for {key}: {v}"));
            }
            _ => {}
        }
    }
    if kind == "secret" {
        let has = |names: &[&str]| {
            fields.iter().any(|f| {
                f.split_once('=').is_some_and(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
            })
        };
        if !has(&["source", "src", "target", "dst", "destination", "id", "env"]) {
            problems.push("invalid secret mount. one of source, target required".to_string());
        }
    }
    problems
}

/// `text`, cut to a length that fits in a message.
fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX_CHARS: usize = 60;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or("")).into(),
        None => text.into(),
    }
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// The closest of `candidates` to `name` (case-insensitive edit distance at most 2), for
/// "did you mean" hints.
fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if name.chars().count() > 64 {
        return None;
    }
    let name = name.to_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&name, &c.to_lowercase()), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_go() {
        assert_eq!(go_duration_nanos("0"), Some(0.0));
        assert_eq!(go_duration_nanos("5s"), Some(5e9));
        assert_eq!(go_duration_nanos("1m30s"), Some(90e9));
        assert_eq!(go_duration_nanos("1.5h"), Some(5400e9));
        assert_eq!(go_duration_nanos("-2ms"), Some(-2e6));
        assert_eq!(go_duration_nanos("500us"), Some(5e5));
        for bad in ["", "5", "s", "5x", "1..2s", "-"] {
            assert_eq!(go_duration_nanos(bad), None, "{bad}");
        }
    }

    #[test]
    fn csv_like_go() {
        assert_eq!(
            csv_fields("type=cache,target=/x"),
            Ok(vec!["type=cache".to_string(), "target=/x".to_string()])
        );
        assert_eq!(csv_fields("\"target=/a,b\",ro"), Ok(vec!["target=/a,b".to_string(), "ro".to_string()]));
        assert!(csv_fields("a\"b").is_err());
        assert!(csv_fields("\"ab").is_err());
        assert!(csv_fields("").is_err());
    }

    #[test]
    fn mount_checks() {
        assert!(mount_problems("type=cache,target=/root/.cache,sharing=locked").is_empty());
        assert!(mount_problems("target=/x,type=secret,id=npm,required").is_empty());
        assert!(mount_problems("type=bind,from=build,source=/out,target=/in,rw").is_empty());
        assert_eq!(mount_problems("type=volume,target=/x").len(), 1);
        assert_eq!(mount_problems("type=cache,foo=bar,target=/x").len(), 1);
        assert_eq!(mount_problems("type=bind,required,target=/x").len(), 1);
        assert_eq!(mount_problems("type=secret").len(), 1);
        assert_eq!(mount_problems("type=tmpfs,target=/t,uid=1").len(), 1);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("USR", &["USER", "RUN"]), Some("USER"));
        assert_eq!(suggest("chmown", &["chown", "chmod"]), Some("chown"));
        assert_eq!(suggest("zzzzzz", &["chown"]), None);
    }
}
