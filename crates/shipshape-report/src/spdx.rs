//! SPDX 2.3 JSON: the scan's components as packages of one document.
//!
//! - The [`Subject`](shipshape_model::Subject) is the described package (`SPDXRef-Subject`,
//!   purpose `CONTAINER` for an image, `SOURCE` for a tree); the document `DESCRIBES` it and it
//!   `CONTAINS` every component.
//! - Each [`Component`] is a package (`SPDXRef-Package-N`) with `versionInfo`, its package URL
//!   as a `PACKAGE-MANAGER` external reference, its purpose (`OPERATING-SYSTEM`, `LIBRARY`,
//!   `APPLICATION`), and where it was found in `comment`. Declared licences are not always SPDX
//!   expressions (dpkg gives none, apk and language metadata free text), so `licenseDeclared` is
//!   `NOASSERTION` and the text as declared goes into `licenseComments`.
//! - Each vulnerability finding adds a `SECURITY`/`advisory` external reference to its package.
//!
//! Output is checked with the SPDX project's own validator (`pyspdxtools`) in the tests.

use serde_json::{Map, Value, json};
use shipshape_model::{Component, ComponentKind, SubjectKind};
use std::io::{self, Write};

use crate::Report;
use crate::sbom::{component_of, document_uuid, rfc3339, unix_time};

const NOASSERTION: &str = "NOASSERTION";

/// Writes `report` as an SPDX 2.3 JSON document.
pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let unix = unix_time(report);
    let uuid = document_uuid(report, unix);
    let (subject_name, purpose) = match report.subject {
        Some(s) if s.kind == SubjectKind::Container => (s.name.as_str(), "CONTAINER"),
        Some(s) => (s.name.as_str(), "SOURCE"),
        None => (".", "SOURCE"),
    };
    let mut advisories: Vec<Vec<Value>> = vec![Vec::new(); report.components.len()];
    for finding in report.findings {
        let (Some(vulnerability), Some(index)) =
            (finding.vulnerability.as_deref(), component_of(finding, report.components))
        else {
            continue;
        };
        let locator = format!("https://osv.dev/vulnerability/{}", vulnerability.id);
        let reference = json!({"referenceCategory": "SECURITY", "referenceType": "advisory", "referenceLocator": locator});
        if !advisories[index].contains(&reference) {
            advisories[index].push(reference);
        }
    }
    let mut subject = package("SPDXRef-Subject", subject_name, None, purpose);
    if let Some((algorithm, hex)) =
        report.subject.and_then(|s| s.digest.as_deref()).and_then(|d| d.split_once(':'))
        && algorithm == "sha256"
    {
        subject.insert("checksums".into(), json!([{"algorithm": "SHA256", "checksumValue": hex}]));
    }
    let mut packages = vec![Value::Object(subject)];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Subject",
    })];
    for (index, (component, security)) in report.components.iter().zip(advisories).enumerate() {
        let id = format!("SPDXRef-Package-{}", index + 1);
        packages.push(component_package(&id, component, security));
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Subject",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    let document = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject_name,
        "documentNamespace": format!("https://shipshape.invalid/spdx/{}-{uuid}", namespace_safe(subject_name)),
        "creationInfo": {
            "created": rfc3339(unix),
            "creators": [format!("Tool: {}-{}", crate::TOOL_NAME, report.tool_version)],
        },
        "packages": packages,
        "relationships": relationships,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

fn package(id: &str, name: &str, version: Option<&str>, purpose: &str) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("SPDXID".into(), json!(id));
    entry.insert("name".into(), json!(name));
    if let Some(version) = version {
        entry.insert("versionInfo".into(), json!(version));
    }
    entry.insert("downloadLocation".into(), json!(NOASSERTION));
    entry.insert("filesAnalyzed".into(), json!(false));
    entry.insert("licenseConcluded".into(), json!(NOASSERTION));
    entry.insert("licenseDeclared".into(), json!(NOASSERTION));
    entry.insert("copyrightText".into(), json!(NOASSERTION));
    entry.insert("primaryPackagePurpose".into(), json!(purpose));
    entry
}

fn component_package(id: &str, component: &Component, security: Vec<Value>) -> Value {
    let purpose = match component.kind {
        ComponentKind::OperatingSystem => "OPERATING-SYSTEM",
        ComponentKind::Library => "LIBRARY",
        ComponentKind::Application => "APPLICATION",
    };
    let mut entry = package(id, &component.name, Some(&component.version), purpose);
    if !component.licenses.is_empty() {
        entry.insert("licenseComments".into(), json!(format!("declared: {}", component.licenses.join(", "))));
    }
    if let Some(source) = &component.source_name {
        entry.insert("sourceInfo".into(), json!(format!("built from source package {source}")));
    }
    let found = match &component.layer {
        Some(layer) => format!("listed by {} ({layer})", component.path),
        None => format!("listed by {}", component.path),
    };
    entry.insert("comment".into(), json!(found));
    let mut references: Vec<Value> = component
        .purl
        .iter()
        .map(|purl| json!({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}))
        .collect();
    references.extend(security);
    if !references.is_empty() {
        entry.insert("externalRefs".into(), json!(references));
    }
    Value::Object(entry)
}

/// A name made safe for the path of the document namespace URI.
fn namespace_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
        .collect();
    safe.trim_matches('-').chars().take(100).collect::<String>().to_ascii_lowercase()
}
