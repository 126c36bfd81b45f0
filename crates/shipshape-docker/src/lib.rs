//! Docker engine front ends. Today: `docker inspect` JSON lowered to [`shipshape_model::Workload`]s;
//! the live engine audit reads the same objects from the Engine API and reuses this lowering.

pub mod image;
pub mod inspect;
