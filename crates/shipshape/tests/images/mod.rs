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
