//! The syntax tree [`crate::parse`] produces: every instruction, flag, argument, heredoc, comment
//! and parser directive of a Dockerfile, each with the byte span it came from.
//!
//! Argument text is what BuildKit's parser hands to the builder: quotes and escapes are kept
//! where BuildKit keeps them (`ENV a="b c"` has the value `"b c"`, quotes included), JSON arrays
//! are decoded. Variables are not expanded here; [`crate::expand`] does that during lowering.

use shipshape_model::Span;
use std::borrow::Cow;

/// A parsed Dockerfile. Parsing never fails: problems are [`Diagnostic`]s and parsing resumes
/// with the next instruction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dockerfile {
    /// The text that was parsed (every span is an offset into it).
    pub source: std::sync::Arc<str>,
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`) from the top of the file.
    pub directives: Vec<Directive>,
    /// The escape character in effect: `\` unless `# escape=` chose the backtick.
    pub escape: char,
    /// Every instruction in file order. `ONBUILD` nests its trigger in [`Args::Onbuild`].
    pub instructions: Vec<Instruction>,
    /// Every comment line, including those inside line continuations, in file order. Parser
    /// directives are in [`Dockerfile::directives`] instead; `#` lines inside heredoc bodies are
    /// body text, not comments.
    pub comments: Vec<Comment>,
    /// Everything BuildKit would reject or warn about, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Dockerfile {
    /// Whether any diagnostic is an error (BuildKit would refuse to build the file).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// The value of a parser directive (`syntax`, `escape`, `check`), if present.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    /// The value, trimmed of surrounding whitespace.
    pub value: String,
    /// The whole directive line, from `#` to the end of the line.
    pub span: Span,
    /// The directive name as written.
    pub name_span: Span,
    /// The value, without surrounding whitespace.
    pub value_span: Span,
}

/// A comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The comment as written, from `#` to the end of the line (without the line terminator), so
    /// `text == span.slice(source)`.
    pub text: String,
    /// From `#` to the end of the line.
    pub span: Span,
}

impl Comment {
    /// The text after `#`, trimmed of surrounding whitespace.
    pub fn body(&self) -> &str {
        self.text.strip_prefix('#').unwrap_or(&self.text).trim()
    }
}

/// A word of an instruction with the span it was read from.
///
/// `text` is the word as BuildKit's parser sees it; for words that cross a line continuation the
/// span covers the continuation too, so `span.slice(source)` can differ from `text`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// The word as BuildKit's parser sees it.
    pub text: String,
    /// Where the word was read.
    pub span: Span,
}

impl Word {
    /// A word with its span.
    pub fn new(text: impl Into<String>, span: Span) -> Self {
        Self { text: text.into(), span }
    }
}

/// An instruction keyword. Keywords are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// `ADD`
    Add,
    /// `ARG`
    Arg,
    /// `CMD`
    Cmd,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `ENV`
    Env,
    /// `EXPOSE`
    Expose,
    /// `FROM`
    From,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `LABEL`
    Label,
    /// `MAINTAINER`
    Maintainer,
    /// `ONBUILD`
    Onbuild,
    /// `RUN`
    Run,
    /// `SHELL`
    Shell,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `USER`
    User,
    /// `VOLUME`
    Volume,
    /// `WORKDIR`
    Workdir,
    /// A keyword BuildKit does not know, as written.
    Unknown(String),
}

impl Keyword {
    /// Every known keyword, in alphabetical order.
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    /// The keyword for `text`, compared the way BuildKit does (Unicode lower-casing, so the
    /// Kelvin sign matches `k`).
    pub fn from_text(text: &str) -> Keyword {
        let known = if text.is_ascii() {
            Self::from_ascii(text)
        } else {
            let lowered = text.to_lowercase();
            if lowered.is_ascii() { Self::from_ascii(&lowered) } else { None }
        };
        known.unwrap_or_else(|| Keyword::Unknown(text.to_string()))
    }

    fn from_ascii(text: &str) -> Option<Keyword> {
        let mut buffer = [0u8; 11];
        let lower = buffer.get_mut(..text.len())?;
        lower.copy_from_slice(text.as_bytes());
        lower.make_ascii_lowercase();
        Some(match &*lower {
            b"add" => Keyword::Add,
            b"arg" => Keyword::Arg,
            b"cmd" => Keyword::Cmd,
            b"copy" => Keyword::Copy,
            b"entrypoint" => Keyword::Entrypoint,
            b"env" => Keyword::Env,
            b"expose" => Keyword::Expose,
            b"from" => Keyword::From,
            b"healthcheck" => Keyword::Healthcheck,
            b"label" => Keyword::Label,
            b"maintainer" => Keyword::Maintainer,
            b"onbuild" => Keyword::Onbuild,
            b"run" => Keyword::Run,
            b"shell" => Keyword::Shell,
            b"stopsignal" => Keyword::Stopsignal,
            b"user" => Keyword::User,
            b"volume" => Keyword::Volume,
            b"workdir" => Keyword::Workdir,
            _ => return None,
        })
    }

    /// The canonical upper-case spelling (`RUN`); an unknown keyword as written.
    pub fn as_str(&self) -> &str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown(text) => text,
        }
    }

    /// Whether BuildKit does not know the keyword.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Keyword::Unknown(_))
    }
}

impl std::fmt::Display for Keyword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One instruction, from its keyword to the end of its last continuation line or heredoc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The instruction keyword.
    pub keyword: Keyword,
    /// The keyword as written.
    pub keyword_span: Span,
    /// From the keyword to the end of the instruction: continuation lines and heredoc bodies
    /// (with their terminators) included, trailing whitespace excluded.
    pub span: Span,
    /// Builder flags (`--from=build`), in order.
    pub flags: Vec<Flag>,
    /// The arguments after the flags, typed by keyword.
    pub args: Args,
    /// The argument text after the flags (empty at the end of the instruction when there is none).
    pub args_span: Span,
    /// Heredoc bodies, in the order their markers appear. For `ONBUILD` these belong to the
    /// trigger instruction.
    pub heredocs: Vec<HeredocBody>,
    /// 1-based line of the keyword, as BuildKit's `StartLine`.
    pub start_line: u32,
    /// 1-based last line, as BuildKit's `EndLine`: skipped comment and empty lines inside a
    /// continuation and heredoc bodies count.
    pub end_line: u32,
}

impl Instruction {
    /// The first flag called `name` (without the leading `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Every flag called `name`, for repeatable flags such as `--mount`.
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// The trigger of an `ONBUILD`.
    pub fn onbuild_trigger(&self) -> Option<&Instruction> {
        match &self.args {
            Args::Onbuild(trigger) => Some(trigger),
            _ => None,
        }
    }
}

/// A builder flag such as `--mount=type=cache,target=/root/.cache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The name without the leading `--`.
    pub name: String,
    /// The text after the first `=`; `None` for a flag without `=` (`--link`).
    pub value: Option<String>,
    /// From `--` to the end of the flag.
    pub span: Span,
    /// The name, after `--`.
    pub name_span: Span,
    /// The value, after `=`.
    pub value_span: Option<Span>,
}

impl Flag {
    /// The flag as BuildKit's parser records it: `--name=value` with quotes removed.
    pub fn text(&self) -> String {
        match &self.value {
            Some(value) => format!("--{}={value}", self.name),
            None => format!("--{}", self.name),
        }
    }
}

/// The arguments of an instruction, typed by keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// No arguments.
    Empty,
    /// `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`.
    Command(CommandArgs),
    /// `ENV`, `LABEL`.
    KeyValues(Vec<KeyValue>),
    /// `ARG`: one declaration per word.
    ArgDecls(Vec<ArgWord>),
    /// `FROM`.
    From(FromArgs),
    /// `ADD`, `COPY`, `VOLUME`.
    Paths(PathList),
    /// `EXPOSE`: whitespace-separated words.
    Words(Vec<Word>),
    /// `MAINTAINER`, `USER`, `WORKDIR`, `STOPSIGNAL`: the rest of the line, as one value.
    Text(Word),
    /// `HEALTHCHECK`.
    Healthcheck(HealthcheckArgs),
    /// `ONBUILD` and the instruction it registers.
    Onbuild(Box<Instruction>),
    /// The argument text of an unknown instruction, as written.
    Raw(Word),
    /// Arguments BuildKit's parser rejects (a diagnostic says why), as written.
    Invalid(Word),
}

/// A command: JSON exec form or shell form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandArgs {
    /// `["executable", "arg"]`: each element decoded, each span covering its JSON string.
    Exec(Vec<Word>),
    /// Everything after the keyword and flags, continuation lines joined.
    Shell(Word),
}

impl CommandArgs {
    /// Whether the command is a JSON array (exec form).
    pub fn is_exec(&self) -> bool {
        matches!(self, CommandArgs::Exec(_))
    }
}

/// `key=value` (or the legacy `ENV key value`) of `ENV` and `LABEL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key as written (quotes kept).
    pub key: Word,
    /// The value as written: quotes and escapes are still in place.
    pub value: Word,
    /// The whole pair.
    pub span: Span,
    /// The legacy form `ENV key value with spaces`, without `=`.
    pub legacy: bool,
}

/// One declaration of an `ARG`: `name` or `name=default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgWord {
    /// The whole word as written.
    pub word: Word,
    /// The name (before `=`).
    pub name: Word,
    /// The default value as written (quotes kept), when the word has `=`.
    pub default: Option<Word>,
}

/// The words of a `FROM`: `image [AS name]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromArgs {
    /// Every word: the image, then `AS` and the name when present.
    pub words: Vec<Word>,
}

impl FromArgs {
    /// The image or stage the stage starts from.
    pub fn image(&self) -> Option<&Word> {
        self.words.first()
    }

    /// The stage name of `FROM image AS name`.
    pub fn stage_name(&self) -> Option<&Word> {
        match self.words.as_slice() {
            [_, as_word, name] if as_word.text.eq_ignore_ascii_case("as") => Some(name),
            _ => None,
        }
    }
}

/// The paths of `ADD`, `COPY` and `VOLUME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathList {
    /// Written as a JSON array.
    pub json: bool,
    /// The paths in order; for `ADD`/`COPY` the last is the destination.
    pub paths: Vec<Word>,
}

impl PathList {
    /// Every path but the last (`ADD`/`COPY` sources, heredoc markers included).
    pub fn sources(&self) -> &[Word] {
        self.paths.split_last().map_or(&[], |(_, rest)| rest)
    }

    /// The last path (`ADD`/`COPY` destination).
    pub fn destination(&self) -> Option<&Word> {
        self.paths.last()
    }
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [options] CMD command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthcheckArgs {
    /// `NONE`, `CMD` or whatever was written in their place.
    pub kind: Word,
    /// The command after `CMD`; `None` when nothing follows the kind.
    pub command: Option<CommandArgs>,
}

impl HealthcheckArgs {
    /// Whether this is `HEALTHCHECK NONE`.
    pub fn is_none(&self) -> bool {
        self.kind.text.eq_ignore_ascii_case("none")
    }
}

/// The body of a heredoc (`<<EOF` ... `EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeredocBody {
    /// The delimiter word with quotes removed (`EOF` for `<<"EOF"`).
    pub name: String,
    /// The marker in the instruction (`<<-"EOF"`, `3<<EOF`).
    pub marker_span: Span,
    /// The file descriptor written before `<<` (`3<<EOF`).
    pub fd: Option<u32>,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// Whether variables in the body expand: `false` when the delimiter is quoted.
    pub expand: bool,
    /// The body lines exactly as written, line terminators included (tabs not yet stripped).
    pub content: String,
    /// Where [`HeredocBody::content`] came from: `content == content_span.slice(source)`.
    pub content_span: Span,
    /// The terminator line; `None` when the file ended first.
    pub terminator_span: Option<Span>,
}

impl HeredocBody {
    /// The body as the builder uses it: with `<<-`, leading tabs removed from every line.
    pub fn text(&self) -> Cow<'_, str> {
        if !self.chomp || !self.content.contains('\t') {
            return Cow::Borrowed(&self.content);
        }
        let mut out = String::with_capacity(self.content.len());
        for line in self.content.split_inclusive('\n') {
            out.push_str(line.trim_start_matches('\t'));
        }
        Cow::Owned(out)
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// BuildKit refuses to build the file.
    Error,
    /// BuildKit builds the file but warns.
    Warning,
}

/// What kind of problem a diagnostic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// Text BuildKit's parser rejects: a JSON array with non-string elements, `ENV` without a
    /// value, a heredoc delimiter it cannot read.
    Syntax,
    /// A repeated parser directive or an invalid `# escape=` value.
    InvalidDirective,
    /// A keyword BuildKit does not know.
    UnknownInstruction,
    /// A flag the instruction does not accept.
    UnknownFlag,
    /// A known flag used wrongly: missing value, repeated, bad boolean, bad `--mount` option.
    InvalidFlag,
    /// Wrong number or shape of arguments (`USER a b`, `FROM a b`, `SHELL` not in JSON form).
    InvalidArguments,
    /// A heredoc whose terminator never comes.
    UnterminatedHeredoc,
    /// A file without any instruction.
    NoInstructions,
    /// A line longer than BuildKit's 65535-byte limit.
    LineTooLong,
    /// An instruction other than `ARG` before the first `FROM`.
    NoBuildStage,
    /// `ONBUILD ONBUILD`, `ONBUILD FROM` or `ONBUILD MAINTAINER`.
    InvalidOnbuildTrigger,
    /// An empty line inside a line continuation (a warning).
    EmptyContinuationLine,
    /// Lowering: an image or stage reference that cannot be used (`FROM Bad:Ref`,
    /// `COPY --from=7` with no stage 7).
    InvalidReference,
    /// Lowering: a variable expansion BuildKit would fail on (`${a?required}`, `${}`).
    Expansion,
}

/// A problem found while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem this is.
    pub kind: DiagnosticKind,
    /// Whether BuildKit fails or only warns.
    pub severity: Severity,
    /// What is wrong, in BuildKit's words where BuildKit has them.
    pub message: String,
    /// The text the problem is about.
    pub span: Span,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(kind: DiagnosticKind, message: impl Into<String>, span: Span) -> Self {
        Self { kind, severity: Severity::Error, message: message.into(), span }
    }

    /// A warning diagnostic.
    pub fn warning(kind: DiagnosticKind, message: impl Into<String>, span: Span) -> Self {
        Self { kind, severity: Severity::Warning, message: message.into(), span }
    }
}
