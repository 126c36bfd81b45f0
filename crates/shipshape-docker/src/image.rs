//! Image objects in `docker image inspect` output (and the Engine API's `GET /images/{id}/json`).
//! Their configuration is lowered by `shipshape-image` (the same lowering as an image config
//! blob's); this module only recognises and names them.

use shipshape_yaml::Node;

/// Whether `object` is an image as `docker image inspect` prints it.
pub fn is_image_object(object: &Node) -> bool {
    object.get("HostConfig").is_none() && (object.get("RootFS").is_some() || object.get("RepoTags").is_some())
}

/// The name an image object is reported under: its first tag, else its short id.
pub fn image_name(object: &Node) -> String {
    object
        .get("RepoTags")
        .and_then(Node::as_sequence)
        .and_then(|tags| tags.iter().find_map(|t| t.as_str().filter(|s| !s.is_empty())))
        .map(str::to_string)
        .or_else(|| {
            object
                .get("Id")
                .and_then(Node::as_str)
                .map(|id| id.trim_start_matches("sha256:").chars().take(12).collect())
        })
        .unwrap_or_else(|| "image".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_image_objects_and_names_them() {
        let text = r#"[{"Id": "sha256:0123456789abcdef0123", "RepoTags": ["example/app:1.0"], "Config": {}, "RootFS": {}},
            {"Id": "sha256:fedcba9876543210fedc", "RepoTags": [], "RootFS": {}}, {"Id": "c", "HostConfig": {}}]"#;
        let stream = shipshape_yaml::parse(text, &shipshape_yaml::Limits::default());
        let items = stream.documents[0].root.as_sequence().expect("array");
        assert!(is_image_object(&items[0]) && is_image_object(&items[1]) && !is_image_object(&items[2]));
        assert_eq!(image_name(&items[0]), "example/app:1.0");
        assert_eq!(image_name(&items[1]), "fedcba987654");
    }
}
