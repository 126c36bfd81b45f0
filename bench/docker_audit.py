#!/usr/bin/env python3
"""Wall time of `shipshape docker --all` on a host with N created (not started) containers.

Usage: bench/docker_audit.py [--shipshape PATH] [--containers N] [--runs N] [--image IMAGE]

Creates N containers labelled `shipshape.bench=1` (every third one risky: privileged, host PID,
Docker socket mounted), audits them with `--filter label=shipshape.bench=1`, prints the median
wall time over `--runs`, and removes them. Needs a running Docker daemon and the test image
(`shipshape-test/busybox:1.0`, imported by the live tests or .ci/run).
"""

import argparse
import json
import statistics
import subprocess
import time


def docker(*args):
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipshape", default="target/release/shipshape")
    parser.add_argument("--containers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--image", default="shipshape-test/busybox:1.0")
    args = parser.parse_args()

    names = [f"shipshape-bench-{i}" for i in range(args.containers)]
    start = time.perf_counter()
    for i, name in enumerate(names):
        risky = ["--privileged", "--pid", "host", "-v", "/var/run/docker.sock:/var/run/docker.sock"] if i % 3 == 0 else []
        docker("create", "--name", name, "--network", "none", "--label", "shipshape.bench=1", *risky, args.image, "/bin/sleep", "60")
    print(f"created {len(names)} containers in {time.perf_counter() - start:.1f} s")
    try:
        samples, findings = [], 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            out = subprocess.run(
                [args.shipshape, "docker", "--all", "--filter", "label=shipshape.bench=1", "-f", "json"],
                capture_output=True, check=False,
            )
            samples.append(time.perf_counter() - t0)
            findings = len(json.loads(out.stdout)["findings"])
        median = statistics.median(samples)
        print(f"shipshape docker --all: {median * 1000:.0f} ms median over {args.runs} runs for {len(names)} containers "
              f"({len(names) / median:,.0f} containers/s), {findings} findings")
    finally:
        for i in range(0, len(names), 50):
            subprocess.run(["docker", "rm", "-f", *names[i:i + 50]], capture_output=True, check=False)


if __name__ == "__main__":
    main()
