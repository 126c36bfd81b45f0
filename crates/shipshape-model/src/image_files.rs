//! What an image's file system holds, as far as the filesystem rules need to know: the notable
//! entries of every layer (mode, owner, size, the layer that added each and the one that removed
//! it), package-manager cache directories with their size, SSH server packages, and the account
//! databases (`/etc/passwd`, `/etc/group`, `/etc/shadow`) of the final view.
//!
//! Password hashes are never part of the model: a password field is reduced to its
//! [`PasswordField`] (empty, locked, a hash of some scheme).

use crate::span::Origin;

/// What kind of file an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFileKind {
    Regular,
    Directory,
    Symlink,
    HardLink,
    CharDevice,
    BlockDevice,
    Fifo,
}

impl ImageFileKind {
    /// The type letter `ls -l` shows (`-`, `d`, `l`, `h` for a hard link, `c`, `b`, `p`).
    pub fn letter(self) -> char {
        match self {
            ImageFileKind::Regular => '-',
            ImageFileKind::Directory => 'd',
            ImageFileKind::Symlink => 'l',
            ImageFileKind::HardLink => 'h',
            ImageFileKind::CharDevice => 'c',
            ImageFileKind::BlockDevice => 'b',
            ImageFileKind::Fifo => 'p',
        }
    }

    /// The kind of type letter `letter`.
    pub fn from_letter(letter: char) -> Option<ImageFileKind> {
        Some(match letter {
            '-' => ImageFileKind::Regular,
            'd' => ImageFileKind::Directory,
            'l' => ImageFileKind::Symlink,
            'h' => ImageFileKind::HardLink,
            'c' => ImageFileKind::CharDevice,
            'b' => ImageFileKind::BlockDevice,
            'p' => ImageFileKind::Fifo,
            _ => return None,
        })
    }

    /// A regular file or a hard link to one: something that can be executed or read.
    pub fn is_file(self) -> bool {
        matches!(self, ImageFileKind::Regular | ImageFileKind::HardLink)
    }
}

/// One entry a layer wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    /// Absolute path in the image (`/usr/bin/passwd`).
    pub path: String,
    pub kind: ImageFileKind,
    /// Permission bits with setuid (`0o4000`), setgid (`0o2000`) and sticky (`0o1000`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Size in bytes.
    pub size: u64,
    /// The layer that added it (0 is the bottom layer).
    pub layer: usize,
    /// The layer that deleted it, when it is not in the final view (it still ships in the
    /// lower layer's blob).
    pub removed_by: Option<usize>,
    /// What its content showed, for the files whose content was looked at: `private-key`,
    /// `registry-auth`, `token`, `password`, and `secret-reported` when the secrets scanner
    /// already reports a credential inside it.
    pub notes: Vec<String>,
    /// The entry's line in the image's file listing.
    pub origin: Origin,
}

impl ImageFile {
    /// The last path component.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// Whether the content showed `note`.
    pub fn has_note(&self, note: &str) -> bool {
        self.notes.iter().any(|n| n == note)
    }

    /// `ls -l` style mode: `-rwsr-xr-x`.
    pub fn mode_string(&self) -> String {
        mode_string(self.kind, self.mode)
    }
}

/// `ls -l` style mode of `kind` with permission bits `mode`.
pub fn mode_string(kind: ImageFileKind, mode: u32) -> String {
    let mut out = String::with_capacity(10);
    out.push(kind.letter());
    let special = [(0o4000, 's', 'S'), (0o2000, 's', 'S'), (0o1000, 't', 'T')];
    for (i, (bit, set, unset)) in special.iter().enumerate() {
        let shift = 6 - 3 * i;
        let bits = (mode >> shift) & 0o7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let exec = bits & 1 != 0;
        out.push(match (mode & bit != 0, exec) {
            (true, true) => *set,
            (true, false) => *unset,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// The kind and permission bits of an `ls -l` style mode (`-rwsr-xr-x`).
pub fn parse_mode_string(text: &str) -> Option<(ImageFileKind, u32)> {
    let chars: Vec<char> = text.chars().collect();
    let [kind, rest @ ..] = chars.as_slice() else { return None };
    if rest.len() != 9 {
        return None;
    }
    let kind = ImageFileKind::from_letter(*kind)?;
    let mut mode = 0u32;
    for (i, triple) in rest.chunks(3).enumerate() {
        let shift = 6 - 3 * u32::try_from(i).ok()?;
        let special = [0o4000, 0o2000, 0o1000][i];
        let (set, unset) = if i == 2 { ('t', 'T') } else { ('s', 'S') };
        let [r, w, x] = triple else { return None };
        match r {
            'r' => mode |= 4 << shift,
            '-' => {}
            _ => return None,
        }
        match w {
            'w' => mode |= 2 << shift,
            '-' => {}
            _ => return None,
        }
        match *x {
            'x' => mode |= 1 << shift,
            '-' => {}
            c if c == set => mode |= (1 << shift) | special,
            c if c == unset => mode |= special,
            _ => return None,
        }
    }
    Some((kind, mode))
}

/// A package-manager cache directory in the final view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDir {
    /// The cache's root (`/var/lib/apt/lists`, `/root/.cache/pip`).
    pub path: String,
    /// Bytes of the regular files under it.
    pub bytes: u64,
    /// Number of regular files under it.
    pub files: u64,
    /// The layer that added most of those bytes.
    pub layer: usize,
    pub origin: Origin,
}

/// An installed package the filesystem rules care about (an SSH server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePackage {
    pub name: String,
    pub version: String,
    /// The layer that installed it.
    pub layer: usize,
    pub origin: Origin,
}

/// More entries matched a rule than the listing keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    /// The rule code (`PRV500`).
    pub code: String,
    /// How many entries were left out.
    pub count: u64,
    pub origin: Origin,
}

/// The notable entries of an image's layers (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageFiles {
    /// What built each layer (`RUN pip install …`), by layer index; empty when unknown.
    pub layers: Vec<String>,
    pub files: Vec<ImageFile>,
    pub caches: Vec<CacheDir>,
    pub packages: Vec<ImagePackage>,
    pub overflow: Vec<Overflow>,
}

impl ImageFiles {
    /// `layer 2 (RUN pip install …)`, or `layer 2` when the history does not say.
    pub fn layer_label(&self, layer: usize) -> String {
        match self.layers.get(layer).filter(|s| !s.is_empty()) {
            Some(step) => format!("layer {layer} ({step})"),
            None => format!("layer {layer}"),
        }
    }

    /// ` (deleted by layer 3)` for a removed file, empty otherwise.
    pub fn removal_note(file: &ImageFile) -> String {
        file.removed_by.map(|by| format!(" (deleted by layer {by})")).unwrap_or_default()
    }

    /// Entries left out of the listing for rule `code`.
    pub fn overflow_of(&self, code: &str) -> Option<&Overflow> {
        self.overflow.iter().find(|o| o.code == code)
    }
}

/// What a password field (`/etc/shadow`, or `/etc/passwd` without shadowing) allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordField {
    /// Empty: the account logs in without a password.
    Empty,
    /// `x` in `/etc/passwd`: the password is in `/etc/shadow`.
    Shadowed,
    /// `*`, `!`, `!!`, `*LK*`, or a hash behind `!`: no password login.
    Locked,
    /// A usable password hash of this scheme.
    Hash(HashScheme),
}

/// The crypt(3) scheme of a password hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashScheme {
    /// Traditional DES crypt (13 characters).
    Des,
    /// BSDi extended DES (`_…`).
    BsdiDes,
    /// `$1$`.
    Md5,
    /// `$3$` (NT hash).
    Nt,
    /// `$2a$`, `$2b$`, `$2y$`.
    Bcrypt,
    /// `$5$`.
    Sha256,
    /// `$6$`.
    Sha512,
    /// `$y$`, `$gy$`.
    Yescrypt,
    /// `$7$`.
    Scrypt,
    /// Anything else that is not a lock marker.
    Unknown,
}

impl HashScheme {
    /// The scheme of a (non-empty, unlocked) password field.
    pub fn of(field: &str) -> HashScheme {
        let id = field.strip_prefix('$').and_then(|rest| rest.split('$').next());
        match id {
            Some("1") => HashScheme::Md5,
            Some("3") => HashScheme::Nt,
            Some("2a" | "2b" | "2y" | "2x") => HashScheme::Bcrypt,
            Some("5") => HashScheme::Sha256,
            Some("6") => HashScheme::Sha512,
            Some("y" | "gy") => HashScheme::Yescrypt,
            Some("7") => HashScheme::Scrypt,
            Some(_) => HashScheme::Unknown,
            None if field.starts_with('_') && field.len() == 20 => HashScheme::BsdiDes,
            None if field.len() == 13
                && field.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/') =>
            {
                HashScheme::Des
            }
            None => HashScheme::Unknown,
        }
    }

    /// Name used in messages and in redacted text: `sha512crypt`.
    pub fn name(self) -> &'static str {
        match self {
            HashScheme::Des => "descrypt",
            HashScheme::BsdiDes => "bsdicrypt",
            HashScheme::Md5 => "md5crypt",
            HashScheme::Nt => "nthash",
            HashScheme::Bcrypt => "bcrypt",
            HashScheme::Sha256 => "sha256crypt",
            HashScheme::Sha512 => "sha512crypt",
            HashScheme::Yescrypt => "yescrypt",
            HashScheme::Scrypt => "scrypt",
            HashScheme::Unknown => "unknown",
        }
    }

    /// The scheme named `name` (see [`HashScheme::name`]).
    pub fn from_name(name: &str) -> Option<HashScheme> {
        [
            HashScheme::Des,
            HashScheme::BsdiDes,
            HashScheme::Md5,
            HashScheme::Nt,
            HashScheme::Bcrypt,
            HashScheme::Sha256,
            HashScheme::Sha512,
            HashScheme::Yescrypt,
            HashScheme::Scrypt,
            HashScheme::Unknown,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }

    /// Schemes fast enough to brute-force offline, or truncating passwords (DES keeps 8 characters).
    pub fn is_weak(self) -> bool {
        matches!(self, HashScheme::Des | HashScheme::BsdiDes | HashScheme::Md5 | HashScheme::Nt)
    }
}

/// Which account database a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountDb {
    /// `/etc/passwd`.
    Passwd,
    /// `/etc/group`.
    Group,
    /// `/etc/shadow`.
    Shadow,
}

/// One line of an account database: a user (`/etc/passwd`, `/etc/shadow`) or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    /// UID (passwd) or GID (group); `None` for shadow lines or an unparsable number.
    pub id: Option<u64>,
    /// The password field; `None` for groups.
    pub password: Option<PasswordField>,
    /// The whole line.
    pub origin: Origin,
    /// The password field itself (an empty span where it is empty).
    pub password_origin: Origin,
}

/// One account database of an image's final view, with the layer that wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFile {
    pub db: AccountDb,
    /// The layer whose version this is, when known.
    pub layer: Option<usize>,
    pub accounts: Vec<Account>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip() {
        for (kind, mode, text) in [
            (ImageFileKind::Regular, 0o4755, "-rwsr-xr-x"),
            (ImageFileKind::Directory, 0o1777, "drwxrwxrwt"),
            (ImageFileKind::Directory, 0o777, "drwxrwxrwx"),
            (ImageFileKind::Regular, 0o2644, "-rw-r-Sr--"),
            (ImageFileKind::Regular, 0o600, "-rw-------"),
            (ImageFileKind::Directory, 0o1776, "drwxrwxrwT"),
        ] {
            assert_eq!(mode_string(kind, mode), text);
            assert_eq!(parse_mode_string(text), Some((kind, mode)), "{text}");
        }
        for bad in ["", "-rwx", "xrwxrwxrwx", "-rwxrwxrwxx", "-rwqrwxrwx", "-rwtrwxrwx"] {
            assert_eq!(parse_mode_string(bad), None, "{bad}");
        }
    }

    #[test]
    fn hash_schemes() {
        assert_eq!(HashScheme::of("$6$salt$abc"), HashScheme::Sha512);
        assert_eq!(HashScheme::of("$1$salt$abc"), HashScheme::Md5);
        assert_eq!(HashScheme::of("$y$j9T$a$b"), HashScheme::Yescrypt);
        assert_eq!(HashScheme::of("abJnggxhB/yWI"), HashScheme::Des);
        assert_eq!(HashScheme::of("$2b$10$x"), HashScheme::Bcrypt);
        assert_eq!(HashScheme::of("plain"), HashScheme::Unknown);
        assert!(HashScheme::Des.is_weak() && HashScheme::Md5.is_weak());
        assert!(!HashScheme::Sha512.is_weak() && !HashScheme::Yescrypt.is_weak());
        for s in [HashScheme::Des, HashScheme::Yescrypt, HashScheme::Unknown] {
            assert_eq!(HashScheme::from_name(s.name()), Some(s));
        }
    }
}
