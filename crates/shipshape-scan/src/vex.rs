//! OpenVEX documents (`--vex`): statements that a vulnerability does not affect a product hide
//! the matching vulnerability findings.
//!
//! A statement applies when its `status` is `not_affected` or `fixed`, its `vulnerability`
//! (`name` or one of its `aliases`, or a plain string) is one of the finding's identifiers, and
//! one of its `products` (an `@id` or a plain string, with `subcomponents`) is the package's
//! package URL, versions and qualifiers aside (`pkg:pypi/requests@2.19.0` covers every
//! `requests`).

use std::path::Path;

use serde_json::Value;
use shipshape_model::inventory::purl_base;

/// The statements of the VEX documents given.
#[derive(Debug, Clone, Default)]
pub struct VexStatements {
    statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
struct Statement {
    ids: Vec<String>,
    products: Vec<String>,
}

/// A VEX document could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct VexError {
    /// The document.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl VexStatements {
    /// Reads the OpenVEX documents at `paths`.
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<VexStatements, VexError> {
        let mut statements = VexStatements::default();
        for path in paths {
            let path = path.as_ref();
            let display = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|e| VexError { path: display.clone(), message: e.to_string() })?;
            statements.add(&text).map_err(|message| VexError { path: display, message })?;
        }
        Ok(statements)
    }

    /// Adds the statements of one OpenVEX JSON document.
    pub fn add(&mut self, text: &str) -> Result<(), String> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON (line {}): {e}", e.line()))?;
        let list = document
            .get("statements")
            .and_then(Value::as_array)
            .ok_or_else(|| "not an OpenVEX document: no `statements` array".to_owned())?;
        for statement in list {
            let status = statement.get("status").and_then(Value::as_str).unwrap_or_default();
            if !matches!(status, "not_affected" | "fixed") {
                continue;
            }
            let mut ids = Vec::new();
            match statement.get("vulnerability") {
                Some(Value::String(name)) => ids.push(name.clone()),
                Some(vulnerability) => {
                    for key in ["name", "@id"] {
                        if let Some(name) = vulnerability.get(key).and_then(Value::as_str) {
                            ids.push(name.to_owned());
                        }
                    }
                    let aliases = vulnerability.get("aliases").and_then(Value::as_array);
                    ids.extend(aliases.into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
                }
                None => {}
            }
            let mut products = Vec::new();
            let mut add_product = |product: &Value| match product {
                Value::String(id) => products.push(purl_base(id)),
                other => {
                    if let Some(id) = other.get("@id").and_then(Value::as_str) {
                        products.push(purl_base(id));
                    }
                    let purl = other.get("identifiers").and_then(|i| i.get("purl")).and_then(Value::as_str);
                    if let Some(purl) = purl {
                        products.push(purl_base(purl));
                    }
                }
            };
            for product in statement.get("products").and_then(Value::as_array).into_iter().flatten() {
                add_product(product);
                let subcomponents = product.get("subcomponents").and_then(Value::as_array);
                for sub in subcomponents.into_iter().flatten() {
                    add_product(sub);
                }
            }
            if !ids.is_empty() {
                self.statements.push(Statement { ids, products });
            }
        }
        Ok(())
    }

    /// Whether a statement says the vulnerability known by `ids` does not affect the package
    /// with package URL `purl` (or, without one, named `name`).
    pub fn not_affected<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a String>,
        purl: Option<&str>,
        name: &str,
    ) -> bool {
        if self.statements.is_empty() {
            return false;
        }
        let ids: Vec<&String> = ids.into_iter().collect();
        let purl = purl.map(purl_base);
        let name = name.to_ascii_lowercase();
        self.statements.iter().any(|statement| {
            statement.ids.iter().any(|id| ids.iter().any(|i| i.eq_ignore_ascii_case(id)))
                && statement.products.iter().any(|product| match &purl {
                    Some(purl) => product == purl,
                    None => product.rsplit('/').next() == Some(name.as_str()),
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_affected_statements_match_by_alias_and_purl() {
        let mut vex = VexStatements::default();
        vex.add(
            r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
              {"vulnerability":{"name":"GHSA-x","aliases":["CVE-2023-1"]},
               "products":[{"@id":"pkg:pypi/requests@2.19.0"}],"status":"not_affected",
               "justification":"vulnerable_code_not_in_execute_path"},
              {"vulnerability":"CVE-2023-2","products":["pkg:npm/lodash"],"status":"affected"}]}"#,
        )
        .unwrap();
        let ids = ["CVE-2023-1".to_owned()];
        assert!(vex.not_affected(&ids, Some("pkg:pypi/requests"), "requests"));
        assert!(!vex.not_affected(&ids, Some("pkg:pypi/flask"), "flask"));
        let other = ["CVE-2023-2".to_owned()];
        assert!(!vex.not_affected(&other, Some("pkg:npm/lodash"), "lodash"), "affected is not hidden");
        assert!(vex.add("{}").is_err());
    }
}
