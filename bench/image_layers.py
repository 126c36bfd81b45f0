#!/usr/bin/env python3
"""Layer throughput of `shipshape image` against `gzip -dc` on the same layers, and peak memory.

Usage: bench/image_layers.py [--shipshape PATH] [--work DIR] [--runs N]
                             [--small IMAGE] [--large-dir DIR ...] [--many-files N]

Builds gzip-compressed OCI layouts (level 6, as `docker push` compresses) and times, best of
`--runs`:

- `gzip -dc LAYER > /dev/null` for every layer blob;
- `shipshape image LAYOUT` on the whole image (every layer streamed once: decompression, tar
  parsing, blob digest and diff_id, the file view, the secrets detector on every file, the
  inventory and the rules), with its peak resident memory (`/usr/bin/time`);
- `shipshape image` on a one-layer image of each layer, so each layer has its own ratio.

Images:
- small: the layers of `--small` (default `shipshape-test/debian-app:v1`, the Debian minbase
  image the real-image test builds; run `cargo test -p shipshape --test real_images` first);
- large: the small image's layers plus one layer holding `--large-dir` (default `/usr/share` and
  `/usr/bin` of this machine: real documentation, locales and binaries);
- many files: one layer of `--many-files` empty files (default 2,000,000), for memory.

Needs a Docker daemon (to `docker save` the small image), gzip and GNU time. The layouts are
kept in `--work` and reused.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import time


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", digest)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


class GzipLayer:
    """A gzip layer blob built from an uncompressed tar file, with its digests."""

    def __init__(self, work, tar_path):
        self.diff_id = "sha256:" + sha256_file(tar_path)
        self.uncompressed = os.path.getsize(tar_path)
        cached = os.path.join(work, "gz", self.diff_id.split(":")[1] + ".gz")
        if not os.path.exists(cached):
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            with open(tar_path, "rb") as src, open(cached + ".partial", "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            os.rename(cached + ".partial", cached)
        self.path = cached
        self.size = os.path.getsize(cached)
        self.digest = "sha256:" + sha256_file(cached)


def write_layout(layout, layers, steps):
    if os.path.exists(os.path.join(layout, "index.json")):
        return layout
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    for layer in layers:
        target = os.path.join(blobs, layer.digest.split(":")[1])
        if not os.path.exists(target):
            os.link(layer.path, target)
    config = json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "config": {"User": "app"},
        "rootfs": {"type": "layers", "diff_ids": [l.diff_id for l in layers]},
        "history": [{"created_by": s} for s in steps],
    }).encode()
    config_digest, config_size = write_blob(layout, config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": l.digest, "size": l.size}
                   for l in layers],
    }).encode()
    manifest_digest, manifest_size = write_blob(layout, manifest)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest_size}]}, f)
    return layout


def saved_layer_tars(work, image):
    """The uncompressed layer tars of a Docker image, in order."""
    out = os.path.join(work, "saved")
    manifest_path = os.path.join(out, "manifest.json")
    if not os.path.exists(manifest_path):
        os.makedirs(out, exist_ok=True)
        archive = os.path.join(work, "saved.tar")
        subprocess.run(["docker", "save", "-o", archive, image], check=True)
        with tarfile.open(archive) as t:
            t.extractall(out, filter="tar")
        os.remove(archive)
    with open(manifest_path) as f:
        manifest = json.load(f)[0]
    return [os.path.join(out, name) for name in manifest["Layers"]]


def directory_tar(work, dirs):
    path = os.path.join(work, "large-layer.tar")
    if not os.path.exists(path):
        with tarfile.open(path + ".partial", "w", format=tarfile.PAX_FORMAT) as t:
            for d in dirs:
                t.add(d, arcname=d.lstrip("/"), recursive=True)
        os.rename(path + ".partial", path)
    return path


def many_files_tar(work, count):
    path = os.path.join(work, f"many-{count}.tar")
    if not os.path.exists(path):
        with tarfile.open(path + ".partial", "w", format=tarfile.USTAR_FORMAT) as t:
            for i in range(count):
                info = tarfile.TarInfo(f"d{i % 1000}/f{i}")
                info.size = 0
                t.addfile(info, io.BytesIO(b""))
        os.rename(path + ".partial", path)
    return path


def best_time(command, runs):
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best


def gzip_time(layer, runs):
    return best_time(["sh", "-c", f"gzip -dc '{layer.path}' > /dev/null"], runs)


def shipshape_run(shipshape, layout, runs):
    """Best wall time and the peak RSS (KiB) of `shipshape image LAYOUT`."""
    best, peak = None, 0
    for _ in range(runs):
        t0 = time.perf_counter()
        result = subprocess.run(["/usr/bin/time", "-f", "%M", shipshape, "image", layout, "-q", "--format", "json"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        elapsed = time.perf_counter() - t0
        if result.returncode not in (0, 1):
            raise SystemExit(f"shipshape image {layout} exited {result.returncode}: {result.stderr}")
        peak = max(peak, int(result.stderr.strip().splitlines()[-1]))
        best = elapsed if best is None else min(best, elapsed)
    return best, peak


def report(name, shipshape, work, layers, steps, runs, per_layer=True, title=None):
    layout = write_layout(os.path.join(work, f"layout-{name}"), layers, steps)
    compressed = sum(l.size for l in layers)
    uncompressed = sum(l.uncompressed for l in layers)
    gz = sum(gzip_time(l, runs) for l in layers)
    ours, peak = shipshape_run(shipshape, layout, runs)
    print(f"\n{title or name}: {len(layers)} layers, {compressed / 1e6:.1f} MB gzip, {uncompressed / 1e6:.1f} MB uncompressed")
    print(f"  gzip -dc (all layers)  {gz:7.2f} s  {uncompressed / gz / 1e6:7.1f} MB/s")
    print(f"  shipshape image        {ours:7.2f} s  {uncompressed / ours / 1e6:7.1f} MB/s  "
          f"ratio {ours / gz:.2f}x  peak RSS {peak / 1024:.0f} MiB")
    if not per_layer:
        return
    for i, layer in enumerate(layers):
        if layer.uncompressed < 10e6:
            continue
        single = write_layout(os.path.join(work, f"layout-{name}-layer{i}"), [layer], [steps[i]])
        g = gzip_time(layer, runs)
        s, p = shipshape_run(shipshape, single, runs)
        print(f"  layer {i}: {layer.uncompressed / 1e6:7.1f} MB  gzip -dc {g:6.2f} s  shipshape {s:6.2f} s  "
              f"ratio {s / g:.2f}x  peak RSS {p / 1024:.0f} MiB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipshape", default="target/release/shipshape")
    parser.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "shipshape-bench-image"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", default="shipshape-test/debian-app:v1")
    parser.add_argument("--large-dir", nargs="+", default=["/usr/share", "/usr/bin"])
    parser.add_argument("--many-files", type=int, default=2_000_000)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    shipshape = os.path.abspath(args.shipshape)

    small = [GzipLayer(args.work, t) for t in saved_layer_tars(args.work, args.small)]
    small_steps = [f"layer {i} of {args.small}" for i in range(len(small))]
    report("small", shipshape, args.work, small, small_steps, args.runs)

    large_layer = GzipLayer(args.work, directory_tar(args.work, args.large_dir))
    report("large", shipshape, args.work, small + [large_layer],
           small_steps + [f"COPY {' '.join(args.large_dir)}"], args.runs)

    many = GzipLayer(args.work, many_files_tar(args.work, args.many_files))
    report(f"many-{args.many_files}", shipshape, args.work, [many], [f"RUN touch {args.many_files} files"],
           args.runs, per_layer=False, title=f"many files ({args.many_files:,} empty files)")


if __name__ == "__main__":
    main()
