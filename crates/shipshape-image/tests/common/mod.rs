//! Image fixtures built in code: layer tars (with the `tar` crate, plus raw headers for hostile
//! names), gzip/zstd/uncompressed blobs, configs, and the four on-disk layouts.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use serde_json::{Value, json};
use shipshape_image::Digest;
use std::io::Write;
use std::path::Path;

pub fn sha(data: &[u8]) -> String {
    Digest::sha256_of(data).to_string()
}

pub fn hex(data: &[u8]) -> String {
    Digest::sha256_of(data).hex().to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comp {
    None,
    Gzip,
    Zstd,
}

/// One tar entry of a layer.
#[derive(Clone, Debug)]
pub enum E {
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
    },
    Dir(String),
    Symlink(String, String),
    Hardlink(String, String, u32),
    /// A header written byte for byte, bypassing the `tar` crate's path checks.
    Raw {
        name: Vec<u8>,
        data: Vec<u8>,
    },
}

pub fn file(path: &str, data: &[u8]) -> E {
    E::File { path: path.into(), data: data.to_vec(), mode: 0o644 }
}

pub fn file_mode(path: &str, data: &[u8], mode: u32) -> E {
    E::File { path: path.into(), data: data.to_vec(), mode }
}

pub fn dir(path: &str) -> E {
    E::Dir(path.into())
}

pub fn symlink(path: &str, target: &str) -> E {
    E::Symlink(path.into(), target.into())
}

/// A hard link; real tar writers give it its target's mode (they share the inode).
pub fn hardlink(path: &str, target: &str, mode: u32) -> E {
    E::Hardlink(path.into(), target.into(), mode)
}

pub fn whiteout(dir: &str, name: &str) -> E {
    let path = if dir.is_empty() { format!(".wh.{name}") } else { format!("{dir}/.wh.{name}") };
    file(&path, b"")
}

pub fn opaque(dir: &str) -> E {
    file(&format!("{dir}/.wh..wh..opq"), b"")
}

pub fn raw(name: &[u8], data: &[u8]) -> E {
    E::Raw { name: name.to_vec(), data: data.to_vec() }
}

fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(1_700_000_000);
    h.set_uid(0);
    h.set_gid(0);
    h
}

pub fn layer_tar(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        match e {
            E::File { path, data, mode } => {
                let mut h = header(tar::EntryType::Regular, data.len() as u64, *mode);
                b.append_data(&mut h, path, &data[..]).unwrap();
            }
            E::Dir(path) => {
                let mut h = header(tar::EntryType::Directory, 0, 0o755);
                b.append_data(&mut h, path, std::io::empty()).unwrap();
            }
            E::Symlink(path, target) => {
                let mut h = header(tar::EntryType::Symlink, 0, 0o777);
                b.append_link(&mut h, path, target).unwrap();
            }
            E::Hardlink(path, target, mode) => {
                let mut h = header(tar::EntryType::Link, 0, *mode);
                b.append_link(&mut h, path, target).unwrap();
            }
            E::Raw { name, data } => {
                if name.len() > 99 {
                    b.append_pax_extensions([("path", &name[..])]).unwrap();
                }
                let mut h = header(tar::EntryType::Regular, data.len() as u64, 0o644);
                let gnu = h.as_gnu_mut().unwrap();
                let n = name.len().min(99);
                gnu.name = [0; 100];
                gnu.name[..n].copy_from_slice(&name[..n]);
                h.set_cksum();
                b.append(&h, &data[..]).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

pub fn compress(data: &[u8], comp: Comp) -> Vec<u8> {
    match comp {
        Comp::None => data.to_vec(),
        Comp::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(data).unwrap();
            enc.finish().unwrap()
        }
        Comp::Zstd => ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest),
    }
}

/// A layer: its tar stream and its blob.
#[derive(Clone, Debug)]
pub struct Layer {
    pub tar: Vec<u8>,
    pub blob: Vec<u8>,
    pub comp: Comp,
}

impl Layer {
    pub fn new(entries: &[E], comp: Comp) -> Layer {
        let tar = layer_tar(entries);
        Layer { blob: compress(&tar, comp), tar, comp }
    }

    pub fn from_tar(tar: Vec<u8>, comp: Comp) -> Layer {
        Layer { blob: compress(&tar, comp), tar, comp }
    }

    pub fn diff_id(&self) -> String {
        sha(&self.tar)
    }

    pub fn digest(&self) -> String {
        sha(&self.blob)
    }

    pub fn media_type(&self) -> &'static str {
        match self.comp {
            Comp::None => "application/vnd.oci.image.layer.v1.tar",
            Comp::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Comp::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// A config for `layers`: `container` is the `config` object, `history` the history array
/// (one non-empty step per layer is added when `None`).
pub fn config_json(arch: &str, layers: &[Layer], container: Value, history: Option<Value>) -> Vec<u8> {
    let history = history.unwrap_or_else(|| {
        Value::Array(
            (0..layers.len())
                .map(|i| json!({"created_by": format!("RUN /bin/sh -c step {i} # buildkit")}))
                .collect(),
        )
    });
    let config = json!({
        "architecture": arch,
        "os": "linux",
        "created": "2024-05-01T00:00:00Z",
        "config": container,
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(Layer::diff_id).collect::<Vec<_>>()},
        "history": history,
    });
    serde_json::to_vec_pretty(&config).unwrap()
}

pub fn write_blob(layout: &Path, data: &[u8]) -> String {
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(hex(data)), data).unwrap();
    sha(data)
}

/// An OCI image manifest for `config` and `layers`, with all blobs written.
pub fn write_manifest(layout: &Path, config: &[u8], layers: &[Layer]) -> Vec<u8> {
    write_blob(layout, config);
    for layer in layers {
        write_blob(layout, &layer.blob);
    }
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config), "size": config.len()},
        "layers": layers.iter().map(|l| json!({
            "mediaType": l.media_type(), "digest": l.digest(), "size": l.blob.len()
        })).collect::<Vec<_>>(),
    });
    let bytes = serde_json::to_vec(&manifest).unwrap();
    write_blob(layout, &bytes);
    bytes
}

pub fn descriptor(
    media_type: &str,
    data: &[u8],
    platform: Option<(&str, &str, Option<&str>)>,
    name: Option<&str>,
) -> Value {
    let mut d = json!({"mediaType": media_type, "digest": sha(data), "size": data.len()});
    if let Some((os, arch, variant)) = platform {
        d["platform"] = json!({"os": os, "architecture": arch});
        if let Some(v) = variant {
            d["platform"]["variant"] = json!(v);
        }
    }
    if let Some(name) = name {
        d["annotations"] = json!({"org.opencontainers.image.ref.name": name});
    }
    d
}

pub fn write_index(layout: &Path, manifests: Vec<Value>) {
    std::fs::create_dir_all(layout).unwrap();
    std::fs::write(layout.join("oci-layout"), br#"{"imageLayoutVersion": "1.0.0"}"#).unwrap();
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
    std::fs::write(layout.join("index.json"), serde_json::to_vec_pretty(&index).unwrap()).unwrap();
}

/// A single-image OCI layout directory.
pub fn oci_layout(layout: &Path, config: &[u8], layers: &[Layer], name: Option<&str>) {
    let manifest = write_manifest(layout, config, layers);
    write_index(
        layout,
        vec![descriptor("application/vnd.oci.image.manifest.v1+json", &manifest, None, name)],
    );
}

/// Packs a directory into a tar (an OCI layout archive).
pub fn tar_directory(dir: &Path, out: &Path) {
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    b.append_dir_all(".", dir).unwrap();
    b.finish().unwrap();
}

fn append(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
    let mut h = header(tar::EntryType::Regular, data.len() as u64, 0o644);
    b.append_data(&mut h, name, data).unwrap();
}

/// A legacy `docker save` archive (Docker < 25). With `dedup`, a repeated layer is stored once
/// and the second copy is a symbolic link, as Docker does.
pub fn docker_legacy(out: &Path, config: &[u8], layers: &[Layer], tags: &[&str], dedup: bool) {
    let mut b = tar::Builder::new(Vec::new());
    let config_name = format!("{}.json", hex(config));
    append(&mut b, &config_name, config);
    let mut names = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        let id = hex(format!("layer-{i}-{}", layer.diff_id()).as_bytes());
        let name = format!("{id}/layer.tar");
        let mut h = header(tar::EntryType::Directory, 0, 0o755);
        b.append_data(&mut h, format!("{id}/"), std::io::empty()).unwrap();
        append(&mut b, &format!("{id}/VERSION"), b"1.0");
        match seen.iter().find(|(diff, _)| dedup && *diff == layer.diff_id()) {
            Some((_, first)) => {
                let mut h = header(tar::EntryType::Symlink, 0, 0o777);
                b.append_link(&mut h, &name, format!("../{first}")).unwrap();
            }
            None => {
                append(&mut b, &name, &layer.blob);
                seen.push((layer.diff_id(), name.clone()));
            }
        }
        names.push(name);
    }
    let manifest = json!([{"Config": config_name, "RepoTags": tags, "Layers": names}]);
    append(&mut b, "manifest.json", &serde_json::to_vec(&manifest).unwrap());
    append(&mut b, "repositories", b"{}");
    std::fs::write(out, b.into_inner().unwrap()).unwrap();
}

/// A `docker save` archive as Docker 25 and later write it: an OCI layout plus `manifest.json`.
pub fn docker_oci(out: &Path, config: &[u8], layers: &[Layer], tag: &str) {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = header(tar::EntryType::Directory, 0, 0o755);
    b.append_data(&mut h, "blobs/", std::io::empty()).unwrap();
    let mut h = header(tar::EntryType::Directory, 0, 0o755);
    b.append_data(&mut h, "blobs/sha256/", std::io::empty()).unwrap();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config), "size": config.len()},
        "layers": layers.iter().map(|l| json!({
            "mediaType": l.media_type(), "digest": l.digest(), "size": l.blob.len()
        })).collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    for blob in std::iter::once(config)
        .chain(layers.iter().map(|l| &l.blob[..]))
        .chain(std::iter::once(&manifest[..]))
    {
        append(&mut b, &format!("blobs/sha256/{}", hex(blob)), blob);
    }
    let mut d = descriptor("application/vnd.oci.image.manifest.v1+json", &manifest, None, None);
    d["annotations"] = json!({"io.containerd.image.name": format!("docker.io/library/{tag}"), "org.opencontainers.image.ref.name": tag.rsplit(':').next().unwrap()});
    let index =
        json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [d]});
    append(&mut b, "index.json", &serde_json::to_vec(&index).unwrap());
    append(&mut b, "oci-layout", br#"{"imageLayoutVersion": "1.0.0"}"#);
    let docker_manifest = json!([{
        "Config": format!("blobs/sha256/{}", hex(config)),
        "RepoTags": [tag],
        "Layers": layers.iter().map(|l| format!("blobs/sha256/{}", hex(&l.blob))).collect::<Vec<_>>(),
    }]);
    append(&mut b, "manifest.json", &serde_json::to_vec(&docker_manifest).unwrap());
    std::fs::write(out, b.into_inner().unwrap()).unwrap();
}
