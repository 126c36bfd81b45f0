//! One walk per model value, calling every enabled rule that reads that model type.

mod deployment;
mod image_spec;
pub(crate) mod workload;

pub use deployment::{check_deployment, check_deployment_all, deployment_rules};
pub use image_spec::{check_image_spec, check_image_spec_all, image_spec_rules};
pub use workload::{check_workload, check_workload_all, workload_rules};
