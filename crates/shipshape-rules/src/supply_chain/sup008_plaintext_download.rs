use shipshape_model::{FileCopyKind, ImageSpec, declare_rule};

use crate::context::Checker;
use crate::shell::Scripts;

declare_rule! {
    /// ## What it does
    /// Flags downloads over plain `http://` during the build: `curl`/`wget` of an `http://`
    /// URL, `git clone http://...`, `pip install --index-url http://...` (also `-i`,
    /// `--extra-index-url`, `--find-links`), and `ADD http://...`. Loopback hosts (`localhost`,
    /// `127.0.0.1`, `[::1]`) are not flagged. Package-manager repositories (APT, apk, yum) are
    /// not judged: their packages are signed. The finding points at the URL.
    ///
    /// ## Why is this bad?
    /// Nothing protects plain HTTP: anyone on the network path can read and replace what is
    /// downloaded, and the build runs or ships it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLo /usr/local/bin/tool http://downloads.example.com/tool-1.2.3
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdd571e2c4ad5b5b2f4b3e8a7c9a1ee2b1e5f1d0c7c3b1f1e2d3c4b \
    ///     https://downloads.example.com/tool-1.2.3 /usr/local/bin/tool
    /// ```
    ///
    /// ## Fix
    /// Use `https://`, and verify a checksum or signature of what you download. Not fixed
    /// automatically: the server must support HTTPS.
    ///
    /// ## References
    /// - CWE-319: Cleartext Transmission of Sensitive Information
    /// - CWE-494: Download of Code Without Integrity Check
    pub static PLAINTEXT_DOWNLOAD = {
        code: "SUP008",
        name: "plaintext-download",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: SupplyChain,
        severity: Medium,
        fix: None,
        summary: "a build step downloads over plain HTTP",
        aliases: [],
    }
}

/// Whether `url` is `http://` to a host other than loopback.
pub(crate) fn is_plain_http(url: &str) -> bool {
    let Some(rest) = url.get(..7).filter(|p| p.eq_ignore_ascii_case("http://")).and_then(|_| url.get(7..))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']').next().map_or("", |h| h.trim_start_matches('['))
    } else {
        host.split(':').next().unwrap_or("")
    };
    !(host.is_empty() || host.eq_ignore_ascii_case("localhost") || host.starts_with("127.") || host == "::1")
}

const HELP: &str = "use `https://` and verify a checksum";

pub(crate) fn check(spec: &ImageSpec, scripts: &Scripts<'_>, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for file in stage.files.iter().filter(|f| f.kind == FileCopyKind::Add) {
            for source in &file.sources {
                if source.get().is_some_and(is_plain_http) {
                    checker
                        .report(
                            &PLAINTEXT_DOWNLOAD,
                            &source.origin,
                            format!("`ADD {}` downloads over plain HTTP", source.raw),
                        )
                        .help = Some(HELP.into());
                }
            }
        }
        for run in scripts.of(stage) {
            for command in &run.script.commands {
                let name = command.command_name().unwrap_or("");
                let mut urls = Vec::new();
                if command.is_any(&["curl", "wget"])
                    || command.is_subcommand("git", &["clone", "fetch", "pull", "submodule"])
                {
                    urls.extend(command.operands());
                }
                if command.is("pip") || command.is("pipx") || command.is("uv") {
                    for option in command.options() {
                        if matches!(
                            option.name.as_str(),
                            "-i" | "--index-url" | "--extra-index-url" | "-f" | "--find-links"
                        ) {
                            urls.push(option.value_word.unwrap_or(option.word));
                        }
                    }
                    urls.extend(command.operands());
                }
                for word in urls {
                    let value = word
                        .value
                        .split_once('=')
                        .filter(|(k, _)| k.starts_with("--"))
                        .map_or(word.value.as_str(), |(_, v)| v);
                    if is_plain_http(value) {
                        checker
                            .report(
                                &PLAINTEXT_DOWNLOAD,
                                &run.origin(word.span),
                                format!("`{name}` downloads `{value}` over plain HTTP"),
                            )
                            .help = Some(HELP.into());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_plain_http;

    #[test]
    fn urls() {
        assert!(is_plain_http("http://example.com/x"));
        assert!(is_plain_http("HTTP://user:pw@example.com:8080/x"));
        assert!(!is_plain_http("https://example.com/x"));
        assert!(!is_plain_http("http://localhost:8080/x"));
        assert!(!is_plain_http("http://127.0.0.1/x"));
        assert!(!is_plain_http("http://[::1]:80/x"));
        assert!(!is_plain_http("/tmp/http://x"));
    }
}
