//! Python: `requirements*.txt`, `poetry.lock`, `uv.lock`, `Pipfile.lock`.

use serde::Deserialize;
use shipshape_yaml::Node;
use toml::Spanned;

use super::{Lines, Lockfile, LockfileError, Unpinned, toml_error, yaml_root};

/// `requirements.txt`: one requirement per line (with `\` continuations and `#` comments);
/// `name[extras]==1.2.3 ; markers --hash=...` is pinned, anything else (ranges, URLs, no
/// version) is unpinned. Option lines (`-r`, `-e`, `--index-url`) are skipped.
pub(super) fn parse_requirements(text: &str, lock: &mut Lockfile) {
    let mut logical = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = index + 1;
        }
        // A comment starts at `#` at the beginning or after whitespace.
        let without_comment = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(at) => raw.get(..at).unwrap_or(raw),
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(continued) = without_comment.trim_end().strip_suffix('\\') {
            logical.push_str(continued);
            logical.push(' ');
            continue;
        }
        logical.push_str(without_comment);
        requirement(logical.trim(), start, lock);
        logical.clear();
    }
    if !logical.trim().is_empty() {
        requirement(logical.trim(), start, lock);
    }
}

fn requirement(text: &str, line: usize, lock: &mut Lockfile) {
    if text.is_empty() || text.starts_with('-') {
        return;
    }
    // Environment markers and per-requirement options (`--hash=...`) do not change the pin.
    let text = text.split(';').next().unwrap_or("").trim();
    let text: Vec<&str> = text.split_whitespace().take_while(|t| !t.starts_with("--")).collect();
    let text = text.join(" ");
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    let name = text.get(..name_end).unwrap_or("");
    if name.is_empty() || name.contains("://") {
        lock.warn(line, format!("not a requirement: {text:?}"));
        return;
    }
    let mut rest = text.get(name_end..).unwrap_or("").trim_start();
    if rest.starts_with('[') {
        match rest.find(']') {
            Some(end) => rest = rest.get(end + 1..).unwrap_or("").trim_start(),
            None => {
                lock.warn(line, format!("unclosed extras in {text:?}"));
                return;
            }
        }
    }
    let specifiers: Vec<&str> = rest.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let pinned = match specifiers.as_slice() {
        [single] => single
            .strip_prefix("===")
            .or_else(|| single.strip_prefix("=="))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains('*') && !v.contains(' ')),
        _ => None,
    };
    match pinned {
        Some(version) => lock.add(name, version, line),
        None => lock.unpinned.push(Unpinned { name: name.to_owned(), requirement: text.clone(), line }),
    }
}

#[derive(Deserialize)]
struct TomlLock {
    #[serde(default)]
    package: Vec<TomlPackage>,
}

#[derive(Deserialize)]
struct TomlPackage {
    name: Option<Spanned<String>>,
    version: Option<String>,
    source: Option<toml::Table>,
}

fn parse_toml_lock(
    text: &str,
    lock: &mut Lockfile,
    local: impl Fn(&toml::Table) -> bool,
) -> Result<(), LockfileError> {
    let parsed: TomlLock = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let lines = Lines::new(text);
    for package in parsed.package {
        let Some(name) = package.name else {
            lock.warn(1, "a [[package]] without a name");
            continue;
        };
        let line = lines.line(name.span().start);
        if package.source.as_ref().is_some_and(&local) {
            continue;
        }
        match package.version {
            Some(version) => lock.add(name.get_ref(), &version, line),
            None => lock.warn(line, format!("{} has no version", name.get_ref())),
        }
    }
    Ok(())
}

/// `poetry.lock`: `[[package]]` tables; `source.type = "directory"` packages are local.
pub(super) fn parse_poetry(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    parse_toml_lock(text, lock, |source| {
        source.get("type").and_then(toml::Value::as_str).is_some_and(|t| t == "directory")
    })
}

/// `uv.lock`: `[[package]]` tables; editable, virtual and directory sources are local.
pub(super) fn parse_uv(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    parse_toml_lock(text, lock, |source| {
        ["editable", "virtual", "directory"].iter().any(|k| source.contains_key(*k))
    })
}

/// `Pipfile.lock`: `default` and `develop` map names to `{"version": "==1.2.3"}`.
pub(super) fn parse_pipfile(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let lines = Lines::new(text);
    let root = yaml_root(text, &lines, "JSON")?;
    for section in ["default", "develop"] {
        for (key, entry) in root.get(section).and_then(Node::as_mapping).unwrap_or(&[]) {
            let line = lines.of(key);
            let name = key.as_str().unwrap_or("");
            // git, path and editable entries pin no registry version.
            if let Some(version) = entry.get("version").and_then(Node::as_str) {
                match version.strip_prefix("===").or_else(|| version.strip_prefix("==")) {
                    Some(version) => lock.add(name, version.trim(), line),
                    None => lock.warn(line, format!("{name}: {version:?} is not an exact version")),
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::lockfiles::{LockfileKind, parse_kind};

    fn packages(kind: LockfileKind, text: &str) -> Vec<(String, String, usize)> {
        let lock = parse_kind(kind, text).unwrap();
        assert!(lock.packages.iter().all(|p| p.ecosystem == "PyPI"));
        lock.packages.into_iter().map(|p| (p.name, p.version, p.line)).collect()
    }

    fn owned(items: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
        items.iter().map(|(n, v, l)| ((*n).to_owned(), (*v).to_owned(), *l)).collect()
    }

    #[test]
    fn requirements_pins_and_the_rest() {
        let text = "# production
-r base.txt
--index-url https://pypi.org/simple
Django==3.2.4  # LTS
requests[security,socks] == 2.25.1 ; python_version >= \"3.6\"
urllib3==1.26.5 \\
    --hash=sha256:0123 \\
    --hash=sha256:4567
flask>=2.0,<3
numpy
pip @ https://example.invalid/pip.whl
-e git+https://example.invalid/x.git#egg=x
six===1.16.0
celery==5.*
";
        let lock = parse_kind(LockfileKind::RequirementsTxt, text).unwrap();
        let got: Vec<(&str, &str, usize)> =
            lock.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.line)).collect();
        assert_eq!(
            got,
            [
                ("Django", "3.2.4", 4),
                ("requests", "2.25.1", 5),
                ("urllib3", "1.26.5", 6),
                ("six", "1.16.0", 13)
            ]
        );
        let unpinned: Vec<(&str, &str, usize)> =
            lock.unpinned.iter().map(|u| (u.name.as_str(), u.requirement.as_str(), u.line)).collect();
        assert_eq!(
            unpinned,
            [
                ("flask", "flask>=2.0,<3", 9),
                ("numpy", "numpy", 10),
                ("pip", "pip @ https://example.invalid/pip.whl", 11),
                ("celery", "celery==5.*", 14),
            ]
        );
    }

    #[test]
    fn poetry_lock() {
        let text = r#"# This file is automatically @generated by Poetry 1.8.2 and should not be changed by hand.

[[package]]
name = "certifi"
version = "2022.12.7"
description = "Python package for providing Mozilla's CA Bundle."
optional = false
python-versions = ">=3.6"
files = [
    {file = "certifi-2022.12.7-py3-none-any.whl", hash = "sha256:4ad3232f5e926d6718ec31cfc1fcadfde020920e278684144551c91769c7bc18"},
]

[[package]]
name = "mylib"
version = "0.1.0"
description = ""
optional = false
python-versions = "*"
files = []
develop = true

[package.source]
type = "directory"
url = "../mylib"

[[package]]
name = "Jinja2"
version = "2.11.2"
description = "A very fast and expressive template engine."

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "abc"
"#;
        assert_eq!(
            packages(LockfileKind::PoetryLock, text),
            owned(&[("certifi", "2022.12.7", 4), ("Jinja2", "2.11.2", 27)])
        );
    }

    #[test]
    fn uv_lock() {
        let text = r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "idna" },
]

[[package]]
name = "idna"
version = "3.6"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/packages/idna-3.6.tar.gz", hash = "sha256:9ecd", size = 175426 }

[[package]]
name = "tool"
version = "1.0.0"
source = { git = "https://example.invalid/tool.git?rev=v1#abc" }
"#;
        assert_eq!(
            packages(LockfileKind::UvLock, text),
            owned(&[("idna", "3.6", 13), ("tool", "1.0.0", 19)])
        );
        let error = parse_kind(LockfileKind::UvLock, "version = 1\n[[package]\nname = \"x\"\n").unwrap_err();
        assert_eq!(error.line, 2, "{error}");
    }

    #[test]
    fn pipfile_lock() {
        let text = r#"{
    "_meta": {
        "hash": {"sha256": "0123"},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.9"},
        "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]
    },
    "default": {
        "django": {
            "hashes": ["sha256:0123"],
            "index": "pypi",
            "version": "==3.1.0"
        },
        "local-pkg": {
            "editable": true,
            "path": "."
        }
    },
    "develop": {
        "pytest": {
            "version": "==6.2.1"
        }
    }
}"#;
        assert_eq!(
            packages(LockfileKind::PipfileLock, text),
            owned(&[("django", "3.1.0", 9), ("pytest", "6.2.1", 20)])
        );
    }
}
