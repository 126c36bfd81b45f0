//! The shipshape security model.
//!
//! Every front end (Dockerfile, Compose, Kubernetes, images, live hosts) lowers what it reads into
//! the plain structs of this crate; every rule reads only these structs and emits [`Finding`]s; every
//! renderer prints findings. Nothing here does I/O.
//!
//! Images add [`ImageFiles`] (the notable entries of an image's layers) and [`AccountFile`] (its
//! account databases) for the filesystem rules.

pub mod date;
pub mod engine;
pub mod finding;
pub mod fix;
pub mod general;
pub mod image_files;
pub mod image_ref;
pub mod image_spec;
pub mod inventory;
pub mod redact;
pub mod rule;
pub mod scan;
pub mod source;
pub mod span;
pub mod workload;

pub use engine::{ApiListener, ApiTls, EngineConfig, SeccompDefault, SettingList, SocketStat, Ulimit};
pub use finding::{Finding, Location, Region, RelatedLocation, VulnerabilityRef};
pub use fix::{Applicability, Edit, Fix};
pub use image_files::{
    Account, AccountDb, AccountFile, CacheDir, HashScheme, ImageFile, ImageFileKind, ImageFiles,
    ImagePackage, Overflow, PasswordField,
};
pub use image_ref::{DOCKER_HUB, ReferenceError, glob_match, is_image_id};
pub use image_spec::*;
pub use inventory::{Component, ComponentKind, Subject, SubjectKind};
pub use redact::redact;
pub use rule::{Alias, Asset, FixAvailability, Layer, RuleMeta, Severity, Threat, Tool};
pub use scan::{ScanTarget, TargetStatus};
pub use source::{LineIndex, SourceFile};
pub use span::{Origin, Span, Spanned};
pub use workload::*;
