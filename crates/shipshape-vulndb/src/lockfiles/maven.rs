//! `pom.xml`: the dependencies a Maven project declares with an explicit version, in
//! `<dependencies>`, `<dependencyManagement>` and profiles, named `groupId:artifactId` as OSV's
//! Maven records name them.
//!
//! `${property}` references are resolved from the pom's `<properties>` and the project's own
//! coordinates (`project.version`, `project.groupId`, `project.parent.version`, ...), nested up
//! to a small depth. A dependency whose version is a range (`[1.0,2.0)`), comes from a property
//! the file does not define, or is left to a parent or BOM is not an exact pin: it is skipped
//! with a warning naming its line. The XML reader is small and strict about structure (tags must
//! nest) but ignores what poms do not need (attributes, namespaces, DTDs).

use std::collections::HashMap;

use super::{Lines, Lockfile, LockfileError};

/// Deeper element nesting than any pom needs is refused (hostile input).
const MAX_DEPTH: usize = 256;
/// `${a}` → `${b}` → ... chains longer than this are left unresolved.
const MAX_EXPANSIONS: usize = 16;

/// One `<dependency>` being read.
#[derive(Default)]
struct Dependency {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    line: usize,
}

/// What the reader keeps of a pom.
#[derive(Default)]
struct Pom {
    properties: HashMap<String, String>,
    dependencies: Vec<Dependency>,
}

pub(super) fn parse(text: &str, lock: &mut Lockfile) -> Result<(), LockfileError> {
    let lines = Lines::new(text);
    let pom = read(text, &lines)?;
    for dependency in &pom.dependencies {
        let (Some(group), Some(artifact)) = (&dependency.group, &dependency.artifact) else {
            lock.warn(dependency.line, "dependency without groupId or artifactId skipped");
            continue;
        };
        let name = format!("{}:{}", pom.resolve(group), pom.resolve(artifact));
        let Some(version) = &dependency.version else {
            lock.warn(dependency.line, format!("{name}: version managed by a parent or BOM, not checked"));
            continue;
        };
        let version = pom.resolve(version);
        if version.contains("${") {
            lock.warn(dependency.line, format!("{name}: version `{version}` uses an undefined property"));
        } else if version.starts_with(['[', '(']) || version.contains(',') {
            lock.warn(dependency.line, format!("{name}: version range `{version}` is not an exact pin"));
        } else if name.contains("${") {
            lock.warn(dependency.line, format!("{name}: coordinates use an undefined property"));
        } else if !version.is_empty() {
            lock.add(&name, &version, dependency.line);
        }
    }
    Ok(())
}

impl Pom {
    /// `value` with every `${name}` the pom defines replaced.
    fn resolve(&self, value: &str) -> String {
        let mut current = value.to_owned();
        for _ in 0..MAX_EXPANSIONS {
            let Some(start) = current.find("${") else { break };
            let Some(length) = current[start..].find('}') else { break };
            let name = &current[start + 2..start + length];
            let Some(replacement) = self.property(name) else { break };
            current = format!("{}{replacement}{}", &current[..start], &current[start + length + 1..]);
        }
        current
    }

    fn property(&self, name: &str) -> Option<&str> {
        if let Some(found) = self.properties.get(name) {
            return Some(found);
        }
        // Maven 2 spellings: `${pom.version}`, `${version}`.
        let alias = match name {
            "pom.version" | "version" => "project.version",
            "pom.groupId" | "groupId" => "project.groupId",
            _ => return None,
        };
        self.properties.get(alias).map(String::as_str)
    }
}

/// Reads the elements of a pom, keeping what [`Pom`] needs.
fn read(text: &str, lines: &Lines) -> Result<Pom, LockfileError> {
    let mut pom = Pom::default();
    let mut stack: Vec<&str> = Vec::new();
    let mut current: Option<Dependency> = None;
    let mut text_start = 0;
    let mut position = 0;
    let mut saw_project = false;
    let error = |offset: usize, message: String| LockfileError::new(lines.line(offset), message);
    while let Some(found) = text[position..].find('<') {
        let open = position + found;
        let body = &text[text_start..open];
        let rest = &text[open..];
        let skip_to = |terminator: &str, what: &str| {
            rest.find(terminator)
                .map(|end| open + end + terminator.len())
                .ok_or_else(|| error(open, format!("unterminated {what}")))
        };
        if rest.starts_with("<!--") {
            position = skip_to("-->", "comment")?;
            continue;
        }
        if rest.starts_with("<![CDATA[") {
            position = skip_to("]]>", "CDATA section")?;
            continue;
        }
        if rest.starts_with("<?") {
            position = skip_to("?>", "processing instruction")?;
            text_start = position;
            continue;
        }
        if rest.starts_with("<!") {
            position = skip_to(">", "declaration")?;
            text_start = position;
            continue;
        }
        let close =
            rest.find('>').map(|end| open + end).ok_or_else(|| error(open, "unterminated tag".into()))?;
        let tag = &text[open + 1..close];
        position = close + 1;
        text_start = position;
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            match stack.pop() {
                Some(expected) if expected == name => {}
                Some(expected) => {
                    return Err(error(open, format!("`</{name}>` closes `<{expected}>`")));
                }
                None => return Err(error(open, format!("`</{name}>` closes nothing"))),
            }
            let value = decode(element_text(body));
            pom.end_element(&stack, name, value.trim(), &mut current);
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name = tag.trim_end_matches('/').split(|c: char| c.is_whitespace()).next().unwrap_or_default();
        if name.is_empty() {
            return Err(error(open, "empty tag name".into()));
        }
        if self_closing {
            continue;
        }
        saw_project |= stack.is_empty() && name == "project";
        stack.push(name);
        if stack.len() > MAX_DEPTH {
            return Err(error(open, format!("elements nested deeper than {MAX_DEPTH}")));
        }
        if name == "dependency" && is_dependency_list(&stack[..stack.len() - 1]) {
            current = Some(Dependency { line: lines.line(open), ..Dependency::default() });
        }
    }
    if let Some(open) = stack.last() {
        return Err(error(text.len(), format!("`<{open}>` is never closed")));
    }
    if !saw_project {
        return Err(error(0, "not a Maven pom: no <project> element".into()));
    }
    Ok(pom)
}

/// The text content of an element (what lies between the previous tag and its end tag), with
/// CDATA sections unwrapped and comments dropped.
fn element_text(body: &str) -> std::borrow::Cow<'_, str> {
    if !body.contains("<!") {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("<!") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let (content, terminator) = match after.strip_prefix("<![CDATA[") {
            Some(content) => (content, "]]>"),
            None => (after.strip_prefix("<!--").unwrap_or(after), "-->"),
        };
        let end = content.find(terminator).unwrap_or(content.len());
        if terminator == "]]>" {
            out.push_str(&content[..end]);
        }
        rest = content.get(end + terminator.len()..).unwrap_or_default();
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// `…/dependencies` under the project, its dependency management or a profile (not a plugin's
/// dependencies, which are build-time only and not shipped).
fn is_dependency_list(parents: &[&str]) -> bool {
    matches!(
        parents,
        ["project", "dependencies"]
            | ["project", "dependencyManagement", "dependencies"]
            | ["project", "profiles", "profile", "dependencies"]
            | ["project", "profiles", "profile", "dependencyManagement", "dependencies"]
    )
}

impl Pom {
    /// Records an element's text once its end tag is read; `parents` excludes the element.
    fn end_element(&mut self, parents: &[&str], name: &str, value: &str, current: &mut Option<Dependency>) {
        match parents {
            ["project"] if matches!(name, "version" | "groupId" | "artifactId") => {
                self.properties.insert(format!("project.{name}"), value.to_owned());
            }
            ["project", "parent"] if matches!(name, "version" | "groupId" | "artifactId") => {
                self.properties.insert(format!("project.parent.{name}"), value.to_owned());
                if name != "artifactId" {
                    self.properties.entry(format!("project.{name}")).or_insert_with(|| value.to_owned());
                }
            }
            ["project", "properties"] => {
                self.properties.insert(name.to_owned(), value.to_owned());
            }
            [.., "dependency"] if current.is_some() && is_dependency_list(&parents[..parents.len() - 1]) => {
                if let Some(dependency) = current.as_mut() {
                    let slot = match name {
                        "groupId" => &mut dependency.group,
                        "artifactId" => &mut dependency.artifact,
                        "version" => &mut dependency.version,
                        _ => return,
                    };
                    *slot = Some(value.to_owned());
                }
            }
            _ if name == "dependency" && is_dependency_list(parents) => {
                if let Some(done) = current.take() {
                    self.dependencies.push(done);
                }
            }
            _ => {}
        }
    }
}

/// Replaces the five predefined XML entities and character references.
fn decode(text: std::borrow::Cow<'_, str>) -> String {
    if !text.contains('&') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_ref();
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(end) = after.find(';').filter(|&end| end <= 12) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let entity = &after[1..end];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{LockfileKind, parse_kind};

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment with <dependency> inside -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>2.7.0</version>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1.0.0</version>
  <properties>
    <log4j.version>2.14.1</log4j.version>
    <jackson.version>${jackson.major}.13.0</jackson.version>
    <jackson.major>2</jackson.major>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
      <scope>compile</scope>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>com.example</groupId>
      <artifactId>shared</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>commons-collections</groupId>
      <artifactId>commons-collections</artifactId>
      <version>[3.2,4.0)</version>
    </dependency>
    <dependency>
      <groupId>org.yaml</groupId>
      <artifactId>snakeyaml</artifactId>
      <version>${undefined.version}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-shade-plugin</artifactId>
        <version>3.2.4</version>
        <dependencies>
          <dependency>
            <groupId>org.ow2.asm</groupId>
            <artifactId>asm</artifactId>
            <version>9.0</version>
          </dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>
  <profiles>
    <profile>
      <id>db</id>
      <dependencies>
        <dependency>
          <groupId>org.postgresql</groupId>
          <artifactId>postgresql</artifactId>
          <version><![CDATA[42.2.5]]></version>
        </dependency>
      </dependencies>
    </profile>
  </profiles>
</project>
"#;

    #[test]
    fn explicit_versions_with_properties_resolved() {
        let lock = parse_kind(LockfileKind::PomXml, POM).unwrap();
        let found: Vec<(&str, &str, usize)> =
            lock.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.line)).collect();
        assert_eq!(
            found,
            [
                ("org.apache.logging.log4j:log4j-core", "2.14.1", 19),
                ("com.fasterxml.jackson.core:jackson-databind", "2.13.0", 24),
                ("com.example:shared", "1.0.0", 34),
                ("org.postgresql:postgresql", "42.2.5", 70),
            ]
        );
        assert!(lock.packages.iter().all(|p| p.ecosystem == "Maven"));
        let warnings: Vec<(usize, &str)> =
            lock.warnings.iter().map(|w| (w.line, w.message.as_str())).collect();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(warnings[0].0, 30);
        assert!(warnings[0].1.contains("managed by a parent"));
        assert!(warnings[1].1.contains("range `[3.2,4.0)`"));
        assert!(warnings[2].1.contains("undefined property"));
    }

    #[test]
    fn entities_are_decoded() {
        let pom = "<project><dependencies><dependency><groupId>a&amp;b</groupId><artifactId>c&#x2d;d</artifactId>\
                   <version>1.0</version></dependency></dependencies></project>";
        let lock = parse_kind(LockfileKind::PomXml, pom).unwrap();
        assert_eq!(lock.packages[0].name, "a&b:c-d");
    }

    #[test]
    fn broken_xml_names_the_line() {
        let cases = [
            ("<project>\n<dependencies>\n</project>", 3, "closes `<dependencies>`"),
            ("<project>\n<dependencies>\n", 3, "never closed"),
            ("<project>\n<!-- open", 2, "unterminated comment"),
            ("<project>\n</dependencies></project>", 2, "`</dependencies>` closes `<project>`"),
            ("{\"not\": \"xml\"}", 1, "no <project>"),
        ];
        for (text, line, message) in cases {
            let error = parse_kind(LockfileKind::PomXml, text).unwrap_err();
            assert_eq!(error.line, line, "{text}: {error}");
            assert!(error.message.contains(message), "{text}: {error}");
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let pom = format!("<project>{}", "<a>".repeat(10_000));
        let error = parse_kind(LockfileKind::PomXml, &pom).unwrap_err();
        assert!(error.message.contains("deeper"), "{error}");
    }

    #[test]
    fn property_cycles_stop() {
        let pom = "<project><properties><a>${b}</a><b>${a}</b></properties><dependencies><dependency>\
                   <groupId>g</groupId><artifactId>x</artifactId><version>${a}</version></dependency>\
                   </dependencies></project>";
        let lock = parse_kind(LockfileKind::PomXml, pom).unwrap();
        assert!(lock.packages.is_empty());
        assert!(lock.warnings[0].message.contains("undefined property"), "{:?}", lock.warnings);
    }
}
