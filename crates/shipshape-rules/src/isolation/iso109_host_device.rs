use shipshape_model::{Severity, Workload, declare_rule};

use crate::context::Checker;
use crate::isolation::iso106_sensitive_host_mount::normalize_host_path;

declare_rule! {
    /// ## What it does
    /// Flags a host device made available to the container (Compose `devices:`,
    /// `docker run --device`). The severity depends on the device:
    /// - critical: all of `/dev`, physical or kernel memory (`/dev/mem`, `/dev/kmem`,
    ///   `/dev/port`) and writable block devices (`/dev/sda`, `/dev/nvme0n1`, `/dev/vda`,
    ///   `/dev/xvda`, `/dev/mmcblk0`, `/dev/dm-0`, `/dev/md0`, `/dev/mapper/*`, `/dev/disk/*`,
    ///   `/dev/loop*`, `/dev/nbd*`);
    /// - high: block devices mapped read-only (`:r`), CPU registers (`/dev/cpu/*`);
    /// - medium: other devices (`/dev/kvm`, `/dev/fuse`, `/dev/net/tun`, `/dev/kmsg`, ...);
    /// - low: GPUs, sound, video and USB peripherals (`/dev/dri`, `/dev/nvidia*`, `/dev/snd`,
    ///   `/dev/video*`, `/dev/bus/usb`, `/dev/ttyUSB*`, ...), which workloads often need.
    ///
    /// ## Why is this bad?
    /// A device node bypasses the file system's permissions: a raw disk gives read and write
    /// access to every file on it, `/dev/mem` to the host's memory. Even harmless-looking
    /// devices expose kernel drivers, a large attack surface, to the container.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backup:
    ///     image: example/backup:1.0
    ///     devices:
    ///       - /dev/sda:/dev/sda
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   backup:
    ///     image: example/backup:1.0
    ///     volumes:
    ///       - /srv/backup:/backup:ro
    /// ```
    ///
    /// ## Fix
    /// Give the container files or volumes instead of devices. Where a device is needed (a GPU),
    /// map only that device, read-only if possible, and suppress the finding with a reason.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.17 "Ensure that host devices are not directly exposed to containers"
    pub static HOST_DEVICE = {
        code: "ISO109",
        name: "host-device",
        layer: Isolation,
        threat: ContainerEscape,
        asset: Host,
        severity: Critical,
        fix: None,
        summary: "a host device is mapped into the container",
        aliases: [(CisDocker, "5.17")],
    }
}

const BLOCK_PREFIXES: &[&str] =
    &["sd", "hd", "vd", "xvd", "nvme", "mmcblk", "dm-", "md", "mapper/", "disk/", "loop", "nbd"];
const PERIPHERAL_PREFIXES: &[&str] = &[
    "dri", "nvidia", "kfd", "snd", "video", "media", "bus/usb", "ttyUSB", "ttyACM", "ttyAMA", "ttyS", "i2c-",
    "gpiomem", "gpiochip", "hidraw", "input", "vchiq", "vcsm", "dsp", "uinput",
];

/// Severity and description of a host device path mapped with `permissions` (`None`: `rwm`).
pub(crate) fn classify_device(host_path: &str, permissions: Option<&str>) -> (Severity, &'static str) {
    let writable = permissions.is_none_or(|p| p.contains(['w', 'W']));
    let Some(path) = normalize_host_path(host_path) else {
        return (Severity::Medium, "a host device");
    };
    if path == "/dev" {
        return (Severity::Critical, "every host device, including the disks");
    }
    let Some(name) = path.strip_prefix("/dev/") else {
        return (Severity::Medium, "a host device");
    };
    if matches!(name, "mem" | "kmem" | "port") {
        return (Severity::Critical, "the host's physical or kernel memory");
    }
    if BLOCK_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return if writable {
            (Severity::Critical, "a host block device: raw access to every file on it")
        } else {
            (Severity::High, "a host block device: every file on it can be read")
        };
    }
    if name.starts_with("cpu/") || name == "cpu" {
        return (Severity::High, "CPU model-specific registers");
    }
    if PERIPHERAL_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return (Severity::Low, "a peripheral device");
    }
    (Severity::Medium, "a host device")
}

pub(crate) fn check(workload: &Workload, checker: &mut Checker<'_>) {
    for device in &workload.devices {
        let (severity, what) = classify_device(&device.host_path, device.permissions.as_deref());
        let finding = checker.report(
            &HOST_DEVICE,
            &device.origin,
            format!("host device `{}` is mapped into the container: {what}", device.host_path.trim()),
        );
        finding.severity = severity;
        finding.help =
            Some("give the container files or volumes instead; map a needed device read-only (`:r`)".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::workload::testing::{at, run, service, starts};
    use Severity::{Critical, High, Low, Medium};
    use shipshape_model::Device;

    #[test]
    fn classifies_devices() {
        let cases = [
            ("/dev", None, Critical),
            ("/dev/", None, Critical),
            ("/dev/mem", Some("r"), Critical),
            ("/dev/sda", None, Critical),
            ("/dev/nvme0n1", Some("rw"), Critical),
            ("/dev/sda1", Some("r"), High),
            ("/dev/mapper/root", None, Critical),
            ("/dev/cpu/0/msr", None, High),
            ("/dev/kvm", None, Medium),
            ("/dev/fuse", None, Medium),
            ("/dev/net/tun", None, Medium),
            ("/dev/snd", None, Low),
            ("/dev/dri/renderD128", None, Low),
            ("/dev/nvidia0", None, Low),
            ("/dev/ttyUSB0", None, Low),
            ("/dev/vhost-net", None, Medium),
            ("/dev/memory_bandwidth", None, Medium),
        ];
        for (path, perms, expected) in cases {
            assert_eq!(classify_device(path, perms).0, expected, "{path}");
        }
    }

    #[test]
    fn reports_every_device_with_its_severity() {
        let mut w = service();
        assert!(run(&HOST_DEVICE, &w).is_empty());
        w.devices = vec![
            Device { host_path: "/dev/sda".into(), container_path: None, permissions: None, origin: at(10) },
            Device {
                host_path: "/dev/snd".into(),
                container_path: Some("/dev/snd".into()),
                permissions: Some("rw".into()),
                origin: at(20),
            },
        ];
        let findings = run(&HOST_DEVICE, &w);
        assert_eq!(starts(&findings), [10, 20]);
        assert_eq!(findings[0].severity, Critical);
        assert_eq!(findings[1].severity, Low);
    }
}
