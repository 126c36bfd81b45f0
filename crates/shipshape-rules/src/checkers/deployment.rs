use shipshape_model::{Deployment, Finding};

use crate::context::Checker;
use crate::network::net200_exposed_path_to_host;

/// Every rule that reads a whole deployment.
pub fn deployment_rules() -> impl Iterator<Item = &'static shipshape_model::RuleMeta> {
    [&net200_exposed_path_to_host::EXPOSED_PATH_TO_HOST].into_iter()
}

/// Runs every enabled rule that reasons across the workloads of a deployment.
pub fn check_deployment(deployment: &Deployment, checker: &mut Checker<'_>) {
    if checker.enabled(&net200_exposed_path_to_host::EXPOSED_PATH_TO_HOST) {
        net200_exposed_path_to_host::check(deployment, checker);
    }
}

/// Convenience: checks `deployment` with every rule enabled and default settings.
pub fn check_deployment_all(deployment: &Deployment) -> Vec<Finding> {
    let settings = crate::RuleSettings::default();
    let all = |_: &shipshape_model::RuleMeta| true;
    let mut checker = Checker::new(&settings, &all);
    check_deployment(deployment, &mut checker);
    checker.into_findings()
}
