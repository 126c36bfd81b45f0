use shipshape_model::declare_rule;
use shipshape_yaml::Node;

use crate::checkers::kube_object::KubeObject;
use crate::context::Checker;
use crate::secrets::sec100_secret_in_environment::is_literal_secret;

declare_rule! {
    /// ## What it does
    /// Flags each value of a Kubernetes `Secret` manifest's `data` or `stringData`: a real
    /// credential committed with the manifests. Empty values, placeholders (`<password>`,
    /// `${DB_PASSWORD}`, `changeme`) and base64 that does not decode are left alone. The finding
    /// points at the value, which every report redacts.
    ///
    /// ## Why is this bad?
    /// `data` is base64, an encoding, not encryption; `stringData` is plain text. Whoever can
    /// read the repository, its forks, CI logs or the rendered chart has the credential.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Secret
    /// metadata: {name: db}
    /// stringData:
    ///   password: s3cr3t-Passw0rd
    /// ```
    ///
    /// Use instead: create the Secret out of band (an external secrets operator, Sealed Secrets,
    /// SOPS, `kubectl create secret` from a vault) and commit only references.
    ///
    /// ## Fix
    /// Remove the value from the manifest, rotate the credential, and load it from a secret
    /// manager.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    /// - OWASP Kubernetes Top 10 K08: Secrets Management Failures
    pub static SECRET_MANIFEST_DATA = {
        code: "SEC102",
        name: "secret-manifest-data",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a Secret manifest holds a credential in plain (or base64) form",
        aliases: [],
    }
}

pub(crate) fn check(object: &KubeObject<'_, '_>, checker: &mut Checker<'_>) {
    if object.info.kind != "Secret" {
        return;
    }
    for (field, encoded) in [("stringData", false), ("data", true)] {
        let entries = object.info.node.get(field).and_then(Node::as_mapping).unwrap_or_default();
        for (key, value) in entries {
            let Some(text) = value.as_str() else { continue };
            let plain = if encoded {
                match shipshape_secrets::decode_base64(text.as_bytes())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                {
                    Some(plain) => plain,
                    None => continue,
                }
            } else {
                text.to_string()
            };
            if plain.trim().is_empty() || !is_literal_secret(&plain) {
                continue;
            }
            let name = key.as_str().unwrap_or_default();
            let form = if encoded { "base64 `data`" } else { "plain `stringData`" };
            checker.report(
                &SECRET_MANIFEST_DATA,
                &object.origin(value),
                format!("{} commits the value of {name:?} in {form}", object.display_name()),
            )
            .help = Some(
                "keep the value out of the repository: an external secrets operator, Sealed Secrets or SOPS, and rotate it"
                    .into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::kube_object::testing::{lines, run};

    #[test]
    fn flags_real_values_not_placeholders() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: s3cr3t-Passw0rd\n  template: ${DB_PASSWORD}\n  empty: \"\"\ndata:\n  token: czNjcjN0LVRva2VuLTEyMzQ1\n  junk: \"%%%\"\n";
        let found = run(&SECRET_MANIFEST_DATA, yaml);
        assert_eq!(lines(yaml, &found), [5, 9]);
        assert!(found.iter().all(|f| !f.message.contains("s3cr3t")));
        let config_map = yaml.replace("kind: Secret", "kind: ConfigMap");
        assert!(run(&SECRET_MANIFEST_DATA, &config_map).is_empty());
    }
}
