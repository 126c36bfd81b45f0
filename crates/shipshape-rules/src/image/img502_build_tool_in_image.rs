use shipshape_model::{ImageFile, ImageFiles, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags compilers and build tools in the image's final view: C and C++ compilers (`gcc`,
    /// `g++`, `clang`, `tcc`, and GCC's `cc1`/`cc1plus`), `make`, `cmake`, `ninja`, `javac`,
    /// the Go toolchain (`go`), and `rustc`/`cargo`, as executable files in a `bin` directory
    /// (versioned and target-prefixed names such as `x86_64-linux-gnu-gcc-12` included). One
    /// finding per tool, at the first file found, with the layer that added it.
    ///
    /// ## Why is this bad?
    /// A compiler in a running container lets an attacker who got in build exploits and tools
    /// on the spot instead of bringing binaries in; it also adds hundreds of megabytes and
    /// packages with their own vulnerabilities. A final image needs the build's output, not
    /// its toolchain.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22
    /// COPY . /src
    /// RUN cd /src && go build -o /app .
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// COPY . /src
    /// RUN cd /src && CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// Build in an earlier stage and copy only the result into a minimal final stage, or remove
    /// the build dependencies in the step that installed them. Not fixed automatically.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    pub static BUILD_TOOL_IN_IMAGE = {
        code: "IMG502",
        name: "build-tool-in-image",
        layer: Image,
        threat: MaliciousImage,
        asset: Application,
        severity: Low,
        fix: None,
        summary: "a compiler or build tool ships in the final image",
        aliases: [(CisDocker, "4.3")],
    }
}

const TOOLS: &[&str] = &[
    "gcc", "g++", "clang", "clang++", "tcc", "cc1", "cc1plus", "make", "gmake", "cmake", "ninja", "javac",
    "go", "rustc", "cargo",
];

/// The tool `file` is, when it is one: `x86_64-linux-gnu-gcc-12` is `gcc`.
pub(crate) fn tool(file: &ImageFile) -> Option<&'static str> {
    if !file.kind.is_file() || file.mode & 0o111 == 0 || file.removed_by.is_some() {
        return None;
    }
    let parent = file.path.rsplit('/').nth(1).unwrap_or_default();
    let in_gcc_libexec = file.path.starts_with("/usr/lib/gcc/") || file.path.starts_with("/usr/libexec/gcc/");
    if parent != "bin" && parent != "sbin" && !in_gcc_libexec {
        return None;
    }
    let name = file.name();
    // Drop a target triplet (`x86_64-linux-gnu-`) and a version suffix (`-12`, `-16.0`).
    let base = name.rsplit_once("-linux-gnu-").map_or(name, |(_, rest)| rest);
    let base = match base.rsplit_once('-') {
        Some((stem, version)) if version.bytes().all(|b| b.is_ascii_digit() || b == b'.') => stem,
        _ => base,
    };
    let found = TOOLS.iter().copied().find(|t| *t == base)?;
    // GCC's compiler proper lives in its libexec directory; elsewhere only in `bin`.
    (matches!(found, "cc1" | "cc1plus") == in_gcc_libexec).then_some(found)
}

pub(crate) fn matches(file: &ImageFile) -> bool {
    tool(file).is_some()
}

pub(crate) fn check(files: &ImageFiles, checker: &mut Checker<'_>) {
    let mut seen: Vec<&str> = Vec::new();
    for file in &files.files {
        let Some(tool) = tool(file) else { continue };
        if seen.contains(&tool) {
            continue;
        }
        seen.push(tool);
        let others =
            files.files.iter().filter(|f| f.path != file.path && self::tool(f) == Some(tool)).count();
        let also = match others {
            0 => String::new(),
            1 => " (and 1 more file)".to_owned(),
            n => format!(" (and {n} more files)"),
        };
        checker
            .report(
                &BUILD_TOOL_IN_IMAGE,
                &file.origin,
                format!(
                    "`{tool}` ships in the final image: `{}`{also}, added by {}",
                    file.path,
                    files.layer_label(file.layer)
                ),
            )
            .help = Some("build in an earlier stage and copy only the output into the final one".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::{ImageFileKind, Origin, Span};

    fn exe(path: &str) -> ImageFile {
        ImageFile {
            path: path.into(),
            kind: ImageFileKind::Regular,
            mode: 0o755,
            uid: 0,
            gid: 0,
            size: 1,
            layer: 0,
            removed_by: None,
            notes: Vec::new(),
            origin: Origin::new("x".into(), Span::new(0, 0)),
        }
    }

    #[test]
    fn names() {
        assert_eq!(tool(&exe("/usr/bin/x86_64-linux-gnu-gcc-12")), Some("gcc"));
        assert_eq!(tool(&exe("/usr/bin/gcc")), Some("gcc"));
        assert_eq!(tool(&exe("/usr/lib/gcc/x86_64-linux-gnu/12/cc1")), Some("cc1"));
        assert_eq!(tool(&exe("/usr/local/go/bin/go")), Some("go"));
        assert_eq!(tool(&exe("/usr/bin/clang-16")), Some("clang"));
        assert_eq!(tool(&exe("/usr/bin/make")), Some("make"));
        assert_eq!(tool(&exe("/usr/bin/gcc-ar-12")), None);
        assert_eq!(tool(&exe("/usr/share/doc/make")), None);
        assert_eq!(tool(&exe("/opt/app/cc1")), None);
        let mut doc = exe("/usr/bin/make");
        doc.mode = 0o644;
        assert_eq!(tool(&doc), None);
    }
}
