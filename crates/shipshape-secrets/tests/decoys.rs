//! Text that looks secret-ish but is not: none of it may produce a (non-example) finding.
#![allow(clippy::unwrap_used)]

use shipshape_secrets::vectors::Rng;
use shipshape_secrets::{Detector, DetectorConfig};

const HEX: &[u8] = b"0123456789abcdef";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        rng.string(HEX, 8),
        rng.string(HEX, 4),
        rng.string(HEX, 4),
        rng.string(HEX, 4),
        rng.string(HEX, 12)
    )
}

fn assert_clean(name: &str, text: &str) {
    let d = Detector::new(DetectorConfig::default()).unwrap();
    let found: Vec<_> = d.scan(text.as_bytes()).into_iter().filter(|m| !m.is_example).collect();
    let shown: Vec<String> = found
        .iter()
        .map(|m| format!("{} at {}:{} {:?}", m.rule.id(), m.line, m.column, text.get(m.match_span.clone())))
        .collect();
    assert!(found.is_empty(), "{name}: {} false positives:\n{}", found.len(), shown.join("\n"));
}

#[test]
fn uuids() {
    let mut rng = Rng::new(1);
    let mut t = String::new();
    for i in 0..2000 {
        let u = uuid(&mut rng);
        match i % 5 {
            0 => t.push_str(&format!("id: {u}\n")),
            1 => t.push_str(&format!("{{\"requestId\": \"{u}\", \"traceId\": \"{}\"}}\n", uuid(&mut rng))),
            2 => t.push_str(&format!("token_id = \"{u}\"\n")),
            3 => t.push_str(&format!("subscription_id: {u}\n")),
            _ => t.push_str(&format!("INSERT INTO t VALUES ('{u}');\n")),
        }
    }
    assert_clean("uuids", &t);
}

#[test]
fn git_shas_and_digests() {
    let mut rng = Rng::new(2);
    let mut t = String::new();
    for i in 0..1000 {
        let sha1 = rng.string(HEX, 40);
        let sha256 = rng.string(HEX, 64);
        match i % 6 {
            0 => t.push_str(&format!("commit {sha1}\nAuthor: Dev <dev@corp>\n")),
            1 => t.push_str(&format!("FROM python:3.12-slim@sha256:{sha256}\n")),
            2 => t.push_str(&format!("COPY --from=ghcr.io/org/tool@sha256:{sha256} /bin/tool /bin/\n")),
            3 => t.push_str(&format!("RUN echo \"{sha256}  awscli.zip\" | sha256sum -c -\n")),
            4 => t.push_str(&format!(
                "aws-sdk = {{ git = \"https://github.com/awslabs/x\", rev = \"{sha1}\" }}\n"
            )),
            _ => t.push_str(&format!("image: registry.k8s.io/pause@sha256:{sha256}\n")),
        }
    }
    assert_clean("git shas and digests", &t);
}

#[test]
fn lock_files_and_checksums() {
    let mut rng = Rng::new(3);
    let mut t = String::new();
    for i in 0..500 {
        t.push_str(&format!(
            "    \"node_modules/pkg{i}\": {{\n      \"resolved\": \"https://registry.npmjs.org/pkg{i}/-/pkg{i}-1.0.{i}.tgz\",\n      \"integrity\": \"sha512-{}==\"\n    }},\n",
            rng.string(B64, 86)
        ));
        t.push_str(&format!("github.com/org/mod{i} v1.2.{i} h1:{}=\n", rng.string(B64, 43)));
        t.push_str(&format!("checksum = \"{}\"\n", rng.string(HEX, 64)));
    }
    assert_clean("lock files", &t);
}

#[test]
fn base64_images_and_blobs() {
    let mut rng = Rng::new(4);
    let mut t = String::from("<img src=\"data:image/png;base64,");
    t.push_str(&rng.string(B64, 200_000));
    t.push_str("\">\n");
    t.push_str("const font = \"data:font/woff2;base64,");
    t.push_str(&rng.string(B64, 100_000));
    t.push_str("\";\n");
    // Wrapped base64 (76 columns), as in email or PEM certificates.
    t.push_str("-----BEGIN CERTIFICATE-----\n");
    for _ in 0..400 {
        t.push_str(&rng.string(B64, 64));
        t.push('\n');
    }
    t.push_str("-----END CERTIFICATE-----\n");
    assert_clean("base64 blobs", &t);
}

#[test]
fn public_keys() {
    let mut rng = Rng::new(5);
    let mut t = String::new();
    for i in 0..50 {
        t.push_str(&format!("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{} user{i}@host\n", rng.string(B64, 340)));
        t.push_str(&format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} ci@runner\n", rng.string(B64, 43)));
    }
    t.push_str("-----BEGIN PUBLIC KEY-----\n");
    for _ in 0..6 {
        t.push_str(&rng.string(B64, 64));
        t.push('\n');
    }
    t.push_str("-----END PUBLIC KEY-----\n");
    assert_clean("public keys", &t);
}

#[test]
fn prose() {
    let lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut \
        labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi \
        ut aliquip ex ea commodo consequat. Reset your password from the account page; the token expires after \
        one hour. Never share your secret key or API key with anyone. The password: field is required.\n";
    assert_clean("prose", &lorem.repeat(200));
}

#[test]
fn code_handling_credentials() {
    let code = r#"
import os, getpass
password = getpass.getpass()
token = os.environ["GITHUB_TOKEN"]
api_key = os.getenv("API_KEY", "")
secret = settings.SECRET_KEY
if not password:
    raise ValueError("password required")
def login(user, password=None, token: str = None):
    headers = {"Authorization": f"Bearer {token}"}
    return session.post(url, auth=(user, password), headers=headers)
type Config struct {
    Password string `json:"password" yaml:"password"`
    Token    string `json:"token"`
}
cfg.Password = os.Getenv("DB_PASSWORD")
let token = req.headers().get("x-api-key").ok_or(Error::MissingToken)?;
const passwordInput = document.querySelector('input[type="password"]');
<input type="password" name="password" placeholder="Password">
password_min_length: 12
max_tokens: 4096
token_type: Bearer
tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
ENV PATH=/usr/local/bin:$PATH
ARG NPM_TOKEN
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef:
        name: db-credentials
        key: password
  - name: API_TOKEN
    value: "{{ .Values.apiToken }}"
password: ${DB_PASSWORD}
secret: !vault |
  $ANSIBLE_VAULT;1.1;AES256
password: ENC[AES256_GCM,data:abcdef,iv:xyz,tag:123,type:str]
DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app
REDIS_URL=redis://cache:6379/0
curl -u "$USER:$PASS" https://example.org
"#;
    assert_clean("code", &code.repeat(20));
}

#[test]
fn minified_javascript() {
    let mut rng = Rng::new(6);
    let mut t = String::new();
    for i in 0..3000 {
        t.push_str(&format!(
            "function {a}(e,t){{var n=e.token||t.apiKey,r={{password:e.password,secret:t.secret}};return n&&(r.auth=\"Basic \"+btoa(e.user+\":\"+e.password)),{a}.cache[{i}]=r}}",
            a = rng.string(b"abcdefghijklmnopqrstuvwxyz", 2)
        ));
    }
    t.push_str(&format!(";var version=\"{}\";", rng.string(HEX, 40)));
    assert_clean("minified js", &t);
}

#[test]
fn binary_noise() {
    // Random bytes (binary, so only binary-targeting rules run): nothing.
    let mut rng = Rng::new(7);
    let bytes: Vec<u8> = (0..2_000_000).map(|_| rng.next_u64() as u8).collect();
    let d = Detector::new(DetectorConfig::default()).unwrap();
    assert!(d.scan(&bytes).is_empty());
}
