//! `IMG`: a trusted, pinned, minimal, current image; build hygiene.

pub(crate) mod img001_untagged_base_image;
pub(crate) mod img002_latest_base_tag;
pub(crate) mod img003_add_local_files;
pub(crate) mod img004_cd_in_run;
pub(crate) mod img005_apt_in_run;
pub(crate) mod img006_apt_get_without_yes;
pub(crate) mod img007_apt_install_recommends;
pub(crate) mod img008_package_cache_kept;
pub(crate) mod img009_pipe_without_pipefail;
pub(crate) mod img010_useradd_large_uid;
pub(crate) mod img011_package_upgrade_in_build;
pub(crate) mod img012_package_index_update_alone;
pub(crate) mod img013_invalid_image_reference;
pub(crate) mod img014_tag_without_digest;
pub(crate) mod img015_end_of_life_image;
pub(crate) mod img500_unneeded_file_in_image;
pub(crate) mod img501_package_cache_in_image;
pub(crate) mod img502_build_tool_in_image;
