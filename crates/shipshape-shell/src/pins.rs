//! Package operands of package-manager commands, read the way each ecosystem writes versions:
//! `curl=7.88.1-10` (apt), `curl~8.5` (apk), `flask==3.0.0` (pip), `express@4.18.2` (npm),
//! `-v 7.1` (gem), `golang.org/x/tools/gopls@v0.15.0` (go).

use crate::model::{SimpleCommand, Word};

/// The ecosystem a package operand belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    /// `apt-get`, `apt`, `aptitude`
    Apt,
    /// `apk`
    Apk,
    /// `pip`, `pipx`
    Pip,
    /// `npm`, `yarn`, `pnpm`, `bun`
    Npm,
    /// `gem`
    Gem,
    /// `go install` / `go get`
    Go,
    /// `yum`, `dnf`, `microdnf`, `tdnf`
    Rpm,
    /// `zypper`
    Zypper,
    /// `cargo install`
    Cargo,
    /// `conda`, `mamba`, `micromamba`
    Conda,
}

/// What a package operand names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageSource {
    /// A package from the ecosystem's index, by name.
    Registry,
    /// A local file or directory (`./x.deb`, `.`, `dist/app.whl`).
    File,
    /// A URL or VCS reference (`git+https://...`, `https://.../x.tgz`, `github:user/repo`).
    Url,
}

/// A package operand and the version it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package<'a> {
    /// The operand's word.
    pub word: &'a Word,
    /// The package name (`curl`, `@types/node`, `flask[async]` is `flask`).
    pub name: String,
    /// The version constraint's operator: `=` (apt, apk, zypper, conda), `~` (apk), `==`,
    /// `>=`, `~=`, `===`... (pip), `@` (npm, go, cargo), `-` (rpm `pkg-1.2`), `-v` (gem option),
    /// `:` (gem `name:version`).
    pub operator: Option<String>,
    /// The version text after the operator (`7.88.1-10`, `^4.18`, `latest`, `v0.15.0`).
    pub version: Option<String>,
    /// Where the package comes from.
    pub source: PackageSource,
    /// The ecosystem.
    pub ecosystem: Ecosystem,
}

impl Package<'_> {
    /// Whether the operand pins an exact version: `=`/`==`/`===`, an apk `=`, an npm/go/cargo
    /// version without range characters (not a dist-tag like `latest`), an rpm `pkg-1.2`, a gem
    /// `-v` without range operators. Files and URLs are not pins.
    pub fn is_exact_pin(&self) -> bool {
        let Some(version) = self.version.as_deref().filter(|v| !v.is_empty()) else { return false };
        if self.source != PackageSource::Registry {
            return false;
        }
        match self.operator.as_deref() {
            Some("=" | "==" | "===" | "-" | ":") => !version.contains('*'),
            Some("@") => is_exact_semverish(version),
            Some("-v") => !version.contains(['>', '<', '~', '*']),
            _ => false,
        }
    }
}

/// `1.2.3`, `v1.2.3`, `1.2.3-rc.1`: no range operator, wildcard or dist-tag.
fn is_exact_semverish(version: &str) -> bool {
    let v = version.strip_prefix('v').unwrap_or(version);
    v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !v.contains(['^', '~', '*', '>', '<', '|', ' ', 'x', 'X'])
        && v.chars().filter(|&c| c == '.').count() >= 1
}

fn is_url(text: &str) -> bool {
    text.contains("://")
        || ["git+", "git:", "github:", "gitlab:", "bitbucket:", "file:", "http:", "https:"]
            .iter()
            .any(|p| text.starts_with(p))
}

fn is_path(text: &str) -> bool {
    text.starts_with(['.', '/', '~'])
        || [".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".tgz", ".zip", ".gem", ".tar.bz2"]
            .iter()
            .any(|s| text.ends_with(s))
}

fn source_of(text: &str) -> PackageSource {
    if is_url(text) {
        PackageSource::Url
    } else if is_path(text) {
        PackageSource::File
    } else {
        PackageSource::Registry
    }
}

/// Splits `text` at the first of the operator characters `ops`, the operator being the run of
/// such characters there.
fn split_operator<'t>(text: &'t str, ops: &[char]) -> (&'t str, Option<&'t str>, Option<&'t str>) {
    match text.find(ops) {
        Some(at) if at > 0 => {
            let rest = text.get(at..).unwrap_or("");
            let op_len = rest.len() - rest.trim_start_matches(ops).len();
            let op = rest.get(..op_len);
            let version = rest.get(op_len..).map(str::trim);
            (text.get(..at).unwrap_or(text).trim(), op, version)
        }
        _ => (text, None, None),
    }
}

fn package<'a>(
    word: &'a Word,
    name: &str,
    operator: Option<&str>,
    version: Option<&str>,
    ecosystem: Ecosystem,
) -> Package<'a> {
    Package {
        word,
        name: name.to_string(),
        operator: operator.map(str::to_string),
        version: version.map(str::to_string),
        source: PackageSource::Registry,
        ecosystem,
    }
}

/// An apt operand: `pkg`, `pkg=version`, `pkg:arch=version`, `pkg/release`.
pub fn apt_package(word: &Word) -> Package<'_> {
    let text = word.value.as_str();
    let source = source_of(text);
    if source != PackageSource::Registry {
        return Package { source, ..package(word, text, None, None, Ecosystem::Apt) };
    }
    let (name, op, version) = split_operator(text, &['=']);
    let name = name.split('/').next().unwrap_or(name);
    package(word, name, op, version, Ecosystem::Apt)
}

/// An apk operand: `pkg`, `pkg=1.2`, `pkg~1.2`, `pkg>1.2`, `pkg@edge`, `pkg@edge=1.2`.
pub fn apk_package(word: &Word) -> Package<'_> {
    let text = word.value.as_str();
    let source = source_of(text);
    if source != PackageSource::Registry {
        return Package { source, ..package(word, text, None, None, Ecosystem::Apk) };
    }
    let (name, op, version) = split_operator(text, &['=', '~', '<', '>']);
    let name = name.split('@').next().unwrap_or(name);
    package(word, name, op, version, Ecosystem::Apk)
}

/// A pip requirement: `flask`, `flask==3.0`, `flask[async]>=2,<3`, `pkg @ https://...`, a
/// wheel or a path.
pub fn pip_requirement(word: &Word) -> Package<'_> {
    let text = word.value.trim();
    let source = source_of(text);
    if source != PackageSource::Registry && !text.contains(" @ ") {
        return Package { source, ..package(word, text, None, None, Ecosystem::Pip) };
    }
    let name_len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    let name = text.get(..name_len).unwrap_or(text);
    let mut rest = text.get(name_len..).unwrap_or("");
    if rest.starts_with('[') {
        rest = rest.find(']').and_then(|i| rest.get(i + 1..)).unwrap_or("");
    }
    let rest = rest.split(';').next().unwrap_or("").trim();
    if let Some(url) = rest.strip_prefix('@') {
        return Package {
            source: PackageSource::Url,
            ..package(word, name, Some("@"), Some(url.trim()), Ecosystem::Pip)
        };
    }
    if rest.is_empty() {
        return package(word, name, None, None, Ecosystem::Pip);
    }
    let first = rest.split(',').next().unwrap_or(rest).trim();
    let op_len = first.len() - first.trim_start_matches(['=', '<', '>', '!', '~']).len();
    let op = first.get(..op_len).filter(|o| !o.is_empty());
    let version = first.get(op_len..).map(str::trim);
    package(word, name, op, version, Ecosystem::Pip)
}

/// An npm operand: `express`, `express@4.18.2`, `@types/node@^20`, `user/repo`, a tarball.
pub fn npm_package(word: &Word) -> Package<'_> {
    let text = word.value.as_str();
    let source = source_of(text);
    if source != PackageSource::Registry {
        return Package { source, ..package(word, text, None, None, Ecosystem::Npm) };
    }
    if !text.starts_with('@') && text.contains('/') && !text.contains('@') {
        // `user/repo`: a GitHub shorthand.
        return Package { source: PackageSource::Url, ..package(word, text, None, None, Ecosystem::Npm) };
    }
    let search_from = usize::from(text.starts_with('@'));
    match text.get(search_from..).and_then(|t| t.find('@')).map(|i| i + search_from) {
        Some(at) => {
            let name = text.get(..at).unwrap_or(text);
            let version = text.get(at + 1..);
            package(word, name, Some("@"), version, Ecosystem::Npm)
        }
        None => package(word, text, None, None, Ecosystem::Npm),
    }
}

/// A `go install`/`go get` operand: `example.com/cmd@v1.2.3`, `...@latest`.
pub fn go_package(word: &Word) -> Package<'_> {
    let text = word.value.as_str();
    match text.rsplit_once('@') {
        Some((name, version)) => package(word, name, Some("@"), Some(version), Ecosystem::Go),
        None => {
            let source = if text.starts_with('.') { PackageSource::File } else { PackageSource::Registry };
            Package { source, ..package(word, text, None, None, Ecosystem::Go) }
        }
    }
}

/// An rpm-family operand: `httpd`, `httpd-2.4.57`, `httpd-2.4.57-1.el9`, a file or URL.
pub fn rpm_package(word: &Word) -> Package<'_> {
    let text = word.value.as_str();
    let source = source_of(text);
    if source != PackageSource::Registry {
        return Package { source, ..package(word, text, None, None, Ecosystem::Rpm) };
    }
    // The version starts at the first `-` followed by a digit.
    let bytes = text.as_bytes();
    let at = (1..bytes.len())
        .find(|&i| bytes.get(i) == Some(&b'-') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
    match at {
        Some(at) => {
            package(word, text.get(..at).unwrap_or(text), Some("-"), text.get(at + 1..), Ecosystem::Rpm)
        }
        None => {
            let (name, op, version) = split_operator(text, &['=', '<', '>']);
            package(word, name, op, version, Ecosystem::Rpm)
        }
    }
}

/// A zypper operand: `pkg`, `pkg=1.2`, `pkg>=1.2`.
pub fn zypper_package(word: &Word) -> Package<'_> {
    let text = word.value.as_str();
    let source = source_of(text);
    if source != PackageSource::Registry {
        return Package { source, ..package(word, text, None, None, Ecosystem::Zypper) };
    }
    let (name, op, version) = split_operator(text, &['=', '<', '>']);
    package(word, name, op, version, Ecosystem::Zypper)
}

/// A conda operand: `numpy`, `numpy=1.26`, `numpy==1.26.4`, `numpy>=1.20`.
pub fn conda_package(word: &Word) -> Package<'_> {
    let text = word.value.as_str();
    let text = text.rsplit_once("::").map_or(text, |(_, t)| t);
    let (name, op, version) = split_operator(text, &['=', '<', '>', '!']);
    package(word, name, op, version, Ecosystem::Conda)
}

impl SimpleCommand {
    /// The packages an install command installs, read with the ecosystem's version syntax;
    /// empty for other commands. Covers `apt-get`/`apt`/`aptitude install`, `apk add`,
    /// `pip install`, `npm install`/`i`/`add`, `yarn add`, `pnpm add`, `gem install` (with
    /// `-v`), `go install`/`get`, `yum`/`dnf`/`microdnf`/`tdnf install`, `zypper install`/`in`,
    /// `cargo install`, `conda install`.
    pub fn packages(&self) -> Vec<Package<'_>> {
        let Some(name) = self.command_name() else { return Vec::new() };
        let family = crate::command::family(name);
        let args = self.parse_args();
        let sub = args.subcommand().and_then(|w| w.text.as_deref()).unwrap_or("");
        let operands = args.operands();
        let each = |f: fn(&Word) -> Package<'_>| operands.iter().map(|w| f(w)).collect::<Vec<_>>();
        match (family, sub) {
            ("apt-get" | "apt" | "aptitude", "install" | "reinstall") => each(apt_package),
            ("apk", "add") => each(apk_package),
            ("pip" | "pipx", "install") => each(pip_requirement),
            (
                "npm" | "pnpm" | "bun",
                "install" | "i" | "add" | "isntall" | "in" | "ins" | "inst" | "insta",
            ) => each(npm_package),
            ("yarn", "add") | ("yarn", "global") => {
                let skip = usize::from(sub == "global" && operands.first().is_some_and(|w| w.is("add")));
                operands.iter().skip(skip).map(|w| npm_package(w)).collect()
            }
            ("go", "install" | "get") => each(go_package),
            (
                "yum" | "dnf" | "microdnf" | "tdnf" | "dnf5",
                "install" | "reinstall" | "upgrade" | "update",
            ) => each(rpm_package),
            ("zypper", "install" | "in") => each(zypper_package),
            ("conda" | "mamba" | "micromamba", "install" | "create") => each(conda_package),
            ("cargo", "install") => {
                let version = args.value(&["--version", "--vers"]);
                operands
                    .iter()
                    .map(|w| match (w.value.split_once('@'), version) {
                        (Some((name, v)), _) => package(w, name, Some("@"), Some(v), Ecosystem::Cargo),
                        (None, Some(v)) => package(w, &w.value, Some("@"), Some(v), Ecosystem::Cargo),
                        (None, None) => package(w, &w.value, None, None, Ecosystem::Cargo),
                    })
                    .collect()
            }
            ("gem", "install") => {
                let version = args.value(&["-v", "--version"]);
                operands
                    .iter()
                    .map(|w| match (w.value.split_once(':'), version) {
                        (Some((name, v)), _) => package(w, name, Some(":"), Some(v), Ecosystem::Gem),
                        (None, Some(v)) => package(w, &w.value, Some("-v"), Some(v), Ecosystem::Gem),
                        (None, None) => {
                            let source = source_of(&w.value);
                            Package { source, ..package(w, &w.value, None, None, Ecosystem::Gem) }
                        }
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}
