//! Heuristics shared by the rules: documentation examples, placeholders and the value checks of
//! the generic `password = …` / `token: …` rules.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::entropy::{entropy_threshold, shannon};

/// One case-insensitive automaton per word list, built once: checking a candidate against
/// dozens of words with one pass each would dominate the time spent on secret-dense input.
fn words_matcher(
    cell: &'static OnceLock<Option<AhoCorasick>>,
    words: &'static [&'static str],
) -> Option<&'static AhoCorasick> {
    cell.get_or_init(|| AhoCorasick::builder().ascii_case_insensitive(true).build(words).ok()).as_ref()
}

/// Whether `hay` contains one of `words` (ASCII case-insensitive).
fn contains_any(
    cell: &'static OnceLock<Option<AhoCorasick>>,
    words: &'static [&'static str],
    hay: &[u8],
) -> bool {
    match words_matcher(cell, words) {
        Some(ac) => ac.is_match(hay),
        None => {
            let lower = hay.to_ascii_lowercase();
            words.iter().any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
        }
    }
}

static EXAMPLE_AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
static PLACEHOLDER_AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
static LOOPBACK_AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();

/// Hosts after `user:password@` that make URL credentials local test values.
const LOOPBACK_HOSTS: &[&str] = &["@localhost", "@127.0.0.1", "@[::1]", "@0.0.0.0"];

/// Secrets published in vendor documentation; always reported as examples.
const KNOWN_EXAMPLES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "ASIAIOSFODNN7EXAMPLE",
    "AKIDEXAMPLE",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
];

/// Words that mark a value as an illustration rather than a live credential.
const EXAMPLE_MARKERS: &[&str] =
    &["example", "sample", "dummy", "placeholder", "redacted", "xxxxxx", "******", "your_", "your-", "<your"];

/// Whether `secret` (found in `matched`, the whole rule match) is a documentation example or an
/// obvious filler: a published vendor example, a marker word (`EXAMPLE`, `sample`, `dummy`,
/// `XXXXXX`, …) in the secret or its match, an ascending run such as `12345678` or `abcdefgh`,
/// or a body made of three distinct characters or fewer.
pub fn is_example(secret: &[u8], matched: &[u8]) -> bool {
    if secret.len() >= 11
        && KNOWN_EXAMPLES.iter().any(|e| memchr::memmem::find(secret, e.as_bytes()).is_some())
    {
        return true;
    }
    if contains_any(&EXAMPLE_AC, EXAMPLE_MARKERS, secret)
        || contains_any(&EXAMPLE_AC, EXAMPLE_MARKERS, matched)
    {
        return true;
    }
    // Credentials for a service on the loopback interface are test fixtures or local defaults.
    if contains_any(&LOOPBACK_AC, LOOPBACK_HOSTS, matched) {
        return true;
    }
    // Keys and certificates are long and structured (runs of `A` are normal in DER); the filler
    // checks below are for token-sized values only.
    if secret.len() > 200 {
        return false;
    }
    if longest_ascending_run(secret) >= 8 {
        return true;
    }
    let tail = secret.get(secret.len() * 3 / 10..).unwrap_or_default();
    tail.len() >= 10 && distinct(tail) <= 3
}

fn distinct(s: &[u8]) -> usize {
    let mut seen = [false; 256];
    let mut n = 0;
    for &b in s {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            n += 1;
        }
    }
    n
}

/// Length of the longest run of consecutive ascending characters (`0123`, `abcd`, with `9`
/// followed by `a`/`A`/`0`, and `0` by `a`/`A`, also counting, as in `1234567890abcdef`).
fn longest_ascending_run(s: &[u8]) -> usize {
    let mut best = usize::from(!s.is_empty());
    let mut cur = best;
    for w in s.windows(2) {
        let (a, b) = (w[0], w[1]);
        let next = a.is_ascii_alphanumeric()
            && (b == a.wrapping_add(1)
                || (a == b'9' && matches!(b, b'0' | b'a' | b'A'))
                || (a == b'0' && matches!(b, b'a' | b'A')));
        cur = if next { cur + 1 } else { 1 };
        best = best.max(cur);
    }
    best
}

/// Lower-cased words that make an assigned value a placeholder rather than a secret.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "redacted",
    "replace",
    "insert",
    "your",
    "todo",
    "fixme",
    "password",
    "passwd",
    "secret",
    "test",
    "fake",
    "foobar",
    "undefined",
    "xxxx",
    "***",
    "...",
    "???",
    "${",
    "{{",
    "$(",
    "}}",
    "<%",
    "%>",
];

/// Whole values (lower-cased) that are not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "null", "none", "nil", "admin", "root", "user", "guest",
    "pass", "string", "str", "value", "required", "optional", "env", "token", "n/a", "na", "default",
    "empty", "bearer", "basic", "letmein", "qwerty", "hunter2",
];

/// Prefixes of values that reference a secret kept elsewhere (templating, secret managers,
/// encrypted blobs, files) instead of containing it.
const REFERENCE_PREFIXES: &[&str] = &[
    "$",
    "%(",
    "%{",
    "#{",
    "<",
    "{",
    "[",
    "(",
    "enc[",
    "vault:",
    "arn:",
    "ref+",
    "sm://",
    "file:",
    "env:",
    "secret:",
    "http://",
    "https://",
    "projects/",
    "gcp:",
    "azure:",
];

/// Whether an assigned value is a placeholder or a reference rather than a literal secret:
/// empty, templated (`${VAR}`, `$(cmd)`, `{{ .x }}`, `<password>`), masked (`****`, `xxxx`),
/// a marker word (`changeme`, `example`, `dummy`, `test`, …), a code expression
/// (`os.environ["X"]`, `config.db.password`, `getToken()`), a path, a bare lower-case word or
/// identifier, or a number.
pub fn is_placeholder(value: &[u8]) -> bool {
    let v = value;
    if is_template_or_marker(v) {
        return true;
    }
    // Code: calls, indexing, generics, paths (`a.b`, `a::b`, `a->b`), escapes in string literals.
    if v.iter().any(|b| matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'<' | b'>')) {
        return true;
    }
    if [&b"::"[..], b"->", b"\\n", b"\\r", b"\\t"].iter().any(|p| memchr::memmem::find(v, p).is_some()) {
        return true;
    }
    if is_identifier_path(v) {
        return true;
    }
    // A bare lower-case word or snake/kebab identifier, an ALL_CAPS constant name, camelCase.
    if v.iter().all(|b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-' | b' ')) {
        return true;
    }
    if v.iter().all(|b| b.is_ascii_uppercase() || *b == b'_') {
        return true;
    }
    if is_camel_case_word(v) || is_pascal_case_word(v) || is_snake_identifier(v) || is_word_like_identifier(v)
    {
        return true;
    }
    v.iter().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-'))
}

/// `EphemeralPrivateKey`, `InitToken`, `TimeStamp2`: upper-case letters each starting a
/// lower-case run, digits only at the end. Random strings of letters almost never look so.
fn is_pascal_case_word(v: &[u8]) -> bool {
    let letters = v.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (word, tail) = v.split_at(letters);
    word.first().is_some_and(u8::is_ascii_uppercase)
        && word.len() >= 4
        && tail.iter().all(u8::is_ascii_digit)
        && word.windows(2).all(|w| !w[0].is_ascii_uppercase() || w[1].is_ascii_lowercase())
}

/// An identifier made of word-like pieces (`X509CertificateTemplatePrivateKeyFlag`,
/// `Curve25519SeedBin`, `Uri_PROPERTY`, `WSManSessionFlags`): split into pieces at underscores
/// and digits and at case changes as in camel case, its letter pieces average four letters or
/// more. Random alphanumerics change case or class every one or two characters.
fn is_word_like_identifier(v: &[u8]) -> bool {
    if v.len() < 4 || !v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
        return false;
    }
    let (mut pieces, mut letters, mut digits) = (0usize, 0usize, 0usize);
    for (i, &b) in v.iter().enumerate() {
        if b.is_ascii_digit() {
            digits += 1;
            continue;
        }
        if !b.is_ascii_alphabetic() {
            continue;
        }
        letters += 1;
        let prev = i.checked_sub(1).and_then(|p| v.get(p)).copied();
        let next = v.get(i + 1).copied();
        // A piece starts after a separator or digit, at a lower-to-upper change, and at the last
        // capital of a run followed by lower case (`WSMan` is `WS` + `Man`).
        let starts = match prev {
            None => true,
            Some(p) if !p.is_ascii_alphabetic() => true,
            Some(p) => {
                b.is_ascii_uppercase()
                    && (p.is_ascii_lowercase() || next.is_some_and(|n| n.is_ascii_lowercase()))
            }
        };
        pieces += usize::from(starts);
    }
    // Words carry vowels: about 40% of an identifier's letters, 23% of random letters'.
    let vowels = v
        .iter()
        .filter(|b| matches!(b.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
        .count();
    pieces > 0 && letters >= 4 * pieces && digits * 3 <= v.len() && vowels * 7 >= letters * 2
}

/// `x25519_check_private_key_bytes`, `TLS13_CHACHA20_POLY1305`, `__IncompleteArrayField`:
/// identifiers with underscores between single-case segments, or with leading underscores.
fn is_snake_identifier(v: &[u8]) -> bool {
    if v.starts_with(b"__") && v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
        return true;
    }
    let parts: Vec<&[u8]> = v.split(|&b| b == b'_').collect();
    parts.len() >= 2
        && parts.iter().all(|p| !p.is_empty())
        && (parts.iter().all(|p| p.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
            || parts.iter().all(|p| p.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())))
        && parts.iter().filter(|p| p.iter().any(u8::is_ascii_alphabetic)).count() >= 2
}

/// The part of [`is_placeholder`] that holds for values known to be literals (the password of a
/// URL, a `.npmrc` token): empty, a placeholder value or marker word, templating, a reference
/// or a mask. Unlike [`is_placeholder`] it accepts words, identifiers and numbers, since a
/// literal that looks like one is still a credential.
pub fn is_template_or_marker(v: &[u8]) -> bool {
    if v.is_empty() {
        return true;
    }
    is_path(v)
        || is_sigil_reference(v)
        || PLACEHOLDER_VALUES.iter().any(|p| v.eq_ignore_ascii_case(p.as_bytes()))
        || contains_any(&PLACEHOLDER_AC, PLACEHOLDER_WORDS, v)
        || REFERENCE_PREFIXES
            .iter()
            .any(|p| v.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p.as_bytes())))
}

/// A YAML tag, anchor or alias, an annotation or a format directive: `!Ref name`, `!vault`,
/// `&anchor`, `*alias`, `@Value`, `%s`: a sigil followed by a word (no digits).
fn is_sigil_reference(v: &[u8]) -> bool {
    let Some((&first, rest)) = v.split_first() else { return false };
    matches!(first, b'!' | b'&' | b'*' | b'@' | b'%')
        && rest.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && rest
            .iter()
            .take_while(|b| !b.is_ascii_whitespace())
            .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-' | b':'))
}

/// A file path (`/run/secrets/db`, `./key.pem`, `~/.aws/credentials`), as opposed to base64
/// that happens to start with `/`: path characters only, and no piece mixing upper and lower
/// case without a `.`, `-` or `_` in it.
fn is_path(v: &[u8]) -> bool {
    let rest = [&b"/"[..], b"./", b"../", b"~/"].iter().find_map(|p| v.strip_prefix(*p));
    let Some(rest) = rest else { return false };
    rest.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b'~'))
        && rest.split(|&b| b == b'/').all(|piece| {
            let mixed = piece.iter().any(u8::is_ascii_uppercase) && piece.iter().any(u8::is_ascii_lowercase);
            !mixed || piece.iter().any(|b| matches!(b, b'.' | b'_' | b'-'))
        })
}

fn is_identifier_path(v: &[u8]) -> bool {
    let mut parts = 0;
    for part in v.split(|&b| b == b'.') {
        let ident = part.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && part.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if !ident {
            return false;
        }
        parts += 1;
    }
    // `a.b` is a path; require the parts to look like words (digits-only segments fail above).
    parts >= 2 && !v.iter().any(u8::is_ascii_digit)
}

/// `userPassword`, `getApiToken`: letters only, starting lower-case, with few upper-case
/// letters that never follow each other (random letters are about half upper-case).
fn is_camel_case_word(v: &[u8]) -> bool {
    let upper = v.iter().filter(|b| b.is_ascii_uppercase()).count();
    v.first().is_some_and(u8::is_ascii_lowercase)
        && v.iter().all(u8::is_ascii_alphabetic)
        && upper > 0
        && upper * 4 <= v.len()
        && !v.windows(2).any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase())
}

/// Number of character classes (lower, upper, digit, other) present in `v`.
pub(crate) fn char_classes(v: &[u8]) -> usize {
    let lower = v.iter().any(u8::is_ascii_lowercase);
    let upper = v.iter().any(u8::is_ascii_uppercase);
    let digit = v.iter().any(u8::is_ascii_digit);
    let other = v.iter().any(|b| !b.is_ascii_alphanumeric());
    usize::from(lower) + usize::from(upper) + usize::from(digit) + usize::from(other)
}

/// What a generic assignment names, which sets how strict the value check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GenericKind {
    /// `password`, `passwd`, `pwd`, `passphrase`: human-chosen, so shorter values count.
    Password,
    /// `secret`, `token`, `api_key`, …: machine-generated, so long and random.
    Machine,
}

/// The value check of the generic rules: not a placeholder, long enough, at least two character
/// classes, and an entropy at or above the charset threshold for its length.
///
/// With `literal`, the value is known to be a literal (an environment variable's value, not
/// code), so only placeholders, templates and references are rejected, not words that look
/// like identifiers or types.
pub(crate) fn generic_value_ok(value: &[u8], kind: GenericKind, literal: bool) -> bool {
    let min_len = match kind {
        GenericKind::Password => 8,
        GenericKind::Machine => 16,
    };
    if value.len() < min_len || value.len() > 512 {
        return false;
    }
    if if literal { is_template_or_marker(value) } else { is_placeholder(value) } {
        return false;
    }
    if value.iter().any(|b| b.is_ascii_control() || *b == b' ') {
        return false;
    }
    if char_classes(value) < 2 {
        return false;
    }
    shannon(value) >= entropy_threshold(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        assert!(is_example(b"AKIAIOSFODNN7EXAMPLE", b""));
        assert!(is_example(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", b""));
        // Token-shaped literals are split so that this source holds no string that looks live.
        assert!(is_example(concat!("ghp", "_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX").as_bytes(), b""));
        assert!(is_example(concat!("sk_", "live_1234567890abcdef12345678").as_bytes(), b""));
        assert!(is_example(concat!("ghp", "_000000000000000000000000000000000000").as_bytes(), b""));
        assert!(is_example(b"abc", b"https://user:abc@db.example.com"));
        assert!(!is_example(concat!("ghp", "_R4nd0mLook1ngT0kenQz8Wm2Kx7Vb9Nc3Lp5").as_bytes(), b""));
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "changeme",
            "${DB_PASSWORD}",
            "$(cat /run/secrets/x)",
            "<password>",
            "xxxxxxxx",
            "********",
            "example123",
            "dummy",
            "test1234",
            "correcthorse",
            "os.environ",
            "config.db.password",
            "getPassword()",
            "{{ .Values.password }}",
            "/run/secrets/db",
            "./certs/Server.key",
            "!Ref DbPassword",
            "*default_password",
            "@Value",
            "%s",
            "~/.aws/credentials",
            "DB_PASSWORD",
            "userPassword",
            "12345678",
            "ENC[AES256_GCM,data:abc]",
            "process.env.TOKEN",
            "windows_sys::core::PCWSTR",
            "EphemeralPrivateKey",
            "InitToken",
            "TimeStamp2",
            "x25519_check_private_key_bytes",
            "TLS13_CHACHA20_POLY1305_SHA256_INTERNAL",
            "__IncompleteArrayField",
            "__IncompleteArrayField<__u8>",
            "amended\\r\\nhost:",
            "self->token",
            "X509CertificateTemplatePrivateKeyFlag",
            "Curve25519SeedBin",
            "Uri_PROPERTY",
            "WSManSessionFlags",
            "COMAdminErrorCodes",
            "null",
            "True",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in [
            "hunter2xyz!",
            "Xk9#mQ2vLp7",
            "s3cr3tT0k3nValue99",
            "a8f5f167f44f4964e6c998dee827110c",
            "maUdRtJkAZNqXPlYhmfj",
            "Kx9_mQ2v_Lp7Rw",
            "9f3b7c1d2e4a5b6c7d8e9f0a1b2c3d4e",
            "AbCDeFGhIJkLMNoP",
            "NYro1uCE2h3DERFMPwz7YSJJibCXfNXHNmsCKbfn",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn random_values_are_rarely_placeholders() {
        let mut rng = crate::vectors::Rng::new(99);
        for (chars, len) in [
            (&b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[..], 16),
            (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32),
            (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40),
            (b"0123456789abcdef", 32),
            (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%^*-_", 12),
        ] {
            let rejected = (0..10_000)
                .filter(|_| {
                    let v = rng.string(chars, len);
                    is_placeholder(v.as_bytes()) || is_example(v.as_bytes(), b"")
                })
                .count();
            assert!(rejected < 100, "{rejected} of 10000 random values of length {len} rejected");
        }
    }

    #[test]
    fn literals_may_look_like_words() {
        assert!(!generic_value_ok(b"Summer2024", GenericKind::Password, false));
        assert!(generic_value_ok(b"Summer2024", GenericKind::Password, true));
        assert!(!generic_value_ok(b"${PASSWORD}", GenericKind::Password, true));
    }

    #[test]
    fn literal_placeholders() {
        assert!(is_template_or_marker(b"${PASS}"));
        assert!(is_template_or_marker(b"password"));
        assert!(is_template_or_marker(b"guest"));
        assert!(!is_template_or_marker(b"qwhzkdfplmxb"));
        assert!(!is_template_or_marker(b"123456789"));
    }

    #[test]
    fn generic_values() {
        assert!(generic_value_ok(b"hunter2xyz!", GenericKind::Password, false));
        assert!(!generic_value_ok(b"aaaaaaa1", GenericKind::Password, false));
        assert!(!generic_value_ok(b"short1!", GenericKind::Password, false));
        assert!(generic_value_ok(b"a8f5f167f44f4964e6c998dee827110c", GenericKind::Machine, false));
        assert!(!generic_value_ok(b"hunter2xyz!", GenericKind::Machine, false));
        assert!(!generic_value_ok(b"1111111111111111aaaa", GenericKind::Machine, false));
    }

    #[test]
    fn ascending_runs() {
        assert_eq!(longest_ascending_run(b"xx12345678yy"), 8);
        assert_eq!(longest_ascending_run(b"7890abcd"), 8);
        assert_eq!(longest_ascending_run(b""), 0);
    }
}
