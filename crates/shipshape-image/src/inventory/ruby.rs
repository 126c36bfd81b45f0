//! Ruby gems: the specifications RubyGems writes on install (`specifications/*.gemspec`), Ruby
//! code of the form `s.name = "rack".freeze`, `s.version = "3.0.8"`, `s.licenses = ["MIT"]`,
//! read line by line (never evaluated); the `# stub: name version` comment is the fallback.

use super::{Malformed, Package, PackageManager};

/// Whether `path` is an installed gem's specification.
pub(crate) fn is_specification(path: &str) -> bool {
    path.ends_with(".gemspec") && path.rsplit('/').nth(1) == Some("specifications")
}

/// Double- or single-quoted strings on a line, in order.
fn quoted(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(['"', '\'']) {
        let quote = &rest[start..start + 1];
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// The gem a specification describes, at the line of its `name` assignment.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Malformed> {
    let (mut name, mut version, mut licenses, mut line) = (None, None, Vec::new(), 1);
    let (mut stub_name, mut stub_version) = (None, None);
    for (index, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if let Some(stub) = trimmed.strip_prefix("# stub:") {
            let mut words = stub.split_whitespace();
            stub_name = words.next();
            stub_version = words.next();
            continue;
        }
        let Some((target, value)) = trimmed.split_once('=') else { continue };
        let Some(attribute) = target.trim().rsplit_once('.').map(|(_, a)| a) else { continue };
        match attribute {
            "name" if name.is_none() => {
                name = quoted(value).first().copied();
                line = index + 1;
            }
            "version" if version.is_none() => version = quoted(value).first().copied(),
            "licenses" | "license" if licenses.is_empty() => licenses = quoted(value),
            _ => {}
        }
    }
    let name = name.or(stub_name).filter(|n| !n.is_empty()).ok_or_else(|| Malformed::new("no gem name"))?;
    let version =
        version.or(stub_version).filter(|v| !v.is_empty()).ok_or_else(|| Malformed::new("no gem version"))?;
    let mut package = Package::new(PackageManager::RubyGems, name, version);
    package.line = line;
    package.license = (!licenses.is_empty()).then(|| licenses.join(" OR "));
    Ok(vec![package])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_specification() {
        assert!(is_specification("/usr/local/bundle/specifications/rack-3.0.8.gemspec"));
        assert!(!is_specification("/app/rack.gemspec"));
        let text = "# -*- encoding: utf-8 -*-\n# stub: rack 3.0.8 ruby lib\n\nGem::Specification.new do |s|\n  \
                    s.name = \"rack\".freeze\n  s.version = \"3.0.8\"\n  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze)\n  \
                    s.licenses = [\"MIT\".freeze, 'Ruby'.freeze]\nend\n";
        let p = &parse(text).unwrap()[0];
        assert_eq!((p.name.as_str(), p.version.as_str(), p.line), ("rack", "3.0.8", 5));
        assert_eq!(p.license.as_deref(), Some("MIT OR Ruby"));
        let stub = parse("# stub: nokogiri 1.15.4 x86_64-linux lib\n").unwrap();
        assert_eq!((stub[0].name.as_str(), stub[0].version.as_str()), ("nokogiri", "1.15.4"));
        assert!(parse("nothing here").is_err());
    }
}
