//! `IMG`: a trusted, pinned, minimal, current image; build hygiene.

pub(crate) mod img001_untagged_base_image;
pub(crate) mod img002_latest_base_tag;
pub(crate) mod img003_add_local_files;
