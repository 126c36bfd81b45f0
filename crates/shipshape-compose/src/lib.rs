//! Docker Compose loader (work in progress).
