//! Lowering a parsed Dockerfile to the security model's [`ImageSpec`]: one [`Stage`] per `FROM`,
//! variables resolved where BuildKit would resolve them and their values are known.
//!
//! Scoping follows BuildKit: `ARG`s before the first `FROM` are global and usable in `FROM`
//! lines; inside a stage a global `ARG` must be declared again to be visible; `ENV` overrides an
//! `ARG` of the same name and is inherited by stages built `FROM` this one; build arguments
//! override `ARG` defaults. Anything shipshape cannot know (a base image's environment, an `ARG`
//! without default or build argument) leaves [`Value::resolved`] empty.
//!
//! Stages built `FROM` an earlier stage inherit its image configuration: `user`, `workdir`,
//! `shell`, `entrypoint`, `cmd`, `healthcheck` and `stop_signal` (with the origins of the
//! instructions that set them) and its environment for variable resolution. List fields (`env`,
//! `labels`, `exposed`, `volumes`, ...) hold only what the stage itself declares.

use crate::ast::{
    self, Args, CommandArgs, Diagnostic, DiagnosticKind, Dockerfile, Instruction, Keyword, Word,
};
use crate::expand::expand_word;
use crate::heredoc::parse_marker;
use crate::validate::csv_fields;
use shipshape_model::{
    ArgDecl, BaseImage, Command, CommandForm, EnvVar, ExposedPort, FileCopy, FileCopyKind, Healthcheck,
    Heredoc, ImageRef, ImageSpec, Label, Origin, Run, RunMount, Span, Spanned, Stage, Value,
};
use std::collections::HashMap;
use std::sync::Arc;

/// An [`ImageSpec`] and the problems found while building it (unparsable image references,
/// failed variable expansions, references to stages that do not exist).
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The lowered image.
    pub spec: ImageSpec,
    /// Problems found while lowering, in instruction order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Lowers `df` (read from `path`) to an [`ImageSpec`]. `build_args` are `--build-arg` values.
pub fn lower(df: &Dockerfile, path: Arc<str>, build_args: &[(String, String)]) -> ImageSpec {
    lower_with_diagnostics(df, path, build_args).spec
}

/// [`lower`], also returning the lowering diagnostics.
pub fn lower_with_diagnostics(df: &Dockerfile, path: Arc<str>, build_args: &[(String, String)]) -> Lowered {
    let mut lowerer = Lowerer {
        path: path.clone(),
        source: &df.source,
        escape: df.escape,
        build_args,
        global: HashMap::new(),
        stages: Vec::new(),
        contexts: Vec::new(),
        stage_names: HashMap::new(),
        global_args: Vec::new(),
        diagnostics: Vec::new(),
    };
    for instruction in &df.instructions {
        lowerer.instruction(instruction);
    }
    let target = lowerer.stages.len().checked_sub(1);
    Lowered {
        spec: ImageSpec { path, global_args: lowerer.global_args, stages: lowerer.stages, target },
        diagnostics: lowerer.diagnostics,
    }
}

/// Variables in scope: `None` values are declared but unknown.
type Scope = HashMap<String, Option<String>>;

/// What a stage passes on besides its [`Stage`] fields.
#[derive(Default, Clone)]
struct StageContext {
    /// Lower-cased stage name.
    name: Option<String>,
    env: Scope,
    args: Scope,
    /// The `SHELL` in effect.
    shell: Option<Vec<String>>,
    /// The working directory, when known.
    workdir: Option<String>,
    /// Whether `CMD` was set in this stage (an `ENTRYPOINT` clears an inherited one).
    cmd_set: bool,
}

impl StageContext {
    fn lookup(&self, name: &str) -> Option<String> {
        match self.env.get(name) {
            Some(value) => value.clone(),
            None => self.args.get(name).cloned().flatten(),
        }
    }
}

struct Lowerer<'a> {
    path: Arc<str>,
    /// The Dockerfile's text.
    source: &'a str,
    escape: char,
    build_args: &'a [(String, String)],
    /// Global `ARG`s with their effective values.
    global: Scope,
    stages: Vec<Stage>,
    contexts: Vec<StageContext>,
    /// Lower-cased stage names and the first stage of each name.
    stage_names: HashMap<String, usize>,
    global_args: Vec<ArgDecl>,
    diagnostics: Vec<Diagnostic>,
}

impl Lowerer<'_> {
    fn origin(&self, span: Span) -> Origin {
        Origin::new(self.path.clone(), span)
    }

    fn build_arg(&self, name: &str) -> Option<String> {
        self.build_args.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// A value expanded in the current stage's scope.
    fn stage_value(&mut self, word: &Word) -> Value {
        let Self { path, escape, diagnostics, contexts, .. } = self;
        let context = contexts.last();
        expand_value(path, *escape, diagnostics, word, &|name| context.and_then(|c| c.lookup(name)))
    }

    /// A value expanded with the global `ARG`s (for `FROM` lines).
    fn global_value(&mut self, word: &Word) -> Value {
        let Self { path, escape, diagnostics, global, .. } = self;
        expand_value(path, *escape, diagnostics, word, &|name| global.get(name).cloned().flatten())
    }

    fn literal(&self, text: &str, span: Span) -> Value {
        Value::literal(text, self.origin(span))
    }

    fn instruction(&mut self, instruction: &Instruction) {
        if instruction.keyword == Keyword::From {
            self.from(instruction);
            return;
        }
        if self.stages.is_empty() {
            if let Args::ArgDecls(decls) = &instruction.args {
                for decl in decls {
                    let default = decl.default.as_ref().map(|d| self.global_value(d));
                    let arg = self.arg_decl(decl, instruction, default);
                    let effective = self.effective_arg(&arg, None);
                    self.global.insert(arg.name.clone(), effective);
                    self.global_args.push(arg);
                }
            }
            return;
        }
        match &instruction.keyword {
            Keyword::Arg => self.stage_args(instruction),
            Keyword::Env => self.env(instruction),
            Keyword::Label => self.labels(instruction),
            Keyword::Expose => self.expose(instruction),
            Keyword::User => {
                if let Args::Text(word) = &instruction.args {
                    let user = self.stage_value(word);
                    self.with_stage(|stage, _| stage.user = Some(user));
                }
            }
            Keyword::Workdir => self.workdir(instruction),
            Keyword::Volume => {
                if let Args::Paths(paths) = &instruction.args {
                    let volumes: Vec<Value> = paths.paths.iter().map(|p| self.stage_value(p)).collect();
                    self.with_stage(|stage, _| stage.volumes.extend(volumes));
                }
            }
            Keyword::Stopsignal => {
                if let Args::Text(word) = &instruction.args {
                    let signal = self.stage_value(word);
                    self.with_stage(|stage, _| stage.stop_signal = Some(signal));
                }
            }
            Keyword::Healthcheck => self.healthcheck(instruction),
            Keyword::Cmd => {
                if let Some(command) = self.command(instruction) {
                    self.with_stage(|stage, context| {
                        stage.cmd = Some(command);
                        context.cmd_set = true;
                    });
                }
            }
            Keyword::Entrypoint => {
                if let Some(command) = self.command(instruction) {
                    self.with_stage(|stage, context| {
                        stage.entrypoint = Some(command);
                        if !context.cmd_set {
                            stage.cmd = None;
                        }
                    });
                }
            }
            Keyword::Shell => {
                if let Some(command) = self.command(instruction)
                    && let CommandForm::Exec(words) = &command.form
                {
                    let words = words.clone();
                    self.with_stage(|stage, context| {
                        stage.shell = Some(command);
                        context.shell = Some(words);
                    });
                }
            }
            Keyword::Run => self.run(instruction),
            Keyword::Add | Keyword::Copy => self.file_copy(instruction),
            Keyword::Onbuild => {
                let origin = self.origin(instruction.span);
                self.with_stage(|stage, _| stage.onbuild.push(origin));
            }
            Keyword::From | Keyword::Maintainer | Keyword::Unknown(_) => {}
        }
    }

    fn with_stage(&mut self, change: impl FnOnce(&mut Stage, &mut StageContext)) {
        if let (Some(stage), Some(context)) = (self.stages.last_mut(), self.contexts.last_mut()) {
            change(stage, context);
        }
    }

    fn arg_decl(&self, decl: &ast::ArgWord, instruction: &Instruction, default: Option<Value>) -> ArgDecl {
        ArgDecl {
            name: decl.name.text.clone(),
            default,
            origin: self.origin(instruction_span(instruction, decl)),
        }
    }

    /// The value an `ARG` takes: a build argument, else its default, else `inherited` (a global
    /// `ARG` of the same name).
    fn effective_arg(&self, arg: &ArgDecl, inherited: Option<Option<String>>) -> Option<String> {
        if let Some(value) = self.build_arg(&arg.name) {
            return Some(value);
        }
        match &arg.default {
            Some(default) => default.resolved.clone(),
            None => inherited.flatten(),
        }
    }

    fn stage_args(&mut self, instruction: &Instruction) {
        let Args::ArgDecls(decls) = &instruction.args else { return };
        for decl in decls {
            let default = decl.default.as_ref().map(|d| self.stage_value(d));
            let arg = self.arg_decl(decl, instruction, default);
            let inherited = self.global.get(&arg.name).cloned();
            let effective = self.effective_arg(&arg, inherited);
            let name = arg.name.clone();
            self.with_stage(|stage, context| {
                context.args.insert(name, effective);
                stage.args.push(arg);
            });
        }
    }

    fn from(&mut self, instruction: &Instruction) {
        let index = self.stages.len();
        let origin = self.origin(instruction.span);
        let (image, stage_name) = match &instruction.args {
            Args::From(from) => (from.image().cloned(), from.stage_name().cloned()),
            _ => (None, None),
        };
        let image = image.unwrap_or_else(|| Word::new("", Span::empty_at(instruction.args_span.start)));
        let value = self.global_value(&image);
        let mut context =
            StageContext { name: stage_name.as_ref().map(|n| n.text.to_lowercase()), ..Default::default() };
        let mut stage = Stage::new(index, origin, BaseImage::Unresolved { value: value.clone() });
        stage.name = stage_name.as_ref().map(|n| self.literal(&n.text, n.span));
        stage.platform = instruction.flag("platform").map(|flag| self.global_value(&flag_word(flag)));
        stage.base = match value.resolved.clone() {
            None => BaseImage::Unresolved { value },
            Some(name) => {
                let parent = self.stage_names.get(&name.to_lowercase()).copied();
                if let Some(parent) = parent {
                    if let (Some(parent_stage), Some(parent_context)) =
                        (self.stages.get(parent), self.contexts.get(parent))
                    {
                        stage.user = parent_stage.user.clone();
                        stage.healthcheck = parent_stage.healthcheck.clone();
                        stage.entrypoint = parent_stage.entrypoint.clone();
                        stage.cmd = parent_stage.cmd.clone();
                        stage.shell = parent_stage.shell.clone();
                        stage.workdir = parent_stage.workdir.clone();
                        stage.stop_signal = parent_stage.stop_signal.clone();
                        context.env = parent_context.env.clone();
                        context.shell = parent_context.shell.clone();
                        context.workdir = parent_context.workdir.clone();
                    }
                    stage.depends_on.push(parent);
                    BaseImage::Stage { index: parent, value }
                } else if name == "scratch" {
                    BaseImage::Scratch { value }
                } else if let Some(reference) = ImageRef::parse(&name) {
                    BaseImage::Image { reference, value }
                } else {
                    let message = if name.trim().is_empty() {
                        "base image name is empty".to_string()
                    } else {
                        format!("invalid image reference {}", crate::dump::go_quote(&name))
                    };
                    self.diagnostics.push(Diagnostic::error(
                        DiagnosticKind::InvalidReference,
                        message,
                        value.origin.span,
                    ));
                    BaseImage::Unresolved { value }
                }
            }
        };
        if let (Some(name), Some(word)) = (&context.name, &stage_name) {
            if self.stage_names.contains_key(name) {
                self.diagnostics.push(Diagnostic::error(
                    DiagnosticKind::InvalidReference,
                    format!("duplicate stage name {}", crate::dump::go_quote(name)),
                    word.span,
                ));
            } else {
                self.stage_names.insert(name.clone(), index);
            }
        }
        self.stages.push(stage);
        self.contexts.push(context);
    }

    fn env(&mut self, instruction: &Instruction) {
        let Args::KeyValues(pairs) = &instruction.args else { return };
        // Every pair is expanded with the environment from before the instruction, as BuildKit does.
        let mut vars = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let key = self.stage_value(&pair.key);
            let value = self.stage_value(&pair.value);
            let name = key.resolved.unwrap_or(key.raw);
            vars.push(EnvVar { name, value, origin: self.origin(pair.span) });
        }
        self.with_stage(|stage, context| {
            for var in vars {
                context.env.insert(var.name.clone(), var.value.resolved.clone());
                stage.env.push(var);
            }
        });
    }

    fn labels(&mut self, instruction: &Instruction) {
        let Args::KeyValues(pairs) = &instruction.args else { return };
        let mut labels = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let key = self.stage_value(&pair.key);
            let value = self.stage_value(&pair.value);
            labels.push(Label {
                key: key.resolved.unwrap_or(key.raw),
                value,
                origin: self.origin(pair.span),
            });
        }
        self.with_stage(|stage, _| stage.labels.extend(labels));
    }

    fn expose(&mut self, instruction: &Instruction) {
        let Args::Words(words) = &instruction.args else { return };
        let mut ports = Vec::with_capacity(words.len());
        for word in words {
            let value = self.stage_value(word);
            let spec = value.resolved.clone();
            let (port, port_end, protocol) = match spec.as_deref() {
                Some(text) => shipshape_model::ExposedPort::parse_spec(text),
                None => {
                    let protocol = word
                        .text
                        .rsplit_once('/')
                        .filter(|(_, p)| !p.contains('$') && !p.is_empty())
                        .map_or_else(|| "tcp".to_string(), |(_, p)| p.to_ascii_lowercase());
                    (None, None, protocol)
                }
            };
            ports.push(ExposedPort { value, port, port_end, protocol });
        }
        self.with_stage(|stage, _| stage.exposed.extend(ports));
    }

    fn workdir(&mut self, instruction: &Instruction) {
        let Args::Text(word) = &instruction.args else { return };
        let mut value = self.stage_value(word);
        let previous = self.contexts.last().and_then(|c| c.workdir.clone());
        value.resolved = value.resolved.and_then(|path| {
            if path.starts_with('/') {
                Some(path)
            } else {
                previous.map(|base| format!("{}/{path}", base.trim_end_matches('/')))
            }
        });
        let resolved = value.resolved.clone();
        self.with_stage(|stage, context| {
            context.workdir = resolved;
            stage.workdir = Some(value);
        });
    }

    fn healthcheck(&mut self, instruction: &Instruction) {
        let Args::Healthcheck(health) = &instruction.args else { return };
        let origin = self.origin(instruction.span);
        let check = if health.is_none() {
            Healthcheck::Disabled { origin }
        } else if health.kind.text.eq_ignore_ascii_case("cmd")
            && let Some(command) = &health.command
        {
            let options = instruction
                .flags
                .iter()
                .map(|flag| {
                    let value = flag.value.clone().unwrap_or_default();
                    (flag.name.clone(), self.literal(&value, flag.value_span.unwrap_or(flag.span)))
                })
                .collect();
            Healthcheck::Check { command: Command { form: command_form(command), origin }, options }
        } else {
            return;
        };
        self.with_stage(|stage, _| stage.healthcheck = Some(check));
    }

    fn command(&self, instruction: &Instruction) -> Option<Command> {
        let Args::Command(command) = &instruction.args else { return None };
        Some(Command { form: command_form(command), origin: self.origin(instruction.span) })
    }

    fn heredocs(&self, instruction: &Instruction) -> Vec<Heredoc> {
        instruction
            .heredocs
            .iter()
            .map(|h| Heredoc {
                name: h.name.clone(),
                body: h.text().into_owned(),
                content: h.content.clone(),
                expand: h.expand,
                origin: self.origin(h.content_span),
            })
            .collect()
    }

    /// The index of the stage `reference` names (a stage name or index), other than the current one.
    fn stage_reference(&mut self, reference: &str, span: Span) -> Option<usize> {
        let current = self.stages.len().checked_sub(1)?;
        if let Ok(index) = reference.parse::<usize>() {
            if index < current {
                return Some(index);
            }
            self.diagnostics.push(Diagnostic::error(
                DiagnosticKind::InvalidReference,
                format!("stage index {index} does not name an earlier stage"),
                span,
            ));
            return None;
        }
        self.stage_names.get(&reference.to_lowercase()).copied().filter(|&i| i != current)
    }

    fn depend_on(&mut self, index: usize) {
        self.with_stage(|stage, _| {
            if !stage.depends_on.contains(&index) {
                stage.depends_on.push(index);
            }
        });
    }

    fn run(&mut self, instruction: &Instruction) {
        let origin = self.origin(instruction.span);
        let form = match &instruction.args {
            Args::Command(command) => command_form(command),
            _ => CommandForm::Shell(String::new()),
        };
        let source = match &instruction.args {
            Args::Command(CommandArgs::Shell(word)) => {
                Some(Spanned::new(word.span.slice(self.source).to_string(), word.span))
            }
            _ => None,
        };
        let mut mounts = Vec::new();
        let mut dependencies = Vec::new();
        for flag in instruction.flags_named("mount") {
            let Some(text) = flag.value.as_deref() else { continue };
            let Ok(fields) = csv_fields(text) else { continue };
            let options: Vec<(String, String)> = fields
                .into_iter()
                .map(|field| match field.split_once('=') {
                    Some((key, value)) => (key.to_string(), value.to_string()),
                    None => (field, "true".to_string()),
                })
                .collect();
            let mount = RunMount {
                kind: options
                    .iter()
                    .rev()
                    .find(|(k, _)| k.eq_ignore_ascii_case("type"))
                    .map_or_else(|| "bind".to_string(), |(_, v)| v.to_ascii_lowercase()),
                options,
                origin: self.origin(flag.span),
            };
            if let Some(from) = mount.option("from")
                && let Some(index) = self.stage_reference(from, flag.value_span.unwrap_or(flag.span))
            {
                dependencies.push(index);
            }
            mounts.push(mount);
        }
        for index in dependencies {
            self.depend_on(index);
        }
        let flag_value = |name: &str| {
            instruction.flag(name).and_then(|f| {
                f.value
                    .as_deref()
                    .map(|v| Value::literal(v, Origin::new(self.path.clone(), flag_word(f).span)))
            })
        };
        let run = Run {
            command: Command { form, origin: origin.clone() },
            source,
            escape: self.escape,
            heredocs: self.heredocs(instruction),
            mounts,
            network: flag_value("network"),
            security: flag_value("security"),
            shell: self.contexts.last().and_then(|c| c.shell.clone()),
            origin,
        };
        self.with_stage(|stage, _| stage.runs.push(run));
    }

    fn file_copy(&mut self, instruction: &Instruction) {
        let Args::Paths(paths) = &instruction.args else { return };
        let Some(destination) = paths.destination() else { return };
        if paths.paths.len() < 2 {
            return;
        }
        let mut sources = Vec::new();
        let mut heredocs = Vec::new();
        let bodies = self.heredocs(instruction);
        for source in paths.sources() {
            match parse_marker(&source.text) {
                Ok(Some(marker)) if !paths.json || !instruction.heredocs.is_empty() => {
                    if let Some(body) = bodies.iter().rev().find(|h| h.name == marker.name) {
                        heredocs.push(body.clone());
                    }
                }
                _ => sources.push(self.stage_value(source)),
            }
        }
        let destination = self.stage_value(destination);
        let mut from = None;
        let mut chown = None;
        let mut chmod = None;
        let mut checksum = None;
        let mut flags = Vec::new();
        for flag in &instruction.flags {
            let slot = match flag.name.as_str() {
                "from" => &mut from,
                "chown" => &mut chown,
                "chmod" => &mut chmod,
                "checksum" => &mut checksum,
                _ => {
                    flags.push((flag.name.clone(), flag.value.clone()));
                    continue;
                }
            };
            let word = flag_word(flag);
            *slot = Some(self.stage_value(&word));
        }
        if let Some(from) = &from
            && let Some(reference) = from.resolved.clone()
            && let Some(index) = self.stage_reference(&reference, from.origin.span)
        {
            self.depend_on(index);
        }
        let kind = if instruction.keyword == Keyword::Add { FileCopyKind::Add } else { FileCopyKind::Copy };
        let copy = FileCopy {
            kind,
            sources,
            destination,
            heredocs,
            from,
            chown,
            chmod,
            checksum,
            flags,
            origin: self.origin(instruction.span),
        };
        self.with_stage(|stage, _| stage.files.push(copy));
    }
}

/// A value with variables expanded through `lookup`; an expansion that fails whatever the
/// variables' values (bad syntax) is a diagnostic.
fn expand_value(
    path: &Arc<str>,
    escape: char,
    diagnostics: &mut Vec<Diagnostic>,
    word: &Word,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Value {
    let resolved = match expand_word(&word.text, lookup, escape) {
        Ok(expanded) if expanded.unset.is_empty() => Some(expanded.value),
        Ok(_) => None,
        // `${v?message}` fails only because `v` is unknown here; it may be set at build time.
        Err(_) if expand_word(&word.text, &|_| Some("set".to_string()), escape).is_ok() => None,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                DiagnosticKind::Expansion,
                format!("cannot expand {}: {}", crate::dump::go_quote(&word.text), error.message),
                word.span,
            ));
            None
        }
    };
    Value { raw: word.text.clone(), resolved, origin: Origin::new(path.clone(), word.span) }
}

/// The span of one `ARG` declaration, or the whole instruction when it declares one name.
fn instruction_span(instruction: &Instruction, decl: &ast::ArgWord) -> Span {
    match &instruction.args {
        Args::ArgDecls(decls) if decls.len() == 1 => instruction.span,
        _ => decl.word.span,
    }
}

/// A flag's value as a word with the value's span.
fn flag_word(flag: &ast::Flag) -> Word {
    Word::new(flag.value.clone().unwrap_or_default(), flag.value_span.unwrap_or(flag.span))
}

fn command_form(command: &CommandArgs) -> CommandForm {
    match command {
        CommandArgs::Exec(words) => CommandForm::Exec(words.iter().map(|w| w.text.clone()).collect()),
        CommandArgs::Shell(word) => CommandForm::Shell(word.text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_keep_their_shell_source_and_heredoc_content() {
        let text = "# escape=`\nFROM alpine\nRUN --mount=type=cache,target=/root/.cache apk add `\n    curl\nRUN <<-EOF\n\techo hi\nEOF\nRUN [\"sh\", \"-c\", \"true\"]\n";
        let spec = lower(&crate::parse(text), Arc::from("Dockerfile"), &[]);
        let runs = &spec.stages[0].runs;
        let source = runs[0].source.as_ref().expect("shell form");
        assert_eq!(source.value, "apk add `\n    curl");
        assert_eq!(source.span.slice(text), source.value);
        assert_eq!(runs[0].escape, '`');
        let heredoc = &runs[1].heredocs[0];
        assert_eq!(heredoc.content, "\techo hi\n");
        assert_eq!(heredoc.body, "echo hi\n");
        assert_eq!(heredoc.origin.span.slice(text), heredoc.content);
        assert!(runs[2].source.is_none());
    }
}
