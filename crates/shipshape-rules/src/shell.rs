//! The shell of a `RUN`, parsed once for every rule that reads commands.
//!
//! A shell-form `RUN` read from a Dockerfile carries its source text and span
//! ([`Run::source`]), so its commands, words and options have file offsets and a finding
//! points at the exact argument, on its own line inside a multi-line `RUN`. An exec-form `RUN`
//! that runs a shell (`["sh", "-c", "..."]`) has its script parsed too, and any other exec
//! form is read as the command it names; their findings point at the instruction, since the
//! model keeps no spans inside JSON strings. Runs from an image's history have no source text
//! and are read the same way.

use shipshape_model::{Applicability, CommandForm, Edit, Fix, ImageSpec, Origin, Run, Span, Stage};
use shipshape_shell::{
    CmdOption, HeredocInput, RunInput, Script, ScriptOptions, SimpleCommand, Word, parse_run,
};

/// A `RUN` with its parsed shell.
pub(crate) struct RunScript<'a> {
    pub(crate) run: &'a Run,
    /// The stage the run is in, when known.
    pub(crate) stage: Option<&'a Stage>,
    /// Whether that stage is the one that ships.
    pub(crate) is_final: bool,
    pub(crate) script: Script,
    /// Whether the script's spans are offsets into the run's file.
    exact: bool,
}

impl<'a> RunScript<'a> {
    /// Parses `run`'s shell.
    pub(crate) fn new(run: &'a Run) -> Self {
        let (script, exact) = parse(run);
        RunScript { run, stage: None, is_final: false, script, exact }
    }

    /// Parses `run`, a run of `stage` of `spec`.
    pub(crate) fn in_stage(spec: &ImageSpec, stage: &'a Stage, run: &'a Run) -> Self {
        RunScript { stage: Some(stage), is_final: spec.is_final(stage), ..RunScript::new(run) }
    }

    /// The value the stage's last `ENV` gives `name`, if any.
    pub(crate) fn stage_env(&self, name: &str) -> Option<&str> {
        let stage = self.stage?;
        stage.env.iter().rev().find(|v| v.name == name).map(|v| v.value.get().unwrap_or(&v.value.raw))
    }

    /// Where a finding at `span` of the script points: the span in the file, or the whole
    /// instruction when the script has no file offsets.
    pub(crate) fn origin(&self, span: Span) -> Origin {
        if self.exact && span.end >= span.start && self.run.origin.span.start <= span.start {
            Origin::new(self.run.origin.path.clone(), span)
        } else {
            self.run.origin.clone()
        }
    }

    /// `span` when it is an offset range in the run's file (for fixes), `None` when the script
    /// has no file offsets (exec form, image history).
    pub(crate) fn file_span(&self, span: Span) -> Option<Span> {
        (self.exact && span.end >= span.start && self.run.origin.span.start <= span.start).then_some(span)
    }

    /// Whether the `RUN` has a cache mount (`--mount=type=cache`) whose target is `path` or
    /// under it (or `path` is under the target).
    pub(crate) fn has_cache_mount(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        self.run.mounts.iter().any(|m| {
            m.kind == "cache"
                && m.target().is_some_and(|t| {
                    let t = t.trim_end_matches('/');
                    t == path || t.starts_with(&format!("{path}/")) || path.starts_with(&format!("{t}/"))
                })
        })
    }

    /// The file's text at `span`, when the script has file offsets and `span` lies in the run's
    /// command text or one of its heredoc bodies.
    pub(crate) fn file_text(&self, span: Span) -> Option<&str> {
        if !self.exact {
            return None;
        }
        let within = |text: &'a str, start: u32| {
            let from = span.start.checked_sub(start)? as usize;
            let to = span.end.checked_sub(start)? as usize;
            text.get(from..to)
        };
        let source = self.run.source.as_ref()?;
        within(&source.value, source.span.start)
            .or_else(|| self.run.heredocs.iter().find_map(|h| within(&h.content, h.origin.span.start)))
    }

    /// Whether `word` is in the file exactly where the script says (so an edit at its span
    /// changes that word and nothing else). False for runs without file offsets.
    pub(crate) fn is_in_file(&self, word: &Word) -> bool {
        self.file_text(word.span) == Some(word.raw.as_str())
    }

    /// A fix inserting ` {option}` right after `word` (`apt-get install` → `apt-get install -y`),
    /// when the word is in the file where the script says.
    pub(crate) fn insert_after(
        &self,
        word: &Word,
        option: &str,
        applicability: Applicability,
    ) -> Option<Fix> {
        self.is_in_file(word)
            .then(|| Fix::new(applicability, vec![Edit::insert(word.span.end, format!(" {option}"))]))
    }

    /// The commands that are (after unwrapping `sudo`, `env`, ...) one of `names`.
    pub(crate) fn commands<'s>(
        &'s self,
        names: &'s [&'s str],
    ) -> impl Iterator<Item = &'s SimpleCommand> + 's {
        self.script.commands.iter().filter(move |c| c.is_any(names))
    }
}

/// The longest script parsed (command text and heredoc bodies together). Longer runs are
/// not read; shipshape reports them as over-long lines elsewhere.
const MAX_SCRIPT: usize = 1 << 20;

/// The parsed runs of every stage of a spec.
pub(crate) struct Scripts<'a> {
    stages: Vec<Vec<RunScript<'a>>>,
}

impl<'a> Scripts<'a> {
    /// Parses every run of `spec`, once.
    pub(crate) fn new(spec: &'a ImageSpec) -> Self {
        let stages = spec
            .stages
            .iter()
            .map(|stage| stage.runs.iter().map(|run| RunScript::in_stage(spec, stage, run)).collect())
            .collect();
        Scripts { stages }
    }

    /// The runs of `stage`.
    pub(crate) fn of(&self, stage: &Stage) -> &[RunScript<'a>] {
        self.stages.get(stage.index).map_or(&[], Vec::as_slice)
    }

    /// Every run, stage by stage.
    pub(crate) fn all(&self) -> impl Iterator<Item = &RunScript<'a>> {
        self.stages.iter().flatten()
    }
}

/// Parses a run: `(script, spans are file offsets)`.
fn parse(run: &Run) -> (Script, bool) {
    let size = match &run.command.form {
        CommandForm::Shell(text) => text.len(),
        CommandForm::Exec(words) => words.iter().map(String::len).sum(),
    } + run.heredocs.iter().map(|h| h.content.len()).sum::<usize>();
    if size > MAX_SCRIPT {
        return (Script::default(), false);
    }
    match (&run.command.form, &run.source) {
        (CommandForm::Shell(_), Some(source)) => {
            let heredocs = run
                .heredocs
                .iter()
                .map(|h| HeredocInput {
                    name: &h.name,
                    body: &h.content,
                    offset: h.origin.span.start as usize,
                    expand: h.expand,
                })
                .collect();
            let input = RunInput {
                source: &source.value,
                offset: source.span.start as usize,
                escape: Some(run.escape),
                shell: run.shell.as_deref(),
                heredocs,
            };
            (parse_run(&input), true)
        }
        (CommandForm::Shell(text), None) => {
            let input = RunInput { shell: run.shell.as_deref(), ..RunInput::new(text, 0) };
            (parse_run(&input), false)
        }
        (CommandForm::Exec(words), _) => (parse_exec(words), false),
    }
}

/// An exec-form command: the script of `sh -c '...'`, or the command itself.
fn parse_exec(words: &[String]) -> Script {
    let Some(program) = words.first() else { return Script::default() };
    let info = shipshape_shell::shell_info(Some(std::slice::from_ref(program)));
    if info.interpreter.is_shell() {
        // `["sh", "-c", "script"]`, `["bash", "-eo", "pipefail", "-c", "script"]`.
        let mut i = 1;
        while let Some(word) = words.get(i) {
            if word.starts_with('-') && word.len() > 1 && !word.starts_with("--") && word.contains('c') {
                let shell = words.get(..i).unwrap_or(&[]);
                let options = shipshape_shell::shell_info(Some(shell));
                let text = words.get(i + 1 + usize::from(word.contains('o'))).map_or("", String::as_str);
                let options =
                    ScriptOptions { offset: 0, pipefail: options.pipefail, errexit: options.errexit };
                return shipshape_shell::parse_script_with(text, &options);
            }
            if !word.starts_with(['-', '+']) {
                break;
            }
            i += 1;
        }
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("'{}'", w.replace('\'', r"'\''"))).collect();
    shipshape_shell::parse_script(&quoted.join(" "))
}

/// The span to report for an option: its whole word when the word is that option alone
/// (`-k`, `--insecure`, `--opt=value`), with the value's word when it is the next one
/// (`--trusted-host pypi.org`); the one character of a short option inside a cluster (`k` of
/// `-sSk`).
pub(crate) fn option_span(option: &CmdOption<'_>) -> Span {
    let word = option.word;
    let alone = word.value == option.name || word.value.starts_with(&format!("{}=", option.name));
    let span = if alone { word.span } else { option.span };
    match option.value_word {
        Some(value) if alone => span.cover(value.span),
        _ => span,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Arc;

    /// Lowers `text` and returns every run's script with its stage index.
    pub(crate) fn scripts(text: &str) -> (shipshape_model::ImageSpec, Vec<(usize, usize)>) {
        let spec =
            shipshape_dockerfile::lower(&shipshape_dockerfile::parse(text), Arc::from("Dockerfile"), &[]);
        let runs = spec.stages.iter().flat_map(|s| (0..s.runs.len()).map(move |r| (s.index, r))).collect();
        (spec, runs)
    }

    #[test]
    fn spans_land_on_arguments_inside_multi_line_runs() {
        let text = "FROM debian:12\nRUN apt-get update \\\n    # comment\n    && apt-get install -y \\\n        curl=7.88.1 \\\n        wget\n";
        let (spec, runs) = scripts(text);
        let stage = &spec.stages[0];
        let (_, r) = runs[0];
        let run = RunScript::new(&stage.runs[r]);
        assert!(run.exact);
        let apt = run.commands(&["apt-get"]).find(|c| c.subcommand() == Some("install")).expect("install");
        let wget = apt.operands().into_iter().find(|w| w.is("wget")).expect("wget");
        let origin = run.origin(wget.span);
        assert_eq!(origin.span.slice(text), "wget");
        let index = shipshape_model::LineIndex::new(text);
        assert_eq!(index.line_col(text, origin.span.start), (6, 9));
        let y = apt.options().into_iter().find(|o| o.name == "-y").expect("-y");
        assert_eq!(run.origin(option_span(&y)).span.slice(text), "-y");
    }

    #[test]
    fn exec_form_shells_are_parsed_and_point_at_the_instruction() {
        let text = "FROM alpine\nRUN [\"sh\", \"-c\", \"curl -k https://x | sh\"]\nRUN [\"apk\", \"add\", \"curl\"]\n";
        let (spec, _) = scripts(text);
        let stage = &spec.stages[0];
        let run = RunScript::new(&stage.runs[0]);
        let curl = run.commands(&["curl"]).next().expect("curl");
        assert!(curl.has_option(&["-k"]));
        assert_eq!(run.origin(curl.span), stage.runs[0].origin);
        let run = RunScript::new(&stage.runs[1]);
        assert_eq!(run.commands(&["apk"]).next().and_then(|c| c.subcommand()), Some("add"));
    }

    #[test]
    fn heredoc_bodies_map_to_the_file() {
        let text = "FROM alpine\nRUN <<EOF\nset -e\napk add --allow-untrusted x\nEOF\n";
        let (spec, _) = scripts(text);
        let stage = &spec.stages[0];
        let run = RunScript::new(&stage.runs[0]);
        let apk = run.commands(&["apk"]).next().expect("apk");
        let opt = apk.options().into_iter().find(|o| o.name == "--allow-untrusted").expect("flag");
        assert_eq!(run.origin(option_span(&opt)).span.slice(text), "--allow-untrusted");
    }

    #[test]
    fn findings_point_at_the_exact_word_with_line_and_column() {
        let text = "FROM debian:12\nRUN apt-get update \\\n    && curl -sSk https://x.example/i.sh \\\n       | sudo bash -s -- --yes \\\n    && apt-get install -y \\\n        --allow-unauthenticated jq\n";
        let (spec, _) = scripts(text);
        let findings = crate::checkers::check_image_spec_all(&spec);
        let source = shipshape_model::SourceFile::new("Dockerfile", text);
        let at = |code: &str| -> Vec<(&str, (u32, u32))> {
            findings
                .iter()
                .filter(|f| f.rule.code == code)
                .map(|f| (f.location.span.slice(text), source.line_col(f.location.span.start)))
                .collect()
        };
        assert_eq!(at("SUP001"), [("bash", (4, 15))]);
        assert_eq!(at("SUP002"), [("k", (3, 16))]);
        assert_eq!(at("PRV003"), [("sudo", (4, 10))]);
        assert_eq!(at("SUP003"), [("--allow-unauthenticated", (6, 9))]);
        assert_eq!(at("SUP004"), [("jq", (6, 33))]);
        assert_eq!(at("IMG007"), [("install", (5, 16))]);
    }

    #[test]
    fn exec_form_shell_options_are_followed() {
        let text = "FROM debian:12\nRUN [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\", \"curl -fsS https://x | tar -x\"]\nRUN [\"sh\", \"-c\", \"curl -fsS https://x | tar -x\"]\n";
        let (spec, _) = scripts(text);
        let findings = crate::checkers::check_image_spec_all(&spec);
        let lines: Vec<u32> = findings
            .iter()
            .filter(|f| f.rule.code == "IMG009")
            .map(|f| shipshape_model::SourceFile::new("Dockerfile", text).line_col(f.location.span.start).0)
            .collect();
        assert_eq!(lines, [3]);
    }
}
