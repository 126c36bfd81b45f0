//! A small path glob matcher for allowlists.
//!
//! `*` matches any run of characters except `/`, `**` any run including `/` (and `**/` also
//! matches nothing), `?` one character except `/`; everything else matches itself. A pattern
//! without `/` is matched against the last path component, as in `.gitignore`. Paths are
//! compared with `/` separators (callers convert `\`).

/// Whether `path` matches `pattern`.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    let path = path.trim_start_matches("./");
    if !pattern.contains('/') {
        let base = path.rsplit('/').next().unwrap_or(path);
        return matches(pattern.as_bytes(), base.as_bytes());
    }
    matches(pattern.trim_start_matches('/').as_bytes(), path.as_bytes())
}

/// Iterative matcher with one backtrack point per star kind; linear in practice and never
/// worse than O(pattern × path).
fn matches(p: &[u8], s: &[u8]) -> bool {
    // Dynamic programming over pattern positions: `reach[i]` = pattern prefix i matches the
    // consumed part of `s`.
    let n = p.len();
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    close(p, &mut reach);
    for &c in s {
        let mut next = vec![false; n + 1];
        let mut i = 0;
        while i < n {
            if reach[i] {
                match p[i] {
                    b'*' if p.get(i + 1) == Some(&b'*') => next[i] = true,
                    b'*' if c != b'/' => next[i] = true,
                    b'?' if c != b'/' => next[i + 1] = true,
                    b'*' | b'?' => {}
                    lit if lit == c => next[i + 1] = true,
                    _ => {}
                }
            }
            i += 1;
        }
        close(p, &mut next);
        if !next.iter().any(|&r| r) {
            return false;
        }
        reach = next;
    }
    reach[n]
}

/// Epsilon closure: a star may match nothing; `**/` may match nothing.
fn close(p: &[u8], reach: &mut [bool]) {
    let n = p.len();
    let mut i = 0;
    while i < n {
        if reach[i] && p[i] == b'*' {
            if p.get(i + 1) == Some(&b'*') {
                reach[i + 1] = true;
                if p.get(i + 2) == Some(&b'/') {
                    reach[i + 3] = true;
                } else {
                    reach[i + 2] = true;
                }
            } else {
                reach[i + 1] = true;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("*.md", "docs/guide/README.md"));
        assert!(glob_match("docs/**", "docs/a/b/c.txt"));
        assert!(glob_match("**/testdata/**", "crates/x/testdata/keys/id_rsa"));
        assert!(glob_match("**/testdata/**", "testdata/id_rsa"));
        assert!(glob_match("src/*.rs", "src/lib.rs"));
        assert!(!glob_match("src/*.rs", "src/a/lib.rs"));
        assert!(glob_match("src/**/*.rs", "src/lib.rs"));
        assert!(glob_match("src/**/*.rs", "src/a/b/lib.rs"));
        assert!(glob_match("id_?sa", "home/.ssh/id_rsa"));
        assert!(!glob_match("*.md", "README.mdx"));
        assert!(glob_match("**", "anything/at/all"));
        assert!(!glob_match("a*b*c*d*e*f*g", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    }
}
