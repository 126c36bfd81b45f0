use shipshape_model::{EffectiveUser, ImageSpec, Platform, Severity, Workload, declare_rule};

use crate::context::Checker;
use crate::describe::quoted;
use crate::privilege::prv001_root_user::is_root_user;

declare_rule! {
    /// ## What it does
    /// Flags a container that runs as root. Who decides the user, in order:
    /// 1. the workload itself (Compose `user:`, `docker run --user`, inspect `Config.User`,
    ///    Kubernetes `runAsUser`): `root`, `0`, `0:0`, `root:<group>` are root. The finding
    ///    points at that setting.
    /// 2. otherwise the final `USER` of the Dockerfile the workload is built from (Compose
    ///    `build:`), inherited stages included. The finding points at the Dockerfile's `USER`
    ///    line, with the workload as a related location. A `USER` that depends on a build
    ///    argument without a value is not guessed.
    /// 3. a linked Dockerfile that never sets `USER` runs as its base image's user, root for
    ///    almost every image: reported at medium severity as "probably root", at the workload's
    ///    `build:` (or the workload), with the Dockerfile's final `FROM` as related location.
    /// 4. a workload that only names an image shipshape cannot read: the image's own
    ///    configuration decides, and no finding is reported. Scan the image itself to judge it.
    ///
    /// An empty `user: ""` means the image's user, as it does for Docker.
    ///
    /// ## Why is this bad?
    /// Root in the container is root on the host as soon as one isolation layer fails: a kernel
    /// bug, a mounted socket, a writable host path, an added capability. An unprivileged user
    /// turns most escapes into a failed attempt and protects the files of the image itself.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     user: "0:0"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api:4.2
    ///     user: "10001:10001"
    /// ```
    ///
    /// ## Fix
    /// Set an unprivileged `user:` for the workload, or end the image's final stage with
    /// `USER <unprivileged user>`. Not fixed automatically: the user must be able to read the
    /// application's files.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.1 "Ensure that a user for the container has been created"
    /// - Kubernetes Pod Security Standards, restricted: Running as Non-root
    /// - CWE-250: Execution with Unnecessary Privileges
    pub static CONTAINER_RUNS_AS_ROOT = {
        code: "PRV109",
        name: "container-runs-as-root",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Host,
        severity: High,
        fix: None,
        summary: "the container runs as root",
        aliases: [(CisDocker, "4.1"), (Checkov, "CKV_K8S_23"), (Pss, "restricted/running-as-non-root")],
    }
}

/// The user the image decides, for a workload that does not set one.
fn image_user(workload: &Workload) -> EffectiveUser<'_> {
    match workload.image_spec.as_deref().and_then(ImageSpec::final_stage) {
        Some(stage) => stage.user.as_ref().map_or(EffectiveUser::ImageDefault, EffectiveUser::Image),
        None => EffectiveUser::Unknown,
    }
}

/// Like [`Workload::effective_user`], with an empty `user` meaning the image's.
fn effective_user(workload: &Workload) -> EffectiveUser<'_> {
    match &workload.user {
        Some(user)
            if user.value.trim().is_empty()
                && !matches!(workload.platform, Platform::DockerInspect | Platform::DockerHost) =>
        {
            image_user(workload)
        }
        _ => workload.effective_user(),
    }
}

const HELP: &str =
    "set an unprivileged `user:` (e.g. `user: \"10001\"`), or end the image with `USER <unprivileged user>`";

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    match effective_user(workload) {
        EffectiveUser::Workload(user) => {
            // The engine copies the image's USER into `Config.User` when it creates a container,
            // so an empty user in inspect output is the engine's default: root.
            let engine_default = user.value.trim().is_empty()
                && matches!(workload.platform, Platform::DockerInspect | Platform::DockerHost);
            if engine_default {
                checker
                    .report(
                        &CONTAINER_RUNS_AS_ROOT,
                        &user.origin,
                        "the container runs as root: neither its image nor its configuration sets a user",
                    )
                    .help = Some(HELP.into());
            } else if is_root_user(&user.value) {
                checker
                    .report(
                        &CONTAINER_RUNS_AS_ROOT,
                        &user.origin,
                        format!("the container runs as root (`{}`)", user.value.trim()),
                    )
                    .help = Some(HELP.into());
            }
        }
        EffectiveUser::Image(value) => {
            let Some(resolved) = value.get() else { return };
            if !is_root_user(resolved) {
                return;
            }
            let finding = checker.report(
                &CONTAINER_RUNS_AS_ROOT,
                &value.origin,
                format!("`{}` runs as root: its image's final USER is {}", workload.name, quoted(value)),
            );
            finding.help = Some(HELP.into());
            finding
                .related
                .push(related(workload, "the workload sets no `user`, so the image's USER applies"));
        }
        EffectiveUser::ImageDefault => {
            let origin = workload.build.as_ref().map_or(&workload.origin, |b| &b.origin);
            let finding = checker.report(
                &CONTAINER_RUNS_AS_ROOT,
                origin,
                format!(
                    "`{}` probably runs as root: neither it nor its Dockerfile sets a user, so the base image's default applies",
                    workload.name
                ),
            );
            finding.severity = Severity::Medium;
            finding.help = Some(HELP.into());
            if let Some(stage) = workload.image_spec.as_deref().and_then(ImageSpec::final_stage) {
                finding.related.push(shipshape_model::RelatedLocation {
                    location: shipshape_model::Location::unlocated(&stage.origin),
                    label: "the final stage never sets USER".into(),
                });
            }
        }
        EffectiveUser::Unknown => {}
    }
}

fn related(workload: &Workload, label: &str) -> shipshape_model::RelatedLocation {
    shipshape_model::RelatedLocation {
        location: shipshape_model::Location::unlocated(&workload.origin),
        label: label.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{at, run, service, set, starts};
    use shipshape_model::BuildLink;
    use std::sync::Arc;

    fn with_dockerfile(text: &str) -> Workload {
        let mut w = service();
        let spec =
            shipshape_dockerfile::lower(&shipshape_dockerfile::parse(text), Arc::from("Dockerfile"), &[]);
        w.image_spec = Some(Arc::new(spec));
        w.build = Some(BuildLink {
            context: "/srv/app".into(),
            dockerfile: "/srv/app/Dockerfile".into(),
            target: None,
            origin: at(50),
        });
        w
    }

    #[test]
    fn workload_user_root_spellings() {
        let mut w = service();
        for user in ["root", "0", "0:0", "root:x", "root:root", " 0 "] {
            w.user = Some(set(user.into(), 30));
            let findings = run(&CONTAINER_RUNS_AS_ROOT, &w);
            assert_eq!(starts(&findings), [30], "{user}");
            assert_eq!(findings[0].severity, Severity::High);
        }
        for user in ["10001", "app", "1000:0", "rooter", "nobody"] {
            w.user = Some(set(user.into(), 30));
            assert!(run(&CONTAINER_RUNS_AS_ROOT, &w).is_empty(), "{user}");
        }
    }

    #[test]
    fn workload_user_overrides_the_image() {
        let mut w = with_dockerfile("FROM debian:12\nUSER root\n");
        w.user = Some(set("10001".into(), 30));
        assert!(run(&CONTAINER_RUNS_AS_ROOT, &w).is_empty());
        let mut w = with_dockerfile("FROM debian:12\nUSER app\n");
        w.user = Some(set("0".into(), 30));
        assert_eq!(starts(&run(&CONTAINER_RUNS_AS_ROOT, &w)), [30]);
    }

    #[test]
    fn dockerfile_user_root_points_at_the_user_line() {
        let text = "FROM debian:12\nUSER root\n";
        let w = with_dockerfile(text);
        let findings = run(&CONTAINER_RUNS_AS_ROOT, &w);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(&*f.location.path, "Dockerfile");
        assert_eq!(f.location.span.slice(text), "root", "{:?}", f.location.span);
        assert_eq!(&*f.related[0].location.path, "compose.yaml");
        assert_eq!(f.related[0].location.span.start, 0);
    }

    #[test]
    fn empty_user_means_the_image_user() {
        let mut w = with_dockerfile("FROM debian:12\nUSER root\n");
        w.user = Some(set(String::new(), 30));
        assert_eq!(run(&CONTAINER_RUNS_AS_ROOT, &w).len(), 1);
    }

    #[test]
    fn unresolved_dockerfile_user_is_not_guessed() {
        let w = with_dockerfile("FROM debian:12\nARG RUN_AS\nUSER $RUN_AS\n");
        assert!(run(&CONTAINER_RUNS_AS_ROOT, &w).is_empty());
        let w = with_dockerfile("FROM debian:12\nARG RUN_AS=0\nUSER $RUN_AS\n");
        assert_eq!(run(&CONTAINER_RUNS_AS_ROOT, &w).len(), 1);
    }

    #[test]
    fn dockerfile_without_user_is_probably_root() {
        let w = with_dockerfile("FROM python:3.12-slim\nCMD [\"python\"]\n");
        let findings = run(&CONTAINER_RUNS_AS_ROOT, &w);
        assert_eq!(starts(&findings), [50]);
        assert_eq!(findings[0].severity, Severity::Medium);
        assert!(findings[0].message.contains("probably runs as root"));
        assert_eq!(&*findings[0].related[0].location.path, "Dockerfile");
    }

    #[test]
    fn inherited_dockerfile_user_counts() {
        let w = with_dockerfile("FROM debian:12 AS base\nUSER app\nFROM base\nCMD [\"run\"]\n");
        assert!(run(&CONTAINER_RUNS_AS_ROOT, &w).is_empty());
    }

    #[test]
    fn unknown_image_is_not_guessed() {
        let mut w = service();
        w.image = Some(set("nginx:1.27".into(), 3));
        assert!(run(&CONTAINER_RUNS_AS_ROOT, &w).is_empty());
    }
}
