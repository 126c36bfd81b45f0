//! Invariants every span of a parse and of a lowering must satisfy. The tests and the fuzz
//! target check them on every input.

use crate::ast::*;
use shipshape_model::{BaseImage, Healthcheck, ImageSpec, Span, Value};

/// Checks that every span of `df` is ordered, inside `text` and on character boundaries; that
/// each instruction's keyword, arguments, flags and heredocs lie inside the instruction; and that
/// comments and heredoc contents are exactly the text their spans cover.
///
/// # Errors
///
/// A description of the first violated invariant.
pub fn check_spans(text: &str, df: &Dockerfile) -> Result<(), String> {
    let mut spans = Vec::new();
    for d in &df.directives {
        spans.extend([
            ("directive", d.span),
            ("directive name", d.name_span),
            ("directive value", d.value_span),
        ]);
    }
    for c in &df.comments {
        spans.push(("comment", c.span));
        if c.span.slice(text) != c.text {
            return Err(format!("comment {:?} does not match its span {:?}", c.text, c.span));
        }
    }
    spans.extend(df.diagnostics.iter().map(|d| ("diagnostic", d.span)));
    for (what, span) in spans {
        in_bounds(text, what, span)?;
    }
    for instruction in &df.instructions {
        check_instruction(text, instruction, instruction.span)?;
    }
    Ok(())
}

fn in_bounds(text: &str, what: &str, span: Span) -> Result<(), String> {
    if span.start > span.end || span.end as usize > text.len() || text.get(span.range()).is_none() {
        return Err(format!("{what}: span {span:?} is not a valid range of a {}-byte text", text.len()));
    }
    Ok(())
}

fn check_instruction(text: &str, instruction: &Instruction, outer: Span) -> Result<(), String> {
    let inside = |what: &str, span: Span| -> Result<(), String> {
        in_bounds(text, what, span)?;
        if span.start < outer.start || span.end > outer.end {
            return Err(format!("{what} {span:?} lies outside its instruction {outer:?}"));
        }
        Ok(())
    };
    inside("instruction", instruction.span)?;
    inside("keyword", instruction.keyword_span)?;
    inside("arguments", instruction.args_span)?;
    for flag in &instruction.flags {
        inside("flag", flag.span)?;
        inside("flag name", flag.name_span)?;
        if let Some(value) = flag.value_span {
            inside("flag value", value)?;
        }
    }
    for heredoc in &instruction.heredocs {
        inside("heredoc marker", heredoc.marker_span)?;
        inside("heredoc content", heredoc.content_span)?;
        if let Some(terminator) = heredoc.terminator_span {
            inside("heredoc terminator", terminator)?;
        }
        if heredoc.content_span.slice(text) != heredoc.content {
            return Err(format!("heredoc {:?} content does not match its span", heredoc.name));
        }
    }
    let mut words: Vec<&Word> = Vec::new();
    match &instruction.args {
        Args::Empty => {}
        Args::Command(command) => push_command(&mut words, command),
        Args::Words(list)
        | Args::From(FromArgs { words: list })
        | Args::Paths(PathList { paths: list, .. }) => words.extend(list),
        Args::Text(word) | Args::Raw(word) | Args::Invalid(word) => words.push(word),
        Args::KeyValues(pairs) => {
            for pair in pairs {
                inside("key=value pair", pair.span)?;
                words.extend([&pair.key, &pair.value]);
            }
        }
        Args::ArgDecls(decls) => {
            for decl in decls {
                words.extend([&decl.word, &decl.name]);
                words.extend(&decl.default);
            }
        }
        Args::Healthcheck(health) => {
            words.push(&health.kind);
            if let Some(command) = &health.command {
                push_command(&mut words, command);
            }
        }
        Args::Onbuild(trigger) => check_instruction(text, trigger, outer)?,
    }
    for word in words {
        inside("argument", word.span)?;
    }
    Ok(())
}

fn push_command<'a>(words: &mut Vec<&'a Word>, command: &'a CommandArgs) {
    match command {
        CommandArgs::Exec(list) => words.extend(list),
        CommandArgs::Shell(word) => words.push(word),
    }
}

/// Checks that every origin in `spec` is a valid span of `text`.
///
/// # Errors
///
/// A description of the first origin that is not.
pub fn check_spec_spans(text: &str, spec: &ImageSpec) -> Result<(), String> {
    let mut spans: Vec<Span> = Vec::new();
    let value = |spans: &mut Vec<Span>, v: &Value| spans.push(v.origin.span);
    for arg in &spec.global_args {
        spans.push(arg.origin.span);
        spans.extend(arg.default.as_ref().map(|d| d.origin.span));
    }
    for stage in &spec.stages {
        spans.push(stage.origin.span);
        value(&mut spans, stage.base.value());
        if let BaseImage::Stage { index, .. } = stage.base
            && index >= stage.index
        {
            return Err(format!("stage {} is based on stage {index}, which is not earlier", stage.index));
        }
        for v in [&stage.name, &stage.platform, &stage.user, &stage.workdir, &stage.stop_signal]
            .into_iter()
            .flatten()
        {
            value(&mut spans, v);
        }
        stage.env.iter().for_each(|e| spans.extend([e.origin.span, e.value.origin.span]));
        stage.args.iter().for_each(|a| spans.push(a.origin.span));
        stage.labels.iter().for_each(|l| spans.extend([l.origin.span, l.value.origin.span]));
        stage.exposed.iter().for_each(|p| value(&mut spans, &p.value));
        stage.volumes.iter().for_each(|v| value(&mut spans, v));
        stage.onbuild.iter().for_each(|o| spans.push(o.span));
        for command in [&stage.entrypoint, &stage.cmd, &stage.shell].into_iter().flatten() {
            spans.push(command.origin.span);
        }
        match &stage.healthcheck {
            Some(Healthcheck::Disabled { origin }) => spans.push(origin.span),
            Some(Healthcheck::Check { command, options }) => {
                spans.push(command.origin.span);
                options.iter().for_each(|(_, v)| value(&mut spans, v));
            }
            None => {}
        }
        for run in &stage.runs {
            spans.extend([run.origin.span, run.command.origin.span]);
            run.heredocs.iter().for_each(|h| spans.push(h.origin.span));
            run.mounts.iter().for_each(|m| spans.push(m.origin.span));
            [&run.network, &run.security].into_iter().flatten().for_each(|v| value(&mut spans, v));
        }
        for file in &stage.files {
            spans.push(file.origin.span);
            file.sources.iter().for_each(|v| value(&mut spans, v));
            value(&mut spans, &file.destination);
            file.heredocs.iter().for_each(|h| spans.push(h.origin.span));
            [&file.from, &file.chown, &file.chmod, &file.checksum]
                .into_iter()
                .flatten()
                .for_each(|v| value(&mut spans, v));
        }
        if stage.depends_on.iter().any(|&d| d >= spec.stages.len() || d == stage.index) {
            return Err(format!("stage {} depends on {:?}", stage.index, stage.depends_on));
        }
    }
    for span in spans {
        in_bounds(text, "origin", span)?;
    }
    Ok(())
}
