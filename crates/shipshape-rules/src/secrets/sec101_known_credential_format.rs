use shipshape_model::{Severity, Workload, declare_rule, redact};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an environment variable whose value contains a credential in a well-known format,
    /// whatever the variable is called:
    /// - critical: private keys (`-----BEGIN ... PRIVATE KEY-----`), AWS access key IDs
    ///   (`AKIA`/`ASIA` + 16 characters), GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`,
    ///   `github_pat_`), GitLab tokens (`glpat-`), Slack tokens (`xoxb-`, `xoxa-`, `xoxp-`,
    ///   `xoxr-`, `xoxs-`), Stripe live keys (`sk_live_`, `rk_live_`), npm tokens (`npm_`),
    ///   SendGrid keys (`SG.`), OpenAI and Anthropic keys (`sk-proj-`, `sk-ant-`);
    /// - high: Google API keys (`AIza`), Slack webhook URLs, JSON Web Tokens, passwords in URLs
    ///   (`postgres://user:password@host`) and in connection strings (`Password=...;`).
    ///
    /// Values that refer to a secret instead of holding one (`${VAR}`, `$VAR`) are skipped.
    /// The message never shows the value: only a redacted prefix.
    ///
    /// ## Why is this bad?
    /// Environment values end up in version control, `docker inspect`, `/proc/<pid>/environ`,
    /// crash reports, CI logs and every process the container starts. A real token in a
    /// Compose file or a container's configuration is a leaked token.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   bot:
    ///     image: example/bot:1
    ///     environment:
    ///       DATABASE_URL: postgres://bot:s3cr3t-pw@db:5432/bot
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   bot:
    ///     image: example/bot:1
    ///     environment:
    ///       DATABASE_URL_FILE: /run/secrets/database_url
    ///     secrets:
    ///       - database_url
    /// secrets:
    ///   database_url:
    ///     environment: DATABASE_URL
    /// ```
    ///
    /// ## Fix
    /// Revoke the credential (it has leaked), issue a new one, and hand it to the container as
    /// a secret file (Compose or Swarm `secrets:`, a Kubernetes Secret volume) or from the
    /// deployment environment rather than from the file.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    /// - CWE-526: Exposure of Sensitive Information Through Environmental Variables
    pub static KNOWN_CREDENTIAL_FORMAT = {
        code: "SEC101",
        name: "known-credential-format",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: Critical,
        fix: None,
        summary: "an environment value contains a credential in a well-known format",
        aliases: [],
    }
}

/// A credential found in a value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Credential<'a> {
    pub(crate) kind: &'static str,
    pub(crate) severity: Severity,
    /// The credential text itself (for redaction; never printed whole).
    pub(crate) text: &'a str,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Length of the run of bytes satisfying `class` at the start of `bytes`.
fn run_len(bytes: &[u8], class: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|b| class(**b)).count()
}

/// A token with `prefix`, then at least `min` (at most `max`) bytes of `class`, ending at a
/// byte that is not alphanumeric. Returns the token's length.
fn token(bytes: &[u8], prefix: &[u8], min: usize, max: usize, class: impl Fn(u8) -> bool) -> Option<usize> {
    let rest = bytes.strip_prefix(prefix)?;
    let len = run_len(rest, class);
    if len < min || len > max {
        return None;
    }
    match rest.get(len) {
        Some(b) if b.is_ascii_alphanumeric() => None,
        _ => Some(prefix.len() + len),
    }
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `eyJ...`.`eyJ...`.`signature`: a JSON Web Token.
fn jwt(bytes: &[u8]) -> Option<usize> {
    let header = token(bytes, b"eyJ", 8, usize::MAX, base64url)?;
    let rest = bytes.get(header..)?.strip_prefix(b".")?;
    let payload = token(rest, b"eyJ", 8, usize::MAX, base64url)?;
    let rest = rest.get(payload..)?.strip_prefix(b".")?;
    let signature = run_len(rest, base64url);
    (signature >= 16).then_some(header + 1 + payload + 1 + signature)
}

/// `SG.` + 22 + `.` + 43: a SendGrid API key.
fn sendgrid(bytes: &[u8]) -> Option<usize> {
    let rest = bytes.strip_prefix(b"SG.")?;
    let first = run_len(rest, base64url);
    let rest = rest.get(first..)?.strip_prefix(b".")?;
    let second = run_len(rest, base64url);
    (first == 22 && second == 43).then_some(3 + first + 1 + second)
}

/// Token formats anchored at the start of a word: (kind, severity, matcher).
type Matcher = fn(&[u8]) -> Option<usize>;
const TOKENS: &[(&str, Severity, Matcher)] = &[
    ("an AWS access key ID", Severity::Critical, |b| token(b, b"AKIA", 16, 16, upper_alnum)),
    ("an AWS temporary access key ID", Severity::Critical, |b| token(b, b"ASIA", 16, 16, upper_alnum)),
    ("a GitHub token", Severity::Critical, |b| {
        [&b"ghp_"[..], b"gho_", b"ghu_", b"ghs_", b"ghr_"].iter().find_map(|p| token(b, p, 36, 255, alnum))
    }),
    ("a GitHub fine-grained token", Severity::Critical, |b| {
        token(b, b"github_pat_", 22, 255, |c| c.is_ascii_alphanumeric() || c == b'_')
    }),
    ("a GitLab token", Severity::Critical, |b| token(b, b"glpat-", 20, 255, base64url)),
    ("a Slack token", Severity::Critical, |b| {
        [&b"xoxb-"[..], b"xoxa-", b"xoxp-", b"xoxr-", b"xoxs-"]
            .iter()
            .find_map(|p| token(b, p, 10, 255, |c| c.is_ascii_alphanumeric() || c == b'-'))
    }),
    ("a Stripe live key", Severity::Critical, |b| {
        [&b"sk_live_"[..], b"rk_live_"].iter().find_map(|p| token(b, p, 16, 255, alnum))
    }),
    ("an npm token", Severity::Critical, |b| token(b, b"npm_", 36, 36, alnum)),
    ("a SendGrid API key", Severity::Critical, sendgrid),
    ("an OpenAI API key", Severity::Critical, |b| token(b, b"sk-proj-", 20, 255, base64url)),
    ("an Anthropic API key", Severity::Critical, |b| token(b, b"sk-ant-", 20, 255, base64url)),
    ("a Google API key", Severity::High, |b| token(b, b"AIza", 35, 35, base64url)),
    ("a JSON Web Token", Severity::High, jwt),
];

/// Whether a value part refers to a secret elsewhere instead of holding one.
pub(crate) fn is_reference(text: &str) -> bool {
    let text = text.trim();
    text.is_empty()
        || text.contains("${")
        || text.contains("{{")
        || text
            .strip_prefix('$')
            .and_then(|t| t.bytes().next())
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        || text.bytes().all(|b| b == b'*')
}

/// A private key block: `-----BEGIN [...] PRIVATE KEY-----`.
fn private_key(value: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(found) = value.get(from..)?.find("-----BEGIN ") {
        let start = from + found;
        let header_start = start + "-----BEGIN ".len();
        let header_end = header_start + value.get(header_start..)?.find("-----")?;
        let label = value.get(header_start..header_end)?;
        if label.ends_with("PRIVATE KEY") || label == "PGP PRIVATE KEY BLOCK" {
            return value.get(start..);
        }
        from = header_end;
    }
    None
}

/// The password of a URL's user info (`scheme://user:password@host`).
fn url_password(value: &str) -> Option<&str> {
    let bytes = value.as_bytes();
    let mut from = 0;
    while let Some(found) = value.get(from..)?.find("://") {
        let sep = from + found;
        from = sep + 3;
        let scheme_start = bytes
            .get(..sep)?
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')))
            .map_or(0, |i| i + 1);
        if !bytes.get(scheme_start).is_some_and(u8::is_ascii_alphabetic) || scheme_start >= sep {
            continue;
        }
        let rest = value.get(from..)?;
        let authority_end =
            rest.find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace()).unwrap_or(rest.len());
        let authority = rest.get(..authority_end)?;
        let Some(at) = authority.rfind('@') else { continue };
        let Some((_, password)) = authority.get(..at)?.split_once(':') else { continue };
        if !is_reference(password) {
            return Some(password);
        }
    }
    None
}

/// The password of a `key=value;` connection string (`Password=`, `Pwd=`, `AccountKey=`,
/// `SharedAccessKey=`).
fn connection_string_password(value: &str) -> Option<&str> {
    if !value.contains(';') {
        return None;
    }
    value.split(';').find_map(|part| {
        let (key, secret) = part.split_once('=')?;
        let key = key.trim();
        let sensitive =
            ["password", "pwd", "accountkey", "sharedaccesskey"].iter().any(|k| key.eq_ignore_ascii_case(k));
        let secret = secret.trim();
        (sensitive && !is_reference(secret)).then_some(secret)
    })
}

/// The first credential in `value`, scanning it once.
pub(crate) fn find_credential(value: &str) -> Option<Credential<'_>> {
    if let Some(text) = private_key(value) {
        return Some(Credential { kind: "a private key", severity: Severity::Critical, text });
    }
    let bytes = value.as_bytes();
    let mut after_word = false;
    for (i, byte) in bytes.iter().enumerate() {
        if !after_word && let Some(rest) = bytes.get(i..) {
            for (kind, severity, matcher) in TOKENS {
                if let Some(len) = matcher(rest) {
                    let text = value.get(i..i + len).unwrap_or_default();
                    return Some(Credential { kind, severity: *severity, text });
                }
            }
        }
        after_word = is_word(*byte);
    }
    if let Some(start) = value.find("https://hooks.slack.com/services/") {
        let text = value.get(start..).and_then(|s| s.split_whitespace().next()).unwrap_or_default();
        return Some(Credential { kind: "a Slack webhook URL", severity: Severity::High, text });
    }
    if let Some(text) = url_password(value) {
        return Some(Credential { kind: "a password in a URL", severity: Severity::High, text });
    }
    if let Some(text) = connection_string_password(value) {
        return Some(Credential {
            kind: "a password in a connection string",
            severity: Severity::High,
            text,
        });
    }
    None
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for env in &workload.env {
        let Some(value) = env.value.as_deref() else { continue };
        let Some(found) = find_credential(value) else { continue };
        let finding = checker.report(
            &KNOWN_CREDENTIAL_FORMAT,
            env.value_origin.as_ref().unwrap_or(&env.origin),
            format!("`{}` holds {} (`{}`)", env.name, found.kind, redact(found.text)),
        );
        finding.severity = found.severity;
        finding.help =
            Some("revoke it, then pass a new one as a secret file instead of in the configuration".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{at, run, service, starts};
    use shipshape_model::EnvVariable;

    fn kind(value: &str) -> Option<&'static str> {
        find_credential(value).map(|c| c.kind)
    }

    #[test]
    fn recognises_token_formats() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"),
            ("key=AKIAIOSFODNN7EXAMPLE;", "an AWS access key ID"),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "a GitHub token"),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFG",
                "a GitHub fine-grained token",
            ),
            ("glpat-abcdefghij0123456789", "a GitLab token"),
            ("xoxb-123456789012-1234567890123-abcdefABCDEF", "a Slack token"),
            ("sk_live_abcdefghijklmnop1234", "a Stripe live key"),
            ("npm_abcdefghijklmnopqrstuvwxyz0123456789", "an npm token"),
            ("AIzaSyA-abcdefghijklmnopqrstuvwxyz01234", "a Google API key"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "a JSON Web Token",
            ),
            ("SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "a SendGrid API key"),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----",
                "a private key",
            ),
            ("-----BEGIN RSA PRIVATE KEY-----MIIE", "a private key"),
            ("https://hooks.slack.com/services/T000/B000/XXXXXXXX", "a Slack webhook URL"),
            ("postgres://app:s3cret@db:5432/app", "a password in a URL"),
            ("redis://:hunter2@cache:6379/0", "a password in a URL"),
            ("Server=db;Database=app;User Id=sa;Password=Str0ng!;", "a password in a connection string"),
        ];
        for (value, expected) in cases {
            assert_eq!(kind(value), Some(expected), "{value}");
        }
    }

    #[test]
    fn ignores_lookalikes_and_references() {
        for value in [
            "AKIAIOSFODNN7EXAMPL",
            "AKIAIOSFODNN7EXAMPLEX",
            "xAKIAIOSFODNN7EXAMPLE",
            "ghp_short",
            "sk_test_abcdefghijklmnop1234",
            "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----",
            "https://example.com/path",
            "postgres://app@db:5432/app",
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgres://app:$DB_PASSWORD@db/app",
            "amqp://user:****@mq",
            "Server=db;Password=${SQL_PASSWORD};",
            "user:pass",
            "eyJhbGciOiJIUzI1NiJ9",
            "",
        ] {
            assert_eq!(kind(value), None, "{value}");
        }
    }

    #[test]
    fn scans_long_values_in_linear_time() {
        let long = "eyJ".repeat(100_000);
        assert_eq!(kind(&long), None);
        let dashes = "-----BEGIN ".repeat(10_000);
        assert_eq!(kind(&dashes), None);
        let urls = "a://".repeat(50_000);
        assert_eq!(kind(&urls), None);
    }

    #[test]
    fn reports_redacted_and_at_the_variable() {
        let mut w = service();
        w.env = vec![
            EnvVariable {
                name: "DEPLOY_KEY".into(),
                value: Some("ghp_abcdefghijklmnopqrstuvwxyz0123456789".into()),
                origin: at(10),
                value_origin: None,
            },
            EnvVariable {
                name: "GREETING".into(),
                value: Some("hello".into()),
                origin: at(20),
                value_origin: None,
            },
            EnvVariable { name: "PASSTHROUGH".into(), value: None, origin: at(30), value_origin: None },
        ];
        let findings = run(&KNOWN_CREDENTIAL_FORMAT, &w);
        assert_eq!(starts(&findings), [10]);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert!(!findings[0].message.contains("abcdefghij"), "{}", findings[0].message);
        assert!(findings[0].message.contains("ghp_****"), "{}", findings[0].message);
    }
}
