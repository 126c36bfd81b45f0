//! One walk per model value, calling every enabled rule that reads that model type.

mod deployment;
pub(crate) mod dockerfile;
pub(crate) mod engine;
mod image_files;
pub mod image_ref;
mod image_spec;
pub mod kube_object;
pub mod malware;
mod text;
mod vulnerability;
pub(crate) mod workload;

pub use crate::image::img015_end_of_life_image::check_os_release;
pub use deployment::{check_deployment, check_deployment_all, deployment_rules};
pub use dockerfile::{dockerfile_rules, reported_by_rule};
pub use engine::{check_engine, check_engine_all, engine_rules};
pub use image_files::{
    SECRET_REPORTED, cache_root, check_accounts, check_image_files, content_notes, image_files_rules,
    notable_package, notable_rules, wants_content,
};
pub use image_ref::{ImageSite, NamedImage, check_images, image_ref_rules};
pub use image_spec::{check_dockerfile, check_image_spec, check_image_spec_all, image_spec_rules};
pub use kube_object::{KubeObject, check_kube_object, kube_object_rules};
pub use malware::{check_malware_commands, check_malware_text, check_yara, malware_rules, yara_rules};
pub use text::{check_text, text_rules};
pub use vulnerability::{check_vulnerabilities, vulnerability_rules};
pub use workload::{check_workload, check_workload_all, workload_rules};
