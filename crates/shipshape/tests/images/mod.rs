//! Image archives built in tests: layer tars and legacy `docker save` archives.

#![allow(dead_code)]

use shipshape_image::Digest;

/// A layer tar holding `files` (path, content); a whiteout is a file named `.wh.<name>`.
pub(crate) fn layer_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append_data(&mut header, path, *data).expect("append");
    }
    builder.into_inner().expect("tar")
}

/// A legacy `docker save` archive of `layers` tagged `tag`, with the image config `config` (its
/// `rootfs` is filled in).
pub(crate) fn docker_save_archive(layers: &[Vec<u8>], mut config: serde_json::Value, tag: &str) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| Digest::sha256_of(l).to_string()).collect();
    config["rootfs"] = serde_json::json!({"type": "layers", "diff_ids": diff_ids});
    let config = serde_json::to_vec(&config).expect("config");
    let config_name = format!("{}.json", Digest::sha256_of(&config).hex());
    let layer_names: Vec<String> =
        layers.iter().map(|l| format!("{}/layer.tar", Digest::sha256_of(l).hex())).collect();
    let manifest = serde_json::json!([{"Config": config_name, "RepoTags": [tag], "Layers": layer_names}]);
    let manifest = serde_json::to_vec(&manifest).expect("manifest");
    let mut files: Vec<(String, Vec<u8>)> = vec![("manifest.json".into(), manifest), (config_name, config)];
    for (name, layer) in layer_names.iter().zip(layers) {
        files.push((name.clone(), layer.clone()));
    }
    let entries: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    layer_tar(&entries)
}

/// Writes an OCI image layout to `dir`: one image per (layers, config) (their `rootfs` filled
/// in, the platform taken from the config), under a multi-platform index when there are several;
/// the layout's `index.json` names it `tag`.
pub(crate) fn oci_layout(dir: &std::path::Path, images: &[(Vec<Vec<u8>>, serde_json::Value)], tag: &str) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let put = |bytes: &[u8]| {
        let digest = Digest::sha256_of(bytes);
        std::fs::write(blobs.join(digest.hex()), bytes).expect("write blob");
        digest.to_string()
    };
    let mut manifests = Vec::new();
    for (layers, config) in images {
        let mut config = config.clone();
        let diff_ids: Vec<String> = layers.iter().map(|l| Digest::sha256_of(l).to_string()).collect();
        config["rootfs"] = serde_json::json!({"type": "layers", "diff_ids": diff_ids});
        let config_bytes = serde_json::to_vec(&config).expect("config");
        let layer_descriptors: Vec<serde_json::Value> = layers
            .iter()
            .map(|l| {
                serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": put(l), "size": l.len()})
            })
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": put(&config_bytes), "size": config_bytes.len()},
            "layers": layer_descriptors,
        }))
        .expect("manifest");
        let mut platform = serde_json::json!({"os": config["os"], "architecture": config["architecture"]});
        if let Some(variant) = config.get("variant") {
            platform["variant"] = variant.clone();
        }
        manifests.push(serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": put(&manifest), "size": manifest.len(), "platform": platform}));
    }
    let annotations = serde_json::json!({"org.opencontainers.image.ref.name": tag});
    let top = if manifests.len() == 1 {
        let mut only = manifests.remove(0);
        only["annotations"] = annotations;
        only
    } else {
        let index = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}))
        .expect("index");
        serde_json::json!({"mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": put(&index), "size": index.len(), "annotations": annotations})
    };
    let index_json = serde_json::json!({"schemaVersion": 2, "manifests": [top]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index_json).expect("index.json"))
        .expect("write");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).expect("write");
}
