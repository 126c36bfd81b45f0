//! The shell of a `RUN`, parsed: every simple command with its words, redirections and the
//! context it runs in, so Dockerfile rules look at commands rather than at text.
//!
//! * [`parse_run`] takes a `RUN`'s shell-form command exactly as it appears in the Dockerfile
//!   (continuation lines, comment lines inside them, the `# escape=` character), its heredocs
//!   and the `SHELL` in effect. Spans are offsets into the Dockerfile.
//! * [`parse_script`] parses plain shell text (a script, a heredoc body).
//! * [`SimpleCommand`] has the helpers rules need: [`SimpleCommand::is`] sees through
//!   wrappers (`sudo`, `env X=1`, `timeout 10`, `xargs`, `python -m`),
//!   [`SimpleCommand::subcommand`], [`SimpleCommand::has_option`] (combined short flags, option
//!   values, `--`), [`SimpleCommand::operands`] and [`SimpleCommand::packages`] with each
//!   ecosystem's version syntax.
//!
//! Strings run by a nested shell (`sh -c '...'`, `bash -c "..."`, `su -c`, `eval`, here-strings
//! and heredocs fed to a shell) are parsed too; their commands carry [`Context::nested`] and
//! spans inside the quoted string in the file. `set -o pipefail` and `set -e` are followed in
//! order and given to each pipeline and command.
//!
//! ```
//! use shipshape_shell::parse_script;
//!
//! let script = parse_script("set -eo pipefail; curl -fsSL https://x.sh | sh && apt-get install -qy curl=7.88.1");
//! let curl = script.find("curl").next().expect("curl");
//! assert_eq!(curl.context.pipe.map(|p| (p.stage, p.stages)), Some((0, 2)));
//! assert!(curl.context.pipefail);
//! let apt = script.find("apt-get").next().expect("apt-get");
//! assert_eq!(apt.subcommand(), Some("install"));
//! assert!(apt.has_option(&["-y", "--yes", "--assume-yes"]));
//! let pins: Vec<_> = apt.packages().iter().map(|p| (p.name.clone(), p.version.clone())).collect();
//! assert_eq!(pins, [("curl".to_string(), Some("7.88.1".to_string()))]);
//! ```
//!
//! # Robustness
//!
//! Parsing never fails and never panics. A syntax error is a [`ParseError`] with its span; the
//! parser resumes at the next token, so the commands around a broken construct are still
//! there. Time is linear in the input; nesting (compound commands, substitutions, nested
//! shells) is bounded, and past the bound the rest is skipped with an error.

#![warn(missing_docs)]

mod command;
mod interp;
mod map;
mod model;
mod parser;
mod pins;
mod source;
mod tools;

pub use command::{CmdOption, ParsedArgs, basename, family};
pub use interp::{ShellInfo, interpreter_named, shebang, shell_info};
pub use model::{
    Assignment, BareCommand, Compound, CompoundKind, Connector, Context, HeredocBody, HeredocScript,
    Interpreter, ParseError, PipePosition, Pipeline, Redirect, RedirectOp, Script, SimpleCommand, Word,
    Wrapper,
};
pub use pins::{
    Ecosystem, Package, PackageSource, apk_package, apt_package, conda_package, go_package, npm_package,
    pip_requirement, rpm_package, zypper_package,
};
pub use shipshape_model::Span;

use map::OffsetMap;
use parser::{Out, Owner, Parser, Start};

/// Options of [`parse_script_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ScriptOptions {
    /// Added to every span (the offset of the text in its file).
    pub offset: usize,
    /// Whether pipefail is on when the script starts.
    pub pipefail: bool,
    /// Whether errexit (`set -e`) is on when the script starts.
    pub errexit: bool,
}

/// Parses shell text. Spans are offsets into `text`.
pub fn parse_script(text: &str) -> Script {
    parse_script_with(text, &ScriptOptions::default())
}

/// Parses shell text with a starting offset and shell options.
pub fn parse_script_with(text: &str, options: &ScriptOptions) -> Script {
    let mut out = Out::default();
    let start = Start { pipefail: options.pipefail, errexit: options.errexit, ..Start::default() };
    Parser::new(text, &mut out, start).run(false);
    if options.offset != 0 {
        out.remap_all(&offset_map(options.offset, text.len()));
    }
    let mut script = finish(out);
    script.interpreter = Some(Interpreter::Shell("sh".to_string()));
    script
}

fn offset_map(offset: usize, len: usize) -> OffsetMap {
    let mut map = OffsetMap::new(offset);
    map.push_verbatim(0, offset, len);
    map
}

/// A Dockerfile heredoc given to [`parse_run`].
#[derive(Debug, Clone, Copy)]
pub struct HeredocInput<'a> {
    /// The delimiter with quotes removed (`EOF`).
    pub name: &'a str,
    /// The body exactly as in the file (without the terminator line).
    pub body: &'a str,
    /// The file offset of the body.
    pub offset: usize,
    /// Whether the body is expanded (the delimiter was not quoted).
    pub expand: bool,
}

/// A `RUN` in shell form, as [`parse_run`] reads it.
#[derive(Debug, Clone, Default)]
pub struct RunInput<'a> {
    /// The shell-form command as it appears in the file: from after the flags to the end of
    /// its last line, continuation lines and comment lines included. Text after the first line
    /// that does not continue (heredoc bodies) is ignored; give bodies in `heredocs`.
    pub source: &'a str,
    /// The file offset of `source`.
    pub offset: usize,
    /// The Dockerfile's escape character (`\` unless `# escape=` says otherwise).
    pub escape: Option<char>,
    /// The `SHELL` in effect (`None`: `/bin/sh -c`).
    pub shell: Option<&'a [String]>,
    /// The `RUN`'s heredocs, in order.
    pub heredocs: Vec<HeredocInput<'a>>,
}

impl<'a> RunInput<'a> {
    /// A `RUN` whose shell-form command is `source`, at `offset` in its file.
    pub fn new(source: &'a str, offset: usize) -> Self {
        RunInput { source, offset, ..RunInput::default() }
    }
}

/// Parses a `RUN`'s shell-form command as BuildKit hands it to the shell: continuation lines
/// joined, comment and blank lines inside them dropped. Spans are file offsets. Heredocs that
/// are the whole command (`RUN <<EOF`) or feed a shell (`RUN bash <<EOF`) are parsed too, when
/// their language (shebang, or the `SHELL`) is a POSIX shell; [`Script::heredocs`] says what
/// each one was.
pub fn parse_run(input: &RunInput<'_>) -> Script {
    let shell = interp::shell_info(input.shell);
    if !shell.interpreter.is_shell() {
        let heredocs = input
            .heredocs
            .iter()
            .map(|h| HeredocScript {
                name: h.name.to_string(),
                interpreter: interp::shebang(h.body).unwrap_or_else(|| shell.interpreter.clone()),
                executed: false,
                parsed: false,
                span: Span::from_range(h.offset..h.offset + h.body.len()),
            })
            .collect();
        return Script { heredocs, interpreter: Some(shell.interpreter), ..Script::default() };
    }
    let escape = input.escape.unwrap_or('\\');
    let (logical, map) = source::logical_line(input.source, escape, input.offset);
    let mut out = Out::default();
    let start = Start { pipefail: shell.pipefail, errexit: shell.errexit, ..Start::default() };
    Parser::new(&logical, &mut out, start).run(true);
    out.remap_all(&map);

    // Dockerfile heredoc bodies for the markers the shell text left open: BuildKit reads them
    // in marker order, so the k-th open marker takes the k-th body.
    let unresolved = std::mem::take(&mut out.unresolved);
    let mut matched: Vec<Option<u32>> = vec![None; input.heredocs.len()];
    for (h, (slot, id)) in input.heredocs.iter().zip(matched.iter_mut().zip(unresolved)) {
        let body = HeredocBody {
            text: h.body.to_string(),
            span: Span::from_range(h.offset..h.offset + h.body.len()),
            expand: h.expand,
        };
        out.add_body(id, body);
        *slot = Some(id);
    }
    attach_bodies(&mut out);

    let mut heredocs = Vec::with_capacity(input.heredocs.len());
    for (k, h) in input.heredocs.iter().enumerate() {
        let span = Span::from_range(h.offset..h.offset + h.body.len());
        let shebang = interp::shebang(h.body);
        let owner = matched.get(k).copied().flatten().and_then(|id| out.heredoc_owner(id));
        let mut script = HeredocScript {
            name: h.name.to_string(),
            interpreter: Interpreter::Other("data".to_string()),
            executed: false,
            parsed: false,
            span,
        };
        match owner {
            Some((Owner::Bare(b), _)) if input.heredocs.len() == 1 && whole_command(&out, b) => {
                script.executed = true;
                script.interpreter = shebang.unwrap_or_else(|| shell.interpreter.clone());
                if script.interpreter.is_shell() {
                    // BuildKit runs the body as a file with the SHELL (`bash -o pipefail -c
                    // /dev/pipes/EOF`); its options are taken to hold in the body.
                    let ctx = out.bare.get(b).map(|c| c.context).unwrap_or_default();
                    let start = Start { ctx, pipefail: shell.pipefail, errexit: shell.errexit, depth: 0 };
                    parse_body(&mut out, h, start);
                    script.parsed = true;
                }
            }
            Some((Owner::Command(c), r)) => {
                let Some(cmd) = out.commands.get(c) else {
                    heredocs.push(script);
                    continue;
                };
                let call = command::shell_call(cmd);
                let name = cmd.command_name().unwrap_or("").to_string();
                let mut ctx = cmd.context;
                ctx.nested += 1;
                match call {
                    Some(command::ShellCall::Stdin { redirect, pipefail, errexit }) if redirect == r => {
                        script.executed = true;
                        script.interpreter = interp::interpreter_named(&name);
                        parse_body(&mut out, h, Start { ctx, pipefail, errexit, depth: 0 });
                        script.parsed = true;
                    }
                    _ if interp::reads_script_from_stdin(&name)
                        && cmd.positionals().iter().all(|w| w.is("-")) =>
                    {
                        script.executed = true;
                        script.interpreter = interp::interpreter_named(&name);
                    }
                    _ => {
                        if let Some(i) = shebang {
                            script.interpreter = i;
                        }
                    }
                }
            }
            _ => {
                if let Some(i) = shebang {
                    script.interpreter = i;
                }
            }
        }
        heredocs.push(script);
    }
    attach_bodies(&mut out);
    let mut script = finish(out);
    script.heredocs = heredocs;
    script.interpreter = Some(shell.interpreter);
    script
}

/// Parses a Dockerfile heredoc body as shell into `out`.
fn parse_body(out: &mut Out, h: &HeredocInput<'_>, start: Start) {
    parser::parse_into(out, h.body, &offset_map(h.offset, h.body.len()), start);
}

/// Whether bare command `b` is the whole `RUN` (`RUN <<EOF` alone).
fn whole_command(out: &Out, b: usize) -> bool {
    out.commands.is_empty()
        && out.bare.len() == 1
        && out.bare.get(b).is_some_and(|c| c.assignments.is_empty() && c.context.nested == 0)
}

/// Puts each heredoc body read on its redirection.
fn attach_bodies(out: &mut Out) {
    let ids = std::mem::take(&mut out.heredoc_ids);
    for &(owner, index, id) in &ids {
        let Some(body) = out.body(id).cloned() else { continue };
        let Out { commands, bare, compounds, .. } = &mut *out;
        let redirect = match owner {
            Owner::Command(c) => commands.get_mut(c).and_then(|c| c.redirects.get_mut(index)),
            Owner::Bare(b) => bare.get_mut(b).and_then(|c| c.redirects.get_mut(index)),
            Owner::Compound(k) => compounds.get_mut(k).and_then(|c| c.redirects.get_mut(index)),
        };
        if let Some(r) = redirect
            && r.heredoc.is_none()
        {
            r.heredoc = Some(body);
        }
    }
    out.heredoc_ids = ids;
}

/// Sorts large items by moving each once (a sort of indices, then one pass).
fn sort_by_span<T, K: Ord>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    if items.is_sorted_by_key(&key) {
        return items;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| items.get(i).map(&key));
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)).collect()
}

/// Orders what the parsers produced by position.
fn finish(mut out: Out) -> Script {
    attach_bodies(&mut out);
    let key = |span: Span| (span.start, std::cmp::Reverse(span.end));
    let commands = sort_by_span(out.commands, |c| key(c.span));
    let compounds = sort_by_span(out.compounds, |c| key(c.span));
    let mut bare = out.bare;
    if !bare.is_sorted_by_key(|c| c.span.start) {
        bare.sort_by_key(|c| c.span.start);
    }
    let mut errors = out.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Script {
        commands,
        bare,
        pipelines: out.pipelines,
        compounds,
        errors,
        heredocs: Vec::new(),
        interpreter: None,
    }
}
