//! Pod Security Standards levels and policy versions, as namespaces label them
//! (`pod-security.kubernetes.io/enforce: restricted`, `enforce-version: v1.30`). The checks
//! themselves are rules, in `shipshape-rules`.

use std::fmt;

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No restrictions.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Current pod hardening best practice.
    Restricted,
}

impl Level {
    /// `privileged`, `baseline` or `restricted` (case-insensitive).
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    /// `privileged`, `baseline` or `restricted`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version `v1.<minor>`, as in the `pod-security.kubernetes.io/enforce-version` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyVersion {
    minor: u8,
}

impl PolicyVersion {
    /// The newest policy version: what `latest` resolves to (the highest version any check
    /// registers a behaviour for).
    pub const LATEST: PolicyVersion = PolicyVersion { minor: 37 };
    /// The oldest version shipshape evaluates. Older pins behave as v1.25 for every check
    /// except the pre-1.25 Windows rules and the pre-1.19 seccomp annotations, which are not
    /// modelled; they are refused rather than approximated.
    pub const OLDEST: PolicyVersion = PolicyVersion { minor: 25 };

    /// `v1.<minor>` (a version newer than [`Self::LATEST`] is evaluated as latest, as upstream
    /// clamps it).
    pub fn new(minor: u8) -> Option<PolicyVersion> {
        (minor >= Self::OLDEST.minor).then_some(PolicyVersion { minor: minor.min(Self::LATEST.minor) })
    }

    /// `latest`, `v1.30` or `1.30`.
    pub fn parse(text: &str) -> Result<PolicyVersion, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("latest") || text.is_empty() {
            return Ok(Self::LATEST);
        }
        let bare = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let minor = bare
            .strip_prefix("1.")
            .and_then(|m| m.parse::<u8>().ok())
            .ok_or_else(|| format!("`{text}` is not a policy version: expected `latest` or `v1.<minor>`"))?;
        Self::new(minor).ok_or_else(|| {
            format!(
                "policy version `{text}` is older than the oldest supported version v1.{}",
                Self::OLDEST.minor
            )
        })
    }

    /// The minor version: 30 for `v1.30`.
    pub const fn minor(self) -> u8 {
        self.minor
    }

    /// Whether this version includes behaviour introduced in `v1.<minor>`.
    pub const fn at_least(self, minor: u8) -> bool {
        self.minor >= minor
    }
}

impl fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

/// A level at a version: what a namespace enforces, or what `--pss restricted:v1.30` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// The level.
    pub level: Level,
    /// The policy version.
    pub version: PolicyVersion,
}

impl Policy {
    /// `restricted`, `restricted:latest` or `baseline:v1.30`, as upstream writes policies.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let (level_text, version_text) = text.split_once(':').unwrap_or((text, "latest"));
        let level = Level::parse(level_text).ok_or_else(|| {
            format!(
                "`{}` is not a Pod Security level: expected privileged, baseline or restricted",
                level_text.trim()
            )
        })?;
        Ok(Policy { level, version: PolicyVersion::parse(version_text)? })
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_clamp() {
        assert_eq!(PolicyVersion::parse("latest"), Ok(PolicyVersion::LATEST));
        assert_eq!(PolicyVersion::parse("v1.30").map(PolicyVersion::minor), Ok(30));
        assert_eq!(PolicyVersion::parse("1.34").map(PolicyVersion::minor), Ok(34));
        assert_eq!(PolicyVersion::parse("v1.99"), Ok(PolicyVersion::LATEST));
        assert!(PolicyVersion::parse("v1.24").is_err());
        assert!(PolicyVersion::parse("v2.0").is_err());
        assert!(PolicyVersion::parse("banana").is_err());
    }

    #[test]
    fn policies_parse_like_upstream_writes_them() {
        assert_eq!(Policy::parse("restricted").map(|p| p.to_string()), Ok("restricted:v1.37".into()));
        assert_eq!(Policy::parse("Baseline:v1.30").map(|p| p.to_string()), Ok("baseline:v1.30".into()));
        assert!(Policy::parse("strict").is_err());
        assert!(Policy::parse("restricted:v1.2").is_err());
    }
}
