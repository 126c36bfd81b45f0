//! What a parse produces: the simple commands of a script with their words, redirections and
//! the context each one runs in.

use crate::map::OffsetMap;
use shipshape_model::Span;

/// A shell word: its text as written, its value after quote removal, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word's value after quote removal when it is static (no parameter, command or
    /// arithmetic expansion, no `~`); `None` when it depends on run-time values.
    pub text: Option<String>,
    /// The value after quote removal with every expansion kept as written: `pkg=$V` for
    /// `"pkg=$V"`. Equal to [`Word::text`] for a static word.
    pub value: String,
    /// The word as the shell read it (quotes and escapes in place).
    pub raw: String,
    /// Where the word is, in the coordinates of the parsed input (the Dockerfile when the
    /// input was given with its offset).
    pub span: Span,
    /// Whether the word has a parameter, command or arithmetic expansion, or a tilde prefix.
    pub has_expansion: bool,
    /// Whether the word has a command substitution (`$(...)`, backticks, `<(...)`).
    pub has_substitution: bool,
    /// Whether any part of the word was quoted or escaped.
    pub quoted: bool,
    /// Whether the word has an unquoted glob character (`*`, `?`, `[`).
    pub glob: bool,
    /// Offsets of [`Word::value`] to offsets of the input.
    pub(crate) map: OffsetMap,
}

impl Word {
    /// The static text, if any.
    pub fn as_str(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// Whether the word is static and equal to `text`.
    pub fn is(&self, text: &str) -> bool {
        self.text.as_deref() == Some(text)
    }

    /// The input span of the byte range `range` of [`Word::value`] (so also of a static
    /// [`Word::text`]): `-k` inside `-sSk`, `=7.88` inside `curl=7.88`. Accounts for removed
    /// quotes and escapes.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        self.map.span(Span::from_range(range))
    }

    /// The suffix of this word from byte `start` of its value, as its own word (the value of
    /// `NAME=value`, the version of `pkg=1.0`).
    pub(crate) fn suffix(&self, start: usize) -> Word {
        let start = start.min(self.value.len());
        let at = u32::try_from(start).unwrap_or(u32::MAX);
        let map = self.map.suffix(at);
        let value = self.value.get(start..).unwrap_or("").to_string();
        let end = self.span.end;
        // When the prefix is written plainly (`NAME=`, `--opt=`), the suffix starts right after
        // it, quotes included; otherwise where its first character came from.
        let plain = start > 0 && self.raw.get(..start) == self.value.get(..start);
        let (span_start, raw_cut) = if plain {
            (self.map.end(at).min(end), start)
        } else {
            let s = self.map.start(at).min(end);
            (s, (s.saturating_sub(self.span.start)) as usize)
        };
        let raw = self.raw.get(raw_cut..).unwrap_or(&self.raw).to_string();
        Word {
            text: self.text.as_ref().map(|_| value.clone()),
            has_expansion: self.has_expansion,
            has_substitution: self.has_substitution,
            quoted: self.quoted,
            glob: self.glob,
            value,
            raw,
            span: Span::new(span_start, end),
            map,
        }
    }
}

/// `&&`, `||` between pipelines of an and-or list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// `&&`.
    And,
    /// `||`.
    Or,
}

/// A redirection operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectOp {
    /// `<`
    In,
    /// `>`
    Out,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    ReadWrite,
    /// `<&`
    DupIn,
    /// `>&`
    DupOut,
    /// `&>` (bash: stdout and stderr)
    OutErr,
    /// `&>>`
    AppendOutErr,
    /// `<<` (`strip_tabs` for `<<-`)
    HereDoc {
        /// `<<-`: leading tabs are removed from the body.
        strip_tabs: bool,
    },
    /// `<<<`
    HereString,
}

/// A redirection: `2>/dev/null`, `> file`, `<<EOF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2` of `2>&1`).
    pub fd: Option<u32>,
    /// The operator.
    pub op: RedirectOp,
    /// The target word (for a heredoc: its delimiter as written).
    pub target: Word,
    /// The body of a heredoc, when it was found.
    pub heredoc: Option<HeredocBody>,
    /// The whole redirection.
    pub span: Span,
}

/// The body of a heredoc redirection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeredocBody {
    /// The body as written, up to (not including) the delimiter line.
    pub text: String,
    /// Where the body is.
    pub span: Span,
    /// Whether the body is expanded (the delimiter was not quoted).
    pub expand: bool,
}

/// Where a command sits in a multi-command pipeline (`a | b | c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipePosition {
    /// Index into [`Script::pipelines`].
    pub pipeline: usize,
    /// Which stage the command is in (0-based).
    pub stage: usize,
    /// How many stages the pipeline has (at least 2).
    pub stages: usize,
}

/// The context a simple command runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context {
    /// The innermost pipeline of two or more stages the command is part of.
    pub pipe: Option<PipePosition>,
    /// Whether `set -o pipefail` (or a `SHELL` with it) is active for the command's pipeline.
    pub pipefail: bool,
    /// Whether `set -e` (errexit) is active when the command runs.
    pub errexit: bool,
    /// Whether the command is inside a pipeline negated with `!`.
    pub negated: bool,
    /// Subshell depth: `( ... )` and command substitutions.
    pub subshell: u32,
    /// Command substitution depth: `$(...)`, backticks, `<(...)`.
    pub substitution: u32,
    /// Whether the command is in the condition of `if`/`elif`/`while`/`until`.
    pub condition: bool,
    /// Whether the command is inside a `for`/`while`/`until`/`select` loop.
    pub in_loop: bool,
    /// Whether the command is inside a `case` item.
    pub in_case: bool,
    /// Whether the command is inside a function body.
    pub in_function: bool,
    /// Whether the command runs in the background (`&`).
    pub background: bool,
    /// The connector before the innermost and-or element enclosing the command (`b` and `c` in
    /// `a || { b; c; }` run only when `a` failed).
    pub after: Option<Connector>,
    /// The connector after the and-or element enclosing the command (`a` in `a || true`):
    /// `Or` means the command's failure is tolerated.
    pub before: Option<Connector>,
    /// How many shells deep the command is: 0 for the script itself, 1 inside `sh -c '...'`,
    /// `eval "..."` or a heredoc fed to a shell, and so on.
    pub nested: u32,
}

/// A simple command: assignments, a name, arguments and redirections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The command name as written (the wrapper for `sudo apt-get ...`; see
    /// [`SimpleCommand::command`] for the command that really runs).
    pub name: Word,
    /// The arguments after the name.
    pub args: Vec<Word>,
    /// `NAME=value` before the name.
    pub assignments: Vec<Assignment>,
    /// Redirections, in order.
    pub redirects: Vec<Redirect>,
    /// From the first assignment, name or redirection to the last word or redirection.
    pub span: Span,
    /// Where and how the command runs.
    pub context: Context,
    /// Index into [`Script::pipelines`] of the pipeline the command is a stage of.
    pub pipeline: usize,
    /// Wrappers run before the real command (`sudo`, `env`, `xargs`...), outermost first.
    pub wrappers: Vec<Wrapper>,
    /// Index (0 = name, i = `args[i - 1]`) of the word naming the command that really runs.
    pub(crate) effective: usize,
}

/// A wrapper command unwrapped by [`SimpleCommand::command`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// The wrapper's name (basename): `sudo`, `env`, `timeout`, `python -m` is `python`.
    pub name: String,
    /// Index of the wrapper's word (0 = name, i = `args[i - 1]`).
    pub word: usize,
}

/// `NAME=value` (or `NAME+=value`) before a command or alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// The value (empty for `NAME=`).
    pub value: Word,
    /// `NAME+=value`.
    pub append: bool,
    /// The whole assignment.
    pub span: Span,
}

/// A command without a name: only assignments and/or redirections (`A=1`, `> file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BareCommand {
    /// The assignments.
    pub assignments: Vec<Assignment>,
    /// The redirections.
    pub redirects: Vec<Redirect>,
    /// The whole command.
    pub span: Span,
    /// Where it runs.
    pub context: Context,
}

/// A pipeline: one or more commands joined by `|` or `|&`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// From the first to the last stage (including a leading `!`).
    pub span: Span,
    /// The span of each stage.
    pub stages: Vec<Span>,
    /// `! pipeline`.
    pub negated: bool,
    /// Whether pipefail is active when the pipeline runs.
    pub pipefail: bool,
    /// The connector before the pipeline in its and-or list.
    pub preceded_by: Option<Connector>,
    /// The connector after the pipeline in its and-or list.
    pub followed_by: Option<Connector>,
    /// How many shells deep the pipeline is (see [`Context::nested`]).
    pub nested: u32,
}

/// The kind of a compound command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompoundKind {
    /// `( list )`
    Subshell,
    /// `{ list; }`
    Group,
    /// `if ...; then ...; fi`
    If,
    /// `for name in words; do ...; done` (and `select`)
    For {
        /// The loop variable.
        var: String,
        /// The words after `in` (`None` without `in`: the positional parameters).
        words: Option<Vec<Word>>,
    },
    /// `for ((init; cond; step))`
    ArithFor,
    /// `while ...; do ...; done`
    While,
    /// `until ...; do ...; done`
    Until,
    /// `case word in ... esac`
    Case {
        /// The word matched.
        word: Word,
    },
    /// `(( expression ))`
    Arith,
    /// `name() { ... }` or `function name { ... }`
    Function {
        /// The function's name.
        name: String,
    },
}

/// A compound command (its inner commands are in [`Script::commands`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compound {
    /// What it is.
    pub kind: CompoundKind,
    /// From the opening keyword to the closing one (redirections not included).
    pub span: Span,
    /// Redirections after the closing keyword (`done < file`).
    pub redirects: Vec<Redirect>,
    /// Where it runs.
    pub context: Context,
}

/// A syntax error. The parser resumes after each one, so the rest of the script is still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// The language a script or heredoc body is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interpreter {
    /// A POSIX shell: `sh`, `bash`, `ash`, `dash`, `zsh`, `ksh`, `mksh`, `busybox sh`.
    Shell(String),
    /// Anything else, by normalised name: `python`, `node`, `perl`, `ruby`, `pwsh`, `cmd`.
    Other(String),
}

impl Interpreter {
    /// Whether the text is shell that was parsed.
    pub fn is_shell(&self) -> bool {
        matches!(self, Interpreter::Shell(_))
    }

    /// The interpreter's normalised name.
    pub fn name(&self) -> &str {
        match self {
            Interpreter::Shell(name) | Interpreter::Other(name) => name,
        }
    }
}

/// A Dockerfile heredoc of a `RUN` and what it turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeredocScript {
    /// The delimiter (`EOF`).
    pub name: String,
    /// The language of the body: from the command it feeds (`python3 <<EOF`), from its shebang,
    /// or the `SHELL` when it is the whole command (`RUN <<EOF`). A body used as data without a
    /// shebang (`cat <<EOF > file`) is `Other("data")`.
    pub interpreter: Interpreter,
    /// Whether the body is run as a script (`RUN <<EOF`, `bash <<EOF`, `python3 <<EOF`)
    /// rather than used as data (`cat <<EOF > file`).
    pub executed: bool,
    /// Whether the body was parsed as shell (its commands are in [`Script::commands`] with a
    /// [`Context::nested`] depth one more than the `RUN`'s).
    pub parsed: bool,
    /// The body's span.
    pub span: Span,
}

/// A parsed script: every simple command (also those inside compound commands, command
/// substitutions and nested `sh -c` strings) in source order, with the pipelines and compound
/// commands they belong to and the syntax errors found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// Every simple command with a name, ordered by start offset (an enclosing command before
    /// those nested in its words).
    pub commands: Vec<SimpleCommand>,
    /// Commands of only assignments or redirections.
    pub bare: Vec<BareCommand>,
    /// Every pipeline (also single commands), in source order.
    pub pipelines: Vec<Pipeline>,
    /// Every compound command, in source order.
    pub compounds: Vec<Compound>,
    /// Syntax errors; the commands outside the broken parts are still in `commands`.
    pub errors: Vec<ParseError>,
    /// The Dockerfile heredocs of a `RUN` and whether they were parsed.
    pub heredocs: Vec<HeredocScript>,
    /// The language the script itself is in. When the `SHELL` in effect is not a POSIX shell
    /// (`pwsh`, `cmd`), nothing is parsed and `commands` is empty.
    pub interpreter: Option<Interpreter>,
}

impl Script {
    /// Whether the script parsed without syntax errors.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The commands that are (after unwrapping wrappers) `name`.
    pub fn find<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s SimpleCommand> + 's {
        self.commands.iter().filter(move |c| c.is(name))
    }

    /// The pipeline a command is a stage of.
    pub fn pipeline_of(&self, command: &SimpleCommand) -> Option<&Pipeline> {
        self.pipelines.get(command.pipeline)
    }

    /// The commands of stage `stage` of pipeline `pipeline` (nested ones included).
    pub fn stage_commands(&self, pipeline: usize, stage: usize) -> impl Iterator<Item = &SimpleCommand> {
        self.commands
            .iter()
            .filter(move |c| c.context.pipe.is_some_and(|p| p.pipeline == pipeline && p.stage == stage))
    }
}
