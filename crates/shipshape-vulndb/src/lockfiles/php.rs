//! `composer.lock`.

use shipshape_yaml::Node;

use super::{Lines, Lockfile, LockfileError, yaml_root};

pub(super) fn parse(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let lines = Lines::new(text);
    let root = yaml_root(text, &lines, "JSON")?;
    for section in ["packages", "packages-dev"] {
        let Some(packages) = root.get(section).and_then(Node::as_sequence) else { continue };
        for package in packages {
            let name = package.get("name");
            let line = name.map_or_else(|| lines.of(package), |n| lines.of(n));
            match (name.and_then(Node::as_str), package.get("version").and_then(Node::as_str)) {
                (Some(name), Some(version)) => lock.add(name, version, line),
                _ => lock.warn(line, format!("a package in {section} without name or version")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::lockfiles::{LockfileKind, parse_kind};

    #[test]
    fn packages_and_dev_packages() {
        let text = r#"{
    "_readme": ["This file locks the dependencies of your project to a known state"],
    "content-hash": "0123",
    "packages": [
        {
            "name": "guzzlehttp/guzzle",
            "version": "7.4.4",
            "source": {"type": "git", "url": "https://github.com/guzzle/guzzle.git"}
        },
        {
            "name": "symfony/http-kernel",
            "version": "v5.4.9"
        }
    ],
    "packages-dev": [
        {
            "name": "phpunit/phpunit",
            "version": "9.5.20"
        },
        {
            "version": "1.0.0"
        }
    ]
}"#;
        let lock = parse_kind(LockfileKind::ComposerLock, text).unwrap();
        let got: Vec<(&str, &str, usize)> =
            lock.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.line)).collect();
        assert_eq!(
            got,
            [
                ("guzzlehttp/guzzle", "7.4.4", 6),
                ("symfony/http-kernel", "v5.4.9", 11),
                ("phpunit/phpunit", "9.5.20", 17)
            ]
        );
        assert_eq!(lock.packages[0].ecosystem, "Packagist");
        assert_eq!(lock.warnings.len(), 1);
        assert_eq!(lock.warnings[0].line, 20);
    }
}
