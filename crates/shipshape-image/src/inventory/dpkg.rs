//! The dpkg database: `/var/lib/dpkg/status`, and distroless images' `status.d/<package>` files.
//! Also the deb822-style stanza reader other `Key: value` formats share.

use super::{Package, PackageManager};

/// One stanza: fields with lower-cased names, continuation lines joined with `\n`.
pub(crate) struct Stanza {
    /// The 1-based line it starts at.
    pub(crate) line: usize,
    /// (name, value, 1-based line of the field).
    pub(crate) fields: Vec<(String, String, usize)>,
}

impl Stanza {
    /// The first value of field `name` (lower case).
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _, _)| k == name).map(|(_, v, _)| v.as_str())
    }

    /// The line of field `name`.
    pub(crate) fn line_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().find(|(k, _, _)| k == name).map(|(_, _, line)| *line)
    }
}

/// Stanzas of a deb822-style file, separated by blank lines; `first_only` stops after the first
/// (the header block of a Python `METADATA` file, whose body follows a blank line).
pub(crate) fn stanzas(text: &str, first_only: bool) -> Vec<Stanza> {
    let mut out = Vec::new();
    let mut current = Stanza { line: 1, fields: Vec::new() };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !current.fields.is_empty() {
                out.push(std::mem::replace(&mut current, Stanza { line: index + 2, fields: Vec::new() }));
                if first_only {
                    return out;
                }
            }
            current.line = index + 2;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value, _)) = current.fields.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            current.fields.push((key.trim().to_ascii_lowercase(), value.trim().to_string(), index + 1));
        }
    }
    if !current.fields.is_empty() {
        out.push(current);
    }
    out
}

/// Installed packages of a dpkg `status` file (or one distroless `status.d` file), each at the
/// line its stanza starts.
pub(crate) fn parse(text: &str) -> Vec<Package> {
    let mut packages = Vec::new();
    for stanza in stanzas(text, false) {
        let (Some(name), Some(version)) = (stanza.field("package"), stanza.field("version")) else {
            continue;
        };
        if let Some(status) = stanza.field("status")
            && status.split_whitespace().nth(2) != Some("installed")
        {
            continue;
        }
        let mut package = Package::new(PackageManager::Dpkg, name, version);
        if let Some(source) = stanza.field("source") {
            match source.split_once('(') {
                Some((n, v)) => {
                    package.source_name = n.trim().to_string();
                    package.source_version = v.trim_end_matches(')').trim().to_string();
                }
                None => package.source_name = source.trim().to_string(),
            }
        }
        package.architecture = stanza.field("architecture").map(str::to_string);
        package.line = stanza.line;
        packages.push(package);
    }
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_status() {
        let text = "Package: libc6\nStatus: install ok installed\nSource: glibc (2.36-9+deb12u4)\n\
                    Version: 2.36-9+deb12u7\nArchitecture: amd64\nDescription: GNU C Library\n continued line\n\n\
                    Package: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\n\
                    Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n\n\n\
                    Package: zlib1g\nStatus: install ok installed\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";
        let packages = parse(text);
        let summary: Vec<_> = packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.source_name.as_str(),
                    p.source_version.as_str(),
                    p.line,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("libc6", "2.36-9+deb12u7", "glibc", "2.36-9+deb12u4", 1),
                ("bash", "5.2.15-2+b2", "bash", "5.2.15-2+b2", 13),
                ("zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1", 18),
            ]
        );
        assert_eq!(text.lines().nth(17), Some("Package: zlib1g"));
        // Distroless status.d files have no Status field.
        assert_eq!(parse("Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n").len(), 1);
    }

    #[test]
    fn first_stanza_only() {
        let s = stanzas("Name: a\nVersion: 1\n\nbody: not a header\n", true);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].line_of("version"), Some(2));
    }
}
