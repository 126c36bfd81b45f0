use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `COPY` or `ADD` of a file that by its name holds credentials: SSH private keys
    /// (`id_rsa`, `id_ecdsa`, `id_ed25519`, `id_dsa`, a `.ssh` directory), `.npmrc`, `.pypirc`,
    /// `.netrc`, `.git-credentials`, `.env` files, cloud credentials (`.aws/credentials`,
    /// `credentials.json`, `service-account*.json`), `.docker/config.json`, `kubeconfig`, and key
    /// material (`*.pem`, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`). Sources from another
    /// stage (`COPY --from`) are not judged. The finding points at the source.
    ///
    /// ## Why is this bad?
    /// Whatever is copied is in a layer of the image, readable by anyone who can pull it, even
    /// when a later step deletes the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY id_rsa /root/.ssh/id_rsa
    /// RUN git clone git@github.com:org/private.git && rm /root/.ssh/id_rsa
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=ssh git clone git@github.com:org/private.git
    /// ```
    ///
    /// ## Fix
    /// Use BuildKit secret or SSH mounts (`RUN --mount=type=secret`, `--mount=type=ssh`) for build
    /// credentials and runtime secrets for the container; list such files in `.dockerignore`.
    /// Not fixed automatically.
    ///
    /// ## References
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    pub static SECRET_FILE_COPIED = {
        code: "SEC003",
        name: "secret-file-copied",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a credentials file is copied into the image",
        aliases: [],
    }
}

/// What kind of credential file `path` names, if any.
pub(crate) fn secret_file(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let parent = path.rsplit('/').nth(1).unwrap_or("").to_ascii_lowercase();
    if matches!(name.as_str(), "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | ".ssh") {
        return Some("an SSH private key");
    }
    if matches!(name.as_str(), ".npmrc" | ".pypirc" | ".netrc" | ".git-credentials" | ".pgpass") {
        return Some("a credentials file");
    }
    if name == ".env"
        || (name.starts_with(".env.")
            && !name.ends_with(".example")
            && !name.ends_with(".sample")
            && !name.ends_with(".template"))
    {
        return Some("an environment file");
    }
    if (parent == ".aws" && name == "credentials")
        || name == "credentials.json"
        || (name.starts_with("service-account") && name.ends_with(".json"))
    {
        return Some("cloud credentials");
    }
    if (parent == ".docker" && name == "config.json")
        || name == "kubeconfig"
        || (parent == ".kube" && name == "config")
    {
        return Some("registry or cluster credentials");
    }
    let key_ext = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"];
    if key_ext.iter().any(|e| name.ends_with(e))
        && !name.ends_with(".pub.pem")
        && !name.contains("cert")
        && !name.contains("public")
    {
        return Some("key material");
    }
    None
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for file in stage.files.iter().filter(|f| f.from.is_none()) {
            for source in &file.sources {
                let Some(path) = source.get() else { continue };
                if path.contains("://") {
                    continue;
                }
                if let Some(kind) = secret_file(path) {
                    checker
                        .report(&SECRET_FILE_COPIED, &source.origin, format!("`{path}` looks like {kind} and is copied into a layer"))
                        .help = Some("use `RUN --mount=type=secret` or `--mount=type=ssh`, and add the file to `.dockerignore`".into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secret_file;

    #[test]
    fn names() {
        for yes in [
            "id_rsa",
            "./keys/id_ed25519",
            ".npmrc",
            ".env",
            ".env.production",
            "home/.aws/credentials",
            "tls.key",
            "server.pem",
            ".docker/config.json",
            ".ssh/",
        ] {
            assert!(secret_file(yes).is_some(), "{yes}");
        }
        for no in [
            "id_rsa.pub",
            ".env.example",
            "app.py",
            "certs/ca-cert.pem",
            "config.json",
            "keys.txt",
            "package.json",
        ] {
            assert!(secret_file(no).is_none(), "{no}");
        }
    }
}
