use shipshape_model::{ImageFile, ImageFiles, Severity, declare_rule};

use crate::context::Checker;
use crate::secrets::sec003_secret_file_copied::secret_file;

declare_rule! {
    /// ## What it does
    /// Flags a credentials file that ships in any layer of an image, by its path and, where the
    /// name alone says little, by what the file holds: SSH private keys (`id_rsa`, `id_dsa`,
    /// `id_ecdsa`, `id_ed25519`) and SSH host keys, `.aws/credentials`, `.git-credentials`,
    /// `.netrc`, `.pgpass`, `.env` files, `.docker/config.json` with registry `auths`,
    /// `.npmrc` with an auth token, `.pypirc` with a password, kube configs with client keys or
    /// tokens, and `*.pem`/`*.key` files holding a private key. Files a later layer deleted
    /// count too: the lower layer still carries them. A file in which the secrets scanner
    /// already reports a credential is left to that finding.
    ///
    /// ## Why is this bad?
    /// Everyone who can pull the image can read every layer, so the credential is as public as
    /// the image. Deleting the file in a later step hides it from the container but not from
    /// `docker save`.
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
    /// Rebuild without the file (BuildKit secret and SSH mounts for build-time credentials,
    /// runtime secrets for the container), then revoke the credential: it has been published.
    /// Not fixed automatically.
    ///
    /// ## References
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - Dockle CIS-DI-0010 "Do not store credential in environment variables/files"
    pub static CREDENTIAL_FILE_IN_IMAGE = {
        code: "SEC503",
        name: "credential-file-in-image",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a credentials file ships in a layer of the image",
        aliases: [(Dockle, "CIS-DI-0010")],
    }
}

/// The note of a file the secrets scanner already reports.
pub const SECRET_REPORTED: &str = "secret-reported";

fn lower_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase()
}

fn is_host_key(path: &str) -> bool {
    let name = lower_name(path);
    path.starts_with("/etc/ssh/") && name.starts_with("ssh_host_") && name.ends_with("_key")
}

/// Whether the rule needs to look inside the file at `path` to judge it.
pub(crate) fn wants_content(path: &str) -> bool {
    is_host_key(path) || is_key_file(path) || secret_file(path).is_some()
}

/// `*.pem` and `*.key`: certificates or private keys, as their content shows.
fn is_key_file(path: &str) -> bool {
    let name = lower_name(path);
    name.ends_with(".pem") || name.ends_with(".key")
}

/// What the content of a credential-looking file shows.
pub(crate) fn content_notes(path: &str, content: &[u8]) -> Vec<&'static str> {
    let text = String::from_utf8_lossy(content);
    let mut notes = Vec::new();
    if text.contains("PRIVATE KEY-----") {
        notes.push("private-key");
    }
    let name = lower_name(path);
    // `key = value`, `key: value`, `"key": "value"` with a non-empty value.
    let assigned = |keys: &[&str]| {
        text.lines().any(|line| {
            let lower = line.to_ascii_lowercase();
            keys.iter().any(|key| {
                lower.find(key).and_then(|at| lower.get(at + key.len()..)).is_some_and(|rest| {
                    let rest = rest.trim_start_matches('"').trim_start();
                    rest.strip_prefix(['=', ':']).is_some_and(|value| {
                        !value.trim().trim_matches(['"', '\'', ',', '{', '}']).is_empty()
                    })
                })
            })
        })
    };
    if name == ".npmrc" && assigned(&["_authtoken", "_auth", "_password"]) {
        notes.push("token");
    }
    if name == ".pypirc" && assigned(&["password"]) {
        notes.push("password");
    }
    if name == "config.json" && assigned(&["\"auth\"", "\"identitytoken\"", "\"registrytoken\""]) {
        notes.push("registry-auth");
    }
    if assigned(&["client-key-data", "token", "password"]) && (name == "kubeconfig" || name == "config") {
        notes.push("cluster-credential");
    }
    if text.contains("\"private_key\"") || text.contains("\"client_secret\"") {
        notes.push("private-key");
    }
    notes.dedup();
    notes
}

/// What kind of credential `file` is, when it is one.
fn credential(file: &ImageFile) -> Option<&'static str> {
    if !file.kind.is_file() || file.size == 0 {
        return None;
    }
    if is_host_key(&file.path) {
        return Some("an SSH host private key");
    }
    if is_key_file(&file.path) && file.has_note("private-key") {
        return Some("a private key");
    }
    let kind = secret_file(&file.path)?;
    let name = file.name().to_ascii_lowercase();
    let shows = |note: &str| file.has_note(note);
    let confirmed = match kind {
        "a credentials file" if name == ".npmrc" => shows("token"),
        "a credentials file" if name == ".pypirc" => shows("password"),
        "registry or cluster credentials" if name == "config.json" => shows("registry-auth"),
        "registry or cluster credentials" => shows("cluster-credential") || shows("private-key"),
        "cloud credentials" if name != "credentials" => shows("private-key"),
        "key material" if name.ends_with(".pem") || name.ends_with(".key") => shows("private-key"),
        _ => true,
    };
    confirmed.then_some(kind)
}

pub(crate) fn matches(file: &ImageFile) -> bool {
    credential(file).is_some()
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    for file in &files.files {
        let Some(kind) = credential(file) else { continue };
        if file.has_note(SECRET_REPORTED) {
            continue;
        }
        let finding = checker.report(
            &CREDENTIAL_FILE_IN_IMAGE,
            &file.origin,
            format!(
                "`{}` is {kind}, added by {}{}",
                file.path,
                files.layer_label(file.layer),
                ImageFiles::removal_note(file)
            ),
        );
        if kind == "an environment file" {
            finding.severity = Severity::Medium;
        }
        finding.help =
            Some("rebuild without it (use BuildKit secret mounts) and revoke the credential".into());
    }
    if let Some(more) = files.overflow_of(CREDENTIAL_FILE_IN_IMAGE.code) {
        checker.report(
            &CREDENTIAL_FILE_IN_IMAGE,
            &more.origin,
            format!("{} more credentials files are not listed", more.count),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_for_generic_names() {
        assert_eq!(content_notes("/root/.npmrc", b"//registry.npmjs.org/:_authToken=abc\n"), ["token"]);
        assert!(content_notes("/root/.npmrc", b"registry=https://r.example/\n").is_empty());
        assert!(content_notes("/root/.npmrc", b"//r/:_authToken=\n").is_empty());
        assert_eq!(
            content_notes("/root/.docker/config.json", br#"{"auths":{"r":{"auth":"dTpw"}}}"#),
            ["registry-auth"]
        );
        assert!(content_notes("/root/.docker/config.json", br#"{"auths":{"r":{}}}"#).is_empty());
        assert_eq!(content_notes("/srv/tls.key", b"-----BEGIN PRIVATE KEY-----\nx"), ["private-key"]);
        assert_eq!(
            content_notes("/root/.kube/config", b"users:\n- user:\n    token: abc\n"),
            ["cluster-credential"]
        );
        assert!(wants_content("/etc/ssh/ssh_host_ed25519_key"));
        assert!(!wants_content("/etc/ssh/ssh_host_ed25519_key.pub"));
        assert!(!wants_content("/usr/bin/ls"));
    }
}
