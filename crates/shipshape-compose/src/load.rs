//! Reading, interpolating and merging the files of a project: the model before typing.

use crate::dotenv::parse_dotenv;
use crate::fs::{FileSystem, decode_lossy};
use crate::interpolate::interpolate;
use crate::merge::{self, MergeConflict};
use crate::syntax::{clean_path, join_path};
use crate::tree::{self, Entry, Kind, ScalarType, Val};
use crate::{LoadLimits, MissingVariable};
use shipshape_model::general::{INVALID_ENCODING, PARSE_ERROR, UNREADABLE_TARGET};
use shipshape_model::{Finding, Origin, RuleMeta, SourceFile, Span};
use shipshape_yaml::Comment;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The variables interpolation sees: the caller's environment over the `.env` files.
#[derive(Debug, Clone, Default)]
pub(crate) struct Env {
    pub(crate) vars: HashMap<String, String>,
}

impl Env {
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
}

/// Shared state of one load: every file read, every diagnostic.
pub(crate) struct Loader<'a> {
    pub(crate) fs: &'a dyn FileSystem,
    pub(crate) limits: &'a LoadLimits,
    pub(crate) sources: Vec<SourceFile>,
    pub(crate) diagnostics: Vec<Finding>,
    pub(crate) comments: Vec<(Arc<str>, Comment)>,
    pub(crate) missing: Vec<MissingVariable>,
    /// Directory that relative paths written in each file resolve against.
    pub(crate) base_dirs: HashMap<Arc<str>, String>,
    /// Parsed documents of each Compose file read, before interpolation.
    docs: HashMap<Arc<str>, Arc<Vec<Val>>>,
    /// Index into `sources` by display path.
    source_index: HashMap<Arc<str>, usize>,
    files_read: usize,
}

/// Display form of a path: lossy UTF-8, cleaned lexically.
pub(crate) fn display(path: &Path) -> String {
    clean_path(&path.to_string_lossy())
}

/// The directory part of a display path (`"."` for a bare file name).
pub(crate) fn parent_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => path.get(..i).unwrap_or(".").to_string(),
        None => ".".to_string(),
    }
}

impl<'a> Loader<'a> {
    pub(crate) fn new(fs: &'a dyn FileSystem, limits: &'a LoadLimits) -> Self {
        Self {
            fs,
            limits,
            sources: Vec::new(),
            diagnostics: Vec::new(),
            comments: Vec::new(),
            missing: Vec::new(),
            base_dirs: HashMap::new(),
            docs: HashMap::new(),
            source_index: HashMap::new(),
            files_read: 0,
        }
    }

    pub(crate) fn report(&mut self, rule: &'static RuleMeta, origin: &Origin, message: impl Into<String>) {
        self.diagnostics.push(Finding::new(rule, origin, message));
    }

    pub(crate) fn error(&mut self, origin: &Origin, message: impl Into<String>) {
        self.report(&PARSE_ERROR, origin, message);
    }

    /// The text of an already-read source.
    pub(crate) fn source_text(&self, path: &str) -> Option<&str> {
        self.source_index.get(path).and_then(|&i| self.sources.get(i)).map(|s| &*s.text)
    }

    /// Reads a file as text once, recording it as a source. `from` is the place that asked
    /// for it (for the diagnostic when it cannot be read).
    pub(crate) fn read_text(&mut self, path: &str, from: Option<&Origin>) -> Option<Arc<str>> {
        if let Some(&i) = self.source_index.get(path) {
            return self.sources.get(i).map(|s| s.text.clone());
        }
        let fallback = Origin::new(Arc::from(path), Span::default());
        let origin = from.cloned().unwrap_or(fallback);
        if self.files_read >= self.limits.max_files {
            self.report(
                &UNREADABLE_TARGET,
                &origin,
                format!("not reading {path}: a project may read at most {} files", self.limits.max_files),
            );
            return None;
        }
        self.files_read += 1;
        let bytes = match self.fs.read(Path::new(path)) {
            Ok(bytes) => bytes,
            Err(err) => {
                let message = if err.kind() == std::io::ErrorKind::NotFound {
                    format!("{path} not found")
                } else {
                    format!("cannot read {path}: {err}")
                };
                self.report(&UNREADABLE_TARGET, &origin, message);
                return None;
            }
        };
        if bytes.len() as u64 > self.limits.max_file_bytes {
            self.report(
                &UNREADABLE_TARGET,
                &origin,
                format!("{path} is larger than {} bytes; not read", self.limits.max_file_bytes),
            );
            return None;
        }
        Some(self.add_source(path, &bytes))
    }

    /// Records bytes as the source `path` and returns its text.
    pub(crate) fn add_source(&mut self, path: &str, bytes: &[u8]) -> Arc<str> {
        let (text, replaced) = decode_lossy(bytes);
        let path: Arc<str> = Arc::from(path);
        let source = SourceFile::new(path.clone(), text);
        let text = source.text.clone();
        if replaced {
            let at = text.find('?').unwrap_or(0);
            let origin = Origin::new(path.clone(), Span::from_range(at..at + 1));
            self.report(&INVALID_ENCODING, &origin, "file is not valid UTF-8; invalid bytes read as `?`");
        }
        self.source_index.insert(path, self.sources.len());
        self.sources.push(source);
        text
    }

    /// The YAML documents of a Compose file, parsed once and shared (for `extends` targets);
    /// `None` when it cannot be read.
    pub(crate) fn compose_docs(&mut self, path: &str, from: Option<&Origin>) -> Option<Arc<Vec<Val>>> {
        if let Some(docs) = self.docs.get(path) {
            return Some(docs.clone());
        }
        let docs = Arc::new(self.parse_docs(path, from)?);
        self.docs.insert(Arc::from(path), docs.clone());
        Some(docs)
    }

    /// Parses the YAML documents of a Compose file. Problems (syntax errors, non-string keys)
    /// and comments are recorded the first time a file is parsed only.
    pub(crate) fn parse_docs(&mut self, path: &str, from: Option<&Origin>) -> Option<Vec<Val>> {
        let first_time = !self.source_index.contains_key(path);
        let text = self.read_text(path, from)?;
        let path: Arc<str> = Arc::from(path);
        let stream = shipshape_yaml::parse(&text, &self.limits.yaml);
        let mut bad_keys = Vec::new();
        let docs: Vec<Val> = stream
            .documents
            .into_iter()
            .filter(|d| !d.root.is_null())
            .map(|d| tree::from_yaml(d.root, &path, &mut bad_keys))
            .collect();
        if !first_time {
            return Some(docs);
        }
        for error in &stream.errors {
            let origin = Origin::new(path.clone(), error.span);
            self.error(&origin, format!("YAML: {}", error.message));
        }
        for comment in stream.comments {
            self.comments.push((path.clone(), comment));
        }
        for origin in bad_keys {
            let key = origin.span.slice(&text).to_string();
            self.error(
                &origin,
                format!("non-string key {key:?}: Compose requires mapping keys to be strings"),
            );
        }
        if docs.is_empty() && stream.errors.is_empty() {
            self.error(&Origin::new(path.clone(), Span::default()), "empty compose file");
        }
        Some(docs)
    }

    /// Reads `.env`-style files into `env` (existing keys win: the caller's environment is
    /// applied first). `required`: whether a missing file is an error.
    pub(crate) fn read_env_files(
        &mut self,
        files: &[String],
        env: &Env,
        required: bool,
    ) -> HashMap<String, String> {
        let mut out: HashMap<String, String> = HashMap::new();
        for file in files {
            if !required && !self.fs.is_file(Path::new(file)) {
                continue;
            }
            let earlier = out.clone();
            let lookup = |name: &str| env.get(name).or_else(|| earlier.get(name).cloned());
            for (key, value, _) in self.env_file_entries(file, None, &lookup) {
                if let Some(value) = value {
                    out.insert(key, value);
                }
            }
        }
        out
    }

    /// Parses one env file, reporting syntax errors; each entry comes with its origin.
    pub(crate) fn env_file_entries(
        &mut self,
        file: &str,
        from: Option<&Origin>,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<(String, Option<String>, Origin)> {
        let Some(text) = self.read_text(file, from) else { return Vec::new() };
        let path: Arc<str> = Arc::from(file);
        let (entries, errors) = parse_dotenv(&text, lookup);
        for error in errors {
            let origin = Origin::new(path.clone(), error.span);
            self.error(&origin, format!("env file: {}", error.message));
        }
        entries
            .into_iter()
            .map(|e| {
                let origin = Origin::new(path.clone(), e.span);
                for name in &e.missing {
                    self.missing.push(MissingVariable { name: name.clone(), origin: origin.clone() });
                }
                (e.key, e.value, origin)
            })
            .collect()
    }

    /// Interpolates every scalar value (not keys) of `val` in place. `path` locates `val` for
    /// messages.
    pub(crate) fn interpolate<'v>(&mut self, val: &'v mut Val, env: &Env, path: &mut Vec<Seg<'v>>) {
        match &mut val.kind {
            Kind::Scalar(scalar) if scalar.ty == ScalarType::Str && scalar.text.contains('$') => {
                let lookup = |name: &str| env.get(name);
                match interpolate(&scalar.text, &lookup) {
                    Ok(out) => {
                        for name in out.missing {
                            self.missing.push(MissingVariable { name, origin: val.origin.clone() });
                        }
                        scalar.text = out.value;
                    }
                    Err(err) => {
                        let span = self.text_span(&val.origin, &scalar.text, err.range.clone());
                        let origin = Origin::new(val.origin.path.clone(), span);
                        let message = format!("{}: {}", path_text(path), err.message);
                        self.error(&origin, message);
                    }
                }
            }
            Kind::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    path.push(Seg::Index(i));
                    self.interpolate(item, env, path);
                    path.pop();
                }
            }
            Kind::Map(entries) => {
                for entry in entries.iter_mut() {
                    let Entry { key, value, .. } = entry;
                    let key: &'v String = key;
                    path.push(Seg::Key(key));
                    self.interpolate(value, env, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// The span in the file of `range` within a scalar's value: exact for plain and simply
    /// quoted scalars, the whole scalar otherwise.
    fn text_span(&self, origin: &Origin, value: &str, range: std::ops::Range<usize>) -> Span {
        let Some(text) = self.source_text(&origin.path) else { return origin.span };
        let written = origin.span.slice(text);
        let offset = if written == value {
            0
        } else if written.len() == value.len() + 2 && written.get(1..written.len() - 1) == Some(value) {
            1
        } else {
            return origin.span;
        };
        let start = origin.span.start as usize + offset;
        Span::from_range(start + range.start..start + range.end)
    }

    /// Loads the files of one project (the main file, then its overrides) into one model,
    /// resolving `extends` and `include`. `chain`: the files including this project.
    pub(crate) fn load_model(
        &mut self,
        files: &[String],
        env: &Env,
        working_dir: &str,
        chain: &[String],
    ) -> Option<Val> {
        let mut model: Option<Val> = None;
        for file in files {
            self.base_dirs.entry(Arc::from(file.as_str())).or_insert_with(|| working_dir.to_string());
            let Some(docs) = self.parse_docs(file, None) else { continue };
            for mut doc in docs {
                if doc.as_map().is_none() {
                    let message = format!("top-level object must be a mapping, found {}", doc.type_name());
                    self.error(&doc.origin, message);
                    continue;
                }
                self.interpolate(&mut doc, env, &mut Vec::new());
                self.apply_extends(&mut doc, file, env);
                let mut chain = chain.to_vec();
                chain.push(file.clone());
                self.apply_include(&mut doc, working_dir, env, &chain);
                model = Some(match model.take() {
                    None => doc,
                    Some(base) => {
                        let mut conflicts = Vec::new();
                        let merged = merge::merge(base, doc, &mut Vec::new(), &mut conflicts);
                        self.report_conflicts(conflicts);
                        merged
                    }
                });
            }
        }
        let mut model = model?;
        merge::strip_resets(&mut model);
        Some(model)
    }

    fn report_conflicts(&mut self, conflicts: Vec<MergeConflict>) {
        for conflict in conflicts {
            let message = format!(
                "cannot override {}: {} cannot replace the value defined before; the override wins",
                conflict.path,
                conflict.over.type_name()
            );
            self.error(&conflict.over.origin, message);
        }
    }

    /// Replaces every service with an `extends` by the merge of its base and itself.
    fn apply_extends(&mut self, doc: &mut Val, file: &str, env: &Env) {
        let Some(services) = doc.get("services").and_then(Val::as_map) else { return };
        let names: Vec<String> =
            services.iter().filter(|e| e.value.get("extends").is_some()).map(|e| e.key.clone()).collect();
        if names.is_empty() {
            return;
        }
        let snapshot = doc.clone();
        for name in names {
            let resolved = self.resolve_extends(&snapshot, file, &name, env, &mut Vec::new());
            if let (Some(resolved), Some(slot)) =
                (resolved, doc.get_mut("services").and_then(|s| s.get_mut(&name)))
            {
                *slot = resolved;
            }
        }
    }

    /// The service `name` of `model` (read from `file`) with its `extends` chain applied.
    fn resolve_extends(
        &mut self,
        model: &Val,
        file: &str,
        name: &str,
        env: &Env,
        chain: &mut Vec<(String, String)>,
    ) -> Option<Val> {
        let mut service = model.get("services")?.get(name)?.clone();
        let Some(extends) = service.remove("extends") else { return Some(service) };
        let ext_origin = extends.value.origin.clone();
        if chain.iter().any(|(f, s)| f == file && s == name) {
            let mut lines = vec!["circular reference in extends:".to_string()];
            for (f, s) in chain.iter() {
                lines.push(format!("  {s} in {f}"));
            }
            lines.push(format!("  extends {name} in {file}"));
            self.error(&extends.key_origin, lines.join("\n"));
            return Some(service);
        }
        if chain.len() >= self.limits.max_depth {
            let message =
                format!("extends chain deeper than {} services; not followed", self.limits.max_depth);
            self.error(&extends.key_origin, message);
            return Some(service);
        }
        let (base_name, base_file) = match &extends.value.kind {
            Kind::Scalar(_) => (extends.value.as_str().map(str::to_string), None),
            Kind::Map(_) => (
                extends.value.get("service").and_then(Val::as_str).map(str::to_string),
                extends.value.get("file").and_then(|f| f.as_str().map(|s| (s.to_string(), f.origin.clone()))),
            ),
            _ => (None, None),
        };
        let Some(base_name) = base_name else {
            self.error(
                &ext_origin,
                "extends must name a service (`extends: name` or `extends: {service: name}`)",
            );
            return Some(service);
        };
        chain.push((file.to_string(), name.to_string()));
        let base = match base_file {
            None => {
                if model.get("services").and_then(|s| s.get(&base_name)).is_none() {
                    self.error(
                        &ext_origin,
                        format!("cannot extend service {name:?}: service {base_name:?} not found"),
                    );
                    None
                } else {
                    self.resolve_extends(model, file, &base_name, env, chain)
                }
            }
            Some((other, other_origin)) => {
                let target = join_path(&parent_dir(file), &other);
                self.base_dirs.entry(Arc::from(target.as_str())).or_insert_with(|| parent_dir(&target));
                match self.interpolated_file(&target, env, &other_origin) {
                    Some(other_model) => {
                        if other_model.get("services").and_then(|s| s.get(&base_name)).is_none() {
                            let message = format!(
                                "cannot extend service {name:?}: service {base_name:?} not found in {target}"
                            );
                            self.error(&ext_origin, message);
                            None
                        } else {
                            self.resolve_extends(&other_model, &target, &base_name, env, chain)
                        }
                    }
                    None => None,
                }
            }
        };
        chain.pop();
        let Some(base) = base else { return Some(service) };
        let mut conflicts = Vec::new();
        let mut path = vec!["services".to_string(), name.to_string()];
        let merged = merge::merge(base, service, &mut path, &mut conflicts);
        self.report_conflicts(conflicts);
        Some(merged)
    }

    /// Another Compose file (an `extends` target) as one interpolated model.
    fn interpolated_file(&mut self, path: &str, env: &Env, from: &Origin) -> Option<Val> {
        let docs = self.compose_docs(path, Some(from))?;
        let mut model: Option<Val> = None;
        for doc in docs.iter() {
            let mut doc = doc.clone();
            self.interpolate(&mut doc, env, &mut Vec::new());
            model = Some(match model.take() {
                None => doc,
                Some(base) => merge::merge(base, doc, &mut Vec::new(), &mut Vec::new()),
            });
        }
        model
    }

    /// Loads each `include` entry as its own project and imports its resources into `doc`.
    fn apply_include(&mut self, doc: &mut Val, working_dir: &str, env: &Env, chain: &[String]) {
        let Some(include) = doc.remove("include") else { return };
        let items: Vec<Val> = match include.value.kind {
            Kind::Seq(items) => items,
            Kind::Null => return,
            _ => {
                self.error(&include.value.origin, "`include` must be a list");
                return;
            }
        };
        for item in items {
            let (paths, project_directory, env_files) = match &item.kind {
                Kind::Scalar(_) => (vec![item.clone()], None, Vec::new()),
                Kind::Map(_) => {
                    let paths = match item.get("path") {
                        Some(p) if p.as_seq().is_some() => p.as_seq().unwrap_or(&[]).to_vec(),
                        Some(p) => vec![p.clone()],
                        None => Vec::new(),
                    };
                    let env_files = match item.get("env_file") {
                        Some(e) if e.as_seq().is_some() => e.as_seq().unwrap_or(&[]).to_vec(),
                        Some(e) => vec![e.clone()],
                        None => Vec::new(),
                    };
                    (paths, item.get("project_directory").cloned(), env_files)
                }
                _ => (Vec::new(), None, Vec::new()),
            };
            let files: Vec<(String, Origin)> = paths
                .iter()
                .filter_map(|p| p.as_str().map(|s| (join_path(working_dir, s), p.origin.clone())))
                .collect();
            let Some((first, first_origin)) = files.first().cloned() else {
                self.error(&item.origin, "include entry without a path");
                continue;
            };
            if chain.contains(&first) {
                let mut message =
                    format!("include cycle detected:\n{}", chain.first().cloned().unwrap_or_default());
                for f in chain.iter().skip(1) {
                    message.push_str(&format!("\n include {f}"));
                }
                message.push_str(&format!("\n include {first}"));
                self.error(&first_origin, message);
                continue;
            }
            if chain.len() > self.limits.max_depth {
                let message =
                    format!("include nested deeper than {} files; not followed", self.limits.max_depth);
                self.error(&first_origin, message);
                continue;
            }
            let project_dir = match project_directory.as_ref().and_then(Val::as_str) {
                Some(dir) => join_path(working_dir, dir),
                None => parent_dir(&first),
            };
            // The included project's variables: its env files, under the including project's.
            let mut inc_env = env.clone();
            let env_paths: Vec<String> = if env_files.is_empty() {
                vec![join_path(&project_dir, ".env")]
            } else {
                env_files.iter().filter_map(Val::as_str).map(|f| join_path(working_dir, f)).collect()
            };
            let from_files = self.read_env_files(&env_paths, env, !env_files.is_empty());
            for (k, v) in from_files {
                inc_env.vars.entry(k).or_insert(v);
            }
            let file_names: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
            for f in &file_names {
                self.base_dirs.entry(Arc::from(f.as_str())).or_insert_with(|| project_dir.clone());
            }
            if !self.fs.is_file(Path::new(&first)) {
                self.report(&UNREADABLE_TARGET, &first_origin, format!("included file {first} not found"));
                continue;
            }
            let Some(imported) = self.load_model(&file_names, &inc_env, &project_dir, chain) else {
                continue;
            };
            self.import_resources(doc, imported);
        }
    }

    /// Adds the services, networks, volumes, secrets and configs of an included project to
    /// `doc`; a name defined differently on both sides is a conflict (the includer's wins).
    fn import_resources(&mut self, doc: &mut Val, imported: Val) {
        for key in ["services", "volumes", "networks", "secrets", "configs"] {
            let Some(from) = imported.entry(key).cloned() else { continue };
            let Kind::Map(from_entries) = from.value.kind else { continue };
            if doc.get(key).is_none_or(|v| v.as_map().is_none()) {
                doc.remove(key);
                if let Some(entries) = doc.as_map_mut() {
                    entries.push(Entry {
                        key: key.to_string(),
                        key_origin: from.key_origin.clone(),
                        value: Val::map(Vec::new(), from.value.origin.clone()),
                    });
                }
            }
            let mut conflicts = Vec::new();
            if let Some(target) = doc.get_mut(key).and_then(Val::as_map_mut) {
                for entry in from_entries {
                    match target.iter().find(|e| e.key == entry.key) {
                        Some(existing) => {
                            if !same_value(&existing.value, &entry.value) {
                                conflicts.push((
                                    existing.key_origin.clone(),
                                    entry.key_origin.clone(),
                                    entry.key,
                                ));
                            }
                        }
                        None => target.push(entry),
                    }
                }
            }
            for (here, there, name) in conflicts {
                let finding = Finding::new(
                    &PARSE_ERROR,
                    &here,
                    format!("{key}.{name} conflicts with imported resource (defined differently by an included file)"),
                )
                .with_related(&there, "the included definition");
                self.diagnostics.push(finding);
            }
        }
    }
}

/// One step of a path into the model, for messages (`services.web.ports[0]`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

fn path_text(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Structural equality ignoring origins.
pub(crate) fn same_value(a: &Val, b: &Val) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Null, Kind::Null) => true,
        (Kind::Scalar(x), Kind::Scalar(y)) => x.text == y.text,
        (Kind::Seq(x), Kind::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b)),
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| y.iter().any(|f| f.key == e.key && same_value(&e.value, &f.value)))
        }
        _ => false,
    }
}
