//! CycloneDX and SPDX output: valid against the official CycloneDX 1.6 schema and the SPDX
//! project's validator, with components, vulnerabilities and their links.

mod common;

use serde_json::Value;
use shipshape_model::{
    Component, ComponentKind, Finding, Origin, Severity, SourceFile, Span, Subject, SubjectKind,
    VulnerabilityRef,
};
use shipshape_report::{Format, HumanOptions, Report, render};
use std::process::Command;

fn component(
    kind: ComponentKind,
    name: &str,
    version: &str,
    ecosystem: &str,
    purl: Option<&str>,
) -> Component {
    Component {
        kind,
        name: name.into(),
        version: version.into(),
        ecosystem: Some(ecosystem.into()),
        purl: purl.map(str::to_owned),
        licenses: vec!["Apache-2.0".into(), "custom licence text".into()],
        source_name: None,
        path: "img.tar!/layer-1/var/lib/dpkg/status".into(),
        layer: Some("layer 1 (RUN apt-get install -y openssl)".into()),
    }
}

struct Scan {
    findings: Vec<Finding>,
    components: Vec<Component>,
    subject: Subject,
    sources: Vec<SourceFile>,
}

fn scan() -> Scan {
    let status = "img.tar!/layer-1/var/lib/dpkg/status";
    let source = SourceFile::new(status, "Package: openssl\nVersion: 3.0.11-1~deb12u1\n");
    let mut finding = Finding::new(
        &common::APT_RECOMMENDS,
        &Origin::new(status.into(), Span::new(0, 16)),
        "CVE-2099-1000 in openssl 3.0.11-1~deb12u1 (fixed in 3.0.11-1~deb12u2)",
    )
    .with_help("upgrade openssl to 3.0.11-1~deb12u2 or later");
    finding.severity = Severity::Critical;
    finding.vulnerability = Some(Box::new(VulnerabilityRef {
        id: "CVE-2099-1000".into(),
        aliases: vec!["DEBIAN-CVE-2099-1000".into(), "GHSA-aaaa-bbbb-cccc".into()],
        package: "openssl".into(),
        version: "3.0.11-1~deb12u1".into(),
        purl: Some("pkg:deb/debian/openssl@3.0.11-1~deb12u1".into()),
        fixed: Some("3.0.11-1~deb12u2".into()),
    }));
    finding.locate(&source);
    let components = vec![
        component(ComponentKind::OperatingSystem, "debian", "12", "Debian:12", None),
        component(
            ComponentKind::Library,
            "openssl",
            "3.0.11-1~deb12u1",
            "Debian:12",
            Some("pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"),
        ),
        component(
            ComponentKind::Library,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "Maven",
            Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        ),
        // The same package listed twice: references stay unique.
        component(ComponentKind::Library, "zlib", "1.3", "npm", Some("pkg:npm/zlib@1.3")),
        component(ComponentKind::Library, "zlib", "1.3", "npm", Some("pkg:npm/zlib@1.3")),
    ];
    let subject = Subject {
        name: "registry.example/team/app:1.0".into(),
        kind: SubjectKind::Container,
        digest: Some(format!("sha256:{}", "ab".repeat(32))),
    };
    Scan { findings: vec![finding], components, subject, sources: vec![source] }
}

fn rendered(format: Format, scan: &Scan) -> String {
    let report = Report::new("0.1.0", &scan.findings, &[], &scan.sources)
        .with_components(&scan.components, Some(&scan.subject))
        .with_timestamp(Some(1_796_083_199));
    let mut out = Vec::new();
    render(format, &report, &HumanOptions::default(), &mut out).expect("rendering to a Vec");
    String::from_utf8(out).expect("UTF-8")
}

fn cyclonedx_validator() -> jsonschema::Validator {
    let schema = |text: &str| -> Value { serde_json::from_str(text).expect("schema is JSON") };
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
            jsonschema::Resource::from_contents(schema(include_str!("data/cyclonedx/spdx.schema.json"))),
        )
        .and_then(|r| {
            r.add(
                "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
                jsonschema::Resource::from_contents(schema(include_str!(
                    "data/cyclonedx/jsf-0.82.schema.json"
                ))),
            )
        })
        .and_then(|r| r.prepare())
        .expect("the registry builds");
    jsonschema::draft7::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema(include_str!("data/cyclonedx/bom-1.6.schema.json")))
        .expect("the CycloneDX schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} is not valid:\n{}", errors.join("\n"));
}

#[test]
fn cyclonedx_is_valid_and_links_vulnerabilities_to_components() {
    let scan = scan();
    let text = rendered(Format::Cyclonedx, &scan);
    let bom: Value = serde_json::from_str(&text).expect("JSON");
    let validator = cyclonedx_validator();
    assert_valid(&validator, &bom, "CycloneDX");
    // The validator is not vacuous: a wrong type is caught.
    let mut broken = bom.clone();
    broken["components"][0]["type"] = Value::from("firmware-ish");
    assert!(!validator.is_valid(&broken), "the schema rejects an unknown component type");

    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2026-11-30T23:59:59Z");
    assert_eq!(bom["metadata"]["component"]["type"], "container");
    assert_eq!(bom["metadata"]["component"]["hashes"][0]["content"], "ab".repeat(32));
    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.len(), 5);
    let refs: Vec<&str> = components.iter().map(|c| c["bom-ref"].as_str().unwrap()).collect();
    let mut unique = refs.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), refs.len(), "{refs:?}");
    let log4j = components.iter().find(|c| c["name"] == "log4j-core").unwrap();
    assert_eq!(log4j["group"], "org.apache.logging.log4j");
    assert_eq!(components[0]["type"], "operating-system");

    let vulnerability = &bom["vulnerabilities"][0];
    assert_eq!(vulnerability["id"], "CVE-2099-1000");
    assert_eq!(vulnerability["source"]["name"], "NVD");
    assert_eq!(vulnerability["references"][1]["source"]["name"], "GitHub");
    assert_eq!(vulnerability["ratings"][0]["severity"], "critical");
    assert_eq!(vulnerability["analysis"]["state"], "in_triage");
    assert_eq!(
        vulnerability["affects"][0]["ref"],
        "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12",
        "the finding's purl matches the component's, qualifiers aside"
    );
    // Reproducible: the same input at the same time is the same document.
    assert_eq!(text, rendered(Format::Cyclonedx, &scan));
}

#[test]
fn spdx_has_packages_relationships_and_advisories() {
    let scan = scan();
    let text = rendered(Format::Spdx, &scan);
    let document: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    let packages = document["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 6, "the subject and five components");
    assert_eq!(packages[0]["primaryPackagePurpose"], "CONTAINER");
    let openssl = packages.iter().find(|p| p["name"] == "openssl").unwrap();
    let references = openssl["externalRefs"].as_array().unwrap();
    assert_eq!(references[0]["referenceType"], "purl");
    assert_eq!(references[1]["referenceLocator"], "https://osv.dev/vulnerability/CVE-2099-1000");
    let contains =
        document["relationships"].as_array().unwrap().iter().filter(|r| r["relationshipType"] == "CONTAINS");
    assert_eq!(contains.count(), 5);
    if let Some(log) = pyspdxtools(&text) {
        assert!(log.trim().is_empty(), "pyspdxtools: {log}");
    }
}

#[test]
#[should_panic(expected = "spdx_id must only contain")]
fn the_spdx_validator_is_not_vacuous() {
    let text = rendered(Format::Spdx, &scan()).replace("SPDXRef-Package-1", "SPDXRef Package 1");
    if Command::new("pyspdxtools").arg("--help").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "pyspdxtools is required under CI");
        panic!("spdx_id must only contain (pyspdxtools missing: nothing to check)");
    }
    if let Some(log) = pyspdxtools(&text) {
        assert!(log.trim().is_empty(), "pyspdxtools: {log}");
    }
}

/// Runs the SPDX project's validator (`pip install spdx-tools`; .ci/run installs it) on `text`
/// and returns what it logged (nothing, with success, for a valid document). `None` when it is not installed,
/// which fails the test under CI.
#[allow(clippy::print_stderr)]
fn pyspdxtools(text: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sbom.spdx.json");
    std::fs::write(&path, text).expect("write");
    let output = match Command::new("pyspdxtools").arg("-i").arg(&path).output() {
        Ok(output) => output,
        Err(error) => {
            assert!(std::env::var_os("CI").is_none(), "pyspdxtools is required under CI: {error}");
            eprintln!("note: pyspdxtools not installed ({error}); SPDX validation skipped");
            return None;
        }
    };
    let log =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.success(), log.trim().is_empty(), "exit status and log disagree: {output:?}");
    Some(log)
}

#[test]
fn the_spdx_validator_catches_a_broken_document() {
    let text = rendered(Format::Spdx, &scan()).replace("SPDXRef-Package-1", "SPDXRef Package 1");
    if let Some(log) = pyspdxtools(&text) {
        assert!(log.contains("document is invalid") && log.contains("spdx_id must only contain"), "{log}");
    }
}
