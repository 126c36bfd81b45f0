use shipshape_model::{Origin, declare_rule};

use crate::checkers::image_ref::NamedImage;
use crate::context::Checker;
use crate::eol::{EolData, Match};

declare_rule! {
    /// ## What it does
    /// Flags an image built on a distribution or runtime release that has reached its end of
    /// life, judged against today's date: the release its tag names (`debian:stretch`,
    /// `ubuntu:18.04`, `alpine:3.12`, `centos:7`, `node:14-alpine`, `python:3.7-slim`,
    /// `golang:1.19`, `php:7.4-fpm`, `openjdk:8`), a Debian or Ubuntu LTS codename or
    /// `alpineX.Y` in any tag (`python:3.12-slim-buster`, `node:20-alpine3.16`), and for an image
    /// read by `shipshape image`, the release its `os-release` names. Moving tags (`node:lts`,
    /// `python:3`) name no release and are not judged. Dates come from the bundled
    /// `resources/eol.txt` (compiled from endoflife.date, with its compilation date); Debian
    /// counts to the end of LTS, Ubuntu to the end of standard support.
    ///
    /// ## Why is this bad?
    /// Nobody fixes vulnerabilities in a release past its end of life: every flaw found since
    /// stays in the image for good, scanners stop reporting some of them (advisories name only
    /// supported releases), and package mirrors for old releases disappear, so even rebuilding
    /// breaks.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.7-slim-buster
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim-bookworm
    /// ```
    ///
    /// ## Fix
    /// Move to a supported release and test the application on it. Not fixed automatically.
    ///
    /// ## References
    /// - endoflife.date
    pub static END_OF_LIFE_IMAGE = {
        code: "IMG015",
        name: "end-of-life-image",
        layer: Image,
        threat: VulnerableDependency,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "image is built on a release past its end of life",
        aliases: [],
    }
}

pub(crate) fn check(image: &NamedImage, checker: &mut Checker<'_>) {
    let Some(today) = checker.settings.today else { return };
    let Some(reference) = image.reference() else { return };
    if !image.site.is_pulled() {
        return;
    }
    let past: Vec<Match<'_>> =
        EolData::bundled().for_image(reference).into_iter().filter(|m| m.cycle.is_past(today)).collect();
    if past.is_empty() {
        return;
    }
    let parts: Vec<String> =
        past.iter().map(|m| format!("{} reached end of life on {}", m.describe(), m.cycle.end)).collect();
    checker
        .report(&END_OF_LIFE_IMAGE, &image.origin, format!("{}: {}", image.quoted(), parts.join("; ")))
        .help = Some("move to a supported release; nothing fixes vulnerabilities in this one".into());
}

/// Reports the release an image's `os-release` names when it is past its end of life;
/// `origin` points at the `VERSION_ID` (or `ID`) line. Used by the `os-release` front end.
pub fn check_os_release(
    id: &str,
    version_id: Option<&str>,
    codename: Option<&str>,
    origin: &Origin,
    checker: &mut Checker<'_>,
) {
    if !checker.enabled(&END_OF_LIFE_IMAGE) {
        return;
    }
    let Some(today) = checker.settings.today else { return };
    let Some(found) = EolData::bundled().for_os_release(id, version_id, codename) else { return };
    if !found.cycle.is_past(today) {
        return;
    }
    checker
        .report(
            &END_OF_LIFE_IMAGE,
            origin,
            format!("the image runs {}, which reached end of life on {}", found.describe(), found.cycle.end),
        )
        .help = Some("rebuild on a supported release; nothing fixes vulnerabilities in this one".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::image_ref::testing::{run, run_with};
    use shipshape_model::date::Date;

    fn on(day: &str) -> crate::RuleSettings {
        crate::RuleSettings { today: Date::parse(day).ok(), ..Default::default() }
    }

    #[test]
    fn judged_against_the_injected_day() {
        let findings = run_with(&END_OF_LIFE_IMAGE, "debian:stretch", &on("2022-07-01"));
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "`debian:stretch`: Debian 9 (stretch) reached end of life on 2022-06-30"
        );
        assert!(run_with(&END_OF_LIFE_IMAGE, "debian:stretch", &on("2022-06-30")).is_empty());
        assert!(run(&END_OF_LIFE_IMAGE, "debian:stretch").is_empty(), "no today, no judgement");
        let both = run_with(&END_OF_LIFE_IMAGE, "python:3.7-slim-buster", &on("2030-01-01"));
        assert_eq!(
            both[0].message,
            "`python:3.7-slim-buster`: Python 3.7 reached end of life on 2023-06-27; Debian 10 (buster) reached end of life on 2024-06-30"
        );
        let only_python = run_with(&END_OF_LIFE_IMAGE, "python:3.7-slim-buster", &on("2024-01-01"));
        assert!(only_python[0].message.ends_with("Python 3.7 reached end of life on 2023-06-27"));
        assert!(run_with(&END_OF_LIFE_IMAGE, "node:lts-alpine", &on("2030-01-01")).is_empty());
    }

    #[test]
    fn os_release_is_judged_too() {
        let settings = on("2024-07-01");
        let all = |_: &shipshape_model::RuleMeta| true;
        let mut checker = Checker::new(&settings, &all);
        let origin = crate::checkers::image_ref::testing::workload_image("x").origin;
        check_os_release("debian", Some("10"), Some("buster"), &origin, &mut checker);
        check_os_release("debian", Some("12"), Some("bookworm"), &origin, &mut checker);
        let findings = checker.into_findings();
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "the image runs Debian 10 (buster), which reached end of life on 2024-06-30"
        );
    }
}
