use shipshape_model::{FileCopy, ImageSpec, declare_rule};

use crate::context::Checker;

/// File names (the last path component) that hold credentials by convention.
const CREDENTIAL_FILES: [&str; 22] = [
    ".env",
    ".netrc",
    "_netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".pgpass",
    ".my.cnf",
    ".dockercfg",
    "credentials",
    "credentials.json",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "service-account.json",
    "htpasswd",
    ".htpasswd",
    "kubeconfig",
    "terraform.tfvars",
    "secrets.yaml",
    "secrets.yml",
];

/// Directories whose contents are credentials (`.aws/`, `.ssh/`, `.docker/`, `.kube/`, `.gnupg/`).
const CREDENTIAL_DIRS: [&str; 5] = [".aws", ".ssh", ".docker", ".kube", ".gnupg"];

/// Private key extensions.
const KEY_EXTENSIONS: [&str; 5] = [".pem", ".key", ".p12", ".pfx", ".jks"];

declare_rule! {
    /// ## What it does
    /// Flags `COPY` or `ADD` of a file that holds credentials by convention: `.env`, `.netrc`,
    /// `.npmrc`, `.pypirc`, `.git-credentials`, `.pgpass`, cloud `credentials` files, SSH private
    /// keys (`id_rsa`, `id_ed25519`, ...), `*.pem`/`*.key`/`*.p12` keys, `kubeconfig`,
    /// `terraform.tfvars`, and anything under `.aws/`, `.ssh/`, `.docker/`, `.kube/` or `.gnupg/`.
    /// Copies from another build stage (`COPY --from=`) are not judged: the stage decides.
    ///
    /// ## Why is this bad?
    /// A file copied into a layer ships with the image to every registry and host that pulls it,
    /// and deleting it in a later `RUN rm` does not remove it from the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY .npmrc /root/.npmrc
    /// RUN npm ci && rm /root/.npmrc
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Fix
    /// Pass the credential with a build secret (`RUN --mount=type=secret`), and list the file in
    /// `.dockerignore`.
    ///
    /// ## References
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - Docker documentation: Build secrets
    pub static CREDENTIAL_FILE_COPIED = {
        code: "SEC010",
        name: "credential-file-copied",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a credentials file is copied into the image",
        aliases: [(Dockle, "CIS-DI-0010")],
    }
}

/// Why `path` (a COPY/ADD source) names a credentials file, if it does.
pub(crate) fn credential_file(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if let Some(known) = CREDENTIAL_FILES.iter().find(|f| **f == lower) {
        return Some(known);
    }
    if lower.starts_with(".env.") && !lower.ends_with(".example") && !lower.ends_with(".sample") {
        return Some(".env");
    }
    if let Some(extension) = KEY_EXTENSIONS.iter().find(|e| lower.ends_with(*e)) {
        return Some(extension);
    }
    path.split('/').find_map(|component| CREDENTIAL_DIRS.iter().find(|d| **d == component).copied())
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for copy in stage.files.iter().filter(|f| f.from.is_none()) {
            check_copy(copy, checker);
        }
    }
}

fn check_copy(copy: &FileCopy, checker: &mut Checker<'_>) {
    for source in &copy.sources {
        let Some(path) = source.get() else { continue };
        let lower = path.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            continue;
        }
        if let Some(kind) = credential_file(path) {
            checker.report(
                &CREDENTIAL_FILE_COPIED,
                &source.origin,
                format!("`{path}` is a credentials file (`{kind}`): it ships in this layer to everyone who pulls the image"),
            )
            .help = Some("use a build secret (`RUN --mount=type=secret`) and add the file to .dockerignore".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::credential_file;

    #[test]
    fn names_credential_files() {
        for path in [
            ".env",
            "config/.env.production",
            "~/.aws/credentials",
            ".ssh/id_ed25519",
            "certs/server.key",
            ".npmrc",
            "deploy/kubeconfig",
            "home/.docker/config.json",
        ] {
            assert!(credential_file(path).is_some(), "{path}");
        }
        for path in [
            ".env.example",
            "app.py",
            "requirements.txt",
            "credentials.md",
            "keys/",
            "public.crt",
            "envoy.yaml",
        ] {
            assert!(credential_file(path).is_none(), "{path}");
        }
    }
}
