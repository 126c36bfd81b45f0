//! The Docker daemon front end, offline: a `daemon.json`, or saved `docker info` JSON
//! (`docker info --format '{{json .}}'`, `GET /info`), checked with the engine rules.
//!
//! A daemon.json is treated as the daemon's whole configuration: the keys it leaves out get
//! dockerd's defaults (findings on them say so, and that a command-line flag could change them).
//! `docker info` output is what the daemon reports; what it does not report stays unknown.

use shipshape_docker::daemon;
use shipshape_model::SourceFile;
use shipshape_yaml::Node;

use super::{Frontend, FrontendContext, FrontendOutput, parse_yaml};

/// `daemon.json` files and `docker info` JSON.
pub struct EngineFrontend;

/// Whether a parsed document is `docker info` output rather than a daemon.json (whose keys are
/// kebab-case and never these).
fn is_info(root: &Node) -> bool {
    ["ServerVersion", "SecurityOptions", "RegistryConfig"].iter().any(|key| root.get(key).is_some())
}

impl Frontend for EngineFrontend {
    fn kind(&self) -> &'static str {
        "docker-daemon"
    }

    fn claims(&self, file_name: &str) -> bool {
        file_name.eq_ignore_ascii_case("daemon.json")
    }

    fn claims_content(&self, file_name: &str, head: &str) -> bool {
        file_name.to_ascii_lowercase().ends_with(".json") && daemon::looks_like_docker_info(head)
    }

    fn check(&self, source: &SourceFile, context: &FrontendContext<'_>) -> FrontendOutput {
        let mut output = FrontendOutput::default();
        let stream = parse_yaml(source, &mut output);
        let mut checker = shipshape_rules::Checker::new(context.settings, context.is_enabled);
        for document in &stream.documents {
            let root = &document.root;
            let lowered = if daemon::is_snapshot(root) {
                daemon::lower_snapshot(root, &source.path)
            } else if is_info(root) {
                daemon::lower_info(root, &source.path)
            } else {
                let mut lowered = daemon::lower_daemon_json(root, &source.path);
                if root.as_mapping().is_some() {
                    daemon::assume_defaults(&mut lowered.config, root, &source.path);
                }
                lowered
            };
            output.parse_errors += lowered.diagnostics.len();
            output.findings.extend(lowered.diagnostics);
            shipshape_rules::checkers::check_engine(&lowered.config, &mut checker);
        }
        output.findings.extend(checker.into_findings());
        output
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::RuleMeta;
    use shipshape_rules::RuleSettings;

    fn codes(name: &str, text: &str) -> Vec<(&'static str, u32)> {
        let settings = RuleSettings::default();
        let all = |_: &RuleMeta| true;
        let context = FrontendContext {
            settings: &settings,
            is_enabled: &all,
            build_args: &[],
            env_files: &[],
            cluster: &Default::default(),
            secrets: None,
            vuln: None,
            os_packages: None,
        };
        let source = SourceFile::new(name, text);
        let mut findings = EngineFrontend.check(&source, &context).findings;
        for finding in &mut findings {
            finding.locate(&source);
        }
        let mut out: Vec<(&'static str, u32)> =
            findings.iter().map(|f| (f.rule.code, f.location.region.start_line)).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn claims_daemon_json_by_name_and_info_by_content() {
        assert!(EngineFrontend.claims("daemon.json"));
        assert!(EngineFrontend.claims("DAEMON.JSON"));
        assert!(!EngineFrontend.claims("daemon.json.bak"));
        let info = "{\"ID\":\"X\",\"ServerVersion\":\"27.5.1\",\"SecurityOptions\":[\"name=seccomp,profile=builtin\"]}";
        assert!(EngineFrontend.claims_content("info.json", info));
        assert!(!EngineFrontend.claims_content("info.yaml", info));
        let inspect = "[{\"Id\":\"x\",\"HostConfig\":{},\"ServerVersion\":\"1\",\"SecurityOptions\":[]}]";
        assert!(!EngineFrontend.claims_content("inspect.json", inspect));
    }

    #[test]
    fn docker_inspect_json_stays_with_the_inspect_front_end() {
        let inspect = "[{\"Id\":\"x\",\"HostConfig\":{}}]";
        let claimed = super::super::claim_content("containers.json", inspect)
            .map(|i| super::super::FRONTENDS[i].kind());
        assert_eq!(claimed, Some("docker-inspect"));
        let info = "{\"ServerVersion\":\"27.5.1\",\"RegistryConfig\":{}}";
        let claimed =
            super::super::claim_content("host.json", info).map(|i| super::super::FRONTENDS[i].kind());
        assert_eq!(claimed, Some("docker-daemon"));
        assert_eq!(
            super::super::claim("daemon.json").map(|i| super::super::FRONTENDS[i].kind()),
            Some("docker-daemon")
        );
    }

    #[test]
    fn an_empty_daemon_json_gets_the_defaults_findings() {
        let found = codes("daemon.json", "{}\n");
        assert_eq!(
            found,
            [
                ("ISO400", 1),
                ("ISO401", 1),
                ("ISO402", 1),
                ("MON400", 1),
                ("NET401", 1),
                ("NET402", 1),
                ("PRV401", 1),
                ("PRV402", 1),
            ]
        );
    }

    #[test]
    fn a_hardened_daemon_json_is_clean() {
        let text = r#"{
  "icc": false,
  "userns-remap": "default",
  "live-restore": true,
  "userland-proxy": false,
  "no-new-privileges": true,
  "log-driver": "syslog",
  "log-opts": {"syslog-address": "tcp+tls://logs.example:6514"},
  "authorization-plugins": ["opa-docker-authz"],
  "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}},
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
  "tlsverify": true
}
"#;
        assert_eq!(codes("daemon.json", text), []);
    }

    #[test]
    fn docker_info_assumes_nothing() {
        let text = r#"{"ServerVersion": "27.5.1", "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless"],
"LiveRestoreEnabled": true, "LoggingDriver": "fluentd", "Plugins": {"Authorization": ["authz"]},
"RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8", "10.0.0.0/8"]}, "Warnings": null}
"#;
        assert_eq!(codes("info.json", text), [("SUP400", 3)]);
    }

    #[test]
    fn wrong_types_are_parse_errors() {
        let found = codes("daemon.json", "{\"icc\": \"no\", \"userland-proxy\": false}\n");
        assert!(found.contains(&("GEN001", 1)), "{found:?}");
        assert!(
            !found.iter().any(|(code, _)| *code == "NET401"),
            "an unreadable icc is unknown, not a default"
        );
    }
}
