//! Merging Compose models: override files onto the main file, a service onto the service it
//! `extends`, following compose-go's rules (`override/merge.go`, `override/uncity.go`):
//!
//! - mappings merge key by key, recursively; scalars are replaced; sequences are appended;
//! - `command`, `entrypoint` and `healthcheck.test` are replaced, never appended;
//! - key/value lists (`environment`, `labels`, `sysctls`, `extra_hosts`, `annotations`,
//!   `build.args`, ...) and `dns`, `dns_search`, `dns_opt`, `env_file`, `tmpfs` are first
//!   turned into sequences (`KEY=value`), then appended; duplicates are removed when the model
//!   is read (see [`dedup_key`]): the first position is kept with the last value;
//! - `networks` and `depends_on` lists become mappings and merge by name;
//! - `build: ctx` becomes `build: {context: ctx}` before merging;
//! - `logging` merges only when both sides use the same driver (or one sets none);
//! - a null override keeps the inherited value; `x-*` keys are replaced whole;
//! - `!override` replaces the inherited value; `!reset` removes it.

use crate::syntax;
use crate::tree::{Entry, Kind, Tag, Val};
use std::collections::HashMap;

/// A merge that could not be done as written (mapping over list, ...). The override wins.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MergeConflict {
    pub(crate) path: String,
    pub(crate) over: Val,
}

/// Paths whose lists are key/value pairs, merged as sequences of `KEY=value`.
const TO_SEQUENCE: &[&str] = &[
    "services.*.annotations",
    "services.*.build.args",
    "services.*.build.additional_contexts",
    "services.*.build.extra_hosts",
    "services.*.build.labels",
    "services.*.deploy.labels",
    "services.*.dns",
    "services.*.dns_opt",
    "services.*.dns_search",
    "services.*.env_file",
    "services.*.label_file",
    "services.*.environment",
    "services.*.extra_hosts",
    "services.*.labels",
    "services.*.sysctls",
    "services.*.tmpfs",
    "networks.*.labels",
    "volumes.*.labels",
];

/// Paths that are replaced rather than merged.
const REPLACED: &[&str] = &["services.*.command", "services.*.entrypoint", "services.*.healthcheck.test"];

/// Whether `path` (dot-separated keys) matches `pattern`, where `*` matches any one key.
pub(crate) fn matches(path: &[&str], pattern: &str) -> bool {
    let mut parts = pattern.split('.');
    for key in path {
        match parts.next() {
            Some("*") => {}
            Some(p) if p == *key => {}
            _ => return false,
        }
    }
    parts.next().is_none()
}

fn matches_any(path: &[&str], patterns: &[&str]) -> bool {
    patterns.iter().any(|p| matches(path, p))
}

/// Merges `over` onto `base` at `path`, recording conflicts.
pub(crate) fn merge(base: Val, over: Val, path: &mut Vec<String>, conflicts: &mut Vec<MergeConflict>) -> Val {
    match over.tag {
        Tag::Override => {
            let mut over = over;
            over.tag = Tag::None;
            return over;
        }
        Tag::Reset => return over,
        Tag::None => {}
    }
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    if matches_any(&keys, REPLACED) {
        return over;
    }
    if over.is_null() {
        return base;
    }
    if matches_any(&keys, TO_SEQUENCE) {
        let origin = over.origin.clone();
        let mut items = to_sequence(base);
        items.extend(to_sequence(over));
        return Val::new(Kind::Seq(items), origin);
    }
    if matches(&keys, "services.*.networks") || matches(&keys, "services.*.depends_on") {
        let base = to_mapping(base);
        let over = to_mapping(over);
        return merge_mappings(base, over, path, conflicts);
    }
    if matches(&keys, "services.*.build") {
        return merge_mappings(build_mapping(base), build_mapping(over), path, conflicts);
    }
    if matches(&keys, "services.*.logging") {
        let base_driver = base.get("driver").and_then(Val::as_str).map(str::to_string);
        let over_driver = over.get("driver").and_then(Val::as_str).map(str::to_string);
        if let (Some(b), Some(o)) = (&base_driver, &over_driver)
            && b != o
        {
            return over;
        }
        return merge_mappings(base, over, path, conflicts);
    }
    if matches(&keys, "services.*.ulimits.*") {
        return over;
    }
    match (&base.kind, &over.kind) {
        (Kind::Map(_), Kind::Map(_)) => merge_mappings(base, over, path, conflicts),
        (Kind::Seq(_), Kind::Seq(_)) => {
            let origin = over.origin.clone();
            let (Kind::Seq(mut items), Kind::Seq(more)) = (base.kind, over.kind) else {
                return Val::new(Kind::Null, origin);
            };
            items.extend(more);
            Val::new(Kind::Seq(items), origin)
        }
        (Kind::Map(_) | Kind::Seq(_), _) => {
            conflicts.push(MergeConflict { path: path.join("."), over: over.clone() });
            over
        }
        _ => over,
    }
}

/// Merges two mappings (a non-mapping side is replaced by the other).
fn merge_mappings(base: Val, over: Val, path: &mut Vec<String>, conflicts: &mut Vec<MergeConflict>) -> Val {
    let origin = base.origin.clone();
    let tag = base.tag;
    let Kind::Map(mut entries) = base.kind else {
        return over;
    };
    let Kind::Map(more) = over.kind else {
        conflicts.push(MergeConflict { path: path.join("."), over: over.clone() });
        return over;
    };
    for entry in more {
        let existing = entries.iter().rposition(|e| e.key == entry.key);
        match existing {
            Some(index) if !entry.key.starts_with("x-") => {
                let placeholder = Val::new(Kind::Null, entry.value.origin.clone());
                let Some(slot) = entries.get_mut(index) else { continue };
                let old = std::mem::replace(&mut slot.value, placeholder);
                path.push(entry.key.clone());
                let merged = merge(old, entry.value, path, conflicts);
                path.pop();
                if merged.tag == Tag::Reset {
                    entries.remove(index);
                } else if let Some(slot) = entries.get_mut(index) {
                    slot.value = merged;
                }
            }
            Some(index) => {
                if let Some(slot) = entries.get_mut(index) {
                    *slot = entry;
                }
            }
            None => {
                if entry.value.tag != Tag::Reset {
                    entries.push(entry);
                }
            }
        }
    }
    Val { kind: Kind::Map(entries), origin, tag }
}

/// `build: ./dir` as `build: {context: ./dir}`.
pub(crate) fn build_mapping(val: Val) -> Val {
    match &val.kind {
        Kind::Scalar(_) => {
            let origin = val.origin.clone();
            Val::map(
                vec![Entry { key: "context".to_string(), key_origin: origin.clone(), value: val }],
                origin,
            )
        }
        _ => val,
    }
}

/// A key/value mapping (or a single string) as a sequence of `KEY=value` / `KEY` strings, each
/// with the origin of its whole entry.
pub(crate) fn to_sequence(val: Val) -> Vec<Val> {
    match val.kind {
        Kind::Seq(items) => items,
        Kind::Map(entries) => entries
            .into_iter()
            .filter(|e| e.value.tag != Tag::Reset)
            .map(|e| {
                let origin = Val::entry_origin(&e);
                match e.value.scalar_text() {
                    Some(text) => Val::string(format!("{}={}", e.key, text), origin),
                    None => Val::string(e.key, origin),
                }
            })
            .collect(),
        Kind::Scalar(_) => vec![val],
        Kind::Null => Vec::new(),
    }
}

/// A list of names (or a mapping) as a mapping of name to settings (null for list items).
pub(crate) fn to_mapping(val: Val) -> Val {
    match val.kind {
        Kind::Seq(items) => {
            let origin = val.origin.clone();
            let entries = items
                .into_iter()
                .filter_map(|item| {
                    let key = item.as_str()?.to_string();
                    let value = Val::new(Kind::Null, item.origin.clone());
                    Some(Entry { key, key_origin: item.origin, value })
                })
                .collect();
            Val::map(entries, origin)
        }
        _ => val,
    }
}

/// Removes `!reset` values that nothing inherited (a `!reset` in the first file that sets a key).
pub(crate) fn strip_resets(val: &mut Val) {
    match &mut val.kind {
        Kind::Map(entries) => {
            entries.retain(|e| e.value.tag != Tag::Reset);
            for entry in entries {
                entry.value.tag = match entry.value.tag {
                    Tag::Override => Tag::None,
                    other => other,
                };
                strip_resets(&mut entry.value);
            }
        }
        Kind::Seq(items) => {
            items.retain(|i| i.tag != Tag::Reset);
            for item in items {
                strip_resets(item);
            }
        }
        _ => {}
    }
}

/// The identity of a list item for de-duplication at `path`, as compose-go's `EnforceUnicity`
/// computes it: key/value lists by key, `volumes` and `devices` by container path, `secrets`
/// and `configs` by target, `ports` by address, port and protocol. `None`: never de-duplicated.
pub(crate) fn dedup_key(path: &str, item: &Val) -> Option<String> {
    match path {
        "environment" | "labels" | "sysctls" | "annotations" | "cap_add" | "cap_drop" | "dns" | "dns_opt"
        | "dns_search" | "tmpfs" | "profiles" | "links" | "extra_hosts" => {
            let text = item.as_str()?;
            Some(text.split_once('=').map_or(text, |(k, _)| k).to_string())
        }
        "volumes" => match &item.kind {
            Kind::Map(_) => item.get("target").and_then(Val::as_str).map(str::to_string),
            _ => syntax::parse_volume(item.as_str()?).ok().map(|v| v.target),
        },
        "devices" => match &item.kind {
            Kind::Map(_) => item.get("target").and_then(Val::as_str).map(str::to_string),
            _ => {
                let text = item.as_str()?;
                let mut parts = text.split(':');
                let first = parts.next().unwrap_or("");
                Some(parts.next().unwrap_or(first).to_string())
            }
        },
        "secrets" | "configs" => {
            let default_dir = if path == "secrets" { "/run/secrets" } else { "" };
            match &item.kind {
                Kind::Map(_) => match item.get("target").and_then(Val::as_str) {
                    Some(t) => Some(t.to_string()),
                    None => Some(format!("{default_dir}/{}", item.get("source").and_then(Val::as_str)?)),
                },
                _ => Some(format!("{default_dir}/{}", item.as_str()?)),
            }
        }
        "expose" => item.scalar_text(),
        "env_file" => match &item.kind {
            Kind::Map(_) => item.get("path").and_then(Val::as_str).map(str::to_string),
            _ => item.as_str().map(str::to_string),
        },
        "ports" => match &item.kind {
            Kind::Map(_) => {
                let host = item.get("host_ip").and_then(Val::scalar_text).unwrap_or_else(|| "0.0.0.0".into());
                let published = item.get("published").and_then(Val::scalar_text).unwrap_or_default();
                let target = item.get("target").and_then(Val::scalar_text)?;
                let protocol =
                    item.get("protocol").and_then(Val::scalar_text).unwrap_or_else(|| "tcp".into());
                Some(format!("{host}:{published}:{target}/{protocol}"))
            }
            _ => {
                let text = item.scalar_text()?;
                match syntax::parse_port(&text) {
                    Ok(spec) => {
                        let host = spec.host_ip.unwrap_or_else(|| "0.0.0.0".to_string());
                        let published = match spec.host_port {
                            Some((a, b)) if a == b => a.to_string(),
                            Some((a, b)) => format!("{a}-{b}"),
                            None => String::new(),
                        };
                        let target = match spec.container {
                            (a, b) if a == b => a.to_string(),
                            (a, b) => format!("{a}-{b}"),
                        };
                        Some(format!("{host}:{published}:{target}/{}", spec.protocol))
                    }
                    Err(_) => Some(text),
                }
            }
        },
        _ => None,
    }
}

/// De-duplicates the items of a list at service field `field` (see [`dedup_key`]): the first
/// position is kept, with the last value.
pub(crate) fn dedup(field: &str, items: &[Val]) -> Vec<Val> {
    let mut out: Vec<Val> = Vec::with_capacity(items.len());
    let mut keys: HashMap<String, usize> = HashMap::new();
    for item in items {
        match dedup_key(field, item) {
            Some(key) => match keys.get(&key) {
                Some(&index) => {
                    if let Some(slot) = out.get_mut(index) {
                        *slot = item.clone();
                    }
                }
                None => {
                    keys.insert(key, out.len());
                    out.push(item.clone());
                }
            },
            None => out.push(item.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns() {
        assert!(matches(&["services", "web", "environment"], "services.*.environment"));
        assert!(!matches(&["services", "web"], "services.*.environment"));
        assert!(!matches(&["services", "web", "environment", "x"], "services.*.environment"));
    }
}
