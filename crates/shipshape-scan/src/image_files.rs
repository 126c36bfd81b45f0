//! The filesystem checks of an image: what its layers hold, gathered during the one walk and
//! written as documents the `image-files` front end reads back into the model
//! ([`shipshape_model::ImageFiles`], [`shipshape_model::AccountFile`]).
//!
//! - `<image>!/files`: one line per notable entry (mode, owner, size, the layer that added it,
//!   the layer that deleted it, what its content showed, path), package caches with their size,
//!   SSH server packages. Which entries are notable the rules say
//!   ([`shipshape_rules::checkers::notable_rules`]); at most [`MAX_PER_RULE`] per rule are kept and
//!   the rest counted, so a layer with millions of files costs no more than a few.
//! - `<image>!/layer-<n>/etc/passwd`, `…/etc/group`, `…/etc/shadow`: the account databases of
//!   the final view, with every password hash replaced by `<redacted SCHEME hash>`.

use shipshape_image::{FileEntry, FileKind, Inventory, Removal, VisitEntry, VisitResult, Visitor, Walk};
use shipshape_model::image_files::{mode_string, parse_mode_string};
use shipshape_model::{
    Account, AccountDb, AccountFile, CacheDir, HashScheme, ImageFile, ImageFileKind, ImageFiles,
    ImagePackage, Origin, Overflow, PasswordField, SourceFile, Span,
};
use shipshape_rules::checkers::{
    SECRET_REPORTED, cache_root, content_notes, notable_package, notable_rules, wants_content,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

/// Most entries the listing keeps per rule.
pub const MAX_PER_RULE: usize = 1000;
/// Most package-cache directories summed.
const MAX_CACHES: usize = 256;
/// Most files whose content notes are kept.
const MAX_NOTED: usize = 10_000;
/// Most bytes of a credential-looking file looked at.
const NOTE_BYTES: u64 = 64 * 1024;

/// The account databases, by path in the view.
const ACCOUNT_FILES: [(&str, AccountDb); 3] = [
    ("/etc/passwd", AccountDb::Passwd),
    ("/etc/group", AccountDb::Group),
    ("/etc/shadow", AccountDb::Shadow),
];

/// Gathers, during the walk, what the filesystem rules need from file contents: the notes of
/// credential-looking files and every version of the account databases.
#[derive(Debug, Default)]
pub struct FileFacts {
    notes: HashMap<(usize, String), Vec<&'static str>>,
    /// path → (layer, content) of the latest version of each account database.
    accounts: BTreeMap<String, (usize, Vec<u8>)>,
}

impl FileFacts {
    /// Looks at a regular file some rule reads the content of. `content` is what the walk let
    /// through (at most its per-file cap).
    pub fn observe(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> std::io::Result<()> {
        if ACCOUNT_FILES.iter().any(|(path, _)| *path == file.path) {
            let mut bytes = Vec::new();
            content.read_to_end(&mut bytes)?;
            self.accounts.insert(file.path.to_owned(), (file.layer.index, bytes));
        } else if file.entry.size > 0 && self.notes.len() < MAX_NOTED && wants_content(file.path) {
            let mut bytes = Vec::new();
            content.take(NOTE_BYTES).read_to_end(&mut bytes)?;
            let notes = content_notes(file.path, &bytes);
            if !notes.is_empty() {
                self.notes.insert((file.layer.index, file.path.to_owned()), notes);
            }
        }
        Ok(())
    }
}

impl Visitor for FileFacts {
    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        self.observe(file, content)?;
        Ok(())
    }
}

/// Two visitors in one walk; each file's content (as capped by the walk) is read once and
/// handed to both.
pub struct Tee<'a>(pub &'a mut dyn Visitor, pub &'a mut dyn Visitor);

impl Visitor for Tee<'_> {
    fn layer_start(&mut self, layer: &shipshape_image::Layer) -> VisitResult {
        self.0.layer_start(layer)?;
        self.1.layer_start(layer)
    }

    fn file(&mut self, file: &VisitEntry<'_>, content: &mut dyn Read) -> VisitResult {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        self.0.file(file, &mut bytes.as_slice())?;
        self.1.file(file, &mut bytes.as_slice())
    }

    fn entry(&mut self, entry: &VisitEntry<'_>) -> VisitResult {
        self.0.entry(entry)?;
        self.1.entry(entry)
    }

    fn whiteout(&mut self, layer: &shipshape_image::Layer, target: &str, opaque: bool) -> VisitResult {
        self.0.whiteout(layer, target, opaque)?;
        self.1.whiteout(layer, target, opaque)
    }

    fn layer_end(
        &mut self,
        layer: &shipshape_image::Layer,
        stats: &shipshape_image::LayerStats,
    ) -> VisitResult {
        self.0.layer_end(layer, stats)?;
        self.1.layer_end(layer, stats)
    }
}

fn kind_of(kind: FileKind) -> ImageFileKind {
    match kind {
        FileKind::Regular => ImageFileKind::Regular,
        FileKind::Directory => ImageFileKind::Directory,
        FileKind::Symlink => ImageFileKind::Symlink,
        FileKind::HardLink => ImageFileKind::HardLink,
        FileKind::CharDevice => ImageFileKind::CharDevice,
        FileKind::BlockDevice => ImageFileKind::BlockDevice,
        FileKind::Fifo => ImageFileKind::Fifo,
    }
}

/// A path as one listing field: control characters, backslashes and invalid characters escaped.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                for b in c.to_string().bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The listing writer: entries kept per rule within the budget, the rest counted.
struct Listing<'a> {
    secrets_reported: &'a HashSet<(usize, String)>,
    facts: &'a FileFacts,
    nowhere: Arc<str>,
    kept: HashMap<&'static str, usize>,
    overflow: BTreeMap<&'static str, u64>,
    lines: Vec<String>,
}

impl Listing<'_> {
    fn consider(&mut self, path: &str, entry: &FileEntry, removed_by: Option<usize>) {
        let key = (entry.layer, path.to_owned());
        let mut notes: Vec<String> =
            self.facts.notes.get(&key).into_iter().flatten().map(|n| (*n).to_owned()).collect();
        if self.secrets_reported.contains(&key) {
            notes.push(SECRET_REPORTED.to_owned());
        }
        let file = ImageFile {
            path: path.to_owned(),
            kind: kind_of(entry.kind),
            mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
            size: entry.size,
            layer: entry.layer,
            removed_by,
            notes,
            origin: Origin::new(self.nowhere.clone(), Span::new(0, 0)),
        };
        let mut keep = false;
        for rule in notable_rules(&file) {
            let kept = self.kept.entry(rule.code).or_default();
            if *kept < MAX_PER_RULE {
                *kept += 1;
                keep = true;
            } else {
                *self.overflow.entry(rule.code).or_default() += 1;
            }
        }
        if keep {
            let mut line = format!(
                "{} {}:{} {} layer={}",
                mode_string(file.kind, file.mode),
                file.uid,
                file.gid,
                file.size,
                file.layer
            );
            if let Some(by) = removed_by {
                line.push_str(&format!(" deleted-by={by}"));
            }
            for note in &file.notes {
                line.push_str(&format!(" note={note}"));
            }
            line.push(' ');
            line.push_str(&escape_path(path));
            self.lines.push(line);
        }
    }
}

/// Sums the package caches of the final view: (bytes, files, bytes per layer) per root.
#[derive(Default)]
struct Caches {
    roots: BTreeMap<String, (u64, u64, BTreeMap<usize, u64>)>,
}

impl Caches {
    fn add(&mut self, path: &str, entry: &FileEntry) {
        if !entry.kind.eq(&FileKind::Regular) || entry.size == 0 {
            return;
        }
        let Some(root) = cache_root(path) else { return };
        if !self.roots.contains_key(&root) && self.roots.len() >= MAX_CACHES {
            return;
        }
        let (bytes, files, layers) = self.roots.entry(root).or_default();
        *bytes += entry.size;
        *files += 1;
        *layers.entry(entry.layer).or_default() += entry.size;
    }
}

/// The documents of the filesystem checks of one image (see the module docs), for the
/// `image-files` front end. `layer_labels` names each layer; `secrets_reported` holds the
/// (layer, path) of files in which the secrets scanner reports a credential.
pub fn documents(
    label: &str,
    layer_labels: &[String],
    walk: &Walk,
    inventory: &Inventory,
    facts: &FileFacts,
    secrets_reported: &HashSet<(usize, String)>,
) -> Vec<SourceFile> {
    let fs = &walk.filesystem;
    let mut listing = Listing {
        secrets_reported,
        facts,
        nowhere: Arc::from(""),
        kept: HashMap::new(),
        overflow: BTreeMap::new(),
        lines: Vec::new(),
    };
    let mut caches = Caches::default();
    for (path, entry) in fs.iter() {
        if path == "/" {
            continue;
        }
        listing.consider(path, entry, None);
        caches.add(path, entry);
    }
    for shadowed in fs.shadowed() {
        // A file replaced by a newer version at the same path is judged by that version.
        if shadowed.removal == Removal::Replaced && fs.get(&shadowed.path).is_some() {
            continue;
        }
        listing.consider(&shadowed.path, &shadowed.entry, Some(shadowed.removed_by));
    }
    let mut text = format!(
        "# Files of {label} that shipshape's filesystem rules judge, one per line: mode, uid:gid, size in\n\
         # bytes, the layer that added it, the layer that deleted it, what its content shows, path.\n"
    );
    for layer in layer_labels {
        text.push_str(layer);
        text.push('\n');
    }
    for line in &listing.lines {
        text.push_str(line);
        text.push('\n');
    }
    for (root, (bytes, files, layers)) in &caches.roots {
        let layer = layers.iter().max_by_key(|(_, bytes)| **bytes).map_or(0, |(layer, _)| *layer);
        text.push_str(&format!("cache {bytes} files={files} layer={layer} {}\n", escape_path(root)));
    }
    for package in inventory.packages.iter().filter(|p| notable_package(&p.name)) {
        let layer = package.introduced_layer.unwrap_or(package.layer);
        text.push_str(&format!("package layer={layer} {} {}\n", package.name, package.version));
    }
    for (code, count) in &listing.overflow {
        text.push_str(&format!("more {code} {count}\n"));
    }
    let mut out = vec![SourceFile::new(format!("{label}!/files"), text)];
    for (path, _) in ACCOUNT_FILES {
        let Some(entry) = fs.get(path) else { continue };
        let Some(content) = &entry.content else { continue };
        let Some((layer, bytes)) = facts.accounts.get(path) else { continue };
        if (*layer, content.path.as_str()) != (content.layer, path) {
            continue;
        }
        let text = redact_passwords(&String::from_utf8_lossy(bytes));
        out.push(SourceFile::new(format!("{label}!/layer-{}{path}", content.layer), text));
    }
    out
}

/// `text` (an `/etc/passwd` or `/etc/shadow`) with every password hash replaced by
/// `<redacted SCHEME hash>`, lock markers kept.
pub fn redact_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut fields = line.splitn(3, ':');
        let (Some(name), Some(password), Some(rest)) = (fields.next(), fields.next(), fields.next()) else {
            out.push_str(line);
            continue;
        };
        let unlocked = password.trim_start_matches(['!', '*']);
        let lock = password.get(..password.len() - unlocked.len()).unwrap_or_default();
        let is_hash = unlocked.starts_with('$') || HashScheme::of(unlocked) != HashScheme::Unknown;
        if is_hash && unlocked.len() > 2 {
            out.push_str(&format!("{name}:{lock}<redacted {} hash>:{rest}", HashScheme::of(unlocked).name()));
        } else {
            out.push_str(line);
        }
    }
    out
}

fn span_of(text: &str, part: &str) -> Span {
    let start = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    Span::from_range(start..start + part.len())
}

/// The password field as the model sees it.
fn password_field(field: &str, db: AccountDb) -> PasswordField {
    if field.is_empty() {
        return PasswordField::Empty;
    }
    if db == AccountDb::Passwd && field == "x" {
        return PasswordField::Shadowed;
    }
    if field.starts_with(['!', '*']) {
        return PasswordField::Locked;
    }
    if let Some(name) = field.strip_prefix("<redacted ").and_then(|rest| rest.strip_suffix(" hash>")) {
        return PasswordField::Hash(HashScheme::from_name(name).unwrap_or(HashScheme::Unknown));
    }
    match HashScheme::of(field) {
        // Not something crypt(3) accepts: no password can match it.
        HashScheme::Unknown if !field.starts_with('$') => PasswordField::Locked,
        scheme => PasswordField::Hash(scheme),
    }
}

/// Which account database the document `path` is.
pub fn account_db(path: &str) -> Option<AccountDb> {
    ACCOUNT_FILES.iter().find(|(name, _)| path.ends_with(name)).map(|(_, db)| *db)
}

/// The layer in a document name `…!/layer-<n>/…`.
fn layer_in(path: &str) -> Option<usize> {
    let rest = path.rsplit_once("!/layer-")?.1;
    rest.split('/').next()?.parse().ok()
}

/// Reads an account database document. Comment, blank, NIS (`+`, `-`) and malformed lines are
/// skipped.
pub fn parse_accounts(source: &SourceFile, db: AccountDb) -> AccountFile {
    let text: &str = &source.text;
    let mut accounts = Vec::new();
    for raw in text.split('\n') {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with(['#', '+', '-']) {
            continue;
        }
        let fields: Vec<&str> = line.split(':').collect();
        let (Some(name), Some(password)) = (fields.first(), fields.get(1)) else { continue };
        let id = match db {
            AccountDb::Passwd | AccountDb::Group => fields.get(2).and_then(|f| f.parse::<u64>().ok()),
            AccountDb::Shadow => None,
        };
        let password_span = span_of(text, password);
        accounts.push(Account {
            name: (*name).to_owned(),
            id,
            password: (db != AccountDb::Group).then(|| password_field(password, db)),
            origin: Origin::new(source.path.clone(), span_of(text, line)),
            password_origin: Origin::new(source.path.clone(), password_span),
        });
    }
    AccountFile { db, layer: layer_in(&source.path), accounts }
}

/// A listing field `key=value`.
fn field<'t>(token: &'t str, key: &str) -> Option<&'t str> {
    token.strip_prefix(key).and_then(|rest| rest.strip_prefix('='))
}

/// One listing line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingError {
    pub span: Span,
    pub message: String,
}

/// Reads an `<image>!/files` document back into the model.
pub fn parse_listing(source: &SourceFile) -> (ImageFiles, Vec<ListingError>) {
    let text: &str = &source.text;
    let mut files = ImageFiles::default();
    let mut errors = Vec::new();
    for raw in text.split('\n') {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let span = span_of(text, line);
        let origin = Origin::new(source.path.clone(), span);
        let (head, path) = match line.find(" /") {
            Some(at) => (line.get(..at).unwrap_or_default(), line.get(at + 1..).unwrap_or_default()),
            None => (line, ""),
        };
        let tokens: Vec<&str> = head.split_whitespace().collect();
        let number =
            |key: &str| tokens.iter().find_map(|t| field(t, key)).and_then(|v| v.parse::<u64>().ok());
        let layer = number("layer").and_then(|n| usize::try_from(n).ok());
        let parsed = match tokens.first().copied() {
            Some("layer") => {
                let index = tokens.get(1).and_then(|n| n.parse::<usize>().ok());
                let step = line.split_once(" (").and_then(|(_, rest)| rest.strip_suffix(')'));
                match index {
                    Some(index) => {
                        if files.layers.len() <= index && index < 100_000 {
                            files.layers.resize(index + 1, String::new());
                        }
                        if let Some(slot) = files.layers.get_mut(index) {
                            *slot = step.unwrap_or_default().to_owned();
                        }
                        true
                    }
                    None => false,
                }
            }
            Some("cache") => {
                match (tokens.get(1).and_then(|b| b.parse::<u64>().ok()), number("files"), layer) {
                    (Some(bytes), Some(count), Some(layer)) if !path.is_empty() => {
                        files.caches.push(CacheDir {
                            path: path.to_owned(),
                            bytes,
                            files: count,
                            layer,
                            origin,
                        });
                        true
                    }
                    _ => false,
                }
            }
            Some("package") => match (layer, tokens.get(2), tokens.get(3)) {
                (Some(layer), Some(name), Some(version)) => {
                    files.packages.push(ImagePackage {
                        name: (*name).to_owned(),
                        version: (*version).to_owned(),
                        layer,
                        origin,
                    });
                    true
                }
                _ => false,
            },
            Some("more") => match (tokens.get(1), tokens.get(2).and_then(|n| n.parse::<u64>().ok())) {
                (Some(code), Some(count)) => {
                    files.overflow.push(Overflow { code: (*code).to_owned(), count, origin });
                    true
                }
                _ => false,
            },
            Some(mode) => {
                let owner = tokens.get(1).and_then(|o| o.split_once(':'));
                let ids = owner.and_then(|(u, g)| Some((u.parse::<u64>().ok()?, g.parse::<u64>().ok()?)));
                match (parse_mode_string(mode), ids, tokens.get(2).and_then(|s| s.parse::<u64>().ok()), layer)
                {
                    (Some((kind, mode)), Some((uid, gid)), Some(size), Some(layer)) if !path.is_empty() => {
                        files.files.push(ImageFile {
                            path: path.to_owned(),
                            kind,
                            mode,
                            uid,
                            gid,
                            size,
                            layer,
                            removed_by: number("deleted-by").and_then(|n| usize::try_from(n).ok()),
                            notes: tokens
                                .iter()
                                .filter_map(|t| field(t, "note"))
                                .map(str::to_owned)
                                .collect(),
                            origin,
                        });
                        true
                    }
                    _ => false,
                }
            }
            None => true,
        };
        if !parsed {
            errors.push(ListingError { span, message: format!("unreadable file listing line `{line}`") });
        }
    }
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_locks_and_schemes() {
        let shadow = "root:$6$salt$hash:19700:0:99999:7:::\nbin:*:19700::::::\nold:!$1$s$h:1::::::\n\
                      des:abJnggxhB/yWI:1::::::\nnobody:!:1::::::\nempty::1::::::\nbad\n";
        let redacted = redact_passwords(shadow);
        assert_eq!(
            redacted,
            "root:<redacted sha512crypt hash>:19700:0:99999:7:::\nbin:*:19700::::::\n\
             old:!<redacted md5crypt hash>:1::::::\ndes:<redacted descrypt hash>:1::::::\n\
             nobody:!:1::::::\nempty::1::::::\nbad\n"
        );
        assert!(!redacted.contains("salt") && !redacted.contains("abJngg"));
        let source = SourceFile::new("img!/layer-3/etc/shadow", redacted);
        let file = parse_accounts(&source, AccountDb::Shadow);
        assert_eq!(file.layer, Some(3));
        let fields: Vec<_> = file.accounts.iter().map(|a| (a.name.as_str(), a.password.clone())).collect();
        assert_eq!(
            fields,
            [
                ("root", Some(PasswordField::Hash(HashScheme::Sha512))),
                ("bin", Some(PasswordField::Locked)),
                ("old", Some(PasswordField::Locked)),
                ("des", Some(PasswordField::Hash(HashScheme::Des))),
                ("nobody", Some(PasswordField::Locked)),
                ("empty", Some(PasswordField::Empty)),
            ]
        );
        let root = &file.accounts[0];
        assert_eq!(source.slice(root.password_origin.span), "<redacted sha512crypt hash>");
    }

    #[test]
    fn listing_round_trip() {
        let text = "# comment\nlayer 0 (ADD file:abc in /)\nlayer 1\n\
                    -rwsr-xr-x 0:0 59976 layer=0 /usr/bin/passwd\n\
                    -rw------- 0:0 1679 layer=1 deleted-by=2 note=private-key /root/my dir/id_rsa\n\
                    cache 1234 files=3 layer=1 /var/lib/apt/lists\npackage layer=1 openssh-server 1:9.2p1-2\n\
                    more PRV500 7\nnonsense here\n";
        let source = SourceFile::new("img!/files", text);
        let (files, errors) = parse_listing(&source);
        assert_eq!(files.layers, ["ADD file:abc in /", ""]);
        assert_eq!(files.files.len(), 2);
        assert_eq!(files.files[0].mode, 0o4755);
        assert_eq!(files.files[1].path, "/root/my dir/id_rsa");
        assert_eq!(files.files[1].removed_by, Some(2));
        assert!(files.files[1].has_note("private-key"));
        assert_eq!(files.caches[0].bytes, 1234);
        assert_eq!(files.packages[0].version, "1:9.2p1-2");
        assert_eq!(files.overflow[0].count, 7);
        assert_eq!(errors.len(), 1);
        assert_eq!(escape_path("/a\nb\\c"), "/a\\x0ab\\\\c");
    }
}
