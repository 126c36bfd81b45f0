use shipshape_model::{Severity, Workload, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags device cgroup rules (Compose `device_cgroup_rules`, `docker run
    /// --device-cgroup-rule`) that let the container use host devices:
    /// - critical: every device (`a`, `a *:* rwm`), every block or character device (`b *:* rwm`,
    ///   `c *:* rwm`), writable block devices of a major (`b 8:* rw`), and memory devices
    ///   (`c 1:1`, `c 1:2`, `c 1:4`, `c 1:*`);
    /// - high: read access to block devices (`b 8:* r`);
    /// - medium: any other character device, and a rule that cannot be parsed.
    ///
    /// Rules that only allow `m` (creating nodes) and the devices every container already gets
    /// (`/dev/null`, `/dev/zero`, `/dev/full`, `/dev/random`, `/dev/urandom`, `/dev/tty`,
    /// `/dev/console`, `/dev/ptmx`, `/dev/pts/*`, `/dev/net/tun`) are not flagged.
    ///
    /// ## Why is this bad?
    /// A device cgroup rule is the kernel's only check between a process and a device node.
    /// Containers can create device nodes (`MKNOD` is in the default capability set), so
    /// `c *:* rwm` or `b *:* rwm` gives the container the host's disks and memory: as bad as
    /// `privileged`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   hw:
    ///     image: example/hw-agent:2
    ///     device_cgroup_rules:
    ///       - "c *:* rwm"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   hw:
    ///     image: example/hw-agent:2
    ///     device_cgroup_rules:
    ///       - "c 189:* rw"  # USB devices only
    /// ```
    ///
    /// ## Fix
    /// Allow only the majors (and minors) the container needs, without wildcards, and never
    /// block devices.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.17
    /// - Linux kernel documentation, cgroup v1 device whitelist controller
    pub static DEVICE_CGROUP_RULE = {
        code: "ISO110",
        name: "device-cgroup-rule",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "a device cgroup rule lets the container use host devices",
        aliases: [(CisDocker, "5.17")],
    }
}

/// One parsed device cgroup rule: `type major:minor access`. `None` numbers are `*`.
#[derive(Debug, PartialEq)]
struct DeviceRule {
    kind: char,
    major: Option<u32>,
    minor: Option<u32>,
    access: String,
}

fn parse_number(text: &str) -> Result<Option<u32>, ()> {
    if text == "*" { Ok(None) } else { text.parse().map(Some).map_err(|_| ()) }
}

fn parse(rule: &str) -> Option<DeviceRule> {
    let mut words = rule.split_whitespace();
    let kind = match words.next()? {
        "a" => 'a',
        "b" => 'b',
        "c" => 'c',
        _ => return None,
    };
    let Some(numbers) = words.next() else {
        return (kind == 'a').then(|| DeviceRule { kind, major: None, minor: None, access: "rwm".into() });
    };
    let (major, minor) = numbers.split_once(':')?;
    let access = words.next().unwrap_or("rwm").to_ascii_lowercase();
    if words.next().is_some() || access.is_empty() || !access.chars().all(|c| matches!(c, 'r' | 'w' | 'm')) {
        return None;
    }
    Some(DeviceRule { kind, major: parse_number(major).ok()?, minor: parse_number(minor).ok()?, access })
}

/// Character devices every Docker container may already use: (major, minor), `None` = any.
const DEFAULT_ALLOWED: &[(u32, Option<u32>)] = &[
    (1, Some(3)),
    (1, Some(5)),
    (1, Some(7)),
    (1, Some(8)),
    (1, Some(9)),
    (5, Some(0)),
    (5, Some(1)),
    (5, Some(2)),
    (136, None),
    (10, Some(200)),
];

/// Severity and explanation of a rule, or `None` when it grants nothing beyond the default.
fn classify(rule: &str) -> Option<(Severity, String)> {
    let Some(parsed) = parse(rule) else {
        return Some((Severity::Medium, "the rule could not be parsed; review what it allows".to_string()));
    };
    let readable = parsed.access.contains('r');
    let writable = parsed.access.contains('w');
    if !readable && !writable {
        return None;
    }
    let kind = if parsed.kind == 'b' { "block" } else { "character" };
    match (parsed.kind, parsed.major, parsed.minor) {
        ('a', _, _) => Some((Severity::Critical, "it allows every device: as good as `privileged`".into())),
        (_, None, _) => Some((
            Severity::Critical,
            format!("it allows every {kind} device, including the host's disks and memory"),
        )),
        ('b', Some(major), _) if writable => Some((
            Severity::Critical,
            format!("it allows writing block devices of major {major}: raw disk access"),
        )),
        ('b', Some(major), _) => Some((
            Severity::High,
            format!("it allows reading block devices of major {major}: every file on them"),
        )),
        (_, Some(1), minor) if minor.is_none_or(|m| matches!(m, 1 | 2 | 4)) => Some((
            Severity::Critical,
            "it allows the host's memory devices (`/dev/mem`, `/dev/kmem`, `/dev/port`)".into(),
        )),
        (_, Some(major), minor)
            if DEFAULT_ALLOWED.iter().any(|(ma, mi)| *ma == major && (mi.is_none() || *mi == minor)) =>
        {
            None
        }
        (_, Some(major), _) => {
            Some((Severity::Medium, format!("it allows character devices of major {major}")))
        }
    }
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for rule in &workload.device_cgroup_rules {
        let Some((severity, why)) = classify(&rule.value) else { continue };
        let finding = checker.report(
            &DEVICE_CGROUP_RULE,
            &rule.origin,
            format!("device cgroup rule `{}`: {why}", rule.value.trim()),
        );
        finding.severity = severity;
        finding.help = Some("allow only the exact devices the container needs, without wildcards".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{run, service, set, starts};
    use Severity::{Critical, High, Medium};

    #[test]
    fn parses_rules() {
        assert_eq!(
            parse("c 1:3 rwm"),
            Some(DeviceRule { kind: 'c', major: Some(1), minor: Some(3), access: "rwm".into() })
        );
        assert_eq!(parse("b *:* r").map(|r| r.major), Some(None));
        assert_eq!(parse("a").map(|r| r.kind), Some('a'));
        for bad in ["", "x 1:1 r", "c 1 r", "c a:b r", "c 1:1 rx", "c 1:1 r extra", "c"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn classifies_rules() {
        let severity = |r: &str| classify(r).map(|(s, _)| s);
        assert_eq!(severity("c *:* rwm"), Some(Critical));
        assert_eq!(severity("b *:* rwm"), Some(Critical));
        assert_eq!(severity("a *:* rwm"), Some(Critical));
        assert_eq!(severity("a"), Some(Critical));
        assert_eq!(severity("b 8:* rw"), Some(Critical));
        assert_eq!(severity("b 8:* r"), Some(High));
        assert_eq!(severity("c 1:1 r"), Some(Critical));
        assert_eq!(severity("c 189:* rw"), Some(Medium));
        assert_eq!(severity("bogus"), Some(Medium));
        assert_eq!(severity("c *:* m"), None);
        assert_eq!(severity("c 1:3 rwm"), None);
        assert_eq!(severity("c 136:* rw"), None);
    }

    #[test]
    fn reports_each_rule() {
        let mut w = service();
        w.device_cgroup_rules =
            vec![set("c *:* rwm".into(), 10), set("c 1:5 rwm".into(), 20), set("c 189:* rw".into(), 30)];
        let findings = run(&DEVICE_CGROUP_RULE, &w);
        assert_eq!(starts(&findings), [10, 30]);
        assert_eq!(findings[0].severity, Critical);
    }
}
