//! Which language a script is in: from a `SHELL` instruction, a shebang, or the command a
//! heredoc feeds.

use crate::command::{basename, family};
use crate::model::Interpreter;
use crate::tools;

/// The shell a `RUN` runs in, from the `SHELL` in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellInfo {
    /// The shell (`sh` when no `SHELL` is set).
    pub interpreter: Interpreter,
    /// `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (or `-eo pipefail`, `-euxo pipefail`).
    pub pipefail: bool,
    /// `SHELL ["/bin/sh", "-e", "-c"]` (or `-ec`, `-o errexit`).
    pub errexit: bool,
}

impl Default for ShellInfo {
    fn default() -> Self {
        ShellInfo { interpreter: Interpreter::Shell("sh".to_string()), pipefail: false, errexit: false }
    }
}

/// Reads a `SHELL` exec-form array (`None`: BuildKit's default `/bin/sh -c`).
pub fn shell_info(shell: Option<&[String]>) -> ShellInfo {
    let Some(shell) = shell else { return ShellInfo::default() };
    let mut words = shell.iter().map(String::as_str);
    let Some(mut program) = words.next() else { return ShellInfo::default() };
    if basename(program) == "busybox"
        && let Some(applet) = words.next()
    {
        program = applet;
    }
    let interpreter = interpreter_named(program);
    let mut info = ShellInfo { interpreter, pipefail: false, errexit: false };
    if !info.interpreter.is_shell() {
        return info;
    }
    let rest: Vec<&str> = words.collect();
    let mut i = 0;
    while let Some(word) = rest.get(i) {
        let on = word.starts_with('-');
        if word.len() < 2 || !(on || word.starts_with('+')) || word.starts_with("--") {
            i += 1;
            continue;
        }
        let mut takes_next = 0;
        for c in word.chars().skip(1) {
            match c {
                'e' => info.errexit = on,
                'o' => {
                    match rest.get(i + 1 + takes_next) {
                        Some(&"pipefail") => info.pipefail = on,
                        Some(&"errexit") => info.errexit = on,
                        _ => {}
                    }
                    takes_next += 1;
                }
                _ => {}
            }
        }
        i += 1 + takes_next;
    }
    info
}

/// The interpreter a program name (or path) stands for: shells by name, others by family
/// (`python3.12` is `python`, `nodejs` is `node`, `pwsh` is `powershell`).
pub fn interpreter_named(program: &str) -> Interpreter {
    let base = basename(program);
    let lower = base.to_ascii_lowercase();
    let lower = lower.strip_suffix(".exe").unwrap_or(&lower);
    if tools::is_shell(lower) {
        return Interpreter::Shell(lower.to_string());
    }
    let fam = family(lower);
    if tools::is_shell(fam) {
        return Interpreter::Shell(fam.to_string());
    }
    let name = match fam {
        "nodejs" => "node",
        "pwsh" => "powershell",
        other => other,
    };
    Interpreter::Other(name.to_string())
}

/// The interpreter named by a script's shebang line (`#!/usr/bin/env python3` is `python`,
/// `#!/bin/bash -e` is `bash`), or `None` without a shebang.
pub fn shebang(body: &str) -> Option<Interpreter> {
    let first = body.lines().next()?.trim_end();
    let line = first.strip_prefix("#!")?;
    let mut tokens = line.split_whitespace();
    let mut program = tokens.next()?;
    if basename(program) == "env" {
        program = tokens.find(|t| !t.starts_with('-') && !t.contains('='))?;
    }
    if basename(program) == "busybox" {
        program = tokens.next().unwrap_or(program);
    }
    Some(interpreter_named(program))
}

/// Programs that run a script read from their standard input when given no script operand.
pub(crate) fn reads_script_from_stdin(name: &str) -> bool {
    matches!(
        family(name),
        "python"
            | "node"
            | "nodejs"
            | "perl"
            | "ruby"
            | "php"
            | "lua"
            | "Rscript"
            | "R"
            | "tclsh"
            | "pwsh"
            | "deno"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shells() {
        let info = shell_info(Some(&strings(&["/bin/bash", "-o", "pipefail", "-c"])));
        assert_eq!(info.interpreter, Interpreter::Shell("bash".into()));
        assert!(info.pipefail && !info.errexit);
        let info = shell_info(Some(&strings(&["/bin/bash", "-euxo", "pipefail", "-c"])));
        assert!(info.pipefail && info.errexit);
        let info = shell_info(Some(&strings(&["/bin/sh", "-ec"])));
        assert!(!info.pipefail && info.errexit);
        let info = shell_info(Some(&strings(&["powershell", "-command"])));
        assert_eq!(info.interpreter, Interpreter::Other("powershell".into()));
        let info = shell_info(Some(&strings(&["cmd", "/S", "/C"])));
        assert_eq!(info.interpreter, Interpreter::Other("cmd".into()));
        assert_eq!(shell_info(None), ShellInfo::default());
    }

    #[test]
    fn shebangs() {
        assert_eq!(shebang("#!/usr/bin/env python3\nprint(1)\n"), Some(Interpreter::Other("python".into())));
        assert_eq!(shebang("#!/bin/bash -e\necho"), Some(Interpreter::Shell("bash".into())));
        assert_eq!(shebang("#!/usr/bin/env -S node --flag\n"), Some(Interpreter::Other("node".into())));
        assert_eq!(shebang("#!/bin/busybox sh\n"), Some(Interpreter::Shell("sh".into())));
        assert_eq!(shebang("echo hi\n"), None);
    }
}
