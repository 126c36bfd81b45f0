#!/usr/bin/env python3
"""Whole-process comparison of shipshape with Checkov on the same Kubernetes manifests.

Usage: bench/compare_kube.py [--shipshape PATH] [--runs N] DIR

Every `.yaml`/`.yml`/`.json` file under DIR is scanned by both tools in one process each
(`shipshape scan DIR --pss restricted`, `checkov -d DIR --framework kubernetes`), `--runs` times;
the median wall-clock time is reported with manifests/second and each tool's finding count.
Peer: `pip install checkov`.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time


def timed(cmd, runs):
    samples, output = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        output = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False).stdout
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), output


def count_manifests(directory):
    return sum(
        1
        for _root, _dirs, names in os.walk(directory)
        for name in names
        if name.endswith((".yaml", ".yml", ".json"))
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipshape", default="target/release/shipshape")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("directory")
    args = parser.parse_args()
    manifests = count_manifests(args.directory)
    if not manifests:
        sys.exit("no manifests found")

    ship_time, ship_out = timed([args.shipshape, "scan", args.directory, "--pss", "restricted", "-f", "json"], args.runs)
    ship_findings = len(json.loads(ship_out)["findings"])
    print(f"shipshape: {ship_time:.3f} s for {manifests} manifests ({manifests / ship_time:,.0f}/s), {ship_findings} findings")

    checkov = shutil.which("checkov")
    if not checkov:
        print("checkov: not installed (pip install checkov)")
        return
    runs = max(1, min(args.runs, 2))
    cmd = [checkov, "-d", args.directory, "--framework", "kubernetes", "-o", "json", "--quiet", "--compact"]
    checkov_time, checkov_out = timed(cmd, runs)
    try:
        report = json.loads(checkov_out)
        reports = report if isinstance(report, list) else [report]
        failed = sum(len(r.get("results", {}).get("failed_checks", [])) for r in reports)
    except json.JSONDecodeError:
        failed = "?"
    print(f"checkov:   {checkov_time:.3f} s ({manifests / checkov_time:,.0f}/s), {failed} failed checks")
    print(f"shipshape is {checkov_time / ship_time:,.0f}x faster")


if __name__ == "__main__":
    main()
