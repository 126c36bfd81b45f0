//! Parsers for Compose's short syntaxes: byte sizes, ports, volumes, devices, security options.
//! Pure functions over text; the loader attaches origins.

/// Parses a size the way Compose does (`docker/go-units` `RAMInBytes`): a decimal number and an
/// optional binary unit `b`, `k`, `m`, `g`, `t`, `p` (case-insensitive, optionally followed by
/// `b` or `ib`, optionally separated by one space). `512m` = 512 MiB, `1.5GB` = 1.5 GiB.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    if number.is_empty()
        || number.starts_with('.')
        || number.ends_with('.')
        || number.matches('.').count() > 1
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let (prefix, rest) = match unit.chars().next() {
        Some(c @ ('k' | 'm' | 'g' | 't' | 'p')) => (Some(c), unit.get(1..).unwrap_or("")),
        _ => (None, unit.as_str()),
    };
    let multiplier: f64 = match prefix {
        None => 1.0,
        Some('k') => 1024.0,
        Some('m') => 1024.0 * 1024.0,
        Some('g') => 1024.0 * 1024.0 * 1024.0,
        Some('t') => 1024.0f64.powi(4),
        _ => 1024.0f64.powi(5),
    };
    let suffix_ok = match prefix {
        None => matches!(rest, "" | "b"),
        Some(_) => matches!(rest, "" | "b" | "i" | "ib"),
    };
    if !suffix_ok {
        return None;
    }
    let bytes = value * multiplier;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return None;
    }
    // go-units truncates towards zero.
    Some(bytes as u64)
}

/// One `ports:` entry in short syntax, parsed. Ranges are inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// Host address, brackets removed; `None`: every interface.
    pub host_ip: Option<String>,
    /// Published host port range; `None`: ephemeral.
    pub host_port: Option<(u16, u16)>,
    /// Container port range.
    pub container: (u16, u16),
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
}

/// Parses `[[ip:]host[-end]:]container[-end][/protocol]`, including bracketed IPv6 addresses
/// (`[::1]:8080:80`) and unbracketed ones (`::1:8080:80`, as Docker accepts).
pub fn parse_port(text: &str) -> Result<PortSpec, String> {
    let text = text.trim();
    let (rest, protocol) = match text.rsplit_once('/') {
        Some((rest, proto)) => {
            let proto = proto.to_ascii_lowercase();
            if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
                return Err(format!("invalid protocol {proto:?} in port {text:?}"));
            }
            (rest, proto)
        }
        None => (text, "tcp".to_string()),
    };
    if rest.is_empty() {
        return Err(format!("no port in {text:?}"));
    }
    let (ip, host, container) = if let Some(after_bracket) = rest.strip_prefix('[') {
        let (ip, tail) =
            after_bracket.split_once(']').ok_or_else(|| format!("unterminated IPv6 address in {text:?}"))?;
        let tail = tail.strip_prefix(':').ok_or_else(|| format!("invalid port {text:?}"))?;
        let (host, container) = match tail.split_once(':') {
            Some((h, c)) => (Some(h), c),
            None => return Err(format!("missing container port in {text:?}")),
        };
        (Some(ip.to_string()), host, container)
    } else {
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.as_slice() {
            [container] => (None, None, *container),
            [host, container] => (None, Some(*host), *container),
            [ip @ .., host, container] => (Some(ip.join(":")), Some(*host), *container),
            [] => return Err(format!("no port in {text:?}")),
        }
    };
    let container =
        parse_port_range(container).ok_or_else(|| format!("invalid container port in {text:?}"))?;
    if container.0 == 0 {
        return Err(format!("invalid container port 0 in {text:?}"));
    }
    let host = match host {
        None | Some("") => None,
        Some(h) => Some(parse_port_range(h).ok_or_else(|| format!("invalid host port in {text:?}"))?),
    };
    if let Some(h) = host {
        let host_len = h.1 - h.0;
        let container_len = container.1 - container.0;
        if container_len != 0 && host_len != container_len {
            return Err(format!("host and container port ranges differ in size in {text:?}"));
        }
    }
    let host_ip = ip.filter(|ip| !ip.is_empty());
    Ok(PortSpec { host_ip, host_port: host, container, protocol })
}

/// `80` or `8000-8010`.
pub fn parse_port_range(text: &str) -> Option<(u16, u16)> {
    let text = text.trim();
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (parse_port_number(a)?, parse_port_number(b)?);
            (a <= b).then_some((a, b))
        }
        None => parse_port_number(text).map(|p| (p, p)),
    }
}

fn parse_port_number(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A `volumes:` entry in short syntax.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VolumeSpec {
    /// Host path or volume name; `None` for an anonymous volume.
    pub source: Option<String>,
    /// Path in the container.
    pub target: String,
    /// Whether the source is a host path (bind) rather than a volume name.
    pub bind: bool,
    /// `ro`.
    pub read_only: bool,
    /// `z` or `Z`.
    pub selinux: Option<String>,
    /// `shared`, `rslave`, ...
    pub propagation: Option<String>,
    /// `nocopy`.
    pub nocopy: bool,
}

/// Parses `[source:]target[:options]` as compose-go's `ParseVolume` does, keeping Windows drive
/// letters (`C:\data:/data`) and named pipes (`\\.\pipe\x:\\.\pipe\x`) intact.
pub fn parse_volume(text: &str) -> Result<VolumeSpec, String> {
    if text.is_empty() {
        return Err("empty volume specification".to_string());
    }
    let parts = split_volume(text);
    if parts.len() > 1 && parts.iter().any(|p| p.is_empty()) {
        return Err(format!("invalid spec: {text}: empty section between colons"));
    }
    let mut spec = VolumeSpec::default();
    match parts.as_slice() {
        [target] => spec.target = (*target).to_string(),
        [source, target] => {
            spec.source = Some((*source).to_string());
            spec.target = (*target).to_string();
        }
        [source, target, options] => {
            spec.source = Some((*source).to_string());
            spec.target = (*target).to_string();
            for option in options.split(',') {
                match option {
                    "ro" => spec.read_only = true,
                    "rw" => spec.read_only = false,
                    "z" | "Z" => spec.selinux = Some(option.to_string()),
                    "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate" => {
                        spec.propagation = Some(option.to_string());
                    }
                    "nocopy" => spec.nocopy = true,
                    // Compose ignores options it does not know (`cached`, `delegated`, typos).
                    _ => {}
                }
            }
        }
        _ => return Err(format!("too many colons in volume {text:?}")),
    }
    if spec.target.is_empty() {
        return Err(format!("no mount target in volume {text:?}"));
    }
    // Compose cleans the container path (`/etc/app/` is `/etc/app`), not the source.
    if spec.target.starts_with('/') {
        spec.target = clean_path(&spec.target);
    }
    spec.source = spec.source.filter(|s| !s.is_empty());
    spec.bind = spec.source.as_deref().is_some_and(is_file_path);
    Ok(spec)
}

fn split_volume(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b':' {
            continue;
        }
        // `C:` followed by `\` or `/` at the start of a part is a Windows drive, not a separator.
        let part_len = i - start;
        let is_drive = part_len == 1
            && bytes.get(start).is_some_and(u8::is_ascii_alphabetic)
            && bytes.get(i + 1).is_some_and(|n| matches!(n, b'\\' | b'/'));
        if is_drive {
            continue;
        }
        parts.push(text.get(start..i).unwrap_or(""));
        start = i + 1;
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts
}

/// Whether a volume source is a host path: starts with `.`, `/`, `~`, `\\` or a drive letter.
pub fn is_file_path(source: &str) -> bool {
    let bytes = source.as_bytes();
    match bytes.first() {
        None => false,
        Some(b'.' | b'/' | b'~') => true,
        Some(b'\\') => bytes.get(1) == Some(&b'\\'),
        Some(c) => {
            c.is_ascii_alphabetic()
                && bytes.get(1) == Some(&b':')
                && (bytes.len() == 2 || matches!(bytes.get(2), Some(b'\\' | b'/')))
        }
    }
}

/// Whether `path` is absolute on Linux or Windows (`/x`, `C:\x`, `\\server\x`).
pub fn is_absolute_path(path: &str) -> bool {
    path.starts_with('/')
        || path.starts_with("\\\\")
        || is_file_path(path) && path.as_bytes().get(1) == Some(&b':')
}

/// A `devices:` entry in short syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSpec {
    /// The device on the host.
    pub host_path: String,
    /// Where it appears in the container (`None`: the same path).
    pub container_path: Option<String>,
    /// Subset of `rwm`, as written.
    pub permissions: Option<String>,
}

/// Parses `host[:container[:permissions]]` as compose-go does: with two parts the second is
/// always the container path (`/dev/fuse:rw` maps the device to `rw`; checked against
/// `docker compose` v2.40.3). A CDI name (`vendor.com/class=name`) is kept whole.
pub fn parse_device(text: &str) -> Result<DeviceSpec, String> {
    let is_perms = |s: &str| !s.is_empty() && s.chars().all(|c| matches!(c, 'r' | 'w' | 'm'));
    let parts: Vec<&str> = text.split(':').collect();
    let spec = match parts.as_slice() {
        [host] => DeviceSpec { host_path: (*host).to_string(), container_path: None, permissions: None },
        [host, container] => DeviceSpec {
            host_path: (*host).to_string(),
            container_path: Some((*container).to_string()),
            permissions: None,
        },
        [host, container, perms] => {
            if !is_perms(perms) {
                return Err(format!("invalid device permissions {perms:?} in {text:?}"));
            }
            DeviceSpec {
                host_path: (*host).to_string(),
                container_path: Some((*container).to_string()),
                permissions: Some((*perms).to_string()),
            }
        }
        _ => return Err(format!("invalid device specification {text:?}")),
    };
    if spec.host_path.is_empty() {
        return Err(format!("invalid device specification {text:?}"));
    }
    Ok(spec)
}

/// One parsed `security_opt` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityOpt {
    /// `seccomp=...`: `unconfined` or a profile path.
    Seccomp(String),
    /// `apparmor=...`: `unconfined` or a profile name.
    Apparmor(String),
    /// The part after `label=` / `label:` (`disable`, `type:svirt_apache_t`, ...).
    Label(String),
    /// `no-new-privileges[=true|false]`.
    NoNewPrivileges(bool),
    /// `systempaths=unconfined`.
    UnmaskedPaths,
    /// Anything else, as written.
    Other(String),
}

/// Parses one `security_opt` entry in either the `key=value` or the legacy `key:value` form.
pub fn parse_security_opt(text: &str) -> Result<SecurityOpt, String> {
    let text = text.trim();
    if text == "no-new-privileges" {
        return Ok(SecurityOpt::NoNewPrivileges(true));
    }
    let Some(sep) = text.find(['=', ':']) else {
        return Ok(SecurityOpt::Other(text.to_string()));
    };
    let (key, value) = (text.get(..sep).unwrap_or(""), text.get(sep + 1..).unwrap_or(""));
    Ok(match key {
        "seccomp" => SecurityOpt::Seccomp(value.to_string()),
        "apparmor" => SecurityOpt::Apparmor(value.to_string()),
        "label" => SecurityOpt::Label(value.to_string()),
        "no-new-privileges" => match value.to_ascii_lowercase().as_str() {
            "true" | "1" => SecurityOpt::NoNewPrivileges(true),
            "false" | "0" => SecurityOpt::NoNewPrivileges(false),
            _ => return Err(format!("invalid value {value:?} for no-new-privileges")),
        },
        "systempaths" if value == "unconfined" => SecurityOpt::UnmaskedPaths,
        _ => SecurityOpt::Other(text.to_string()),
    })
}

/// Upper-case capability name without `CAP_`.
pub fn normalize_capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").map(str::to_string).unwrap_or(upper)
}

/// Lexically joins `path` onto `base` unless absolute, then removes `.` and resolvable `..`.
pub fn join_path(base: &str, path: &str) -> String {
    if is_absolute_path(path) || base.is_empty() || base == "." {
        return clean_path(path);
    }
    clean_path(&format!("{}/{}", base.trim_end_matches('/'), path))
}

/// Removes `.` components, duplicate slashes and `..` after a normal component.
pub fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    if path.contains('\\') && !path.contains('/') {
        return path.to_string();
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_like_go_units() {
        assert_eq!(parse_bytes("512m"), Some(512 * 1024 * 1024));
        assert_eq!(parse_bytes("1g"), Some(1 << 30));
        assert_eq!(parse_bytes("1.5GB"), Some(1_610_612_736));
        assert_eq!(parse_bytes("100"), Some(100));
        assert_eq!(parse_bytes("100b"), Some(100));
        assert_eq!(parse_bytes("64KiB"), Some(65536));
        assert_eq!(parse_bytes("2 mb"), Some(2 << 20));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("1x"), None);
        assert_eq!(parse_bytes(""), None);
        assert_eq!(parse_bytes("-1m"), None);
    }

    #[test]
    fn ports_short_syntax() {
        let p = parse_port("80").unwrap();
        assert_eq!((p.host_ip, p.host_port, p.container), (None, None, (80, 80)));
        let p = parse_port("8080:80").unwrap();
        assert_eq!((p.host_port, p.container), (Some((8080, 8080)), (80, 80)));
        let p = parse_port("127.0.0.1:8080:80/udp").unwrap();
        assert_eq!((p.host_ip.as_deref(), p.protocol.as_str()), (Some("127.0.0.1"), "udp"));
        let p = parse_port("[::1]:8080:80").unwrap();
        assert_eq!(p.host_ip.as_deref(), Some("::1"));
        let p = parse_port("::1:8080:80").unwrap();
        assert_eq!(p.host_ip.as_deref(), Some("::1"));
        let p = parse_port("8000-8010:8000-8010").unwrap();
        assert_eq!((p.host_port, p.container), (Some((8000, 8010)), (8000, 8010)));
        let p = parse_port("9000-9010:80").unwrap();
        assert_eq!((p.host_port, p.container), (Some((9000, 9010)), (80, 80)));
        let p = parse_port("127.0.0.1::80").unwrap();
        assert_eq!((p.host_ip.as_deref(), p.host_port), (Some("127.0.0.1"), None));
        assert!(parse_port("8000-8001:80-82").is_err());
        assert!(parse_port("http").is_err());
        assert!(parse_port("80/icmp").is_err());
        assert!(parse_port("70000").is_err());
    }

    #[test]
    fn volumes_short_syntax() {
        let v = parse_volume("./a:/b:ro,z").unwrap();
        assert_eq!(v.source.as_deref(), Some("./a"));
        assert!(v.bind && v.read_only);
        assert_eq!(v.selinux.as_deref(), Some("z"));
        let v = parse_volume("data:/var/lib/data").unwrap();
        assert!(!v.bind);
        let v = parse_volume("/cache").unwrap();
        assert_eq!((v.source, v.target.as_str()), (None, "/cache"));
        let v = parse_volume("C:\\x:/y").unwrap();
        assert_eq!(v.source.as_deref(), Some("C:\\x"));
        assert!(v.bind);
        let v = parse_volume("~/.ssh:/root/.ssh:ro,rshared").unwrap();
        assert_eq!(v.propagation.as_deref(), Some("rshared"));
        let v = parse_volume("/var/run/docker.sock:/var/run/docker.sock").unwrap();
        assert!(v.bind && !v.read_only);
        assert!(parse_volume("a:b:c:d").is_err());
        // docker compose v2.40.3: "invalid spec: :/b: empty section between colons".
        for bad in [":/b", "/a::/b", "/a:/b:"] {
            assert!(parse_volume(bad).unwrap_err().contains("empty section"), "{bad}");
        }
        assert!(parse_volume("/a:/b:bogus").unwrap().source.is_some());
    }

    #[test]
    fn devices_short_syntax() {
        let d = parse_device("/dev/sda:/dev/xvda:rwm").unwrap();
        assert_eq!(d.container_path.as_deref(), Some("/dev/xvda"));
        assert_eq!(d.permissions.as_deref(), Some("rwm"));
        let d = parse_device("/dev/fuse").unwrap();
        assert_eq!(d.container_path, None);
        let d = parse_device("/dev/fuse:rw").unwrap();
        assert_eq!((d.container_path.as_deref(), d.permissions), (Some("rw"), None));
        assert!(parse_device("/dev/a:/dev/b:xyz").is_err());
    }

    #[test]
    fn security_opts() {
        assert_eq!(parse_security_opt("seccomp:unconfined"), Ok(SecurityOpt::Seccomp("unconfined".into())));
        assert_eq!(parse_security_opt("seccomp=prof.json"), Ok(SecurityOpt::Seccomp("prof.json".into())));
        assert_eq!(parse_security_opt("apparmor:unconfined"), Ok(SecurityOpt::Apparmor("unconfined".into())));
        assert_eq!(parse_security_opt("label:disable"), Ok(SecurityOpt::Label("disable".into())));
        assert_eq!(parse_security_opt("label=type:svirt_t"), Ok(SecurityOpt::Label("type:svirt_t".into())));
        assert_eq!(parse_security_opt("no-new-privileges"), Ok(SecurityOpt::NoNewPrivileges(true)));
        assert_eq!(parse_security_opt("no-new-privileges:false"), Ok(SecurityOpt::NoNewPrivileges(false)));
        assert_eq!(parse_security_opt("no-new-privileges=true"), Ok(SecurityOpt::NoNewPrivileges(true)));
        assert_eq!(parse_security_opt("systempaths=unconfined"), Ok(SecurityOpt::UnmaskedPaths));
        assert!(parse_security_opt("no-new-privileges=maybe").is_err());
    }

    #[test]
    fn paths() {
        assert_eq!(join_path("proj", "./data"), "proj/data");
        assert_eq!(join_path("proj/sub", "../x"), "proj/x");
        assert_eq!(join_path("proj", "/abs"), "/abs");
        assert_eq!(join_path(".", "./a/./b"), "a/b");
        assert_eq!(join_path("", "a"), "a");
        assert_eq!(join_path("/p", "../../x"), "/x");
        assert_eq!(join_path("p", "C:\\x"), "C:\\x");
        assert_eq!(normalize_capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalize_capability("ALL"), "ALL");
    }
}
