#!/usr/bin/env python3
"""Compare shipshape-secrets with detect-secrets on the same directory trees.

Usage:
    python3 bench/secrets_compare.py [--planted DIR] [--files N] [TREE ...]

For every TREE (default: crates/ of this repository) and for a generated tree of planted
secrets (written to DIR, default a temporary directory), runs

  * detect-secrets (`pip install detect-secrets`): `detect-secrets scan --all-files TREE`, and
  * the `scan_dir` example of the shipshape-secrets crate (built once in release mode),

and prints, per tool, the number of findings, of files with findings, and the scan time. On the
planted tree, where every secret's file and line are known, it also prints recall (planted lines
reported) and the number of findings on lines where nothing was planted.

The planted secrets are random strings in documented public token formats, generated here; none
is a real credential. Nothing is sent over the network.
"""

import argparse
import base64
import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "_-"


def rnd(rng, chars, n):
    return "".join(rng.choice(chars) for _ in range(n))


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def planted_lines(rng):
    """(kind, lines) pairs; the secret is on the last line of each."""
    pem_body = "\n".join(rnd(rng, B64, 64) for _ in range(8))
    jwt = ".".join(
        [
            b64url(b'{"alg":"HS256","typ":"JWT"}'),
            b64url(json.dumps({"sub": rnd(rng, string.digits, 8), "iat": 1716239022}).encode()),
            rnd(rng, B64URL, 43),
        ]
    )
    user_pass = base64.b64encode(("deploy:" + rnd(rng, ALNUM, 16)).encode()).decode()
    return [
        ("github-pat", ["GITHUB_TOKEN=ghp_" + rnd(rng, ALNUM, 36)]),
        ("github-fine-grained", ["token: github_pat_" + rnd(rng, ALNUM, 22) + "_" + rnd(rng, ALNUM, 59)]),
        ("gitlab-pat", ["GITLAB_TOKEN=glpat-" + rnd(rng, B64URL, 20)]),
        ("aws-access-key-id", ["aws_access_key_id = AKIA" + rnd(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)]),
        ("aws-secret", ["aws_secret_access_key = " + rnd(rng, B64, 40)]),
        ("slack-bot", ["SLACK_BOT_TOKEN=xoxb-%s-%s-%s" % (rnd(rng, string.digits, 12), rnd(rng, string.digits, 13), rnd(rng, ALNUM, 24))]),
        ("slack-webhook", ["url: https://hooks.slack.com/services/T%s/B%s/%s" % (rnd(rng, string.ascii_uppercase, 10), rnd(rng, string.ascii_uppercase, 10), rnd(rng, ALNUM, 24))]),
        ("stripe", ["STRIPE_SECRET_KEY=sk_live_" + rnd(rng, ALNUM, 99)]),
        ("sendgrid", ["SENDGRID_API_KEY=SG.%s.%s" % (rnd(rng, B64URL, 22), rnd(rng, B64URL, 43))]),
        ("npm", ["//registry.npmjs.org/:_authToken=npm_" + rnd(rng, ALNUM, 36)]),
        ("pypi", ["password = pypi-AgEIcHlwaS5vcmc" + rnd(rng, B64URL, 150)]),
        ("huggingface", ["HF_TOKEN=hf_" + rnd(rng, string.ascii_letters, 34)]),
        ("anthropic", ["ANTHROPIC_API_KEY=sk-ant-api03-" + rnd(rng, B64URL, 93) + "AA"]),
        ("openai", ["OPENAI_API_KEY=sk-proj-" + rnd(rng, B64URL, 74) + "T3BlbkFJ" + rnd(rng, B64URL, 74)]),
        ("digitalocean", ["DIGITALOCEAN_TOKEN=dop_v1_" + rnd(rng, HEX, 64)]),
        ("vault", ["VAULT_TOKEN=hvs." + rnd(rng, B64URL, 94)]),
        ("gcp-api-key", ["GOOGLE_API_KEY=AIza" + rnd(rng, B64URL, 35)]),
        ("azure-storage", ["AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=x;AccountKey=%s==;EndpointSuffix=core.windows.net" % rnd(rng, B64, 86)]),
        ("twilio", ["TWILIO_API_KEY=SK" + rnd(rng, HEX, 32)]),
        ("mailgun", ["MAILGUN_API_KEY=key-" + rnd(rng, HEX, 32)]),
        ("datadog", ["DD_API_KEY=" + rnd(rng, HEX, 32)]),
        ("discord-webhook", ["hook = 'https://discord.com/api/webhooks/%s/%s'" % (rnd(rng, string.digits, 18), rnd(rng, B64URL, 68))]),
        ("jwt", ["Authorization: Bearer " + jwt]),
        ("postgres-url", ["DATABASE_URL=postgres://app:%s@db.internal:5432/app" % rnd(rng, ALNUM, 20)]),
        ("url-credentials", ["pip install --index-url https://ci:%s@pypi.corp/simple pkg" % rnd(rng, ALNUM, 20)]),
        ("docker-auth", ['{"auths": {"registry.corp": {"auth": "%s"}}}' % user_pass]),
        ("password", ["DB_PASSWORD=" + rnd(rng, ALNUM, 10) + "!" + rnd(rng, string.digits, 3)]),
        ("secret", ['SECRET_KEY = "%s"' % rnd(rng, HEX, 64)]),
        ("private-key", ["-----BEGIN RSA PRIVATE KEY-----", pem_body, "-----END RSA PRIVATE KEY-----"]),
    ]


FILLER = [
    "import os",
    "def handler(event, context):",
    "    password = os.environ.get('DB_PASSWORD')",
    "    token = request.headers.get('Authorization')",
    "    return {'statusCode': 200, 'body': json.dumps(result)}",
    "FROM python:3.12-slim@sha256:{sha256}",
    "RUN pip install --no-cache-dir -r requirements.txt",
    "id: {uuid}",
    "commit {sha1}",
    "# The API key is read from the environment at startup.",
    "const config = { apiKey: process.env.API_KEY, retries: 3 };",
    "    image: nginx:1.25",
    "    ports: ['8080:80']",
    "    environment:",
    "      - LOG_LEVEL=info",
    "      - DB_PASSWORD=${DB_PASSWORD}",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    'integrity: "sha512-{b64_88}"',
]


def filler_line(rng):
    line = rng.choice(FILLER)
    uuid = "-".join(rnd(rng, HEX, n) for n in (8, 4, 4, 4, 12))
    for key, value in (
        ("{sha256}", rnd(rng, HEX, 64)),
        ("{uuid}", uuid),
        ("{sha1}", rnd(rng, HEX, 40)),
        ("{b64_88}", rnd(rng, B64, 86) + "=="),
    ):
        line = line.replace(key, value)
    return line


def generate(root, files, seed=42):
    """Writes `files` files; returns {relative path: set of planted secret line numbers}."""
    rng = random.Random(seed)
    truth = {}
    exts = [".env", ".py", ".yaml", ".json", ".sh", ".txt", ".conf"]
    for i in range(files):
        rel = os.path.join("dir%02d" % (i % 10), "file%04d%s" % (i, exts[i % len(exts)]))
        lines = []
        planted = set()
        kinds = planted_lines(rng)
        for _ in range(3):
            for _ in range(rng.randint(5, 30)):
                lines.append(filler_line(rng))
            kind, secret_lines = rng.choice(kinds)
            for sl in secret_lines:
                lines.extend(sl.split("\n"))
            # Secret on the first line of a multi-line block (the PEM header) or the only line.
            first = len(lines) - sum(len(sl.split("\n")) for sl in secret_lines) + 1
            planted.add((kind, first, len(lines)))
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        truth[rel] = planted
    return truth


def build_scan_dir():
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "shipshape-secrets", "--example", "scan_dir"],
        cwd=REPO, check=True, env=env,
    )
    return os.path.join(env["CARGO_TARGET_DIR"], "release", "examples", "scan_dir")


def run_ours(binary, tree):
    t = time.perf_counter()
    out = subprocess.run([binary, tree, "--list"], capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - t
    hits = []
    for line in out.splitlines():
        m = re.match(r"^(.*):(\d+):(\d+) (\S+) ", line)
        if m:
            hits.append((os.path.relpath(m.group(1), tree), int(m.group(2)), m.group(4)))
    return hits, elapsed


def run_detect_secrets(tree):
    t = time.perf_counter()
    proc = subprocess.run(["detect-secrets", "scan", "--all-files", "."], cwd=tree, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    data = json.loads(proc.stdout)
    hits = []
    for path, results in data.get("results", {}).items():
        for r in results:
            hits.append((os.path.normpath(path), r["line_number"], r["type"]))
    return hits, elapsed


def tree_size(tree):
    total = 0
    count = 0
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = [d for d in dirnames if d not in (".git", "target")]
        for f in filenames:
            p = os.path.join(dirpath, f)
            if os.path.isfile(p) and not os.path.islink(p):
                total += os.path.getsize(p)
                count += 1
    return count, total


def report(name, tree, ours, theirs, truth=None):
    files, size = tree_size(tree)
    print("\n== %s: %s (%d files, %.1f MB)" % (name, tree, files, size / 1e6))
    print("%-18s %9s %8s %9s %10s" % ("tool", "findings", "files", "seconds", "MB/s"))
    for tool, (hits, secs) in (("shipshape-secrets", ours), ("detect-secrets", theirs)):
        print("%-18s %9d %8d %9.3f %10.1f" % (tool, len(hits), len({h[0] for h in hits}), secs, size / 1e6 / secs))
    if truth is not None:
        planted = sum(len(v) for v in truth.values())
        print("planted secrets: %d" % planted)
        for tool, (hits, _) in (("shipshape-secrets", ours), ("detect-secrets", theirs)):
            found = 0
            missed = {}
            for rel, items in truth.items():
                lines = {h[1] for h in hits if h[0] == rel}
                for kind, first, last in items:
                    if any(first <= l <= last for l in lines):
                        found += 1
                    else:
                        missed[kind] = missed.get(kind, 0) + 1
            on_planted = 0
            for h in hits:
                if any(first <= h[1] <= last for _, first, last in truth.get(h[0], ())):
                    on_planted += 1
            print(
                "%-18s recall %d/%d (%.1f%%), findings on filler lines: %d, missed kinds: %s"
                % (tool, found, planted, 100.0 * found / planted, len(hits) - on_planted,
                   ", ".join("%s=%d" % kv for kv in sorted(missed.items())) or "none")
            )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*", default=[os.path.join(REPO, "crates")])
    ap.add_argument("--planted", help="directory for the generated tree (default: a temporary one)")
    ap.add_argument("--files", type=int, default=300, help="number of generated files")
    args = ap.parse_args()
    if shutil.which("detect-secrets") is None:
        sys.exit("detect-secrets not found: pip install detect-secrets")
    binary = build_scan_dir()
    for tree in args.trees:
        report("tree", os.path.abspath(tree), run_ours(binary, tree), run_detect_secrets(tree))
    planted_dir = args.planted or tempfile.mkdtemp(prefix="planted-secrets-")
    if os.path.exists(planted_dir):
        shutil.rmtree(planted_dir)
    os.makedirs(planted_dir)
    truth = generate(planted_dir, args.files)
    report("planted", planted_dir, run_ours(binary, planted_dir), run_detect_secrets(planted_dir), truth)


if __name__ == "__main__":
    main()
