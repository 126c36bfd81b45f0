//! Reading a simple command the way the tool it runs reads it: wrappers unwrapped, options
//! told from operands, the subcommand found.

use crate::map::OffsetMap;
use crate::model::{RedirectOp, SimpleCommand, Word, Wrapper};
use crate::tools::{self, ToolSpec};
use shipshape_model::Span;

/// The basename of a command path: `apt-get` for `/usr/bin/apt-get`.
pub fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// A command name without a trailing version: `pip` for `pip3.11`, `python` for `python3`,
/// `gem` for `gem2.7`. Names whose digits are part of the name (`gpg2`, `wget2`) stay as they
/// are when they have a table of their own.
pub fn family(name: &str) -> &str {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let trimmed = trimmed.strip_suffix('-').unwrap_or(trimmed);
    if trimmed.is_empty() { name } else { trimmed }
}

/// Whether the command name `actual` (a path or basename) is `wanted`: same basename, or the
/// same family when `wanted` has no digits (`is("pip")` matches `pip3`).
pub(crate) fn name_matches(actual: &str, wanted: &str) -> bool {
    let base = basename(actual);
    base == wanted || (!wanted.chars().any(|c| c.is_ascii_digit()) && family(base) == wanted)
}

/// Finds the command that really runs under wrappers: the index of its word (0 = `name`,
/// `i` = `args[i - 1]`) and the wrappers, outermost first.
pub(crate) fn unwrap(name: &Word, args: &[Word]) -> (usize, Vec<Wrapper>) {
    let word = |i: usize| if i == 0 { Some(name) } else { args.get(i - 1) };
    let total = args.len() + 1;
    let mut index = 0;
    let mut wrappers = Vec::new();
    for _ in 0..16 {
        let Some(w) = word(index) else { break };
        let Some(text) = w.text.as_deref() else { break };
        let base = basename(text);
        if family(base) == "python" {
            match python_module(args, index) {
                Some(next) => {
                    wrappers.push(Wrapper { name: base.to_string(), word: index });
                    index = next;
                    continue;
                }
                None => break,
            }
        }
        let Some(spec) = tools::wrapper_spec(base) else { break };
        let mut i = index + 1;
        if !spec.verb.is_empty() {
            if word(i).and_then(|w| w.text.as_deref()) != Some(spec.verb) {
                break;
            }
            i += 1;
        }
        let mut stopped = false;
        let mut required_seen = spec.requires.is_empty();
        while let Some(w) = word(i) {
            let text = w.value.as_str();
            if text == "--" {
                i += 1;
                break;
            }
            if let Some(long) = text.strip_prefix("--").filter(|l| !l.is_empty()) {
                let (name, has_value) = match long.split_once('=') {
                    Some((n, _)) => (n, true),
                    None => (long, false),
                };
                let name = format!("--{name}");
                if spec.stop_long.contains(&name.as_str()) {
                    stopped = true;
                    break;
                }
                i += if !has_value && spec.long_value.contains(&name.as_str()) { 2 } else { 1 };
                continue;
            }
            if text.len() > 1 && text.starts_with('-') {
                let mut extra = 0;
                for (k, c) in text.char_indices().skip(1) {
                    if spec.stop.contains(c) {
                        stopped = true;
                        break;
                    }
                    if spec.requires.contains(c) {
                        required_seen = true;
                    }
                    if spec.short_value.contains(c) {
                        if text.len() == k + c.len_utf8() {
                            extra = 1;
                        }
                        break;
                    }
                }
                if stopped {
                    break;
                }
                i += 1 + extra;
                continue;
            }
            if spec.assignments && looks_like_assignment(text) {
                i += 1;
                continue;
            }
            break;
        }
        if stopped || !required_seen {
            break;
        }
        i += spec.operands;
        if i >= total {
            break;
        }
        wrappers.push(Wrapper { name: base.to_string(), word: index });
        index = i;
    }
    (index, wrappers)
}

/// `python -m MODULE ...`: the index of the module word.
fn python_module(args: &[Word], index: usize) -> Option<usize> {
    let mut i = index; // args[i] is the word after the word at `index`
    while let Some(w) = args.get(i) {
        let text = w.value.as_str();
        match text {
            "-m" => return args.get(i + 1).map(|_| i + 2),
            "-c" | "--" | "-" => return None,
            "-W" | "-X" => i += 2,
            t if t.starts_with('-') && t.len() > 1 && !t.contains('m') && !t.contains('c') => i += 1,
            _ => return None,
        }
    }
    None
}

fn looks_like_assignment(text: &str) -> bool {
    match text.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// A script a command runs in a shell: a `-c` string (or `eval`'s arguments, or a here-string),
/// or a heredoc on the shell's standard input.
pub(crate) enum ShellCall {
    String { text: String, map: OffsetMap, fresh: bool, pipefail: bool, errexit: bool },
    Stdin { redirect: usize, pipefail: bool, errexit: bool },
}

/// Whether `cmd` runs shell code given to it, and which.
pub(crate) fn shell_call(cmd: &SimpleCommand) -> Option<ShellCall> {
    let name = cmd.command_name()?;
    let args = cmd.command_args();
    if tools::is_shell(name) {
        return shell_invocation(cmd, args);
    }
    match name {
        "eval" => join_words(args).map(|(text, map)| ShellCall::String {
            text,
            map,
            fresh: false,
            pipefail: false,
            errexit: false,
        }),
        "su" | "runuser" | "flock" => {
            let mut iter = args.iter();
            while let Some(w) = iter.next() {
                let value = w.value.as_str();
                let string = if value == "-c" || value == "--command" {
                    iter.next()
                } else if value.starts_with("--command=") {
                    return string_call(&w.suffix("--command=".len()), true, false, false);
                } else {
                    None
                };
                if let Some(s) = string {
                    return string_call(s, true, false, false);
                }
            }
            None
        }
        _ => None,
    }
}

fn string_call(word: &Word, fresh: bool, pipefail: bool, errexit: bool) -> Option<ShellCall> {
    if word.has_substitution {
        return None;
    }
    Some(ShellCall::String { text: word.value.clone(), map: word.map.clone(), fresh, pipefail, errexit })
}

fn shell_invocation(cmd: &SimpleCommand, args: &[Word]) -> Option<ShellCall> {
    let mut has_c = false;
    let mut stdin = false;
    let mut pipefail = false;
    let mut errexit = false;
    let mut i = 0;
    let mut operand = None;
    while let Some(w) = args.get(i) {
        let text = w.value.as_str();
        if text == "--" || text == "-" {
            operand = args.get(i + 1);
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            i += if matches!(long, "rcfile" | "init-file") { 2 } else { 1 };
            continue;
        }
        let on = text.starts_with('-');
        if text.len() > 1 && (on || text.starts_with('+')) {
            let mut takes_next = 0;
            for c in text.chars().skip(1) {
                match c {
                    'c' => has_c = true,
                    's' => stdin = true,
                    'e' => errexit = on,
                    'o' | 'O' => {
                        if takes_next == 0 {
                            let option = args.get(i + 1).map(|w| w.value.as_str());
                            if c == 'o' && option == Some("pipefail") {
                                pipefail = on;
                            }
                            if c == 'o' && option == Some("errexit") {
                                errexit = on;
                            }
                        }
                        takes_next += 1;
                    }
                    _ => {}
                }
            }
            i += 1 + takes_next;
            continue;
        }
        operand = Some(w);
        break;
    }
    if has_c {
        return string_call(operand?, true, pipefail, errexit);
    }
    if operand.is_some() && !stdin {
        return None; // a script file
    }
    let (index, redirect) = cmd.redirects.iter().enumerate().rev().find(|(_, r)| {
        r.fd.is_none_or(|fd| fd == 0) && matches!(r.op, RedirectOp::HereDoc { .. } | RedirectOp::HereString)
    })?;
    match redirect.op {
        RedirectOp::HereString => string_call(&redirect.target, true, pipefail, errexit),
        _ => Some(ShellCall::Stdin { redirect: index, pipefail, errexit }),
    }
}

/// The words joined with spaces (`eval a b` runs `a b`), with a map back to the words.
fn join_words(args: &[Word]) -> Option<(String, OffsetMap)> {
    let first = args.first()?;
    if args.iter().any(|w| w.has_substitution) {
        return None;
    }
    let mut text = String::new();
    let mut map = OffsetMap::new(first.span.start as usize);
    for (k, w) in args.iter().enumerate() {
        if k > 0 {
            let at = args.get(k - 1).map_or(0, |p| p.span.end as usize);
            map.push_special(text.len(), 1, at, w.span.start as usize);
            text.push(' ');
        }
        map.append_shifted(&w.map, text.len());
        text.push_str(&w.value);
    }
    Some((text, map))
}

/// One option of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdOption<'a> {
    /// The option's name with its dashes: `-y`, `--yes`.
    pub name: String,
    /// Its value (`--opt=value`, `--opt value`, `-ovalue`, `-o value`) with expansions kept as
    /// written; `None` for a flag.
    pub value: Option<String>,
    /// The word the option is in.
    pub word: &'a Word,
    /// The word holding the value when it is the next one.
    pub value_word: Option<&'a Word>,
    /// The option itself: `y` of `-qy` is one character of the word.
    pub span: Span,
}

/// A command line read with its tool's option table.
#[derive(Debug, Clone, Default)]
pub struct ParsedArgs<'a> {
    /// The options, in order.
    pub options: Vec<CmdOption<'a>>,
    /// The words that are not options or option values, in order (the subcommand included).
    pub positionals: Vec<&'a Word>,
    /// Whether the tool takes a subcommand as its first positional.
    pub has_subcommand: bool,
}

impl<'a> ParsedArgs<'a> {
    /// The subcommand (`install` of `apt-get install`), when the tool has subcommands.
    pub fn subcommand(&self) -> Option<&'a Word> {
        if self.has_subcommand { self.positionals.first().copied() } else { None }
    }

    /// The positionals after the subcommand (all of them when there is none).
    pub fn operands(&self) -> &[&'a Word] {
        let skip = usize::from(self.has_subcommand).min(self.positionals.len());
        self.positionals.get(skip..).unwrap_or(&[])
    }

    /// Whether one of `names` (`-y`, `--yes`) is given.
    pub fn has(&self, names: &[&str]) -> bool {
        self.options.iter().any(|o| names.contains(&o.name.as_str()))
    }

    /// The options named one of `names`, in order.
    pub fn all<'s>(&'s self, names: &'s [&'s str]) -> impl Iterator<Item = &'s CmdOption<'a>> + 's {
        self.options.iter().filter(move |o| names.contains(&o.name.as_str()))
    }

    /// The value of the last option named one of `names`.
    pub fn value(&self, names: &[&str]) -> Option<&str> {
        self.options.iter().rev().find(|o| names.contains(&o.name.as_str())).and_then(|o| o.value.as_deref())
    }
}

/// Reads `args` with `spec` (or with no option taking a value when `spec` is `None`).
pub(crate) fn parse_args<'a>(args: &'a [Word], spec: Option<&ToolSpec>) -> ParsedArgs<'a> {
    let empty = ToolSpec {
        names: &[],
        subcommands: false,
        short_value: "",
        short_optional: "",
        long_value: &[],
        single_dash_long: false,
        dash_modes: false,
    };
    let spec = spec.unwrap_or(&empty);
    let mut out = ParsedArgs { has_subcommand: spec.subcommands, ..ParsedArgs::default() };
    let mut i = 0;
    let mut only_operands = false;
    while let Some(w) = args.get(i) {
        i += 1;
        let text = w.value.as_str();
        if only_operands || text.len() < 2 || !text.starts_with('-') || text.starts_with("-$") {
            out.positionals.push(w);
            continue;
        }
        if text == "--" {
            only_operands = true;
            continue;
        }
        if spec.dash_modes
            && text.trim_start_matches('-').chars().all(|c| "rwxXstugoa".contains(c))
            && !text.starts_with("--")
        {
            out.positionals.push(w);
            continue;
        }
        if text.starts_with("--") || spec.single_dash_long {
            let (name, value) = match text.split_once('=') {
                Some((n, v)) => (n, Some((v.to_string(), n.len() + 1))),
                None => (text, None),
            };
            let takes = spec.long_value.contains(&name) || (spec.single_dash_long && short_takes(spec, name));
            let name_span = w.span_of(0..name.len());
            let (value, value_word) = match value {
                Some((v, _)) => (Some(v), None),
                None if takes => match args.get(i) {
                    Some(next) => {
                        i += 1;
                        (Some(next.value.clone()), Some(next))
                    }
                    None => (None, None),
                },
                None => (None, None),
            };
            out.options.push(CmdOption {
                name: name.to_string(),
                value,
                word: w,
                value_word,
                span: name_span,
            });
            continue;
        }
        // A cluster of short options: `-qy`, `-oValue`, `-o Value`.
        for (k, c) in text.char_indices().skip(1) {
            let end = k + c.len_utf8();
            let span = w.span_of(k..end);
            if spec.short_value.contains(c) {
                let rest = text.get(end..).unwrap_or("");
                let (value, value_word) = if !rest.is_empty() {
                    (Some(rest.to_string()), None)
                } else {
                    match args.get(i) {
                        Some(next) => {
                            i += 1;
                            (Some(next.value.clone()), Some(next))
                        }
                        None => (None, None),
                    }
                };
                out.options.push(CmdOption { name: format!("-{c}"), value, word: w, value_word, span });
                break;
            }
            if spec.short_optional.contains(c) {
                let rest = text.get(end..).unwrap_or("");
                let value = (!rest.is_empty()).then(|| rest.to_string());
                out.options.push(CmdOption { name: format!("-{c}"), value, word: w, value_word: None, span });
                break;
            }
            out.options.push(CmdOption {
                name: format!("-{c}"),
                value: None,
                word: w,
                value_word: None,
                span,
            });
        }
    }
    out
}

/// For single-dash tools (`go`): whether `-name` takes a value.
fn short_takes(spec: &ToolSpec, name: &str) -> bool {
    const GO_VALUE: &[&str] = &[
        "-o",
        "-p",
        "-C",
        "-tags",
        "-ldflags",
        "-gcflags",
        "-asmflags",
        "-mod",
        "-modfile",
        "-overlay",
        "-pkgdir",
        "-toolexec",
        "-buildmode",
        "-compiler",
        "-gccgoflags",
        "-installsuffix",
        "-pgo",
        "-run",
        "-bench",
        "-timeout",
        "-count",
        "-coverprofile",
        "-covermode",
        "-coverpkg",
        "-exec",
        "-vet",
        "-json",
    ];
    spec.names.contains(&"go") && GO_VALUE.contains(&name)
}

impl SimpleCommand {
    /// The word at `index`: 0 is [`SimpleCommand::name`], `i` is `args[i - 1]`.
    pub fn word(&self, index: usize) -> Option<&Word> {
        if index == 0 { Some(&self.name) } else { self.args.get(index - 1) }
    }

    /// The word naming the command that really runs: `apt-get` of `sudo -E apt-get install`.
    pub fn command(&self) -> &Word {
        self.word(self.effective).unwrap_or(&self.name)
    }

    /// The arguments of the command that really runs.
    pub fn command_args(&self) -> &[Word] {
        self.args.get(self.effective..).unwrap_or(&[])
    }

    /// The basename of the command that really runs, when static: `apt-get` for
    /// `sudo /usr/bin/apt-get`.
    pub fn command_name(&self) -> Option<&str> {
        self.command().text.as_deref().map(basename)
    }

    /// Whether the command that really runs is `name` (its basename, or its family: `pip`
    /// also matches `pip3` and `pip3.11`; `python` matches `python3`).
    pub fn is(&self, name: &str) -> bool {
        self.command().text.as_deref().is_some_and(|t| name_matches(t, name))
    }

    /// Whether the command that really runs is one of `names`.
    pub fn is_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.is(n))
    }

    /// Whether the command runs under the wrapper `name` (`sudo`, `env`, `xargs`...).
    pub fn wrapped_by(&self, name: &str) -> bool {
        self.wrappers.iter().any(|w| w.name == name)
    }

    /// The command's arguments read with its tool's option table.
    pub fn parse_args(&self) -> ParsedArgs<'_> {
        let spec = self.command_name().and_then(tools::tool_spec);
        parse_args(self.command_args(), spec)
    }

    /// The subcommand: `install` of `apt-get -y install curl`, `config` of `npm config set`.
    /// `None` for tools without subcommands (`curl`).
    pub fn subcommand(&self) -> Option<&str> {
        self.parse_args().subcommand().and_then(|w| w.text.as_deref())
    }

    /// Whether the command is `name` with subcommand one of `subcommands`.
    pub fn is_subcommand(&self, name: &str, subcommands: &[&str]) -> bool {
        self.is(name) && self.subcommand().is_some_and(|s| subcommands.contains(&s))
    }

    /// Whether one of the options `names` is given: `-y` is found in `-qy`, `--yes` in
    /// `--yes` and `--yes=true`; option values are not mistaken for options.
    pub fn has_option(&self, names: &[&str]) -> bool {
        self.parse_args().has(names)
    }

    /// The value of the last of the options `names`.
    pub fn option_value(&self, names: &[&str]) -> Option<String> {
        self.parse_args().value(names).map(str::to_string)
    }

    /// Every option, in order.
    pub fn options(&self) -> Vec<CmdOption<'_>> {
        self.parse_args().options
    }

    /// The operands after the subcommand (the packages of `apt-get install -y curl git`), or
    /// every operand for tools without subcommands.
    pub fn operands(&self) -> Vec<&Word> {
        self.parse_args().operands().to_vec()
    }

    /// The variables set for the command: its `NAME=value` prefixes, then those given to an
    /// `env` or `sudo` wrapper (`env DEBIAN_FRONTEND=noninteractive apt-get ...`), as names and
    /// values with expansions kept as written.
    pub fn environment(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> =
            self.assignments.iter().map(|a| (a.name.clone(), a.value.value.clone())).collect();
        for (k, wrapper) in self.wrappers.iter().enumerate() {
            if wrapper.name != "env" && wrapper.name != "sudo" {
                continue;
            }
            let end = self.wrappers.get(k + 1).map_or(self.effective, |w| w.word);
            for i in wrapper.word + 1..end {
                let Some(word) = self.word(i) else { continue };
                if looks_like_assignment(&word.value)
                    && let Some((name, value)) = word.value.split_once('=')
                {
                    vars.push((name.to_string(), value.to_string()));
                }
            }
        }
        vars
    }

    /// Every non-option argument, the subcommand included.
    pub fn positionals(&self) -> Vec<&Word> {
        self.parse_args().positionals
    }
}
