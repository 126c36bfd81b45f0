//! One walk per model value, calling every enabled rule that reads that model type.

mod image_spec;

pub use image_spec::{check_image_spec, check_image_spec_all};
