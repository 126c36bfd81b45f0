//! Lowering realistic manifests: the fields each container gets, and the line each one points at.

use shipshape_kube::{ContainerKind, KubeOutput, lower, parse_quantity};
use shipshape_model::{MountKind, NamespaceMode, Origin, Workload};
use std::sync::Arc;

fn lower_text(text: &str) -> (KubeOutput<'static>, usize) {
    // Leaked: each test lowers a handful of small manifests.
    let stream: &'static shipshape_yaml::Stream =
        Box::leak(Box::new(shipshape_yaml::parse(text, &shipshape_yaml::Limits::default())));
    let path: Arc<str> = Arc::from("manifest.yaml");
    (lower(stream, &path), stream.errors.len())
}

/// 1-based line of an origin's start.
fn line(text: &str, origin: &Origin) -> usize {
    let start = (origin.span.start as usize).min(text.len());
    text.get(..start).map_or(0, |before| before.matches('\n').count()) + 1
}

fn workload<'a>(output: &'a KubeOutput<'_>, name: &str) -> &'a Workload {
    let names: Vec<&str> = output.workloads.iter().map(|w| w.name.as_str()).collect();
    output.workloads.iter().find(|w| w.name == name).unwrap_or_else(|| panic!("no {name} in {names:?}"))
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      securityContext:
        runAsUser: 1000
        runAsGroup: 3000
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
        seLinuxOptions:
          level: "s0:c123,c456"
        sysctls:
          - name: net.ipv4.ip_local_port_range
            value: "1024 65535"
      initContainers:
        - name: migrate
          image: example/migrate:2
      containers:
        - name: app
          image: registry.example.com/web:1.4.2
          securityContext:
            runAsUser: 0
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            procMount: Unmasked
            capabilities:
              add: ["net_bind_service", "CAP_SYS_TIME"]
              drop: [ALL]
            seccompProfile:
              type: Localhost
              localhostProfile: profiles/web.json
            seLinuxOptions:
              type: spc_t
          ports:
            - containerPort: 8080
              hostPort: 80
              hostIP: 127.0.0.1
            - containerPort: 9090
              protocol: UDP
          env:
            - name: MODE
              value: production
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: web, key: token}
          resources:
            limits:
              memory: 512Mi
              cpu: 500m
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
"#;

#[test]
fn deployment_merges_pod_and_container_security_context() {
    let (output, errors) = lower_text(DEPLOYMENT);
    assert_eq!(errors, 0);
    assert!(output.diagnostics.is_empty(), "{:?}", output.diagnostics);
    assert_eq!(output.workloads.len(), 2);
    assert_eq!(output.objects.len(), 1);
    let object = &output.objects[0];
    assert_eq!(object.kind, "Deployment");
    assert_eq!(object.api_version.as_deref(), Some("apps/v1"));
    assert_eq!(object.name.as_deref(), Some("web"));
    assert_eq!(object.namespace.as_deref(), Some("shop"));

    let app = workload(&output, "Deployment/web/app");
    let text = DEPLOYMENT;
    assert_eq!(line(text, &app.origin), 30);
    assert_eq!(
        app.image.as_ref().map(|i| (i.value.as_str(), line(text, &i.origin))),
        Some(("registry.example.com/web:1.4.2", 31))
    );
    assert!(app.image_ref.is_some());
    // The container's runAsUser wins over the pod's.
    let user = app.user.as_ref().expect("user");
    assert_eq!((user.value.as_str(), line(text, &user.origin)), ("0", 33));
    let nnp = app.security.no_new_privileges.as_ref().expect("no_new_privileges");
    assert_eq!((nnp.value, line(text, &nnp.origin)), (true, 34));
    let ro = app.read_only_rootfs.as_ref().expect("read_only_rootfs");
    assert_eq!((ro.value, line(text, &ro.origin)), (true, 35));
    let unmasked = app.security.unmasked_paths.as_ref().expect("unmasked");
    assert_eq!((unmasked.value, line(text, &unmasked.origin)), (true, 36));
    let caps: Vec<(&str, usize)> =
        app.cap_add.iter().map(|c| (c.value.as_str(), line(text, &c.origin))).collect();
    assert_eq!(caps, [("NET_BIND_SERVICE", 38), ("SYS_TIME", 38)]);
    assert!(app.drops_all_capabilities());
    let seccomp = app.security.seccomp.as_ref().expect("seccomp");
    assert_eq!((seccomp.value.as_str(), line(text, &seccomp.origin)), ("localhost/profiles/web.json", 41));
    // The container's seLinuxOptions replace the pod's as a whole.
    let selinux: Vec<(&str, usize)> =
        app.security.selinux.iter().map(|s| (s.value.as_str(), line(text, &s.origin))).collect();
    assert_eq!(selinux, [("label=type:spc_t", 44)]);
    assert_eq!(app.ports.len(), 1);
    let port = &app.ports[0];
    assert_eq!(
        (port.host_ip.as_deref(), port.host_port, port.container_port),
        (Some("127.0.0.1"), Some(80), 8080)
    );
    assert_eq!((port.protocol.as_str(), line(text, &port.origin)), ("tcp", 46));
    let exposed: Vec<(&str, usize)> =
        app.exposed.iter().map(|e| (e.value.as_str(), line(text, &e.origin))).collect();
    assert_eq!(exposed, [("9090/udp", 49)]);
    assert_eq!(app.env.len(), 2);
    assert_eq!((app.env[0].name.as_str(), app.env[0].value.as_deref()), ("MODE", Some("production")));
    assert_eq!(line(text, &app.env[0].origin), 52);
    assert_eq!(app.env[0].value_origin.as_ref().map(|o| line(text, o)), Some(53));
    assert_eq!((app.env[1].value.as_deref(), app.env[1].value_origin.as_ref()), (None, None));
    let memory = app.resources.memory.as_ref().expect("memory");
    assert_eq!((memory.value, line(text, &memory.origin)), (512 * 1024 * 1024, 59));
    let cpus = app.resources.cpus.as_ref().expect("cpus");
    assert!((cpus.value - 0.5).abs() < 1e-9);
    assert_eq!(line(text, &cpus.origin), 60);
    let health = app.healthcheck.as_ref().expect("healthcheck");
    assert_eq!(
        (health.disabled, health.test.as_deref(), line(text, &health.origin)),
        (false, Some("httpGet"), 62)
    );
    let sysctls: Vec<(&str, &str, usize)> =
        app.sysctls.iter().map(|s| (s.value.0.as_str(), s.value.1.as_str(), line(text, &s.origin))).collect();
    assert_eq!(sysctls, [("net.ipv4.ip_local_port_range", "1024 65535", 24)]);

    // The init container inherits everything from the pod, pointing at the pod's fields.
    let migrate = workload(&output, "Deployment/web/migrate");
    let user = migrate.user.as_ref().expect("user");
    assert_eq!((user.value.as_str(), line(text, &user.origin)), ("1000", 16));
    let seccomp = migrate.security.seccomp.as_ref().expect("seccomp");
    assert_eq!((seccomp.value.as_str(), line(text, &seccomp.origin)), ("runtime/default", 20));
    let selinux: Vec<(&str, usize)> =
        migrate.security.selinux.iter().map(|s| (s.value.as_str(), line(text, &s.origin))).collect();
    assert_eq!(selinux, [("label=level:s0:c123,c456", 22)]);
    assert!(migrate.security.no_new_privileges.is_none());
    assert!(migrate.read_only_rootfs.is_none());
    assert!(migrate.healthcheck.is_none());

    let index = output.workloads.iter().position(|w| w.name == "Deployment/web/migrate").expect("index");
    let extras = &output.extras[index];
    assert_eq!(extras.container_kind, ContainerKind::Init);
    assert_eq!(extras.object, 0);
    assert_eq!(extras.run_as_non_root.as_ref().map(|s| (s.value, line(text, &s.origin))), Some((true, 18)));
    assert_eq!(extras.run_as_group.as_ref().map(|s| s.value.as_str()), Some("3000"));
    assert_eq!(extras.automount_service_account_token.as_ref().map(|s| s.value), Some(false));
    assert_eq!(extras.service_account_name.as_ref().map(|s| s.value.as_str()), Some("web"));
}

const CRONJOB: &str = r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/backup: unconfined
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: example/backup:3
              securityContext:
                allowPrivilegeEscalation: false
                privileged: true
              resources:
                limits:
                  memory: 1G
                  cpu: "2"
"#;

#[test]
fn cronjob_template_and_apparmor_annotation() {
    let (output, errors) = lower_text(CRONJOB);
    assert_eq!(errors, 0);
    assert!(output.diagnostics.is_empty(), "{:?}", output.diagnostics);
    let backup = workload(&output, "CronJob/backup/backup");
    assert_eq!(line(CRONJOB, &backup.origin), 16);
    let apparmor = backup.security.apparmor.as_ref().expect("apparmor");
    assert_eq!((apparmor.value.as_str(), line(CRONJOB, &apparmor.origin)), ("unconfined", 12));
    // privileged overrides allowPrivilegeEscalation: false.
    let nnp = backup.security.no_new_privileges.as_ref().expect("nnp");
    assert_eq!((nnp.value, line(CRONJOB, &nnp.origin)), (false, 19));
    assert_eq!(backup.privileged.as_ref().map(|p| (p.value, line(CRONJOB, &p.origin))), Some((true, 20)));
    assert_eq!(backup.resources.memory.as_ref().map(|m| m.value), Some(1_000_000_000));
    assert_eq!(backup.resources.cpus.as_ref().map(|c| c.value), Some(2.0));
    assert!(backup.restart.is_none());
}

const DAEMONSET: &str = r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: monitor
spec:
  selector:
    matchLabels: {app: monitor}
  template:
    metadata:
      labels: {app: monitor}
    spec:
      hostPID: yes
      hostNetwork: false
      hostUsers: false
      volumes:
        - name: docker
          hostPath:
            path: /var/run/docker.sock
            type: Socket
        - name: proc
          hostPath:
            path: /proc
        - name: scratch
          emptyDir:
            medium: Memory
        - name: creds
          secret:
            secretName: monitor-creds
      containers:
        - name: agent
          image: example/monitor:5
          volumeMounts:
            - name: docker
              mountPath: /var/run/docker.sock
            - name: proc
              mountPath: /host/proc
              readOnly: true
              mountPropagation: HostToContainer
            - name: scratch
              mountPath: /tmp
            - name: creds
              mountPath: /etc/creds
              mountPropagation: Bidirectional
"#;

#[test]
fn daemonset_host_paths_and_namespaces() {
    let (output, errors) = lower_text(DAEMONSET);
    assert_eq!(errors, 0);
    let agent = workload(&output, "DaemonSet/monitor/agent");
    let pid = agent.namespaces.pid.as_ref().expect("pid");
    assert_eq!((&pid.value, line(DAEMONSET, &pid.origin)), (&NamespaceMode::Host, 12));
    assert!(agent.namespaces.network.is_none());
    let user = agent.namespaces.user.as_ref().expect("user ns");
    assert!(matches!(user.value, NamespaceMode::Private(_)));
    assert_eq!(line(DAEMONSET, &user.origin), 14);
    let mounts: Vec<_> = agent
        .mounts
        .iter()
        .map(|m| {
            (
                m.kind,
                m.source.as_deref(),
                m.target.as_str(),
                m.read_only,
                m.propagation.as_deref(),
                line(DAEMONSET, &m.origin),
            )
        })
        .collect();
    assert_eq!(
        mounts,
        [
            (MountKind::Bind, Some("/var/run/docker.sock"), "/var/run/docker.sock", false, None, 33),
            (MountKind::Bind, Some("/proc"), "/host/proc", true, Some("rslave"), 35),
            (MountKind::Tmpfs, Some("scratch"), "/tmp", false, None, 39),
            (MountKind::Other, Some("creds"), "/etc/creds", false, Some("rshared"), 41),
        ]
    );
    assert_eq!(agent.secrets.iter().map(|s| s.value.as_str()).collect::<Vec<_>>(), ["monitor-creds"]);
    let types: Vec<(&str, &str, usize)> = output.extras[0]
        .host_path_types
        .iter()
        .map(|(target, t)| (target.as_str(), t.value.as_str(), line(DAEMONSET, &t.origin)))
        .collect();
    assert_eq!(types, [("/var/run/docker.sock", "Socket", 19)]);
}

const LIST: &str = r#"apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      ports: [{port: 80}]
  - apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      hostIPC: true
      containers:
        - name: nginx
          image: nginx:1.27
      ephemeralContainers:
        - name: debug
          image: busybox:1.36
"#;

#[test]
fn list_items_are_objects() {
    let (output, errors) = lower_text(LIST);
    assert_eq!(errors, 0);
    assert!(output.diagnostics.is_empty(), "{:?}", output.diagnostics);
    let kinds: Vec<&str> = output.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["Service", "Pod"]);
    let names: Vec<&str> = output.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["Pod/web/nginx", "Pod/web/debug"]);
    assert_eq!(output.extras[1].container_kind, ContainerKind::Ephemeral);
    assert_eq!(output.extras[1].object, 1);
    let ipc = output.workloads[1].namespaces.ipc.as_ref().expect("ipc");
    assert_eq!(line(LIST, &ipc.origin), 15);
}

const JSON_POD: &str = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "api"},
  "spec": {
    "containers": [
      {
        "name": "api",
        "image": "example/api:1",
        "securityContext": {"privileged": true, "runAsUser": 0},
        "env": [{"name": "DB_PASSWORD", "value": "s3cr3t"}]
      }
    ]
  }
}
"#;

#[test]
fn json_pod() {
    let (output, errors) = lower_text(JSON_POD);
    assert_eq!(errors, 0);
    let api = workload(&output, "Pod/api/api");
    assert_eq!(line(JSON_POD, &api.origin), 7);
    assert_eq!(api.privileged.as_ref().map(|p| (p.value, line(JSON_POD, &p.origin))), Some((true, 10)));
    assert_eq!(api.user.as_ref().map(|u| u.value.as_str()), Some("0"));
    let value = api.env[0].value_origin.as_ref().expect("value origin");
    assert_eq!(value.span.slice(JSON_POD), "\"s3cr3t\"");
}

const MULTI: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: first
spec:
  containers:
    - name: a
      image: example/a:1
---
- this is a list, not an object
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  containers: "none"
---
kind: Pod
metadata:
  name: second
spec:
  containers:
    - name: b
      image: example/b:1
      securityContext:
        privileged: true
    - image: example/unnamed:1
---
"#;

#[test]
fn multi_document_with_invalid_documents() {
    let (output, errors) = lower_text(MULTI);
    assert_eq!(errors, 0);
    let names: Vec<&str> = output.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["Pod/first/a", "Pod/second/b", "Pod/second/#1"]);
    let lines: Vec<usize> = output
        .diagnostics
        .iter()
        .map(|d| line(MULTI, &Origin::new(d.location.path.clone(), d.location.span)))
        .collect();
    // The list document, the non-list `containers`, the unnamed container.
    assert_eq!(lines, [10, 17, 28], "{:?}", output.diagnostics);
    let b = workload(&output, "Pod/second/b");
    assert_eq!(b.privileged.as_ref().map(|p| line(MULTI, &p.origin)), Some(27));
}

#[test]
fn syntax_error_in_the_middle_keeps_other_documents() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: one\nspec:\n  containers:\n    - name: a\n      image: x:1\n---\nkind: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: three\nspec:\n  containers:\n    - name: c\n      image: x:1\n";
    let (output, errors) = lower_text(text);
    assert!(errors > 0);
    let names: Vec<&str> = output.workloads.iter().map(|w| w.name.as_str()).collect();
    assert!(names.contains(&"Pod/one/a"), "{names:?}");
    assert!(names.contains(&"Pod/three/c"), "{names:?}");
    // The syntax error is the only problem reported for the broken document.
    assert!(output.diagnostics.is_empty(), "{:?}", output.diagnostics);
}

#[test]
fn quantities() {
    let cases: [(&str, f64); 12] = [
        ("512Mi", 536_870_912.0),
        ("1G", 1e9),
        ("1e9", 1e9),
        ("500M", 5e8),
        ("1.5Gi", 1_610_612_736.0),
        ("128974848", 128_974_848.0),
        ("129e6", 1.29e8),
        ("123Ki", 125_952.0),
        ("500m", 0.5),
        ("2", 2.0),
        ("0.1", 0.1),
        ("1E", 1e18),
    ];
    for (text, expected) in cases {
        let value = parse_quantity(text).unwrap_or_else(|| panic!("{text}"));
        assert!((value - expected).abs() <= expected * 1e-12, "{text}: {value}");
    }
    for bad in ["", "Mi", "12XB", "1e", "e3", "."] {
        assert_eq!(parse_quantity(bad), None, "{bad}");
    }
}

#[test]
fn host_path_sub_path_is_the_source() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n    - name: run\n      hostPath:\n        path: /var/run/\n  containers:\n    - name: a\n      image: x:1\n      volumeMounts:\n        - name: run\n          mountPath: /sock\n          subPath: docker.sock\n";
    let (output, _) = lower_text(text);
    let mount = &workload(&output, "Pod/p/a").mounts[0];
    assert_eq!((mount.kind, mount.source.as_deref()), (MountKind::Bind, Some("/var/run/docker.sock")));
}

#[test]
fn custom_resources_with_pod_templates_and_other_objects() {
    let text = "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: tpl\ntemplate:\n  spec:\n    containers:\n      - name: a\n        image: x:1\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n  template:\n    spec:\n      containers:\n        - name: b\n          image: x:1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  spec: x\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: empty\nspec: {}\n";
    let (output, errors) = lower_text(text);
    assert_eq!(errors, 0);
    let names: Vec<&str> = output.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["PodTemplate/tpl/a", "Rollout/r/b"]);
    assert_eq!(output.objects.len(), 4);
    let lines: Vec<usize> = output
        .diagnostics
        .iter()
        .map(|d| line(text, &Origin::new(d.location.path.clone(), d.location.span)))
        .collect();
    assert_eq!(lines, [33], "{:?}", output.diagnostics);
}
