//! The public API: configuration, custom rules, allowlists, values, Kubernetes data, examples,
//! redaction and fingerprints.
#![allow(clippy::unwrap_used)]

use shipshape_secrets::vectors::expand;
use shipshape_secrets::{
    Allow, BUILTIN_RULES, ConfigError, CustomRule, Detector, DetectorConfig, RuleRef, Severity,
};

fn detector() -> Detector {
    Detector::new(DetectorConfig::default()).unwrap()
}

fn b64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn custom(id: &str, regex: &str) -> CustomRule {
    CustomRule {
        id: id.into(),
        regex: regex.into(),
        keywords: vec!["acme_".into()],
        secret_group: 1,
        ..Default::default()
    }
}

#[test]
fn config_errors_name_the_rule() {
    let bad_regex =
        DetectorConfig { custom_rules: vec![custom("acme-token", r"acme_(")], ..Default::default() };
    match Detector::new(bad_regex) {
        Err(ConfigError::InvalidRegex { rule_id, message }) => {
            assert_eq!(rule_id, "acme-token");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let e = Detector::new(DetectorConfig {
        custom_rules: vec![custom("acme-token", r"acme_x")],
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e, ConfigError::MissingSecretGroup { rule_id: "acme-token".into(), group: 1, groups: 1 });
    assert!(e.to_string().contains("acme-token"), "{e}");

    let e = Detector::new(DetectorConfig {
        custom_rules: vec![custom("Acme_Token", r"(x)")],
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e, ConfigError::InvalidRuleId { rule_id: "Acme_Token".into() });

    let e = Detector::new(DetectorConfig {
        custom_rules: vec![custom("github-pat", r"(x)")],
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e, ConfigError::DuplicateRuleId { rule_id: "github-pat".into() });

    let e =
        Detector::new(DetectorConfig { disabled_rules: vec!["no-such-rule".into()], ..Default::default() })
            .unwrap_err();
    assert_eq!(e, ConfigError::UnknownRule { rule_id: "no-such-rule".into() });

    let mut k = custom("acme-token", r"(x)");
    k.keywords = vec!["".into()];
    let e = Detector::new(DetectorConfig { custom_rules: vec![k], ..Default::default() }).unwrap_err();
    assert!(matches!(e, ConfigError::InvalidKeyword { ref rule_id, .. } if rule_id == "acme-token"));

    let e = Detector::new(DetectorConfig { allowlist: vec![Allow::default()], ..Default::default() })
        .unwrap_err();
    assert!(matches!(e, ConfigError::InvalidAllow { index: 0, .. }));
    let e = Detector::new(DetectorConfig {
        allowlist: vec![Allow { value: Some("(".into()), ..Default::default() }],
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().starts_with("allowlist entry 0: invalid value regex"), "{e}");
}

#[test]
fn disabled_and_custom_rules() {
    let token = expand("x = «ghp_{A:36}»", 1);
    let d = Detector::new(DetectorConfig { disabled_rules: vec!["github-pat".into()], ..Default::default() })
        .unwrap();
    assert!(d.scan(token.text.as_bytes()).iter().all(|m| m.rule.id() != "github-pat"));
    assert!(!d.rule_ids().any(|id| id == "github-pat"));

    let mut rule = custom("acme-token", r"\b(acme_[a-z0-9]{32})\b");
    rule.severity = Severity::Critical;
    rule.title = "ACME API token".into();
    let unkeyed = CustomRule {
        id: "internal-ticket".into(),
        regex: r"TICKET-([0-9]{6})".into(),
        secret_group: 1,
        ..Default::default()
    };
    let d =
        Detector::new(DetectorConfig { custom_rules: vec![rule, unkeyed], ..Default::default() }).unwrap();
    let text = expand("ACME=«acme_{a:32}» and TICKET-123456 and ACME_{a:32}", 2);
    let found = d.scan(text.text.as_bytes());
    let acme: Vec<_> = found.iter().filter(|m| m.rule.id() == "acme-token").collect();
    assert_eq!(acme.len(), 1);
    assert_eq!(Some(acme[0].span.clone()), text.secret);
    assert_eq!(acme[0].rule.severity(), Severity::Critical);
    assert_eq!(acme[0].rule.title(), "ACME API token");
    assert!(matches!(acme[0].rule, RuleRef::Custom(_)));
    assert!(found.iter().any(|m| m.rule.id() == "internal-ticket"));
}

#[test]
fn allowlist_by_value_path_and_rule() {
    let text = expand("A=«ghp_{A:36}»\nB=«sk_live_{A:30}»\n", 3);
    let d = Detector::new(DetectorConfig {
        allowlist: vec![
            Allow { value: Some("^sk_live_".into()), reason: "test key".into(), ..Default::default() },
            Allow {
                path: Some("**/testdata/**".into()),
                rules: vec!["github-pat".into()],
                reason: "fixtures".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    })
    .unwrap();
    let ids = |found: Vec<shipshape_secrets::SecretMatch>| {
        found.iter().map(|m| m.rule.id().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(d.scan(text.text.as_bytes())), ["github-pat"]);
    assert_eq!(ids(d.scan_path("src/config.env", text.text.as_bytes())), ["github-pat"]);
    assert!(ids(d.scan_path("crates/x/testdata/config.env", text.text.as_bytes())).is_empty());
    assert!(ids(d.scan_path("crates\\x\\testdata\\config.env", text.text.as_bytes())).is_empty());
}

#[test]
fn scan_value_uses_the_variable_name() {
    let d = detector();
    let found = d.scan_value(Some("DB_PASSWORD"), "hunter2xyz!");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.id(), "generic-password");
    assert_eq!(found[0].span, 0..11);
    assert!(found[0].entropy.is_some_and(|e| e > 3.0));
    // Without a name, or with a name that is not secret-like, nothing.
    assert!(d.scan_value(None, "hunter2xyz!").is_empty());
    assert!(d.scan_value(Some("GREETING"), "hunter2xyz!").is_empty());
    // Placeholders, references and file paths are not secrets.
    for v in ["${DB_PASSWORD}", "changeme", "", "/run/secrets/db", "$(cat /run/secrets/db)", "<password>"] {
        assert!(d.scan_value(Some("DB_PASSWORD"), v).is_empty(), "{v}");
    }
    assert!(d.scan_value(Some("DB_PASSWORD_FILE"), "Xk9#mQ2vLp7").is_empty());
    // Quoted values: the span excludes the quotes.
    let found = d.scan_value(Some("API_TOKEN"), "\"a8f5f167f44f4964e6c998dee827110c\"");
    assert_eq!(found[0].rule.id(), "generic-token");
    assert_eq!(found[0].span, 1..33);
    // A vendor format wins over the generic rule.
    let v = expand("ghp_{A:36}", 4).text;
    let found = d.scan_value(Some("GITHUB_TOKEN"), &v);
    assert_eq!(found.iter().map(|m| m.rule.id()).collect::<Vec<_>>(), ["github-pat"]);
}

#[test]
fn kubernetes_secret_data() {
    let d = detector();
    // A password under a secret-like key.
    let enc = b64(b"hunter2xyz!");
    let found = d.scan_base64_value(Some("password"), &enc).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.id(), "generic-password");
    assert_eq!(found[0].span, 0..enc.trim_end_matches('=').len());
    assert_eq!(found[0].fingerprint, d.scan_value(Some("password"), "hunter2xyz!")[0].fingerprint);

    // A .dockerconfigjson: the finding maps back into the encoded text.
    let json = br#"{"auths":{"registry.corp":{"auth":"ZGVwbG95OlhrOW1RMnZMcDdSdw=="}}}"#;
    let enc = b64(json);
    let found = d.scan_base64_value(Some(".dockerconfigjson"), &enc).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.id(), "docker-config-auth");
    let inner = memchr_find(json, b"ZGVw");
    let s = found[0].span.clone();
    assert!(s.start <= inner * 4 / 3 && s.end >= (inner + 28) * 4 / 3, "{s:?}");
    assert!(s.end <= enc.len());
    assert_eq!(found[0].column, s.start + 1);

    // A private key under tls.key.
    let pem = expand("-----BEGIN PRIVATE KEY-----\nMIIE{b:64}\n{b:64}\n-----END PRIVATE KEY-----\n", 5).text;
    let found = d.scan_base64_value(Some("tls.key"), &b64(pem.as_bytes())).unwrap();
    assert_eq!(found[0].rule.id(), "private-key");

    // Not base64.
    assert!(d.scan_base64_value(Some("password"), "not base64!").is_err());
    // Nothing secret.
    assert!(d.scan_base64_value(Some("username"), &b64(b"admin")).unwrap().is_empty());
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

#[test]
fn documentation_examples_are_flagged_not_dropped() {
    let d = detector();
    let text = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    let found = d.scan(text.as_bytes());
    let ids: Vec<_> = found.iter().map(|m| (m.rule.id(), m.is_example)).collect();
    assert_eq!(ids, [("aws-access-key-id", true), ("aws-secret-access-key", true)]);
    for (template, rule) in [
        // Split so that this source holds no string that looks like a live token.
        (concat!("GITHUB_TOKEN=ghp", "_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"), "github-pat"),
        (concat!("STRIPE=sk_", "live_1234567890abcdefghijklmnopqrstuv"), "stripe-secret-key"),
        (concat!("token: glpat", "-EXAMPLEexampleEXAMPLE00"), "gitlab-pat"),
        ("OPENAI_API_KEY=sk-proj-{A:20}T3BlbkFJ{A:8}example{A:12}", "openai-api-key"),
    ] {
        let t = expand(template, 6).text;
        let found = d.scan(t.as_bytes());
        let m = found.iter().find(|m| m.rule.id() == rule).unwrap_or_else(|| panic!("{t}"));
        assert!(m.is_example, "{t}");
    }
}

#[test]
fn redaction_debug_and_display_never_show_the_secret() {
    let d = detector();
    for (ri, rule) in BUILTIN_RULES.iter().enumerate() {
        for (vi, template) in rule.must_match.iter().enumerate() {
            let e = expand(template, (ri * 100 + vi) as u64);
            for m in d.scan(e.text.as_bytes()) {
                let secret = std::str::from_utf8(m.secret(e.text.as_bytes()).unwrap()).unwrap();
                let visible = m.redacted.trim_end_matches('*');
                assert!(
                    visible.len() <= 4 && visible.len() <= secret.len() / 4,
                    "{}: {}",
                    rule.id,
                    m.redacted
                );
                if secret.len() >= 6 {
                    assert!(!format!("{m:?}").contains(secret), "{}", rule.id);
                    assert!(!format!("{m}").contains(secret), "{}", rule.id);
                    assert!(!m.redacted.contains(secret));
                }
                assert_eq!(m.fingerprint.len(), 16);
                assert!(m.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
            }
        }
    }
}

#[test]
fn fingerprints_are_stable_across_inputs() {
    let d = detector();
    let token = expand("ghp_{A:36}", 7).text;
    let a = d.scan(format!("A={token}").as_bytes());
    let b = d.scan(format!("# comment\n\n  token: '{token}'\n").as_bytes());
    assert_eq!(a[0].fingerprint, b[0].fingerprint);
    assert_eq!((b[0].line, b[0].column), (3, 11));
    let other = d.scan(format!("A={}", expand("ghp_{A:36}", 8).text).as_bytes());
    assert_ne!(a[0].fingerprint, other[0].fingerprint);
}

#[test]
fn binary_content_only_runs_binary_rules() {
    let d = detector();
    let pem =
        expand("-----BEGIN RSA PRIVATE KEY-----\nMIIEow{b:64}\n{b:64}\n-----END RSA PRIVATE KEY-----\n", 9)
            .text;
    let mut bin = vec![0x7f, b'E', b'L', b'F', 0, 0, 0, 1];
    bin.extend_from_slice(b"\0\0DB_PASSWORD=Xk9#mQ2vLp7\0");
    bin.extend_from_slice(pem.as_bytes());
    bin.extend_from_slice(&[0, 0xff, 0xfe]);
    let found = d.scan(&bin);
    assert_eq!(found.iter().map(|m| m.rule.id()).collect::<Vec<_>>(), ["private-key"]);
}

#[test]
fn lines_and_columns_are_one_based_bytes() {
    let d = detector();
    let e = expand("first\nsecond é line\n  «ghp_{A:36}» end\n", 10);
    let found = d.scan(e.text.as_bytes());
    assert_eq!((found[0].line, found[0].column), (3, 3));
    assert_eq!(Some(found[0].span.clone()), e.secret);
    assert!(found[0].match_span.start <= found[0].span.start && found[0].match_span.end >= found[0].span.end);
}

#[test]
fn thousands_of_custom_keywords_fall_back_to_the_crate_automaton() {
    // 2000 keywords of 20 bytes need more states than the dense keyword table allows.
    let mut rng = shipshape_secrets::vectors::Rng::new(11);
    let keywords: Vec<String> =
        (0..2000).map(|_| format!("kw{}", rng.string(b"abcdefghijklmnopqrstuvwxyz", 18))).collect();
    let probe = keywords[1234].clone();
    let rule = CustomRule {
        id: "many-keywords".into(),
        regex: r"\b(kw[a-z]{18})=([0-9]{6})\b".into(),
        keywords,
        secret_group: 2,
        ..Default::default()
    };
    let d = Detector::new(DetectorConfig { custom_rules: vec![rule], ..Default::default() }).unwrap();
    let text = format!("x\n{probe}=493817\n");
    let found: Vec<_> =
        d.scan(text.as_bytes()).into_iter().filter(|m| m.rule.id() == "many-keywords").collect();
    assert_eq!(found.len(), 1);
    assert_eq!(&text[found[0].span.clone()], "493817");
    // Built-in rules still work alongside.
    let token = expand("«ghp_{A:36}»", 12);
    assert!(d.scan(token.text.as_bytes()).iter().any(|m| m.rule.id() == "github-pat"));
}
