use shipshape_model::{declare_rule, redact};
use shipshape_yaml::Node;

use crate::checkers::kube_object::KubeObject;
use crate::context::Checker;
use crate::secrets::sec100_secret_in_environment::{is_literal_secret, is_secret_name};
use crate::secrets::sec101_known_credential_format::find_credential;

declare_rule! {
    /// ## What it does
    /// Flags a credential in a Kubernetes `ConfigMap`: a key named like one (`DB_PASSWORD`,
    /// `api-token`) with a literal value, or a value holding a credential of a known format
    /// (private keys, cloud and VCS tokens, passwords in URLs), also inside embedded files.
    ///
    /// ## Why is this bad?
    /// ConfigMaps are not secret: anyone who may read them (often every service account of the
    /// namespace, every `kubectl describe`, every backup) reads the credential, and it is
    /// committed in the manifest.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// data:
    ///   DB_PASSWORD: s3cr3t-Passw0rd
    /// ```
    ///
    /// Use instead: a Secret created out of band, referenced with `secretKeyRef`.
    ///
    /// ## Fix
    /// Move the value to a Secret (kept out of the repository) and rotate it.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    pub static CREDENTIAL_IN_CONFIG_MAP = {
        code: "SEC103",
        name: "credential-in-config-map",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a ConfigMap holds a credential",
        aliases: [],
    }
}

pub(crate) fn check(object: &KubeObject<'_, '_>, checker: &mut Checker<'_>) {
    if object.info.kind != "ConfigMap" {
        return;
    }
    let entries = object.info.node.get("data").and_then(Node::as_mapping).unwrap_or_default();
    for (key, value) in entries {
        let (Some(name), Some(text)) = (key.as_str(), value.as_str()) else { continue };
        let message = if let Some(credential) = find_credential(text) {
            format!(
                "{} holds {} ({}) under {name:?}",
                object.display_name(),
                credential.kind,
                redact(credential.text)
            )
        } else if is_secret_name(name)
            && !text.trim().is_empty()
            && !text.contains('\n')
            && is_literal_secret(text)
            && !names_a_secret_object(name, text)
        {
            format!("{} holds a literal credential under {name:?}", object.display_name())
        } else {
            continue;
        };
        checker.report(&CREDENTIAL_IN_CONFIG_MAP, &object.origin(value), message).help = Some(
            "move the value to a Secret kept out of the repository and reference it with `secretKeyRef`"
                .into(),
        );
    }
}

/// `KUBE_SECRET: registry-token`, `TLS_SECRET_NAME: web-tls`: the name of a Secret object (a
/// lower-case DNS label) under a key that says "secret", not a credential.
fn names_a_secret_object(key: &str, value: &str) -> bool {
    let is_dns_label = value.len() <= 253
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.ends_with(|c: char| c.is_ascii_alphanumeric());
    is_dns_label && key.to_ascii_lowercase().contains("secret")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::kube_object::testing::{lines, run};

    #[test]
    fn secret_names_and_known_formats() {
        let key = concat!(
            "-----BEGIN RSA PRIVATE KEY-----\n    MIIEowIBAAKCAQEA",
            "x7Yq0Zb\n    -----END RSA PRIVATE KEY-----"
        );
        let yaml = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app}}\ndata:\n  DB_PASSWORD: s3cr3t-Passw0rd\n  LOG_LEVEL: debug\n  PASSWORD_FILE: /run/secrets/db\n  key.pem: |\n    {key}\n  KUBE_SECRET: my-registry-token\n  CLIENT_SECRET: Xk9-2fQ.lm3Z\n"
        );
        let found = run(&CREDENTIAL_IN_CONFIG_MAP, &yaml);
        assert_eq!(lines(&yaml, &found), [5, 8, 13], "{found:?}");
        assert!(found.iter().all(|f| !f.message.contains("s3cr3t") && !f.message.contains("MIIEow")));
    }
}
