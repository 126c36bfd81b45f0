//! Platforms (`linux/amd64`, `linux/arm64/v8`) and how an index entry is chosen for one.

use std::fmt;

/// An operating system, CPU architecture and optional variant, as in an OCI index entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    /// `linux`, `windows`, ...
    pub os: String,
    /// `amd64`, `arm64`, `arm`, `386`, `ppc64le`, `s390x`, `riscv64`, ...
    pub architecture: String,
    /// `v6`, `v7`, `v8` for ARM.
    pub variant: Option<String>,
}

impl Platform {
    /// A platform from its parts, with common aliases normalised (`x86_64` → `amd64`,
    /// `aarch64` → `arm64`, `armhf` → `arm/v7`, `i386` → `386`).
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        let os = os.trim().to_ascii_lowercase();
        let architecture = architecture.trim().to_ascii_lowercase();
        let variant = variant.map(|v| v.trim().to_ascii_lowercase()).filter(|v| !v.is_empty());
        let (architecture, variant) = match (architecture.as_str(), variant) {
            ("x86_64" | "x86-64", v) => ("amd64".to_string(), v),
            ("aarch64", v) => ("arm64".to_string(), v),
            ("armhf", None) => ("arm".to_string(), Some("v7".to_string())),
            ("armel", None) => ("arm".to_string(), Some("v6".to_string())),
            ("i386" | "i686", v) => ("386".to_string(), v),
            (_, v) => (architecture, v),
        };
        Platform { os, architecture, variant }
    }

    /// Parses `os/arch[/variant]` (`linux/arm64/v8`); an `os` alone is not a platform.
    pub fn parse(text: &str) -> Option<Platform> {
        let mut parts = text.trim().split('/');
        let os = parts.next().filter(|s| !s.is_empty())?;
        let architecture = parts.next().filter(|s| !s.is_empty())?;
        let variant = parts.next();
        if parts.next().is_some() || variant.is_some_and(str::is_empty) {
            return None;
        }
        Some(Platform::new(os, architecture, variant))
    }

    /// The default platform asked for when none is given: `linux/amd64`.
    pub fn linux_amd64() -> Platform {
        Platform::new("linux", "amd64", None)
    }

    /// Whether an image for `offered` runs on `self` as asked: same OS and architecture, and the
    /// same variant when `self` names one (`arm64` with no variant means `v8`).
    pub fn matches(&self, offered: &Platform) -> bool {
        if self.os != offered.os || self.architecture != offered.architecture {
            return false;
        }
        let Some(wanted) = &self.variant else { return true };
        let default_variant = (self.architecture == "arm64").then_some("v8");
        let offered_variant = offered.variant.as_deref().or(default_variant);
        offered_variant == Some(wanted.as_str())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        assert_eq!(Platform::parse("linux/amd64"), Some(Platform::linux_amd64()));
        assert_eq!(Platform::parse("linux/x86_64").map(|p| p.to_string()), Some("linux/amd64".into()));
        assert_eq!(Platform::parse("Linux/ARM64/v8").map(|p| p.to_string()), Some("linux/arm64/v8".into()));
        assert_eq!(Platform::parse("linux/armhf").map(|p| p.to_string()), Some("linux/arm/v7".into()));
        for bad in ["", "linux", "linux/", "/amd64", "linux/arm/v7/x", "linux/arm/"] {
            assert_eq!(Platform::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn matching() {
        let arm64 = Platform::parse("linux/arm64").unwrap();
        let arm64_v8 = Platform::parse("linux/arm64/v8").unwrap();
        assert!(arm64.matches(&arm64_v8));
        assert!(arm64_v8.matches(&arm64));
        let v7 = Platform::parse("linux/arm/v7").unwrap();
        let v6 = Platform::parse("linux/arm/v6").unwrap();
        assert!(!v7.matches(&v6));
        assert!(Platform::parse("linux/arm").unwrap().matches(&v6));
        assert!(!Platform::linux_amd64().matches(&arm64));
    }
}
