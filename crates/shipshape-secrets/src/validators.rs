//! Validators of the built-in rules.

use crate::base64;
use crate::heuristics::{GenericKind, generic_value_ok, is_placeholder, is_template_or_marker};
use crate::rule::Candidate;

/// JWT: three base64url parts, the first decoding to a JSON object with an `"alg"` member, the
/// second to a JSON object.
pub(crate) fn jwt(c: &Candidate<'_>) -> bool {
    let mut parts = c.secret.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let json_object = |part: &[u8]| {
        base64::decode(part).ok().is_some_and(|d| d.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
    };
    let header_ok = base64::decode(header).ok().is_some_and(|d| {
        d.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
            && memchr::memmem::find(&d, b"\"alg\"").is_some()
    });
    header_ok && json_object(payload)
}

/// Base64 of `user:password`, both non-empty, printable, the password no placeholder.
pub(crate) fn base64_user_pass(c: &Candidate<'_>) -> bool {
    let Ok(decoded) = base64::decode(c.secret) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&decoded) else {
        return false;
    };
    let Some((user, pass)) = text.split_once(':') else {
        return false;
    };
    !user.is_empty()
        && !pass.is_empty()
        && !text.chars().any(char::is_control)
        && (pass.len() >= 20 || !is_placeholder(pass.as_bytes()))
}

/// Base64 of a printable password (`.npmrc` `_password`).
pub(crate) fn base64_password(c: &Candidate<'_>) -> bool {
    base64::decode(c.secret)
        .ok()
        .and_then(|d| String::from_utf8(d).ok())
        .is_some_and(|p| !p.is_empty() && !p.chars().any(char::is_control) && !is_placeholder(p.as_bytes()))
}

/// Base64 of a PEM private key (kubeconfig `client-key-data`).
pub(crate) fn base64_private_key(c: &Candidate<'_>) -> bool {
    let s = c.secret;
    let whole = s.get(..s.len() - s.len() % 4).unwrap_or(s);
    base64::decode(whole).ok().is_some_and(|d| memchr::memmem::find(&d, b"PRIVATE KEY-----").is_some())
}

/// The value (known to be a literal) is not a placeholder, template, reference or mask.
pub(crate) fn not_placeholder(c: &Candidate<'_>) -> bool {
    !is_template_or_marker(c.secret)
}

/// The password of a URL: at least 3 bytes, not a placeholder.
pub(crate) fn url_password(c: &Candidate<'_>) -> bool {
    c.secret.len() >= 3 && !is_template_or_marker(c.secret)
}

/// Has upper-case, lower-case and a digit or symbol, and is not plain hex (AWS secret keys,
/// as opposed to git SHAs and digests).
pub(crate) fn mixed_case(c: &Candidate<'_>) -> bool {
    let s = c.secret;
    s.iter().any(u8::is_ascii_uppercase)
        && s.iter().any(u8::is_ascii_lowercase)
        && s.iter().any(|b| b.is_ascii_digit() || matches!(b, b'+' | b'/'))
}

/// Has both letters and digits.
pub(crate) fn letters_and_digits(c: &Candidate<'_>) -> bool {
    c.secret.iter().any(u8::is_ascii_alphabetic) && c.secret.iter().any(u8::is_ascii_digit)
}

/// A PEM/armor body with at least 64 base64 characters.
pub(crate) fn key_body(c: &Candidate<'_>) -> bool {
    c.secret.iter().filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/')).count() >= 64
}

/// An Azure SAS signature: the URL must also carry a `sv=` service version.
pub(crate) fn azure_sas(c: &Candidate<'_>) -> bool {
    memchr::memmem::find(c.window, b"sv=").is_some()
}

/// Last words of a variable name that make an assignment describe a secret without holding it
/// (`password_file`, `token_type`, `secret_name`, `api_key_id`).
const NAME_SUFFIXES_NOT_SECRET: &[&str] = &[
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "length",
    "len",
    "policy",
    "type",
    "name",
    "names",
    "field",
    "header",
    "param",
    "prompt",
    "label",
    "hint",
    "placeholder",
    "min",
    "max",
    "format",
    "version",
    "count",
    "size",
    "timeout",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "enabled",
    "required",
    "regex",
    "pattern",
    "id",
    "ids",
    "reset",
    "changed",
    "mode",
    "env",
    "var",
    "ref",
    "keyid",
    "algorithm",
    "hash",
    "salt",
    "rounds",
    "provider",
    "store",
    "manager",
];

/// Whether a variable name is one of the generic names rather than e.g. `password_file`.
pub(crate) fn generic_name_ok(name: &[u8]) -> bool {
    let name = name.trim_ascii();
    if name.len() >= 7 && name.windows(7).any(|w| w.eq_ignore_ascii_case(b"tokeniz")) {
        return false;
    }
    // The last word, after the last `_`, `-` or `.`; a name of one word has no such suffix.
    let Some(cut) = name.iter().rposition(|b| matches!(b, b'_' | b'-' | b'.')) else {
        return !name.to_ascii_lowercase().ends_with(b"passwordfile");
    };
    let last = name.get(cut + 1..).unwrap_or_default();
    !NAME_SUFFIXES_NOT_SECRET.iter().any(|s| last.eq_ignore_ascii_case(s.as_bytes()))
}

fn generic(c: &Candidate<'_>, kind: GenericKind) -> bool {
    c.name.is_none_or(generic_name_ok) && generic_value_ok(c.secret, kind, false)
}

/// The generic check of a value known to be a literal (see [`generic_value_ok`]): for
/// [`Detector::scan_value`](crate::Detector::scan_value).
pub(crate) fn generic_literal(c: &Candidate<'_>, password: bool) -> bool {
    let kind = if password { GenericKind::Password } else { GenericKind::Machine };
    c.name.is_none_or(generic_name_ok) && generic_value_ok(c.secret, kind, true)
}

/// Generic `password = …`.
pub(crate) fn generic_password(c: &Candidate<'_>) -> bool {
    generic(c, GenericKind::Password)
}

/// Generic `secret = …`, `token = …`, `api_key = …`.
pub(crate) fn generic_machine(c: &Candidate<'_>) -> bool {
    generic(c, GenericKind::Machine)
}

/// `Bearer <token>`: a machine value, not a placeholder.
pub(crate) fn bearer(c: &Candidate<'_>) -> bool {
    generic_value_ok(c.secret, GenericKind::Machine, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(secret: &[u8]) -> Candidate<'_> {
        Candidate { secret, matched: secret, name: None, window: secret }
    }

    #[test]
    fn jwt_structure() {
        let ok = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MjQyIn0.c2lnbmF0dXJl";
        assert!(jwt(&cand(ok)));
        // Header without "alg".
        let no_alg = b"eyJ0eXAiOiJKV1QiLCJraWQiOiJ4In0.eyJzdWIiOiI0MjQyIn0.c2ln";
        assert!(!jwt(&cand(no_alg)));
        assert!(!jwt(&cand(b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MjQyIn0")));
    }

    #[test]
    fn user_pass() {
        assert!(base64_user_pass(&cand(b"ZGVwbG95OlhrOW1RMnZMcDdSdw==")));
        assert!(!base64_user_pass(&cand(b"anVzdG9uZXdvcmQ=")));
        assert!(!base64_user_pass(&cand(b"YWRtaW46")));
        assert!(!base64_user_pass(&cand(b"dXNlcjpwYXNzd29yZA==")));
    }

    #[test]
    fn names() {
        assert!(generic_name_ok(b"DB_PASSWORD"));
        assert!(generic_name_ok(b"client_secret"));
        assert!(!generic_name_ok(b"PASSWORD_FILE"));
        assert!(!generic_name_ok(b"token_type"));
        assert!(!generic_name_ok(b"tokenizer"));
    }
}
