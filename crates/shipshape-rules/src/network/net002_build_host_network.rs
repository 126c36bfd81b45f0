use shipshape_model::{ImageSpec, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags `RUN --network=host`. The finding points at the flag's value.
    ///
    /// ## Why is this bad?
    /// The step shares the build host's network namespace: it reaches services bound to the
    /// host's loopback (a Docker API on `127.0.0.1:2375`, databases, cloud metadata proxies)
    /// and every network the host is on. A compromised dependency fetched by the build gets that
    /// reach too, and the result depends on the machine that built it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN --network=host ./fetch-dependencies.sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN ./fetch-dependencies.sh
    /// ```
    ///
    /// ## Fix
    /// Drop the flag; give the build what it needs through build arguments, secret mounts or a
    /// proxy. Not fixed automatically.
    ///
    /// ## References
    /// - Dockerfile reference, `RUN --network`
    pub static BUILD_HOST_NETWORK = {
        code: "NET002",
        name: "build-host-network",
        layer: Network,
        threat: NetworkAttack,
        asset: Host,
        severity: Medium,
        fix: None,
        summary: "a build step uses the host's network",
        aliases: [],
    }
}

pub(crate) fn check(spec: &ImageSpec, checker: &mut Checker<'_>) {
    for stage in &spec.stages {
        for run in &stage.runs {
            let Some(network) = &run.network else { continue };
            if network.get().is_some_and(|v| v.eq_ignore_ascii_case("host")) {
                checker
                    .report(
                        &BUILD_HOST_NETWORK,
                        &network.origin,
                        "`RUN --network=host` shares the build host's network",
                    )
                    .help = Some("drop `--network=host`".into());
            }
        }
    }
}
