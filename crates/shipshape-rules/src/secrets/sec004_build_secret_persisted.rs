use shipshape_model::declare_rule;
use shipshape_shell::RedirectOp;

use crate::context::Checker;
use crate::shell::RunScript;

declare_rule! {
    /// ## What it does
    /// Flags a `RUN --mount=type=secret` that copies the secret into the image: `cp` or `mv`
    /// (also `install`, `rsync`) from the secret's path, or a command that reads it and
    /// redirects its output to a file (`cat /run/secrets/npmrc > /root/.npmrc`). The secret's
    /// path is the mount's `target`, or `/run/secrets/<id>`. The finding points at the command.
    ///
    /// ## Why is this bad?
    /// A secret mount exists only while the `RUN` runs, so the secret never reaches a layer;
    /// a copy of it made by the step does, readable by anyone who pulls the image, and deleting
    /// it in a later step does not remove it from the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc cp /run/secrets/npmrc /root/.npmrc && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Fix
    /// Mount the secret where the tool reads it (`target=`), or point the tool at the mounted
    /// file (`NPM_CONFIG_USERCONFIG=/run/secrets/npmrc`). If a copy is unavoidable, delete it in
    /// the same `RUN`. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - Dockerfile reference, `RUN --mount=type=secret`
    pub static BUILD_SECRET_PERSISTED = {
        code: "SEC004",
        name: "build-secret-persisted",
        layer: Secrets,
        threat: SecretExposure,
        asset: Data,
        severity: High,
        fix: None,
        summary: "a build secret is copied into a layer",
        aliases: [],
    }
}

pub(crate) fn check(run: &RunScript<'_>, checker: &mut Checker<'_>) {
    let paths: Vec<String> = run
        .run
        .mounts
        .iter()
        .filter(|m| m.kind == "secret")
        .filter_map(|m| {
            m.target().map(str::to_string).or_else(|| m.option("id").map(|id| format!("/run/secrets/{id}")))
        })
        .collect();
    if paths.is_empty() {
        return;
    }
    let is_secret = |text: &str| paths.iter().any(|p| text == p || text.starts_with(&format!("{p}/")));
    // Files removed in the same run do not persist.
    let removed: Vec<String> = run
        .commands(&["rm", "shred"])
        .flat_map(|c| c.operands().into_iter().map(|w| w.value.clone()))
        .collect();
    for command in &run.script.commands {
        let operands = command.operands();
        let copied = command.is_any(&["cp", "mv", "install", "rsync"])
            && operands.split_last().is_some_and(|(dest, sources)| {
                sources.iter().any(|w| is_secret(&w.value)) && !removed.contains(&dest.value)
            });
        let redirected = operands.iter().any(|w| is_secret(&w.value))
            && command.redirects.iter().any(|r| {
                matches!(r.op, RedirectOp::Out | RedirectOp::Append | RedirectOp::Clobber)
                    && !r.target.value.starts_with("/dev/")
                    && !removed.contains(&r.target.value)
            });
        if copied || redirected {
            checker
                .report(
                    &BUILD_SECRET_PERSISTED,
                    &run.origin(command.span),
                    "the secret mounted for this `RUN` is copied into the image",
                )
                .help = Some("mount the secret where it is read (`target=`) instead of copying it".into());
        }
    }
}
