//! The inventory of images built from what real tools install: Python distributions by `pip
//! install --target`, Node packages by `npm install`, a Go binary by `go build`, a war made by
//! Python's `zipfile`, and the rpm databases in `tests/fixtures/rpm` (written by rpm itself,
//! see PROVENANCE.md). Each tool's own listing (`pip list`, `npm ls`, `go version -m`) is the
//! expected answer.
//!
//! Needs `pip` (with PyPI), `npm` (with the npm registry) and `go`. Without one, its part is
//! skipped with a message, unless `CI` is set, where it fails.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // helpers of integration tests, not library code

mod common;

use common::*;
use serde_json::json;
use shipshape_image::{Image, Inventory, PackageManager};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Whether `program` runs; panics under CI when it does not.
fn tool(program: &str, install: &str) -> bool {
    if Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
        || Command::new(program).arg("version").output().is_ok_and(|o| o.status.success())
    {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but `{program}` is missing: {install}");
    eprintln!("skipping the {program} part of the inventory test: `{program}` not found ({install})");
    false
}

fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let output =
        Command::new(program).args(args).current_dir(dir).envs(env.iter().copied()).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every file and symbolic link under `dir`, as layer entries under `prefix`.
fn entries_of(dir: &Path, prefix: &str) -> Vec<E> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let mut children: Vec<_> = std::fs::read_dir(&current).unwrap().map(|e| e.unwrap().path()).collect();
        children.sort();
        for path in children {
            let relative = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let name = format!("{prefix}/{relative}");
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                out.push(symlink(&name, &std::fs::read_link(&path).unwrap().to_string_lossy()));
            } else if meta.is_dir() {
                stack.push(path);
            } else {
                out.push(file_mode(&name, &std::fs::read(&path).unwrap(), 0o755));
            }
        }
    }
    out
}

fn names(inventory: &Inventory, manager: PackageManager) -> BTreeSet<(String, String)> {
    inventory
        .packages
        .iter()
        .filter(|p| p.manager == manager)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

fn open(dir: &Path, layers: &[Layer]) -> Inventory {
    let config = config_json("amd64", layers, json!({"User": "app"}), None);
    let path = dir.join("image.tar");
    docker_oci(&path, &config, layers, "inventory:test");
    let image = Image::open(&path, None).unwrap();
    let (_, inventory) = image.scan(&mut ()).unwrap();
    inventory
}

/// An ELF file carrying Go's build-info header (pointer format) whose pointers lead nowhere.
fn hostile_go_binary() -> Vec<u8> {
    let mut data = vec![0u8; 64];
    data[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    data.extend_from_slice(b"\xff Go buildinf:\x08\x00");
    data.extend_from_slice(&[0x41; 16]);
    data.extend_from_slice(&[0u8; 64]);
    data
}

const ALMA: &[u8] = b"NAME=\"AlmaLinux\"\nVERSION=\"9.4 (Seafoam Ocelot)\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n";

#[test]
fn pip_npm_go_and_rpm_inventories_match_the_tools() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rpm");
    let mut layers = vec![Layer::new(
        &[
            file("etc/os-release", ALMA),
            file("var/lib/rpm/rpmdb.sqlite", &std::fs::read(fixtures.join("sqlite/rpmdb.sqlite")).unwrap()),
        ],
        Comp::Gzip,
    )];
    let mut expected_python = BTreeSet::new();
    let mut expected_npm = BTreeSet::new();
    let mut expected_go = BTreeSet::new();

    if tool("pip", "python3 -m ensurepip") {
        let site = dir.path().join("site");
        run(
            dir.path(),
            "pip",
            &[
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-cache-dir",
                "--target",
                site.to_str().unwrap(),
                "requests==2.31.0",
                "six==1.16.0",
            ],
            &[],
        );
        let listed: serde_json::Value = serde_json::from_str(&run(
            dir.path(),
            "pip",
            &["list", "--disable-pip-version-check", "--format", "json", "--path", site.to_str().unwrap()],
            &[],
        ))
        .unwrap();
        for item in listed.as_array().unwrap() {
            expected_python.insert((
                item["name"].as_str().unwrap().to_string(),
                item["version"].as_str().unwrap().to_string(),
            ));
        }
        assert!(expected_python.len() >= 6, "requests, its four dependencies and six: {expected_python:?}");
        layers.push(Layer::new(&entries_of(&site, "usr/lib/python3.11/site-packages"), Comp::Zstd));
    }

    if tool("npm", "apt-get install npm") {
        let app = dir.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("package.json"), br#"{"name": "app", "version": "1.0.0", "private": true}"#)
            .unwrap();
        run(
            &app,
            "npm",
            &[
                "install",
                "--no-audit",
                "--no-fund",
                "--silent",
                "ms@2.1.3",
                "@isaacs/string-locale-compare@1.1.0",
                "debug@4.3.4",
            ],
            &[],
        );
        let tree: serde_json::Value =
            serde_json::from_str(&run(&app, "npm", &["ls", "--all", "--json"], &[])).unwrap();
        let mut stack = vec![&tree];
        while let Some(node) = stack.pop() {
            if let Some(dependencies) = node["dependencies"].as_object() {
                for (name, child) in dependencies {
                    expected_npm.insert((name.clone(), child["version"].as_str().unwrap().to_string()));
                    stack.push(child);
                }
            }
        }
        assert!(expected_npm.len() >= 3, "{expected_npm:?}");
        layers.push(Layer::new(&entries_of(&app.join("node_modules"), "srv/app/node_modules"), Comp::Gzip));
    }

    if tool("go", "apt-get install golang-go") {
        let module = dir.path().join("gomod");
        std::fs::create_dir_all(module.join("greet")).unwrap();
        std::fs::write(
            module.join("go.mod"),
            "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n\nreplace example.com/greet v1.2.3 => ./greet\n",
        )
        .unwrap();
        std::fs::write(module.join("greet/go.mod"), "module example.com/greet\n\ngo 1.19\n").unwrap();
        std::fs::write(
            module.join("greet/greet.go"),
            "package greet\n\nfunc Hello() string { return \"hello\" }\n",
        )
        .unwrap();
        std::fs::write(
            module.join("main.go"),
            "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n",
        )
        .unwrap();
        let cache = dir.path().join("gocache");
        let env = [
            ("GOFLAGS", "-mod=mod"),
            ("GOPROXY", "off"),
            ("GOCACHE", cache.to_str().unwrap()),
            ("CGO_ENABLED", "0"),
        ];
        run(&module, "go", &["build", "-o", "hello", "."], &env);
        // `go version -m` prints the same build information: the Go version, then `mod`, `dep`
        // and `=>` lines.
        let shown = run(&module, "go", &["version", "-m", "hello"], &env);
        for line in shown.lines() {
            let fields: Vec<&str> = line.split('\t').map(str::trim).filter(|f| !f.is_empty()).collect();
            match fields.as_slice() {
                [first, ..] if first.contains(": go") => {
                    let go = first.rsplit(": ").next().unwrap();
                    let version = go.trim_start_matches("go");
                    let version = if version.matches('.').count() == 1 {
                        format!("{version}.0")
                    } else {
                        version.to_string()
                    };
                    expected_go.insert(("stdlib".to_string(), version));
                }
                ["mod" | "dep", path, version, ..] => {
                    expected_go.insert((path.to_string(), version.to_string()));
                }
                _ => {}
            }
        }
        assert!(expected_go.contains(&("example.com/greet".to_string(), "v1.2.3".to_string())), "{shown}");
        layers.push(Layer::new(
            &[file_mode("usr/local/bin/hello", &std::fs::read(module.join("hello")).unwrap(), 0o755)],
            Comp::Gzip,
        ));
    }

    // A war (written by Python's zipfile) holding a jar with a pom.properties, and a jar named
    // only by its manifest.
    let war = dir.path().join("shop.war");
    let script = r#"
import io, sys, zipfile
lib = io.BytesIO()
with zipfile.ZipFile(lib, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    z.writestr("META-INF/maven/org.example/greeter/pom.properties", "groupId=org.example\nartifactId=greeter\nversion=1.4.2\n")
    z.writestr("org/example/Greeter.class", b"\xca\xfe\xba\xbe" * 100)
plain = io.BytesIO()
with zipfile.ZipFile(plain, "w", zipfile.ZIP_STORED) as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Vendor-Id: com.acme\nImplementation-Version: 3.0.1\n")
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("WEB-INF/web.xml", "<web-app/>")
    z.writestr("WEB-INF/lib/greeter-1.4.2.jar", lib.getvalue())
    z.writestr("WEB-INF/lib/acme-util.jar", plain.getvalue())
"#;
    if tool("python3", "apt-get install python3") {
        run(dir.path(), "python3", &["-c", script, war.to_str().unwrap()], &[]);
        layers.push(Layer::new(&[file("opt/shop/shop.war", &std::fs::read(&war).unwrap())], Comp::None));
    }

    // A last layer deletes one Python distribution: it must not be listed.
    let deleted = expected_python.iter().find(|(name, _)| name == "six").cloned();
    if deleted.is_some() {
        layers.push(Layer::new(
            &[whiteout("usr/lib/python3.11/site-packages", "six-1.16.0.dist-info")],
            Comp::Gzip,
        ));
        expected_python.retain(|(name, _)| name != "six");
    }

    let inventory = open(dir.path(), &layers);
    assert_eq!(names(&inventory, PackageManager::Python), expected_python);
    assert_eq!(names(&inventory, PackageManager::Npm), expected_npm);
    assert_eq!(names(&inventory, PackageManager::Go), expected_go);
    let rpm: Vec<_> = inventory.packages.iter().filter(|p| p.manager == PackageManager::Rpm).collect();
    assert_eq!(rpm.len(), 4);
    let openssl = rpm.iter().find(|p| p.name == "openssl-libs").unwrap();
    assert_eq!(
        openssl.purl,
        "pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=almalinux-9.4&epoch=1"
    );
    assert_eq!((openssl.ecosystem.as_deref(), openssl.source_name.as_str()), (Some("AlmaLinux"), "openssl"));
    if war.exists() {
        let java: Vec<_> = inventory
            .packages
            .iter()
            .filter(|p| p.manager == PackageManager::Maven)
            .map(|p| {
                (p.name.as_str(), p.version.as_str(), p.inner_path.as_deref().unwrap_or(""), p.purl.as_str())
            })
            .collect();
        assert_eq!(
            java,
            [
                (
                    "com.acme:acme-util",
                    "3.0.1",
                    "WEB-INF/lib/acme-util.jar!/META-INF/MANIFEST.MF",
                    "pkg:maven/com.acme/acme-util@3.0.1"
                ),
                (
                    "org.example:greeter",
                    "1.4.2",
                    "WEB-INF/lib/greeter-1.4.2.jar!/META-INF/maven/org.example/greeter/pom.properties",
                    "pkg:maven/org.example/greeter@1.4.2"
                ),
            ]
        );
    }

    // Every package names its file, layer and line in the text findings point into.
    for package in &inventory.packages {
        let source = inventory.source_of(package).unwrap_or_else(|| panic!("no source for {package:?}"));
        let line = source.text.lines().nth(package.line - 1).unwrap_or_else(|| panic!("{package:?}"));
        assert!(
            line.contains(package.name.rsplit([':', '/']).next().unwrap()) || line.contains(&package.name),
            "{line:?} for {package:?}"
        );
        assert!(package.purl.starts_with("pkg:"), "{package:?}");
    }
    if let Some(requests) = inventory.packages.iter().find(|p| p.name == "requests") {
        assert_eq!(requests.layer, 1);
        assert_eq!(requests.db_path, "/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA");
        assert_eq!(requests.purl, "pkg:pypi/requests@2.31.0");
        assert_eq!(requests.license.as_deref(), Some("Apache 2.0"));
        let source = inventory.source_of(requests).unwrap();
        assert!(!source.listing && source.text.starts_with("Metadata-Version:"), "{source:?}");
    }
    if let Some(scoped) = inventory.packages.iter().find(|p| p.name == "@isaacs/string-locale-compare") {
        assert_eq!(scoped.purl, "pkg:npm/%40isaacs/string-locale-compare@1.1.0");
        assert_eq!(scoped.license.as_deref(), Some("ISC"));
    }
    assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
}

#[test]
fn every_rpm_database_format_in_an_image() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rpm");
    for (path, fixture) in [
        ("usr/lib/sysimage/rpm/rpmdb.sqlite", "sqlite/rpmdb.sqlite"),
        ("var/lib/rpm/Packages", "bdb/Packages"),
        ("usr/lib/sysimage/rpm/Packages.db", "ndb/Packages.db"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let data = std::fs::read(fixtures.join(fixture)).unwrap();
        let layers = vec![
            Layer::new(
                &[file("etc/os-release", b"ID=rocky\nVERSION_ID=9.3\n"), file(path, &data)],
                Comp::Gzip,
            ),
            // A later layer rewrites the database unchanged: packages keep their first layer.
            Layer::new(&[file(path, &data)], Comp::Gzip),
        ];
        let inventory = open(dir.path(), &layers);
        let summary: Vec<_> = inventory
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.layer, p.introduced_layer, p.line))
            .collect();
        assert_eq!(summary.len(), 4, "{fixture}: {summary:?}");
        assert!(
            summary.iter().all(|(_, _, layer, introduced, _)| *layer == 1 && *introduced == Some(0)),
            "{summary:?}"
        );
        let source = &inventory.sources[0];
        assert!(source.listing && source.text.lines().count() == 4, "{source:?}");
        let hello = inventory.packages.iter().find(|p| p.name == "hello-shipshape").unwrap();
        assert_eq!(source.text.lines().nth(hello.line - 1), Some("hello-shipshape 1:2.12.1-5.el9 x86_64"));
        assert_eq!(hello.ecosystem.as_deref(), Some("Rocky Linux"));
        assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
    }

    // A damaged database is a note naming it, not an error.
    let dir = tempfile::tempdir().unwrap();
    let mut damaged = std::fs::read(fixtures.join("ndb/Packages.db")).unwrap();
    damaged.truncate(5000);
    let inventory = open(dir.path(), &[Layer::new(&[file("var/lib/rpm/Packages.db", &damaged)], Comp::Gzip)]);
    assert!(inventory.packages.is_empty());
    assert!(
        inventory
            .notes
            .iter()
            .any(|n| n.starts_with("/var/lib/rpm/Packages.db: cannot read the package database")),
        "{:?}",
        inventory.notes
    );
}

#[test]
fn manifests_of_every_language_and_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let layers = vec![
        Layer::new(
            &[
                file("usr/local/bundle/specifications/rack-3.0.8.gemspec", b"Gem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"3.0.8\"\n  s.licenses = [\"MIT\".freeze]\nend\n"),
                file("var/www/vendor/composer/installed.json", br#"{"packages": [{"name": "monolog/monolog", "version": "3.5.0", "license": ["MIT"]}]}"#),
                file("app/App.deps.json", br#"{"libraries": {"App/1.0.0": {"type": "project"}, "Newtonsoft.Json/13.0.1": {"type": "package"}}}"#),
                file("src/Cargo.lock", b"version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\n"),
                file("app/node_modules/left-pad/package.json", b"{\"name\": \"left-pad\", \"version\": \"1.3.0\"}"),
                file("app/node_modules/broken/package.json", b"{\"name\": \"broken\", \"version\": "),
                file("app/node_modules/x/test/fixtures/node_modules/y/package.json", b"{\"name\": \"y\", \"version\": \"0.0.1\"}"),
                file("usr/lib/python3/dist-packages/six-1.16.0.egg-info", b"Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n"),
                file_mode("usr/bin/evil", &hostile_go_binary(), 0o755),
                file("opt/broken.jar", b"PK\x03\x04 not really a zip"),
            ],
            Comp::Gzip,
        ),
        // The package is upgraded by rewriting its manifest: only the new version is listed.
        Layer::new(&[file("app/node_modules/left-pad/package.json", b"{\"name\": \"left-pad\", \"version\": \"1.3.1\"}")], Comp::Gzip),
    ];
    let inventory = open(dir.path(), &layers);
    let summary: Vec<_> = inventory
        .packages
        .iter()
        .map(|p| (p.manager, p.name.as_str(), p.version.as_str(), p.layer, p.purl.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (PackageManager::Python, "six", "1.16.0", 0, "pkg:pypi/six@1.16.0"),
            (PackageManager::Npm, "left-pad", "1.3.1", 1, "pkg:npm/left-pad@1.3.1"),
            (PackageManager::Cargo, "serde", "1.0.200", 0, "pkg:cargo/serde@1.0.200"),
            (PackageManager::RubyGems, "rack", "3.0.8", 0, "pkg:gem/rack@3.0.8"),
            (PackageManager::Composer, "monolog/monolog", "3.5.0", 0, "pkg:composer/monolog/monolog@3.5.0"),
            (PackageManager::NuGet, "Newtonsoft.Json", "13.0.1", 0, "pkg:nuget/Newtonsoft.Json@13.0.1"),
        ]
    );
    // Damaged metadata: a note each, naming the file and layer; the walk goes on.
    let notes: Vec<&str> = inventory.notes.iter().map(String::as_str).collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        notes[0].starts_with("/app/node_modules/broken/package.json (layer 0): invalid JSON at line 1"),
        "{notes:?}"
    );
    assert_eq!(notes[1], "/usr/bin/evil (layer 0): address 0x4141414141414141 is in no loaded segment");
    assert_eq!(notes[2], "/opt/broken.jar (layer 0): not a ZIP archive (no end of central directory)");

    // A cap on packages: the rest are counted in a note.
    let image_path = dir.path().join("image.tar");
    let image = Image::open(&image_path, None).unwrap();
    let limits = shipshape_image::InventoryLimits { max_packages: 2, ..Default::default() };
    let (_, capped) =
        image.scan_with(&mut (), &shipshape_image::WalkOptions::for_inventory(), &limits).unwrap();
    assert!(capped.packages.len() <= 2, "{:?}", capped.packages);
    assert!(capped.notes.iter().any(|n| n.contains("beyond the limit of 2")), "{:?}", capped.notes);
}
