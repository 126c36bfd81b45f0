//! Parser behaviour beyond BuildKit's test data: heredocs, directives, escapes, line endings,
//! recovery after errors, flags, typed arguments and spans.

mod support;

use shipshape_dockerfile::{
    Args, CommandArgs, DiagnosticKind, Dockerfile, Keyword, Severity, Span, dump, dump_instruction,
};
use support::parse_checked;

fn kinds(df: &Dockerfile) -> Vec<DiagnosticKind> {
    df.diagnostics.iter().map(|d| d.kind).collect()
}

fn errors(df: &Dockerfile) -> Vec<(DiagnosticKind, String)> {
    df.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.kind, d.message.clone()))
        .collect()
}

fn keywords(df: &Dockerfile) -> Vec<String> {
    df.instructions.iter().map(|i| i.keyword.to_string()).collect()
}

fn slice(text: &str, span: Span) -> &str {
    span.slice(text)
}

// ---- heredocs

#[test]
fn heredoc_basic_with_spans_and_lines() {
    let text = "FROM alpine\nRUN <<EOF\napk add curl\necho done\nEOF\nUSER app\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    assert_eq!(keywords(&df), ["FROM", "RUN", "USER"]);
    let run = &df.instructions[1];
    assert_eq!((run.start_line, run.end_line), (2, 5));
    assert_eq!(slice(text, run.span), "RUN <<EOF\napk add curl\necho done\nEOF");
    let [heredoc] = run.heredocs.as_slice() else { panic!("one heredoc: {:?}", run.heredocs) };
    assert_eq!(heredoc.name, "EOF");
    assert!(heredoc.expand && !heredoc.chomp && heredoc.fd.is_none());
    assert_eq!(heredoc.content, "apk add curl\necho done\n");
    assert_eq!(slice(text, heredoc.marker_span), "<<EOF");
    assert_eq!(heredoc.terminator_span.map(|s| slice(text, s)), Some("EOF"));
    assert_eq!(dump_instruction(run), r#"run "<<EOF""#);
}

#[test]
fn comment_right_after_heredoc_is_a_comment() {
    // hadolint fails on this file; BuildKit does not.
    let text = "FROM alpine\nRUN <<EOF\necho hi\nEOF\n# shipshape: ignore=PRV001\nUSER root\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    assert_eq!(keywords(&df), ["FROM", "RUN", "USER"]);
    assert_eq!(df.comments.len(), 1);
    assert_eq!(df.comments[0].text, "# shipshape: ignore=PRV001");
    assert_eq!(df.comments[0].body(), "shipshape: ignore=PRV001");
    assert_eq!(slice(text, df.comments[0].span), "# shipshape: ignore=PRV001");
    // A `#` line inside the body is body text, not a comment.
    let df = parse_checked("FROM a\nRUN <<EOF\n# not a comment\nEOF\n");
    assert!(df.comments.is_empty());
    assert_eq!(df.instructions[1].heredocs[0].content, "# not a comment\n");
}

#[test]
fn several_heredocs_on_one_line_read_in_order() {
    let text = "FROM a\nCOPY <<one.txt <<two.txt /dst/\nfirst\none.txt\nsecond\ntwo.txt\nRUN true\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    let copy = &df.instructions[1];
    let bodies: Vec<(&str, &str)> =
        copy.heredocs.iter().map(|h| (h.name.as_str(), h.content.as_str())).collect();
    assert_eq!(bodies, [("one.txt", "first\n"), ("two.txt", "second\n")]);
    assert_eq!((copy.start_line, copy.end_line), (2, 6));
    assert_eq!(keywords(&df), ["FROM", "COPY", "RUN"]);
    let Args::Paths(paths) = &copy.args else { panic!() };
    assert_eq!(paths.destination().map(|d| d.text.as_str()), Some("/dst/"));
    assert_eq!(paths.sources().len(), 2);
}

#[test]
fn dash_heredoc_strips_tabs_and_matches_indented_terminator() {
    let text = "FROM a\nRUN <<-EOF\n\techo one\n\t\techo two\n\tEOF\nUSER x\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    let heredoc = &df.instructions[1].heredocs[0];
    assert!(heredoc.chomp);
    assert_eq!(heredoc.content, "\techo one\n\t\techo two\n");
    assert_eq!(heredoc.text(), "echo one\necho two\n");
    assert_eq!(heredoc.terminator_span.map(|s| slice(text, s)), Some("\tEOF"));
    // Without `-`, an indented terminator does not end the body.
    let df = parse_checked("FROM a\nRUN <<EOF\n\tEOF\nEOF\n");
    assert_eq!(df.instructions[1].heredocs[0].content, "\tEOF\n");
}

#[test]
fn quoted_delimiters_do_not_expand() {
    for (marker, expand) in [("<<EOF", true), ("<<\"EOF\"", false), ("<<'EOF'", false), ("<<E'O'F", false)] {
        let df = parse_checked(&format!("FROM a\nRUN {marker}\n$HOME\nEOF\n"));
        let heredoc = &df.instructions[1].heredocs[0];
        assert_eq!((heredoc.name.as_str(), heredoc.expand), ("EOF", expand), "{marker}");
    }
}

#[test]
fn heredoc_with_file_descriptor_and_redirection() {
    let text = "FROM a\nRUN 3<<EOF cat /dev/fd/3 > /out\nhello\nEOF\n";
    let df = parse_checked(text);
    let heredoc = &df.instructions[1].heredocs[0];
    assert_eq!((heredoc.fd, heredoc.content.as_str()), (Some(3), "hello\n"));
    assert_eq!(slice(text, heredoc.marker_span), "3<<EOF");
}

#[test]
fn heredoc_inside_onbuild() {
    let text = "FROM a\nONBUILD RUN <<EOF\necho child\nEOF\nUSER a\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    let onbuild = &df.instructions[1];
    assert_eq!(onbuild.keyword, Keyword::Onbuild);
    assert_eq!(onbuild.heredocs[0].content, "echo child\n");
    let trigger = onbuild.onbuild_trigger().expect("trigger");
    assert_eq!(trigger.keyword, Keyword::Run);
    assert_eq!(slice(text, trigger.span), "RUN <<EOF");
    assert_eq!(dump(&df).lines().nth(1), Some(r#"(onbuild (run "<<EOF"))"#));
}

#[test]
fn no_heredoc_in_exec_form_or_other_instructions() {
    let df = parse_checked("FROM a\nRUN [\"cat\", \"<<EOF\"]\nEOF\nENV A=<<EOF\n");
    assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
    assert_eq!(keywords(&df), ["FROM", "RUN", "EOF", "ENV"]);
    assert_eq!(kinds(&df), [DiagnosticKind::UnknownInstruction]);
}

#[test]
fn unterminated_heredoc_is_an_error() {
    let text = "FROM a\nRUN <<EOF\necho never ends\n";
    let df = parse_checked(text);
    assert_eq!(kinds(&df), [DiagnosticKind::UnterminatedHeredoc]);
    assert_eq!(slice(text, df.diagnostics[0].span), "<<EOF");
    let heredoc = &df.instructions[1].heredocs[0];
    assert_eq!((heredoc.content.as_str(), heredoc.terminator_span), ("echo never ends\n", None));
}

#[test]
fn heredoc_after_continuation_and_crlf() {
    let text = "FROM a\r\nRUN --network=none \\\r\n  <<EOF bash\r\necho hi\r\nEOF\r\nUSER x\r\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs[0].content, "echo hi\r\n");
    assert_eq!((run.start_line, run.end_line), (2, 5));
    assert_eq!(keywords(&df), ["FROM", "RUN", "USER"]);
}

// ---- directives and escapes

#[test]
fn directives_at_the_top_only() {
    let text = "# syntax=docker/dockerfile:1.7\n#ESCAPE = `\n# check=skip=JSONArgsRecommended\n# escape=\\\nFROM a\n";
    let df = parse_checked(text);
    let names: Vec<(&str, &str)> =
        df.directives.iter().map(|d| (d.name.as_str(), d.value.as_str())).collect();
    assert_eq!(
        names,
        [("syntax", "docker/dockerfile:1.7"), ("escape", "`"), ("check", "skip=JSONArgsRecommended")]
    );
    assert_eq!(df.escape, '`');
    // The repeated escape directive is an error and otherwise a comment.
    assert_eq!(kinds(&df), [DiagnosticKind::InvalidDirective]);
    assert_eq!(df.comments.len(), 1);
    assert_eq!(slice(text, df.directives[1].value_span), "`");
    assert_eq!(df.directive("syntax").map(|d| d.value.as_str()), Some("docker/dockerfile:1.7"));
}

#[test]
fn directives_end_at_comment_empty_line_or_instruction() {
    for text in ["# hello\n# escape=`\nFROM a\n", "\n# escape=`\nFROM a\n", "FROM a\n# escape=`\n"] {
        let df = parse_checked(text);
        assert!(df.directives.is_empty(), "{text:?}");
        assert_eq!(df.escape, '\\');
    }
    // An unknown directive is a plain comment and ends the directives.
    let df = parse_checked("# foo=bar\n# escape=`\nFROM a\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.comments.len(), 2);
}

#[test]
fn invalid_escape_value() {
    let df = parse_checked("# escape=x\nFROM a\n");
    assert_eq!(kinds(&df), [DiagnosticKind::InvalidDirective]);
    assert_eq!(df.escape, '\\');
}

#[test]
fn backtick_escape_for_windows_paths() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nCOPY C:\\src\\app C:\\app\\\nRUN dir `\n    C:\\app\nENV P=C:\\x`\\y\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    assert_eq!(df.escape, '`');
    let lines: Vec<String> = dump(&df).lines().map(str::to_string).collect();
    assert_eq!(lines[1], r#"(copy "C:\\src\\app" "C:\\app\\")"#);
    assert_eq!(lines[2], r#"(run "dir     C:\\app")"#);
    // In ENV words the backtick escapes; the text keeps it, as BuildKit's parser does.
    assert_eq!(lines[3], r#"(env "P" "C:\\x`\\y" "=")"#);
    let run = &df.instructions[2];
    assert_eq!((run.start_line, run.end_line), (4, 5));
}

#[test]
fn bom_is_skipped_and_spans_still_index_the_original_text() {
    let text = "\u{feff}# escape=`\nFROM a `\n  AS b\n";
    let df = parse_checked(text);
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives.len(), 1);
    assert_eq!(dump(&df), r#"(from "a" "AS" "b")"#);
    assert_eq!(df.directives[0].span.start, 3);
    let df = parse_checked("\u{feff}FROM a\n");
    assert_eq!(df.instructions[0].keyword_span, Span::new(3, 7));
    // A BOM later in the file is not skipped.
    let df = parse_checked("FROM a\n\u{feff}RUN x\n");
    assert_eq!(kinds(&df), [DiagnosticKind::UnknownInstruction]);
}

// ---- line endings, whitespace, continuations

#[test]
fn crlf_parses_like_lf() {
    let lf = "FROM a\n# note\nRUN echo \\\n  hi\nLABEL a=b\n";
    let crlf = lf.replace('\n', "\r\n");
    let (df_lf, df_crlf) = (parse_checked(lf), parse_checked(&crlf));
    assert_eq!(dump(&df_lf), dump(&df_crlf));
    assert_eq!(df_crlf.comments[0].text, "# note");
    let lines =
        |df: &Dockerfile| df.instructions.iter().map(|i| (i.start_line, i.end_line)).collect::<Vec<_>>();
    assert_eq!(lines(&df_lf), lines(&df_crlf));
    assert_eq!(slice(&crlf, df_crlf.instructions[2].span), "LABEL a=b");
}

#[test]
fn continuation_at_end_of_file() {
    let df = parse_checked("FROM a\nRUN something \\");
    assert_eq!(errors(&df), []);
    assert_eq!(dump(&df), "(from \"a\")\n(run \"something\")");
    let df = parse_checked("FROM a\nRUN something \\\n\n\n");
    assert_eq!(df.instructions[1].end_line, 4);
    assert_eq!(kinds(&df), [DiagnosticKind::EmptyContinuationLine]);
    assert_eq!(df.diagnostics[0].severity, Severity::Warning);
}

#[test]
fn comments_and_empty_lines_inside_continuation() {
    let text =
        "FROM a\nRUN apt-get update \\\n    # install tools\n\n    && apt-get install -y curl\nUSER x\n";
    let df = parse_checked(text);
    assert_eq!(dump(&df).lines().nth(1), Some(r#"(run "apt-get update     && apt-get install -y curl")"#));
    assert_eq!(df.comments.len(), 1);
    assert_eq!(slice(text, df.comments[0].span), "# install tools");
    assert_eq!((df.instructions[1].start_line, df.instructions[1].end_line), (2, 5));
    let Args::Command(CommandArgs::Shell(word)) = &df.instructions[1].args else { panic!() };
    assert_eq!(
        slice(text, word.span),
        "apt-get update \\\n    # install tools\n\n    && apt-get install -y curl"
    );
}

#[test]
fn keywords_are_case_insensitive_and_whitespace_is_flexible() {
    let df = parse_checked("  from\talpine\n\tRun   echo  hi  \ncOpY --Chown=a b c\n");
    assert_eq!(keywords(&df), ["FROM", "RUN", "COPY"]);
    assert_eq!(dump(&df), "(from \"alpine\")\n(run \"echo  hi\")\n(copy [\"--Chown=a\"] \"b\" \"c\")");
    // Flag names are case-sensitive in BuildKit.
    assert_eq!(kinds(&df), [DiagnosticKind::UnknownFlag]);
}

// ---- recovery

#[test]
fn unknown_instruction_and_the_rest_still_parse() {
    let text = "FROM a\nUSR app\nRUN x\nUSER app\n";
    let df = parse_checked(text);
    assert_eq!(keywords(&df), ["FROM", "USR", "RUN", "USER"]);
    assert_eq!(df.diagnostics.len(), 1);
    let diagnostic = &df.diagnostics[0];
    assert_eq!(diagnostic.kind, DiagnosticKind::UnknownInstruction);
    assert!(diagnostic.message.contains("USR") && diagnostic.message.contains("did you mean USER"));
    assert_eq!(slice(text, diagnostic.span), "USR");
    assert_eq!(dump_instruction(&df.instructions[1]), r#"usr """#);
}

#[test]
fn unknown_and_invalid_flags() {
    let text = "FROM --platform=linux/amd64 a\nCOPY --chmown=app src /dst\nCOPY --link=maybe --from=a --from=b x y\nADD --chown a b\nRUN --mount=type=cache,target=/c --network=none --security=insecure make\nUSER --x=y app\n";
    let df = parse_checked(text);
    let found: Vec<(DiagnosticKind, &str)> =
        df.diagnostics.iter().map(|d| (d.kind, slice(text, d.span))).collect();
    assert_eq!(
        found,
        [
            (DiagnosticKind::UnknownFlag, "--chmown=app"),
            (DiagnosticKind::InvalidFlag, "--link=maybe"),
            (DiagnosticKind::InvalidFlag, "--from=b"),
            (DiagnosticKind::InvalidFlag, "--chown"),
            (DiagnosticKind::UnknownFlag, "--x=y"),
        ]
    );
    assert!(df.diagnostics[0].message.contains("did you mean --chown"));
    let copy = &df.instructions[1];
    let flag = &copy.flags[0];
    assert_eq!((flag.name.as_str(), flag.value.as_deref()), ("chmown", Some("app")));
    assert_eq!(
        (slice(text, flag.name_span), flag.value_span.map(|s| slice(text, s))),
        ("chmown", Some("app"))
    );
}

#[test]
fn run_mount_options_are_checked_in_any_order() {
    let good = "FROM a\nRUN --mount=target=/root/.npm,type=cache,sharing=locked --mount=required,id=tok,type=secret npm ci\n";
    assert_eq!(errors(&parse_checked(good)), []);
    let bad = "FROM a\nRUN --mount=type=nope,target=/x --mount=type=bind,bogus=1 --network=space true\n";
    let df = parse_checked(bad);
    assert_eq!(kinds(&df), [DiagnosticKind::InvalidFlag; 3]);
}

#[test]
fn invalid_json_falls_back_to_shell_form() {
    for (line, expected) in [
        (r#"CMD ["echo", "unterminated"#, r#"(cmd "[\"echo\", \"unterminated")"#),
        ("CMD ['single', 'quotes']", r#"(cmd "['single', 'quotes']")"#),
        (r#"ENTRYPOINT ["a",]"#, r#"(entrypoint "[\"a\",]")"#),
        (r#"CMD ["a"] extra"#, r#"(cmd "[\"a\"] extra")"#),
    ] {
        let df = parse_checked(&format!("FROM x\n{line}\n"));
        assert_eq!(errors(&df), [], "{line}");
        assert_eq!(dump_instruction(&df.instructions[1]), &expected[1..expected.len() - 1], "{line}");
        assert!(matches!(df.instructions[1].args, Args::Command(CommandArgs::Shell(_))));
    }
    // A valid JSON array with a non-string element is an error, and the next line still parses.
    let df = parse_checked("FROM x\nCMD [\"a\", 1]\nUSER a\n");
    assert_eq!(kinds(&df), [DiagnosticKind::Syntax]);
    assert!(matches!(df.instructions[1].args, Args::Invalid(_)));
    assert_eq!(keywords(&df), ["FROM", "CMD", "USER"]);
}

#[test]
fn exec_form_words_have_spans_of_their_literals() {
    let text = "FROM x\nENTRYPOINT [\"/bin/sh\", \"-c\", \"echo \\\"hi\\\"\"]\n";
    let df = parse_checked(text);
    let Args::Command(CommandArgs::Exec(words)) = &df.instructions[1].args else { panic!() };
    let got: Vec<(&str, &str)> = words.iter().map(|w| (w.text.as_str(), slice(text, w.span))).collect();
    assert_eq!(got, [("/bin/sh", "\"/bin/sh\""), ("-c", "\"-c\""), ("echo \"hi\"", "\"echo \\\"hi\\\"\"")]);
}

// ---- typed arguments

#[test]
fn env_and_label_pairs() {
    let text = "FROM x\nENV A=1 B=\"two words\" C=three\\ words\nENV LEGACY value with spaces\nLABEL \"org.a\"=b c=\nENV D\n";
    let df = parse_checked(text);
    let Args::KeyValues(pairs) = &df.instructions[1].args else { panic!() };
    let got: Vec<(&str, &str, bool)> =
        pairs.iter().map(|p| (slice(text, p.key.span), slice(text, p.value.span), p.legacy)).collect();
    assert_eq!(got, [("A", "1", false), ("B", "\"two words\"", false), ("C", "three\\ words", false)]);
    let Args::KeyValues(legacy) = &df.instructions[2].args else { panic!() };
    assert_eq!(
        (legacy[0].key.text.as_str(), legacy[0].value.text.as_str(), legacy[0].legacy),
        ("LEGACY", "value with spaces", true)
    );
    let Args::KeyValues(labels) = &df.instructions[3].args else { panic!() };
    assert_eq!((labels[0].key.text.as_str(), labels[1].value.text.as_str()), ("\"org.a\"", ""));
    // `ENV D` has no value: BuildKit's parser rejects it.
    assert_eq!(errors(&df), [(DiagnosticKind::Syntax, "ENV must have two arguments".to_string())]);
}

#[test]
fn arg_from_expose_healthcheck_shapes() {
    let text = "ARG A B=2 C=\"x y\"\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nEXPOSE 80/tcp 443\nHEALTHCHECK --interval=5s --retries=3 CMD [\"curl\", \"-f\", \"localhost\"]\nHEALTHCHECK NONE\n";
    let df = parse_checked(text);
    assert_eq!(errors(&df), []);
    let Args::ArgDecls(decls) = &df.instructions[0].args else { panic!() };
    let got: Vec<(&str, Option<&str>)> =
        decls.iter().map(|d| (d.name.text.as_str(), d.default.as_ref().map(|v| v.text.as_str()))).collect();
    assert_eq!(got, [("A", None), ("B", Some("2")), ("C", Some("\"x y\""))]);
    let Args::From(from) = &df.instructions[1].args else { panic!() };
    assert_eq!(
        (from.image().map(|w| w.text.as_str()), from.stage_name().map(|w| w.text.as_str())),
        (Some("golang:1.22"), Some("build"))
    );
    assert_eq!(df.instructions[1].flag("platform").and_then(|f| f.value.as_deref()), Some("$BUILDPLATFORM"));
    let Args::Words(ports) = &df.instructions[2].args else { panic!() };
    assert_eq!(ports.len(), 2);
    let Args::Healthcheck(check) = &df.instructions[3].args else { panic!() };
    assert!(!check.is_none() && check.command.as_ref().is_some_and(CommandArgs::is_exec));
    let Args::Healthcheck(none) = &df.instructions[4].args else { panic!() };
    assert!(none.is_none() && none.command.is_none());
}

#[test]
fn instruction_level_errors() {
    let text = "FROM a b\nFROM a AS 1bad\nUSER\nCOPY onlyone\nSHELL /bin/sh -c\nHEALTHCHECK --interval=1us CMD true\nHEALTHCHECK CONNECT x\nONBUILD ONBUILD RUN x\nONBUILD FROM y\nVOLUME [\"\"]\nCOPY a <<EOF\nbody\nEOF\n";
    let df = parse_checked(text);
    let messages: Vec<String> = errors(&df).into_iter().map(|(_, m)| m).collect();
    for expected in [
        "FROM requires either one or three arguments",
        "invalid name for build stage: \"1bad\"",
        "USER requires exactly one argument",
        "COPY requires at least two arguments",
        "SHELL requires the arguments to be in JSON form",
        "Interval \"interval\" cannot be less than 1ms",
        "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)",
        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        "FROM isn't allowed as an ONBUILD trigger",
        "COPY cannot accept a heredoc as a destination",
        "VOLUME specified can not be an empty string",
    ] {
        assert!(messages.iter().any(|m| m.contains(expected)), "missing {expected:?} in {messages:#?}");
    }
}

#[test]
fn only_arg_before_from() {
    let df = parse_checked("ARG V=1\nRUN echo\nFROM a\nRUN echo\n");
    assert_eq!(kinds(&df), [DiagnosticKind::NoBuildStage]);
}

#[test]
fn empty_and_comment_only_files_are_errors() {
    for text in ["", "\n\n", "# just a comment\n", "# syntax=docker/dockerfile:1\n"] {
        let df = parse_checked(text);
        assert_eq!(kinds(&df), [DiagnosticKind::NoInstructions], "{text:?}");
    }
}

#[test]
fn onbuild_nesting_is_bounded() {
    let text = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(50));
    let df = parse_checked(&text);
    let mut depth = 0;
    let mut current = &df.instructions[1];
    while let Some(trigger) = current.onbuild_trigger() {
        depth += 1;
        current = trigger;
    }
    assert_eq!(depth, 8);
    assert!(matches!(current.args, Args::Invalid(_)));
    assert!(df.diagnostics.iter().any(|d| d.message.contains("nested too deeply")));
}

#[test]
fn long_lines_are_reported_like_buildkit() {
    let at_limit = format!("FROM a\nLABEL a={}\n", "x".repeat(65_535 - 8));
    assert_eq!(errors(&parse_checked(&at_limit)), []);
    let over = format!("FROM a\nLABEL a={}\n", "x".repeat(65_536 - 8));
    assert_eq!(kinds(&parse_checked(&over)), [DiagnosticKind::LineTooLong]);
}

#[test]
fn instruction_spans_point_at_arguments() {
    let text = "FROM node:20 AS build\nCOPY --from=build --chown=app:app /src /dst\nUSER  app:app  \n";
    let df = parse_checked(text);
    let Args::Paths(paths) = &df.instructions[1].args else { panic!() };
    let got: Vec<&str> = paths.paths.iter().map(|p| slice(text, p.span)).collect();
    assert_eq!(got, ["/src", "/dst"]);
    assert_eq!(slice(text, df.instructions[1].args_span), "/src /dst");
    assert_eq!(slice(text, df.instructions[2].span), "USER  app:app");
    let Args::Text(user) = &df.instructions[2].args else { panic!() };
    assert_eq!(slice(text, user.span), "app:app");
}

#[test]
fn spans_stay_valid_on_odd_input() {
    for text in [
        "FROM a\n\\\n",
        "\\",
        "FROM a\nRUN \\\n\\\n\\",
        "FROM a\nRUN é \\\n  ü\n",
        "FROM a\nRUN <<\"EOF\n",
        "FROM a\nENV a\u{a0}b c\n",
        "FROM a\nCOPY --x=\"é\" a b\n",
        "FROM\0a\nRUN\x01 \x02\n",
        "FROM a\r\r\nRUN b\r\n\r\n",
        "ONBUILD\n",
        "FROM a\nHEALTHCHECK\n",
        "FROM a\nCMD [\"\\ud83d\\ude00\"]\n",
        // Found by fuzzing: a keyword ending at a continuation joint.
        "\0\\\n \\",
        "\n \\pe=\\\n#Rm\0\0g\n \\",
    ] {
        parse_checked(text);
    }
}
