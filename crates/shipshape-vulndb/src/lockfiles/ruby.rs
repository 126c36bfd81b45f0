//! `Gemfile.lock`: the `specs:` of `GEM` and `GIT` sections (`PATH` gems are local).

use super::Lockfile;

pub(super) fn parse(text: &str, lock: &mut Lockfile) {
    let mut section = "";
    let mut in_specs = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if !raw.starts_with(' ') {
            section = raw.trim();
            in_specs = false;
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let content = raw.trim();
        if indent == 2 {
            in_specs = content == "specs:";
            continue;
        }
        // Gems are at four spaces; their own dependencies at six.
        if !in_specs || indent != 4 || !matches!(section, "GEM" | "GIT" | "PLUGIN SOURCE") {
            continue;
        }
        let parsed = content.split_once(" (").and_then(|(name, rest)| Some((name, rest.strip_suffix(')')?)));
        match parsed {
            Some((name, version)) => {
                // `1.13.10-x86_64-linux`: a platform follows the first `-`.
                let version = version.split('-').next().unwrap_or(version);
                lock.add(name, version, line);
            }
            None => lock.warn(line, format!("expected `name (version)`, found {content:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lockfiles::{LockfileKind, parse_kind};

    #[test]
    fn gem_and_git_specs() {
        let text = "GIT
  remote: https://example.invalid/rails/rails.git
  revision: 0123456789
  branch: main
  specs:
    rails (7.1.0.alpha)
      actionpack (= 7.1.0.alpha)

PATH
  remote: engines/local
  specs:
    local_engine (0.1.0)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.0.4)
      rack (~> 2.0, >= 2.2.0)
    nokogiri (1.13.10-x86_64-linux)
      racc (~> 1.4)
    rack (2.2.4)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  nokogiri (~> 1.13)
  rails!

BUNDLED WITH
   2.3.26
";
        let lock = parse_kind(LockfileKind::GemfileLock, text).unwrap();
        let got: Vec<(&str, &str, usize)> =
            lock.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.line)).collect();
        assert_eq!(
            got,
            [
                ("rails", "7.1.0.alpha", 6),
                ("actionpack", "7.0.4", 17),
                ("nokogiri", "1.13.10", 19),
                ("rack", "2.2.4", 21)
            ]
        );
        assert!(lock.packages.iter().all(|p| p.ecosystem == "RubyGems"));
    }
}
