//! `go.mod`: `require` lines and blocks, with `replace` directives applied, and the Go
//! standard library (`stdlib`) at the `toolchain` version, else the `go` version.
//!
//! Versions lose their `v` (`v1.2.3` → `1.2.3`), as OSV's Go records write them. A module
//! replaced by a local directory is not a published module: it is skipped with a warning.

use super::{Lockfile, LockfileError};

struct Require {
    path: String,
    version: String,
    line: usize,
}

struct Replace {
    old_path: String,
    old_version: Option<String>,
    new_path: String,
    new_version: Option<String>,
    line: usize,
}

/// Splits a line into tokens, honouring `"quoted"` and `` `raw` `` strings and dropping a
/// `//` comment.
fn tokens(line: &str, number: usize) -> Result<Vec<String>, LockfileError> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if line.get(at..).is_some_and(|rest| rest.starts_with("//")) {
            break;
        } else if c == '"' || c == '`' {
            chars.next();
            let mut token = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    if let Some((_, escaped)) = chars.next() {
                        token.push(escaped);
                    }
                    continue;
                }
                token.push(d);
            }
            if !closed {
                return Err(LockfileError::new(number, "unterminated quoted string"));
            }
            out.push(token);
        } else {
            let mut token = String::new();
            while let Some(&(_, d)) = chars.peek() {
                if d.is_whitespace() {
                    break;
                }
                token.push(d);
                chars.next();
            }
            out.push(token);
        }
    }
    Ok(out)
}

fn strip_v(version: &str) -> &str {
    version.strip_prefix('v').unwrap_or(version)
}

fn is_local_path(path: &str) -> bool {
    path.starts_with("./") || path.starts_with("../") || path.starts_with('/') || path == "." || path == ".."
}

pub(super) fn parse(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut go_version: Option<(String, usize)> = None;
    let mut toolchain: Option<(String, usize)> = None;
    let mut block: Option<(String, usize)> = None;

    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let mut words = tokens(raw, line)?;
        if words.is_empty() {
            continue;
        }
        let verb = match &block {
            Some(_) if words.first().is_some_and(|w| w == ")") => {
                block = None;
                continue;
            }
            Some((verb, _)) => verb.clone(),
            None => {
                let verb = words.remove(0);
                if words.first().is_some_and(|w| w == "(") && words.len() == 1 {
                    block = Some((verb, line));
                    continue;
                }
                verb
            }
        };
        match verb.as_str() {
            "require" => match words.as_slice() {
                [path, version, ..] => {
                    requires.push(Require { path: path.clone(), version: strip_v(version).to_owned(), line });
                }
                _ => return Err(LockfileError::new(line, "usage: require module/path v1.2.3")),
            },
            "replace" => {
                let arrow = words.iter().position(|w| w == "=>");
                let (old, new) = match arrow {
                    Some(at) => (words.get(..at).unwrap_or(&[]), words.get(at + 1..).unwrap_or(&[])),
                    None => return Err(LockfileError::new(line, "replace without `=>`")),
                };
                match (old, new) {
                    ([old_path, old_version @ ..], [new_path, new_version @ ..])
                        if old_version.len() <= 1 && new_version.len() <= 1 =>
                    {
                        replaces.push(Replace {
                            old_path: old_path.clone(),
                            old_version: old_version.first().map(|v| strip_v(v).to_owned()),
                            new_path: new_path.clone(),
                            new_version: new_version.first().map(|v| strip_v(v).to_owned()),
                            line,
                        });
                    }
                    _ => {
                        return Err(LockfileError::new(
                            line,
                            "usage: replace module/path [v1.2.3] => other/path [v1.2.4]",
                        ));
                    }
                }
            }
            "go" => go_version = words.first().map(|v| (v.clone(), line)),
            "toolchain" => toolchain = words.first().map(|v| (v.clone(), line)),
            "module" | "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
            other => lock.warn(line, format!("unknown directive {other:?}")),
        }
    }
    if let Some((verb, line)) = block {
        return Err(LockfileError::new(line, format!("`{verb} (` block is not closed")));
    }

    for require in requires {
        // The last matching replace wins; a versioned one applies to that version only.
        let replace = replaces.iter().rev().find(|r| {
            r.old_path == require.path && r.old_version.as_ref().is_none_or(|v| *v == require.version)
        });
        match replace {
            Some(replace) if is_local_path(&replace.new_path) => lock.warn(
                replace.line,
                format!(
                    "{} is replaced by the local directory {}: not checked",
                    require.path, replace.new_path
                ),
            ),
            Some(replace) => match &replace.new_version {
                Some(version) => lock.add(&replace.new_path, version, replace.line),
                None => lock.warn(replace.line, format!("{} is replaced without a version", require.path)),
            },
            None => lock.add(&require.path, &require.version, require.line),
        }
    }

    let stdlib =
        toolchain.and_then(|(t, line)| Some((t.strip_prefix("go")?.to_owned(), line))).or(go_version);
    if let Some((version, line)) = stdlib {
        // `go 1.21` means Go 1.21.0; OSV's stdlib ranges use three parts.
        let version = if version.matches('.').count() == 1 && !version.contains(['r', 'b']) {
            format!("{version}.0")
        } else {
            version
        };
        lock.add("stdlib", &version, line);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::lockfiles::{LockfileKind, parse_kind};

    #[test]
    fn requires_replaces_and_stdlib() {
        let text = r#"module example.com/app

go 1.21

toolchain go1.21.5

require github.com/gin-gonic/gin v1.9.0

require (
	golang.org/x/net v0.7.0 // indirect
	github.com/old/lib v1.0.0
	github.com/local/lib v0.1.0
	"github.com/quoted/mod" v2.0.0+incompatible
	github.com/pinned/only v1.1.0
)

replace github.com/old/lib => github.com/new/lib v1.2.0

replace (
	github.com/local/lib => ../lib
	github.com/pinned/only v1.0.0 => github.com/other/only v9.9.9
)

exclude golang.org/x/net v0.6.0
"#;
        let lock = parse_kind(LockfileKind::GoMod, text).unwrap();
        let got: Vec<(&str, &str, usize)> =
            lock.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.line)).collect();
        assert_eq!(
            got,
            [
                ("github.com/gin-gonic/gin", "1.9.0", 7),
                ("golang.org/x/net", "0.7.0", 10),
                ("github.com/new/lib", "1.2.0", 17),
                ("github.com/quoted/mod", "2.0.0+incompatible", 13),
                ("github.com/pinned/only", "1.1.0", 14),
                ("stdlib", "1.21.5", 5),
            ]
        );
        assert!(lock.packages.iter().all(|p| p.ecosystem == "Go"));
        assert_eq!(lock.warnings.len(), 1);
        assert_eq!(lock.warnings[0].line, 20);
    }

    #[test]
    fn go_directive_alone_and_errors() {
        let lock = parse_kind(LockfileKind::GoMod, "module m\ngo 1.22\n").unwrap();
        assert_eq!((lock.packages[0].name.as_str(), lock.packages[0].version.as_str()), ("stdlib", "1.22.0"));
        let error = parse_kind(LockfileKind::GoMod, "module m\nrequire (\n  a v1\n").unwrap_err();
        assert_eq!(error.line, 2, "{error}");
        let error = parse_kind(LockfileKind::GoMod, "module m\nrequire a\n").unwrap_err();
        assert_eq!(error.line, 2, "{error}");
        let error = parse_kind(LockfileKind::GoMod, "module \"m\n").unwrap_err();
        assert_eq!(error.line, 1, "{error}");
    }
}
