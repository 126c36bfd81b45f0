use shipshape_model::{Origin, Severity, SourceFile, Span, declare_rule};
use shipshape_secrets::{Detector, SecretMatch};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a credential written into a file: cloud keys (AWS, GCP, Azure, Alibaba, ...), VCS and
    /// registry tokens (GitHub, GitLab, Bitbucket, Docker Hub, npm, PyPI), chat webhooks, payment
    /// and AI API keys, private keys (PEM, OpenSSH, PGP, PuTTY), JWTs, database URLs and other URLs
    /// with passwords, registry `auth` entries, `.npmrc`/`.pypirc` credentials, and high-entropy
    /// values assigned to names like `password`, `secret` or `token`. 183 detectors, each with a
    /// keyword prefilter and a linear-time pattern; documentation examples
    /// (`AKIAIOSFODNN7EXAMPLE`, `XXXXXXXX`) and placeholders (`${TOKEN}`, `<password>`,
    /// `changeme`) are not reported. Every text file of a scanned directory is read, as are the
    /// Dockerfiles, Compose files, manifests and `.env` files other rules read.
    ///
    /// The message names the kind of credential; reports show only its first characters.
    ///
    /// ## Why is this bad?
    /// A credential in a file reaches everyone who can read the repository, its forks, CI logs,
    /// and every image built from it (a secret copied into a layer stays there even when a later
    /// layer deletes it).
    ///
    /// ## Example
    /// ```sh
    /// export GITHUB_TOKEN=ghp_...   # a real token
    /// ```
    ///
    /// Use instead: read the credential at run time from a secret store or a mounted secret file.
    ///
    /// ## Fix
    /// Remove the credential, rotate it (it is compromised), and load it from a secret manager.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    /// - OWASP Top 10 for CI/CD: CICD-SEC-6 Insufficient Credential Hygiene
    pub static HARDCODED_SECRET = {
        code: "SEC110",
        name: "hardcoded-secret",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a credential is written in the file",
        aliases: [(Trivy, "secret"), (Kics, "a88baa34-e2ad-44ea-ad6f-8cac87bc7c71")],
    }
}

fn severity(found: &SecretMatch) -> Severity {
    match found.rule.severity() {
        shipshape_secrets::Severity::Critical => Severity::Critical,
        shipshape_secrets::Severity::High => Severity::High,
        shipshape_secrets::Severity::Medium => Severity::Medium,
        shipshape_secrets::Severity::Low => Severity::Low,
    }
}

/// Reports every credential `detector` finds in `source` (documentation examples excluded).
pub(crate) fn check(source: &SourceFile, detector: &Detector, checker: &mut Checker<'_>) {
    for found in detector.scan_path(&source.path, source.text.as_bytes()) {
        if found.is_example {
            continue;
        }
        let span = Span::from_range(found.span.clone());
        let origin = Origin::new(source.path.clone(), span);
        let finding = checker.report(
            &HARDCODED_SECRET,
            &origin,
            format!("{} (`{}`: {})", found.rule.title(), found.rule.id(), found.redacted),
        );
        finding.severity = severity(&found);
        finding.help = Some("remove it, rotate it, and read it at run time from a secret store".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::RuleMeta;

    #[test]
    fn reports_real_credentials_not_examples_and_never_in_full() {
        let detector = Detector::new(shipshape_secrets::DetectorConfig::default()).expect("detector");
        let token = concat!("ghp_", "Xk29fQ7LmZ3pR8sT1vW4yB6nC0dE5gH2jK9a");
        let text =
            format!("# deploy\nexport GITHUB_TOKEN={token}\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
        let source = SourceFile::new("deploy.sh", text.as_str());
        let settings = crate::RuleSettings::default();
        let all = |_: &RuleMeta| true;
        let mut checker = Checker::new(&settings, &all);
        check(&source, &detector, &mut checker);
        let findings = checker.into_findings();
        assert_eq!(findings.len(), 1, "{findings:?}");
        let finding = &findings[0];
        assert_eq!(source.slice(finding.location.span), token);
        assert!(!finding.message.contains(token), "{}", finding.message);
        assert!(finding.message.contains("github-pat"), "{}", finding.message);
    }
}
