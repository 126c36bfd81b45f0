use shipshape_model::{Workload, declare_rule, redact};

use crate::context::Checker;
use crate::secrets::sec101_known_credential_format::{
    KNOWN_CREDENTIAL_FORMAT, find_credential, is_reference,
};

declare_rule! {
    /// ## What it does
    /// Flags an environment variable whose name says it holds a credential and whose value is
    /// a literal. Names are split into words at `_`, `-`, `.` and lower-to-upper case changes;
    /// a name is a credential's when a word is or contains `PASSWORD`/`PASSWD`, is `PASS`,
    /// `PWD` (not the shell's `PWD`/`OLDPWD`), `PASSPHRASE`, contains `SECRET` or `CREDENTIAL`,
    /// is `CREDS`, ends with `TOKEN`, or is a key of a kind (`API_KEY`, `APIKEY`, `ACCESS_KEY`,
    /// `PRIVATE_KEY`, `SECRET_KEY`, `SIGNING_KEY`, `ENCRYPTION_KEY`, `MASTER_KEY`, `APP_KEY`, ...).
    ///
    /// Not flagged:
    /// - names that describe the secret rather than hold it: a word after the keyword such as
    ///   `FILE`, `PATH`, `DIR`, `URL`, `HOST`, `PORT`, `USER`, `NAME`, `ID`, `TYPE`,
    ///   `LENGTH`, `TTL`, `EXPIRY`, `ENABLED`, `HEADER`, `ARN`, ... (`POSTGRES_PASSWORD_FILE`,
    ///   `JWT_SECRET_EXPIRES_IN`, `AWS_ACCESS_KEY_ID`);
    /// - values that are not the secret: empty, passed through from the caller
    ///   (`environment: [DB_PASSWORD]`), unresolved references (`${DB_PASSWORD}`, `$X`,
    ///   `{{ .Values.pw }}`), masked (`****`), booleans and `null`, file paths
    ///   (`/run/secrets/db_password`), and secret-manager references (`vault:`, `op://`,
    ///   `arn:aws:secretsmanager:`, `arn:aws:ssm:`, `ssm:`, `sm://`, `ref+`, `awssm:`,
    ///   `gcp:secretmanager:`, `projects/*/secrets/*`, `akv://`);
    /// - values `known-credential-format` recognises, while it is enabled (it reports them).
    ///
    /// Weak defaults (`changeme`, `password`, `admin`, `secret`, `123456`, ...) are flagged like
    /// any other literal, and the message says so. The message never shows the value: only a
    /// redacted prefix.
    ///
    /// ## Why is this bad?
    /// A password written into a Compose file or a container's configuration is in version
    /// control, `docker inspect` output, `/proc/<pid>/environ`, CI logs and every child
    /// process's environment. It is rarely rotated, and a weak default one is the first thing
    /// an attacker tries.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     environment:
    ///       POSTGRES_PASSWORD: changeme
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     environment:
    ///       POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    ///     secrets:
    ///       - db_password
    /// secrets:
    ///   db_password:
    ///     file: ./secrets/db_password.txt
    /// ```
    ///
    /// ## Fix
    /// Pass secrets as files (Compose or Swarm `secrets:`, a Kubernetes Secret volume) and
    /// point the application at them (`*_FILE`), or interpolate them from the deployment's
    /// environment (`${DB_PASSWORD}`) instead of writing them in the file. Rotate a secret
    /// that was committed.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    /// - CWE-526: Exposure of Sensitive Information Through Environmental Variables
    /// - Compose specification, `secrets`
    pub static SECRET_IN_ENVIRONMENT = {
        code: "SEC100",
        name: "secret-in-environment",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a credential is written into the container's environment",
        aliases: [],
    }
}

/// Words that qualify a key (`API_KEY`, `APIKEY`) as a credential.
const KEY_KINDS: &[&str] = &[
    "API",
    "ACCESS",
    "PRIVATE",
    "SECRET",
    "SIGNING",
    "ENCRYPTION",
    "ENCRYPT",
    "DECRYPTION",
    "MASTER",
    "HMAC",
    "JWT",
    "SESSION",
    "AUTH",
    "LICENSE",
    "CLIENT",
    "APP",
    "SERVICE",
    "ADMIN",
    "CRYPTO",
    "CIPHER",
    "WEBHOOK",
    "SSH",
    "GPG",
];

/// Words after the keyword that make the name describe the secret instead of holding it.
const QUALIFIERS: &[&str] = &[
    "FILE",
    "FILES",
    "PATH",
    "DIR",
    "DIRECTORY",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "HOSTNAME",
    "PORT",
    "USER",
    "USERNAME",
    "NAME",
    "ID",
    "IDS",
    "TYPE",
    "KIND",
    "ALGORITHM",
    "ALGO",
    "ALG",
    "REGION",
    "VERSION",
    "MODE",
    "FORMAT",
    "LOCATION",
    "PROVIDER",
    "BACKEND",
    "EXPIRY",
    "EXPIRES",
    "EXPIRE",
    "EXPIRATION",
    "TTL",
    "LIFETIME",
    "TIMEOUT",
    "AGE",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "LENGTH",
    "LEN",
    "SIZE",
    "COUNT",
    "MIN",
    "MAX",
    "ROUNDS",
    "ITERATIONS",
    "COST",
    "POLICY",
    "REGEX",
    "PATTERN",
    "RULES",
    "ENABLED",
    "DISABLED",
    "ENABLE",
    "DISABLE",
    "REQUIRED",
    "HEADER",
    "FIELD",
    "PARAM",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "PREFIX",
    "SUFFIX",
    "REF",
    "ARN",
    "COMMAND",
    "CMD",
    "RESET",
    "HINT",
    "PROMPT",
    "STRENGTH",
    "VALIDATION",
    "REFRESH",
    "ROTATION",
];

/// Values that stand for "no value" rather than a secret.
const NON_VALUES: &[&str] =
    &["true", "false", "yes", "no", "on", "off", "null", "none", "nil", "~", "''", "\"\""];

/// Prefixes of references to a secret manager.
const MANAGER_PREFIXES: &[&str] = &[
    "vault:",
    "op://",
    "arn:aws:secretsmanager:",
    "arn:aws:ssm:",
    "ssm:",
    "sm://",
    "ref+",
    "awssm:",
    "gcp:secretmanager:",
    "akv://",
    "keyvault:",
];

/// Well-known weak default passwords.
const WEAK: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "password",
    "passw0rd",
    "password1",
    "admin",
    "administrator",
    "secret",
    "123456",
    "12345678",
    "123456789",
    "root",
    "toor",
    "test",
    "example",
    "default",
    "guest",
    "letmein",
    "qwerty",
    "postgres",
    "mysql",
    "pass",
    "demo",
];

/// A name's words, upper-cased: `dbPassword` and `DB_PASSWORD` give `DB`, `PASSWORD`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether word `i` of `words` is a credential keyword.
fn is_keyword(words: &[String], i: usize) -> bool {
    let Some(word) = words.get(i) else { return false };
    let w = word.as_str();
    if w.contains("PASSWORD") || w.contains("PASSWD") || w.contains("SECRET") || w.contains("CREDENTIAL") {
        return true;
    }
    if matches!(w, "PASS" | "PASSPHRASE" | "CREDS") || w.ends_with("TOKEN") || w == "TOKENS" {
        return true;
    }
    if w == "PWD" {
        return words.len() > 1;
    }
    if w == "KEY" || w == "KEYS" {
        return i > 0 && words.get(i - 1).is_some_and(|p| KEY_KINDS.contains(&p.as_str()));
    }
    if let Some(kind) = w.strip_suffix("KEY") {
        return KEY_KINDS.contains(&kind);
    }
    false
}

/// Whether a variable name says it holds a credential.
pub(crate) fn is_secret_name(name: &str) -> bool {
    // etcd's initial cluster token names the cluster; it authenticates nothing.
    if name.to_ascii_uppercase().ends_with("INITIAL_CLUSTER_TOKEN") {
        return false;
    }
    let words = words(name);
    let Some(last_keyword) = (0..words.len()).rev().find(|i| is_keyword(&words, *i)) else { return false };
    !words.iter().skip(last_keyword + 1).any(|w| QUALIFIERS.contains(&w.as_str()))
}

/// Whether `value` is a literal secret rather than a reference, a path or a non-value.
pub(crate) fn is_literal_secret(value: &str) -> bool {
    let value = value.trim();
    if is_reference(value) || NON_VALUES.iter().any(|v| value.eq_ignore_ascii_case(v)) {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if MANAGER_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return false;
    }
    if lower.starts_with("projects/") && lower.contains("/secrets/") {
        return false;
    }
    if value.starts_with('<') && value.ends_with('>') {
        return false;
    }
    // A credentials file's name (`keystore.jks`, `sa.json`), as Kafka and Google images take it.
    const FILE_EXTENSIONS: [&str; 11] =
        [".json", ".jks", ".p12", ".pfx", ".pem", ".key", ".crt", ".keytab", ".properties", ".conf", ".txt"];
    if !value.contains(char::is_whitespace) && FILE_EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
        return false;
    }
    // An absolute file path (`/run/secrets/db`), not a password that happens to start with `/`.
    let is_path = value.starts_with('/')
        && value.len() > 1
        && value.bytes().filter(|b| *b == b'/').count() >= 2
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-'));
    !is_path
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    let format_rule_runs = checker.enabled(&KNOWN_CREDENTIAL_FORMAT);
    for env in &workload.env {
        let Some(value) = env.value.as_deref() else { continue };
        if !is_secret_name(&env.name) || !is_literal_secret(value) {
            continue;
        }
        if format_rule_runs && find_credential(value).is_some() {
            continue;
        }
        let trimmed = value.trim();
        let weak =
            WEAK.iter().any(|w| trimmed.eq_ignore_ascii_case(w)) || trimmed.eq_ignore_ascii_case(&env.name);
        let message = if weak {
            format!("`{}` is set to a weak default value (`{}`)", env.name, redact(trimmed))
        } else {
            format!("`{}` is set to a literal value (`{}`)", env.name, redact(trimmed))
        };
        checker.report(&SECRET_IN_ENVIRONMENT, env.value_origin.as_ref().unwrap_or(&env.origin), message).help = Some(
            "pass it as a secret file (`secrets:` and a `*_FILE` variable) or interpolate it from the deployment environment"
                .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{at, run, run_with_all, service, starts};
    use shipshape_model::EnvVariable;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("DB_PASSWORD"), ["DB", "PASSWORD"]);
        assert_eq!(words("dbPassword"), ["DB", "PASSWORD"]);
        assert_eq!(words("x-api.key"), ["X", "API", "KEY"]);
        assert_eq!(words("OAuth2ClientSecret"), ["OAUTH2", "CLIENT", "SECRET"]);
    }

    #[test]
    fn recognises_credential_names() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "POSTGRES_PASSWORD",
            "db_passwd",
            "SMTP_PASS",
            "REDIS_PWD",
            "SECRET_KEY",
            "SECRET_KEY_BASE",
            "CLIENT_SECRET",
            "clientSecret",
            "GITHUB_TOKEN",
            "AUTHTOKEN",
            "API_KEY",
            "X_API_KEY",
            "APIKEY",
            "AWS_SECRET_ACCESS_KEY",
            "ACCESS_KEY",
            "PRIVATE_KEY",
            "APP_KEY",
            "ENCRYPTION_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS_JSON",
            "REGISTRY_CREDS",
            "GPG_PASSPHRASE",
            "ADMIN_PASSWORD_HASH",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn ignores_descriptions_of_secrets() {
        for name in [
            "PWD",
            "OLDPWD",
            "POSTGRES_PASSWORD_FILE",
            "PASSWORD_MIN_LENGTH",
            "JWT_SECRET_EXPIRES_IN",
            "TOKEN_TTL",
            "AWS_ACCESS_KEY_ID",
            "SECRET_NAME",
            "TOKEN_URL",
            "VAULT_SECRET_PATH",
            "PASSWORD_RESET_URL",
            "PRIMARY_KEY",
            "CACHE_KEY",
            "TOKENIZER",
            "PASSENGER_COUNT",
            "COMPASS_URL",
            "HOME",
            "KEYCLOAK_URL",
            "DB_USER",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn cluster_tokens_and_credential_file_names_are_not_secrets() {
        assert!(!is_secret_name("ETCD_INITIAL_CLUSTER_TOKEN"));
        assert!(is_secret_name("ETCD_AUTH_TOKEN"));
        assert!(!is_literal_secret("kafka.client.keystore.jks"));
        assert!(!is_literal_secret("service-account.json"));
        assert!(is_literal_secret("hunter2-prod"));
    }

    #[test]
    fn recognises_literal_values() {
        for value in ["hunter2", "changeme", "s3cr3t!", "/notapath", "a b c", "0"] {
            assert!(is_literal_secret(value), "{value}");
        }
        for value in [
            "",
            "  ",
            "${DB_PASSWORD}",
            "${DB_PASSWORD:-x}",
            "$DB_PASSWORD",
            "{{ .Values.password }}",
            "********",
            "true",
            "False",
            "null",
            "/run/secrets/db_password",
            "/var/run/secrets/app/token",
            "vault:secret/data/app#password",
            "op://vault/item/password",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            "projects/my-proj/secrets/db/versions/latest",
            "<your-password>",
        ] {
            assert!(!is_literal_secret(value), "{value}");
        }
    }

    fn env(name: &str, value: Option<&str>, offset: u32) -> EnvVariable {
        EnvVariable {
            name: name.into(),
            value: value.map(str::to_string),
            origin: at(offset),
            value_origin: None,
        }
    }

    #[test]
    fn reports_literal_credentials_redacted() {
        let mut w = service();
        w.env = vec![
            env("POSTGRES_PASSWORD", Some("correct-horse-battery"), 10),
            env("POSTGRES_PASSWORD_FILE", Some("/run/secrets/pg"), 20),
            env("API_KEY", Some("${API_KEY}"), 30),
            env("DB_PASSWORD", None, 40),
            env("MYSQL_ROOT_PASSWORD", Some("changeme"), 50),
            env("LOG_LEVEL", Some("debug"), 60),
            env("SECRET_KEY", Some(""), 70),
        ];
        let findings = run(&SECRET_IN_ENVIRONMENT, &w);
        assert_eq!(starts(&findings), [10, 50]);
        assert!(!findings[0].message.contains("horse"), "{}", findings[0].message);
        assert!(findings[0].message.contains("literal value (`corr********`)"), "{}", findings[0].message);
        assert!(findings[1].message.contains("weak default"), "{}", findings[1].message);
        assert!(!findings[1].message.contains("changeme"));
    }

    #[test]
    fn defers_known_formats_while_that_rule_runs() {
        let mut w = service();
        w.env = vec![
            env("GITHUB_TOKEN", Some("ghp_abcdefghijklmnopqrstuvwxyz0123456789"), 10),
            env("DB_PASSWORD", Some("hunter2hunter2"), 20),
        ];
        assert_eq!(starts(&run_with_all(&SECRET_IN_ENVIRONMENT, &w)), [20]);
        assert_eq!(starts(&run(&SECRET_IN_ENVIRONMENT, &w)), [10, 20]);
    }
}
