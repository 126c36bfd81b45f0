//! Docker engine front ends: `docker inspect` JSON lowered to [`shipshape_model::Workload`]s
//! ([`inspect`]), and the daemon's configuration (`docker info`, `GET /version`, the default
//! bridge network, `daemon.json`) lowered to [`shipshape_model::EngineConfig`] ([`daemon`]). The
//! live engine audit reads the same objects from the Engine API and reuses both lowerings.

pub mod daemon;
pub mod image;
pub mod inspect;
