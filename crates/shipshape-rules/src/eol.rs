//! End-of-life dates of base distributions and runtimes (`resources/eol.txt`), matched against
//! image tags (`node:14-alpine`, `python:3.7-slim-buster`, `debian:stretch`) and against an
//! image's `os-release` (`ID=debian`, `VERSION_ID="9"`).
//!
//! The data is parsed once. Whether a cycle is past its end is the caller's question, asked with
//! the day it considers today ([`Cycle::is_past`]), so nothing here reads the clock.

use shipshape_model::ImageRef;
use shipshape_model::date::Date;
use std::sync::OnceLock;

const DATA: &str = include_str!("../resources/eol.txt");

/// One product: a distribution or a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// How messages call it: `Debian`, `Node.js`.
    pub name: String,
    /// Image names (familiar form) whose tags start with the product's version.
    pub images: Vec<String>,
    /// A distribution: its codenames are looked for in every tag component of every image.
    pub distribution: bool,
    /// `os-release` `ID` values.
    pub os_ids: Vec<String>,
    /// Text a version tag may start with (`centos` of `centos7`, `alpine` of `alpine3.19`).
    pub prefix: Option<String>,
    pub cycles: Vec<Cycle>,
}

/// One release cycle of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// `9`, `3.7`, `stream8`.
    pub version: String,
    /// The last day of support.
    pub end: Date,
    /// Codenames and other names of the cycle (`stretch`, `fermium`, `2018.03`).
    pub aliases: Vec<String>,
}

impl Cycle {
    /// Whether support ended before `today`.
    pub fn is_past(&self, today: Date) -> bool {
        self.end < today
    }
}

/// A product cycle something is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match<'a> {
    pub product: &'a Product,
    pub cycle: &'a Cycle,
}

impl Match<'_> {
    /// `Debian 9 (stretch)`, `Node.js 14 (fermium)`, `Python 3.7`.
    pub fn describe(&self) -> String {
        match self.cycle.aliases.iter().find(|a| a.chars().any(|c| c.is_ascii_alphabetic())) {
            Some(codename) => format!("{} {} ({codename})", self.product.name, self.cycle.version),
            None => format!("{} {}", self.product.name, self.cycle.version),
        }
    }
}

/// The bundled end-of-life data.
#[derive(Debug, Clone, Default)]
pub struct EolData {
    pub products: Vec<Product>,
}

impl EolData {
    /// The bundled data, parsed on first use. A data file that does not parse is a build
    /// defect that the tests catch; at run time it leaves the data empty.
    pub fn bundled() -> &'static EolData {
        static DATA_PARSED: OnceLock<EolData> = OnceLock::new();
        DATA_PARSED.get_or_init(|| EolData::parse(DATA).unwrap_or_default())
    }

    /// Parses the format of `resources/eol.txt`; an error names the line.
    pub fn parse(text: &str) -> Result<EolData, String> {
        let mut products: Vec<Product> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let error = |message: &str| format!("eol data line {}: {message}", index + 1);
            if line.starts_with('[') && line.ends_with(']') {
                products.push(Product {
                    name: line[1..line.len() - 1].to_string(),
                    images: Vec::new(),
                    distribution: false,
                    os_ids: Vec::new(),
                    prefix: None,
                    cycles: Vec::new(),
                });
                continue;
            }
            let product = products.last_mut().ok_or_else(|| error("a line before the first [product]"))?;
            if let Some((key, value)) = line.split_once('=') {
                let words = || value.split_whitespace().map(str::to_string).collect::<Vec<_>>();
                match key.trim() {
                    "name" => product.name = value.trim().to_string(),
                    "images" => product.images = words(),
                    "kind" => product.distribution = value.trim() == "distribution",
                    "os-id" => product.os_ids = words(),
                    "prefix" => product.prefix = Some(value.trim().to_string()),
                    other => return Err(error(&format!("unknown key `{other}`"))),
                }
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(version), Some(end)) = (words.next(), words.next()) else {
                return Err(error("expected `cycle YYYY-MM-DD [aliases]`"));
            };
            let end = Date::parse(end).map_err(|e| error(&e.to_string()))?;
            let aliases = words.map(str::to_string).collect();
            product.cycles.push(Cycle { version: version.to_string(), end, aliases });
        }
        Ok(EolData { products })
    }

    /// Every product cycle the reference's tag says the image is built on: the image's own
    /// product and version (`node:14-alpine` → Node.js 14), and distribution codenames or
    /// `alpineX.Y` in any tag component (`python:3.7-slim-buster` → Debian 10 too). Untagged
    /// and moving tags (`lts`, `3`, `latest`) name no cycle.
    pub fn for_image(&self, reference: &ImageRef) -> Vec<Match<'_>> {
        let Some(tag) = reference.tag.as_deref().map(str::to_ascii_lowercase) else { return Vec::new() };
        let familiar = reference.familiar_name();
        let mut found: Vec<Match<'_>> = Vec::new();
        fn add<'d>(m: Match<'d>, found: &mut Vec<Match<'d>>) {
            if !found.iter().any(|f| std::ptr::eq(f.cycle, m.cycle)) {
                found.push(m);
            }
        }
        if let Some(product) = self.products.iter().find(|p| p.images.contains(&familiar)) {
            let first = tag.split('-').next().unwrap_or_default();
            if let Some(cycle) = product.cycle_named(first) {
                add(Match { product, cycle }, &mut found);
            }
        }
        for component in tag.split('-') {
            for product in self.products.iter().filter(|p| p.distribution) {
                let by_codename = product.cycles.iter().find(|c| c.aliases.iter().any(|a| a == component));
                let by_prefix = product
                    .prefix
                    .as_deref()
                    .and_then(|prefix| component.strip_prefix(prefix))
                    .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                    .and_then(|rest| product.cycle_of_version(rest));
                if let Some(cycle) = by_codename.filter(|c| product.codename_in_tags(c)).or(by_prefix) {
                    add(Match { product, cycle }, &mut found);
                }
            }
        }
        found
    }

    /// The distribution cycle an `os-release` names (`ID`, `VERSION_ID`, else
    /// `VERSION_CODENAME`). A release without a version (Debian testing) names none.
    pub fn for_os_release(
        &self,
        id: &str,
        version_id: Option<&str>,
        codename: Option<&str>,
    ) -> Option<Match<'_>> {
        let product = self.products.iter().find(|p| p.os_ids.iter().any(|i| i == id))?;
        let cycle = match version_id {
            Some(version) => product.cycle_named(version),
            None => {
                codename.and_then(|name| product.cycles.iter().find(|c| c.aliases.iter().any(|a| a == name)))
            }
        }?;
        Some(Match { product, cycle })
    }
}

impl Product {
    /// The cycle a tag's first component or an os-release version names: an alias, the cycle
    /// itself, or a version inside the cycle (`3.7.16` in `3.7`, `14.21.3` in `14`).
    fn cycle_named(&self, text: &str) -> Option<&Cycle> {
        if let Some(cycle) =
            self.cycles.iter().find(|c| c.version == text || c.aliases.iter().any(|a| a == text))
        {
            return Some(cycle);
        }
        let text = self.prefix.as_deref().and_then(|p| text.strip_prefix(p)).unwrap_or(text);
        self.cycle_of_version(text)
    }

    /// The cycle a version (`3.12.1`, `8u342`, `11.0.16_8`) belongs to: the longest cycle whose
    /// dotted components it starts with. A version less precise than every cycle (`3`) names
    /// none.
    fn cycle_of_version(&self, text: &str) -> Option<&Cycle> {
        let end = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
        let version: Vec<&str> = text[..end].split('.').filter(|p| !p.is_empty()).collect();
        if version.is_empty() {
            return None;
        }
        self.cycles
            .iter()
            .filter(|cycle| {
                let parts: Vec<&str> = cycle.version.split('.').collect();
                parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
                    && parts.len() <= version.len()
                    && parts.iter().zip(&version).all(|(a, b)| a == b)
            })
            .max_by_key(|cycle| cycle.version.len())
    }

    /// Whether a codename of `cycle` in another image's tag is read as this distribution: Debian
    /// codenames and Ubuntu LTS codenames (interim Ubuntu codenames such as `groovy` or `disco`
    /// are too often other words).
    fn codename_in_tags(&self, cycle: &Cycle) -> bool {
        if !self.os_ids.iter().any(|id| id == "ubuntu") {
            return true;
        }
        cycle
            .version
            .split_once('.')
            .is_some_and(|(year, month)| month == "04" && year.parse::<u32>().is_ok_and(|y| y % 2 == 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn cycles(text: &str) -> Vec<String> {
        let reference = ImageRef::parse(text).unwrap_or_else(|| panic!("{text}"));
        EolData::bundled().for_image(&reference).iter().map(Match::describe).collect()
    }

    #[test]
    fn the_data_parses_and_is_ordered() {
        let data = EolData::parse(DATA).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(data.products.len(), 13);
        for product in &data.products {
            assert!(!product.cycles.is_empty(), "{}", product.name);
            assert!(!product.images.is_empty(), "{}", product.name);
        }
        assert!(EolData::parse("[x]\n9 2022-13-01\n").unwrap_err().contains("line 2"));
        assert!(EolData::parse("9 2022-01-01\n").unwrap_err().contains("line 1"));
    }

    #[test]
    fn image_tags() {
        assert_eq!(cycles("debian:stretch"), ["Debian 9 (stretch)"]);
        assert_eq!(cycles("debian:9.13-slim"), ["Debian 9 (stretch)"]);
        assert_eq!(cycles("node:14-alpine"), ["Node.js 14 (fermium)"]);
        assert_eq!(cycles("node:14.21.3-alpine3.17"), ["Node.js 14 (fermium)", "Alpine Linux 3.17"]);
        assert_eq!(cycles("node:fermium"), ["Node.js 14 (fermium)"]);
        assert_eq!(cycles("python:3.7-slim"), ["Python 3.7"]);
        assert_eq!(cycles("python:3.7-slim-buster"), ["Python 3.7", "Debian 10 (buster)"]);
        assert_eq!(cycles("ubuntu:18.04"), ["Ubuntu 18.04 (bionic)"]);
        assert_eq!(cycles("ubuntu:bionic-20230530"), ["Ubuntu 18.04 (bionic)"]);
        assert_eq!(cycles("alpine:3.12"), ["Alpine Linux 3.12"]);
        assert_eq!(cycles("alpine:3.12.1"), ["Alpine Linux 3.12"]);
        assert_eq!(cycles("centos:7"), ["CentOS 7"]);
        assert_eq!(cycles("centos:centos7.9.2009"), ["CentOS 7"]);
        assert_eq!(cycles("quay.io/centos/centos:stream8"), ["CentOS stream8"]);
        assert_eq!(cycles("golang:1.19"), ["Go 1.19"]);
        assert_eq!(cycles("golang:1.19.5-bullseye"), ["Go 1.19", "Debian 11 (bullseye)"]);
        assert_eq!(cycles("php:7.4-fpm"), ["PHP 7.4"]);
        assert_eq!(cycles("openjdk:8"), ["OpenJDK 8"]);
        assert_eq!(cycles("openjdk:8u342-jdk"), ["OpenJDK 8"]);
        assert_eq!(cycles("eclipse-temurin:11"), ["Eclipse Temurin 11"]);
        assert_eq!(
            cycles("eclipse-temurin:11.0.16_8-jdk-focal"),
            ["Eclipse Temurin 11", "Ubuntu 20.04 (focal)"]
        );
        assert_eq!(cycles("amazonlinux:2018.03"), ["Amazon Linux 1"]);
        assert_eq!(cycles("ruby:2.7"), ["Ruby 2.7"]);
        assert_eq!(cycles("fedora:35"), ["Fedora 35"]);
        assert_eq!(cycles("acme/app:1.2-stretch"), ["Debian 9 (stretch)"]);
    }

    #[test]
    fn moving_and_unknown_tags_name_no_cycle() {
        for text in [
            "node",
            "node:lts",
            "node:latest",
            "python:3",
            "python:3-slim",
            "debian:stable",
            "acme/node:14",
            "ghcr.io/acme/python:3.7",
            "gradle:jdk11-groovy",
            "x:disco",
        ] {
            assert!(cycles(text).is_empty(), "{text}: {:?}", cycles(text));
        }
    }

    #[test]
    fn os_release() {
        let data = EolData::bundled();
        let describe =
            |id, version, codename| data.for_os_release(id, version, codename).map(|m| m.describe());
        assert_eq!(describe("debian", Some("9"), Some("stretch")), Some("Debian 9 (stretch)".into()));
        assert_eq!(describe("debian", None, Some("trixie")), Some("Debian 13 (trixie)".into()));
        assert_eq!(describe("alpine", Some("3.12.12"), None), Some("Alpine Linux 3.12".into()));
        assert_eq!(describe("ubuntu", Some("18.04"), Some("bionic")), Some("Ubuntu 18.04 (bionic)".into()));
        assert_eq!(describe("amzn", Some("2018.03"), None), Some("Amazon Linux 1".into()));
        assert_eq!(describe("amzn", Some("2"), None), Some("Amazon Linux 2".into()));
        assert_eq!(describe("centos", Some("7"), None), Some("CentOS 7".into()));
        assert_eq!(describe("gentoo", Some("2.15"), None), None);
        assert_eq!(describe("debian", None, None), None);
    }

    #[test]
    fn past_is_judged_against_the_given_day() {
        let data = EolData::bundled();
        let stretch = data.for_os_release("debian", Some("9"), None).map(|m| m.cycle).expect("stretch");
        assert_eq!(stretch.end, date("2022-06-30"));
        assert!(!stretch.is_past(date("2022-06-30")));
        assert!(stretch.is_past(date("2022-07-01")));
    }
}
