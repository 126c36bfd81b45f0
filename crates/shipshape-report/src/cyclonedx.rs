//! CycloneDX 1.6 JSON: the scan's components (image and lockfile packages) as a bill of
//! materials, and its vulnerability findings as VEX.
//!
//! - `metadata.component` is the scan's [`Subject`](shipshape_model::Subject) (`container` for an
//!   image, `application` for a source tree); `metadata.tools` names shipshape.
//! - Each [`Component`] becomes a component with its package URL as `bom-ref` (when unique),
//!   `licenses` by name as the package declares them, and `shipshape:path`, `shipshape:layer`,
//!   `shipshape:ecosystem` and `shipshape:source-package` properties. Maven `group:artifact` names
//!   are split into `group` and `name`.
//! - Each vulnerable-package finding becomes an entry of `vulnerabilities`: its id and source
//!   (NVD for CVE ids, GitHub for GHSA ids, else OSV), its aliases as `references`, the finding's
//!   severity as a rating, the fix as `recommendation`, `affects` pointing at the component, and
//!   `analysis.state` `in_triage` (matched by version; exploitability is for people to decide,
//!   and accepted vulnerabilities are suppressed before rendering).
//! - `dependencies` says the subject contains every component.
//!
//! Output is validated against the official CycloneDX 1.6 JSON schema in the tests.

use serde_json::{Map, Value, json};
use shipshape_model::{Component, ComponentKind, Severity, SubjectKind};
use std::io::{self, Write};

use crate::Report;
use crate::sbom::{component_of, component_refs, document_uuid, rfc3339, unix_time};

/// The `bom-ref` of the metadata component.
const SUBJECT_REF: &str = "subject";

/// Writes `report` as a CycloneDX 1.6 JSON document.
pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let unix = unix_time(report);
    let refs = component_refs(report.components);
    let components: Vec<Value> = report
        .components
        .iter()
        .zip(&refs)
        .map(|(component, bom_ref)| component_json(component, bom_ref))
        .collect();
    let mut vulnerabilities = Vec::new();
    for finding in report.findings {
        let Some(vulnerability) = finding.vulnerability.as_deref() else { continue };
        let mut entry = Map::new();
        entry.insert("bom-ref".into(), json!(format!("vulnerability-{}", vulnerabilities.len() + 1)));
        entry.insert("id".into(), json!(vulnerability.id));
        entry.insert("source".into(), source(&vulnerability.id));
        if !vulnerability.aliases.is_empty() {
            let references: Vec<Value> = vulnerability
                .aliases
                .iter()
                .map(|alias| json!({"id": alias, "source": source(alias)}))
                .collect();
            entry.insert("references".into(), json!(references));
        }
        entry.insert("ratings".into(), json!([{"severity": rating(finding.severity), "method": "other"}]));
        entry.insert("description".into(), json!(finding.message));
        if let Some(help) = &finding.help {
            entry.insert("recommendation".into(), json!(help));
        }
        let affected = match component_of(finding, report.components) {
            Some(index) => refs[index].clone(),
            None => SUBJECT_REF.to_owned(),
        };
        entry.insert(
            "affects".into(),
            json!([{"ref": affected, "versions": [{"version": vulnerability.version, "status": "affected"}]}]),
        );
        entry.insert(
            "analysis".into(),
            json!({"state": "in_triage", "detail": "the installed version is in an affected range"}),
        );
        vulnerabilities.push(Value::Object(entry));
    }
    let mut metadata = Map::new();
    metadata.insert("timestamp".into(), json!(rfc3339(unix)));
    metadata.insert(
        "tools".into(),
        json!({"components": [{"type": "application", "name": crate::TOOL_NAME, "version": report.tool_version}]}),
    );
    let mut subject = Map::new();
    let (kind, name) = match report.subject {
        Some(s) if s.kind == SubjectKind::Container => ("container", s.name.as_str()),
        Some(s) => ("application", s.name.as_str()),
        None => ("application", "."),
    };
    subject.insert("type".into(), json!(kind));
    subject.insert("bom-ref".into(), json!(SUBJECT_REF));
    subject.insert("name".into(), json!(name));
    let digest = report.subject.and_then(|s| s.digest.as_deref()).and_then(|d| d.split_once(':'));
    if let Some(("sha256", hex)) = digest {
        subject.insert("hashes".into(), json!([{"alg": "SHA-256", "content": hex}]));
        subject.insert("version".into(), json!(format!("sha256:{hex}")));
    }
    metadata.insert("component".into(), Value::Object(subject));
    let mut document = Map::new();
    document.insert("$schema".into(), json!("http://cyclonedx.org/schema/bom-1.6.schema.json"));
    document.insert("bomFormat".into(), json!("CycloneDX"));
    document.insert("specVersion".into(), json!("1.6"));
    document.insert("serialNumber".into(), json!(format!("urn:uuid:{}", document_uuid(report, unix))));
    document.insert("version".into(), json!(1));
    document.insert("metadata".into(), Value::Object(metadata));
    document.insert("components".into(), json!(components));
    document.insert("dependencies".into(), json!([{"ref": SUBJECT_REF, "dependsOn": refs}]));
    document.insert("vulnerabilities".into(), json!(vulnerabilities));
    serde_json::to_writer_pretty(&mut *out, &Value::Object(document))?;
    out.write_all(b"\n")
}

fn component_json(component: &Component, bom_ref: &str) -> Value {
    let mut entry = Map::new();
    let kind = match component.kind {
        ComponentKind::OperatingSystem => "operating-system",
        ComponentKind::Library => "library",
        ComponentKind::Application => "application",
    };
    entry.insert("type".into(), json!(kind));
    entry.insert("bom-ref".into(), json!(bom_ref));
    let maven = component.ecosystem.as_deref() == Some("Maven");
    match component.name.split_once(':').filter(|_| maven) {
        Some((group, artifact)) => {
            entry.insert("group".into(), json!(group));
            entry.insert("name".into(), json!(artifact));
        }
        None => {
            entry.insert("name".into(), json!(component.name));
        }
    }
    entry.insert("version".into(), json!(component.version));
    if !component.licenses.is_empty() {
        let licenses: Vec<Value> =
            component.licenses.iter().map(|license| json!({"license": {"name": license}})).collect();
        entry.insert("licenses".into(), json!(licenses));
    }
    if let Some(purl) = &component.purl {
        entry.insert("purl".into(), json!(purl));
    }
    let mut properties = vec![json!({"name": "shipshape:path", "value": component.path})];
    let optional = [
        ("shipshape:layer", &component.layer),
        ("shipshape:ecosystem", &component.ecosystem),
        ("shipshape:source-package", &component.source_name),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            properties.push(json!({"name": name, "value": value}));
        }
    }
    entry.insert("properties".into(), json!(properties));
    Value::Object(entry)
}

/// Where a vulnerability id is published.
fn source(id: &str) -> Value {
    let upper = id.to_ascii_uppercase();
    if upper.starts_with("CVE-") {
        json!({"name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{id}")})
    } else if upper.starts_with("GHSA-") {
        json!({"name": "GitHub", "url": format!("https://github.com/advisories/{id}")})
    } else {
        json!({"name": "OSV", "url": format!("https://osv.dev/vulnerability/{id}")})
    }
}

fn rating(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}
