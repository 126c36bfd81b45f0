use shipshape_model::{EngineConfig, declare_rule};

use crate::checkers::engine::default_note;
use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a Docker daemon without an authorization plugin: `Plugins.Authorization` empty or
    /// `null` in `docker info`, an empty `authorization-plugins` in daemon.json (or, in the
    /// offline scan of a daemon.json, none at all).
    ///
    /// ## Why is this bad?
    /// Without one, the daemon's access control is all or nothing: whoever can reach the socket
    /// may do anything, including starting a privileged container with the host's root
    /// filesystem. An authorization plugin (Open Policy Agent's `opa-docker-authz`, for example)
    /// can refuse such requests per user or per call, and leaves an audit trail of decisions.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "authorization-plugins": []
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "authorization-plugins": ["opa-docker-authz"]
    /// }
    /// ```
    ///
    /// ## Fix
    /// Install an authorization plugin, write its policy (at least: no `--privileged`, no host
    /// namespaces, no bind mounts of `/`, `/etc` or the socket for ordinary users), list it in
    /// `authorization-plugins` and restart the daemon. Where only administrators can reach the
    /// daemon, suppress this finding with that reason.
    ///
    /// ## References
    /// - CIS Docker Benchmark v1.6.0 2.12 "Ensure that authorization for Docker client commands is enabled"
    /// - Docker documentation, "Access authorization plugin"
    pub static MISSING_AUTHORIZATION_PLUGIN = {
        code: "PRV402",
        name: "missing-authorization-plugin",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: Low,
        fix: None,
        summary: "every client of the daemon may do everything",
        aliases: [(CisDocker, "2.12")],
    }
}

pub(crate) fn check(config: &EngineConfig, checker: &mut Checker<'_>) {
    let Some(plugins) = &config.authorization_plugins else { return };
    if !plugins.value.is_empty() {
        return;
    }
    let note = default_note(config, plugins, "authorization-plugins");
    checker
        .report(
            &MISSING_AUTHORIZATION_PLUGIN,
            &plugins.origin,
            format!(
                "no authorization plugin is configured{note}: every client of the daemon may do everything"
            ),
        )
        .help = Some("configure an authorization plugin in `authorization-plugins`".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::engine::testing::{list, run, starts, unknown};

    #[test]
    fn flags_an_empty_plugin_list() {
        let mut config = unknown();
        assert!(run(&MISSING_AUTHORIZATION_PLUGIN, &config).is_empty());
        config.authorization_plugins = Some(list(Vec::new(), 8));
        assert_eq!(starts(&run(&MISSING_AUTHORIZATION_PLUGIN, &config)), [8]);
        config.authorization_plugins = Some(list(vec!["opa-docker-authz".to_string()], 8));
        assert!(run(&MISSING_AUTHORIZATION_PLUGIN, &config).is_empty());
    }
}
